"""Where the cache lives, whether a folder can hold it, and how an entry is written into it."""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

from polycast.errors import OutputError
from polycast.files import write_bytes_atomic

log = logging.getLogger(__name__)


def default_cache_dir() -> Path:
    """Return where the cache lives: ``$POLYCAST_CACHE``, else the user's cache folder.

    The user's cache folder is ``$XDG_CACHE_HOME/polycast``, or ``~/.cache/polycast``.
    """
    explicit = os.environ.get("POLYCAST_CACHE")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "polycast"


def folder_of(setting: bool | Path) -> Path | None:
    """Name the folder a ``speak.cache`` setting means: the default for True, none for False."""
    if setting is False:
        return None
    return default_cache_dir() if setting is True else Path(setting)


def unusable(folder: Path) -> str | None:
    """Say why ``folder`` cannot hold a cache (made if missing, then written once), or None.

    A cache that cannot be used would otherwise fail, and warn, once per entry.

    >>> unusable(Path("/proc/polycast-cache")) is not None
    True
    """
    if folder.exists() and not folder.is_dir():
        return "is not a folder"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as e:
        return f"cannot be written: {e.strerror or e}"
    return None


def entry_path(folder: Path, name: str, suffix: str) -> Path:
    """Return where entry ``name`` lives: entries fan out over 256 sub-folders."""
    return folder / name[:2] / f"{name}{suffix}"


ENTRY_CAP = 256 * 1024 * 1024
"""The most bytes a cache entry is read as: a larger one is damaged (no plan, clip or timeline
a build keeps comes near it), and is made again rather than read whole into memory."""


def read_entry(path: Path, cap: int = ENTRY_CAP) -> bytes:
    """Read the entry at ``path``, of at most ``cap`` bytes.

    Raises:
        FileNotFoundError: there is no entry.
        OSError: it cannot be read.
        ValueError: it is larger than ``cap``.
    """
    with path.open("rb") as stream:
        data = stream.read(cap + 1)
    if len(data) > cap:
        raise ValueError(f"larger than {cap} bytes")
    return data


def keep_entry(path: Path, data: bytes) -> None:
    """Write a cache entry, warning (not failing) when the cache cannot be written.

    Nothing in the cache is needed for a correct build, only for a fast one.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(path, data, durable=False)
    except (OSError, OutputError) as e:
        log.warning("cannot keep %s in the cache: %s", path.name, e)
