"""A pronunciation lexicon: words a voice says wrong, respelled so that it says them right.

The lexicon is a TOML file with one table per language code; each entry maps a word as written to
what the voice should be given instead::

    [nl]
    "Navo" = "Naavo"            # has capitals: matches "Navo" only, exactly as written
    "o.a." = "onder andere"     # all lowercase: matches "o.a.", "O.a." and "O.A." alike
    "VS" = "Verenigde Staten"

    [en]
    "GeV" = "giga electron volt"

Rules:

- Whole words only: "Navo" changes "Navo" and "Navo's" but not "Navoland".
- An entry written with any capital letter matches exactly that spelling; an entry written all in
  lowercase matches regardless of case. So "VS" (the United States) leaves "vs" alone, while
  "o.a." also catches a sentence-initial "O.a.".
- The longest entry wins where entries overlap ("New York Times" before "New York").
- A table applies to cues of exactly that language and to its regional variants: ``[en]`` applies
  to ``en-us`` cues too; a ``[en-us]`` table applies only to ``en-us`` cues, and before ``[en]``.
- Replacements are not looked up again, so an entry never feeds another.

polycast ships no entries: every show keeps the lexicon its own articles need.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from polycast.errors import ConfigError


@dataclass(frozen=True)
class _Table:
    """The entries of one language, compiled into a single pattern."""

    exact: Mapping[str, str]
    folded: Mapping[str, str]
    pattern: re.Pattern[str]

    @classmethod
    def build(cls, entries: Mapping[str, str]) -> _Table:
        exact = {k: v for k, v in entries.items() if k != k.lower()}
        folded = {k: v for k, v in entries.items() if k == k.lower()}
        alternatives = [
            re.escape(k) if k in exact else f"(?i:{re.escape(k)})"
            for k in sorted(entries, key=len, reverse=True)
        ]
        # Whole words: no letter or digit may touch the match on either side.
        pattern = re.compile(rf"(?<![^\W_])(?:{'|'.join(alternatives)})(?![^\W_])")
        return cls(exact, folded, pattern)

    def apply(self, text: str) -> str:
        def replace(match: re.Match[str]) -> str:
            word = match.group(0)
            return self.exact.get(word) or self.folded.get(word.lower(), word)

        return self.pattern.sub(replace, text)


@dataclass(frozen=True)
class Lexicon:
    """Respellings per language code; empty by default."""

    entries: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """Language code -> {word as written: what the voice is given}."""

    def __post_init__(self) -> None:
        # Compiled tables per requested language code, made on first use.
        object.__setattr__(self, "_compiled", {})

    @classmethod
    def from_mapping(cls, table: Mapping[str, Any]) -> Lexicon:
        """Build a lexicon from parsed TOML (language -> word -> respelling), checking it.

        Raises:
            ConfigError: a language that is not a table, or a word or respelling that is not
                a non-empty string.
        """
        entries: dict[str, dict[str, str]] = {}
        for lang, words in table.items():
            if not isinstance(words, Mapping):
                raise ConfigError(
                    f'lexicon: [{lang}] must be a table of "word" = "respelling", '
                    f"not {type(words).__name__}"
                )
            checked: dict[str, str] = {}
            for word, spoken in words.items():
                if not word.strip() or not isinstance(spoken, str) or not spoken.strip():
                    raise ConfigError(
                        f"lexicon: [{lang}] {word!r} = {spoken!r}: both sides must be "
                        "non-empty text"
                    )
                checked[word.strip()] = spoken.strip()
            entries[lang.strip().lower()] = checked
        return cls(entries)

    @classmethod
    def from_toml(cls, text: str) -> Lexicon:
        """Parse a lexicon file's text (see the module docstring for the format).

        Raises:
            ConfigError: the text is not valid TOML, or an entry is malformed.
        """
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as e:
            raise ConfigError(f"lexicon is not valid TOML: {e}") from e
        return cls.from_mapping(data)

    def merged(self, other: Lexicon) -> Lexicon:
        """Return this lexicon with ``other``'s entries laid over it, word by word.

        A show's ``[plan.lexicon]`` and a ``--lexicon`` file then both apply; the file wins
        where both respell the same word.
        """
        langs = dict.fromkeys([*self.entries, *other.entries])
        return Lexicon(
            {lang: {**self.entries.get(lang, {}), **other.entries.get(lang, {})} for lang in langs}
        )

    def apply(self, text: str, lang: str) -> str:
        """Respell the words of ``text`` that the lexicon has for ``lang`` (and its base)."""
        table = self._table(lang.lower())
        return table.apply(text) if table is not None else text

    def _table(self, lang: str) -> _Table | None:
        compiled: dict[str, _Table | None] = self.__dict__["_compiled"]
        if lang not in compiled:
            base = re.split(r"[-_]", lang, maxsplit=1)[0]
            # The variant's own entries override its base language's.
            merged = {**self.entries.get(base, {}), **self.entries.get(lang, {})}
            compiled[lang] = _Table.build(merged) if merged else None
        return compiled[lang]

    def __bool__(self) -> bool:
        """Tell whether the lexicon has at least one entry."""
        return any(self.entries.values())
