"""Benchmark polycast as a person runs it: every command a fresh process, against a fresh floor.

The in-process builds (``bench_build.bench_builds``) leave out what a person waits for on every
command: starting Python, importing polycast, loading the language models. Here each round runs
the floor (``bench_floor.py``, a fresh process) and then each command as its own fresh process,
so a ratio compares two times taken seconds apart on the same busy machine. Each figure is the
median over the rounds; each ratio is the median of the rounds' own ratios.

Per round, with a cache folder of its own: ``--version``, ``--help``, a cold build, a warm build
(unchanged article), the first preview of a segment (its sentences cached by the build), a
rebuild after editing one paragraph, and ``segments`` (reading and planning, nothing spoken).
"""

from __future__ import annotations

import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench_build import EXAMPLE, ROOT, edited_article, fresh_env
from bench_build import spoken_text as example_text

FLOOR = Path(__file__).resolve().parent / "bench_floor.py"
_IMPORTTIME = re.compile(r"import time:\s+\d+ \|\s+(\d+) \| polycast\.cli$", re.MULTILINE)


def _polycast() -> list[str]:
    """The installed ``polycast`` script, as a person runs it (``python -m`` if there is none)."""
    script = shutil.which("polycast", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "polycast"]


def _cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _run(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run a fresh process; return its wall-clock and CPU seconds (CPU drifts less with load)."""
    started, cpu = time.perf_counter(), _cpu()
    subprocess.run(args, env=env, cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - started, _cpu() - cpu


def import_cli_us(env: dict[str, str]) -> float:
    """What ``python -X importtime -c "import polycast.cli"`` gives for the CLI, in µs."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import polycast.cli"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    found = _IMPORTTIME.search(done.stderr)
    if found is None:
        raise SystemExit("no 'polycast.cli' line in python -X importtime's output")
    return float(found.group(1))


def _round(folder: Path, env: dict[str, str], text: Path, edited: Path) -> dict[str, float]:
    """One round: the floor, then every command once, each a fresh process (wall, CPU s)."""
    times = _commands(folder, env, text, edited)
    numbers = {name: wall for name, (wall, _) in times.items()}
    numbers.update({f"{name}_cpu": cpu for name, (_, cpu) in times.items()})
    numbers["import_cli_us"] = import_cli_us(env)
    return numbers


def _commands(
    folder: Path, env: dict[str, str], text: Path, edited: Path
) -> dict[str, tuple[float, float]]:
    """Run the floor and every command once, in this order, each as a fresh process."""
    cli = _polycast()
    cache, out = ["--cache-dir", str(folder / "cache")], ["-o", str(folder / "out")]
    build = [*cli, "build", str(EXAMPLE), *out, *cache]
    preview = [*cli, "preview", str(EXAMPLE), "1", *cache, "-o", str(folder / "preview.mp3")]
    return {
        "floor": _run([sys.executable, str(FLOOR), str(text)], env),
        "version": _run([*cli, "--version"], env),
        "help": _run([*cli, "--help"], env),
        "cold": _run(build, env),
        "warm": _run(build, env),
        "preview": _run(preview, env),
        "edit": _run([*cli, "build", str(edited), *out, *cache], env),
        "segments": _run([*cli, "segments", str(EXAMPLE)], env),
    }


RATIOS = {
    "version": "floor",
    "help": "floor",
    "cold": "floor",
    "warm": "cold",
    "edit": "cold",
    "preview": "floor",
    "segments": "floor",
}
"""Each process figure's ratio: the figure over the one it is held against, in the same round."""


def _key(name: str) -> str:
    """``cold`` -> ``process_cold_s``, ``cold_cpu`` -> ``process_cold_cpu_s``; µs as they are."""
    return name if name.endswith("_us") else f"process_{name}_s"


def bench_as_processes(folder: Path, rounds: int = 5) -> dict[str, float]:
    """Every command as a fresh process, ``rounds`` times alternating with the floor; medians."""
    env = fresh_env(folder / "pycache")
    text = folder / "spoken.txt"
    text.write_text(example_text(EXAMPLE), encoding="utf-8")
    edited = folder / "edited" / EXAMPLE.name
    edited.parent.mkdir(parents=True)
    edited.write_text(edited_article(), encoding="utf-8")
    _round(folder / "warm-up", env, text, edited)  # compiles the bytecode, as an install does
    runs = [_round(folder / f"round{k}", env, text, edited) for k in range(rounds)]
    numbers: dict[str, float] = {}
    for name in runs[0]:
        numbers[_key(name)] = statistics.median(run[name] for run in runs)
    for name, against in RATIOS.items():
        ratios = [run[name] / run[against] for run in runs]
        numbers[f"process_{name}_over_{against}"] = statistics.median(ratios)
        cpu = [run[f"{name}_cpu"] / run[f"{against}_cpu"] for run in runs]
        numbers[f"process_{name}_over_{against}_cpu"] = statistics.median(cpu)
    return numbers


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory(prefix="polycast-bench-") as where:
        count = int(sys.argv[1]) if len(sys.argv) > 1 else 3
        for key, value in bench_as_processes(Path(where), count).items():
            print(f"{key:32} {value:12.3f}")
