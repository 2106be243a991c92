"""Play a file with whatever audio player this machine has, for ``polycast preview --play``."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from polycast.errors import PolycastError

PLAYERS: tuple[tuple[str, ...], ...] = (
    ("mpv", "--no-video", "--really-quiet"),
    ("ffplay", "-nodisp", "-autoexit", "-loglevel", "quiet"),
    ("mpg123", "-q"),
    ("cvlc", "--play-and-exit", "--quiet"),
    ("afplay",),
    ("paplay",),
    ("play", "-q"),
)
"""Command-line players tried in order, with the options that make them play once and quit."""


def find_player() -> tuple[str, ...] | None:
    """Return the command of the first player installed here, or None."""
    for command in PLAYERS:
        path = shutil.which(command[0])
        if path:
            return (path, *command[1:])
    if sys.platform == "win32":
        return ("cmd", "/c", "start", "")
    return None


def play(path: Path) -> str:
    """Play ``path`` and wait for it to end; return a line saying what played it.

    Raises:
        PolycastError: no player is installed, or the player failed.
    """
    command = find_player()
    if command is None:
        names = ", ".join(c[0] for c in PLAYERS)
        raise PolycastError(f"no audio player found to play {path} (looked for {names})")
    result = subprocess.run([*command, str(path)], check=False)
    if result.returncode != 0:
        raise PolycastError(
            f"{Path(command[0]).name} could not play {path} (exit {result.returncode})"
        )
    return f"played {path} with {Path(command[0]).name}"
