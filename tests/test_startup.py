"""What a command imports before it does anything: the command line must start fast.

Every command pays for its imports before it can answer; numpy, scipy, the language models, the
HTML parser and the audio libraries take most of a second together. ``--version``, ``--help``
and ``import polycast.cli`` need none of them, so a fresh process running them must not load
them. This checks imports, not seconds: a regression shows here whatever the machine's speed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SHORT = Path(__file__).parent / "data" / "cli" / "short-nl.txt"

HEAVY = ("numpy", "scipy", "lingua", "bs4", "pydub", "mutagen", "soundfile", "soxr", "rich")
"""Packages no command may load just to start; each costs tens of milliseconds or more."""

_PROBE = """
import json, sys
from typer.testing import CliRunner
from polycast.cli import app
args = json.loads(sys.argv[1])
if args is not None:
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
print(json.dumps(sorted(sys.modules)))
"""


def modules_after(args: list[str] | None) -> set[str]:
    """Return every module a fresh Python holds after importing the CLI and running ``args``."""
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(args)],
        capture_output=True,
        text=True,
        check=True,
    )
    return set(json.loads(done.stdout))


def loaded_by(args: list[str] | None) -> set[str]:
    """Return the top-level packages a fresh Python holds after importing the CLI and ``args``."""
    return {name.partition(".")[0] for name in modules_after(args)}


@pytest.mark.parametrize("args", [None, ["--version"], ["--help"]], ids=str)
def test_starting_loads_nothing_heavy(args: list[str] | None) -> None:
    loaded = loaded_by(args)
    assert "polycast" in loaded and "typer" in loaded  # the probe did import the CLI
    assert sorted(loaded & set(HEAVY)) == []


def test_the_real_entry_point_loads_nothing_heavy() -> None:
    """``python -m polycast --help`` as a person runs it: no test runner in between."""
    code = (
        "import runpy, sys; sys.argv = ['polycast', '--help']\n"
        "try:\n    runpy.run_module('polycast', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "print('\\n' + ' '.join(sorted({n.partition('.')[0] for n in sys.modules})))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(done.stdout.strip().splitlines()[-1].split())
    assert "Commands:" in done.stdout
    assert sorted(loaded & set(HEAVY)) == []


def test_polycast_alone_lists_the_commands() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "polycast"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2
    assert "Commands:" in done.stdout and "build" in done.stdout


def test_a_command_still_loads_what_it_needs() -> None:
    """The check can fail: a command that detects languages does load the language models."""
    loaded = loaded_by(["segments", str(SHORT)])
    assert "lingua" in loaded
    assert "emoji" not in loaded  # a dash is not an emoji: the library is not asked


def test_a_plain_text_article_is_read_without_the_html_parser(tmp_path: Path) -> None:
    """bs4 and html5lib cost as much to import as numpy; a .txt article never needs them."""
    out, cache = str(tmp_path / "out"), str(tmp_path / "cache")
    loaded = loaded_by(["build", str(SHORT), "-o", out, "--cache-dir", cache])
    assert "lameenc" in loaded  # the probe did build the episode
    assert sorted(loaded & {"bs4", "html5lib", "soupsieve"}) == []


def test_an_unchanged_build_copies_the_kept_episode_without_audio_libraries(tmp_path: Path) -> None:
    """A rebuild of an unchanged article takes plan and episode from the cache: no audio made."""
    args = ["build", str(SHORT), "-o", str(tmp_path / "out"), "--cache-dir", str(tmp_path / "c")]
    first, again = loaded_by(args), loaded_by(args)
    assert {"numpy", "lingua", "mutagen"} <= first  # the first build made the audio
    audio = {"numpy", "scipy", "pydub", "soundfile", "soxr", "lameenc"}
    assert sorted(again & (audio | {"pydantic"})) == []  # Typer 0.29 checks options with it
    # Its tags are the same as the last build's, so the tagged MP3 is copied: no tagger, and no
    # language models (the tagger names the language through lingua).
    assert sorted(again & {"mutagen", "lingua"}) == []


_THREADS = """
import os, sys
import polycast.cli
import numpy
print(os.environ.get("OPENBLAS_NUM_THREADS"), len(os.listdir("/proc/self/task")))
"""


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="counts threads in /proc")
def test_the_command_line_keeps_numpy_to_one_thread() -> None:
    """OpenBLAS's idle threads spin after each matrix product; the CLI asks numpy for none."""
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    done = subprocess.run(
        [sys.executable, "-c", _THREADS], capture_output=True, text=True, check=True, env=env
    )
    assert done.stdout.split() == ["1", "1"]  # the setting, and the one thread it leaves
    mine = subprocess.run(
        [sys.executable, "-c", _THREADS],
        capture_output=True,
        text=True,
        check=True,
        env={**env, "OPENBLAS_NUM_THREADS": "3"},
    )
    assert mine.stdout.split()[0] == "3"  # a person's own setting is kept


def test_a_preview_from_a_kept_plan_loads_no_planner(tmp_path: Path) -> None:
    """A preview after a build takes the plan from the cache: no detector, no splitter."""
    cache = ["--cache-dir", str(tmp_path / "c")]
    build = ["build", str(SHORT), "-o", str(tmp_path / "out"), *cache]
    preview = ["preview", str(SHORT), "0", "-o", str(tmp_path / "p.mp3"), *cache]
    built, previewed = modules_after(build), modules_after(preview)
    planner = {"polycast.plan.cues", "polycast.plan.language", "polycast.plan.sentences"}
    assert planner <= built  # the build did plan
    assert "lameenc" in previewed  # the preview did encode
    unneeded = {"importlib.metadata", "multiprocessing", "concurrent.futures.process"}
    assert sorted(previewed & (planner | unneeded)) == []


_MADE = """
import json
import typer.main
from typer import _click as click
from polycast.cli import app
group = typer.main.get_command(app)
ctx = click.Context(group)
before = sorted(group.commands)
preview = group.get_command(ctx, "preview")
after = sorted(group.commands)
build = group.get_command(ctx, "build")
print(json.dumps([before, preview.name, after, build.name, sorted(group.commands)]))
"""


def test_a_command_makes_only_itself() -> None:
    """``preview`` shares its module with ``build``, but only the command asked for is made."""
    done = subprocess.run([sys.executable, "-c", _MADE], capture_output=True, text=True, check=True)
    before, preview, after, build, last = json.loads(done.stdout)
    assert before == []
    assert (preview, after) == ("preview", ["preview"])
    assert (build, last) == ("build", ["build", "preview"])
