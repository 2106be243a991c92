"""The gTTS engine: the real gTTS library against a local server that speaks its protocol."""

from __future__ import annotations

import email.utils
import logging
import re
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gtts_server import (
    HANG_S,
    SECONDS_PER_CHAR,
    Failure,
    GttsServer,
    closed_port,
    without_proxies,
)
from polycast.errors import ConfigError, EngineError, UnsupportedLanguage
from polycast.models import Clip
from polycast.speak.base import Engine
from polycast.speak.gtts import DEFAULT_ENDPOINT, GttsEngine, split_text

# 350 characters: short sentences to pack, one long sentence with clauses, one long clause.
LONG_TEXT = (
    "The ferry left at dawn. Nobody waved. "
    "By the time the fog lifted over the northern harbour, the passengers had counted the gulls, "
    "argued about the weather; and finally fallen asleep on the benches. "
    "Somewhere below deck a radio played an old song about the sea and the wind and the long way "
    "home that nobody remembered the words to. It was very quiet."
)


@pytest.fixture
def server() -> Iterator[GttsServer]:
    with without_proxies(), GttsServer() as running:
        yield running


def engine_for(server: GttsServer, **options: Any) -> GttsEngine:
    """An engine pointed at the local server, with millisecond backoff so failures are quick."""
    return GttsEngine(endpoint=server.endpoint, base_delay=0.001, **options)


def rms(samples: np.ndarray) -> float:
    return float(np.sqrt(np.mean(samples.astype(np.float64) ** 2)))


def test_is_an_engine_that_runs_in_threads() -> None:
    engine = GttsEngine()
    assert isinstance(engine, Engine)
    assert engine.name == "gtts"
    assert engine.network is True


def test_speech_decodes_to_audible_24k_pcm(server: GttsServer) -> None:
    text = "Hallo wereld, dit is een proef."
    clip = engine_for(server).synthesize(text, "nl")
    assert clip.rate == 24000
    assert clip.samples.dtype == np.int16
    assert clip.samples.ndim == 1
    assert rms(clip.samples) > 1000
    assert clip.seconds == pytest.approx(len(text) * SECONDS_PER_CHAR, abs=0.1)
    [request] = server.received
    assert (request.text, request.lang, request.tld, request.slow) == (text, "nl", "com", False)


def test_other_rates_are_resampled_to_24k(server: GttsServer) -> None:
    server.behave(rate=22050)
    text = "A different rate."
    clip = engine_for(server).synthesize(text, "en")
    assert clip.rate == 24000
    assert clip.seconds == pytest.approx(len(text) * SECONDS_PER_CHAR, abs=0.1)


def test_accent_per_language_is_the_tld(server: GttsServer) -> None:
    engine = engine_for(server, tlds={"nl": "be"}, slow=True)
    engine.synthesize("Good morning.", "en")
    engine.synthesize("Good morning.", "en-US")
    engine.synthesize("Goedemorgen.", "nl")
    engine.synthesize("Good morning.", "en", voice="com.au")
    engine.synthesize("Shalom.", "he")
    got = [(r.lang, r.tld, r.slow) for r in server.received]
    assert got == [
        ("en", "co.uk", True),
        ("en", "us", True),
        ("nl", "be", True),
        ("en", "com.au", True),
        ("iw", "com", True),
    ]


def test_identity_names_the_accent_and_the_endpoint(server: GttsServer) -> None:
    default = GttsEngine()
    assert "tld=co.uk" in default.identity("en")
    assert "tld=com.au" in default.identity("en", "com.au")
    assert default.identity("en") != default.identity("en-us")
    assert default.identity("en") != GttsEngine(slow=True).identity("en")
    assert server.endpoint in engine_for(server).identity("en")
    assert "endpoint" not in default.identity("en")


def test_voices_lists_languages_with_the_default_accent_first() -> None:
    voices = GttsEngine(tlds={"fr": "ca"}).voices()
    assert voices["nl"] == ["com"]
    assert voices["en"][0] == "co.uk"
    assert "com.au" in voices["en"]
    assert voices["en-us"][0] == "us"
    assert voices["fr"][0] == "ca"
    assert "he" in voices
    assert "zh-tw" in voices
    assert len(voices) > 60


def test_unknown_language_and_bad_voice_and_bad_options() -> None:
    engine = GttsEngine()
    with pytest.raises(UnsupportedLanguage, match="'xx'"):
        engine.synthesize("Hello.", "xx")
    with pytest.raises(EngineError, match="not a Google domain"):
        engine.synthesize("Hello.", "en", voice="https://evil.example")
    with pytest.raises(ConfigError):
        GttsEngine(max_in_flight=0)
    with pytest.raises(ConfigError):
        GttsEngine(tlds={"en": "co.uk/x"})
    with pytest.raises(ConfigError):
        GttsEngine(endpoint="ftp://example.org")


def test_nothing_speakable_sends_nothing(server: GttsServer) -> None:
    clip = engine_for(server).synthesize(" … — ", "en")
    assert len(clip.samples) == 0
    assert clip.rate == 24000
    assert server.requests == 0


def test_long_text_is_sent_in_pieces_cut_at_sentences_and_clauses(server: GttsServer) -> None:
    assert len(LONG_TEXT) == 350
    clip = engine_for(server).synthesize(LONG_TEXT, "en")
    sent = [r.text for r in server.received]
    assert sent == [
        "The ferry left at dawn. Nobody waved.",
        "By the time the fog lifted over the northern harbour, the passengers had counted the "
        "gulls,",
        "argued about the weather; and finally fallen asleep on the benches.",
        "Somewhere below deck a radio played an old song about the sea and the wind and the long "
        "way home",
        "that nobody remembered the words to.",
        "It was very quiet.",
    ]
    assert " ".join(sent) == LONG_TEXT
    spoken = sum(len(text) for text in sent)
    assert clip.seconds == pytest.approx(spoken * SECONDS_PER_CHAR, abs=0.1 * len(sent))


def test_split_text_edge_cases() -> None:
    assert split_text("  ") == []
    assert split_text("Short.") == ["Short."]
    assert split_text("x" * 25, limit=10) == ["x" * 10, "x" * 10, "x" * 5]
    assert split_text("“Go.” Then — quietly — stop.", limit=16) == [
        "“Go.”",
        "Then — quietly —",
        "stop.",
    ]


words = st.text(alphabet="abcdefghij.,;:—!? ", min_size=0, max_size=400)


@given(text=words, limit=st.integers(min_value=8, max_value=120))
def test_split_text_keeps_every_word_whole_and_fits_the_limit(text: str, limit: int) -> None:
    pieces = split_text(text, limit)
    assert all(0 < len(piece) <= limit for piece in pieces)
    assert "".join("".join(pieces).split()) == "".join(text.split())
    if all(len(word) <= limit for word in text.split()):  # else a too-long word is cut inside
        assert " ".join(pieces) == " ".join(text.split())


def test_at_most_n_requests_in_flight_across_threads(server: GttsServer) -> None:
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
"""The client's timeout where the server stalls: the stall lasts until the client hangs up, so
only a normal answer must come within it (its audio is made before the stalls, so it is quick)."""


def timeout_for(failure: Failure) -> float:
    """A timeout that only a stall runs into."""
    return STALL_TIMEOUT if failure is Failure.STALL else HANG_S


RETRIED_FAILURES = {
    Failure.RATE_LIMITED: "429 from the gTTS endpoint: rate limited",
    Failure.SERVER_ERROR: "500 from the gTTS endpoint: server error",
    Failure.GARBAGE: "unreadable answer",
    Failure.NO_AUDIO: "sent no audio",
    Failure.EMPTY_AUDIO: "sent no audio",
    Failure.BAD_AUDIO: "does not decode as MP3",
    Failure.DROP: "dropped the connection",
    Failure.TRUNCATE: "dropped the connection",
    Failure.STALL: f"did not answer within {STALL_TIMEOUT:g} s",
}


@pytest.mark.parametrize("failure", list(RETRIED_FAILURES), ids=lambda f: f.value)
def test_passing_failures_are_retried_until_speech_arrives(
    server: GttsServer, failure: Failure
) -> None:
    server.behave(failure=failure, fail_count=2)
    clip = engine_for(server, retries=3, timeout=timeout_for(failure)).synthesize(
        "Try again.", "en"
    )
    assert rms(clip.samples) > 1000
    assert len(server.received) == 3


@pytest.mark.parametrize("failure", list(RETRIED_FAILURES), ids=lambda f: f.value)
def test_lasting_failures_end_in_one_clear_engine_error(
    server: GttsServer, failure: Failure
) -> None:
    server.behave(failure=failure)
    with pytest.raises(EngineError) as caught:
        engine_for(server, retries=2, timeout=timeout_for(failure)).synthesize("Never.", "en")
    message = str(caught.value)
    assert RETRIED_FAILURES[failure] in message
    assert re.search(r"; retried 2 times over [\d.e-]+ s; rerun resumes from cache$", message)
    assert "\n" not in message
    assert len(server.received) == 3


class Retries(logging.Handler):
    """The retries the engine announces, as they are logged, for a test to count or wait for."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []
        self.logged = threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())
        self.logged.set()


@pytest.fixture
def retries() -> Iterator[Retries]:
    handler = Retries()
    logger = logging.getLogger("polycast.speak.gtts")
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)


def test_retry_after_in_seconds_is_honoured(server: GttsServer, retries: Retries) -> None:
    server.behave(failure=Failure.RATE_LIMITED, fail_count=1, retry_after="1")
    engine_for(server).synthesize("Patience.", "en")
    first, second = server.received
    assert second.at - first.at >= 0.95
    (retry,) = retries.messages  # the wait chosen: the server's, not the millisecond backoff
    assert retry.endswith("; retry 1 of 5 in 1.0 s")


def test_retry_after_as_a_date_is_honoured_up_to_the_cap(
    server: GttsServer, retries: Retries
) -> None:
    in_an_hour = email.utils.formatdate(time.time() + 3600, usegmt=True)
    server.behave(failure=Failure.RATE_LIMITED, fail_count=1, retry_after=in_an_hour)
    engine_for(server, retry_after_cap=0.3).synthesize("Patience.", "en")
    first, second = server.received
    assert second.at - first.at >= 0.28
    (retry,) = retries.messages  # the cap, not the hour the server asked for
    assert retry.endswith("; retry 1 of 5 in 0.3 s")


def test_rate_limit_pauses_every_thread(server: GttsServer, retries: Retries) -> None:
    server.behave(failure=Failure.RATE_LIMITED, fail_count=1, retry_after="1")
    engine = engine_for(server)
    first = threading.Thread(target=engine.synthesize, args=("First.", "en"))
    first.start()
    assert retries.logged.wait(HANG_S)  # the 429 is in: the engine has paused and says so
    engine.synthesize("Second.", "en")  # a new request must wait out the same pause
    first.join()
    limited, *later = server.received
    assert len(later) == 2
    assert all(request.at - limited.at >= 0.95 for request in later)


def test_unreachable_endpoint_fails_at_once(server: GttsServer, retries: Retries) -> None:
    engine = GttsEngine(endpoint=f"http://127.0.0.1:{closed_port()}/{{tld}}", base_delay=5.0)
    with pytest.raises(
        EngineError, match=r"^cannot reach the gTTS endpoint at 127\.0\.0\.1:\d+ "
    ) as e:
        engine.synthesize("Hello.", "en")
    assert "retried" not in str(e.value)
    assert retries.messages == []  # not retried


def test_wrong_endpoint_path_is_not_retried(server: GttsServer) -> None:
    engine = GttsEngine(endpoint=server.endpoint + "/wrong", base_delay=5.0)
    with pytest.raises(EngineError, match=r"^404 from the gTTS endpoint: no speech service at"):
        engine.synthesize("Hello.", "en")
    assert server.requests == 1


def test_probe_says_yes_to_a_working_endpoint_and_no_otherwise(server: GttsServer) -> None:
    assert engine_for(server).probe()
    assert not GttsEngine(endpoint=f"http://127.0.0.1:{closed_port()}/{{tld}}").probe()
    server.behave(failure=Failure.SERVER_ERROR)
    before = server.requests
    assert not GttsEngine(endpoint=server.endpoint, base_delay=5.0).probe(timeout=HANG_S)
    assert server.requests - before == 1  # one request, no retries
    server.behave(failure=Failure.STALL)  # no answer until the probe gives up
    assert not engine_for(server).probe(timeout=0.2)


def test_default_endpoint_is_google() -> None:
    assert DEFAULT_ENDPOINT.replace("{tld}", "co.uk") == "https://translate.google.co.uk"
