"""Make an engine's clip ready to be placed: trimmed to its speech, at the output rate, as floats.

Engines pad their speech with silence of their own (espeak a little, gTTS's MP3 frames more).
Trimming it means the silence between two cues is exactly the cue's ``pause_ms`` whatever the
engine. The threshold is relative to the clip's own peak, so a quiet voice is trimmed the same
way as a loud one, and a few milliseconds are kept so no onset or release is cut.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import soxr

from polycast.errors import EngineError
from polycast.models import Clip, Cue

Float32Array = npt.NDArray[np.float32]

FADE_MS = 2.0
"""A raised-cosine fade at both ends of each clip, so a cut through low-level noise never clicks."""

VoiceKey = tuple[str, str | None]
"""A voice's identity for levelling: (language, voice). One engine speaks each language in an
episode, so language and voice name the engine and voice; the speaker (a post's author) does not
change the sound and is not part of it."""


def voice_key(cue: Cue) -> VoiceKey:
    """Return the identity of the voice that speaks ``cue``."""
    return (cue.lang, cue.voice)


def voice_name(key: VoiceKey) -> str:
    """Return a voice identity as text: ``nl`` or ``en/en-us``."""
    lang, voice = key
    return lang if voice is None else f"{lang}/{voice}"


def check_clip(clip: Clip, cue: Cue) -> npt.NDArray[np.int16]:
    """Return the clip's samples after checking they are what the contract promises.

    Raises:
        EngineError: the samples are not mono int16 or the rate is not positive.
    """
    samples = np.asarray(clip.samples)
    if samples.ndim != 1 or samples.dtype != np.int16 or clip.rate <= 0:
        raise EngineError(
            f"audio for {cue.text[:40]!r} is not mono 16-bit PCM "
            f"(shape {samples.shape}, {samples.dtype}, {clip.rate} Hz): "
            "an engine broke its contract"
        )
    return samples


def speech_bounds(samples: npt.NDArray[np.int16], rate: int, trim_db: float, keep_ms: int) -> slice:
    """Return the slice of ``samples`` that holds the speech, plus ``keep_ms`` either side.

    Silence is any millisecond whose RMS lies more than ``trim_db`` below the clip's peak. A clip
    with no sound at all gives an empty slice. The answer is pydub's (``detect_leading_silence``
    with 1 ms chunks, from each end), computed for every millisecond at once.
    """
    top = int(np.abs(samples.astype(np.int32)).max()) if len(samples) else 0
    if top == 0:
        return slice(0, 0)
    loud = _loudest_silent_rms(_db(top) - trim_db)
    length_ms = round(1000 * (len(samples) / rate))
    lead_ms = _silent_ms(samples, rate, length_ms, loud)
    if lead_ms >= length_ms:
        return slice(0, 0)
    tail_ms = _silent_ms(samples[::-1], rate, length_ms, loud)
    first = max(0, lead_ms - keep_ms) * rate // 1000
    last = len(samples) - max(0, tail_ms - keep_ms) * rate // 1000
    return slice(first, max(first, last))


def _db(level: float) -> float:
    """Return a 16-bit level in dBFS, as pydub computes it (the same float, to the last bit)."""
    return 20 * math.log(level / 32768.0, 10)


def _loudest_silent_rms(threshold: float) -> int:
    """Return the largest integer RMS whose level lies under ``threshold`` dBFS (0 if none)."""
    lo, hi = 0, 32768  # RMS 0 is always silent; the level only grows with the RMS
    if _db(hi) < threshold:
        return hi
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if _db(mid) < threshold else (lo, mid)
    return lo


def _silent_ms(samples: npt.NDArray[np.int16], rate: int, length_ms: int, loud: int) -> int:
    """Return how many whole milliseconds at the start are silent: RMS at most ``loud``.

    A millisecond's samples are those pydub slices (``int(ms * rate / 1000.0)`` on), missing ones
    at the very end counted as zeros; its RMS is the integer ``audioop.rms`` gives. The start is
    looked at in growing stretches, as speech seldom waits long.
    """
    done = 0
    stretch = 250
    while done < length_ms:
        upto = min(length_ms, done + stretch)
        ms = np.arange(done, upto + 1, dtype=np.float64)
        edges = (ms * (rate / 1000.0)).astype(np.int64)
        piece = samples[edges[0] : edges[-1]].astype(np.int64)
        energy = np.concatenate([[0], np.cumsum(piece * piece)])
        inside = np.minimum(edges, len(samples)) - edges[0]
        counts = np.maximum(edges[1:] - edges[:-1], 1)
        rms = np.floor(np.sqrt((energy[inside[1:]] - energy[inside[:-1]]) / counts))
        sound = np.flatnonzero(rms > loud)
        if len(sound):
            return done + int(sound[0])
        done, stretch = upto, stretch * 4
    return length_ms


def condition(clip: Clip, cue: Cue, rate: int, trim_db: float, keep_ms: int) -> Float32Array:
    """Trim a clip to its speech and resample it to ``rate`` (band-limited, soxr "HQ").

    Returns:
        Mono float32 samples at ``rate``, full scale 1.0.

    Raises:
        EngineError: the clip is not mono int16 PCM.
    """
    samples = check_clip(clip, cue)
    speech = samples[speech_bounds(samples, clip.rate, trim_db, keep_ms)]
    audio = speech.astype(np.float32) / np.float32(32768)
    if clip.rate != rate and len(audio):
        audio = np.asarray(soxr.resample(audio, clip.rate, rate, quality="HQ"), dtype=np.float32)
    return _fade_ends(audio, rate)


def _fade_ends(audio: Float32Array, rate: int) -> Float32Array:
    """Fade the first and last ``FADE_MS`` in and out (in place on a copy)."""
    n = min(round(rate * FADE_MS / 1000), len(audio) // 2)
    if n < 1:
        return audio
    ramp = (0.5 - 0.5 * np.cos(np.pi * (np.arange(n) + 0.5) / n)).astype(np.float32)
    out = audio.copy()
    out[:n] *= ramp
    out[-n:] *= ramp[::-1]
    return out
