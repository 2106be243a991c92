"""Run every check the project promises, in the order a reviewer would: lint, format, types, tests.

Usage: ``uv run python scripts/check.py [pytest args...]``. This is the README's test command and
what ``.ci/run`` runs. Exits non-zero on the first failing step.
"""

from __future__ import annotations

import subprocess
import sys

STEPS: list[tuple[str, list[str]]] = [
    ("lint", ["ruff", "check", "src", "tests", "scripts"]),
    ("format", ["ruff", "format", "--check", "src", "tests", "scripts"]),
    ("types", ["mypy"]),
    ("tests", ["pytest"]),
]


def main(extra: list[str]) -> int:
    for name, command in STEPS:
        args = command + extra if name == "tests" else command
        print(f"== {name}: {' '.join(args)}", flush=True)
        code = subprocess.call([sys.executable, "-m", *args])
        if code != 0:
            print(f"== {name} failed (exit {code})", flush=True)
            return code
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
