"""Voices named for a language (``--voice nl=nl_BE-nathalie-medium``): which engine has each.

A voice named for a language is the most specific choice there is, so the engine that has a voice
of that name speaks the language, whatever the run's engine says (``--engine espeak``) or ``auto``
would take. A name is looked up in the run's engine first (``--engine gtts --voice fr=ca`` is
gTTS's Canadian accent), then in every engine, first among the voices listed for the language,
then among all: Piper, espeak, edge, gTTS, then plug-ins. Offline comes first, so a short code
that espeak and gTTS both know (``pt``) stays offline. A name no engine has is an error naming
the nearest names there are.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from polycast import langcodes
from polycast.errors import PolycastError, UnknownVoice
from polycast.speak.base import Engine
from polycast.speak.registry import create_engine, engine_names

OWNER_ORDER = ("piper", "espeak", "edge", "gtts")
"""The engines a voice name is looked up in, after the run's own; plug-ins come after these."""
VOICE_OPTION = {"gtts": "tlds"}
"""The option an engine takes its voice per language under, where it is not ``voices``."""
_PIPER_NAME = re.compile(r"[a-z]{2,3}_[A-Z]{2}-\w+-(x_low|low|medium|high)")
"""How the Piper catalogue names a voice (``nl_BE-nathalie-medium``), to hint at installing it."""


def voice_option(engine: str) -> str:
    """Name the option that holds ``engine``'s voice per language (``voices``; gTTS: ``tlds``)."""
    return VOICE_OPTION.get(engine, "voices")


def named_voices(engine: str, options: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """Return the voices an engine's options name per language (``[speak.espeak] voices``).

    A folder of Piper voices names no language: it is not a choice for one.
    """
    table = options.get(engine, {}).get(voice_option(engine))
    if not isinstance(table, Mapping):
        return {}
    return {str(lang): str(name) for lang, name in table.items()}


def is_piper_file(name: str) -> bool:
    """Say whether a voice is given as a Piper model file or a folder of them, not by name."""
    return name.endswith(".onnx") or Path(name).is_dir()


class Owners:
    """Finds the engine that has a voice of a given name, making each engine at most once.

    Args:
        options: Options per engine name, as the settings give them.
    """

    def __init__(self, options: Mapping[str, Mapping[str, Any]]) -> None:
        self.options = options
        self._voices: dict[str, Mapping[str, Any]] = {}
        self.made: dict[str, Engine] = {}

    def voices(self, engine: str) -> Mapping[str, Any]:
        """Return an engine's voices per language; none when it cannot be made here."""
        if engine not in self._voices:
            self._voices[engine] = {}
            with contextlib.suppress(PolycastError):
                self.made[engine] = create_engine(engine, **self.options.get(engine, {}))
                self._voices[engine] = self.made[engine].voices()
        return self._voices[engine]

    def has(self, engine: str, name: str, lang: str | None) -> bool:
        """Say whether ``engine`` has voice ``name``: for ``lang``, or for any language if None."""
        if engine == "edge" and lang is None:
            from polycast.speak.edge_voices import language_of  # noqa: PLC0415 -- edge only

            return language_of(name) is not None  # edge speaks any xx-YY-NameNeural voice
        if engine == "espeak":
            name = name.partition("+")[0]  # a variant of a voice: en-us+f3
        table = self.voices(engine)
        wanted = langcodes.normalize(lang) if lang is not None else None
        return any(
            name in names
            for code, names in table.items()
            if wanted is None or langcodes.normalize(code) == wanted
        )

    def owner(self, lang: str, name: str, first: str | None) -> str:
        """Name the engine that has voice ``name`` for ``lang``: ``first`` if it has it.

        Raises:
            UnknownVoice: no engine here has a voice of that name.
        """
        order = list(dict.fromkeys([*([first] if first else []), *self.order()]))
        for where in (lang, langcodes.primary(lang), None):
            for engine in order:
                if self.has(engine, name, where):
                    return engine
        raise UnknownVoice(self.unknown(lang, name))

    def order(self) -> list[str]:
        """Every registered engine, in the order names are looked up."""
        names = engine_names()
        first = [n for n in OWNER_ORDER if n in names]
        return [*first, *(n for n in names if n not in OWNER_ORDER)]

    def unknown(self, lang: str, name: str) -> str:
        """Say that no engine has voice ``name``, with the nearest names, or the language's."""
        import difflib  # noqa: PLC0415 -- only an unknown name needs it, not every build's start

        every = {voice: engine for engine, voice in self._all()}
        spelled = {voice.lower(): voice for voice in every}  # EN-GB is near en-gb
        close = difflib.get_close_matches(name.lower(), spelled, 4, 0.6)
        within = [v for v in spelled if name.lower() in v]  # Fenna is in nl-NL-FennaNeural
        near = [spelled[v] for v in list(dict.fromkeys([*close, *within]))[:4]]
        if near:
            hint = "near: " + ", ".join(f"{voice} ({every[voice]})" for voice in near)
        else:
            hint = "voices for " + lang + ": " + self._for_language(lang)
        install = (
            f"; `polycast voices get {name}` installs a Piper voice"
            if _PIPER_NAME.fullmatch(name)
            else ""
        )
        return f"no engine here has a voice named '{name}' for {lang}; {hint}{install}"

    def _all(self) -> Iterator[tuple[str, str]]:
        for engine in self.order():
            for names in self.voices(engine).values():
                for voice in names:
                    yield engine, str(voice)

    def _for_language(self, lang: str) -> str:
        """List a few voices per engine for ``lang``: ``espeak nl; piper nl_NL-mls-medium``."""
        parts = []
        for engine in self.order():
            table = self.voices(engine)
            codes = [c for c in table if langcodes.primary(c) == langcodes.primary(lang)]
            names = list(dict.fromkeys(str(v) for c in codes for v in table[c]))
            if names:
                more = f" and {len(names) - 3} more" if len(names) > 3 else ""
                parts.append(f"{engine} {', '.join(names[:3])}{more}")
        return "; ".join(parts) or "none (`polycast voices` lists the languages there are)"


Options = dict[str, dict[str, Any]]
"""Options per engine name, as ``SpeakSettings.options`` holds them."""


def place_voices(
    voices: Mapping[str, str],
    run: Callable[[str], str | None],
    languages: Mapping[str, str],
    options: Mapping[str, Mapping[str, Any]],
) -> tuple[Options, dict[str, str]]:
    """Give each voice named for a language to the engine that has it, which speaks that language.

    Args:
        voices: A voice name (or Piper model file) per language code.
        run: The engine the settings would take for a language, or None for ``auto``.
        languages: The settings' engine per language.
        options: The settings' options per engine.

    Returns:
        The options with each voice in its engine's table, and the engine per language.

    Raises:
        UnknownVoice: no engine here has a voice of a given name.
        EngineError: a given Piper model file or folder is not a voice.
    """
    owners = Owners(options)
    placed: Options = {name: dict(values) for name, values in options.items()}
    speakers = dict(languages)
    for lang, name in voices.items():
        engine = "piper" if is_piper_file(name) else owners.owner(lang, name, run(lang))
        key = voice_option(engine)
        values = placed.setdefault(engine, {})
        table = values.get(key)
        voice = name
        if engine == "piper":
            voice = _piper_model(owners, lang, name)
            if table is not None and not isinstance(table, Mapping):
                table = _by_language(table)  # a folder: its voices keep their languages
        values[key] = {**dict(table or {}), lang: voice}
        for code in [c for c in speakers if langcodes.normalize(c) == langcodes.normalize(lang)]:
            del speakers[code]
        speakers[lang] = engine
    return placed, speakers


def _piper_model(owners: Owners, lang: str, name: str) -> str:
    """Return the model file of the Piper voice ``name``, wherever it was found (installed, given).

    A name is only known to the engine that found it; its file is what a new engine is given.
    """
    from polycast.speak.piper import PiperEngine  # noqa: PLC0415 -- numpy, only for Piper

    piper = owners.made.get("piper")
    if is_piper_file(name) or not isinstance(piper, PiperEngine):
        return name
    return str(piper.voice_file(lang, name).model)


def _by_language(folder: Any) -> dict[str, str]:
    """Name a folder's (or one file's) Piper voices per language, the first for each language."""
    from polycast.speak.piper import find_voices  # noqa: PLC0415 -- numpy, only for Piper

    table: dict[str, str] = {}
    for voice in find_voices(folder):
        for code in voice.languages:
            table.setdefault(code, str(voice.model))
    return table
