"""What voices this machine has: every engine, the languages it speaks and its voices for each.

This is what ``polycast voices`` shows. Listing needs no network: gTTS's language list ships with
the library, and whether an endpoint answers is asked only when the settings choose ``auto``
(then ``build_choices`` probes, as a build would).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from polycast import langcodes
from polycast.errors import PolycastError
from polycast.speak.auto import AutoChooser, Step
from polycast.speak.base import match_language
from polycast.speak.choose import AUTO, DEFAULT_ENGINE, SpeakSettings
from polycast.speak.registry import create_engine, engine_names

_ABOUT = {
    "espeak": "offline, the default",
    "gtts": "online; auto uses it when its endpoint answers",
    "piper": "offline, neural",
    "edge": "online, Microsoft's neural voices",
}


@dataclass(frozen=True)
class EngineVoices:
    """One engine and the voices it has here."""

    name: str
    """Registry name."""
    about: str
    """A few words on what kind of engine it is."""
    default: bool
    """Whether this is the default engine."""
    languages: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Voices per language code, the language's default first."""
    problem: str | None = None
    """Why the engine has no voices here (not installed, no voice files configured)."""

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form: languages map to their voices and their default voice."""
        return {
            "name": self.name,
            "about": self.about,
            "default": self.default,
            "problem": self.problem,
            "languages": {
                lang: {"default": voices[0] if voices else None, "voices": list(voices)}
                for lang, voices in self.languages.items()
            },
        }


def inventory(
    options: Mapping[str, Mapping[str, Any]] | None = None, lang: str | None = None
) -> list[EngineVoices]:
    """List every registered engine with its voices per language.

    Args:
        options: Options per engine name (``{"piper": {"voices": Path("voices/")}}``).
        lang: Only this language (and its regional variants).

    Returns:
        One entry per engine, the default engine first (the one a build uses unless told
        otherwise); an engine that cannot start has a ``problem`` and no languages.
    """
    options = options or {}
    found = []
    for name in sorted(engine_names(), key=lambda name: name != DEFAULT_ENGINE):
        about = _ABOUT.get(name, "a plug-in")
        try:
            table = create_engine(name, **options.get(name, {})).voices()
        except PolycastError as e:
            found.append(EngineVoices(name, about, name == DEFAULT_ENGINE, problem=str(e)))
            continue
        languages = {code: tuple(table[code]) for code in sorted(table)}
        if lang is not None:
            languages = {c: v for c, v in languages.items() if _related(lang, c)}
        problem = None if table else "no voices configured or installed: polycast voices get"
        found.append(EngineVoices(name, about, name == DEFAULT_ENGINE, languages, problem))
    return found


def _related(wanted: str, code: str) -> bool:
    """Say whether ``code`` speaks ``wanted`` or is a regional variant of it."""
    primary = langcodes.primary(wanted)
    return match_language(wanted, [code]) is not None or langcodes.primary(code) == primary


def format_inventory(engines: list[EngineVoices], width: int = 100) -> str:
    """Render the inventory as text: an engine per block, a language per line, ``*`` on defaults.

    >>> print(format_inventory([EngineVoices("espeak", "offline", True, {"nl": ("nl",)})]))
    espeak  (offline; 1 language) *
      nl  nl*
    """
    lines = []
    codes = [code for engine in engines for code in engine.languages]
    pad = min(max(map(len, codes), default=2), 16)
    for engine in engines:
        count = len(engine.languages)
        detail = engine.problem or f"{count} language{'s' if count != 1 else ''}"
        lines.append(f"{engine.name}  ({engine.about}; {detail}){' *' if engine.default else ''}")
        for code, voices in engine.languages.items():
            listed = ", ".join([f"{voices[0]}*", *voices[1:]]) if voices else "-"
            if len(listed) > width - 10:
                listed = listed[: width - 14] + " ..."
            lines.append(f"  {code:<{pad}}  {listed}")
    return "\n".join(lines)


@dataclass(frozen=True)
class LanguageChoice:
    """For one language: the engine a build would use now, and auto's order with each step's why."""

    lang: str
    """The language code."""
    now: str
    """The engine a build with these settings would take now; ``none`` when no engine speaks it."""
    order: tuple[Step, ...]
    """Auto's order for the language, every engine with whether it can be taken and why."""

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form."""
        steps = [{"engine": s.engine, "usable": s.usable, "why": s.why} for s in self.order]
        return {"now": self.now, "order": steps}


def build_choices(languages: Iterable[str], settings: SpeakSettings) -> list[LanguageChoice]:
    """Say, per language, which engine a build would use now and auto's whole order.

    Online engines are probed only when the settings choose ``auto`` for some language; otherwise
    their steps say "not probed", and listing stays off the network.
    """
    made: dict[str, Any] = {}

    def make(name: str) -> Any:
        if name not in made:
            made[name] = create_engine(name, **settings.options.get(name, {}))
        return made[name]

    configured = {lang: _configured(lang, settings) for lang in languages}
    chooser = AutoChooser(make, settings.probe_timeout, probe=AUTO in configured.values())
    found = []
    for lang, name in configured.items():
        order = tuple(chooser.steps(lang, stop=False))
        if name == AUTO:
            now = next((s.engine for s in order if s.usable), "none")
        else:
            now = name if _speaks(make, name, lang) else "none"
        found.append(LanguageChoice(lang, now, order))
    return found


def _speaks(make: Any, name: str, lang: str) -> bool:
    """Say whether engine ``name`` can be made and has a voice for ``lang``."""
    try:
        return match_language(lang, make(name).voices()) is not None
    except PolycastError:
        return False


def _configured(lang: str, settings: SpeakSettings) -> str:
    """Return the engine name the settings give ``lang`` (``auto`` included)."""
    key = match_language(lang, settings.languages)
    return settings.languages[key] if key is not None else settings.engine


def format_choices(choices: list[LanguageChoice], engine: str) -> str:
    """Render the choices: a line per language, the engine now, then auto's order.

    >>> print(format_choices([LanguageChoice("nl", "espeak", (Step("espeak", True, "voice nl"),))],
    ...                      "espeak"))
    a build now  (engine = espeak; auto's order: an installed Piper voice, edge, gtts, espeak)
      nl  espeak  auto's order: espeak (voice nl)
    """
    lines = [
        f"a build now  (engine = {engine}; "
        "auto's order: an installed Piper voice, edge, gtts, espeak)"
    ]
    pad = max((len(c.lang) for c in choices), default=2)
    for choice in choices:
        order = " > ".join(f"{s.engine} ({s.why})" for s in choice.order)
        lines.append(f"  {choice.lang:<{pad}}  {choice.now:<6}  auto's order: {order}")
    return "\n".join(lines)
