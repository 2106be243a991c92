"""Benchmark whole builds of the example article: floor, cold, warm, edited, longer, preview.

Each ``bench_*`` function returns a dict of named numbers for ``scripts/bench.py``. Builds run in
this process with a fresh cache folder per cold build, after one build that loads every model
(reported apart as ``first_build_s``), so the cold numbers measure the pipeline, not imports.
Memory and preview are measured in fresh processes, as a user would run them.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench_child import in_child, peak_rss_mb
from bench_floor import floor_seconds
from polycast import pipeline
from polycast.config import Config
from polycast.speak import SpeakSettings

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "source" / "loekasjenko-poetin-2021-09.txt"
_SENTENCE_END = re.compile(r"(?<=[^\s\d])([.!?])(?=[’”'\")]*(?:\s|$))")


def numbered_copy(text: str, copy: int) -> str:
    """Return ``text`` with ``copy`` spoken in every sentence, so no cue equals another copy's."""
    if copy == 1:
        return text
    lines = []
    for line in text.splitlines():
        marked, count = _SENTENCE_END.subn(rf" {copy}\1", line)
        lines.append(marked if count or not line.strip() else f"{line} {copy}")
    return "\n".join(lines)


def repeated_article(copies: int) -> str:
    """Return the example ``copies`` times over, every copy's sentences distinct."""
    text = EXAMPLE.read_text(encoding="utf-8")
    return "\n\n".join(numbered_copy(text, k) for k in range(1, copies + 1))


def edited_article() -> str:
    """Return the example with one paragraph changed (a word, and a sentence added)."""
    text = EXAMPLE.read_text(encoding="utf-8")
    old = "gezamenlijke olie- en gasmarkt te komen."
    if old not in text:
        raise SystemExit("the example article changed: update edited_article()")
    return text.replace(old, "gezamenlijke energiemarkt te komen. Dat werd donderdag bekend.")


def _config(cache: Path) -> Config:
    return Config(speak=SpeakSettings(cache=cache))


def _timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def _build(source: Path, cache: Path, out: Path) -> float:
    return _timed(lambda: pipeline.build(source, _config(cache), out))


def spoken_text(source: Path) -> str:
    rundown, _ = pipeline.load_rundown(source, Config())
    return " ".join(cue.text for chapter in rundown.chapters for cue in chapter.cues)


def bench_builds(folder: Path, repeat: int = 2) -> dict[str, float]:
    """Floor, first build, cold and 10x (best of ``repeat``), warm, one-paragraph rebuild."""
    results: dict[str, float] = {"first_build_s": _build(EXAMPLE, folder / "c0", folder / "o0")}
    text = spoken_text(EXAMPLE)
    floors = [floor_seconds(text) for _ in range(repeat)]
    results["floor_s"] = min(f[0] for f in floors)
    results["floor_audio_s"] = floors[0][1]
    cold = [_build(EXAMPLE, folder / f"c{k}", folder / "out") for k in range(1, repeat + 1)]
    results["cold_s"] = min(cold)
    results["warm_s"] = _build(EXAMPLE, folder / "c1", folder / "out")
    edited = folder / "edited" / EXAMPLE.name
    edited.parent.mkdir()
    edited.write_text(edited_article(), encoding="utf-8")
    results["edit_s"] = _build(edited, folder / "c1", folder / "out")
    tenfold = folder / "tenfold" / "example-x10.txt"
    tenfold.parent.mkdir()
    tenfold.write_text(repeated_article(10), encoding="utf-8")
    tenfolds = [_build(tenfold, folder / f"c10-{k}", folder / "out10") for k in range(repeat)]
    results["x10_s"] = min(tenfolds)  # the same statistic as the cold build's
    result = pipeline.build(EXAMPLE, _config(folder / "c1"), folder / "out")
    results["episode_s"] = result.seconds
    results["loudness_lufs"] = result.mix.loudness
    results["true_peak_dbtp"] = result.mix.true_peak
    return results


def fresh_env(pycache: Path) -> dict[str, str]:
    """Environment for a fresh process that keeps compiled bytecode, as an installed package has."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    return env


def _run(args: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, *args], env=env, cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - started


def bench_processes(folder: Path, segment: int = 1) -> dict[str, float]:
    """Fresh processes: import time, a cold CLI build, a preview of ``segment`` from warm cache."""
    env = fresh_env(folder / "pycache")
    cache, out = str(folder / "pc"), str(folder / "pout")
    preview = ["-m", "polycast", "preview", str(EXAMPLE), str(segment), "--cache-dir", cache]
    preview += ["-o", str(folder / "preview.mp3")]
    _run(preview, env)  # compiles the bytecode and fills the cache
    build = ["-m", "polycast", "build", str(EXAMPLE), "-o", out, "--cache-dir"]
    return {
        "python_start_s": min(_run(["-c", "pass"], env) for _ in range(2)),
        "import_cli_s": min(_run(["-c", "import polycast.cli"], env) for _ in range(2)),
        "cold_process_build_s": _run([*build, str(folder / "pc-cold")], env),
        "preview_s": min(_run(preview, env) for _ in range(2)),
    }


def rss_child(source: str) -> dict[str, float]:
    """Build ``source`` in this process with a fresh cache; return its length and peak memory."""
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        started = time.perf_counter()
        result = pipeline.build(Path(source), _config(folder / "cache"), folder / "out")
        elapsed = time.perf_counter() - started
    return {
        "minutes": result.seconds / 60,
        "build_s": elapsed,
        "peak_rss_mb": peak_rss_mb(),
    }


def _child(source: Path) -> dict[str, float]:
    """Run ``rss_child`` in a fresh process, so its peak memory is the build's own."""
    return in_child("bench_build", f"rss_child({str(source)!r})")


def bench_rss(minutes: float = 60.0) -> dict[str, float]:
    """Peak memory of a fresh process building an article of about ``minutes``, end to end.

    The same episode is also built from its rundown (planned beforehand, in another process):
    planning loads the language models, whose memory does not depend on the article's length.
    """
    copies = max(1, round(minutes / 3.85))
    with tempfile.TemporaryDirectory() as name:
        article = Path(name) / "long.txt"
        article.write_text(repeated_article(copies), encoding="utf-8")
        whole = _child(article)
        rundown = article.with_suffix(".toml")
        subprocess.run(
            [sys.executable, "-m", "polycast", "plan", str(article), "-o", str(rundown)],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        planned = _child(rundown)
    return {
        "long_episode_min": whole["minutes"],
        "long_build_s": whole["build_s"],
        "long_peak_rss_mb": whole["peak_rss_mb"],
        "long_from_rundown_peak_rss_mb": planned["peak_rss_mb"],
        "long_from_rundown_build_s": planned["build_s"],
    }


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as where:
        for key, value in bench_builds(Path(where), repeat=1).items():
            print(f"{key:28} {value:10.3f}")
