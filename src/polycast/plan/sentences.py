"""Split cleaned text into sentences, one cue each, without breaking at abbreviations.

A full stop ends a sentence only when whitespace and a capital (or a digit) follow and the word
before it is not a known abbreviation of the language ("o.a.", "Dr.", "e.g."), an initial
("G."), or part of a number. Line breaks always end a sentence (posts use them as one). Chinese
and Japanese end sentences at 。！？ with no space after.
"""

from __future__ import annotations

import re

from polycast.plan.attribution import base_language

_COMMON = "dr prof mr mrs ms st nr vs ca fig jr sr ir ing drs"
ABBREVIATIONS = {
    "nl": "o.a d.w.z bijv bv m.a.w m.b.t t.a.v t.o.v i.p.v e.d enz etc dhr mevr mw jl a.s "
    "c.q z.g.a.n evt incl excl n.a.v m.i.v t.e.m t/m vnl blz resp",
    "en": "e.g i.e etc approx dept est inc ltd corp co vol jan feb mar apr jun jul aug sep sept "
    "oct nov dec u.s u.k a.m p.m gen gov rep sen rev",
    "de": "z.b u.a usw bzw ca d.h evtl ggf inkl s.o s.u u.u vgl hr fr dipl",
    "fr": "m mme mlle cf env p.ex",
    "es": "sr sra srta ud uds etc",
}
_CJK_END = re.compile(r"(?<=[。！？])")
_CANDIDATE = re.compile(r"([.!?…]+)([)\"'”’»]*)(\s+)")
_OPENING = re.compile(r"[\"'“‘„«(]*[^\W_a-z]|[\"'“‘„«(]*\d")


def split(text: str, lang: str) -> list[str]:
    """Return the sentences of ``text`` (already cleaned for speech), stripped, none empty.

    >>> split("Dr. Rufin o.a. schreef 2.5 keer. Toen kwam G. Tulbure! Klaar", "nl")
    ['Dr. Rufin o.a. schreef 2.5 keer.', 'Toen kwam G. Tulbure!', 'Klaar']
    """
    sentences: list[str] = []
    for line in text.splitlines():
        pieces = _CJK_END.split(line) if base_language(lang) in ("ja", "zh") else [line]
        for piece in pieces:
            sentences.extend(_split_line(piece, lang))
    return [s for s in (s.strip() for s in sentences) if re.search(r"\w", s)]


def _split_line(line: str, lang: str) -> list[str]:
    abbreviations = _abbreviations(lang)
    sentences: list[str] = []
    start = 0
    for match in _CANDIDATE.finditer(line):
        after = line[match.end() :]
        if not _OPENING.match(after):
            continue  # "o.a. dit", "e.g. this": the next word is not a sentence start
        if match.group(1) == "." and _is_abbreviation(line[start : match.start()], abbreviations):
            continue
        sentences.append(line[start : match.end(2)])
        start = match.end()
    sentences.append(line[start:])
    return sentences


def _abbreviations(lang: str) -> frozenset[str]:
    words = _COMMON + " " + ABBREVIATIONS.get(base_language(lang), "")
    return frozenset(words.split())


def _is_abbreviation(before: str, abbreviations: frozenset[str]) -> bool:
    """Tell whether the text before a full stop ends in an abbreviation or an initial."""
    match = re.search(r"(?:^|[\s(])([^\s(]+)$", before)
    if match is None:
        return False
    word = match.group(1)
    if len(word) == 1 and word.isalpha() and word.isupper():
        return True  # an initial: "Mirela G. Tulbure"
    return word.lower().rstrip(".") in abbreviations
