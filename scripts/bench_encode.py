"""Time MP3 encoding: 60 s and 600 s of speech-like audio, 64 kb/s mono, LAME quality 5.

``bench_encode()`` returns named numbers (seconds, times real time, parallel speed-up) for
``scripts/bench.py``; run this file alone to print them. Single pass and ``workers=2`` are timed
in the same run, so their ratio holds on a busy machine better than either time alone.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import numpy.typing as npt

from polycast.encode.mp3 import EncodeReport, Mp3Settings, encode_mp3
from polycast.models import Timeline

RATE = 44100


def speech_like(seconds: float, seed: int = 0) -> npt.NDArray[np.int16]:
    """Mono int16 audio with a voice's rhythm: a gliding pitch, syllables, pauses, some hiss."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * RATE)) / RATE
    f0 = 130 * (1 + 0.1 * np.sin(2 * np.pi * 0.6 * t))
    phase = 2 * np.pi * np.cumsum(f0) / RATE
    voice = sum(np.sin(k * phase) * np.exp(-((((k * 130) - 700) / 400) ** 2)) for k in range(1, 16))
    syllables = np.clip(np.sin(2 * np.pi * 3.7 * t), 0, None) ** 0.6
    hiss = 0.1 * rng.standard_normal(len(t)) * (np.sin(2 * np.pi * 1.1 * t) > 0.85)
    mono = (voice * syllables + hiss) * ((t % 2.9) < 2.4)
    return (mono / np.max(np.abs(mono)) * 12000).astype(np.int16)


class _Repeat:
    """A PcmSource that plays a short clip over and over, in 4096-sample blocks."""

    def __init__(self, clip: npt.NDArray[np.int16]) -> None:
        self.clip = clip

    def blocks(self, start: int, stop: int) -> Iterator[npt.NDArray[np.int16]]:
        for at in range(start, stop, 4096):
            index = np.arange(at, min(stop, at + 4096)) % len(self.clip)
            yield self.clip[index]


def _time(timeline: Timeline, folder: Path, workers: int) -> tuple[float, EncodeReport]:
    with (folder / f"bench-{workers}.mp3").open("wb") as out:
        started = time.perf_counter()
        report = encode_mp3(timeline, out, Mp3Settings(bitrate=64, quality=5), workers=workers)
        return time.perf_counter() - started, report


def bench_encode(lengths: tuple[int, ...] = (60, 600)) -> dict[str, float]:
    """Encode each length once single-pass and once with two workers; return the timings."""
    clip = speech_like(20)
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        _time(Timeline(_Repeat(clip), RATE, RATE, 1, (), ()), Path(folder), 1)  # warm up
        for seconds in lengths:
            timeline = Timeline(_Repeat(clip), seconds * RATE, RATE, 1, (), ())
            single, _ = _time(timeline, Path(folder), 1)
            parallel, report = _time(timeline, Path(folder), 2)
            results[f"encode_{seconds}s_single_s"] = round(single, 3)
            results[f"encode_{seconds}s_workers2_s"] = round(parallel, 3)
            results[f"encode_{seconds}s_realtime_x"] = round(seconds / single, 1)
            results[f"encode_{seconds}s_speedup_workers2"] = round(single / parallel, 2)
            results[f"encode_{seconds}s_joins"] = len(report.joins)
    return results


if __name__ == "__main__":
    for name, value in bench_encode().items():
        print(f"{name:40} {value}")
