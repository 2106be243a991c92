"""Benchmark: edge cues one at a time vs in threads, against the local server with real latency.

Every exchange waits on the service (the local server delays each answer by ``latency_ms``), so
threads should overlap the waits: with 4 exchanges in flight, 24 cues take about a quarter of the
serial time (target: parallel <= 0.35x serial).

Usage: ``uv run python scripts/bench_edge.py``; ``bench_edge()`` returns the numbers.
"""

from __future__ import annotations

import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from edge_server import EdgeServer  # the local service lives with the tests
from gtts_server import without_proxies
from polycast.speak.edge import EdgeEngine


def bench_edge(cues: int = 24, latency_ms: float = 200.0, cap: int = 4) -> dict[str, float]:
    """Time ``cues`` short cues serially, then from twice ``cap`` threads with ``cap`` in flight."""
    texts = [f"Cue number {i}: a short sentence of the kind an article has." for i in range(cues)]
    with without_proxies(), EdgeServer() as server:
        server.behave(latency_ms=latency_ms)
        engine = EdgeEngine(endpoint=server.endpoint, max_in_flight=cap)
        engine.synthesize("Warm up.", "en")  # imports and the first connection, outside the times
        started = time.perf_counter()
        for text in texts:
            engine.synthesize(text, "en")
        serial = time.perf_counter() - started
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=2 * cap) as pool:
            list(pool.map(lambda text: engine.synthesize(text, "en"), texts))
        parallel = time.perf_counter() - started
        peak = server.peak_in_flight
    return {
        "edge_serial_s": round(serial, 3),
        "edge_parallel_s": round(parallel, 3),
        "edge_parallel_ratio": round(parallel / serial, 3),
        "edge_peak_in_flight": peak,
    }


if __name__ == "__main__":
    for name, value in bench_edge().items():
        print(f"{name}: {value}")
