"""Fixtures for the hostile cases: each gets a fresh folder and a private cache."""

from __future__ import annotations

from pathlib import Path

import pytest
from harness import Hostile, make_case


@pytest.fixture
def hostile(tmp_path: Path) -> Hostile:
    """A fresh case folder with a private cache, so no case sees another's cache."""
    return make_case(tmp_path)
