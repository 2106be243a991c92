"""A local stand-in for the edge speech service, speaking the WebSocket protocol edge-tts uses.

edge-tts opens ``wss://.../edge/v1?TrustedClientToken=...&ConnectionId=...&Sec-MS-GEC=...
&Sec-MS-GEC-Version=...``, sends a ``Path:speech.config`` text message (JSON: the output format and
whether to report word boundaries) and a ``Path:ssml`` one (the voice, prosody and text), then
reads: ``Path:turn.start``; ``Path:audio.metadata`` text messages holding ``WordBoundary`` JSON
(offset and duration in 100 ns ticks); binary messages of a 2-byte big-endian header length, the
headers (``Path:audio``, ``Content-Type:audio/mpeg``) and MP3 bytes; an empty binary message;
and ``Path:turn.end``. This server answers the same way at ``ws://127.0.0.1:<port>/edge/v1``, with
a real MP3: a tone burst per character after a short lead-in (longer text, longer audio; a
faster ``rate``, shorter; each voice and ``pitch`` its own pitch), 24 kHz mono like the real thing,
and the word boundaries of exactly where its words are.

It can misbehave the ways the real service does (``Failure``), for every exchange or only the
first N; it counts every handshake, records what it was asked and the peak number of exchanges in
flight, delays each answer (``latency_ms``), and can hold exchanges until told to answer, so a
test waits for an event (``wait_in_flight``, ``wait_held``) instead of sleeping. Use it as ``with
EdgeServer() as server:`` and point the engine at ``server.endpoint``.
"""

from __future__ import annotations

import asyncio
import functools
import json
import re
import threading
import time
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum
from types import TracebackType
from typing import TYPE_CHECKING, Any

from gtts_server import HANG_S, closed_port, tone_mp3, without_proxies

if TYPE_CHECKING:  # aiohttp and edge_tts are imported where a server runs: every test worker
    from aiohttp import web  # imports this module to collect, and they are a third of a second

PATH = "/edge/v1"
RATE = 24000
SECONDS_PER_CHAR = 0.06
"""Audio per character at rate +0%: the clip of an N-character text lasts about N * this."""
LEAD_S = 0.1
"""Silence before the first word, as the real service leaves."""
TAIL_S = 0.3
"""Silence after the last word."""
TICKS = 10_000_000
"""Word-boundary ticks per second."""
CHUNK = 2048
"""MP3 bytes per audio message."""
LONG_VOICE = re.compile(r"Microsoft Server Speech Text to Speech Voice \((\S+), (\S+)\)")


def closed_edge() -> dict[str, str]:
    """Edge options with a closed local endpoint: auto probes it, never the internet."""
    return {"endpoint": f"ws://127.0.0.1:{closed_port()}{PATH}"}


class Failure(Enum):
    """A way the service can fail one exchange."""

    NONE = "none"
    RATE_LIMITED = "429"
    """429 on the WebSocket handshake, with ``Behaviour.retry_after`` as ``Retry-After`` if set."""
    SERVER_ERROR = "503"
    """503 on the handshake."""
    CLOSED_MID_STREAM = "closed-mid-stream"
    """Start the turn, send half the audio, then close the connection."""
    GARBAGE = "garbage"
    """Answer the SSML with a binary message that is not the protocol's."""
    GARBAGE_TEXT = "garbage-text"
    """Answer the SSML with a text message that has no headers."""
    BAD_AUDIO = "bad-audio"
    """Well-formed audio messages whose bytes are not MP3."""
    SHORT_AUDIO = "short-audio"
    """A whole turn, but its audio stops halfway through the words it reports."""
    NO_AUDIO = "no-audio"
    """``turn.start`` then ``turn.end`` with no audio between."""
    STALL = "stall"
    """Answer nothing until the client gives up and hangs up."""


@dataclass
class Behaviour:
    """How the server answers from now on."""

    failure: Failure = Failure.NONE
    fail_count: int | None = None
    """Fail only the first this many exchanges, then answer normally; None fails every one."""
    fail_from: int = 0
    """Answer this many exchanges normally before the failures begin."""
    latency_ms: float = 0.0
    """Delay, in flight, between a well-formed request and its answer (failed or not)."""
    retry_after: str | None = None
    """``Retry-After`` header value sent with a 429."""
    hold_after: int | None = None
    """Answer this many exchanges, then hold each later one, in flight, until ``release``."""


@dataclass(frozen=True)
class Received:
    """One well-formed exchange as the server understood it."""

    text: str
    voice: str
    """The short name: ``nl-NL-FennaNeural``."""
    rate: str
    pitch: str
    word_boundaries: bool
    output_format: str
    at: float
    """``time.monotonic()`` when its SSML arrived."""


@functools.lru_cache(maxsize=256)
def speech(
    text: str, voice: str, rate: str, pitch: str
) -> tuple[bytes, tuple[dict[str, Any], ...]]:
    """Encode the MP3 standing in for speech, and the word boundaries that describe it."""
    per_char = SECONDS_PER_CHAR / (1 + int(rate.rstrip("%")) / 100)
    base = 120 + zlib.crc32(voice.encode()) % 12 * 10 + int(pitch.removesuffix("Hz"))
    mp3 = tone_mp3(text, base, per_char, rate=RATE, bit_rate=48, lead_s=LEAD_S, tail_s=TAIL_S)
    words = tuple(
        {
            "Type": "WordBoundary",
            "Data": {
                "Offset": round((LEAD_S + match.start() * per_char) * TICKS),
                "Duration": round(len(match.group()) * per_char * TICKS),
                "text": {
                    "Text": match.group(),
                    "Length": len(match.group()),
                    "BoundaryType": "WordBoundary",
                },
            },
        }
        for match in re.finditer(r"\S+", text)
    )
    return mp3, words


def text_message(path: str, body: str, request_id: str = "0" * 32) -> str:
    """A text message as the service sends it: headers, a blank line, the body."""
    kind = "Content-Type:application/json; charset=utf-8"
    return f"X-RequestId:{request_id}\r\n{kind}\r\nPath:{path}\r\n\r\n{body}"


def audio_message(data: bytes, request_id: str = "0" * 32) -> bytes:
    """A binary message: 2-byte header length, headers, then audio (no type when empty)."""
    kind = "Content-Type:audio/mpeg\r\n" if data else ""
    headers = f"X-RequestId:{request_id}\r\n{kind}X-StreamId:1\r\nPath:audio\r\n".encode()
    return len(headers).to_bytes(2, "big") + headers + data


def parse(config: str, ssml: str, at: float) -> Received | None:
    """Read the two messages edge-tts sends; None when they are not a speech request."""
    try:
        config_head, _, config_body = config.partition("\r\n\r\n")
        ssml_head, _, ssml_body = ssml.partition("\r\n\r\n")
        if "Path:speech.config" not in config_head or "Path:ssml" not in ssml_head:
            return None
        audio = json.loads(config_body)["context"]["synthesis"]["audio"]
        root = ET.fromstring(ssml_body)
        namespace = "{http://www.w3.org/2001/10/synthesis}"
        voice = root.find(f"{namespace}voice")
        prosody = voice.find(f"{namespace}prosody") if voice is not None else None
        long_name = LONG_VOICE.fullmatch(voice.get("name", "") if voice is not None else "")
        if prosody is None or long_name is None:
            return None
        return Received(
            text=prosody.text or "",
            voice=f"{long_name[1]}-{long_name[2]}",
            rate=prosody.get("rate", "+0%"),
            pitch=prosody.get("pitch", "+0Hz"),
            word_boundaries=audio["metadataoptions"]["wordBoundaryEnabled"] == "true",
            output_format=audio["outputFormat"],
            at=at,
        )
    except (KeyError, TypeError, ValueError, ET.ParseError):
        return None


@dataclass
class _State:
    """What the server was told to do and what it saw, shared with the test's thread."""

    behaviour: Behaviour = field(default_factory=Behaviour)
    received: list[Received] = field(default_factory=list)
    handshakes: int = 0
    answered: int = 0
    in_flight: int = 0
    peak_in_flight: int = 0
    held: int = 0
    gate: threading.Event = field(default_factory=threading.Event)
    lock: threading.Condition = field(default_factory=threading.Condition)
    """Guards the counts; notified whenever one changes."""


class EdgeServer:
    """The service on 127.0.0.1 at a free port, answering from an event loop in a thread."""

    def __init__(self) -> None:
        self.state = _State()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def endpoint(self) -> str:
        """The engine's ``endpoint`` option for this server."""
        return f"ws://127.0.0.1:{self.port}{PATH}"

    @property
    def received(self) -> list[Received]:
        """Well-formed exchanges so far, in arrival order."""
        with self.state.lock:
            return list(self.state.received)

    @property
    def handshakes(self) -> int:
        """Every connection attempt so far, refused or answered."""
        return self.state.handshakes

    @property
    def peak_in_flight(self) -> int:
        """The most exchanges being answered at the same time so far."""
        return self.state.peak_in_flight

    def behave(self, **changes: Any) -> None:
        """Answer as ``Behaviour(**changes)`` from now on, counting ``fail_count`` from zero."""
        with self.state.lock:
            self.state.behaviour = Behaviour(**changes)
            self.state.answered = 0
            self.state.gate = threading.Event()

    def release(self) -> None:
        """Answer every exchange held so far and every later one."""
        with self.state.lock:
            self.state.gate.set()

    def wait_in_flight(self, count: int) -> None:
        """Return once ``count`` exchanges are in flight at the same time."""
        self._wait(lambda: self.state.in_flight >= count, f"{count} exchanges in flight")

    def wait_held(self, count: int) -> None:
        """Return once ``count`` exchanges are being held."""
        self._wait(lambda: self.state.held >= count, f"{count} exchanges held")

    def _wait(self, done: Any, what: str) -> None:
        with self.state.lock:
            if not self.state.lock.wait_for(done, HANG_S):
                raise AssertionError(f"no {what} after {HANG_S:g} s: the client hangs")

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        from aiohttp import web
        from edge_tts.constants import TRUSTED_CLIENT_TOKEN

        state = self.state
        with state.lock:
            state.handshakes += 1
            index, behaviour, gate = state.answered, state.behaviour, state.gate
            state.answered += 1
        failed = index - behaviour.fail_from
        failing = failed >= 0 and (behaviour.fail_count is None or failed < behaviour.fail_count)
        failure = behaviour.failure if failing else Failure.NONE
        query = request.query
        if query.get("TrustedClientToken") != TRUSTED_CLIENT_TOKEN or not all(
            query.get(key) for key in ("ConnectionId", "Sec-MS-GEC", "Sec-MS-GEC-Version")
        ):
            return web.Response(status=403, text="not the client's token")
        if failure is Failure.RATE_LIMITED:
            headers = {"Retry-After": behaviour.retry_after} if behaviour.retry_after else {}
            return web.Response(status=429, text="Too Many Requests", headers=headers)
        if failure is Failure.SERVER_ERROR:
            return web.Response(status=503, text="Service Unavailable")
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        try:
            config, ssml = await socket.receive_str(), await socket.receive_str()
        except (TypeError, ConnectionError):
            return socket
        asked = parse(config, ssml, time.monotonic())
        if asked is None:
            await socket.close(code=1002, message=b"not a speech request")
            return socket
        self._count(asked, 1)
        try:
            await asyncio.sleep(behaviour.latency_ms / 1000)
            if behaviour.hold_after is not None and index >= behaviour.hold_after:
                await self._hold(gate)
            await self._answer(socket, asked, failure)
        except ConnectionError:
            pass  # the client gave up
        finally:
            self._count(None, -1)
        await socket.close()
        return socket

    def _count(self, asked: Received | None, change: int) -> None:
        with self.state.lock:
            if asked is not None:
                self.state.received.append(asked)
            self.state.in_flight += change
            self.state.peak_in_flight = max(self.state.peak_in_flight, self.state.in_flight)
            self.state.lock.notify_all()

    async def _hold(self, gate: threading.Event) -> None:
        """Wait, counted as held, until the test opens ``gate``."""
        with self.state.lock:
            self.state.held += 1
            self.state.lock.notify_all()
        await asyncio.get_running_loop().run_in_executor(None, gate.wait, HANG_S)
        with self.state.lock:
            self.state.held -= 1
            self.state.lock.notify_all()

    async def _answer(
        self, socket: web.WebSocketResponse, asked: Received, failure: Failure
    ) -> None:
        mp3, words = speech(asked.text, asked.voice, asked.rate, asked.pitch)
        if failure is Failure.STALL:
            await socket.receive(timeout=HANG_S)  # returns when the client hangs up
            return
        if failure is Failure.GARBAGE:
            await socket.send_bytes(b"\xff\xfe" + bytes(range(256)))
            return
        if failure is Failure.GARBAGE_TEXT:
            await socket.send_str("this is not the protocol")
            return
        await socket.send_str(text_message("turn.start", '{"context":{"serviceTag":"local"}}'))
        if asked.word_boundaries:
            for word in words:
                await socket.send_str(
                    text_message("audio.metadata", json.dumps({"Metadata": [word]}))
                )
        if failure is Failure.BAD_AUDIO:
            mp3 = b"not an mp3 " * 200
        elif failure is Failure.SHORT_AUDIO:
            mp3 = mp3[: len(mp3) // 3]
        chunks = [mp3[i : i + CHUNK] for i in range(0, len(mp3), CHUNK)]
        if failure is Failure.CLOSED_MID_STREAM:
            for chunk in chunks[: max(1, len(chunks) // 2)]:
                await socket.send_bytes(audio_message(chunk))
            return
        if failure is not Failure.NO_AUDIO:
            for chunk in chunks:
                await socket.send_bytes(audio_message(chunk))
            await socket.send_bytes(audio_message(b""))
        await socket.send_str(text_message("turn.end", "{}"))
        await socket.receive(timeout=HANG_S)  # the client closes once it has the turn's end

    async def _start(self) -> None:
        from aiohttp import web

        app = web.Application()
        app.router.add_get(PATH, self._handle)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])

    def start(self) -> EdgeServer:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(HANG_S)
        return self

    def stop(self) -> None:
        self.release()
        if self._runner is not None:
            cleanup = asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop)
            cleanup.result(HANG_S)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(HANG_S)
        self._loop.close()

    def __enter__(self) -> EdgeServer:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def serving() -> Iterator[EdgeServer]:
    """A running server with the environment's proxies hidden (aiohttp honours them)."""
    with without_proxies(), EdgeServer() as server:
        yield server


def serve_during(request: Any) -> EdgeServer:
    """Start a server, proxies hidden, that stops when the pytest ``request`` is finished."""
    server = serving()
    running = next(server)
    request.addfinalizer(lambda: next(server, None))
    return running
