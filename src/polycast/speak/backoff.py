"""What the online engines share about waiting: a server's ``Retry-After``, and their retries."""

from __future__ import annotations

import logging
import math
import random
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TypeVar

from polycast.errors import EngineError

T = TypeVar("T")

log = logging.getLogger(__name__)


def retry_after_seconds(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (seconds or an HTTP date); None if absent.

    >>> retry_after_seconds("2.5"), retry_after_seconds(None), retry_after_seconds("soon")
    (2.5, None, None)
    """
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        when = when if when.tzinfo else when.replace(tzinfo=UTC)
        seconds = (when - datetime.now(UTC)).total_seconds()
    return max(0.0, seconds) if math.isfinite(seconds) else None


class Failure(Exception):
    """One failed request of an online engine: what went wrong, whether to retry, how long."""

    def __init__(
        self, what: str, retryable: bool, *, status: int | None = None, wait: float | None = None
    ) -> None:
        """Keep what the failure means; a 429 or a ``Retry-After`` slows every request down."""
        super().__init__(what)
        self.retryable = retryable
        """Whether another try may pass (a 5xx, a timeout), or never will (a 404, a bad voice)."""
        self.throttled = status == 429 or wait is not None
        """Whether the server asked every request to slow down (a 429, a ``Retry-After``)."""
        self.wait = wait
        """Seconds the server asked to wait, if it said."""


def http_failure(
    endpoint: str, status: int, url: object, reason: str, *, refused: str, wait: float | None
) -> Failure:
    """Describe an HTTP error answer from ``endpoint``; 408, 429 and 5xx are worth another try."""
    cause = {
        403: refused,
        404: f"no speech service at {url}; check the endpoint",
        429: "rate limited",
    }.get(status, "server error" if status >= 500 else reason)
    retryable = status in (408, 429) or status >= 500
    return Failure(
        f"{status} from the {endpoint} endpoint: {cause}", retryable, status=status, wait=wait
    )


class Backoff:
    """Retries for one online engine, shared by all its threads.

    Each failed request that may pass is tried again after an exponential delay with jitter, at
    least what the server's ``Retry-After`` asked (capped); a throttled answer pauses every
    thread of the engine, not only the one that got it. Past its retries, one ``EngineError`` says
    what failed, how long was spent, and that a rerun resumes from the cache.
    """

    def __init__(
        self,
        retries: int,
        base_delay: float,
        max_delay: float,
        cap: float,
        *,
        logger: logging.Logger = log,
        told_s: float = 0.0,
    ) -> None:
        """Set how often and how long to try; a retry waiting ``told_s`` or more is a warning."""
        self.retries, self.base_delay, self.max_delay = retries, base_delay, max_delay
        self.cap = cap
        self.logger, self.told_s = logger, told_s
        self._lock = threading.Lock()
        self._paused_until = 0.0

    def run(self, attempt: Callable[[], T]) -> T:
        """Return what ``attempt`` gives, trying it again while it raises a retryable ``Failure``.

        Raises:
            EngineError: the failure cannot pass, or it did not within the retries.
        """
        started, tries = time.monotonic(), 0
        while True:
            with self._lock:
                pause = self._paused_until - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            try:
                return attempt()
            except Failure as failed:
                if not failed.retryable or tries == self.retries:
                    spent = time.monotonic() - started
                    tried = f"retried {tries} times over {spent:.3g} s; " if tries else ""
                    raise EngineError(f"{failed}; {tried}rerun resumes from cache") from failed
                tries += 1
                time.sleep(self._wait(tries, failed))

    def _wait(self, tries: int, failed: Failure) -> float:
        """Decide, log and share how long to wait before try number ``tries + 1``."""
        delay = self.delay(tries - 1, failed.wait)
        if failed.throttled:
            with self._lock:
                self._paused_until = max(self._paused_until, time.monotonic() + delay)
        level = logging.WARNING if delay >= self.told_s else logging.INFO
        self.logger.log(level, "%s; retry %d of %d in %.1f s", failed, tries, self.retries, delay)
        return delay

    def delay(self, attempt: int, wait: float | None) -> float:
        """Exponential backoff with jitter, at least the server's ``Retry-After`` (capped)."""
        backoff = min(self.max_delay, self.base_delay * 2.0**attempt) * random.uniform(0.5, 1.0)
        return backoff if wait is None else max(backoff, min(wait, self.cap))
