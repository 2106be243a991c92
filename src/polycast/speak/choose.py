"""Which engine speaks each language of an episode: chosen once, before any speech is made.

The default is espeak-ng, embedded and offline. ``engine = "auto"`` takes the most natural
voice it can use now, per language (see ``polycast.speak.auto``): an installed Piper voice, else
an online neural voice whose endpoint answers a short probe (edge, then gTTS), else espeak-ng;
one notice says what it chose.
A language can name its own engine (``[speak.languages] en = "piper"``), which wins over the
run's choice, and so does a voice named for it (``--voice nl=NAME``: the engine that has that
voice, see ``polycast.speak.named``). One engine speaks a language for the whole episode, so a
voice never changes halfway.

A language no voice here speaks (a post in Klingon) is an error, unless the settings name a
fallback language (``--fallback-lang en``): then its cues are read by that language's voice, with
one notice naming the language and how many cues it had.
"""

from __future__ import annotations

import contextlib
import logging
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path
from typing import Any

from polycast.errors import ConfigError, PolycastError, UnsupportedLanguage
from polycast.models import Cue, Rundown
from polycast.speak import espeak
from polycast.speak.auto import AutoChooser, Step, describe_choice
from polycast.speak.base import Engine, describe_languages, match_language
from polycast.speak.named import named_voices, place_voices
from polycast.speak.registry import create_engine, engine_names

log = logging.getLogger(__name__)


class EngineChoice(Enum):
    """The engine choices the command line offers (``--engine``)."""

    AUTO = "auto"
    GTTS = "gtts"
    ESPEAK = "espeak"
    PIPER = "piper"


AUTO = EngineChoice.AUTO.value
DEFAULT_ENGINE = EngineChoice.ESPEAK.value
"""The embedded offline voices: a build never reaches for the network unless asked to."""
_SETTINGS_KEYS = {
    "engine", "languages", "probe_timeout", "workers", "cache", "fallback_lang", "piper_voices_url",
}  # fmt: skip


@dataclass(frozen=True)
class SpeakSettings:
    """How an episode is voiced: the ``[speak]`` table of the show config."""

    engine: str = DEFAULT_ENGINE
    """``auto``, or an engine name (``gtts``, ``espeak``, ``piper``, a plug-in's)."""
    languages: Mapping[str, str] = field(default_factory=dict)
    """An engine per language code, overriding ``engine`` for that language."""
    options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """Options per engine name, passed to its constructor (``{"espeak": {"rate": 160}}``)."""
    probe_timeout: float = 2.0
    """Seconds ``auto`` waits for an online engine's endpoint (edge, gTTS) to answer."""
    workers: int | None = None
    """Syntheses at once; ``None`` for one per CPU core."""
    cache: bool | Path = True
    """Cache audio: True for the default folder, a folder, or False for no cache."""
    fallback_lang: str | None = None
    """The language whose voice reads cues in a language no voice speaks; None: an error."""
    piper_voices_url: str | None = None
    """Base URL of the Piper voice catalogue ``polycast voices get`` reads (None: the public one;
    ``$POLYCAST_PIPER_VOICES_URL`` wins over both)."""

    @classmethod
    def from_toml(cls, table: Mapping[str, Any]) -> SpeakSettings:
        """Read a ``[speak]`` table: plain keys, ``[speak.languages]``, ``[speak.<engine>]``.

        Raises:
            ConfigError: an unknown key, or a value of the wrong type.
        """
        names = set(engine_names())
        unknown = sorted(set(table) - _SETTINGS_KEYS - names)
        if unknown:
            allowed = ", ".join(sorted(_SETTINGS_KEYS | names))
            raise ConfigError(f"unknown key(s) in [speak]: {', '.join(unknown)}; known: {allowed}")
        options = {name: table[name] for name in names & set(table)}
        for name, value in options.items():
            if not isinstance(value, Mapping):
                raise ConfigError(f"[speak.{name}] must be a table of {name}'s options")
        try:
            settings = cls(
                engine=_typed(table, "engine", str, DEFAULT_ENGINE),
                languages=dict(_typed(table, "languages", Mapping, {})),
                options=options,
                probe_timeout=float(_typed(table, "probe_timeout", (int, float), 2.0)),
                workers=_typed(table, "workers", int, None),
                cache=_cache_setting(table.get("cache", True)),
                fallback_lang=_typed(table, "fallback_lang", str, None),
                piper_voices_url=_typed(table, "piper_voices_url", str, None),
            )
        except TypeError as e:
            raise ConfigError(f"[speak] {e}") from e
        for where, name in [("engine", settings.engine), *settings.languages.items()]:
            if name != AUTO and name not in names:
                known = ", ".join([AUTO, *sorted(names)])
                raise ConfigError(
                    f"[speak] {where} = {name!r} is not an engine; use one of {known}"
                )
        return settings

    def with_voices(self, voices: Mapping[str, str]) -> SpeakSettings:
        """Lay ``--voice LANG=VOICE`` choices over these settings.

        Each voice goes to the engine that has a voice of that name (a Piper voice's name or
        model file, an espeak voice, an edge voice, a gTTS accent), and that engine speaks the
        language, over the run's engine and ``auto``'s choice (see ``polycast.speak.named``).

        Raises:
            UnknownVoice: no engine here has a voice of a given name (the message names the
                nearest there are).
        """

        def run(lang: str) -> str | None:
            key = match_language(lang, self.languages)
            engine = self.languages[key] if key is not None else self.engine
            return None if engine == AUTO else engine

        options, languages = place_voices(voices, run, self.languages, self.options)
        return replace(self, options=options, languages=languages)


def _typed(table: Mapping[str, Any], key: str, kind: Any, default: Any) -> Any:
    value = table.get(key, default)
    if value is not default and (not isinstance(value, kind) or isinstance(value, bool)):
        raise TypeError(f"{key} has the wrong type: {value!r}")
    return value


def _cache_setting(value: Any) -> bool | Path:
    if isinstance(value, bool):
        return value
    if isinstance(value, str | Path):
        return Path(value)
    raise TypeError(f"cache must be true, false or a folder, not {value!r}")


@dataclass(frozen=True)
class SpeakPlan(Mapping[str, Engine]):
    """The engine for every language of an episode (a mapping ``lang -> Engine``), and why."""

    engines: Mapping[str, Engine]
    """The engine that speaks each language."""
    notices: tuple[str, ...] = ()
    """What the user should know, such as an offline fallback; the CLI prints these."""
    workers: int | None = None
    """Syntheses at once, to pass to ``speak``."""
    substitutes: Mapping[str, str] = field(default_factory=dict)
    """Languages no voice speaks, each mapped to the fallback language whose voice reads it."""

    def __getitem__(self, lang: str) -> Engine:
        """Return the engine for ``lang``."""
        return self.engines[lang]

    def __iter__(self) -> Iterator[str]:
        """Iterate over the language codes."""
        return iter(self.engines)

    def __len__(self) -> int:
        """Count the languages."""
        return len(self.engines)

    def describe(self) -> dict[str, str]:
        """Say which engine, voice and options speak each language, for a build summary."""
        spoken = {lang: engine.identity(lang) for lang, engine in self.engines.items()}
        for lang, fallback in self.substitutes.items():
            spoken[lang] = f"read by the {fallback} voice (no voice speaks {lang})"
        return spoken

    def as_spoken(self, cues: Sequence[Cue]) -> list[Cue]:
        """Return ``cues`` in the languages their voices speak: substitutes become the fallback."""
        if not self.substitutes:
            return list(cues)
        return [
            replace(cue, lang=self.substitutes[cue.lang]) if cue.lang in self.substitutes else cue
            for cue in cues
        ]


class _Chooser:
    """Makes each engine once and probes each online one at most once, as languages are assigned."""

    def __init__(self, settings: SpeakSettings) -> None:
        self.settings = settings
        self.made: dict[str, Engine] = {}
        self.chosen: dict[str, list[Step]] = {}
        self._auto: AutoChooser | None = None

    def engine(self, name: str) -> Engine:
        if name not in self.made:
            self.made[name] = create_engine(name, **self.settings.options.get(name, {}))
        return self.made[name]

    def pick(self, lang: str) -> Engine:
        key = match_language(lang, self.settings.languages)
        name = self.settings.languages[key] if key is not None else self.settings.engine
        if name == AUTO:
            return self.auto(lang)
        engine = self.engine(name)
        voices = engine.voices()
        if match_language(lang, voices) is None:
            hint = f" (polycast voices get --lang {lang} installs one)" if name == "piper" else ""
            raise UnsupportedLanguage(
                f"engine {name} has no voice for language '{lang}'; "
                f"it speaks {describe_languages(voices)}{hint}"
            )
        return engine

    def auto(self, lang: str) -> Engine:
        """Take the best engine of ``auto``'s order that speaks ``lang`` now (see ``auto``).

        An engine whose options name a voice for the language (``[speak.edge] voices``) is
        tried first: a voice named for a language wins over the automatic choice when it can
        speak now (an online one still answers its probe).
        """
        if self._auto is None:
            self._auto = AutoChooser(self.engine, self.settings.probe_timeout)
        steps = self._auto.steps(lang, named=self._named(lang))
        if steps and steps[-1].usable:
            self.chosen[lang] = steps
            return self.engine(steps[-1].engine)
        spoken: set[str] = set()
        for step in steps:
            with contextlib.suppress(PolycastError):
                spoken.update(self.engine(step.engine).voices())
        raise UnsupportedLanguage(
            f"no voice here speaks language '{lang}'; the voices speak {describe_languages(spoken)}"
        )

    def _named(self, lang: str) -> dict[str, str]:
        """Map each engine whose options name a voice for ``lang`` to that voice."""
        found = {}
        for name in self.settings.options:
            voices = named_voices(name, self.settings.options)
            key = match_language(lang, voices)
            if key is not None:
                found[name] = voices[key]
        return found

    def notices(self) -> tuple[str, ...]:
        return (describe_choice(self.chosen),) if self.chosen else ()


def choose_engines(languages: Iterable[str], settings: SpeakSettings | None = None) -> SpeakPlan:
    """Assign one engine to every language the episode speaks.

    Args:
        languages: The language codes of the episode's cues, one per cue (a fallback's notice
            counts them).
        settings: Engine choice, per-language engines, engine options and fallback language;
            default espeak.

    Returns:
        The engines per language, the languages a fallback voice reads, and any notice for the
        user. (The cue audio cache is the build's: ``polycast.cache.Cache.clips``.)

    Raises:
        UnsupportedLanguage: no chosen engine speaks one of the languages and there is no
            fallback language, or no engine speaks the fallback language either.
        ConfigError: an unknown engine name or option.
        EngineError: a configured engine cannot be started (a missing Piper voice file).
    """
    from polycast.cache.folder import folder_of  # noqa: PLC0415 (the cache package is heavy)

    settings = settings or SpeakSettings()
    espeak.keep_voices_in(folder_of(settings.cache))
    chooser = _Chooser(settings)
    counts = Counter(languages)
    fallback = settings.fallback_lang
    engines: dict[str, Engine] = {}
    substitutes: dict[str, str] = {}
    for lang in counts:
        try:
            engines[lang] = chooser.pick(lang)
        except UnsupportedLanguage:
            if fallback is None:
                raise
            substitutes[lang] = fallback
    if fallback is not None and substitutes:
        engines.setdefault(fallback, _fallback_engine(chooser, fallback))
    for lang, engine in engines.items():
        log.info("speaking %s with %s", lang, engine.name)
    return SpeakPlan(
        engines=engines,
        notices=chooser.notices() + _substitute_notice(substitutes, counts),
        workers=settings.workers,
        substitutes=substitutes,
    )


def _fallback_engine(chooser: _Chooser, fallback: str) -> Engine:
    """Choose the engine of the fallback language, which must itself have a voice.

    Raises:
        UnsupportedLanguage: no voice speaks the fallback language either.
    """
    try:
        return chooser.pick(fallback)
    except UnsupportedLanguage as e:
        raise UnsupportedLanguage(f"fallback language '{fallback}': {e}") from e


def _substitute_notice(
    substitutes: Mapping[str, str], counts: Mapping[str, int]
) -> tuple[str, ...]:
    """Say, in one line, which languages had no voice, how many cues each, and who reads them."""
    if not substitutes:
        return ()
    named = [
        f"'{lang}' ({counts[lang]} cue{'' if counts[lang] == 1 else 's'})" for lang in substitutes
    ]
    fallback = next(iter(substitutes.values()))
    return (f"no voice speaks {', '.join(named)}: read by the '{fallback}' voice instead",)


def prepare_voices(rundown: Rundown, settings: SpeakSettings | None = None) -> SpeakPlan:
    """Choose the engines for every language a rundown's cues speak (see ``choose_engines``)."""
    return choose_engines(
        (cue.lang for chapter in rundown.chapters for cue in chapter.cues), settings
    )


def fallback_readings(
    languages: Iterable[str], settings: SpeakSettings
) -> tuple[dict[str, str], tuple[str, ...]]:
    """Say which languages the fallback voice reads instead (none without a fallback).

    For ``polycast segments``: the languages are those of the segments it already planned, so
    nothing is planned twice, and no cache is opened.

    Returns:
        The language each substituted language is read in, and the notices saying so.
    """
    if settings.fallback_lang is None:
        return {}, ()
    voices = choose_engines(languages, replace(settings, cache=False))
    read_as = dict(voices.substitutes)
    if not read_as:
        return read_as, ()
    named = ", ".join(f"'{lang}'" for lang in read_as)
    fallback = next(iter(read_as.values()))
    return read_as, (f"no voice speaks {named}: read by the '{fallback}' voice instead",)
