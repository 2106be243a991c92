"""Benchmark the mix stage on a long synthetic episode: time per pass and peak memory.

Usage: ``uv run python scripts/bench_mix.py [minutes]`` (default 60). ``bench_mix(minutes)`` runs
the episode in a fresh subprocess (so the peak memory is the mix's own, not the caller's) and
returns a dict of named numbers. The episode: speech-like clips at 22050 Hz (espeak's rate) with
engine silence at the ends, two voices 20 dB apart, pauses as the planner makes them, a chapter
every 20 cues; after the mix, the whole timeline is streamed as an encoder would.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path

from bench_child import in_child, peak_rss_mb

ROOT = Path(__file__).resolve().parent.parent
CLIP_RATE = 22050


def _clips(count: int) -> Iterator[object]:
    """Yield ``count`` fresh clips, cycling through a few synthetic sentences."""
    sys.path.insert(0, str(ROOT / "tests"))
    from speechlike import speech, to_clip

    bank = [
        to_clip(
            speech(3.0 + i % 4, CLIP_RATE, level_db=-16 - 20 * (i % 2), seed=i, pad_ms=(50, 200)),
            CLIP_RATE,
        )
        for i in range(12)
    ]
    for n in range(count):
        clip = bank[n % len(bank)]
        yield type(clip)(clip.samples.copy(), clip.rate)  # a new array each time, as engines do


def _child(minutes: float, rate: int, channels: int) -> dict[str, float]:
    """Mix and stream one long episode in this process; return timings and peak memory."""
    from polycast.mix import MixSettings, mix
    from polycast.models import Chapter, Cue, Rundown

    baseline = peak_rss_mb()
    seconds_per_cue = 4.5 + 0.6  # average clip after trimming, plus average pause
    count = int(minutes * 60 / seconds_per_cue)
    cues = [
        Cue(f"cue {i}", "nl" if i % 2 == 0 else "en", segment=i, pause_ms=[250, 600, 900][i % 3])
        for i in range(count)
    ]
    chapters = tuple(Chapter(f"chapter {k}", tuple(cues[k : k + 20])) for k in range(0, count, 20))
    rundown = Rundown(chapters, "bench", "nl")
    started = time.perf_counter()
    timeline, report = mix(rundown, _clips(count), MixSettings(rate=rate, channels=channels))
    mixed = time.perf_counter()
    frames = 0
    for block in timeline.blocks():
        frames += len(block)
    streamed = time.perf_counter()
    return {
        "episode_minutes": timeline.seconds / 60,
        "cues": count,
        "mix_seconds": mixed - started,
        "stream_seconds": streamed - mixed,
        "realtime_factor": timeline.seconds / (mixed - started),
        "loudness_lufs": report.loudness,
        "true_peak_dbtp": report.true_peak,
        "limited": float(report.limited),
        "frames_streamed": frames / channels,
        "baseline_rss_mb": baseline,
        "peak_rss_mb": peak_rss_mb(),
    }


def bench_mix(minutes: float = 60.0, rate: int = 44100, channels: int = 1) -> dict[str, float]:
    """Run the long-episode benchmark in a subprocess and return its numbers."""
    return in_child("bench_mix", f"_child({minutes}, {rate}, {channels})")


if __name__ == "__main__":
    length = float(sys.argv[1]) if len(sys.argv) > 1 else 60.0
    numbers = bench_mix(length)
    for name, value in numbers.items():
        print(f"{name:>18}: {value:.2f}" if isinstance(value, float) else f"{name}: {value}")
    if numbers["peak_rss_mb"] > 200.0:
        sys.exit("peak memory above the 200 MB budget")
