"""What is installed on ``sys.path``, read from the distributions' metadata folders directly.

polycast asks two things of what is installed: the versions of the libraries that shape what it
makes (for cache keys, on every command) and the engines other packages add (entry points, on
every command that speaks). ``importlib.metadata`` answers both, but its import (email, zipfile,
csv) and its reading of every distribution's METADATA cost a preview or a rebuild some 30 ms of
its few hundred. The answers are in the folders themselves: a ``name-version.dist-info`` folder
is named by its version (the wheel format's rule), and its ``entry_points.txt`` lists its entry
points. As ``importlib.metadata`` does, the first distribution of a name on the path is the one
installed.
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

_SUFFIXES = (".dist-info", ".egg-info")
"""Folders of installed distributions' metadata (egg-info from older installers)."""
_ENTRY_POINTS_CAP = 1_000_000
"""An ``entry_points.txt`` is a few hundred bytes; one past this is not read (nor any of it)."""


def normalised(name: str) -> str:
    """Spell a distribution's name as its metadata folder does (PEP 503, ``_`` for ``-``, ``.``).

    >>> normalised("Lingua-Language.Detector")
    'lingua_language_detector'
    """
    return name.replace("-", "_").replace(".", "_").lower()


def distributions() -> list[Path]:
    """Return the metadata folder of every distribution on ``sys.path``, the first of each name.

    A command asks twice (versions for its cache keys, then entry points for its engines): the
    folders are listed once for each ``sys.path``.
    """
    return list(_distributions(tuple(sys.path)))


@functools.lru_cache(maxsize=4)
def _distributions(path: tuple[str, ...]) -> tuple[Path, ...]:
    seen: set[str] = set()
    found: list[Path] = []
    for entry in dict.fromkeys(path):
        try:
            names = sorted(os.listdir(entry or "."))  # noqa: PTH208 (names sort ~50x faster than paths)
        except OSError:  # a zip file on the path, or a folder that is not there
            continue
        for name in names:
            if not name.endswith(_SUFFIXES):
                continue
            project = _project(name)
            if project not in seen:
                seen.add(project)
                found.append(Path(entry or ".", name))
    return tuple(found)


def versions(projects: tuple[str, ...]) -> list[str]:
    """Name the installed versions of ``projects`` as their folders do (``lameenc-1.9.0``).

    A project that is not installed is left out.

    >>> versions(("lameenc",))[0].startswith("lameenc-")
    True
    """
    wanted = {normalised(project) for project in projects}
    return [
        folder.name.rsplit(".", 1)[0]
        for folder in distributions()
        if _project(folder.name) in wanted
    ]


def _project(folder: str) -> str:
    """Return the normalised project name a metadata folder's name starts with."""
    return normalised(folder.partition("-")[0].removesuffix(".egg-info"))


def entry_points(group: str) -> dict[str, str]:
    """Return the entry points of ``group`` every distribution declares, name to ``module:attr``.

    A later distribution's entry of the same name wins, as in ``importlib.metadata``.
    """
    found: dict[str, str] = {}
    for folder in distributions():
        try:
            with (folder / "entry_points.txt").open("rb") as file:
                raw = file.read(_ENTRY_POINTS_CAP + 1)
            text = raw.decode("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if len(raw) > _ENTRY_POINTS_CAP:
            continue
        found.update(_section(text, group))
    return found


def _section(text: str, group: str) -> dict[str, str]:
    r"""Read the ``name = value`` lines of section ``[group]`` of an ``entry_points.txt``.

    >>> _section("[a]\nx = m:f\n[polycast.engines]\n# note\nv = p.q:V\n", "polycast.engines")
    {'v': 'p.q:V'}
    """
    entries: dict[str, str] = {}
    current = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1].strip()
        elif current == group and "=" in line:
            name, _, value = line.partition("=")
            entries[name.strip()] = value.strip()
    return entries
