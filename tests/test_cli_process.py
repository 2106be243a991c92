"""A polycast run forked from the zygote answers as a fresh ``python -m polycast`` does."""

from __future__ import annotations

import http.client
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import cli_process

SHORT = Path(__file__).parent / "data" / "cli" / "short-nl.txt"


def both(args: list[str], cwd: Path) -> tuple[tuple[int, str, str], tuple[int, str, str]]:
    """Run ``polycast ARGS`` forked and fresh; return each one's exit code, stdout and stderr."""
    answers = []
    for start in (cli_process.Popen, subprocess.Popen):
        with start(
            [*cli_process.COMMAND, *args],
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        ) as process:
            out, err = process.communicate(timeout=120)
        answers.append((process.returncode, out, err))
    return answers[0], answers[1]


@pytest.mark.parametrize(
    "args",
    [
        ["--version"],
        ["build", "missing.txt"],
        ["build", "short-nl.txt", "--bitrate", "65"],
        ["segments", "short-nl.txt", "--json"],
        [],
    ],
    ids=" ".join,
)
def test_a_forked_run_answers_as_a_fresh_one(args: list[str], tmp_path: Path) -> None:
    (tmp_path / "short-nl.txt").write_bytes(SHORT.read_bytes())
    forked, fresh = both(args, tmp_path)
    assert forked == fresh
    assert (forked[0] == 0) == (args in (["--version"], ["segments", "short-nl.txt", "--json"]))


def test_a_forked_run_is_a_process_of_its_own_that_signals_reach(tmp_path: Path) -> None:
    process = cli_process.Popen(
        [*cli_process.COMMAND, "serve", str(tmp_path), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.pid not in (os.getpid(), os.getppid())
    assert process.stdout is not None
    port = re.findall(r":(\d+)/", process.stdout.readline())[0]
    connection = http.client.HTTPConnection("127.0.0.1", int(port), timeout=120)
    connection.request("GET", "/missing.mp3")  # answered: it serves, and Ctrl-C stops it cleanly
    assert connection.getresponse().status == 404
    connection.close()
    assert process.poll() is None
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=120)
    assert (process.returncode, out) == (0, "stopped\n"), err
    assert err.startswith("127.0.0.1 GET /missing.mp3 404 ") and err.count("\n") == 1
    killed = cli_process.Popen([*cli_process.COMMAND, "serve", str(tmp_path), "--port", "0"])
    killed.kill()
    assert killed.wait(timeout=120) == -signal.SIGKILL


def test_a_forked_run_starts_where_this_process_stands_now(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Like a child of this process: the folder and umask it has now, not the zygote's."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "short-nl.txt").write_bytes(SHORT.read_bytes())
    done = cli_process.run(["segments", "short-nl.txt"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    with cli_process.popen(["--version"], stdout=subprocess.DEVNULL) as version:
        assert version.wait(timeout=120) == 0
    assert isinstance(version, cli_process.Popen) != cli_process.fresh()


def test_a_different_interpreter_setting_starts_a_fresh_interpreter() -> None:
    """What an interpreter reads only as it starts cannot be given to a fork: it starts anew."""
    env = dict(os.environ, PYTHONHASHSEED="7")
    process = cli_process.popen(["--version"], env=env, stdout=subprocess.PIPE, text=True)
    out, _ = process.communicate(timeout=120)
    assert type(process) is subprocess.Popen
    assert out.strip().startswith("polycast ") and process.args[0] == sys.executable
