"""The gTTS internals polycast leans on, checked on known inputs against the installed gTTS.

When one of these fails, gTTS has changed under ``polycast.speak.gtts_adapter``: every message
names the installed version, so the fix starts there and nowhere else.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from importlib.metadata import version
from urllib.parse import parse_qs

import gtts.utils
import pytest
import requests
from gtts import gTTS, gTTSError

from gtts_server import RPC_PATH, Failure, GttsServer, without_proxies
from polycast.speak.gtts_adapter import Request, answer_of, network_cause, speakable

GTTS = f"gTTS {version('gTTS')}"
OPTIONS = {"lang": "nl", "tld": "nl", "lang_check": False, "pre_processor_funcs": [], "timeout": 5}


@pytest.fixture
def server() -> Iterator[GttsServer]:
    with without_proxies(), GttsServer() as running:
        yield running


def test_the_private_names_are_there() -> None:
    assert callable(getattr(gtts.utils, "_clean_tokens", None)), (
        f"{GTTS} has no gtts.utils._clean_tokens; mend speakable() in gtts_adapter"
    )
    assert callable(getattr(gTTS, "_prepare_requests", None)), (
        f"{GTTS} has no gTTS._prepare_requests; mend Request in gtts_adapter"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [("…", False), (" , ", False), ("?!", False), ("Hallo.", True), ("a", True)],
)
def test_clean_tokens_tells_punctuation_from_words(text: str, expected: bool) -> None:
    assert speakable(text) is expected, f"{GTTS}: _clean_tokens([{text!r}]) changed its answer"


def test_prepare_requests_keeps_the_rpc_path_under_the_google_host() -> None:
    prepared = gTTS("Hallo wereld", **OPTIONS)._prepare_requests()
    assert len(prepared) == 1, f"{GTTS}: _prepare_requests no longer gives one request a piece"
    expected = f"https://translate.google.nl{RPC_PATH}"
    assert prepared[0].url == expected, f"{GTTS}: _prepare_requests URL is {prepared[0].url}"


def test_request_sends_the_same_rpc_to_another_host() -> None:
    (prepared,) = Request("http://127.0.0.1:9/nl/", "Hallo wereld", **OPTIONS)._prepare_requests()
    assert prepared.url == f"http://127.0.0.1:9/nl{RPC_PATH}", f"{GTTS}: not re-pointed"
    assert prepared.method == "POST"
    form = parse_qs(prepared.body)["f.req"][0]
    assert "Hallo wereld" in form and '\\"nl\\"' in form, f"{GTTS} packs the RPC differently"


def test_request_speaks_through_the_local_endpoint(server: GttsServer) -> None:
    base = server.endpoint.replace("{tld}", "nl")
    audio = b"".join(Request(base, "Hallo wereld", **OPTIONS).stream())
    assert audio, f"{GTTS}: stream() through Request brought no audio"
    assert [r.text for r in server.received] == ["Hallo wereld"]


def test_an_http_failure_carries_its_response(server: GttsServer) -> None:
    server.behave(failure=Failure.SERVER_ERROR)
    base = server.endpoint.replace("{tld}", "nl")
    with pytest.raises(gTTSError) as caught:
        b"".join(Request(base, "Hallo", **OPTIONS).stream())
    response = answer_of(caught.value)
    assert response is not None, f"{GTTS}: gTTSError no longer carries .rsp"
    assert response.status_code == 500


def test_a_refused_connection_comes_without_a_response_and_names_its_cause() -> None:
    with socket.socket() as probe:  # a port nobody listens on: bound, then released
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with without_proxies(), pytest.raises(gTTSError) as caught:
        b"".join(Request(f"http://127.0.0.1:{port}", "Hallo", **OPTIONS).stream())
    assert answer_of(caught.value) is None, f"{GTTS}: a failed exchange now has a response"
    cause = network_cause(caught.value)
    assert isinstance(cause, requests.ConnectionError), (
        f"{GTTS}: gTTSError no longer raised inside except RequestException ({cause!r})"
    )
