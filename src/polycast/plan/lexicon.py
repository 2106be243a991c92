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
- An entry may hold several words and punctuation: ``"z. B." = "zum Beispiel"``, ``"U.S." =
  "United States"``. A space in an entry matches any run of spaces in the text. Where the
  sentence splitter cut inside an entry ("darunter z." | "B. die …"), the sentences are joined
  again, so the entry still matches and is said as one sentence.

The lexicon sees the text as the speech clean-up left it (``polycast.plan.speech``). An entry
that can therefore never match is left out, with a notice naming it (``Lexicon.notices``, which
the command line prints): an empty key, one the clean-up always rewrites or removes (a link,
``#wonen``, which is read "wonen", an emoji, quote marks), one that starts or ends with a
combining mark (which never stands at a word's edge), and a table whose name is no language code.

All entries of a language are one compiled alternation, so respelling is a single pass over the
text, however many entries there are.

polycast ships no entries: every show keeps the lexicon its own articles need.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from polycast.errors import ConfigError

_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(?:[-_][a-z0-9]{1,8})*")


def _key(word: str) -> str:
    """Write an entry or a matched text the one way lookups compare: spaces collapsed."""
    return " ".join(word.split())


def _alternative(key: str, exact: bool) -> str:
    """Return the pattern of one entry: any run of spaces matches where it has a space."""
    pattern = r"[^\S\n]+".join(re.escape(word) for word in key.split(" "))
    return pattern if exact else f"(?i:{pattern})"


def _never_matches(word: str, lang: str) -> str | None:
    """Say why an entry can never match text the clean-up has left; None if it can."""
    key = _key(word)
    if not key:
        return "it is empty"
    if unicodedata.category(key[0])[0] == "M" or unicodedata.category(key[-1])[0] == "M":
        return "a combining mark never stands at the edge of a word"
    from polycast.plan import speech  # noqa: PLC0415 (only a lexicon with entries needs it)

    # Between words, so that what the clean-up does at a line's edges does not count.
    cleaned = speech.clean(f"x {key} x", lang)
    if cleaned == f"x {key} x":
        return None
    said = cleaned.removeprefix("x").removesuffix("x").strip()
    if not said or not re.search(r"\w", said):
        return "the speech clean-up removes it (a link, an emoji, markup)"
    if said == key:
        return "the speech clean-up joins it to the word beside it"
    return f"the speech clean-up reads it as {said!r} before the lexicon looks; write that"


@dataclass(frozen=True)
class _Table:
    """The entries of one language, compiled into a single pattern."""

    exact: Mapping[str, str]
    folded: Mapping[str, str]
    pattern: re.Pattern[str]

    @classmethod
    def build(cls, entries: Mapping[str, str]) -> _Table:
        keyed = {_key(k): v for k, v in entries.items()}
        exact = {k: v for k, v in keyed.items() if k != k.lower()}
        folded = {k: v for k, v in keyed.items() if k == k.lower()}
        alternatives = [_alternative(k, k in exact) for k in sorted(keyed, key=len, reverse=True)]
        # Whole words: no letter or digit may touch the match on either side.
        pattern = re.compile(rf"(?<![^\W_])(?:{'|'.join(alternatives)})(?![^\W_])")
        return cls(exact, folded, pattern)

    def said(self, match: re.Match[str]) -> str:
        """Return what the voice is given for one match."""
        word = _key(match.group(0))
        return self.exact.get(word) or self.folded.get(word.lower(), match.group(0))

    def apply(self, text: str) -> str:
        return self.pattern.sub(self.said, text)

    def respell(self, text: str, sentences: Sequence[str]) -> list[str]:
        """Respell the sentences of ``text`` in one pass, joining those a match runs across."""
        bounds = _bounds(text, sentences)
        if bounds is None:
            return [self.apply(sentence) for sentence in sentences]
        out: list[str] = []
        i, pos, pieces = 0, bounds[0][0], list[str]()  # the sentence being written, and where
        end = bounds[0][1]
        for match in self.pattern.finditer(text):  # matches and sentences, both in order
            while match.start() >= end and i + 1 < len(bounds):  # the sentence is done
                out.append("".join([*pieces, text[pos:end]]))
                i, pos, pieces = i + 1, bounds[i + 1][0], []
                end = bounds[i][1]
            if match.start() < pos or match.end() > bounds[-1][1]:
                continue  # outside every sentence (a piece the splitter left out)
            while match.end() > end:  # the match runs into the next sentence: join it
                i += 1
                end = bounds[i][1]
            pieces += [text[pos : match.start()], self.said(match)]
            pos = match.end()
        out.append("".join([*pieces, text[pos:end]]))
        out.extend(text[a:b] for a, b in bounds[i + 1 :])
        return out


def _bounds(text: str, sentences: Sequence[str]) -> list[tuple[int, int]] | None:
    """Find where each sentence lies in ``text``; None if they are not its slices in order."""
    bounds: list[tuple[int, int]] = []
    pos = 0
    for sentence in sentences:
        start = text.find(sentence, pos)
        if start < 0:
            return None
        pos = start + len(sentence)
        bounds.append((start, pos))
    return bounds or None


@dataclass(frozen=True)
class Lexicon:
    """Respellings per language code; empty by default."""

    entries: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """Language code -> {word as written: what the voice is given}."""
    notices: tuple[str, ...] = ()
    """Entries left out because they can never match, one line each, for the CLI to print."""

    def __post_init__(self) -> None:
        # Compiled tables per requested language code, made on first use.
        object.__setattr__(self, "_compiled", {})

    @classmethod
    def from_mapping(cls, table: Mapping[str, Any]) -> Lexicon:
        """Build a lexicon from parsed TOML (language -> word -> respelling), checking it.

        An entry that can never match is left out with a notice (see the module docstring).

        Raises:
            ConfigError: a language that is not a table, or a respelling that is not
                non-empty text.
        """
        entries: dict[str, dict[str, str]] = {}
        notices: list[str] = []
        for lang, words in table.items():
            if not isinstance(words, Mapping):
                raise ConfigError(
                    f'lexicon: [{lang}] must be a table of "word" = "respelling", '
                    f"not {type(words).__name__}"
                )
            code = lang.strip().lower()
            if words and not _LANGUAGE_CODE.fullmatch(code):
                notices.append(f"lexicon: [{lang}] is not a language code (nl, en-us): left out")
                continue
            checked: dict[str, str] = {}
            for word, spoken in words.items():
                if not isinstance(spoken, str) or not spoken.strip():
                    raise ConfigError(
                        f"lexicon: [{lang}] {word!r} = {spoken!r}: the respelling must be "
                        "non-empty text"
                    )
                why = _never_matches(word, code)
                if why:
                    notices.append(f"lexicon: [{lang}] {word!r} can never match: {why}; left out")
                else:
                    checked[word.strip()] = spoken.strip()
            entries[code] = checked
        return cls(entries, tuple(notices))

    @classmethod
    def from_toml(cls, text: str) -> Lexicon:
        """Parse a lexicon file's text (see the module docstring for the format).

        Raises:
            ConfigError: the text is not valid TOML, or an entry is malformed.
        """
        import tomllib  # noqa: PLC0415 (only when a lexicon is read: most commands read none)

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
            {lang: {**self.entries.get(lang, {}), **other.entries.get(lang, {})} for lang in langs},
            (*self.notices, *other.notices),
        )

    def apply(self, text: str, lang: str) -> str:
        """Respell the words of ``text`` that the lexicon has for ``lang`` (and its base)."""
        table = self._table(lang.lower())
        return table.apply(text) if table is not None else text

    def respell_sentences(self, text: str, sentences: Sequence[str], lang: str) -> list[str]:
        """Respell the sentences of ``text``, first joining those an entry runs across.

        Args:
            text: a run of text as the speech clean-up left it.
            sentences: its sentences, in order, each a slice of ``text`` (``sentences.split``).
            lang: the run's language.

        >>> Lexicon({"de": {"z. B.": "zum Beispiel"}}).respell_sentences(
        ...     "Etwa z. B. das. Gut.", ["Etwa z.", "B. das.", "Gut."], "de")
        ['Etwa zum Beispiel das.', 'Gut.']
        """
        table = self._table(lang.lower())
        if table is None:
            return list(sentences)
        return table.respell(text, sentences)

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
