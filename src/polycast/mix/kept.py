"""Pass 1 of the mix, clip by clip: condition each clip into the spool, or set its place aside.

A clip the cache keeps (``KeptClip``) has a name. What conditioning made of it (its length at
the output rate, and the digest that names it in its run's key) is noted in the run store under
that name and the conditioning settings. A clip noted before is not decoded, trimmed or
resampled: its place in the spool is set aside, and made the first time a read reaches it
(``Spool.reserve``). A rebuild after an edit reads only the runs the edit touched, so the clips
of every other run stay as the cache keeps them.
"""

from __future__ import annotations

import functools
import logging
import re
import struct
from collections.abc import Callable
from typing import NamedTuple

from polycast.errors import EngineError
from polycast.mix import runs
from polycast.mix.condition import Float32Array, condition
from polycast.mix.settings import MixSettings
from polycast.mix.spool import Spool
from polycast.models import Clip, Cue, KeptClip, RunStore

log = logging.getLogger(__name__)

KIND = "conditioned"
"""The run store's kind for what conditioning made of a kept clip."""
_HEX = re.compile(r"[0-9a-f]{32}")


class Laid(NamedTuple):
    """One clip in the spool: where it starts, how long it plays, and what names it."""

    offset: int
    """Its first sample in the spool."""
    frames: int
    """Its conditioned length, in samples at the output rate."""
    digest: str
    """Names the clip and how it was conditioned (``clip_digest``)."""

    def to_bytes(self) -> bytes:
        """Serialise the length and digest (the offset is this build's own), for the store."""
        return struct.pack("<Q", self.frames) + self.digest.encode("ascii")

    @classmethod
    def from_bytes(cls, data: bytes) -> Laid:
        """Read what ``to_bytes`` wrote (offset 0).

        Raises:
            ValueError: the data is not a serialised length and digest.
        """
        digest = data[8:].decode("ascii")
        if len(data) != 40 or not _HEX.fullmatch(digest):
            raise ValueError("not a conditioned clip's note")
        return cls(0, struct.unpack_from("<Q", data)[0], digest)


def clip_digest(clip: Clip, settings: MixSettings) -> str:
    """Name a clip's conditioned audio by the clip and how it is conditioned.

    ``condition`` has checked the clip is int16 PCM before this is called.
    """
    return runs.digest(
        clip.samples.tobytes(),
        clip.rate,
        settings.rate,
        settings.trim_db,
        settings.trim_keep_ms,
    )


def lay(
    clip: Clip | KeptClip,
    cue: Cue,
    settings: MixSettings,
    spool: Spool,
    store: RunStore | None = None,
) -> Laid:
    """Put a clip's conditioned speech in ``spool``, or set its place aside if ``store`` knows it.

    Raises:
        EngineError: the clip is not mono int16 PCM, or a kept clip does not decode.
        OutputError: the spool cannot be written (disk full).
    """
    if not isinstance(clip, KeptClip):
        return _conditioned(clip, cue, settings, spool)
    name = runs.digest(KIND, clip.name, settings.rate, settings.trim_db, settings.trim_keep_ms)
    known = _noted(store, name, _most(clip, settings)) if clip.clip is None else None
    if known is not None and not known.frames:
        return known._replace(offset=spool.frames)  # silence, trimmed away: nothing to make
    if known is not None:
        # The place keeps how to decode, not the data: that waits in the spool's side file.
        make = functools.partial(_make, clip.decode, clip.name, cue, settings)
        return known._replace(offset=spool.reserve(known.frames, clip.data, make))
    laid = _conditioned(_open(clip), cue, settings, spool)
    if store is not None:
        store.put(KIND, name, laid.to_bytes())
    return laid


def _noted(store: RunStore | None, name: str, most: int) -> Laid | None:
    """Return what conditioning made of a kept clip before (at most ``most`` samples), or None."""
    data = None if store is None else store.get(KIND, name)
    if data is None:
        return None
    try:
        noted = Laid.from_bytes(data)
        if noted.frames > most:
            raise ValueError(f"{noted.frames} samples, more than the clip can give ({most})")
    except (ValueError, UnicodeDecodeError) as e:
        log.warning("cached note of a clip %s is damaged (%s); decoding it", name, e)
        return None
    return noted


def _most(clip: KeptClip, settings: MixSettings) -> int:
    """Return the most samples conditioning can make of ``clip``: trimming only takes away."""
    return -(-clip.frames * settings.rate // clip.rate) + 1


def _conditioned(clip: Clip, cue: Cue, settings: MixSettings, spool: Spool) -> Laid:
    """Condition ``clip`` and append it to ``spool``."""
    audio = condition(clip, cue, settings.rate, settings.trim_db, settings.trim_keep_ms)
    digest = clip_digest(clip, settings)
    return Laid(spool.append(audio), len(audio), digest)


def _open(clip: KeptClip) -> Clip:
    """Return a kept clip's samples: those at hand, or its data decoded."""
    if clip.clip is not None:
        return clip.clip
    return _decoded(clip.decode, clip.name, clip.data)


def _decoded(decode: Callable[[bytes], Clip], name: str, data: bytes) -> Clip:
    """Decode a kept clip's ``data``.

    Raises:
        EngineError: it does not decode (it was checked when read: it cannot).
    """
    try:
        return decode(data)
    except ValueError as e:
        raise EngineError(f"cached speech {name[:12]} does not decode: {e}") from e


def _make(
    decode: Callable[[bytes], Clip], name: str, cue: Cue, settings: MixSettings, data: bytes
) -> Float32Array:
    """Make a set-aside clip's conditioned samples from its kept ``data``."""
    clip = _decoded(decode, name, data)
    return condition(clip, cue, settings.rate, settings.trim_db, settings.trim_keep_ms)
