"""Microsoft's neural voices through edge-tts: natural speech, online, one exchange per cue.

edge-tts speaks the service's WebSocket protocol (its token, the ``speech.config`` and ``ssml``
messages, the audio frames, the word boundaries, ``turn.end``). This module adds what a whole
episode needs around it: a voice per language, a cap on exchanges in flight across threads, and
retries with backoff that honour ``Retry-After``. ``edge_fetch`` runs one exchange (an exchange
cut short told from a whole one, the MP3 decoded with soundfile, no ffmpeg, and cut to the speech
its word boundaries mark); it is imported on first speech, so listing voices stays light.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from polycast import langcodes
from polycast.errors import ConfigError, EngineError, UnsupportedLanguage
from polycast.models import Clip
from polycast.speak import edge_voices
from polycast.speak.backoff import Backoff
from polycast.speak.base import describe_languages, match_language

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

log = logging.getLogger(__name__)

DEFAULT_ENDPOINT = "wss://speech.platform.bing.com/consumer/speech/synthesize/readaloud/edge/v1"
"""Where exchanges go; edge-tts adds the service's token and its per-connection parameters."""
RATE = 24000
"""The service answers 24 kHz mono MP3 (``audio-24khz-48kbitrate-mono-mp3``)."""
MARGIN_S = 0.15
"""Audio kept before the first word and after the last one: the MP3 decoder's delay and more."""
TOLD_S = 2.0
"""A wait for a retry at least this long is a warning (a person sees why nothing moves); a
shorter one is only logged, so a failure that retries quickly still ends in one line."""


class EdgeEngine:
    """Microsoft's neural voices through edge-tts: natural speech in ~60 languages, online only.

    ``synthesize`` is safe from many threads: at most ``max_in_flight`` exchanges are out at
    once, and a 429 or ``Retry-After`` pauses every thread, not only the one that got it.
    """

    name = "edge"
    network = True
    """Exchanges wait on the network, so the runner uses threads for this engine."""
    deterministic = False
    """The remote voice may change at any time."""

    def __init__(
        self,
        *,
        endpoint: str = DEFAULT_ENDPOINT,
        voices: Mapping[str, str] | None = None,
        rate: int = 0,
        pitch: int = 0,
        max_in_flight: int = 4,
        retries: int = 5,
        base_delay: float = 1.0,
        max_delay: float = 30.0,
        retry_after_cap: float = 120.0,
        timeout: float = 20.0,
    ) -> None:
        """Set the voices, where exchanges go and how hard to try.

        Args:
            endpoint: WebSocket URL of the speech service (``ws://`` or ``wss://``, no query).
            voices: A voice per language over the defaults (``{"nl": "nl-BE-DenaNeural"}``).
            rate: Speaking rate change in percent (-50 to 100).
            pitch: Pitch change in hertz (-50 to 50).
            max_in_flight: Most exchanges out at once, across all threads.
            retries: Further tries after a failure worth retrying.
            base_delay: Seconds before the first retry; doubles each time, with jitter.
            max_delay: Longest wait between tries from backoff alone.
            retry_after_cap: Longest wait a server's ``Retry-After`` can impose.
            timeout: Seconds one exchange may take, from connecting to its last frame.

        Raises:
            ConfigError: an option is out of range, or a voice is not a neural voice's name.
        """
        if urlsplit(endpoint).scheme not in ("ws", "wss") or urlsplit(endpoint).query:
            raise ConfigError(f"edge endpoint must be a ws(s) URL with no query, not {endpoint!r}")
        if not (-50 <= rate <= 100 and -50 <= pitch <= 50):
            raise ConfigError(f"edge rate {rate}% or pitch {pitch} Hz is out of range")
        if max_in_flight < 1 or retries < 0 or min(base_delay, max_delay, retry_after_cap) < 0:
            raise ConfigError("edge needs max_in_flight >= 1 and retries and delays >= 0")
        if timeout <= 0:
            raise ConfigError(f"edge timeout must be above 0 s, not {timeout}")
        self.chosen = {langcodes.normalize(k): v for k, v in (voices or {}).items()}
        for lang, voice in self.chosen.items():
            self._check_voice(lang, voice, ConfigError)
        self.endpoint, self.rate, self.pitch = endpoint, rate, pitch
        self.timeout = timeout
        self.backoff = Backoff(
            retries, base_delay, max_delay, retry_after_cap, logger=log, told_s=TOLD_S
        )
        self._slots = threading.BoundedSemaphore(max_in_flight)

    def voices(self) -> dict[str, list[str]]:
        """Return the voices per language (no network), each language's default first."""
        table = {code: list(names) for code, names in edge_voices.table().items()}
        for lang, voice in self.chosen.items():
            table[lang] = list(dict.fromkeys([voice, *table.get(lang, [])]))
        return table

    def identity(self, lang: str, voice: str | None = None) -> str:
        """Name what shapes the audio: the voice, rate, pitch, and a non-default endpoint."""
        where = "" if self.endpoint == DEFAULT_ENDPOINT else f" endpoint={self.endpoint}"
        chosen = self.voice_for(lang, voice)
        shape = f"rate={self.rate:+d}% pitch={self.pitch:+d}Hz margin={MARGIN_S:g}"
        return f"edge voice={chosen} {shape}{where}"

    def voice_for(self, lang: str, voice: str | None = None) -> str:
        """Name the voice that speaks ``lang``: ``voice``, else the configured one, else ours.

        Raises:
            UnsupportedLanguage: no known voice speaks ``lang``.
            EngineError: ``voice`` is not a neural voice's name or speaks another language.
        """
        if voice is not None:
            return self._check_voice(lang, voice, EngineError)
        table = self.voices()
        code = match_language(lang, table)
        if code is None:
            have = describe_languages(table)
            raise UnsupportedLanguage(f"edge has no voice for language {lang!r}; it has {have}")
        return table[code][0]

    def _check_voice(self, lang: str, voice: str, error: type[Exception]) -> str:
        spoken = edge_voices.language_of(voice)
        if spoken is None:
            raise error(f"edge voice {voice!r} is not a neural voice (like nl-BE-DenaNeural)")
        if langcodes.primary(spoken) != langcodes.primary(lang):
            raise error(f"edge voice {voice!r} speaks {spoken}, not {lang}")
        return voice

    def synthesize(self, text: str, lang: str, voice: str | None = None) -> Clip:
        """Speak ``text`` in one exchange and return its audio, cut to its words.

        Raises:
            UnsupportedLanguage: no known voice speaks ``lang``.
            EngineError: the voice is wrong, or the endpoint failed beyond its retries.
        """
        from polycast.speak import edge_fetch  # noqa: PLC0415 (aiohttp, numpy: when speaking)

        chosen = self.voice_for(lang, voice)
        if not any(char.isalnum() for char in text):  # the service answers no audio to "…"
            return Clip(edge_fetch.silence(), RATE)
        return Clip(self._fetch_with_retries(text, chosen), RATE)

    def probe(self, timeout: float = 2.0) -> bool:
        """Say whether the endpoint speaks: one tiny exchange within ``timeout``, no retries."""
        try:
            self._fetch("ok", self.voice_for("en"), timeout)
        except Exception as e:  # a probe answers yes or no, whatever went wrong
            log.info("edge endpoint unavailable: %s", e)
            return False
        return True

    available = probe
    """The name ``auto`` asks gTTS by, so either engine can be probed alike."""

    def _fetch_with_retries(self, text: str, voice: str) -> npt.NDArray[np.int16]:
        """Fetch one cue, retrying what may pass; give up with a message a person can act on."""
        return self.backoff.run(lambda: self._fetch(text, voice, self.timeout))

    def _fetch(self, text: str, voice: str, timeout: float) -> npt.NDArray[np.int16]:
        """Run one exchange, taking a slot: at most ``max_in_flight`` are out at once."""
        from polycast.speak import edge_fetch  # noqa: PLC0415 (as in synthesize)

        prosody = (f"{self.rate:+d}%", f"{self.pitch:+d}Hz")
        with self._slots:
            return edge_fetch.fetch(self.endpoint, text, voice, prosody, timeout)
