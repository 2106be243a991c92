"""Benchmark the online engines: cues one at a time vs in threads, against local servers.

The endpoint's latency dominates online synthesis (gTTS, edge), so threads should overlap it: with
4 requests in flight, 24 cues take about a quarter of the serial time (target: parallel <= 0.35x
serial). Each engine is timed against its own local server (``tests/gtts_server.py``,
``tests/edge_server.py``), which delays every answer by ``latency_ms``.

Usage: ``uv run python scripts/bench_online.py``; ``bench_gtts()`` and ``bench_edge()`` return the
numbers.
"""

from __future__ import annotations

import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from edge_server import EdgeServer  # the local services live with the tests
from gtts_server import GttsServer, without_proxies
from polycast.speak.base import Engine
from polycast.speak.edge import EdgeEngine
from polycast.speak.gtts import GttsEngine


def _serial_vs_parallel(name: str, engine: Engine, cues: int, cap: int) -> dict[str, float]:
    """Time ``cues`` short cues serially, then from twice ``cap`` threads with ``cap`` in flight."""
    texts = [f"Cue number {i}: a short sentence of the kind an article has." for i in range(cues)]
    engine.synthesize("Warm up.", "en")  # imports and the first connection, outside the times
    started = time.perf_counter()
    for text in texts:
        engine.synthesize(text, "en")
    serial = time.perf_counter() - started
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=2 * cap) as pool:
        list(pool.map(lambda text: engine.synthesize(text, "en"), texts))
    parallel = time.perf_counter() - started
    return {
        f"{name}_serial_s": round(serial, 3),
        f"{name}_parallel_s": round(parallel, 3),
        f"{name}_parallel_ratio": round(parallel / serial, 3),
    }


def bench_gtts(cues: int = 24, latency_ms: float = 200.0, cap: int = 4) -> dict[str, float]:
    """gTTS against its local endpoint: serial and parallel times, ratio, peak in flight."""
    with without_proxies(), GttsServer() as server:
        server.behave(latency_ms=latency_ms)
        engine = GttsEngine(endpoint=server.endpoint, max_in_flight=cap)
        numbers = _serial_vs_parallel("gtts", engine, cues, cap)
        return {**numbers, "gtts_peak_in_flight": server.peak_in_flight}


def bench_edge(cues: int = 24, latency_ms: float = 200.0, cap: int = 4) -> dict[str, float]:
    """edge against its local service: serial and parallel times, ratio, peak in flight."""
    with without_proxies(), EdgeServer() as server:
        server.behave(latency_ms=latency_ms)
        engine = EdgeEngine(endpoint=server.endpoint, max_in_flight=cap)
        numbers = _serial_vs_parallel("edge", engine, cues, cap)
        return {**numbers, "edge_peak_in_flight": server.peak_in_flight}


if __name__ == "__main__":
    for name, value in {**bench_gtts(), **bench_edge()}.items():
        print(f"{name}: {value}")
