"""The voices of this espeak-ng installation, listed once and kept in the cache folder.

Every command that speaks (or only names its voices, as an unchanged rebuild does for its cache
keys) needs espeak-ng's version and its voice list. Finding them loads and starts the library and
reads all ~140 voice files twice, once in C and once here: ~8 ms, a twentieth of an unchanged
rebuild. The answer depends only on the installation, so it is kept under a key made of the
library file's and the voice data's sizes and modification times: reinstalling espeak-ng (a new
file) makes a new key, and the list is made again. An entry that cannot be read, or is not what
this module writes, is made again too; one that cannot be written is simply not kept.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from polycast.errors import OutputError
from polycast.files import write_bytes_atomic

FORMAT = 1
"""Bumped whenever what is kept changes meaning."""
MAX_BYTES = 1 << 20
"""A catalogue is a few kilobytes; a larger file is not one of these."""


@dataclass(frozen=True)
class Catalogue:
    """What the library says of itself and its voices."""

    version: str
    """``espeak_Info``: the library's version."""
    rate: int
    """Samples a second it speaks at."""
    voices: dict[str, tuple[str, ...]]
    """Every language code to its voice ids, best first."""
    files: dict[str, str]
    """Each voice id's file under ``lang/``, where the id is unique."""

    def to_bytes(self) -> bytes:
        """Serialise, for the cache folder."""
        data = {
            "format": FORMAT,
            "version": self.version,
            "rate": self.rate,
            "voices": {code: list(ids) for code, ids in self.voices.items()},
            "files": self.files,
        }
        return json.dumps(data, sort_keys=True).encode("utf-8")

    @classmethod
    def from_bytes(cls, data: bytes) -> Catalogue:
        """Read what ``to_bytes`` wrote.

        Raises:
            ValueError: it is not a catalogue of this format.
        """
        found: Any = json.loads(data)
        if not isinstance(found, dict) or found.get("format") != FORMAT:
            raise ValueError("not a voice catalogue of this format")
        version, rate = found.get("version"), found.get("rate")
        voices, files = found.get("voices"), found.get("files")
        if not (isinstance(version, str) and isinstance(rate, int) and rate > 0):
            raise ValueError("a voice catalogue without its version or rate")
        if not (isinstance(voices, dict) and isinstance(files, dict)):
            raise ValueError("a voice catalogue without its voices")
        if not all(isinstance(ids, list) for ids in voices.values()):
            raise ValueError("a voice catalogue whose voices are not lists")
        listed = {str(code): tuple(str(v) for v in ids) for code, ids in voices.items()}
        return cls(version, rate, listed, {str(k): str(v) for k, v in files.items()})


def key(library: str, data: Path) -> str:
    """Name an installation by its library file and voice data folders, as they are now.

    Raises:
        OSError: one of them is missing.
    """
    parts = []
    for path in (Path(library), data, data / "lang", data / "voices"):
        status = path.stat()
        parts.append(f"{path}\0{status.st_size}\0{status.st_mtime_ns}")
    return hashlib.blake2b("\n".join(parts).encode(), digest_size=16).hexdigest()


def path_of(folder: Path, name: str) -> Path:
    """Where the catalogue named ``name`` is kept in the cache ``folder``."""
    return folder / "voices" / f"espeak-{name}.json"


def read(folder: Path | None, name: str) -> Catalogue | None:
    """Return the kept catalogue ``name``, or None if there is none that can be used."""
    if folder is None:
        return None
    # Here, not at the top: the cache package's import would come with every import of espeak.
    from polycast.cache.folder import read_entry  # noqa: PLC0415

    try:
        return Catalogue.from_bytes(read_entry(path_of(folder, name), MAX_BYTES))
    except (OSError, ValueError, RecursionError):  # missing, unreadable, too large, not ours
        return None


def keep(folder: Path | None, name: str, catalogue: Catalogue) -> None:
    """Keep ``catalogue`` as ``name``; a folder that cannot be written keeps nothing.

    As ``cache.folder.keep_entry`` does, but silently: the build has already said once that
    its cache folder cannot be used (``Cache.of``), and this would say it on every command.
    """
    if folder is None:
        return
    path = path_of(folder, name)
    with contextlib.suppress(OSError, OutputError):
        path.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(path, catalogue.to_bytes(), durable=False)
