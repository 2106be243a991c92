"""Speech-like test signals for the mix tests: voiced syllables on a wandering pitch.

Real engine audio is the better test where it is available; these signals stand in where a test
needs exact control: known levels, known lengths, engine-like silence at both ends.
"""

from __future__ import annotations

import functools

import numpy as np
import numpy.typing as npt

from polycast.models import Clip


def speech(
    seconds: float,
    rate: int = 22050,
    *,
    level_db: float = -20.0,
    seed: int = 0,
    pitch: float = 140.0,
    pad_ms: tuple[int, int] = (0, 0),
) -> npt.NDArray[np.float64]:
    """Return mono float speech-like audio: harmonics under a 4 Hz syllable envelope.

    ``level_db`` sets the RMS of the voiced part (dBFS); ``pad_ms`` adds silence before and after,
    as engines do. Each call gets an array of its own, to change as it likes.
    """
    return _speech(seconds, rate, level_db=level_db, seed=seed, pitch=pitch, pad_ms=pad_ms).copy()


@functools.lru_cache(maxsize=32)
def _speech(
    seconds: float, rate: int, *, level_db: float, seed: int, pitch: float, pad_ms: tuple[int, int]
) -> npt.NDArray[np.float64]:
    """Make ``speech``'s signal (kept: the loudness tests ask for the same few many times)."""
    rng = np.random.default_rng(seed)
    n = int(seconds * rate)
    t = np.arange(n) / rate
    f0 = pitch * (1 + 0.08 * np.sin(2 * np.pi * 0.7 * t + rng.uniform(0, 6)))
    phase = 2 * np.pi * np.cumsum(f0) / rate
    voiced = sum(
        np.sin(k * phase + rng.uniform(0, 6)) / k for k in range(1, 30) if k * 4000 < rate * 2
    )
    syllables = 0.2 + 0.8 * np.clip(np.sin(2 * np.pi * 4.0 * t + rng.uniform(0, 6)), 0, None) ** 0.7
    signal = voiced * syllables + 0.02 * rng.standard_normal(n) * syllables
    edge = min(n // 2, rate // 100)
    if edge:
        ramp = np.linspace(0, 1, edge)
        signal[:edge] *= ramp
        signal[-edge:] *= ramp[::-1]
    rms = np.sqrt(np.mean(signal**2)) if n else 1.0
    signal = signal * (10 ** (level_db / 20) / rms)
    before = np.zeros(rate * pad_ms[0] // 1000)
    after = np.zeros(rate * pad_ms[1] // 1000)
    return np.concatenate([before, signal, after])


def to_clip(audio: npt.NDArray[np.float64], rate: int) -> Clip:
    """Return ``audio`` as an int16 engine clip."""
    pcm = np.clip(np.rint(audio * 32768), -32768, 32767).astype(np.int16)
    return Clip(pcm, rate)
