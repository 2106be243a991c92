"""What a show can tune about planning: pauses, titles, attribution wording, the lexicon.

Read from the ``[plan]`` table of a show's config::

    [plan]
    title = "Episode title when the article has none"
    default_language = "nl"          # narration language when metadata and detection say nothing
    min_confidence = 0.6             # how sure detection must be to override a hint or surroundings

    [plan.pauses]                    # milliseconds of silence after a cue
    sentence = 250
    paragraph = 600
    heading = 700
    attribution = 400
    post = 900
    chapter = 1200

    [plan.attribution.en]            # see polycast.plan.attribution for the template keys
    date_platform = "On {date}, {author} wrote on {platform}:"

    [plan.lexicon.nl]                # see polycast.plan.lexicon for the rules
    "Navo" = "Naavo"
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from polycast.errors import ConfigError
from polycast.plan.attribution import TEMPLATE_KEYS, check_template
from polycast.plan.lexicon import Lexicon

MAX_PAUSE_MS = 60_000
"""The longest pause a config or a rundown may ask for: a minute of silence is already a lot."""


@dataclass(frozen=True)
class Pauses:
    """Silence after a cue, in milliseconds, by where the cue stands."""

    sentence: int = 250
    """Between two sentences of one block."""
    paragraph: int = 600
    """After the last sentence of a paragraph, list or quote."""
    heading: int = 700
    """After a spoken heading or title."""
    attribution: int = 400
    """After the narrator's introduction of a post, before the post itself."""
    post: int = 900
    """Before and after an embedded post (the end of the chapter before it, and of its own)."""
    chapter: int = 1200
    """At any other chapter break, and after the last cue of the episode."""


@dataclass(frozen=True)
class PlanSettings:
    """Everything the plan stage can be told; the defaults suit most articles."""

    pauses: Pauses = field(default_factory=Pauses)
    """Silences after cues."""
    title: str | None = None
    """Episode title used when the article has none of its own."""
    default_language: str = "en"
    """Narration language when the article's metadata and detection give none."""
    min_confidence: float = 0.6
    """Detection confidence (0-1) needed to trust a detected language over a hint or context."""
    attribution: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """Attribution templates per narration language, overriding the built-in ones key by key."""
    lexicon: Lexicon = field(default_factory=Lexicon)
    """Pronunciation fixes, applied to every cue of their language."""

    def __post_init__(self) -> None:
        """Check templates given in code too: formatting an unchecked one can run into internals.

        Raises:
            ConfigError: a template with more than the bare placeholders.
        """
        for lang, templates in self.attribution.items():
            for key, template in templates.items():
                check_template(template, f"plan.attribution.{lang}.{key}", key)

    @classmethod
    def from_toml(cls, table: Mapping[str, Any]) -> PlanSettings:
        """Build settings from a parsed ``[plan]`` table, checking every key and value.

        Raises:
            ConfigError: an unknown key, or a value of the wrong type or range.
        """
        known = {"pauses", "title", "default_language", "min_confidence", "attribution", "lexicon"}
        _check_keys(table, known, "plan")
        values: dict[str, Any] = {}
        if "pauses" in table:
            values["pauses"] = _pauses(table["pauses"])
        if "title" in table:
            values["title"] = _string(table["title"], "plan.title")
        if "default_language" in table:
            values["default_language"] = _string(
                table["default_language"], "plan.default_language"
            ).lower()
        if "min_confidence" in table:
            values["min_confidence"] = _confidence(table["min_confidence"])
        if "attribution" in table:
            values["attribution"] = _attribution(table["attribution"])
        if "lexicon" in table:
            values["lexicon"] = Lexicon.from_mapping(_table(table["lexicon"], "plan.lexicon"))
        return cls(**values)


def _check_keys(table: Mapping[str, Any], known: set[str], where: str) -> None:
    unknown = sorted(set(table) - known)
    if unknown:
        raise ConfigError(
            f"unknown key {where}.{unknown[0]}; expected one of: {', '.join(sorted(known))}"
        )


def _table(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where} must be a table, not {type(value).__name__}")
    return value


def _string(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where} must be a non-empty string, not {value!r}")
    return value.strip()


def _pauses(value: object) -> Pauses:
    table = _table(value, "plan.pauses")
    known = {f.name for f in dataclasses.fields(Pauses)}
    _check_keys(table, known, "plan.pauses")
    for key, ms in table.items():
        if isinstance(ms, bool) or not isinstance(ms, int) or not 0 <= ms <= MAX_PAUSE_MS:
            raise ConfigError(
                f"plan.pauses.{key} must be whole milliseconds 0-{MAX_PAUSE_MS}, not {ms!r}"
            )
    return Pauses(**table)


def _confidence(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ConfigError(f"plan.min_confidence must be a number from 0 to 1, not {value!r}")
    return float(value)


def _attribution(value: object) -> dict[str, dict[str, str]]:
    result: dict[str, dict[str, str]] = {}
    for lang, templates in _table(value, "plan.attribution").items():
        where = f"plan.attribution.{lang}"
        table = _table(templates, where)
        _check_keys(table, set(TEMPLATE_KEYS), where)
        result[lang.lower()] = {k: _string(v, f"{where}.{k}") for k, v in table.items()}
        for key, template in result[lang.lower()].items():
            check_template(template, f"{where}.{key}", key)
    return result
