"""Run a benchmark function in a fresh process and read its peak memory honestly."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def peak_rss_mb() -> float:
    """Peak resident memory of this process, in MB.

    The kernel's ``VmHWM`` first: ``ru_maxrss`` keeps the peak from before ``exec`` (a fork of a
    big parent counts as the child's own), which overstates a child's memory.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def in_child(module: str, call: str) -> dict[str, float]:
    """Run ``module.call`` (a call expression) in a fresh Python; return the dict it returns."""
    code = (
        f"import json, sys; sys.path.insert(0, 'scripts'); import {module}; "
        f"print(json.dumps({module}.{call}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result
