"""How many CPU cores this process may use for its own threads.

A build spreads its work over the cores it sees: espeak-ng speaks several sentences at once, the mix
renders runs side by side, and LAME encodes stretches side by side, each sized by ``available()``. A
batch's ``--jobs N`` is a bound on the cores the whole batch uses, as it is for make or cargo:
``split`` shares the N cores among the builds that run side by side, and each build's process is
``limit``-ed to its part, so ``--jobs 1`` builds one article at a time on one core.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

_limit: int | None = None
"""The most cores this process's threads use (set by a batch), or None for every one."""


def limit(cores: int | None) -> None:
    """Let this process's threads use at most ``cores`` cores from now on; None lifts the limit."""
    global _limit  # noqa: PLW0603 (one setting per process, made before a build starts)
    _limit = None if cores is None else max(1, cores)


@contextmanager
def limited(cores: int) -> Iterator[None]:
    """Limit this process to ``cores`` cores inside the block, and restore the limit after it.

    A batch that builds in the command's own process is limited so; ``build`` never is.
    """
    before = _limit
    limit(cores)
    try:
        yield
    finally:
        limit(before)


def alone() -> None:
    """Say that this process builds on one core: as many others build beside it as there are cores.

    A Dask worker runs one build per task thread, and the cluster is sized one task thread per core,
    so a build that spread itself over every core would start pools and encoders that only contend.
    """
    limit(1)


def count() -> int:
    """Return the cores this process may run on (its affinity, where the system has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def available() -> int:
    """Return the cores this process's threads should use: its affinity, within its limit.

    >>> with limited(1): available()
    1
    >>> available() == count()
    True
    """
    return count() if _limit is None else max(1, min(count(), _limit))


def threads(asked: int | None) -> int:
    """Return the threads for CPU-bound work: ``asked`` (a setting) or else ``available()``.

    Under a limit the threads never exceed it, whatever the setting asked: the limit is the
    batch's promise about the cores it uses. Without one, a setting is taken as it is.

    >>> threads(None) == available(), threads(6)
    (True, 6)
    >>> with limited(1): threads(None), threads(6)
    (1, 1)
    """
    if asked is None:
        return available()
    return asked if _limit is None else max(1, min(asked, available()))


def split(cores: int, builds: int) -> tuple[int, int]:
    """Share ``cores`` among ``builds``: how many run side by side, and the cores each may use.

    As many builds run at once as there are cores (never more than there are builds, so no
    process sits idle), and each one's threads get an equal part of the cores: a lone article
    gets them all, as ``build`` would.

    >>> split(2, 12), split(1, 12), split(3, 12)
    ((2, 1), (1, 1), (3, 1))
    >>> split(2, 1), split(8, 3), split(4, 0)
    ((1, 2), (3, 2), (1, 4))
    """
    side_by_side = max(1, min(cores, builds))
    return side_by_side, max(1, cores // side_by_side)
