"""Run every check the project promises, in the order a reviewer would: lint, format, types, tests.

Usage: ``uv run python scripts/check.py [pytest args...]``. This is the README's test command and
what ``.ci/run`` runs. Lint and format run first and stop it at once if they fail (they take a
moment); the type check then runs beside the tests, on the core the tests leave idle as they start
and finish, and its output follows theirs. Exits non-zero if any step failed.

The tests run with Python's own bytecode caching (in the gitignored ``__pycache__`` folders) even
where ``PYTHONDONTWRITEBYTECODE`` is set: otherwise both test workers, the processes they fork
polycast runs from, and every fresh interpreter a test starts compile the same project and test
files again on every run, 16 s of CPU in a 150 s suite.
"""

from __future__ import annotations

import os
import subprocess
import sys

FIRST: list[tuple[str, list[str]]] = [
    ("lint", ["ruff", "check", "src", "tests", "scripts"]),
    ("format", ["ruff", "format", "--check", "src", "tests", "scripts"]),
]
TYPES = ["mypy"]
TESTS = ["pytest"]


def failed(name: str, code: int) -> bool:
    """Say so if step ``name`` ended with a non-zero ``code``."""
    if code != 0:
        print(f"== {name} failed (exit {code})", flush=True)
    return code != 0


def main(extra: list[str]) -> int:
    for name, command in FIRST:
        print(f"== {name}: {' '.join(command)}", flush=True)
        code = subprocess.call([sys.executable, "-m", *command])
        if failed(name, code):
            return code
    print(f"== types: {' '.join(TYPES)} (beside the tests; its output follows theirs)", flush=True)
    types = subprocess.Popen(
        [sys.executable, "-m", *TYPES],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    print(f"== tests: {' '.join(TESTS + extra)}", flush=True)
    caching = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    tests = subprocess.call([sys.executable, "-m", *TESTS, *extra], env=caching)
    typed, _ = types.communicate()
    print(f"== types: {' '.join(TYPES)}\n{typed}", end="", flush=True)
    types_failed = failed("types", types.returncode)
    if failed("tests", tests):
        return tests
    return types.returncode if types_failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
