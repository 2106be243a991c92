"""espeak-ng, embedded: the offline default voice, in ~100 languages, with no system packages.

The library and its data come from the ``espeakng-loader`` wheel and are driven through ctypes:
``espeak_Initialize`` in synchronous mode hands every block of samples to a callback while
``espeak_Synth`` runs, so a whole cue comes back as one array. The library keeps global state
(one current voice, one callback) and is not thread-safe, so one lock serialises it per process;
the runner gets parallelism from worker processes, each with its own copy. Each utterance gets
a freshly loaded library, so the same text gives the same samples in any process, in any order.
"""

from __future__ import annotations

import ctypes
import logging
import os
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import espeakng_loader  # type: ignore[import-untyped]

from polycast.errors import ConfigError, EngineError, UnsupportedLanguage
from polycast.models import Clip
from polycast.speak.base import describe_languages, match_language
from polycast.speak.espeak_c import Callback, close, declare, parse_languages
from polycast.speak.held_signals import Held, held

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger(__name__)

_AUDIO_OUTPUT_SYNCHRONOUS = 2
_INITIALIZE_DONT_EXIT = 0x8000
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
_PARAM_RATE = 1
_PARAM_PITCH = 3
_SEED = 1
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
    """The libespeak-ng of this process, loaded afresh for every utterance, used under one lock.

    The library keeps synthesis state in static variables that neither ``espeak_Initialize``
    nor a random seed resets (pitch flutter position, gain control, echo buffer), so a text's
    samples would depend on what was spoken before it. Unloading and loading it again puts every
    one back to its starting value; with a fixed seed each utterance is then the same bytes
    wherever and whenever it is spoken (a few milliseconds a cue: the data files stay cached).
    """

    def __init__(self) -> None:
        try:
            self.data = Path(espeakng_loader.get_data_path())
            self.path = espeakng_loader.get_library_path()
        except (OSError, RuntimeError) as e:
            raise EngineError(
                f"cannot load espeak-ng from the espeakng-loader package: {e}; reinstall polycast"
            ) from e
        self.lock = threading.Lock()
        self._pcm = bytearray()
        self._interrupt: BaseException | None = None
        self._held: Held | None = None
        """Signals held while espeak speaks, for the callback to stop early on."""
        """An exception raised inside the callback (Ctrl-C), for ``speak`` to raise again."""
        self._callback = Callback(self._collect)  # kept referenced: the library calls it later
        self.rate = 0
        self.files: dict[str, str] = {}
        """Each voice id's file under ``lang/`` (``nl`` -> ``gmw/nl``), where the id is unique."""
        lib = self._open()
        try:
            self.version = (lib.espeak_Info(None) or b"?").decode()
            self.voices = self._list_voices(lib)
        finally:
            close(lib)

    def _open(self) -> ctypes.CDLL:
        """Load and initialise a pristine copy of the library, seeded the same every time."""
        try:
            lib = ctypes.CDLL(self.path)
        except OSError as e:
            raise EngineError(
                f"cannot load espeak-ng from {self.path}: {e}; reinstall polycast"
            ) from e
        declare(lib)
        rate = int(
            lib.espeak_Initialize(
                _AUDIO_OUTPUT_SYNCHRONOUS, 0, str(self.data).encode(), _INITIALIZE_DONT_EXIT
            )
        )
        if rate <= 0:
            close(lib)
            raise EngineError(f"espeak-ng failed to start with its data in {self.data}")
        self.rate = rate
        lib.espeak_ng_SetRandSeed(_SEED)  # espeak_Initialize seeds it from the clock
        lib.espeak_SetSynthCallback(self._callback)
        return lib

    def _collect(self, wav: ctypes.Array[ctypes.c_short], count: int, events: int) -> int:
        """Keep a block of samples; end the synthesis early once a stop signal has come.

        Signals are held while espeak runs (``held_signals``): one raised in here would be printed
        and swallowed by ctypes. Any other exception is kept for ``speak`` to raise.
        """
        try:
            if self._held is not None and self._held.signum is not None:
                return 1  # abort: speak hands the signal on once espeak has returned
            if count > 0 and wav:
                self._pcm += ctypes.string_at(wav, count * 2)
            return 0  # carry on
        except BaseException as e:  # re-raised by speak, outside the callback
            self._interrupt = e
            return 1

    def _list_voices(self, lib: ctypes.CDLL) -> dict[str, tuple[str, ...]]:
        """Map every language code to its voice ids, best first, leaving out voices with no data."""
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
        self.files = {vid: found[0] for vid, found in files.items() if len(found) == 1}
        return {code: tuple(ids) for code, ids in sorted(voices.items())}

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
        """Speak ``text`` with ``voice`` and return int16 samples; callers hold ``lock``."""
        import numpy as np  # noqa: PLC0415 (slow import, only when speaking)

        lib = self._open()
        try:
            if lib.espeak_SetVoiceByName(voice.encode()) != 0:
                raise EngineError(f"espeak-ng has no voice '{voice}'; `polycast voices` lists them")
            lib.espeak_SetParameter(_PARAM_RATE, rate, 0)
            lib.espeak_SetParameter(_PARAM_PITCH, pitch, 0)
            data = text.replace("\0", " ").encode("utf-8") + b"\0"
            self._pcm = bytearray()
            with held() as self._held:
                status = lib.espeak_Synth(
                    data, len(data), 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None
                )
            if self._interrupt is not None:
                interrupt, self._interrupt = self._interrupt, None
                raise interrupt
            if status != 0:
                raise EngineError(
                    f"espeak-ng failed to speak with voice '{voice}' (status {status})"
                )
            samples = np.frombuffer(bytes(self._pcm), dtype=np.int16)
        finally:
            self._pcm, self._held = bytearray(), None
            close(lib)
        return samples


_LIBRARY: _Library | None = None
_LOAD_LOCK = threading.Lock()


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
    releases_gil = False
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
        with library.lock:
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
