"""Split cleaned text into sentences, one cue each, without breaking at abbreviations.

A full stop ends a sentence only when whitespace and a capital (or a digit) follow and the word
before it is not a known abbreviation of the language ("o.a.", "Dr.", "e.g.", "z. B." written
with a space), a single letter (an initial, "G."), a number sign before a number ("No. 5"), a
German ordinal ("am 30. Juni"), or part of a number. Line breaks always end a sentence (posts
use them as one). Chinese and Japanese end sentences at 。！？ with no space after.

Each full stop is judged by the few words around it, never by the text before it, so a line of
any length is split in one pass.
"""

from __future__ import annotations

import re

from polycast.plan.attribution import base_language
from polycast.plan.numbers import is_german_ordinal

_COMMON = "dr prof mr mrs ms st nr vs ca fig jr sr ir ing drs"
ABBREVIATIONS = {
    "nl": "o.a d.w.z bijv bv m.a.w m.b.t t.a.v t.o.v i.p.v e.d dhr mevr mw jl a.s "
    "c.q z.g.a.n evt incl excl n.a.v m.i.v t.e.m t/m vnl blz resp mr ca nr o.m a.d gem max min "
    "mln mld",
    "en": "e.g i.e approx dept est inc ltd corp co vol jan feb mar apr jun jul aug sep sept "
    "oct nov dec u.s u.k u.n a.m p.m gen gov rep sen rev messrs lt col capt sgt",
    "de": "z.b u.a bzw d.h evtl ggf inkl s.o s.u u.u vgl hr fr dipl z.t o.ä u.ä v.a "
    "sog jh mio mrd str tel abs bspw geb gest",
    "fr": "m mm mme mlle cf env p.ex ex j.-c av apr ste vol chap éd",
    "es": "sr sra srta ud uds",
}
"""Per language, abbreviations (lowercase, without the last full stop) that never end a sentence.

"etc.", "enz." and "usw." are not among them: they end sentences as often as not, and a
capital after them is a new sentence's."""
NUMBER_SIGNS = {
    "en": "no nos p pp art",
    "nl": "art",
    "de": "s art",
    "fr": "no art",
}
"""Abbreviations that end no sentence when a number follows ("No. 5"), though they may end one."""
_CJK_END = re.compile(r"(?<=[。！？])")
_CANDIDATE = re.compile(r"([.!?…]+)([)\"'”’»]*)(\s+)")
_OPENING = re.compile(r"[\"'“‘„«(]*[^\W_a-z]|[\"'“‘„«(]*\d")
_WINDOW = 40
"""How far before a full stop its words are looked at: longer than any abbreviation."""


def split(text: str, lang: str) -> list[str]:
    """Return the sentences of ``text`` (already cleaned for speech), stripped, none empty.

    >>> split("Dr. Rufin o.a. schreef 2.5 keer. Toen kwam G. Tulbure! Klaar", "nl")
    ['Dr. Rufin o.a. schreef 2.5 keer.', 'Toen kwam G. Tulbure!', 'Klaar']
    >>> split("darunter z. B. die Botschafterin, bis zum 30. Juni 2024. Gut", "de")
    ['darunter z. B. die Botschafterin, bis zum 30. Juni 2024.', 'Gut']
    """
    sentences: list[str] = []
    for line in text.splitlines():
        pieces = _CJK_END.split(line) if base_language(lang) in ("ja", "zh") else [line]
        for piece in pieces:
            sentences.extend(_split_line(piece, lang))
    return [s for s in (s.strip() for s in sentences) if re.search(r"\w", s)]


def _split_line(line: str, lang: str) -> list[str]:
    rules = _Rules(lang)
    sentences: list[str] = []
    start = 0
    for match in _CANDIDATE.finditer(line):
        after = line[match.end() : match.end() + _WINDOW]
        if not _OPENING.match(after):
            continue  # "o.a. dit", "e.g. this": the next word is not a sentence start
        before = line[max(start, match.start() - _WINDOW) : match.start()]
        if match.group(1) == "." and rules.continues(before, after):
            continue
        sentences.append(line[start : match.end(2)])
        start = match.end()
    sentences.append(line[start:])
    return sentences


class _Rules:
    """What keeps a full stop from ending a sentence in one language."""

    def __init__(self, lang: str) -> None:
        self.lang = base_language(lang)
        self.abbreviations = frozenset(
            (_COMMON + " " + ABBREVIATIONS.get(self.lang, "")).lower().split()
        )
        self.number_signs = frozenset(NUMBER_SIGNS.get(self.lang, "").split())

    def continues(self, before: str, after: str) -> bool:
        """Tell whether the full stop between ``before`` and ``after`` is inside a sentence."""
        words = re.findall(r"[^\s(]+", before)
        if not words:
            return False
        word = words[-1]
        if len(word) == 1 and word.isalpha():
            return True  # an initial, "Mirela G. Tulbure", or a spaced abbreviation's "z."
        pair = ".".join(w.rstrip(".") for w in words[-2:]).lower()
        if word.lower().rstrip(".") in self.abbreviations or pair in self.abbreviations:
            return True  # "Dr.", "o.a.", and "z. B." or "p. ex." written with a space
        following = after.split(maxsplit=1)[0] if after.split() else ""
        if word.lower() in self.number_signs and following[:1].isdigit():
            return True
        previous = words[-2] if len(words) > 1 else ""
        return self.lang == "de" and word.isdigit() and is_german_ordinal(previous, word, following)
