"""One exchange with the edge service: run it, say what a failure means, decode what it brought.

Everything here loads aiohttp, edge-tts, numpy and soundfile, so ``polycast.speak.edge`` imports it
only when it first speaks: listing voices or choosing an engine stays light.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import aiohttp
import numpy as np
import numpy.typing as npt
from edge_tts.exceptions import EdgeTTSException, NoAudioReceived, SkewAdjustmentError

from polycast.speak import edge_adapter
from polycast.speak.backoff import Failure, http_failure, retry_after_seconds
from polycast.speak.edge import MARGIN_S, RATE
from polycast.speak.mp3_answer import decode_mp3

T = TypeVar("T")

LATE_S = 0.1
"""How far the audio may stop short of the last word's end before it counts as cut off."""


def _http_failure(error: aiohttp.ClientResponseError) -> Failure:
    """Describe a refused handshake; 408, 429 and 5xx are worth another try."""
    wait = retry_after_seconds(error.headers.get("Retry-After") if error.headers else None)
    url = error.request_info.url.with_query(None)
    refused = "refused; the service may have changed its token (update edge-tts)"
    return http_failure(
        "edge", error.status, url, error.message or "refused", refused=refused, wait=wait
    )


_SIMPLE: tuple[tuple[type[BaseException], str, bool], ...] = (
    (NoAudioReceived, "the edge endpoint sent no audio", True),
    (SkewAdjustmentError, "403 from the edge endpoint: refused, with no date to sync to", False),
    (aiohttp.ClientError, "the edge endpoint dropped the connection", True),
)
"""Exceptions that mean one thing whatever they carry, in the order they are tried."""


def failure_of(error: BaseException, timeout: float) -> Failure:
    """Say what an exception out of one exchange means; unreachable endpoints are not retried."""
    if isinstance(error, aiohttp.ClientResponseError):
        return _http_failure(error)
    if isinstance(error, aiohttp.ClientConnectorError):
        where = f"{error.host}:{error.port}"
        return Failure(f"cannot reach the edge endpoint at {where} (offline or blocked?)", False)
    if isinstance(error, TimeoutError):
        return Failure(f"the edge endpoint did not answer within {timeout:g} s", True)
    for kind, what, retryable in _SIMPLE:
        if isinstance(error, kind):
            return Failure(what, retryable)
    return Failure("the edge endpoint sent frames that are not its protocol", True)


def spoken(
    samples: npt.NDArray[np.int16], words: tuple[edge_adapter.Word, ...]
) -> npt.NDArray[np.int16]:
    """Cut the audio to its words (with a margin), checking it reaches the last one.

    The word boundaries are the service's own account of where the speech lies, so a cue starts
    and ends where its first and last words do rather than where the engine's padding does.
    """
    if not words:
        return samples
    length, end = len(samples) / RATE, words[-1].end
    if length < end - LATE_S:
        raise Failure(
            f"the edge endpoint's audio stops at {length:.2f} s, before its last word ends "
            f"at {end:.2f} s", True,
        )  # fmt: skip
    first = max(0, math.floor((words[0].start - MARGIN_S) * RATE))
    return samples[first : math.ceil((end + MARGIN_S) * RATE)]


def fetch(
    endpoint: str, text: str, voice: str, prosody: tuple[str, str], timeout: float
) -> npt.NDArray[np.int16]:
    """Run one exchange in an event loop of its own and return its speech at ``RATE``.

    Args:
        endpoint: The service's WebSocket URL.
        text: What to say.
        voice: The voice's name (``nl-NL-FennaNeural``).
        prosody: Rate and pitch as edge-tts spells them (``+10%``, ``-5Hz``).
        timeout: Seconds the whole exchange may take.

    Raises:
        Failure: the exchange failed, or brought audio cut short or not MP3.
    """
    try:
        talk = edge_adapter.communicate(text, voice, *prosody, max(1, math.ceil(timeout)))
    except ValueError as e:  # its own check of the voice, rate and pitch
        raise Failure(f"edge-tts refuses voice {voice!r} or {' '.join(prosody)}: {e}", False) from e
    try:
        got = run_alone(_within(edge_adapter.exchange(endpoint, talk), timeout))
    except (aiohttp.ClientError, TimeoutError, EdgeTTSException) as e:
        raise failure_of(e, timeout) from e
    except (ValueError, KeyError, TypeError, IndexError) as e:  # frames it cannot parse
        raise failure_of(e, timeout) from e
    if not got.complete:
        raise Failure("the edge endpoint closed the connection mid-stream", True)
    return spoken(decode_mp3(got.mp3, RATE, "edge"), got.words)


def silence() -> npt.NDArray[np.int16]:
    """No samples: the audio of a text with nothing to say."""
    return np.zeros(0, np.int16)


def run_alone(work: Coroutine[Any, Any, T]) -> T:
    """Run ``work`` to its end on an event loop of its own, and return what it gives.

    ``asyncio.run`` refuses to start where an event loop already runs in the same thread (a
    notebook, an async web app, a browser driver calling polycast's API), so there the exchange
    runs on a thread of its own; elsewhere it runs here, with no thread to start.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # none runs here: the usual case
        return asyncio.run(work)
    with ThreadPoolExecutor(1, thread_name_prefix="polycast-edge") as alone:
        return alone.submit(asyncio.run, work).result()


async def _within(work: Any, timeout: float) -> edge_adapter.Exchange:
    """Await ``work`` for at most ``timeout`` seconds (raising TimeoutError past it)."""
    result: edge_adapter.Exchange = await asyncio.wait_for(work, timeout)
    return result
