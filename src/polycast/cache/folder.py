"""Where the cache lives, and whether a folder can hold it."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


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
