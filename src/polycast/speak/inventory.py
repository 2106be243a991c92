"""What voices this machine has: every engine, the languages it speaks and its voices for each.

This is what ``polycast voices`` shows. Listing needs no network: gTTS's language list ships with
the library, and whether its endpoint answers is decided per build (``choose``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from polycast import langcodes
from polycast.errors import PolycastError
from polycast.speak.base import match_language
from polycast.speak.choose import DEFAULT_ENGINE
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
        problem = None if table else "no voices configured"
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
