"""The harness itself can fail: a clean failure passes it, and each broken promise is caught."""

from __future__ import annotations

import pytest
from harness import Hostile


def test_a_missing_article_is_a_clean_failure(hostile: Hostile) -> None:
    hostile.short()
    line = hostile.fails("build", "missing.txt", "-o", "out", words=("missing.txt",))
    assert line.startswith("polycast: error:")


def test_the_harness_catches_a_success(hostile: Hostile) -> None:
    hostile.short()
    with pytest.raises(AssertionError, match="exit 0"):
        hostile.fails("segments", "short-nl.txt")
