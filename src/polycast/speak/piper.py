"""Piper: natural-sounding neural voices, offline, from ONNX voice files.

A voice is two files: ``<name>.onnx`` (the model) and ``<name>.onnx.json`` (its settings, which
name its language). Voices are given per language (``{"en": Path("en_US-joe-medium.onnx")}``) or
as a folder of them. A model is loaded once per process and shared by every thread: onnxruntime
computes outside the GIL, so the runner runs Piper in threads, each inference on one core (and
each thread on its own copy of the model: a copy runs one inference at a time).

Importing this module does not import onnxruntime or piper; the first synthesis does.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from polycast.errors import ConfigError, EngineError, UnsupportedLanguage
from polycast.models import Clip
from polycast.speak.base import describe_languages, match_language, normalize_language


@dataclass(frozen=True)
class PiperVoiceFile:
    """One Piper voice on disk and what its settings file says about it."""

    name: str
    """The model's file name without ``.onnx`` (``en_US-joe-medium``)."""
    model: Path
    """The ``.onnx`` model."""
    languages: tuple[str, ...]
    """Language codes it speaks, most specific first (``en-us``, ``en``)."""
    rate: int
    """Sample rate of its audio."""
    digest: str
    """Short hash of its settings file: part of the cache identity."""

    @property
    def config(self) -> Path:
        """The settings file beside the model."""
        return self.model.with_name(self.model.name + ".json")


def _available_in(folder: Path) -> str:
    """Say which voice files a folder has, for an error message."""
    names = sorted(p.name for p in folder.glob("*.onnx")) if folder.is_dir() else []
    return f"voices in {folder}: {', '.join(names)}" if names else f"no *.onnx voices in {folder}"


SETTINGS_CAP = 1_000_000
"""The most bytes read of a voice's ``.onnx.json`` (Piper's are a few KB; read for every voice)."""


def read_voice_file(model: Path, lang: str | None = None) -> PiperVoiceFile:
    """Describe the voice ``model`` from its settings file; ``lang`` overrides its language.

    Raises:
        EngineError: the model or its ``.onnx.json`` is missing, or the settings are not Piper's.
    """
    config = model.with_name(model.name + ".json")
    if model.suffix != ".onnx" or not model.is_file():
        raise EngineError(f"no Piper voice at {model}; {_available_in(model.parent)}")
    if config.exists() and not config.is_file():  # a FIFO would block the open below
        raise EngineError(f"{config} is not a Piper voice settings file: not a regular file")
    try:
        with config.open("rb") as stream:
            raw = stream.read(SETTINGS_CAP + 1)
        if len(raw) > SETTINGS_CAP:
            raise ValueError(f"over {SETTINGS_CAP // 1_000_000} MB")
        settings = json.loads(raw)
        rate = int(settings["audio"]["sample_rate"])
    except FileNotFoundError as e:
        raise EngineError(f"Piper voice {model.name} has no settings file {config.name}") from e
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise EngineError(f"{config} is not a Piper voice settings file: {e}") from e
    languages = [lang] if lang else _languages_of(settings)
    if not languages:
        raise EngineError(f"{config} names no language; give the voice per language instead")
    return PiperVoiceFile(
        name=model.name.removesuffix(".onnx"),
        model=model,
        languages=tuple(dict.fromkeys(normalize_language(code) for code in languages)),
        rate=rate,
        digest=hashlib.sha256(raw).hexdigest()[:16],
    )


def _languages_of(settings: dict[str, Any]) -> list[str]:
    """Read the languages a settings file names: ``language.code``/``family``, else espeak's."""
    language = settings.get("language") or {}
    found = [language.get("code"), language.get("family")] if isinstance(language, dict) else []
    codes = [c for c in found if isinstance(c, str) and c]
    if not codes:
        voice = (settings.get("espeak") or {}).get("voice")
        codes = [voice, voice.split("-", 1)[0]] if isinstance(voice, str) and voice else []
    return codes


def find_voices(source: Mapping[str, Path | str] | Path | str) -> tuple[PiperVoiceFile, ...]:
    """Find the Piper voices named by a mapping (language -> model) or in a folder.

    Raises:
        EngineError: a named model is missing or broken, or the folder has no voices.
    """
    if isinstance(source, Mapping):
        return tuple(read_voice_file(Path(path), lang) for lang, path in source.items())
    folder = Path(source)
    if folder.is_file():
        return (read_voice_file(folder),)
    models = sorted(folder.glob("*.onnx")) if folder.is_dir() else []
    if not models:
        raise EngineError(f"no Piper voices found: {_available_in(folder)}")
    return tuple(read_voice_file(model) for model in models)


@functools.cache
def _piper_version() -> str:
    """Return the installed piper-tts version, read from its metadata (no import of piper)."""
    try:
        return metadata.version("piper-tts")
    except metadata.PackageNotFoundError:
        return "missing"


MAX_COPIES = 4
"""Most copies of one model a process loads (each takes ~90 MB); more threads wait their turn."""


class _Copies:
    """Loaded copies of one voice's model, shared by every thread of the process.

    One onnxruntime session runs one inference at a time (measured: two threads on one session
    take as long as one thread; on two sessions, half), so each thread synthesising at the same
    moment borrows its own copy. Copies are made on first need and reused for every later cue.
    """

    def __init__(self, voice: PiperVoiceFile, threads: int) -> None:
        self.voice = voice
        self.threads = threads
        self.idle: list[Any] = []
        self.lock = threading.Lock()
        self.slots = threading.BoundedSemaphore(MAX_COPIES)

    @contextlib.contextmanager
    def borrow(self) -> Iterator[Any]:
        """Lend a copy of the model for one synthesis, waiting if ``MAX_COPIES`` are busy.

        Raises:
            EngineError: the file is not a model onnxruntime can run.
        """
        with self.slots:
            with self.lock:
                model = self.idle.pop() if self.idle else None
            if model is None:
                model = _open_model(self.voice, self.threads)
            try:
                yield model
            finally:
                with self.lock:
                    self.idle.append(model)


_MODELS: dict[tuple[Path, int], _Copies] = {}
_MODELS_LOCK = threading.Lock()


def _copies(voice: PiperVoiceFile, threads: int) -> _Copies:
    """Return this process's copies of a voice's model (per onnxruntime thread setting)."""
    key = (voice.model.resolve(), threads)
    with _MODELS_LOCK:
        if key not in _MODELS:
            _MODELS[key] = _Copies(voice, threads)
        return _MODELS[key]


def _open_model(voice: PiperVoiceFile, threads: int) -> Any:
    # Imported here, not at the top: onnxruntime takes a quarter second to import.
    import onnxruntime  # type: ignore[import-untyped]  # noqa: PLC0415
    from piper import PiperConfig, PiperVoice  # noqa: PLC0415

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    try:
        config = PiperConfig.from_dict(json.loads(voice.config.read_bytes()))
        session = onnxruntime.InferenceSession(
            str(voice.model), sess_options=options, providers=["CPUExecutionProvider"]
        )
    except Exception as e:  # onnxruntime raises its own unrelated types for a bad file
        raise EngineError(f"{voice.model} is not a Piper model onnxruntime can load: {e}") from e
    return PiperVoice(config=config, session=session)


class PiperEngine:
    """Piper neural voices from ONNX files, one or more per language.

    Args:
        voices: Model per language (``{"en": Path(".../en_US-joe-medium.onnx")}``) or a folder of
            ``*.onnx`` + ``*.onnx.json`` files (languages from the json); ``None`` for none. The
            voices ``polycast voices get`` installed come after these, for every language, and
            a model may be named as one of them (``{"nl": "nl_NL-mls-medium"}``).
        length_scale: Speaking pace; above 1 is slower (default: the voice's own).
        sentence_silence: Seconds of silence between sentences within one cue.
        threads: onnxruntime threads per inference; 1 lets the runner use a core per thread.

    Raises:
        EngineError: a voice file is missing or is not a Piper voice.
        ConfigError: an option is out of range.
    """

    name = "piper"
    network = False
    releases_gil = True
    deterministic = False  # the models sample noise on every run

    def __init__(
        self,
        voices: Mapping[str, Path | str] | Path | str | None = None,
        length_scale: float | None = None,
        sentence_silence: float = 0.2,
        threads: int = 1,
    ) -> None:
        if length_scale is not None and not 0.1 <= length_scale <= 10:
            raise ConfigError(f"piper length_scale {length_scale} is out of range: use 0.1-10")
        if not 0 <= sentence_silence <= 5 or threads < 1:
            raise ConfigError("piper sentence_silence must be 0-5 s and threads at least 1")
        from polycast.speak.piper_store import installed_voices  # noqa: PLC0415 -- a cycle

        installed = installed_voices()
        if isinstance(voices, Mapping):  # an installed voice by name: --voice nl=nl_NL-mls-medium
            models = {voice.name: voice.model for voice in installed}
            voices = {lang: models.get(str(path), path) for lang, path in voices.items()}
        given = find_voices(voices) if voices is not None else ()
        names = {voice.name for voice in given}
        self.files = given + tuple(v for v in installed if v.name not in names)
        self.length_scale = length_scale
        self.sentence_silence = sentence_silence
        self.threads = threads

    def voices(self) -> Mapping[str, Sequence[str]]:
        """Return the configured voices per language code, in the order given."""
        table: dict[str, list[str]] = {}
        for voice in self.files:
            for code in voice.languages:
                table.setdefault(code, []).append(voice.name)
        return {code: tuple(names) for code, names in table.items()}

    def voice_file(self, lang: str, voice: str | None = None) -> PiperVoiceFile:
        """Pick the voice file for ``lang``: the one named ``voice``, else the language's first.

        Raises:
            UnsupportedLanguage: no configured voice speaks ``lang``.
            EngineError: no configured voice is named ``voice``.
        """
        if voice:
            for candidate in self.files:
                if voice in (candidate.name, str(candidate.model)):
                    return candidate
            names = ", ".join(v.name for v in self.files) or "none"
            raise EngineError(f"no Piper voice named '{voice}'; configured voices: {names}")
        table = self.voices()
        code = match_language(lang, table)
        if code is None:
            raise UnsupportedLanguage(
                f"no Piper voice for language '{lang}'; "
                f"Piper voices are configured for {describe_languages(table)} "
                f"(polycast voices get --lang {lang} installs one)"
            )
        name = table[code][0]
        return next(v for v in self.files if v.name == name)

    def load(self, lang: str, voice: str | None = None) -> None:
        """Load the model for ``lang`` now rather than on the first synthesis.

        Raises:
            UnsupportedLanguage: no configured voice speaks ``lang``.
            EngineError: the model cannot be loaded.
        """
        with _copies(self.voice_file(lang, voice), self.threads).borrow():
            pass

    def synthesize(self, text: str, lang: str, voice: str | None = None) -> Clip:
        """Speak ``text`` in ``lang`` as int16 mono at the voice's rate (22050 Hz for most).

        Raises:
            UnsupportedLanguage: no configured voice speaks ``lang``.
            EngineError: the model cannot be loaded or fails on this text.
        """
        from piper import SynthesisConfig  # noqa: PLC0415

        file = self.voice_file(lang, voice)
        # Not normalised per sentence: the mixer sets one level per voice, so sentences keep
        # the voice's natural relative loudness.
        config = SynthesisConfig(length_scale=self.length_scale, normalize_audio=False)
        gap = np.zeros(round(self.sentence_silence * file.rate), dtype=np.int16)
        parts: list[np.ndarray] = []
        with _copies(file, self.threads).borrow() as model:
            try:
                chunks = [chunk.audio_int16_array for chunk in model.synthesize(text, config)]
            except Exception as e:  # piper and onnxruntime raise assorted types on bad input
                raise EngineError(f"Piper voice {file.name} failed on {text[:40]!r}: {e}") from e
        for chunk in chunks:
            parts.extend([gap, chunk] if parts else [chunk])
        samples = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int16)
        return Clip(samples=samples.astype(np.int16, copy=False), rate=file.rate)

    def identity(self, lang: str, voice: str | None = None) -> str:
        """Name the piper version, voice, its settings and our options (the cache key)."""
        file = self.voice_file(lang, voice)
        return (
            f"piper/{_piper_version()} voice={file.name} config={file.digest} "
            f"length_scale={self.length_scale} silence={self.sentence_silence}"
        )
