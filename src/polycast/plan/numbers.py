"""Numbers read as the language reads them in context: ordinals, dates, years, times, money.

Each function takes text and its language and is pure; ``read`` applies them in order, and a
language's rules are data (tables below), so a language is added by filling its tables. Only
what espeak-ng reads wrong is rewritten; checked with ``espeak_TextToPhonemes`` (espeak-ng 1.52):

Read right, left alone: cardinals and decimal commas ("12,5" is "twaalf komma vijf", "zwölf
Komma fünf"), thousands ("200.000", "200,000", "200 000"), English ordinals ("1st", "21st"),
French "1er", "1ère" and "14h30", English "2:30 p.m." and "14:30", English and Dutch years
after 1899, German ones after 1999, French years, Dutch "1 januari" and "nr. 5".

Read wrong, rewritten here (espeak's reading in brackets):

- German ordinals: "am 30. Juni" [dreißig, pause, Juni] -> "am dreißigsten Juni"; the ending
  follows the word before ("der 2. Weltkrieg" -> "der zweite Weltkrieg").
- Years: German 1100-1999 [eintausend achthundert...] -> "achtzehnhundertfünfzig"; Dutch
  1100-1899 [duizend achthonderd...] -> "achttienhonderdvijftig"; English 1100-1899 [one
  thousand eight hundred and fifty] -> "18 50" (eighteen fifty).
- English dates without a suffix: "May 1" [May one] -> "May 1st"; "1 May" -> "the 1st of May";
  an abbreviated month is said whole: "Dec. 12" [Dec, pause, twelfth] -> "December 12th".
- French ordinals: "2e", "XIXe" [deux e, X I X e] -> "2ème", "19ème"; "1re" -> "première".
- Clock times: "14.30 uur", "14.30 Uhr" [veertien dertig uur, vierzehn Punkt dreißig Uhr] ->
  "14 uur 30", "14 Uhr 30".
- Money with cents: "€ 5,50", "$5.50" [vijf komma vijf nul euro] -> "5 euro 50", "5 dollars 50";
  with a scale word: "$3.2 billion" [3.2 dollars billion] -> "3.2 billion dollars".
- Number signs before a number: "No. 5" [no, five], "Nr. 5" (German) [N R], "blz. 12" [b l z],
  "n° 5" [n], "§ 291a" [dropped as a symbol] -> "number 5", "Nummer 5", "bladzijde 12",
  "numéro 5", "Paragraf 291a".
- Short scale words after a number: "31,7 mln.", "70 Mio." [M L N, M I O] -> "miljoen",
  "Millionen".

Dutch "3e" -> "derde" and the remaining symbols ("%", "€5", "2 ha") are ``spoken``'s.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from polycast.plan.attribution import base_language
from polycast.plan.number_words import (
    ROMAN,
    dutch_number,
    english_suffix,
    german_number,
    german_ordinal,
    roman,
)
from polycast.plan.spoken import CURRENCY

DE_WEAK = frozenset(["der", "die", "das", "dieser", "diese", "dieses", "jener", "jene", "jenes"])
"""Words after which a German ordinal ends in -e ("der zweite"); after any other, in -en."""
MONTHS = {
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember"
    " Jan Feb Mär Apr Jun Jul Aug Sep Sept Okt Nov Dez",
    "en": "January February March April May June July August September October November December"
    " Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec",
}
HOUR = {"nl": "uur", "de": "Uhr"}
"""The word after a clock time written "14.30", said between the hours and the minutes."""
NUMBER_SIGNS = {
    "en": {"No.": "number", "no.": "number", "Nos.": "numbers", "p.": "page", "pp.": "pages"}
    | {"§": "section", "§§": "sections"},
    "de": {"Nr.": "Nummer", "S.": "Seite", "§": "Paragraf", "§§": "Paragrafen"},
    "nl": {"blz.": "bladzijde", "Blz.": "bladzijde", "§": "paragraaf", "art.": "artikel"},
    "fr": {"n°": "numéro", "N°": "numéro", "p.": "page", "§": "paragraphe"},
}
"""Abbreviations said as words when a number follows: "No. 5" is "number 5"."""
SCALES = {
    "en": "million billion trillion",
    "nl": "miljoen miljard",
    "de": "Million Millionen Milliarde Milliarden",
    "fr": "million millions milliard milliards",
}
SCALE_SHORT = {
    "nl": {"mln": "miljoen", "mld": "miljard", "mrd": "miljard"},
    "de": {"Mio": "Millionen", "Mrd": "Milliarden", "Mill": "Millionen"},
    "fr": {"Md": "milliards", "Mds": "milliards", "Mrd": "milliards"},
}
"""Short scale words after a number, which espeak spells out ("31,7 mln." [M L N])."""
DECIMAL = {"en": ".", "nl": ",", "de": ",", "fr": ","}
"""The decimal separator a language writes; the other one separates thousands."""


def is_german_ordinal(previous: str, number: str, following: str) -> bool:
    """Tell whether "30." between ``previous`` and ``following`` words is an ordinal.

    A number of one or two digits with a full stop and a word after it is an ordinal in German
    ("am 30. Juni", "im 19. Jahrhundert"), not a sentence's end; with no word before it, it is a
    list's item ("1. Einleitung") unless a month follows ("30. Juni 2024: Eröffnung"). A sentence
    that really ends in a small number before a word ("Es waren 30. Danach") is misread: rare in
    German, which writes small counts as words.
    """
    if not (1 <= len(number) <= 2 and int(number) > 0 and following[:1].isalpha()):
        return False
    return bool(previous) or following.rstrip(".") in MONTHS["de"].split()


_DE_ORDINAL = re.compile(r"(?<![\w.,])(?:(\w+)[ \t]+)?(\d{1,2})\.[ \t]+(?=([^\W\d_]+))")


def german_ordinals(text: str, lang: str) -> str:
    """German "am 30. Juni" -> "am dreißigsten Juni"; "der 2. Weltkrieg" -> "der zweite"."""
    if base_language(lang) != "de":
        return text

    def say(match: re.Match[str]) -> str:
        previous, number, following = match.groups()
        if not is_german_ordinal(previous or "", number, following):
            return match[0]
        weak = (previous or "").lower() in DE_WEAK
        lead = f"{previous} " if previous else ""
        return f"{lead}{german_ordinal(int(number), weak)} "

    return _DE_ORDINAL.sub(say, text)


YEAR_WORDS = {
    "de": "im in seit bis von vom ab anno um vor nach jahr jahre jahres sommer winter frühjahr",
    "nl": "in uit van sinds tot vanaf anno eind begin medio rond voor na jaar jaren zomer winter",
    "en": "in since from until till by to around before after year circa summer winter",
}
"""Words after which a four-digit number is a year ("in 1850"), not a count ("1450 mensen")."""
_YEAR_DIGITS = re.compile(r"1[1-9]\d\d")
"""What every year ``_YEAR`` finds holds: a cheap test before its slower pattern."""
_YEAR = re.compile(r"(?<![\w.,:/€$£-])(?:(\w+)\s+)?(1[1-9])(\d\d)(?![\d%€$£]|[.,:]\d)")


def years(text: str, lang: str) -> str:
    """Say years 1100-1999 in two halves: German "im Jahr 1850" -> "achtzehnhundertfünfzig".

    In Dutch and English a year is a number after a word of ``YEAR_WORDS`` or a month, or
    before "s" ("the 1850s"); other numbers are counts, which espeak reads well. German says
    counts the same way ("fünfzehnhundert Menschen"), so every such number is read so.
    """
    base = base_language(lang)
    if base not in YEAR_WORDS or _YEAR_DIGITS.search(text) is None:
        return text
    context = _year_context(base)

    def say(match: re.Match[str]) -> str:
        previous, high, low = match[1] or "", int(match[2]), int(match[3])
        decade = re.match(r"(?:s|er)\b", text[match.end() : match.end() + 3]) is not None
        if base != "de" and previous.lower() not in context and not decade:
            return match[0]
        lead = f"{previous} " if previous else ""
        return lead + _year(base, high, low, match[2] + match[3])

    return _YEAR.sub(say, text)


@functools.cache
def _year_context(base: str) -> frozenset[str]:
    """Return the words after which a number is a year in ``base`` (made once per language)."""
    context = frozenset(YEAR_WORDS[base].split() + MONTHS.get(base, "").lower().split())
    months_nl = "januari februari maart april mei juni juli augustus september oktober november"
    return context | frozenset((months_nl + " december").split()) if base == "nl" else context


def _year(base: str, high: int, low: int, written: str) -> str:
    if base == "de":
        return german_number(high) + "hundert" + (german_number(low) if low else "")
    if base == "nl" and high < 19:  # espeak says "negentienhonderd..." itself
        return dutch_number(high) + "honderd" + (dutch_number(low) if low else "")
    if base == "en" and high < 19:  # and "nineteen hundred and ninety"
        return f"{high} hundred" if not low else f"{high} {'oh ' if low < 10 else ''}{low}"
    return written


_EN_MONTH = {m[:3]: m for m in MONTHS["en"].split()[:12]} | {"Sept": "September"}
"""An English month's short name, and the whole one it stands for."""
_EN_MONTHS = "|".join(MONTHS["en"].split())
_EN_DAY_MONTH = re.compile(rf"\b(\d{{1,2}}) ({_EN_MONTHS})\b\.?(?!\s*\d{{1,2}}\b)")
_EN_MONTH_DAY = re.compile(rf"\b({_EN_MONTHS})\b\.? (\d{{1,2}})\b(?![\d:.,]\d|st|nd|rd|th)")


def english_dates(text: str, lang: str) -> str:
    """English "May 1" -> "May 1st", "Dec. 12" -> "December 12th", "1 May" -> "the 1st of May".

    espeak says "May one", and "Dec" as a word, where a reader says the month and an ordinal.
    """
    if base_language(lang) != "en":
        return text

    def month(written: str) -> str:
        return _EN_MONTH.get(written.rstrip("."), written.rstrip("."))

    text = _EN_DAY_MONTH.sub(lambda m: f"the {english_suffix(m[1])} of {month(m[2])}", text)
    return _EN_MONTH_DAY.sub(lambda m: f"{month(m[1])} {english_suffix(m[2])}", text)


_FR_ORDINAL = re.compile(r"\b(\d{1,4}|[IVXLC]{2,7}|[VX])(?:e|è|ème|eme|ᵉ)\b")
"""A Roman numeral of one letter is only V or X: "Le", "Ce", "De" are words."""


def french_ordinals(text: str, lang: str) -> str:
    """French "2e" -> "2ème", "XIXe siècle" -> "19ème siècle", "1re" -> "première"."""
    if base_language(lang) != "fr":
        return text
    text = re.sub(r"\b1(?:re|ʳᵉ)\b", "première", text)

    def say(match: re.Match[str]) -> str:
        value = roman(match[1]) if match[1][0] in ROMAN else int(match[1])
        return f"{value}ème" if value else match[0]

    return _FR_ORDINAL.sub(say, text)


def clock_times(text: str, lang: str) -> str:
    """Dutch and German "14.30 uur"/"14:30 Uhr" -> "14 uur 30": the hour word comes between."""
    word = HOUR.get(base_language(lang))
    if word is None:
        return text
    pattern = _clock_pattern(word)
    return pattern.sub(lambda m: f"{m[1]} {word}" + (f" {m[2]}" if m[2] != "00" else ""), text)


@functools.cache
def _clock_pattern(word: str) -> re.Pattern[str]:
    return re.compile(rf"\b([01]?\d|2[0-3])[.:]([0-5]\d) {word}\b")


def money(text: str, lang: str) -> str:
    """Say amounts as people do: "€ 5,50" -> "5 euro 50", "$3.2 billion" -> "3.2 billion dollars".

    Runs before ``spoken.money``, which then says the amounts left ("€5" -> "5 euro").
    """
    base = base_language(lang)
    found = _money_patterns(base)
    if found is None or not any(symbol in text for symbol in found[0]):
        return text  # every amount written here has its currency's symbol
    names, with_scale, with_cents = found
    of = {"fr": "de "}.get(base, "")

    def scaled(match: re.Match[str]) -> str:
        symbol, number, scale = match.groups()
        name = names[symbol][1]
        link = "d'" if of and name[0] in "aeioué" else of
        return f"{number} {scale} {link}{name}"

    def cents(match: re.Match[str]) -> str:
        number, cent = match["whole"], match["cents"]
        forms = names[match["before"] or match["after"]]
        return f"{number} {forms[0] if number == '1' else forms[1]} {cent}"

    return with_cents.sub(cents, with_scale.sub(scaled, text))


@functools.cache
def _money_patterns(
    base: str,
) -> tuple[dict[str, tuple[str, str]], re.Pattern[str], re.Pattern[str]] | None:
    """Return a language's currency names, and its amounts with a scale and with cents."""
    point = DECIMAL.get(base)
    if point is None:
        return None
    whole = r"\d{1,3}(?:[.,\u00a0\u202f ]\d{3})+|\d+"
    names = {s: forms[base] for s, forms in CURRENCY.items() if base in forms}
    symbols = "".join(re.escape(s) for s in names)
    if not symbols:
        return None
    scales = "|".join(SCALES[base].split())
    amount = rf"\d+(?:{re.escape(point)}\d+)?"
    sep = re.escape(point)
    with_cents = re.compile(
        rf"(?:(?P<before>[{symbols}])\s?)?(?<![\d.,])(?P<whole>{whole}){sep}(?P<cents>\d\d)"
        rf"(?![\d%])(?(before)|\s?(?P<after>[{symbols}]))"
    )
    return names, re.compile(rf"([{symbols}])\s?({amount})\s?({scales})\b"), with_cents


def number_signs(text: str, lang: str) -> str:
    """Say "No. 5" as "number 5", "Nr. 5" as "Nummer 5": the sign as the word it stands for."""
    signs = NUMBER_SIGNS.get(base_language(lang))
    if not signs:
        return text
    return _signs_pattern(base_language(lang)).sub(lambda m: f"{signs[m[1]]} ", text)


@functools.cache
def _signs_pattern(base: str) -> re.Pattern[str]:
    written = "|".join(re.escape(s) for s in sorted(NUMBER_SIGNS[base], key=len, reverse=True))
    return re.compile(rf"(?<![\w.])({written}) ?(?=\d)")


def scale_words(text: str, lang: str) -> str:
    """Say "31,7 mln." as "31,7 miljoen"; the full stop stays only where a sentence may end.

    That is before a capital, or in German (where nouns have capitals) only before nothing.
    """
    base = base_language(lang)
    short = SCALE_SHORT.get(base)
    if not short:
        return text

    def say(match: re.Match[str]) -> str:
        after = match[3].strip() if match[3] else ""
        ends = not after or (base != "de" and after[0].isupper())
        return f" {short[match[1]]}" + (match[2] or "" if ends else "")

    return _scale_pattern(base).sub(say, text)


@functools.cache
def _scale_pattern(base: str) -> re.Pattern[str]:
    return re.compile(rf"(?<=\d) ?\b({'|'.join(SCALE_SHORT[base])})\b(\.)?(?=(\s+[^\W\d_])?)")


STEPS: list[Callable[[str, str], str]] = [
    number_signs,
    scale_words,
    clock_times,
    money,
    german_ordinals,
    french_ordinals,
    english_dates,
    years,
]
"""The rewrites, in order: signs and times before years, so "14.30" is never read as one."""
_WITHOUT_DIGITS = frozenset([french_ordinals])
"""The rewrites that may find something in text without a digit: "XIXe" is a number too."""
_DIGIT = re.compile(r"\d")


def read(text: str, lang: str) -> str:
    """Rewrite every number in ``text`` that espeak would misread in ``lang`` (see ``STEPS``).

    >>> read("Bis zum 30. Juni 1990 um 14.30 Uhr, Nr. 5", "de")
    'Bis zum dreißigsten Juni neunzehnhundertneunzig um 14 Uhr 30, Nummer 5'
    """
    for step in STEPS:
        if step in _WITHOUT_DIGITS or _DIGIT.search(text):  # the others' patterns need one
            text = step(text, lang)
    return text
