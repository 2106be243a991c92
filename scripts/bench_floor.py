"""The floor a build is measured against: one espeak call on all its text, one MP3 encode.

``python scripts/bench_floor.py TEXTFILE`` runs it as a fresh process (imports and espeak's
start-up included), which is the floor a person's ``polycast build`` is held to; the bench runs
``floor_seconds`` in its own process for the in-process ratios. Nothing here plans or mixes, so
the floor pays only for what every build must do: speak the text and encode the audio.
"""

from __future__ import annotations

import io
import sys
import time
from pathlib import Path

import numpy as np
import soxr

from polycast.encode.mp3 import Mp3Settings, encode_mp3
from polycast.models import Timeline
from polycast.speak.espeak import speak_text


def floor_seconds(text: str) -> tuple[float, float]:
    """One espeak call on all of ``text``, resampled and encoded as a build would: (s, audio s)."""
    started = time.perf_counter()
    clip = speak_text(text, "nl")
    audio = soxr.resample(clip.samples.astype(np.float32) / 32768, clip.rate, 44100, quality="HQ")
    pcm = np.clip(np.rint(audio * 32768), -32768, 32767).astype(np.int16)

    class _Whole:
        def blocks(self, start: int, stop: int):  # type: ignore[no-untyped-def]
            for at in range(start, stop, 1 << 16):
                yield pcm[at : min(stop, at + (1 << 16))]

    encode_mp3(Timeline(_Whole(), len(pcm), 44100, 1, (), ()), io.BytesIO(), Mp3Settings())
    return time.perf_counter() - started, len(pcm) / 44100


if __name__ == "__main__":
    floor_seconds(Path(sys.argv[1]).read_text(encoding="utf-8"))
