"""Make an engine's clip ready to be placed: trimmed to its speech, at the output rate, as floats.

Engines pad their speech with silence of their own (espeak a little, gTTS's MP3 frames more).
Trimming it means the silence between two cues is the cue's ``pause_ms`` whatever the engine
(and no more, but where a run or a part of one starts on the frame grid: ``mix.layout``). The
threshold is relative to the clip's own peak, so a quiet voice is trimmed the same way as a loud
one, and a few milliseconds are kept so no onset or release is cut.
"""

from __future__ import annotations

import warnings

import numpy as np
import numpy.typing as npt
import soxr

from polycast.errors import EngineError
from polycast.models import Clip, Cue

with warnings.catch_warnings():
    # pydub warns at import that ffmpeg is missing (we never ask it to decode anything) and
    # Python 3.11 that audioop is deprecated; neither concerns what we use it for.
    warnings.simplefilter("ignore", RuntimeWarning)
    warnings.simplefilter("ignore", DeprecationWarning)
    from pydub import AudioSegment
    from pydub.silence import detect_leading_silence

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
    with no sound at all gives an empty slice.
    """
    segment = AudioSegment(samples.tobytes(), frame_rate=rate, sample_width=2, channels=1)
    peak = segment.max_dBFS
    if len(samples) == 0 or not np.isfinite(peak):
        return slice(0, 0)
    threshold = peak - trim_db
    lead_ms = detect_leading_silence(segment, silence_threshold=threshold, chunk_size=1)
    if lead_ms >= len(segment):
        return slice(0, 0)
    tail_ms = detect_leading_silence(segment.reverse(), silence_threshold=threshold, chunk_size=1)
    first = max(0, lead_ms - keep_ms) * rate // 1000
    last = len(samples) - max(0, tail_ms - keep_ms) * rate // 1000
    return slice(first, max(first, last))


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
