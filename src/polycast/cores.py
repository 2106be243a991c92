"""How many CPU cores this process may use for its own threads.

A build spreads its work over the cores it sees: espeak-ng speaks several sentences at once and
LAME encodes several stretches at once. In a batch, though, ``--jobs`` processes build side by
side, and each one taking every core would oversubscribe the machine, so each batch worker is
given its share.
"""

from __future__ import annotations

import os

_share = 1
"""How many processes split this process's cores between them (set in batch workers)."""


def share(processes: int) -> None:
    """Say that ``processes`` processes, this one among them, build side by side."""
    global _share  # noqa: PLW0603 (one setting per process, made when a batch worker starts)
    _share = max(1, processes)


def alone() -> None:
    """Say that this process builds on one core: as many others build beside it as there are cores.

    A Dask worker runs one build per task thread, and the cluster is sized one task thread per core,
    so a build that spread itself over every core would start pools and encoders that only contend.
    """
    share(count())


def count() -> int:
    """Return the cores this process may run on (its affinity, where the system has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def available() -> int:
    """Return the cores this process's threads should use: its affinity, divided by its share.

    >>> share(10_000); available()
    1
    >>> alone(); available()
    1
    >>> share(1)
    """
    return max(1, count() // _share)
