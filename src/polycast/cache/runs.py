"""``runs/``: what the mix measured of each run of an episode and the MP3 frames it became.

An edited episode shares most of its runs with the one before (``polycast.mix.runs``): a rebuild
measures and encodes only the runs the edit changed. The mix and the encoder see this store only
through the ``RunStore`` interface of ``polycast.models``.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from polycast.cache.folder import entry_path, keep_entry, read_entry
from polycast.cache.keys import key

log = logging.getLogger(__name__)

_DIGEST = 16
"""Bytes of the BLAKE2b digest that leads every entry and checks it when read."""


class RunCache:
    """Run measurements and frames, each checked by its own digest when read."""

    def __init__(self, folder: Path) -> None:
        """Keep entries under ``folder/runs``."""
        self._folder = folder / "runs"

    def _path(self, kind: str, name: str) -> Path:
        return entry_path(self._folder, key("run", kind, name), f".{kind}")

    def get(self, kind: str, name: str) -> bytes | None:
        """Return what was kept under ``kind`` and ``name``; None if absent or damaged."""
        path = self._path(kind, name)
        try:
            data = read_entry(path)
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as e:
            log.warning("cannot read %s from the cache: %s", path.name, e)
            return None
        payload = data[_DIGEST:]
        if data[:_DIGEST] != hashlib.blake2b(payload, digest_size=_DIGEST).digest():
            log.warning("cached %s %s is damaged; making it again", kind, path.name)
            return None
        return payload

    def put(self, kind: str, name: str, data: bytes) -> None:
        """Keep ``data`` (never fails a build: a cache that cannot be written is only slower)."""
        digest = hashlib.blake2b(data, digest_size=_DIGEST).digest()
        keep_entry(self._path(kind, name), digest + data)
