"""The edge engine: the real edge-tts package against a local server that speaks its protocol."""

from __future__ import annotations

import logging
import math
import os
import re
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import cli_process
from edge_server import (
    HANG_S,
    LEAD_S,
    SECONDS_PER_CHAR,
    EdgeServer,
    Failure,
    serving,
)
from gtts_server import closed_port
from polycast.errors import ConfigError, EngineError, UnsupportedLanguage
from polycast.models import Clip
from polycast.speak.base import Engine
from polycast.speak.edge import DEFAULT_ENDPOINT, MARGIN_S, RATE, EdgeEngine
from polycast.speak.registry import create_engine

SHORT = Path(__file__).parent / "data" / "cli" / "short-nl.txt"


@pytest.fixture
def server() -> Iterator[EdgeServer]:
    yield from serving()


def engine_for(server: EdgeServer, **options: Any) -> EdgeEngine:
    """An engine pointed at the local server, with no backoff so failures are quick."""
    return EdgeEngine(endpoint=server.endpoint, base_delay=0.0, **options)


def rms(samples: np.ndarray) -> float:
    return float(np.sqrt(np.mean(samples.astype(np.float64) ** 2)))


def test_is_an_engine_that_runs_in_threads_under_its_name() -> None:
    engine = create_engine("edge")
    assert isinstance(engine, EdgeEngine) and isinstance(engine, Engine)
    assert engine.network and not engine.deterministic
    assert DEFAULT_ENDPOINT.startswith("wss://speech.platform.bing.com/")


def test_speech_is_cut_to_its_words_exactly(server: EdgeServer) -> None:
    """The server's words run from LEAD_S to LEAD_S + len(text) * SECONDS_PER_CHAR."""
    text = "Het kabinet presenteert vandaag de plannen."
    clip = engine_for(server).synthesize(text, "nl")
    assert clip.rate == RATE == 24000
    assert rms(clip.samples) > 1000
    first = max(0, math.floor((LEAD_S - MARGIN_S) * RATE))
    last = math.ceil((LEAD_S + len(text) * SECONDS_PER_CHAR + MARGIN_S) * RATE)
    assert len(clip.samples) == last - first
    (asked,) = server.received
    assert asked.word_boundaries
    assert asked.output_format == "audio-24khz-48kbitrate-mono-mp3"
    assert asked.text == text


@pytest.mark.parametrize(
    ("lang", "voice"),
    [
        ("nl", "nl-NL-FennaNeural"),
        ("nl-BE", "nl-BE-DenaNeural"),
        ("nl_be", "nl-BE-DenaNeural"),
        ("en", "en-US-AriaNeural"),
        ("en-GB", "en-GB-SoniaNeural"),
        ("en-AU", "en-AU-NatashaNeural"),
        ("en-JM", "en-US-AriaNeural"),  # a region we know no voice for: the language's default
        ("de", "de-DE-KatjaNeural"),
        ("de-AT", "de-AT-IngridNeural"),
        ("fr", "fr-FR-DeniseNeural"),
        ("fr-BE", "fr-BE-CharlineNeural"),
    ],
)
def test_a_default_voice_per_language_and_region(server: EdgeServer, lang: str, voice: str) -> None:
    engine = engine_for(server)
    engine.synthesize("Twee woorden.", lang)
    assert [asked.voice for asked in server.received] == [voice]
    assert f"voice={voice} " in engine.identity(lang)


def test_voices_lists_languages_and_regions_default_first() -> None:
    voices = EdgeEngine().voices()
    assert voices["nl"][0] == "nl-NL-FennaNeural"
    assert "nl-BE-DenaNeural" in voices["nl"] and "nl-NL-ColetteNeural" in voices["nl"]
    assert voices["nl-be"] == ["nl-BE-DenaNeural", "nl-BE-ArnaudNeural"]
    assert voices["en-gb"][0] == "en-GB-SoniaNeural"
    assert all(name.endswith("Neural") for names in voices.values() for name in names)
    chosen = EdgeEngine(voices={"nl": "nl-BE-ArnaudNeural"}).voices()
    assert chosen["nl"][0] == "nl-BE-ArnaudNeural"
    assert chosen["nl"].count("nl-BE-ArnaudNeural") == 1


def test_configured_and_cue_voices_are_used(server: EdgeServer) -> None:
    engine = engine_for(server, voices={"nl": "nl-BE-ArnaudNeural"})
    engine.synthesize("Een.", "nl")
    engine.synthesize("Twee.", "nl", voice="nl-NL-MaartenNeural")
    engine.synthesize("Three.", "en")
    voices = [asked.voice for asked in server.received]
    assert voices == ["nl-BE-ArnaudNeural", "nl-NL-MaartenNeural", "en-US-AriaNeural"]
    assert engine.identity("nl") != engine.identity("nl", "nl-NL-MaartenNeural")


def test_rate_and_pitch_reach_the_service_and_the_identity(server: EdgeServer) -> None:
    text = "A sentence of some length to time."
    plain = engine_for(server).synthesize(text, "en")
    engine = engine_for(server, rate=50, pitch=-20)
    faster = engine.synthesize(text, "en")
    asked = server.received[-1]
    assert (asked.rate, asked.pitch) == ("+50%", "-20Hz")
    assert "rate=+50% pitch=-20Hz" in engine.identity("en")
    assert faster.seconds < 0.8 * plain.seconds


def test_refusals_name_what_is_wrong(server: EdgeServer) -> None:
    engine = engine_for(server)
    with pytest.raises(UnsupportedLanguage, match="edge has no voice for language 'tlh'"):
        engine.synthesize("nuqneH", "tlh")
    with pytest.raises(EngineError, match="speaks en-gb, not nl"):
        engine.synthesize("Hallo.", "nl", voice="en-GB-RyanNeural")
    with pytest.raises(EngineError, match=r"'co\.uk' is not a neural voice"):
        engine.synthesize("Hallo.", "nl", voice="co.uk")
    assert server.handshakes == 0
    for options, words in [
        ({"endpoint": "https://example.org/edge/v1"}, "ws(s) URL"),
        ({"endpoint": "wss://example.org/edge/v1?TrustedClientToken=x"}, "no query"),
        ({"rate": 200}, "out of range"),
        ({"pitch": -51}, "out of range"),
        ({"max_in_flight": 0}, "max_in_flight"),
        ({"retries": -1}, "retries"),
        ({"timeout": 0}, "timeout"),
        ({"voices": {"nl": "Fenna"}}, "not a neural voice"),
        ({"voices": {"nl": "de-DE-KatjaNeural"}}, "speaks de-de, not nl"),
    ]:
        with pytest.raises(ConfigError, match=re.escape(words)):
            EdgeEngine(**options)


def test_nothing_speakable_sends_nothing(server: EdgeServer) -> None:
    clip = engine_for(server).synthesize(" … ", "nl")
    assert clip.rate == RATE and len(clip.samples) == 0
    assert server.handshakes == 0


def test_at_most_n_exchanges_in_flight_across_threads(server: EdgeServer) -> None:
    server.behave(hold_after=0)  # nothing is answered until three are out at once
    engine = engine_for(server, max_in_flight=3)
    texts = [f"Sentence number {i} is short." for i in range(12)]
    started = threading.Semaphore(0)

    def say(text: str) -> Clip:
        started.release()
        return engine.synthesize(text, "en")

    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = [pool.submit(say, text) for text in texts]
        for _ in range(8):  # every thread is asking: a cap that let more through would show
            assert started.acquire(timeout=HANG_S)
        server.wait_in_flight(3)
        server.release()
        clips = [future.result() for future in futures]
    assert len(server.received) == 12
    assert server.peak_in_flight == 3  # the cap was reached and never passed
    assert all(rms(clip.samples) > 1000 for clip in clips)


STALL_TIMEOUT = 0.5
"""The client's timeout where the server stalls: only a stall runs into it."""

RETRIED_FAILURES = {
    Failure.RATE_LIMITED: "429 from the edge endpoint: rate limited",
    Failure.SERVER_ERROR: "503 from the edge endpoint: server error",
    Failure.CLOSED_MID_STREAM: "the edge endpoint closed the connection mid-stream",
    Failure.GARBAGE: "the edge endpoint sent frames that are not its protocol",
    Failure.GARBAGE_TEXT: "the edge endpoint sent frames that are not its protocol",
    Failure.BAD_AUDIO: "the edge endpoint sent audio that does not decode as MP3",
    Failure.SHORT_AUDIO: "the edge endpoint's audio stops at",
    Failure.NO_AUDIO: "the edge endpoint sent no audio",
    Failure.STALL: f"the edge endpoint did not answer within {STALL_TIMEOUT:g} s",
}


def timeout_for(failure: Failure) -> float:
    return STALL_TIMEOUT if failure is Failure.STALL else HANG_S


@pytest.mark.parametrize("failure", list(RETRIED_FAILURES), ids=lambda f: f.value)
def test_passing_failures_are_retried_until_speech_arrives(
    server: EdgeServer, failure: Failure
) -> None:
    server.behave(failure=failure, fail_count=2)
    engine = engine_for(server, retries=3, timeout=timeout_for(failure))
    clip = engine.synthesize("Try again.", "en")
    assert rms(clip.samples) > 1000
    assert server.handshakes == 3


@pytest.mark.parametrize("failure", list(RETRIED_FAILURES), ids=lambda f: f.value)
def test_lasting_failures_end_in_one_clear_engine_error(
    server: EdgeServer, failure: Failure
) -> None:
    server.behave(failure=failure)
    engine = engine_for(server, retries=2, timeout=timeout_for(failure))
    with pytest.raises(EngineError) as caught:
        engine.synthesize("Never.", "en")
    message = str(caught.value)
    assert message.startswith(RETRIED_FAILURES[failure])
    assert re.search(r"; retried 2 times over [\d.e-]+ s; rerun resumes from cache$", message)
    assert "\n" not in message
    assert server.handshakes == 3


class Retries(logging.Handler):
    """The retries the engine logs (quick ones at INFO, long waits as warnings)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture
def retries() -> Iterator[Retries]:
    handler = Retries()
    logger = logging.getLogger("polycast.speak.edge")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield handler
    logger.setLevel(level)
    logger.removeHandler(handler)


def test_retry_after_is_honoured_up_to_the_cap(server: EdgeServer, retries: Retries) -> None:
    """The server asks for an hour; the engine waits its cap (its own backoff is zero here)."""
    server.behave(failure=Failure.RATE_LIMITED, fail_count=2, retry_after="3600")
    engine_for(server, retry_after_cap=0.2).synthesize("Patience.", "en")
    assert server.handshakes == 3
    limited = "429 from the edge endpoint: rate limited"
    assert retries.messages == [
        f"{limited}; retry 1 of 5 in 0.2 s",
        f"{limited}; retry 2 of 5 in 0.2 s",
    ]


def test_unreachable_endpoint_fails_at_once(retries: Retries) -> None:
    engine = EdgeEngine(endpoint=f"ws://127.0.0.1:{closed_port()}/edge/v1", base_delay=5.0)
    with pytest.raises(
        EngineError, match=r"^cannot reach the edge endpoint at 127\.0\.0\.1:\d+ \(offline"
    ) as caught:
        engine.synthesize("Hello.", "en")
    assert str(caught.value).endswith("; rerun resumes from cache")
    assert "retried" not in str(caught.value)
    assert [m for m in retries.messages if "retry" in m] == []


def test_wrong_endpoint_path_is_not_retried(server: EdgeServer, retries: Retries) -> None:
    engine = EdgeEngine(endpoint=server.endpoint + "/wrong", base_delay=5.0)
    with pytest.raises(
        EngineError, match=r"^404 from the edge endpoint: no speech service at ws://127\.0\.0\.1"
    ) as caught:
        engine.synthesize("Hello.", "en")
    assert "TrustedClientToken" not in str(caught.value)
    assert [m for m in retries.messages if "retry" in m] == []


def test_probe_says_yes_to_a_working_endpoint_and_no_otherwise(server: EdgeServer) -> None:
    assert engine_for(server).probe(timeout=HANG_S)
    assert engine_for(server).available(timeout=HANG_S)  # the name auto asks gTTS by
    assert not EdgeEngine(endpoint=f"ws://127.0.0.1:{closed_port()}/edge/v1").probe(1.0)
    server.behave(failure=Failure.SERVER_ERROR)
    before = server.handshakes
    assert not engine_for(server).probe(timeout=HANG_S)
    assert server.handshakes - before == 1  # one exchange, no retries
    server.behave(failure=Failure.STALL)  # no answer until the probe gives up
    assert not engine_for(server).probe(timeout=0.2)


def test_a_build_speaks_every_language_through_the_endpoint(
    server: EdgeServer, tmp_path: Path
) -> None:
    config = tmp_path / "podcast.toml"
    config.write_text(f'[speak.edge]\nendpoint = "{server.endpoint}"\n', encoding="utf-8")
    env = {**os.environ, "POLYCAST_CACHE": str(tmp_path / "cache"), "NO_COLOR": "1"}
    command = ["build", str(SHORT), "-o", str(tmp_path)]
    options = ["--engine", "edge", "--config", str(config), "--voice", "nl=nl-BE-DenaNeural"]
    result = cli_process.run([*command, *options], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "short-nl.mp3").stat().st_size > 10_000
    assert "nl: edge voice=nl-BE-DenaNeural" in result.stdout
    assert "en: edge voice=en-US-AriaNeural" in result.stdout
    voices = {asked.voice for asked in server.received}
    assert voices == {"nl-BE-DenaNeural", "en-US-AriaNeural"}
    asked = len(server.received)
    again = cli_process.run([*command, *options], capture_output=True, text=True, env=env)
    assert again.returncode == 0, again.stderr
    assert len(server.received) == asked  # every sentence came from the cache
