"""A local stand-in for Google Translate's speech endpoint, speaking the protocol gTTS uses.

gTTS POSTs a form ``f.req=[[["jQ1olc","[text,lang,slow,\\"null\\"]",null,"generic"]]]`` to
``https://translate.google.<tld>/_/TranslateWebserverUi/data/batchexecute`` and scans the answer
for a line holding ``jQ1olc","[\\"<base64 MP3>\\"]``. This server answers the same way, on
``http://127.0.0.1:<port>/<tld>/_/TranslateWebserverUi/data/batchexecute``, with a real MP3: a tone
burst per character (longer text, longer audio), 24 kHz mono like the real thing.

It can misbehave the ways the real endpoint does (``Failure``), for every request or only the first
N; it records what it received and the peak number of requests in flight, and it can hold requests
until told to answer (``hold_after``, ``release``), so a test waits for an event
(``wait_in_flight``, ``wait_held``) instead of sleeping. Use it as ``with GttsServer() as
server:`` and point the engine at ``server.endpoint``.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import json
import os
import select
import socket
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs

import lameenc
import numpy as np

RPC_PATH = "/_/TranslateWebserverUi/data/batchexecute"
SECONDS_PER_CHAR = 0.06
"""Audio length per character of text: the clip of an N-character text lasts about N * this."""
HANG_S = 60.0
"""Longest any wait here lasts: past it something hangs and the wait fails (never a speed check)."""


PROXY_VARIABLES = (
    "http_proxy",
    "https_proxy",
    "all_proxy",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
)


@contextlib.contextmanager
def without_proxies() -> Iterator[None]:
    """Hide the environment's proxies: gTTS sends through them even to 127.0.0.1."""
    saved = {name: os.environ.pop(name) for name in PROXY_VARIABLES if name in os.environ}
    try:
        yield
    finally:
        os.environ.update(saved)


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on: a connection to it is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def closed_endpoint() -> str:
    """A gTTS ``endpoint`` option on a closed local port: a probe of it fails at once."""
    return f"http://127.0.0.1:{closed_port()}/{{tld}}"


class Failure(Enum):
    """A way the endpoint can fail one request."""

    NONE = "none"
    RATE_LIMITED = "429"
    """429 Too Many Requests, with ``Behaviour.retry_after`` as its ``Retry-After`` if set."""
    SERVER_ERROR = "500"
    """500 Internal Server Error."""
    GARBAGE = "garbage"
    """200 with a body of bytes that are not text."""
    NO_AUDIO = "no-audio"
    """200 with a page that holds no speech answer at all."""
    EMPTY_AUDIO = "empty-audio"
    """200 with a well-formed answer whose audio is empty."""
    BAD_AUDIO = "bad-audio"
    """200 with a well-formed answer whose audio is not MP3."""
    DROP = "drop"
    """Close the connection without answering."""
    TRUNCATE = "truncate"
    """Send the headers and half the body, then close the connection."""
    STALL = "stall"
    """Answer nothing until the client gives up and hangs up (its timeout), then close."""


@dataclass
class Behaviour:
    """How the server answers from now on."""

    failure: Failure = Failure.NONE
    """How requests fail."""
    fail_count: int | None = None
    """Fail only the first this many requests, then answer normally; None fails every one."""
    fail_text: str | None = None
    """Fail only requests whose text contains this; None fails whatever the text."""
    latency_ms: float = 0.0
    """Delay before every answer, failed or not."""
    retry_after: str | None = None
    """``Retry-After`` header value sent with a 429."""
    hold_after: int | None = None
    """Answer this many requests, then hold each later one, in flight, until ``release``."""
    rate: int = 24000
    """Sample rate of the MP3 answers."""


@dataclass(frozen=True)
class Received:
    """One well-formed request as the server understood it."""

    text: str
    lang: str
    tld: str
    slow: bool
    at: float
    """``time.monotonic()`` when it arrived."""


def tone_mp3(
    text: str,
    pitch: int,
    per_char: float,
    *,
    rate: int,
    bit_rate: int,
    lead_s: float = 0.0,
    tail_s: float = 0.0,
) -> bytes:
    """Encode a real MP3 standing in for speech: a tone burst per character, quiet spaces.

    Shared by the local speech services here, so each voice's clip is made the same way; each
    service picks its own ``pitch`` per voice, its length per character and its silences.
    """
    n = int(rate * per_char)
    t = np.arange(n) / rate
    envelope = np.sin(np.pi * np.arange(n) / n)  # rises and falls, so bursts never click
    bursts = [
        np.zeros(n)
        if char.isspace()
        else 0.3 * envelope * np.sin(2 * np.pi * (pitch + (ord(char) % 24) * 10) * t)
        for char in text
    ]
    quiet = [np.zeros(int(rate * lead_s)), *bursts, np.zeros(int(rate * tail_s))]
    pcm = (np.concatenate(quiet) * 32767).astype(np.int16)
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(bit_rate)
    encoder.set_in_sample_rate(rate)
    encoder.set_out_sample_rate(rate)
    encoder.set_channels(1)
    encoder.set_quality(7)
    return bytes(encoder.encode(pcm.tobytes()) + encoder.flush())


@functools.lru_cache(maxsize=256)
def speech_mp3(text: str, voice: str = "en/com", rate: int = 24000) -> bytes:
    """A 60 ms tone burst per character; each ``voice`` (language and domain) its own pitch."""
    pitch = 120 + zlib.crc32(voice.encode()) % 12 * 10
    return tone_mp3(text, pitch, SECONDS_PER_CHAR, rate=rate, bit_rate=32)


def rpc_answer(audio: bytes) -> bytes:
    """Wrap audio the way the endpoint does: a guarded, length-prefixed batchexecute envelope."""
    inner = json.dumps([base64.b64encode(audio).decode("ascii")])
    envelope = [["wrb.fr", "jQ1olc", inner, None, None, None, "generic"], ["di", 42]]
    payload = json.dumps(envelope, separators=(",", ":"))
    trailer = json.dumps([["e", 4, None, None, len(payload)]], separators=(",", ":"))
    return f")]}}'\n\n{len(payload)}\n{payload}\n{len(trailer)}\n{trailer}\n".encode()


@dataclass
class _State:
    """What the server was told to do and what it saw, shared by its handler threads."""

    behaviour: Behaviour = field(default_factory=Behaviour)
    received: list[Received] = field(default_factory=list)
    requests: int = 0
    answered: int = 0
    in_flight: int = 0
    peak_in_flight: int = 0
    held: int = 0
    gate: threading.Event = field(default_factory=threading.Event)
    lock: threading.Condition = field(default_factory=threading.Condition)
    """Guards the counts; notified whenever ``in_flight`` or ``held`` changes."""


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64
    state: _State


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    landed = True
    """Whether this request's answer has left (or failed); it is in flight until then."""

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass

    def do_POST(self) -> None:
        state = self.server.state
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with state.lock:
            state.requests += 1
        tld, _, path = self.path.partition("?")[0].lstrip("/").partition("/")
        request = _parse(body.decode("utf-8", "replace"), tld, time.monotonic())
        if "/" + path != RPC_PATH or request is None:
            self._send(404 if request else 400, b"not a speech request")
            return
        with state.lock:
            state.received.append(request)
            index, behaviour, gate = state.answered, state.behaviour, state.gate
            state.answered += 1
            state.in_flight += 1
            state.peak_in_flight = max(state.peak_in_flight, state.in_flight)
            self.landed = False
            state.lock.notify_all()
        failing = behaviour.fail_count is None or index < behaviour.fail_count
        failing = failing and (behaviour.fail_text is None or behaviour.fail_text in request.text)
        try:
            if behaviour.hold_after is not None and index >= behaviour.hold_after:
                self._hold(gate)
            time.sleep(behaviour.latency_ms / 1000)
            self._answer(behaviour.failure if failing else Failure.NONE, behaviour, request)
        except OSError:  # the client gave up (a timeout test); nothing to answer
            pass
        finally:
            self._land()

    def _answer(self, failure: Failure, behaviour: Behaviour, request: Received) -> None:
        speech = speech_mp3(request.text, f"{request.lang}/{request.tld}", behaviour.rate)
        if failure is Failure.STALL:
            select.select([self.connection], [], [], HANG_S)  # readable: the client hung up
            self.close_connection = True
        elif failure is Failure.RATE_LIMITED:
            headers = {"Retry-After": behaviour.retry_after} if behaviour.retry_after else {}
            self._send(429, b"Too Many Requests", headers)
        elif failure is Failure.SERVER_ERROR:
            self._send(500, b"Internal Server Error")
        elif failure is Failure.GARBAGE:
            self._send(200, bytes(range(128, 256)) * 8)
        elif failure is Failure.NO_AUDIO:
            self._send(200, b"<!doctype html><title>Sorry</title><p>Try again later.</p>")
        elif failure in (Failure.EMPTY_AUDIO, Failure.BAD_AUDIO):
            audio = b"" if failure is Failure.EMPTY_AUDIO else b"not an mp3 " * 40
            self._send(200, rpc_answer(audio))
        elif failure is Failure.DROP:
            self.close_connection = True
        elif failure is Failure.TRUNCATE:
            body = rpc_answer(speech)
            self._send(200, body[: len(body) // 2], {"Content-Length": str(len(body))})
            self.close_connection = True
        else:
            self._send(200, rpc_answer(speech))

    def _hold(self, gate: threading.Event) -> None:
        """Wait, counted as held, until the test opens ``gate``."""
        state = self.server.state
        with state.lock:
            state.held += 1
            state.lock.notify_all()
        gate.wait(HANG_S)
        with state.lock:
            state.held -= 1
            state.lock.notify_all()

    def _land(self) -> None:
        """Stop counting this request as in flight: before the client can see the answer end."""
        if not self.landed:
            self.landed = True
            with self.server.state.lock:
                self.server.state.in_flight -= 1
                self.server.state.lock.notify_all()

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        headers = {"Content-Length": str(len(body)), **(headers or {})}
        headers.setdefault("Content-Type", "application/json; charset=utf-8")
        for name, value in headers.items():
            self.send_header(name, value)
        self._land()
        self.end_headers()
        self.wfile.write(body)


def _parse(form: str, tld: str, at: float) -> Received | None:
    """Read gTTS's form body the way the endpoint does; None when it is not a speech request."""
    try:
        rpc = json.loads(parse_qs(form)["f.req"][0])
        rpc_id, arguments = rpc[0][0][0], json.loads(rpc[0][0][1])
        text, lang, slow = arguments[0], arguments[1], arguments[2]
    except (KeyError, IndexError, TypeError, ValueError):
        return None
    if rpc_id != "jQ1olc" or not isinstance(text, str) or not isinstance(lang, str):
        return None
    return Received(text=text, lang=lang, tld=tld, slow=bool(slow), at=at)


def serve_during(request: Any) -> GttsServer:
    """Start a server, proxies hidden, that stops when the pytest ``request`` is finished."""
    stack = contextlib.ExitStack()
    stack.enter_context(without_proxies())
    server = stack.enter_context(GttsServer())
    request.addfinalizer(stack.close)
    return server


class GttsServer:
    """The endpoint on 127.0.0.1 at a free port, answering in a background thread."""

    def __init__(self) -> None:
        self._httpd = _HTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.state = _State()
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.01,), daemon=True)

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def endpoint(self) -> str:
        """The engine's ``endpoint`` option for this server; ``{tld}`` travels in the path."""
        return f"http://127.0.0.1:{self.port}/{{tld}}"

    @property
    def received(self) -> list[Received]:
        """Well-formed requests so far, in arrival order."""
        with self._httpd.state.lock:
            return list(self._httpd.state.received)

    @property
    def requests(self) -> int:
        """Every request so far, well-formed or not."""
        return self._httpd.state.requests

    @property
    def peak_in_flight(self) -> int:
        """The most well-formed requests being answered at the same time so far."""
        return self._httpd.state.peak_in_flight

    @property
    def held(self) -> int:
        """Requests being held right now (``Behaviour.hold_after``)."""
        return self._httpd.state.held

    def behave(self, **changes: Any) -> None:
        """Answer as ``Behaviour(**changes)`` from now on, counting ``fail_count`` from zero."""
        with self._httpd.state.lock:
            self._httpd.state.behaviour = Behaviour(**changes)
            self._httpd.state.answered = 0
            self._httpd.state.gate = threading.Event()

    def release(self) -> None:
        """Answer every request held so far and every later one."""
        with self._httpd.state.lock:
            self._httpd.state.gate.set()

    def wait_in_flight(self, count: int) -> None:
        """Return once ``count`` requests are in flight at the same time."""
        self._wait(lambda state: state.in_flight >= count, f"{count} requests in flight")

    def wait_held(self, count: int) -> None:
        """Return once ``count`` requests are being held."""
        self._wait(lambda state: state.held >= count, f"{count} requests held")

    def _wait(self, done: Any, what: str) -> None:
        state = self._httpd.state
        with state.lock:
            if not state.lock.wait_for(lambda: done(state), HANG_S):
                raise AssertionError(f"no {what} after {HANG_S:g} s: the client hangs")

    def start(self) -> GttsServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.release()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

    def __enter__(self) -> GttsServer:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
