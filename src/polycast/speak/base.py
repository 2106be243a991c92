"""The contract every voice engine fulfils."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol, runtime_checkable

from polycast.models import Clip


@runtime_checkable
class Engine(Protocol):
    """A text-to-speech engine: gTTS, espeak-ng, Piper, or a third party's.

    Engines are looked up by ``name``. ``synthesize`` must be safe to call from several threads;
    an engine whose library is not thread-safe serialises calls itself.
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
