"""Hostile cases for ``polycast voices get``: each ends in one line and no half-installed voice.

The catalogue and the English test voice come from a local repository on 127.0.0.1; the data
folder is inside the case's folder, so the harness sees every file a failed get leaves there.
"""

from __future__ import annotations

import os
import resource
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import Hostile, partial_files

from piper_voices_server import CONFIG, MODEL, NAME, VoicesServer, voice_files
from polycast.speak.piper_catalogue import MAX_CATALOGUE_BYTES


@pytest.fixture(scope="module")
def server() -> Iterator[VoicesServer]:
    with VoicesServer() as running:
        yield running


@pytest.fixture
def case(hostile: Hostile, server: VoicesServer) -> Hostile:
    """A case whose data folder is ``data/`` in it and whose catalogue is the local server's."""
    server.behaviour.__init__()  # type: ignore[misc]
    server.requests.clear()
    hostile.env["POLYCAST_DATA"] = str(hostile.root / "data")
    hostile.env["POLYCAST_PIPER_VOICES_URL"] = server.base_url
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        hostile.env.pop(name, None)
    return hostile


def installed(case: Hostile) -> list[str]:
    folder = case.root / "data" / "piper"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def test_a_digest_that_does_not_match_installs_nothing(case: Hostile, server: VoicesServer) -> None:
    server.behaviour.wrong_digest = True
    case.fails("voices", "get", NAME, words=(f"{NAME}.onnx", "MD5", "nothing installed"))


def test_a_404_installs_nothing(case: Hostile, server: VoicesServer) -> None:
    server.behaviour.missing.add(MODEL)
    case.fails("voices", "get", NAME, words=("404", "not found", MODEL, "nothing installed"))


def test_an_unknown_voice_name_says_where_it_looked(case: Hostile, server: VoicesServer) -> None:
    case.fails("voices", "get", "nl_NL-nobody-medium", words=("no Piper voice named", "catalogue"))
    case.fails("voices", "get", "--lang", "tlh", words=("no voice for language 'tlh'",))
    assert [path for path, _ in server.requests] == ["voices.json", "voices.json"]


def test_a_full_disk_installs_nothing_and_keeps_nothing(case: Hostile) -> None:
    cap = len(voice_files()[MODEL]) // 4

    def small_disk() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (cap, cap))

    case.fails("voices", "get", NAME, preexec_fn=small_disk, words=("no room left", "nothing"))


def test_a_dropped_connection_keeps_only_what_resumes_it(
    case: Hostile, server: VoicesServer
) -> None:
    size = len(voice_files()[MODEL])
    server.behaviour.cut_after[MODEL] = size // 3
    result = case.run("voices", "get", NAME)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert "broke off at" in line and "run the same command again to resume" in line
    assert installed(case) == [".downloads"]  # no voice: only the bytes a rerun resumes from
    kept = case.root / "data" / "piper" / ".downloads" / NAME / f"{NAME}.onnx"
    arrived = kept.stat().st_size
    assert 0 < arrived <= size // 3
    assert partial_files(case.root) == []
    again = case.run("voices", "get", NAME)
    assert again.returncode == 0, again.stderr
    assert server.ranges(MODEL) == [f"bytes={arrived}-"]  # the rest only, asked for once
    assert installed(case) == [NAME]
    model = case.root / "data" / "piper" / NAME / f"{NAME}.onnx"
    assert model.read_bytes() == voice_files()[MODEL]


def test_a_catalogue_nobody_answers_for_is_one_line(case: Hostile) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    case.env["POLYCAST_PIPER_VOICES_URL"] = f"http://127.0.0.1:{port}/v"
    case.fails("voices", "--available", words=("cannot fetch the Piper catalogue", str(port)))
    case.fails("voices", "get", NAME, words=("cannot fetch the Piper catalogue",))


@pytest.mark.parametrize(
    ("path", "size", "words"),
    [
        (MODEL, 10**12, ("size_bytes 1000000000000", "1000000000 (the limit)")),
        (CONFIG, 50_000_000, (f"{NAME}.onnx.json", "size_bytes 50000000")),
        (MODEL, float("inf"), ("size_bytes inf", "not a whole number")),
        (MODEL, 1e300, ("not a whole number",)),
        (MODEL, True, ("size_bytes True", "not a whole number")),
    ],
)
def test_a_catalogue_stating_a_size_past_any_voice_s_is_refused_unfetched(
    case: Hostile, server: VoicesServer, path: str, size: object, words: tuple[str, ...]
) -> None:
    """The stated size is how much is written to disk: a hostile one is refused, not trusted."""
    server.behaviour.sizes[path] = size
    case.fails("voices", "get", NAME, words=("not in the Piper voices layout", *words))
    assert [p for p, _ in server.requests] == ["voices.json"]


@pytest.mark.parametrize(
    "document",
    [
        b'{"v": {"files": ["v.onnx", "v.onnx.json"], "language": {"code": "en_US"}}}',
        b"[" * 100_000 + b"]" * 100_000,
        b'{"v": ' * 50_000 + b"{}" + b"}" * 50_000,
    ],
    ids=["files-a-list", "deep-list", "deep-object"],
)
def test_a_catalogue_of_another_shape_is_one_line(
    case: Hostile, server: VoicesServer, document: bytes
) -> None:
    server.behaviour.raw_catalogue = document
    case.fails("voices", "--available", words=("not in the Piper voices layout",))


@pytest.mark.parametrize("no_length", [False, True], ids=["announced", "till-close"])
def test_a_file_that_runs_past_its_size_installs_nothing(
    case: Hostile, server: VoicesServer, no_length: bool
) -> None:
    """Past the catalogue's size is refused, whether the server announces it or just sends it."""
    size = len(voice_files()[MODEL])
    server.behaviour.extra[MODEL] = 1 << 20
    server.behaviour.no_length = no_length
    words = (f"{NAME}.onnx", f"more than its {size} bytes", "nothing installed")
    case.fails("voices", "get", NAME, words=words)


@pytest.mark.parametrize("no_length", [False, True], ids=["announced", "till-close"])
def test_a_huge_catalogue_is_refused(case: Hostile, server: VoicesServer, no_length: bool) -> None:
    server.behaviour.padding = MAX_CATALOGUE_BYTES + 1
    server.behaviour.no_length = no_length
    case.fails("voices", "get", NAME, words=("Piper catalogue", "over 20 MB: refused"))


DEAD = int(Path("/proc/sys/kernel/pid_max").read_text(encoding="ascii")) + 1
"""A process id no process can have: a folder carrying it was left by a process killed outright."""


def lay_voice(folder: Path, cut: int | None = None) -> None:
    """Write the test voice's two files into ``folder`` as an install leaves them (the model cut
    to ``cut`` bytes: half deleted)."""
    folder.mkdir(parents=True)
    for path, data in voice_files().items():
        (folder / path.rsplit("/", 1)[-1]).write_bytes(data[:cut] if path == MODEL else data)


def test_a_removal_a_kill_cut_short_is_finished_by_the_next_command(case: Hostile) -> None:
    piper = case.root / "data" / "piper"
    lay_voice(piper / f".{NAME}.{DEAD}.removing", cut=1000)
    running = f".{NAME}.{os.getpid()}.removing"  # a removal still under way: left to its process
    lay_voice(piper / running)
    result = case.run("voices", "--lang", "en")
    assert result.returncode == 0, result.stderr
    assert installed(case) == [running]
    assert NAME not in result.stdout


def test_a_replacement_a_kill_cut_short_leaves_the_voice_whole(case: Hostile) -> None:
    """Killed between setting the old copy aside and moving the new one in: the old one is back."""
    piper = case.root / "data" / "piper"
    lay_voice(piper / f".{NAME}.{DEAD}.old")
    result = case.run("voices", "--lang", "en", "--json")
    assert result.returncode == 0, result.stderr
    assert installed(case) == [NAME]
    assert (piper / NAME / f"{NAME}.onnx").read_bytes() == voice_files()[MODEL]
    assert NAME in result.stdout
    lay_voice(piper / f".{NAME}.{DEAD}.old")  # killed after the new copy was in: the old goes
    removed = case.run("voices", "remove", NAME)
    assert removed.returncode == 0, removed.stderr
    assert installed(case) == []
