"""The contract every voice engine fulfils, and the small helpers every engine shares."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from enum import Enum
from typing import Protocol, runtime_checkable

from polycast import langcodes
from polycast.models import Clip


@runtime_checkable
class Engine(Protocol):
    """A text-to-speech engine: gTTS, espeak-ng, Piper, or a third party's.

    Engines are looked up by ``name``. ``synthesize`` must be safe to call from several threads;
    an engine whose library is not thread-safe serialises calls itself.

    Optional class attributes tell the runner how to run an engine in parallel (see
    ``concurrency_of``); they are not part of the Protocol so a minimal engine stays minimal:

    - ``network: bool`` -- the engine waits on a server: run it in threads.
    - ``releases_gil: bool`` -- the engine computes outside the GIL (onnxruntime): threads suffice.
    - ``deterministic: bool`` -- the same input gives the same samples every time.

    An engine that needs a server has an optional ``probe(timeout: float) -> bool`` method: one
    short request, no retries, True when the server answers within ``timeout`` seconds and False
    on any failure (never raising). ``auto`` asks it before choosing the engine (``answers``).
    """

    name: str
    """Registry name (``espeak``, ``gtts``, ``piper``)."""

    def voices(self) -> Mapping[str, Sequence[str]]:
        """Return the voices this machine has, per language code; the first is the default."""
        ...

    def synthesize(self, text: str, lang: str, voice: str | None = None) -> Clip:
        """Speak ``text`` in ``lang`` and return the audio.

        Raises:
            UnsupportedLanguage: the engine has no voice for ``lang``.
            EngineError: the engine failed.
        """
        ...

    def identity(self, lang: str, voice: str | None = None) -> str:
        """Return a string naming everything that shapes the audio (voice, version, options).

        The cache keys audio by this and the text, so changing any option re-synthesises.
        """
        ...


def answers(engine: Engine, timeout: float) -> bool:
    """Say whether ``engine`` can speak now: its ``probe(timeout)``, or yes when it has none.

    An engine without a probe needs no server (espeak, Piper), so it always answers.
    """
    probe = getattr(engine, "probe", None)
    return bool(probe(timeout=timeout)) if callable(probe) else True


class Concurrency(Enum):
    """How the runner may run several syntheses of one engine at once."""

    THREADS = "threads"
    """Threads in this process: the engine waits on a network or computes outside the GIL."""
    PROCESSES = "processes"
    """Worker processes: the engine holds the GIL or keeps global state."""


def concurrency_of(engine: Engine) -> Concurrency:
    """Say how ``engine`` runs in parallel, from its optional ``network``/``releases_gil`` flags."""
    if getattr(engine, "network", False) or getattr(engine, "releases_gil", False):
        return Concurrency.THREADS
    return Concurrency.PROCESSES


def normalize_language(lang: str) -> str:
    """Write a language code the way engines key their voices: lower case, ``-`` separated.

    >>> normalize_language("en_US")
    'en-us'
    """
    return langcodes.normalize(lang)


def match_language(lang: str, available: Iterable[str]) -> str | None:
    """Find the code in ``available`` that speaks ``lang``: itself, else its primary language.

    ``en-AU`` is spoken by an ``en`` voice when there is no ``en-au`` one; ``en`` is never
    silently answered by ``en-au``, the caller decides which regional voice ``en`` means.

    >>> match_language("en_AU", ["nl", "en"])
    'en'
    >>> match_language("de", ["nl", "en"]) is None
    True
    """
    codes = {normalize_language(code): code for code in available}
    wanted = normalize_language(lang)
    if wanted in codes:
        return codes[wanted]
    primary = langcodes.primary(wanted)
    return codes.get(primary)


def describe_languages(languages: Iterable[str], limit: int = 12) -> str:
    """List some language codes for an error message, sorted, saying how many were left out.

    >>> describe_languages(["nl", "en", "de"], limit=2)
    'de, en and 1 more'
    """
    codes = sorted(set(languages))
    if not codes:
        return "none"
    if len(codes) <= limit:
        return ", ".join(codes)
    return f"{', '.join(codes[:limit])} and {len(codes) - limit} more"
