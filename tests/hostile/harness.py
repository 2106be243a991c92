"""The hostile-input harness: run polycast as a user's shell would and check it failed cleanly.

Every hostile case asserts the same contract (see ``Hostile.fails``): the exit code, exactly one
line on stderr, no traceback, no temporary or partial file left anywhere under the case's folder,
and every file that was there before (the input, existing outputs) byte for byte intact.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import cli_process

DATA = Path(__file__).parent.parent / "data"
SHORT = DATA / "cli" / "short-nl.txt"
"""A short Dutch article with an embedded English post: three chapters, a few seconds of audio."""

PARTIAL_MARKERS = (".part", ".tmp", ".lock~")


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every regular file under ``folder`` (not following links), by relative path, with bytes."""
    found: dict[str, bytes] = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            found[str(path.relative_to(folder))] = path.read_bytes()
    return found


def partial_files(folder: Path) -> list[str]:
    """Temporary or partial files under ``folder``: what a clean failure never leaves."""
    return [
        str(p.relative_to(folder))
        for p in folder.rglob("*")
        if any(marker in p.name for marker in PARTIAL_MARKERS)
    ]


@dataclass
class Hostile:
    """One hostile case's folder, with the helpers to run polycast in it and judge the outcome."""

    root: Path
    """The case's folder: the working directory of every run, and what is checked afterwards."""
    env: dict[str, str] = field(default_factory=dict)
    """The environment of every run: a private cache folder, no colour."""

    def write(self, name: str, data: bytes | str) -> Path:
        """Write an input file under the case's folder and return its path."""
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, str):
            path.write_text(data, encoding="utf-8")
        else:
            path.write_bytes(data)
        return path

    def short(self, name: str = "short-nl.txt") -> Path:
        """Copy the short Dutch test article into the case's folder under ``name``."""
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SHORT, path)
        return path

    def run(
        self,
        *args: str,
        timeout: float = 120,
        preexec_fn: Callable[[], None] | None = None,
        input: str | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """Run ``polycast ARGS`` in a process of its own, in the case's folder."""
        return cli_process.run(
            args,
            capture_output=True,
            text=True,
            cwd=self.root,
            env=self.env,
            timeout=timeout,
            preexec_fn=preexec_fn,
            input=input,
            check=False,
        )

    def fails(
        self,
        *args: str,
        code: int = 1,
        words: tuple[str, ...] = (),
        timeout: float = 120,
        preexec_fn: Callable[[], None] | None = None,
        allow_new: tuple[str, ...] = (),
    ) -> str:
        """Run polycast and assert the clean-failure contract; return the one line it printed.

        Args:
            code: the exit code expected (1 for a failure, 2 for a usage error).
            words: words the error line must contain (case-insensitive).
            allow_new: files the run may create (a cache folder's entries, say); anything else
                new under the case's folder is a half-written output.
        """
        before = snapshot(self.root)
        result = self.run(*args, timeout=timeout, preexec_fn=preexec_fn)
        err = result.stderr
        assert result.returncode == code, f"exit {result.returncode}\n{err}\n{result.stdout}"
        assert "Traceback" not in err, err
        lines = [line for line in err.strip().splitlines() if line.strip() and line != "speaking"]
        assert len(lines) == 1, err
        line = lines[0]
        for word in words:
            assert word.casefold() in line.casefold(), line
        assert partial_files(self.root) == [], partial_files(self.root)
        after = snapshot(self.root)
        for name, data in before.items():
            assert after.get(name) == data, f"{name} changed or vanished"
        new = [n for n in after if n not in before and not n.startswith(allow_new or ("\0",))]
        assert new == [], f"half-written or unexpected outputs: {new}"
        return line


def make_case(tmp_path: Path) -> Hostile:
    """A fresh case folder under ``tmp_path`` with a private cache, so no case sees another's."""
    env = dict(os.environ)
    env["POLYCAST_CACHE"] = str(tmp_path / ".cache")
    env["NO_COLOR"] = "1"
    env["COLUMNS"] = "200"
    case = tmp_path / "case"
    case.mkdir()
    return Hostile(root=case, env=env)
