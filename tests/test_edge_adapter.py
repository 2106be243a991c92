"""The edge-tts internals polycast leans on, checked against the installed edge-tts.

When one of these fails, edge-tts has changed under ``polycast.speak.edge_adapter``: every message
names the installed version, so the fix starts there and nowhere else.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from importlib.metadata import version

import edge_tts
import edge_tts.communicate
import edge_tts.constants
import pytest

from edge_server import EdgeServer, Failure, serving
from gtts_server import without_proxies
from polycast.speak import edge_adapter
from polycast.speak.edge import DEFAULT_ENDPOINT
from polycast.speak.edge_fetch import run_alone

EDGE_TTS = f"edge-tts {version('edge-tts')}"


@pytest.fixture
def server() -> Iterator[EdgeServer]:
    yield from serving()


def run(endpoint: str, text: str) -> edge_adapter.Exchange:
    talk = edge_adapter.communicate(text, "en-GB-SoniaNeural", "+0%", "+0Hz", 10)
    return run_alone(edge_adapter.exchange(endpoint, talk))


def test_the_url_constant_is_there_and_read_when_connecting() -> None:
    assert isinstance(getattr(edge_tts.communicate, "WSS_URL", None), str), (
        f"{EDGE_TTS} has no edge_tts.communicate.WSS_URL; mend edge_adapter._Endpoint"
    )
    stream = getattr(edge_tts.Communicate, "_Communicate__stream", None)
    assert stream is not None and "WSS_URL" in stream.__code__.co_names, (
        f"{EDGE_TTS} no longer connects to WSS_URL in Communicate.__stream; mend edge_adapter"
    )


def test_the_default_endpoint_is_where_edge_tts_goes() -> None:
    assert edge_adapter.socket_url(DEFAULT_ENDPOINT) == edge_tts.constants.WSS_URL, (
        f"{EDGE_TTS} speaks to {edge_tts.constants.WSS_URL}; mend polycast.speak.edge"
    )


def test_the_state_counts_audio_bytes() -> None:
    state = edge_tts.Communicate("Hello.", "en-GB-SoniaNeural").state
    assert {"chunk_audio_bytes", "cumulative_audio_bytes"} <= set(state), (
        f"{EDGE_TTS}: Communicate.state has {sorted(state)}; mend edge_adapter.exchange"
    )


def test_a_whole_turn_is_complete_and_has_its_words(server: EdgeServer) -> None:
    got = run(server.endpoint, "Two words.")
    assert got.complete and got.mp3
    assert [word.text for word in got.words] == ["Two", "words."]
    assert 0 < got.words[0].start < got.words[0].end <= got.words[1].start < got.words[1].end


def test_an_exchange_runs_where_an_event_loop_already_runs(server: EdgeServer) -> None:
    """A notebook or an async app calling polycast: asyncio.run alone would refuse to start."""

    async def inside_a_loop() -> edge_adapter.Exchange:
        return run(server.endpoint, "Two words.")

    got = run_alone(inside_a_loop())  # it runs its own loop, and run() is called inside it
    assert got.complete
    assert [word.text for word in got.words] == ["Two", "words."]


def test_a_turn_closed_mid_stream_is_not_complete(server: EdgeServer) -> None:
    server.behave(failure=Failure.CLOSED_MID_STREAM)
    got = run(server.endpoint, "A sentence long enough to need several audio messages to send.")
    assert got.mp3, f"{EDGE_TTS} no longer yields the audio of a turn cut short"
    assert not got.complete, f"{EDGE_TTS}: its byte counts no longer tell a turn cut short"


def test_exchanges_with_two_endpoints_take_turns() -> None:
    with without_proxies(), EdgeServer() as first, EdgeServer() as second:
        first.behave(hold_after=0)
        held = threading.Thread(target=run, args=(first.endpoint, "first"))
        held.start()
        first.wait_held(1)
        other = threading.Thread(target=run, args=(second.endpoint, "second"))
        other.start()
        assert second.handshakes == 0  # it waits for the first endpoint's exchange to end
        first.release()
        held.join()
        other.join()
        assert [asked.text for asked in first.received] == ["first"]
        assert [asked.text for asked in second.received] == ["second"]
