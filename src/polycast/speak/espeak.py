"""espeak-ng, embedded: the offline default voice, in ~100 languages, with no system packages.

The library and its data come from the ``espeakng-loader`` wheel and are driven through ctypes:
``espeak_Initialize`` in synchronous mode hands every block of samples to a callback while
``espeak_Synth`` runs, so a whole cue comes back as one array. The library keeps global state
(one current voice, one callback), so a thread speaks on a copy of the library that no other
thread is using (``espeak_copies``), and threads speak side by side. Each utterance gets a freshly
loaded library, so the same text gives the same samples in any thread or process, in any order.
"""

from __future__ import annotations

import ctypes
import os
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import espeakng_loader  # type: ignore[import-untyped]

from polycast.errors import ConfigError, EngineError, UnsupportedLanguage
from polycast.models import Clip
from polycast.speak import espeak_voices
from polycast.speak.base import describe_languages, match_language
from polycast.speak.espeak_c import parse_languages
from polycast.speak.espeak_copies import Copies

if TYPE_CHECKING:
    import numpy as np

_PREFERRED = {"en": "en-us"}
"""Which voice a bare language code means where espeak-ng ranks another first."""


def _dictionary_of(voice_file: str) -> str | None:
    """Name the dictionary a voice file needs: its ``dictionary`` line, else its first language.

    Read with plain ``open`` (not ``pathlib``): every command that speaks reads all ~140 voice
    files once, and the path objects alone cost a few milliseconds of a cached preview.
    """
    try:
        with open(voice_file, encoding="utf-8", errors="replace") as stream:  # noqa: PTH123
            lines = stream.read().splitlines()
    except OSError:
        return None
    words = [line.split() for line in lines]
    for key in ("dictionary", "language"):
        for parts in words:
            if len(parts) >= 2 and parts[0] == key:
                return parts[1].split("-", 1)[0].lower()
    return None


class _Library:
    """The libespeak-ng of this process: its voices, and copies of it that speak side by side.

    The library keeps synthesis state in static variables that neither ``espeak_Initialize``
    nor a random seed resets (pitch flutter position, gain control, echo buffer), so a text's
    samples would depend on what was spoken before it. Unloading and loading it again puts every
    one back to its starting value; with a fixed seed each utterance is then the same bytes
    wherever and whenever it is spoken (a few milliseconds a cue: the data files stay cached).
    Threads speak on copies of their own (``espeak_copies``).
    """

    def __init__(self) -> None:
        try:
            self.data = Path(espeakng_loader.get_data_path())
            self.path = espeakng_loader.get_library_path()
        except (OSError, RuntimeError) as e:
            raise EngineError(
                f"cannot load espeak-ng from the espeakng-loader package: {e}; reinstall polycast"
            ) from e
        self.copies = Copies(self.path, self.data)
        try:
            name = espeak_voices.key(self.path, self.data)
        except OSError:
            name = None
        kept = None if name is None else espeak_voices.read(_VOICES_FOLDER, name)
        if kept is None:
            kept = self._catalogue()
            if name is not None:
                espeak_voices.keep(_VOICES_FOLDER, name, kept)
        self.version, self.rate, self.voices = kept.version, kept.rate, kept.voices
        self.files = kept.files
        """Each voice id's file under ``lang/`` (``nl`` -> ``gmw/nl``), where the id is unique."""

    def _catalogue(self) -> espeak_voices.Catalogue:
        """Load the library once to ask its version and list its voices."""
        first = self.copies.take()
        lib = first.open()
        try:
            version = (lib.espeak_Info(None) or b"?").decode()
            voices, files = self._list_voices(lib)
        finally:
            first.close(lib)
            self.copies.give(first)
        return espeak_voices.Catalogue(version, first.rate, voices, files)

    def _list_voices(self, lib: ctypes.CDLL) -> tuple[dict[str, tuple[str, ...]], dict[str, str]]:
        """Map every language code to its voice ids, best first, leaving out voices with no data.

        Returns:
            The voices of every language, and each voice id's file where the id is unique.
        """
        ranked: dict[str, list[tuple[int, str]]] = {}
        try:
            bundled = set(os.listdir(self.data))  # noqa: PTH208 (see _dictionary_of)
        except OSError:
            bundled = set()
        lang = os.path.join(self.data, "lang")  # noqa: PTH118 (see _dictionary_of)
        entries = lib.espeak_ListVoices(None)
        index = 0
        files: dict[str, list[str]] = {}
        while entries[index]:
            voice = entries[index].contents
            identifier = (voice.identifier or b"").decode()
            index += 1
            dictionary = _dictionary_of(os.path.join(lang, identifier))  # noqa: PTH118
            if dictionary is None or f"{dictionary}_dict" not in bundled:
                continue  # listed, but its data is not bundled: it cannot speak
            voice_id = identifier.rsplit("/", 1)[-1].lower()
            files.setdefault(voice_id, []).append(identifier)
            for priority, code in parse_languages(voice.languages):
                ranked.setdefault(code, []).append((priority, voice_id))
        voices = {code: [v for _, v in sorted(pairs)] for code, pairs in ranked.items()}
        for code, preferred in _PREFERRED.items():
            if preferred in voices.get(code, []):
                voices[code].remove(preferred)
                voices[code].insert(0, preferred)
        unique = {vid: found[0] for vid, found in files.items() if len(found) == 1}
        return {code: tuple(ids) for code, ids in sorted(voices.items())}, unique

    def file_of(self, voice: str) -> str:
        """Name ``voice`` by its file (``nl+f3`` -> ``gmw/nl+f3``) when it is a listed voice id.

        Given a voice id, ``espeak_SetVoiceByName`` reads every voice file to find it (some
        300 files, 3 ms of every utterance, as each loads a fresh library); given its file, it
        loads that one. Both load the same voice: the samples are the same bytes.
        """
        base, plus, variant = voice.partition("+")
        found = self.files.get(base.lower())
        return voice if found is None else f"{found}{plus}{variant}"

    def speak(self, text: str, voice: str, rate: int, pitch: int) -> np.ndarray:
        """Speak ``text`` with ``voice`` on a copy no other thread is using; int16 samples.

        Raises:
            EngineError: the library failed, or has no voice named ``voice``.
        """
        copy = self.copies.take()
        try:
            return copy.speak(text, voice, rate, pitch)
        finally:
            self.copies.give(copy)


_LIBRARY: _Library | None = None
_LOAD_LOCK = threading.Lock()
_VOICES_FOLDER: Path | None = None
"""The cache folder the voice catalogue is kept in (``espeak_voices``); None keeps none."""


def keep_voices_in(folder: Path | None) -> None:
    """Keep the voice catalogue in cache ``folder`` (None: neither read nor write one).

    The speak stage says which folder as it chooses its engines: the build's cache folder, or
    none under ``--no-cache``. It matters only until the library is first used in the process.
    """
    global _VOICES_FOLDER  # noqa: PLW0603 -- a setting of the per-process library below
    _VOICES_FOLDER = folder


def _library() -> _Library:
    """Load espeak-ng on first use, once per process (importing this module stays cheap)."""
    global _LIBRARY  # noqa: PLW0603 -- the C library is a per-process singleton by nature
    with _LOAD_LOCK:
        if _LIBRARY is None:
            _LIBRARY = _Library()
        return _LIBRARY


class EspeakEngine:
    """espeak-ng voices from the bundled data: robotic but instant, offline, many languages.

    Args:
        rate: Speaking rate in words per minute (80-450; espeak-ng's default is 175).
        pitch: Base pitch, 0-99 (default 50).
        voices: A voice per language to use instead of the default (``{"en": "en-gb"}``).

    Raises:
        ConfigError: ``rate`` or ``pitch`` out of range.
    """

    name = "espeak"
    network = False
    releases_gil = True
    """ctypes lets go of the GIL while espeak-ng speaks, and each thread speaks on its own copy."""
    deterministic = True
    """Every utterance starts from a freshly loaded library with a fixed seed (see ``_Library``)."""

    def __init__(
        self, rate: int = 175, pitch: int = 50, voices: Mapping[str, str] | None = None
    ) -> None:
        if not 80 <= rate <= 450:
            raise ConfigError(f"espeak rate {rate} is out of range: use 80-450 words a minute")
        if not 0 <= pitch <= 99:
            raise ConfigError(f"espeak pitch {pitch} is out of range: use 0-99")
        self.rate = rate
        self.pitch = pitch
        self.chosen = dict(voices or {})
        self._resolved: dict[str, str] = {}

    def voices(self) -> Mapping[str, Sequence[str]]:
        """Return every language the bundled data speaks, with its voice ids, default first."""
        return dict(_library().voices)

    def voice_for(self, lang: str, voice: str | None = None) -> str:
        """Name the voice that speaks ``lang``: ``voice`` if given, else the configured default.

        Raises:
            UnsupportedLanguage: no bundled voice speaks ``lang``.
        """
        if voice:
            return voice
        if lang not in self._resolved:
            self._resolved[lang] = self._default_voice(lang)
        return self._resolved[lang]

    def _default_voice(self, lang: str) -> str:
        chosen = match_language(lang, self.chosen)
        if chosen is not None:
            return self.chosen[chosen]
        known = _library().voices
        code = match_language(lang, known)
        if code is None:
            raise UnsupportedLanguage(
                f"espeak-ng has no voice for language '{lang}'; "
                f"it speaks {describe_languages(known)}"
            )
        return known[code][0]

    def synthesize(self, text: str, lang: str, voice: str | None = None) -> Clip:
        """Speak ``text`` in ``lang`` as int16 mono at the library's rate (22050 Hz).

        Raises:
            UnsupportedLanguage: no bundled voice speaks ``lang``.
            EngineError: the library failed to load, or has no voice named ``voice``.
        """
        name = self.voice_for(lang, voice)
        library = _library()
        samples = library.speak(text, library.file_of(name), self.rate, self.pitch)
        return Clip(samples=samples, rate=library.rate)

    def identity(self, lang: str, voice: str | None = None) -> str:
        """Name the library version, voice and options that shape the audio (the cache key)."""
        name = self.voice_for(lang, voice)
        return f"espeak-ng/{_library().version} voice={name} rate={self.rate} pitch={self.pitch}"


def speak_text(text: str, lang: str, rate: int = 175, pitch: int = 50) -> Clip:
    """Speak a whole text, however long, in ONE library call (a baseline for benchmarks).

    Raises:
        UnsupportedLanguage: no bundled voice speaks ``lang``.
        EngineError: the library failed.
    """
    return EspeakEngine(rate=rate, pitch=pitch).synthesize(text, lang)
