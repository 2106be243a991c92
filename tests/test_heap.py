"""The process's allocator and exit (``polycast.heap``), checked in fresh processes."""

from __future__ import annotations

import subprocess
import sys

_FAULTS = """
import resource, sys
import numpy as np
from polycast import heap
if sys.argv[1] == "tuned":
    assert heap.tune_allocator()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(200):
    # A block of the mix, float64 (512 KiB), and the temporaries made from it, freed together.
    block = np.ones(1 << 16)
    parts = [block * 2.0, block + 1.0, np.abs(block)]
    del block, parts
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def _faults(mode: str) -> int:
    done = subprocess.run(
        [sys.executable, "-c", _FAULTS, mode], capture_output=True, text=True, check=True
    )
    return int(done.stdout)


def test_a_tuned_allocator_reuses_a_blocks_pages_instead_of_faulting_them_in_again() -> None:
    plain, tuned = _faults("plain"), _faults("tuned")
    # Untuned, the heap gives the freed megabytes back and faults them in again: 128 faults per
    # array, 102,400 in all; tuned, the first round's pages serve every other.
    assert plain > 200 * 4 * 100
    assert tuned < 2_000


_EXIT = """
import gc, sys
from polycast.cli import run
sys.argv = ["polycast", "--version"]
try:
    run()
except SystemExit:
    print(gc.get_freeze_count(), file=sys.stderr)
"""


def test_the_command_line_leaves_its_objects_to_the_exit_unwalked() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _EXIT], check=False, capture_output=True, text=True
    )
    assert done.stdout.startswith("polycast ")
    assert int(done.stderr) > 1_000  # everything it made: frozen, so the exit walks none of it
