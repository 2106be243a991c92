"""Run every benchmark once and print named numbers and their targets, PASS or MISS.

Usage: ``uv run python scripts/bench.py [--quick] [--processes] [--batch]``. Every target is a
ratio of two times taken in the same run (the machine is shared, so absolute times drift);
memory is an absolute budget. ``--quick`` repeats less and builds a 15-minute article instead of
an hour for memory. ``--processes`` runs only the commands as a person runs them (targets P1-P5);
``--batch`` only the batches (B1-B3).

Targets:

1. cold build of the example / floor (one espeak call on all its text plus one MP3 encode of
   that audio at the build's settings): <= 1.2 (issue A), <= 1.0 (issue B)
2. the example ten times over (every sentence distinct) / once, both cold: <= 10.5
3. warm build (unchanged article, cache full) / cold: <= 0.25
4. rebuild after editing one paragraph / cold: <= 0.35
5. gTTS at 200 ms latency, parallel / one at a time: <= 0.35
5E. edge at 200 ms latency, parallel / one at a time: <= 0.35
6. Piper, 1 worker / 2 workers: >= 1.7
7. peak memory building a 60-minute article: <= 200 MB
8. preview of one segment from a warm cache in a fresh process: < 1 s
9. what is spoken of the 91 benchmark web pages (``score_web.py``): F1 >= 0.965, P and R >= 0.95
10. reading and planning a 1 MB page / lxml parsing it: <= 40; a 5 MB page / the 1 MB one: <= 5.5

Beside them, no target: Piper's real-time factor on the example's English cues
(``bench_piper_rtf.py``: seconds of work per second of speech, one worker).

As a person runs it (``bench_process.py``: every command a fresh process, rounds alternating with
the floor as a fresh process, medians of the rounds' ratios):

P1. ``polycast --version`` and ``--help`` / floor: <= 0.08 each
P2. cold build / floor: <= 1.1
P3. warm build (unchanged article) / cold: <= 0.10
P4. rebuild after editing one paragraph / cold: <= 0.35
P5. first preview of a segment whose sentences are cached / floor: <= 0.25
Batches (``bench_batch.py``: 12 corpus articles, every batch a fresh process and a cold cache):

B1. ``--jobs 1`` / ``--jobs 2``, each the fastest of two turns: >= 1.7
B2. a local Dask cluster of two single-threaded workers / ``--jobs 2``, each the fastest of two
    turns: <= 1.15
B3. peak client memory, 200 short articles / 20: <= 1.2

Beside them: ``segments`` / floor, and what ``python -X importtime -c "import polycast.cli"``
says (µs).
"""

from __future__ import annotations

import argparse
import operator
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_batch
import bench_build
import bench_online
import bench_piper_rtf
import bench_process
import bench_speak
import bench_web

Target = tuple[str, str, Callable[[float, float], bool], float]
"""(label, number's name, comparison, bound)."""

TARGETS: list[Target] = [
    ("1A cold / floor", "cold_over_floor", operator.le, 1.2),
    ("1B cold / floor", "cold_over_floor", operator.le, 1.0),
    ("2  x10 / x1", "x10_over_x1", operator.le, 10.5),
    ("3  warm / cold", "warm_over_cold", operator.le, 0.25),
    ("4  edit / cold", "edit_over_cold", operator.le, 0.35),
    ("5  gTTS parallel / serial", "gtts_parallel_ratio", operator.le, 0.35),
    ("5E edge parallel / serial", "edge_parallel_ratio", operator.le, 0.35),
    ("6  Piper 1 / 2 workers", "piper_speedup", operator.ge, 1.7),
    ("7  peak RSS, MB", "long_peak_rss_mb", operator.le, 200.0),
    ("8  preview, s", "preview_s", operator.lt, 1.0),
    ("9  web F1", "web_f1", operator.ge, 0.965),
    ("9  web precision", "web_precision", operator.ge, 0.95),
    ("9  web recall", "web_recall", operator.ge, 0.95),
    ("10 web 1 MB / lxml parse", "web_1mb_over_lxml", operator.le, 40.0),
    ("10 web 5 MB / 1 MB", "web_5mb_over_1mb", operator.le, 5.5),
]
BATCH_TARGETS: list[Target] = [
    ("B1 batch jobs 1 / jobs 2", "batch_jobs1_over_jobs2", operator.ge, 1.7),
    ("B2 batch Dask / jobs 2", "batch_dask_over_jobs2", operator.le, 1.15),
    ("B3 client memory 200 / 20", "batch_client_200_over_20", operator.le, 1.2),
]
PROCESS_TARGETS: list[Target] = [
    ("P1 --version / floor", "process_version_over_floor", operator.le, 0.08),
    ("P1 --help / floor", "process_help_over_floor", operator.le, 0.08),
    ("P2 cold / floor, processes", "process_cold_over_floor", operator.le, 1.1),
    ("P3 warm / cold, processes", "process_warm_over_cold", operator.le, 0.10),
    ("P4 edit / cold, processes", "process_edit_over_cold", operator.le, 0.35),
    ("P5 first preview / floor", "process_preview_over_floor", operator.le, 0.25),
]


def collect_processes(quick: bool) -> dict[str, float]:
    """Run the commands as fresh processes against the floor; return medians and ratios."""
    with tempfile.TemporaryDirectory(prefix="polycast-bench-") as name:
        return bench_process.bench_as_processes(Path(name), rounds=3 if quick else 5)


def collect_batches() -> dict[str, float]:
    """Run the batches: local processes, a local Dask cluster, the client's memory."""
    with tempfile.TemporaryDirectory(prefix="polycast-bench-") as name:
        return bench_batch.bench_batches(Path(name))


def collect(quick: bool) -> dict[str, float]:
    """Run the benchmarks and return every number, ratios included."""
    repeat = 1 if quick else 2
    numbers: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="polycast-bench-") as name:
        folder = Path(name)
        numbers.update(bench_build.bench_builds(folder / "builds", repeat=repeat))
        numbers.update(bench_build.bench_processes(folder / "processes"))
    numbers.update(collect_processes(quick))
    numbers.update(bench_online.bench_gtts(cues=12 if quick else 24))
    numbers.update(bench_online.bench_edge(cues=12 if quick else 24))
    numbers.update(bench_speak.bench_piper_workers(repeat=repeat))
    numbers.update(bench_piper_rtf.bench_piper_rtf(repeat=repeat))
    numbers.update(bench_build.bench_rss(15.0 if quick else 60.0))
    numbers.update(bench_web.bench_score())
    numbers.update(bench_web.bench_linearity(rounds=3 if quick else 5))
    numbers.update(collect_batches())
    cold = numbers["cold_s"]
    numbers["cold_over_floor"] = cold / numbers["floor_s"]
    numbers["x10_over_x1"] = numbers["x10_s"] / cold
    numbers["warm_over_cold"] = numbers["warm_s"] / cold
    numbers["edit_over_cold"] = numbers["edit_s"] / cold
    numbers["first_build_overhead_s"] = numbers["first_build_s"] - cold
    return numbers


def report(numbers: dict[str, float]) -> str:
    """Format the numbers, then the targets (those whose numbers were taken) with PASS or MISS."""
    lines = [f"{name:32} {value:12.3f}" for name, value in numbers.items()]
    lines.append("")
    for label, key, compare, bound in TARGETS + PROCESS_TARGETS + BATCH_TARGETS:
        if key not in numbers:
            continue
        value = numbers[key]
        verdict = "PASS" if compare(value, bound) else "MISS"
        sign = {operator.le: "<=", operator.ge: ">=", operator.lt: "<"}[compare]
        lines.append(f"{label:30} {value:9.3f}  {sign} {bound:<6g} {verdict}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one repeat, 15-minute memory run")
    parser.add_argument(
        "--processes", action="store_true", help="only the commands as fresh processes (P1-P5)"
    )
    parser.add_argument("--batch", action="store_true", help="only the batches (B1-B3)")
    args = parser.parse_args()
    if args.batch:
        numbers = collect_batches()
    else:
        numbers = collect_processes(args.quick) if args.processes else collect(args.quick)
    print(report(numbers))


if __name__ == "__main__":  # speech worker processes import this module: keep the guard
    main()
