"""Trimming a clip to its speech: the same bounds pydub's silence detection finds, to the sample.

``speech_bounds`` once asked pydub, one millisecond at a time in Python; it now computes every
millisecond at once with numpy. pydub stays as the reference it is checked against here.
"""

from __future__ import annotations

import warnings

import numpy as np
import numpy.typing as npt
import pytest

from polycast.mix.condition import speech_bounds

with warnings.catch_warnings():
    warnings.simplefilter("ignore", RuntimeWarning)  # no ffmpeg: nothing is decoded here
    warnings.simplefilter("ignore", DeprecationWarning)  # audioop, on Python 3.11 and 3.12
    from pydub import AudioSegment
    from pydub.silence import detect_leading_silence


def pydub_bounds(samples: npt.NDArray[np.int16], rate: int, trim_db: float, keep_ms: int) -> slice:
    """What ``speech_bounds`` computed when it asked pydub."""
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


def clip(seed: int, rate: int) -> npt.NDArray[np.int16]:
    """Speech-like noise bursts between stretches of near-silence, of odd lengths."""
    rng = np.random.default_rng(seed)
    parts = []
    for _ in range(int(rng.integers(1, 4))):
        quiet = rng.integers(0, rate // 3)
        parts.append(rng.normal(0, rng.choice([0.0, 0.5, 3.0, 40.0]), quiet))
        loud = rng.integers(1, rate // 2)
        parts.append(rng.normal(0, rng.uniform(100, 12000), loud) * np.hanning(loud))
    parts.append(rng.normal(0, rng.choice([0.0, 2.0]), rng.integers(0, rate // 4)))
    return np.clip(np.rint(np.concatenate(parts)), -32768, 32767).astype(np.int16)


@pytest.mark.parametrize("rate", [16000, 22050, 24000, 44100])
@pytest.mark.parametrize("seed", range(12))
def test_the_bounds_are_pydubs(rate: int, seed: int) -> None:
    samples = clip(seed, rate)
    for trim_db, keep_ms in [(40.0, 20), (25.5, 0), (60.0, 5)]:
        expected = pydub_bounds(samples, rate, trim_db, keep_ms)
        assert speech_bounds(samples, rate, trim_db, keep_ms) == expected


@pytest.mark.parametrize(
    "samples",
    [
        np.zeros(0, np.int16),
        np.zeros(1000, np.int16),
        np.array([0, 0, -32768, 0, 0], np.int16),
        np.array([5], np.int16),
        np.full(22050, 32767, np.int16),
        np.concatenate(
            [np.zeros(333, np.int16), np.full(7, -1, np.int16), np.zeros(500, np.int16)]
        ),
    ],
    ids=["empty", "silent", "one-full-scale-sample", "one-sample", "all-loud", "a-whisper"],
)
def test_edge_cases_are_pydubs(samples: npt.NDArray[np.int16]) -> None:
    for rate in (22050, 44100):
        assert speech_bounds(samples, rate, 40.0, 20) == pydub_bounds(samples, rate, 40.0, 20)
