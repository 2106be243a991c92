"""A content-addressed cache of cue audio, so a rebuild or a preview re-speaks only what changed.

An entry is keyed by a hash of everything that shapes its audio: the engine's identity for the
language and voice (engine, version, voice, options), the language, the voice and the text. It is
stored as FLAC (lossless, about half the size of raw PCM) behind a small header that carries a
checksum: an entry that is corrupt or truncated is noticed on read, logged, removed and made
again, never used. Entries are written atomically, so parallel builds can share one cache.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import struct
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from polycast.cache.folder import default_cache_dir, read_entry
from polycast.errors import OutputError
from polycast.files import write_bytes_atomic
from polycast.models import Clip, KeptClip

if TYPE_CHECKING:
    from collections.abc import Callable

log = logging.getLogger(__name__)
_T = TypeVar("_T")

FORMAT = 1
"""Bump when the entry format or key recipe changes: old entries are then simply never hit."""
_MAGIC = b"PCLIP" + bytes([FORMAT])
_HEADER = struct.Struct("<6sII32s")  # magic, rate, frames, sha256 of (rate, frames, payload)


def cache_key(identity: str, lang: str, text: str, voice: str | None = None) -> str:
    """Return the hex sha256 naming the audio of ``text`` spoken by one engine voice.

    >>> cache_key("espeak-ng/1.52.0 voice=nl", "nl", "Hallo") == cache_key(
    ...     "espeak-ng/1.52.0 voice=nl", "nl", "Hallo")
    True
    """
    recipe = json.dumps([FORMAT, identity, lang, voice, text], ensure_ascii=False)
    return hashlib.sha256(recipe.encode("utf-8")).hexdigest()


def _digest(rate: int, frames: int, payload: bytes) -> bytes:
    return hashlib.sha256(struct.pack("<II", rate, frames) + payload).digest()


def encode_entry(clip: Clip) -> bytes:
    """Serialise a clip as header + FLAC (an empty clip has no FLAC: libsndfile cannot read one)."""
    import soundfile  # noqa: PLC0415 (slow import, only when a clip is stored)

    frames = len(clip.samples)
    payload = b""
    if frames:
        buffer = io.BytesIO()
        soundfile.write(buffer, clip.samples, clip.rate, format="FLAC", subtype="PCM_16")
        payload = buffer.getvalue()
    header = _HEADER.pack(_MAGIC, clip.rate, frames, _digest(clip.rate, frames, payload))
    return header + payload


def decode_entry(data: bytes) -> Clip:
    """Read back an entry written by ``encode_entry``, checking it is whole and unchanged.

    Raises:
        ValueError: the entry is truncated, corrupt or of another format.
    """
    import numpy as np  # noqa: PLC0415 (slow import, only when a clip is read)
    import soundfile  # noqa: PLC0415 (slow import, only when a clip is read)

    rate, frames, _ = _checked(data)
    if not frames:
        return Clip(samples=np.zeros(0, dtype=np.int16), rate=rate)
    try:
        samples, read_rate = soundfile.read(io.BytesIO(data[_HEADER.size :]), dtype="int16")
    except (soundfile.LibsndfileError, RuntimeError) as e:
        raise ValueError(f"undecodable audio: {e}") from e
    if read_rate != rate or samples.ndim != 1 or len(samples) != frames:
        raise ValueError("audio does not match its header")
    return Clip(samples=np.ascontiguousarray(samples, dtype=np.int16), rate=rate)


def kept_entry(data: bytes, clip: Clip | None = None) -> KeptClip:
    """Name an entry by its checksum, without decoding its audio (``clip``: its samples, if known).

    Raises:
        ValueError: the entry is truncated, corrupt or of another format.
    """
    rate, frames, digest = _checked(data)
    return KeptClip(digest.hex(), rate, frames, data, decode_entry, clip)


def _checked(data: bytes) -> tuple[int, int, bytes]:
    """Return an entry's rate, frame count and checksum, once its checksum is found right.

    Raises:
        ValueError: the entry is truncated, corrupt or of another format.
    """
    if len(data) < _HEADER.size:
        raise ValueError(f"truncated: {len(data)} bytes, shorter than the header")
    magic, rate, frames, digest = _HEADER.unpack_from(data)
    if magic != _MAGIC:
        raise ValueError("not a polycast cache entry of this format")
    if _digest(rate, frames, data[_HEADER.size :]) != digest:
        raise ValueError("checksum mismatch: truncated or corrupt")
    return rate, frames, digest


class ClipCache:
    """Cue audio on disk, keyed by ``cache_key``; safe to share between processes.

    Args:
        folder: Where entries live; default ``default_cache_dir()``. Made on the first write.
    """

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder if folder is not None else default_cache_dir()

    def path(self, key: str) -> Path:
        """Return the file of entry ``key`` (entries fan out over 256 sub-folders)."""
        return self.folder / key[:2] / f"{key}.clip"

    def __contains__(self, key: object) -> bool:
        """Say whether an entry exists (unverified; ``get`` verifies)."""
        return isinstance(key, str) and self.path(key).is_file()

    def get(self, key: str) -> Clip | None:
        """Return the clip stored under ``key``, or None when absent or damaged.

        A damaged entry is logged, removed and reported absent, so the caller makes it again.
        """
        return self._read(key, decode_entry)

    def kept(self, key: str) -> KeptClip | None:
        """Return the entry under ``key`` checked but not decoded, or None when absent or damaged.

        A damaged entry is logged, removed and reported absent, so the caller makes it again.
        """
        return self._read(key, kept_entry)

    def _read(self, key: str, take: Callable[[bytes], _T]) -> _T | None:
        """Read the entry under ``key`` and ``take`` it (which checks it once), or return None."""
        path = self.path(key)
        try:
            return take(read_entry(path))
        except FileNotFoundError:
            return None
        except OSError as e:
            log.warning("cannot read cache entry %s: %s; speaking it again", path, e)
            return None
        except ValueError as e:  # too large, truncated, corrupt, or its audio does not decode
            self._damaged(key, e)
            return None

    def _damaged(self, key: str, problem: ValueError) -> None:
        path = self.path(key)
        log.warning("cache entry %s is damaged (%s); speaking it again", path, problem)
        path.unlink(missing_ok=True)

    def put(self, key: str, clip: Clip) -> KeptClip:
        """Store ``clip`` under ``key`` atomically: readers see the old entry or the whole new one.

        Returns:
            The entry as kept, with ``clip`` at hand.

        Raises:
            OutputError: the cache folder cannot be made or written (read-only, disk full).
        """
        path = self.path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise OutputError(f"cannot make cache folder {path.parent}: {e.strerror or e}") from e
        data = encode_entry(clip)
        # Not fsynced: an entry a crash cut short fails its checksum and is simply made again.
        write_bytes_atomic(path, data, durable=False)
        _, rate, frames, digest = _HEADER.unpack_from(data)  # just made: no need to check it
        return KeptClip(digest.hex(), rate, frames, data, decode_entry, clip)
