"""Google Translate's voices through the gTTS library: online, 100 characters a request, throttled.

gTTS builds every request and decodes every answer itself. This module adds what a whole episode
needs around it: text cut at sentence, clause and word boundaries, a cap on requests in flight
across threads, retries with backoff that honour ``Retry-After``, and the MP3 decoded to PCM with
soundfile (no ffmpeg).
"""

from __future__ import annotations

import functools
import logging
import re
import threading
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import numpy.typing as npt
import requests
import urllib3
from gtts import gTTSError
from gtts.lang import tts_langs

from polycast.errors import ConfigError, EngineError, UnsupportedLanguage
from polycast.models import Clip
from polycast.speak.backoff import Backoff, Failure, http_failure, retry_after_seconds
from polycast.speak.base import describe_languages, normalize_language
from polycast.speak.gtts_adapter import Request, answer_of, network_cause, speakable
from polycast.speak.mp3_answer import decode_mp3

log = logging.getLogger(__name__)

DEFAULT_ENDPOINT = "https://translate.google.{tld}"
"""Where requests go; ``{tld}`` becomes the language's Google domain (its accent)."""
DEFAULT_TLDS: Mapping[str, str] = {"en": "co.uk"}
"""Accent per language code; a language not listed uses ``com``."""
MAX_CHARS = 100
"""The endpoint reads at most this many characters per request."""
RATE = 24000
"""The endpoint answers 24 kHz mono MP3; clips come out at this rate."""

# Regional codes gTTS reaches through a Google domain rather than a language tag (gTTS docs).
_REGION_TLDS = {
    "en-gb": "co.uk", "en-us": "us", "en-au": "com.au", "en-ca": "ca", "en-in": "co.in",
    "en-ie": "ie", "en-za": "co.za", "en-ng": "com.ng", "fr-fr": "fr", "fr-ca": "ca",
    "pt-br": "com.br", "pt-pt": "pt", "es-es": "es", "es-mx": "com.mx", "es-us": "us",
}  # fmt: skip
# ISO 639-1 codes that gTTS spells the old way.
_ALIASES = {"he": "iw", "jv": "jw", "nb": "no"}
_TLD = re.compile(r"[a-z]{2,3}(\.[a-z]{2,3})?")
# Boundaries from strongest to weakest; the punctuation stays with the text before it.
_LEVELS = (
    re.compile(r"(?<=[.!?…])\s+|(?<=[.!?…][\"'”’»)\]])\s+"),
    re.compile(r"(?<=[,;:—–])\s+"),
    re.compile(r"\s+"),
)


def split_text(text: str, limit: int = MAX_CHARS) -> list[str]:
    """Cut ``text`` into pieces of at most ``limit`` characters at the most natural boundaries.

    Whole sentences are packed together while they fit; a longer sentence is cut between clauses
    (after , ; : — –), a longer clause between words. Only a single word longer than ``limit`` (a
    long URL) is cut inside. Joining the pieces with spaces gives the text, whitespace collapsed.

    >>> split_text("One. Two. Three, four, five. Six.", limit=12)
    ['One. Two.', 'Three, four,', 'five.', 'Six.']
    """
    flat = " ".join(text.split())
    return _pack(flat, limit, 0) if flat else []


def _pack(text: str, limit: int, level: int) -> list[str]:
    """Split ``text`` at boundaries of ``level`` (or weaker) into pieces of at most ``limit``."""
    if len(text) <= limit:
        return [text]
    if level == len(_LEVELS):
        return [text[i : i + limit] for i in range(0, len(text), limit)]
    pieces: list[str] = []
    mergeable = False  # a piece cut out of a longer part stands alone, so cuts stay at boundaries
    for part in _LEVELS[level].split(text):
        if len(part) > limit:
            pieces += _pack(part, limit, level + 1)
            mergeable = False
        elif mergeable and len(pieces[-1]) + 1 + len(part) <= limit:
            pieces[-1] += " " + part
        else:
            pieces.append(part)
            mergeable = True
    return pieces


@functools.cache
def _languages() -> dict[str, str]:
    """Map every language code we accept (lowercase) to gTTS's spelling of it."""
    langs = {code.lower(): code for code in tts_langs()}
    langs.update({ours: langs[theirs] for ours, theirs in _ALIASES.items() if theirs in langs})
    langs.update({code: langs[code[:2]] for code in _REGION_TLDS if code not in langs})
    return langs


def _http_failure(response: requests.Response) -> Failure:
    """Describe an HTTP error answer; 408, 429 and 5xx are worth another try."""
    wait = retry_after_seconds(response.headers.get("Retry-After"))
    refused = "refused; the API may have changed"
    return http_failure(
        "gTTS", response.status_code, response.url, str(response.reason), refused=refused, wait=wait
    )


def _network_failure(error: BaseException | None, timeout: float) -> Failure:
    """Describe a failed exchange; an endpoint that cannot be reached at all is not retried."""
    if isinstance(error, requests.Timeout):
        return Failure(f"the gTTS endpoint did not answer within {timeout:g} s", True)
    reason = getattr(error.args[0], "reason", None) if error and error.args else None
    if isinstance(reason, urllib3.exceptions.NewConnectionError):
        host = urlsplit(str(getattr(getattr(error, "request", None), "url", ""))).netloc
        return Failure(f"cannot reach the gTTS endpoint at {host} (offline or blocked?)", False)
    return Failure("the gTTS endpoint dropped the connection", True)


def _gtts_failure(error: Any, timeout: float) -> Failure:
    """Describe what gTTS reported: an HTTP error, an answer without audio, or a network failure."""
    response = answer_of(error)
    if response is None:
        return _network_failure(network_cause(error), timeout)
    if response.status_code == 200:
        return Failure("the gTTS endpoint answered without audio", True)
    return _http_failure(response)


class GttsEngine:
    """Google Translate's voices through gTTS: good speech in ~70 languages, online only.

    ``synthesize`` is safe from many threads: at most ``max_in_flight`` requests are out at once,
    and a 429 or ``Retry-After`` pauses every thread, not only the one that got it.
    """

    name = "gtts"
    network = True
    """Requests wait on the network, so the runner uses threads for this engine."""

    deterministic = False
    """The remote voice may change at any time."""

    def __init__(
        self,
        *,
        endpoint: str = DEFAULT_ENDPOINT,
        tlds: Mapping[str, str] | None = None,
        max_in_flight: int = 4,
        retries: int = 5,
        base_delay: float = 1.0,
        max_delay: float = 30.0,
        retry_after_cap: float = 120.0,
        timeout: float = 10.0,
        slow: bool = False,
    ) -> None:
        """Set where requests go and how hard to try.

        Args:
            endpoint: Base URL of the speech endpoint; ``{tld}`` is replaced by the Google domain.
            tlds: Google domain (accent) per language code, over ``DEFAULT_TLDS``.
            max_in_flight: Most requests out at once, across all threads.
            retries: Further tries after a failure worth retrying.
            base_delay: Seconds before the first retry; doubles each time, with jitter.
            max_delay: Longest wait between tries from backoff alone.
            retry_after_cap: Longest wait a server's ``Retry-After`` can impose.
            timeout: Seconds to wait for the endpoint to connect and to answer.
            slow: Ask for slower speech.

        Raises:
            ConfigError: an option is out of range or a domain is not like ``com`` or ``co.uk``.
        """
        self.tlds = {**DEFAULT_TLDS, **{normalize_language(k): v for k, v in (tlds or {}).items()}}
        if urlsplit(endpoint).scheme not in ("http", "https"):
            raise ConfigError(f"gTTS endpoint must be an http(s) URL, not {endpoint!r}")
        if max_in_flight < 1 or retries < 0 or min(base_delay, max_delay, retry_after_cap) < 0:
            raise ConfigError("gTTS needs max_in_flight >= 1 and retries and delays >= 0")
        if bad := [t for t in self.tlds.values() if not _TLD.fullmatch(t)]:
            raise ConfigError(f"not a Google domain for gTTS: {bad[0]!r} (like com, co.uk)")
        self.endpoint, self.timeout, self.slow = endpoint, timeout, slow
        self.backoff = Backoff(retries, base_delay, max_delay, retry_after_cap, logger=log)
        self._slots = threading.BoundedSemaphore(max_in_flight)

    def voices(self) -> dict[str, list[str]]:
        """Return every language gTTS speaks (no network), each with its accents, default first."""
        return {code: self._accents(code) for code in sorted(_languages())}

    def identity(self, lang: str, voice: str | None = None) -> str:
        """Name what shapes the audio: language, accent, speed, and a non-default endpoint."""
        glang, tld = self._resolve(lang, voice)
        where = "" if self.endpoint == DEFAULT_ENDPOINT else f" endpoint={self.endpoint}"
        return f"gtts lang={glang} tld={tld} slow={self.slow} split={MAX_CHARS}{where}"

    def synthesize(self, text: str, lang: str, voice: str | None = None) -> Clip:
        """Speak ``text``, one request per piece of at most 100 characters, joined in order.

        ``voice`` is a Google domain (``co.uk``, ``com.au``) choosing the accent.

        Raises:
            UnsupportedLanguage: gTTS does not speak ``lang``.
            EngineError: the voice is not a domain, or the endpoint failed beyond its retries.
        """
        glang, tld = self._resolve(lang, voice)
        # gTTS asserts on a piece of only punctuation ("…"); its own cleaner says which those are.
        parts = [part for part in split_text(text) if speakable(part)]
        pieces = [self._fetch_with_retries(part, glang, tld) for part in parts]
        return Clip(np.concatenate(pieces) if pieces else np.zeros(0, np.int16), RATE)

    def probe(self, timeout: float = 2.0) -> bool:
        """Ask the endpoint for one tiny piece, no retries; False on any failure (auto's probe)."""
        try:
            self._fetch("ok", "en", self.tlds.get("en", "com"), timeout)
        except Exception as e:  # a probe answers yes or no, whatever went wrong
            log.info("gTTS endpoint unavailable: %s", e)
            return False
        return True

    def _resolve(self, lang: str, voice: str | None) -> tuple[str, str]:
        """Return gTTS's language tag and the Google domain for our ``lang`` and ``voice``."""
        code = normalize_language(lang)
        base = code.split("-", 1)[0]
        langs = _languages()
        glang = langs.get(code) or langs.get(base)
        if glang is None:
            have = describe_languages(langs)
            raise UnsupportedLanguage(f"gTTS has no voice for language {lang!r}; it has {have}")
        if voice is not None and not _TLD.fullmatch(voice):
            raise EngineError(f"gTTS voice {voice!r} is not a Google domain (like co.uk, com.au)")
        tld = voice or self.tlds.get(code) or _REGION_TLDS.get(code) or self.tlds.get(base)
        return glang, tld or "com"

    def _accents(self, code: str) -> list[str]:
        """List the default domain for ``code``, then the other accents known for its language."""
        base = code.split("-", 1)[0]
        others = [tld for region, tld in _REGION_TLDS.items() if region.startswith(base + "-")]
        return list(dict.fromkeys([self._resolve(code, None)[1], *others]))

    def _fetch_with_retries(self, text: str, glang: str, tld: str) -> npt.NDArray[np.int16]:
        """Fetch one piece, retrying what may pass; give up with a message a person can act on."""
        return self.backoff.run(lambda: self._fetch(text, glang, tld, self.timeout))

    def _fetch(self, text: str, glang: str, tld: str, timeout: float) -> npt.NDArray[np.int16]:
        """Send one request through gTTS (taking a slot) and decode its audio.

        No gTTS pre-processors: its ``abbreviations`` drops the period after any word ending in
        "st" or "dr" ("the test." -> "the test"), losing sentence ends, and the planner has cleaned
        the text for speech already. ``text`` fits one request, so gTTS never re-splits it.
        """
        request = Request(
            self.endpoint.replace("{tld}", tld), text, tld=tld, lang=glang, slow=self.slow,
            lang_check=False, pre_processor_funcs=[], timeout=timeout,
        )  # fmt: skip
        with self._slots:
            try:
                mp3 = b"".join(request.stream())
            except gTTSError as e:
                raise _gtts_failure(e, timeout) from e
            except requests.RequestException as e:  # raised while reading the answer
                raise _network_failure(e, timeout) from e
            except ValueError as e:  # not UTF-8 or not base64
                raise Failure("the gTTS endpoint sent an unreadable answer", True) from e
        return decode_mp3(mp3, RATE, "gTTS")
