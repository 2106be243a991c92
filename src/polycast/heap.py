"""How a polycast process uses memory: the C allocator's thresholds, and the collector at exit.

The mix works in blocks of 2^16 samples, so most of its numpy arrays are half a megabyte. glibc
gives every allocation over its mmap threshold (128 KiB at start) pages of its own and returns
them when the array is freed, so each new block faults its pages in again: about 20,000 page
faults a build, a tenth of a second of CPU in the kernel. Raising the threshold (and the size
the heap keeps before it is trimmed) lets those arrays reuse memory the process already has.

A command's last act is Python's exit, whose final collection walks every object the command
made, tens of milliseconds for a build that took a fifth of a second; the objects do not need
walking, since the process gives all its memory back at once.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
"""``mallopt`` parameters, from glibc's ``malloc.h``."""
MMAP_THRESHOLD = 32 << 20
"""Allocations below this come from the heap: every block of the mix, not a whole hour's audio."""
TRIM_THRESHOLD = 64 << 20
"""Free memory the heap keeps at its top rather than returning to the kernel at once."""


def tune_allocator() -> bool:
    """Raise glibc's mmap and trim thresholds; return whether the C library took them.

    Anything but glibc (musl, macOS) has no ``mallopt`` or ignores these parameters: the process
    then runs as it would have, only with more page faults.
    """
    with contextlib.suppress(OSError, AttributeError):
        mallopt = ctypes.CDLL(None).mallopt
        mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
        mallopt.restype = ctypes.c_int
        return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
            mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD)
        )
    return False


def leave_to_exit() -> None:
    """Hand every object to the exit as it is, without the exit's last collection walking them.

    Call it when the command's work is done: what is frozen is never collected again.
    """
    gc.freeze()
