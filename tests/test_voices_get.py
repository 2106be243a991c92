"""Piper voices by name: the catalogue, ``voices get``/``remove``/``--available``, and auto.

Everything runs against a local repository on 127.0.0.1 serving the real files of the English
test voice (``piper_voices_server``); the data folder is each test's own.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from edge_server import closed_edge
from gtts_server import closed_endpoint
from piper_voices_server import CONFIG, MODEL, NAME, VoicesServer, catalogue, voice_files
from polycast.cli import app
from polycast.errors import ConfigError, DownloadError
from polycast.speak import piper_store, registry
from polycast.speak.choose import SpeakSettings, choose_engines
from polycast.speak.piper import PiperEngine
from polycast.speak.piper_catalogue import parse_catalogue

runner = CliRunner()
ENGLISH = "The council met today in The Hague. The minister said little.\n\nThe talks go on.\n"


@pytest.fixture(scope="module")
def server() -> Iterator[VoicesServer]:
    with VoicesServer() as running:
        yield running


@pytest.fixture
def data(tmp_path: Path, server: VoicesServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A data folder of the test's own, the catalogue on the local server, a well server."""
    folder = tmp_path / "data"
    monkeypatch.setenv("POLYCAST_DATA", str(folder))
    monkeypatch.setenv("POLYCAST_PIPER_VOICES_URL", server.base_url)
    server.behaviour.__init__()  # type: ignore[misc]
    server.requests.clear()
    yield folder


def voices(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["voices", *args])
    return result.exit_code, result.output


def test_the_catalogue_reads_the_piper_voices_layout() -> None:
    read = parse_catalogue(json.dumps(catalogue()).encode(), "http://x/v1")
    voice = read.voice(NAME)
    assert (voice.language, voice.quality) == ("en_US", "medium")
    assert voice.model.path == MODEL
    assert voice.config.size == len(voice_files()[CONFIG])
    assert voice.size == sum(len(data) for data in voice_files().values())
    assert read.url(voice.model) == f"http://x/v1/{MODEL}"
    assert read.recommended("en") is voice  # the chosen English voice is not in it: the best one
    with pytest.raises(ConfigError, match=r"no Piper voice named 'en_US-amy-low'.*en_US-joe"):
        read.voice("en_US-amy-low")
    with pytest.raises(ConfigError, match=r"no voice for language 'nl'"):
        read.recommended("nl")
    with pytest.raises(DownloadError, match="not in the Piper voices layout"):
        parse_catalogue(b'{"x": {"files": {}}}', "http://x")


def test_get_installs_lists_and_a_build_uses_it_with_no_voice(
    data: Path, server: VoicesServer, tmp_path: Path
) -> None:
    code, out = voices("--available")
    assert code == 0, out
    assert out.split() == [NAME, "en_US", "medium", "63", "MB"]
    code, out = voices("get", "--lang", "en")
    assert code == 0, out
    assert f"installed Piper voice {NAME} (en_US, medium, 63 MB)" in out
    folder = data / "piper" / NAME
    assert sorted(p.name for p in folder.iterdir()) == [f"{NAME}.onnx", f"{NAME}.onnx.json"]
    assert (folder / f"{NAME}.onnx").read_bytes() == voice_files()[MODEL]
    assert sorted(p.name for p in (data / "piper").iterdir()) == [NAME]  # no download left
    assert server.ranges(MODEL) == []
    code, out = voices("--available")
    assert out.split()[-1] == "installed"
    code, out = voices("--lang", "en")
    assert (
        "  en  espeak  auto's order: piper (voice en_US-joe-medium) > edge (not probed) > gtts"
        in out
    )
    article = tmp_path / "en.txt"
    article.write_text(ENGLISH, encoding="utf-8")
    result = runner.invoke(
        app, ["build", str(article), "-o", str(tmp_path / "out"), "--engine", "piper"]
    )
    assert result.exit_code == 0, result.output
    assert "en: piper/" in result.stdout
    assert f"voice={NAME}" in result.stdout


def test_a_broken_transfer_resumes_from_where_it_stopped(data: Path, server: VoicesServer) -> None:
    size = len(voice_files()[MODEL])
    server.behaviour.cut_after[MODEL] = size // 2
    code, out = voices("get", NAME)
    assert code == 1
    assert "broke off at" in out
    assert "run the same command again to resume" in out
    assert piper_store.installed_voices() == ()
    code, out = voices("get", NAME)
    assert code == 0, out
    (resumed,) = server.ranges(MODEL)  # one request asked for the rest only
    start = int(resumed.removeprefix("bytes=").removesuffix("-"))
    assert 0 < start <= size // 2
    (voice,) = piper_store.installed_voices()
    assert voice.model.read_bytes() == voice_files()[MODEL]


def test_a_server_that_ignores_range_sends_it_all_again(data: Path, server: VoicesServer) -> None:
    server.behaviour.cut_after[MODEL] = 1000
    assert voices("get", NAME)[0] == 1
    server.behaviour.ignore_range = True
    code, out = voices("get", NAME)
    assert code == 0, out
    assert server.ranges(MODEL) == ["bytes=1000-"]  # asked for the rest, given the whole
    (voice,) = piper_store.installed_voices()
    assert voice.model.read_bytes() == voice_files()[MODEL]


def test_auto_takes_the_installed_voice_first_and_says_so(data: Path) -> None:
    assert voices("get", NAME)[0] == 0
    settings = SpeakSettings(
        engine="auto",
        options={"gtts": {"endpoint": closed_endpoint()}, "edge": closed_edge()},
        probe_timeout=0.2,
    )
    plan = choose_engines(["nl", "en"], settings)
    assert isinstance(plan["en"], PiperEngine)
    assert plan["nl"].name == "espeak"
    assert plan.notices == (
        "auto chose: nl espeak (edge did not answer within 0.2 s, "
        "gtts did not answer within 0.2 s); "
        f"en piper (voice {NAME})",
    )


def test_remove_deletes_one_and_an_unknown_name_lists_the_installed(data: Path) -> None:
    assert voices("get", NAME)[0] == 0
    code, out = voices("remove", "nl_NL-mls-medium")
    assert code == 1
    assert f"no Piper voice 'nl_NL-mls-medium' is installed in {data / 'piper'}" in out
    assert f"installed: {NAME}" in out
    code, out = voices("remove", NAME)
    assert code == 0, out
    assert list((data / "piper").iterdir()) == []


def test_usage_errors_say_what_goes_with_what(data: Path) -> None:
    assert voices("get")[0] == 2
    assert voices("remove")[0] == 2
    assert voices("get", NAME, "--available")[0] == 2
    assert voices(NAME)[0] == 2


class _Edge:
    """An engine registered as "edge" with a probe: it stands in for the edge-tts engine."""

    name = "edge"
    network = True
    probes = 0
    answer = True

    def voices(self) -> dict[str, tuple[str, ...]]:
        return {"nl": ("nl-NL-FennaNeural",), "en": ("en-US-AvaNeural",)}

    def synthesize(self, text: str, lang: str, voice: str | None = None) -> Any:
        raise AssertionError("auto only chooses; it speaks nothing")

    def identity(self, lang: str, voice: str | None = None) -> str:
        return "edge"

    def probe(self, timeout: float) -> bool:
        type(self).probes += 1
        return self.answer


@pytest.mark.parametrize("answer", [True, False])
def test_auto_asks_edge_before_gtts_once_per_build(
    data: Path, monkeypatch: pytest.MonkeyPatch, answer: bool
) -> None:
    monkeypatch.setattr(_Edge, "probes", 0)
    monkeypatch.setattr(_Edge, "answer", answer)
    registry.register("edge", _Edge)
    try:
        assert voices("get", NAME)[0] == 0
        settings = SpeakSettings(
            engine="auto", options={"gtts": {"endpoint": closed_endpoint()}}, probe_timeout=0.2
        )
        plan = choose_engines(["nl", "en", "de"], settings)
    finally:
        registry.unregister("edge")
    assert _Edge.probes == 1  # once for the whole build, not per language
    assert plan["en"].name == "piper"  # the installed voice comes first: no probe needed for it
    assert plan["nl"].name == ("edge" if answer else "espeak")
    assert plan["de"].name == "espeak"  # neither online engine can: espeak
    if not answer:
        assert "nl espeak (edge did not answer within 0.2 s, gtts did not answer" in plan.notices[0]


def test_voices_json_says_what_a_build_would_use_per_language(data: Path) -> None:
    assert voices("get", NAME)[0] == 0
    code, out = voices("--json", "--lang", "en")
    assert code == 0, out
    choice = json.loads(out)["choices"]["en"]
    assert choice["now"] == "espeak"  # the default engine; auto is only what it would take
    assert [step["engine"] for step in choice["order"]] == ["piper", "edge", "gtts", "espeak"]
    assert choice["order"][0] == {"engine": "piper", "usable": True, "why": f"voice {NAME}"}
    assert choice["order"][1]["usable"] is None  # not probed: listing stays off the network


def test_a_second_get_of_the_same_voice_leaves_the_first_one_alone(data: Path) -> None:
    import fcntl
    import os

    work = data / "piper" / ".downloads" / NAME
    work.mkdir(parents=True)
    (work / f"{NAME}.onnx").write_bytes(b"the first process's bytes")
    fd = os.open(work, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # as the first process holds it while it downloads
        code, out = voices("get", NAME)
    finally:
        os.close(fd)
    assert code == 1
    assert f"another polycast is downloading Piper voice {NAME} now" in out
    assert (work / f"{NAME}.onnx").read_bytes() == b"the first process's bytes"
    assert piper_store.installed_voices() == ()


def test_an_installed_voice_can_be_named_for_a_language(data: Path) -> None:
    assert voices("get", NAME)[0] == 0
    engine = PiperEngine({"en-GB": NAME})
    assert engine.voice_file("en-GB").model == data / "piper" / NAME / f"{NAME}.onnx"
    assert engine.voices()["en-gb"] == (NAME,)


def test_a_build_never_downloads_it_says_how_to_get_a_voice(
    data: Path, server: VoicesServer, tmp_path: Path
) -> None:
    article = tmp_path / "en.txt"
    article.write_text(ENGLISH, encoding="utf-8")
    result = runner.invoke(
        app, ["build", str(article), "-o", str(tmp_path / "out"), "--engine", "piper"]
    )
    assert result.exit_code == 1
    assert "engine piper has no voice for language 'en'; it speaks none (polycast voices get" in (
        result.output
    )
    assert server.requests == []


def test_the_catalogue_url_comes_from_the_environment_then_the_config(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from polycast.config import parse_config
    from polycast.speak.piper_catalogue import DEFAULT_VOICES_URL, base_url

    configured = parse_config('[speak]\npiper_voices_url = "http://mirror/v"\n').speak
    monkeypatch.delenv("POLYCAST_PIPER_VOICES_URL", raising=False)
    assert base_url(configured.piper_voices_url) == "http://mirror/v"
    assert base_url(None) == DEFAULT_VOICES_URL
    monkeypatch.setenv("POLYCAST_PIPER_VOICES_URL", "http://127.0.0.1:9/v")
    assert base_url(configured.piper_voices_url) == "http://127.0.0.1:9/v"
    with pytest.raises(ConfigError, match="piper_voices_url has the wrong type"):
        parse_config("[speak]\npiper_voices_url = 3\n")
