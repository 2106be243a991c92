"""The show's music: stings before and after the speech, and a bed ducked under it.

Assets are small files (``audio/`` holds license-clean ones made by ``scripts/make_audio.py``)
read once, mixed down to mono and resampled to the output rate. The bed loops from the start of
each stretch it plays in, fades in and out at the stretch's ends, and drops by ``duck_db`` while
anyone speaks, like a sidechain compressor but with foresight: it starts going down a little
before a cue begins and comes back up after the cue ends, on raised-cosine ramps.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import soundfile
import soxr

from polycast.errors import ConfigError
from polycast.inputs import read_bounded
from polycast.mix.settings import MixSettings, check_music, music_cap, unreadable_music

Float32Array = npt.NDArray[np.float32]
FloatArray = npt.NDArray[np.float64]

FADE_IN_MS = 1000
"""Bed fade-in at the start of each stretch."""
FADE_OUT_MS = 2000
"""Bed fade-out at the end of each stretch."""
ATTACK_MS = 250
"""The bed starts ducking this long before a cue."""
RELEASE_MS = 600
"""...and recovers over this long after it."""


@dataclass(frozen=True, eq=False)
class Music:
    """Stings and bed as loaded: mono float32 at the output rate, at their own level."""

    sting: Float32Array | None = None
    """Played before the first cue and after the last."""
    bed: Float32Array | None = None
    """Looped under the bed's stretches."""


def load_music(settings: MixSettings) -> Music:
    """Read the sting and bed that ``settings`` name (the stage's only file reads besides temp).

    Raises:
        ConfigError: a file is missing, unreadable, not audio, or too short to use.
    """
    check_music(settings)
    sting = _load(settings.sting, "sting", settings) if settings.sting else None
    bed = _load(settings.bed, "bed", settings) if settings.bed else None
    return Music(sting, bed)


def _load(path: Path, what: str, settings: MixSettings) -> Float32Array:
    """Read one asset as mono float32 at the output rate, reading no more than the cap."""
    rate = settings.rate
    try:
        raw = read_bounded(path, music_cap(settings), what, ConfigError, "mix.max_music_mb")
    except ConfigError as e:
        raise unreadable_music(what, e) from e
    try:
        data, source_rate = soundfile.read(io.BytesIO(raw), dtype="float32", always_2d=True)
    except (OSError, RuntimeError, soundfile.LibsndfileError) as e:
        raise ConfigError(f"cannot read the {what} {path}: {e}; check mix.{what}") from e
    mono = np.ascontiguousarray(data.mean(axis=1), dtype=np.float32)
    if len(mono) < source_rate // 10 or not np.any(mono):
        raise ConfigError(f"the {what} {path} is silent or shorter than 0.1 s")
    if source_rate != rate:
        mono = np.asarray(soxr.resample(mono, source_rate, rate, quality="HQ"), dtype=np.float32)
    return mono


def _ramp(t: FloatArray) -> FloatArray:
    """Raised-cosine rise from 0 at ``t <= 0`` to 1 at ``t >= 1``."""
    return np.asarray(0.5 - 0.5 * np.cos(np.pi * np.clip(t, 0.0, 1.0)))


@dataclass(frozen=True, eq=False)
class Score:
    """The music placed on the timeline, at its final level relative to the speech."""

    rate: int
    """Samples per second."""
    sting: Float32Array | None
    """The sting, scaled."""
    sting_at: tuple[int, ...]
    """Where each sting starts."""
    bed: Float32Array | None
    """The bed loop, scaled."""
    bed_spans: tuple[tuple[int, int], ...]
    """Stretches ``[start, stop)`` the bed plays in."""
    speech: npt.NDArray[np.int64]
    """Start and end of every cue's speech, shape (cues, 2), in time order (for ducking)."""
    duck: float
    """Bed gain under speech, linear."""

    def add_to(self, out: FloatArray, start: int) -> None:
        """Add the music for samples ``[start, start + len(out))`` into ``out``."""
        stop = start + len(out)
        if self.sting is not None:
            for at in self.sting_at:
                lo, hi = max(start, at), min(stop, at + len(self.sting))
                if lo < hi:
                    out[lo - start : hi - start] += self.sting[lo - at : hi - at]
        if self.bed is not None:
            for span in self.bed_spans:
                lo, hi = max(start, span[0]), min(stop, span[1])
                if lo < hi:
                    out[lo - start : hi - start] += self._bed(self.bed, span, lo, hi)

    def _bed(self, bed: Float32Array, span: tuple[int, int], lo: int, hi: int) -> FloatArray:
        """Return the bed for ``[lo, hi)`` inside ``span``: looped, faded and ducked."""
        n = np.arange(lo, hi, dtype=np.int64)
        loop = bed[(n - span[0]) % len(bed)].astype(np.float64)
        length = span[1] - span[0]
        fade_in = max(1, min(self.rate * FADE_IN_MS // 1000, length // 2))
        fade_out = max(1, min(self.rate * FADE_OUT_MS // 1000, length // 2))
        gain = _ramp((n - span[0]) / fade_in) * _ramp((span[1] - n) / fade_out)
        return np.asarray(loop * gain * self._ducking(n))

    def _ducking(self, n: npt.NDArray[np.int64]) -> FloatArray:
        """Return the bed's gain over samples ``n`` (consecutive): 1, or ``duck`` under speech."""
        attack = self.rate * ATTACK_MS // 1000
        release = self.rate * RELEASE_MS // 1000
        lo, hi = int(n[0]), int(n[-1]) + 1
        first = int(np.searchsorted(self.speech[:, 1], lo - release, side="right"))
        last = int(np.searchsorted(self.speech[:, 0], hi + attack, side="left"))
        cover = np.zeros(len(n))
        for s, e in self.speech[first:last]:
            if e <= s:
                continue
            shape = np.minimum(
                _ramp((n - (s - attack)) / attack), _ramp((e + release - n) / release)
            )
            np.maximum(cover, shape, out=cover)
        return np.asarray(1.0 - (1.0 - self.duck) * cover)
