"""Stand-in engines that run in worker processes: small on purpose, since every worker imports it.

A spawned worker unpickles its engines by importing the module that defines them; defined in a
test module, each worker would first import everything that module imports.
"""

from __future__ import annotations

import os

import numpy as np

from polycast.models import Clip


def spelled(text: str) -> np.ndarray:
    """Samples that spell ``text`` (UTF-16 code units), so a clip says which cue it is."""
    return np.frombuffer(text.encode("utf-16-le"), dtype=np.int16).copy()


class Pid:
    """A process engine (picklable, holds the GIL) whose clips start with its process id."""

    name = "pid"

    def voices(self) -> dict[str, tuple[str, ...]]:
        return {"nl": ("pid",)}

    def synthesize(self, text: str, lang: str, voice: str | None = None) -> Clip:
        pid = np.array([os.getpid() % 32768], dtype=np.int16)
        return Clip(samples=np.concatenate([pid, spelled(text)]), rate=8000)

    def identity(self, lang: str, voice: str | None = None) -> str:
        return "pid"


class Dying(Pid):
    """A process engine whose worker dies on the first cue."""

    def synthesize(self, text: str, lang: str, voice: str | None = None) -> Clip:
        os._exit(3)
