"""Measurements on a decoded episode, made independently of polycast's own meters.

Loudness is pyloudnorm's BS.1770 meter; true peak is scipy's polyphase 4x oversampling; silences
and cue times come from the audio and the WebVTT file, so a test compares what a listener hears
with what the companions promise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

_VTT_TIME = re.compile(r"(\d+):(\d\d):(\d\d)\.(\d{3}) --> (\d+):(\d\d):(\d\d)\.(\d{3})")


@dataclass(frozen=True)
class Span:
    """A stretch of the episode, in seconds."""

    start: float
    end: float

    @property
    def seconds(self) -> float:
        return self.end - self.start


def as_float(samples: npt.NDArray[np.int16], channels: int) -> FloatArray:
    """Interleaved int16 to (frames, channels) floats in [-1, 1)."""
    return samples.reshape(-1, channels).astype(np.float64) / 32768.0


def loudness(audio: FloatArray, rate: int) -> float:
    """Integrated loudness in LUFS (pyloudnorm, BS.1770-4)."""
    import pyloudnorm  # here, not above: with scipy.signal it is a second of every collection

    return float(pyloudnorm.Meter(rate).integrated_loudness(audio))


def true_peak(audio: FloatArray) -> float:
    """True peak in dBTP: the sample peak of the signal oversampled 4x (BS.1770-4 Annex 2)."""
    import scipy.signal

    up = scipy.signal.resample_poly(audio, 4, 1, axis=0)
    return float(20 * np.log10(np.abs(up).max()))


def rms_db(audio: FloatArray) -> float:
    """RMS level of all channels together, in dBFS."""
    return float(10 * np.log10(np.mean(audio**2) + 1e-20))


def silences(
    audio: FloatArray, rate: int, floor_db: float = -60.0, min_ms: int = 120
) -> list[Span]:
    """Find stretches at least ``min_ms`` long whose 5 ms windows stay under ``floor_db`` RMS."""
    mono = audio.mean(axis=1)
    step = rate // 200
    frames = len(mono) // step
    windows = mono[: frames * step].reshape(frames, step)
    quiet = 10 * np.log10(np.mean(windows**2, axis=1) + 1e-20) < floor_db
    found = []
    start = None
    for index, silent in enumerate([*quiet, False]):
        if silent and start is None:
            start = index
        elif not silent and start is not None:
            if (index - start) * 5 >= min_ms:
                found.append(Span(start * step / rate, index * step / rate))
            start = None
    return found


def vtt_spans(path: Path) -> list[Span]:
    """Read every cue's time span from a WebVTT file."""
    spans = []
    for match in _VTT_TIME.finditer(path.read_text(encoding="utf-8")):
        h1, m1, s1, ms1, h2, m2, s2, ms2 = map(int, match.groups())
        spans.append(
            Span(h1 * 3600 + m1 * 60 + s1 + ms1 / 1000, h2 * 3600 + m2 * 60 + s2 + ms2 / 1000)
        )
    return spans


def cut(audio: FloatArray, rate: int, span: Span) -> FloatArray:
    """The frames of ``audio`` inside ``span``."""
    return audio[round(span.start * rate) : round(span.end * rate)]


def correlation(a: FloatArray, b: FloatArray) -> float:
    """Pearson correlation of two equally long mono signals (1: the same up to level)."""
    return float(np.corrcoef(a, b)[0, 1])
