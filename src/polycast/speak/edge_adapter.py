"""Every use of edge-tts's internals, in one place: an edge-tts release that moves one fails here.

edge-tts 7 offers no way to send its WebSocket exchange elsewhere: ``Communicate`` connects to the
module constant ``edge_tts.communicate.WSS_URL`` (``wss://speech.platform.bing.com/...``, with its
``TrustedClientToken``), adding ``ConnectionId``, ``Sec-MS-GEC`` and ``Sec-MS-GEC-Version`` itself.
We lean on two things it does not promise: that constant, read when each exchange connects, and
``Communicate.state``'s byte counts, which tell an exchange that ended with ``turn.end`` from one
the server closed mid-stream (edge-tts yields what arrived either way).
``tests/test_edge_adapter.py`` checks both against the installed edge-tts and names its version
when one changes.

The constant is process-wide, so exchanges with different endpoints take turns (``_Endpoint``):
any number run at once with the same endpoint, the only case outside tests.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import edge_tts
from edge_tts import communicate as _communicate
from edge_tts.constants import TRUSTED_CLIENT_TOKEN

TICKS_PER_SECOND = 10_000_000
"""Word boundaries come in 100-nanosecond ticks."""


@dataclass(frozen=True)
class Word:
    """One word-boundary event: where the service says a word lies in the audio."""

    text: str
    """The word as the service read it."""
    start: float
    """Seconds from the start of the audio."""
    end: float
    """Seconds from the start of the audio where the word ends."""


@dataclass(frozen=True)
class Exchange:
    """What one exchange brought: the MP3 bytes, the words, and whether it ended properly."""

    mp3: bytes
    words: tuple[Word, ...]
    complete: bool
    """The server sent ``turn.end`` after the audio (False: it closed the connection mid-stream)."""


class _Endpoint:
    """Points edge-tts at one URL at a time, letting exchanges with the same URL overlap."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._url: str | None = None
        self._users = 0

    @contextmanager
    def using(self, url: str) -> Iterator[None]:
        """Point edge-tts at ``url`` for the block, once no exchange uses another URL.

        It waits by blocking the thread, which is right because every exchange runs in an event
        loop of its own (``edge_fetch.fetch``); each exchange it waits for ends within its timeout.
        """
        with self._changed:
            self._changed.wait_for(lambda: self._users == 0 or self._url == url)
            self._url, self._users = url, self._users + 1
            setattr(_communicate, "WSS_URL", url)  # noqa: B010 -- not exported, said so above
        try:
            yield
        finally:
            with self._changed:
                self._users -= 1
                self._changed.notify_all()


_ENDPOINT = _Endpoint()


def socket_url(endpoint: str) -> str:
    """Return the URL edge-tts connects to for ``endpoint``: the service's token added."""
    return f"{endpoint}?TrustedClientToken={TRUSTED_CLIENT_TOKEN}"


def communicate(text: str, voice: str, rate: str, pitch: str, timeout: int) -> Any:
    """Make edge-tts's exchange for one text, asking for word boundaries.

    Raises:
        ValueError: edge-tts refuses the voice, rate or pitch.
    """
    return edge_tts.Communicate(
        text, voice, rate=rate, pitch=pitch, boundary="WordBoundary",
        connect_timeout=timeout, receive_timeout=timeout,
    )  # fmt: skip


async def exchange(endpoint: str, talk: Any) -> Exchange:
    """Run ``talk`` (from ``communicate``) against ``endpoint`` and gather what it brings.

    Raises:
        Whatever edge-tts and aiohttp raise: the caller says what each means.
    """
    audio: list[bytes] = []
    words: list[Word] = []
    with _ENDPOINT.using(socket_url(endpoint)):
        async for chunk in talk.stream():
            if chunk["type"] == "audio":
                audio.append(chunk["data"])
            elif chunk["type"] == "WordBoundary":
                start = chunk["offset"] / TICKS_PER_SECOND
                end = start + chunk["duration"] / TICKS_PER_SECOND
                words.append(Word(chunk["text"], start, end))
    state = talk.state
    mp3 = b"".join(audio)
    complete = state["chunk_audio_bytes"] == 0 and state["cumulative_audio_bytes"] == len(mp3)
    return Exchange(mp3, tuple(words), complete)
