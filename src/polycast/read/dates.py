"""Dates as articles and embedded posts write them, turned into ISO 8601.

An embed shows its date in the language of the page that embedded it ("9 september 2021" on a
Dutch site, "December 15, 2016" on an English one, "2016年5月28日" on a Japanese one), so the
month names of several languages are known here. Nothing is guessed: a numeric date such as
``03/04/2021`` is ambiguous between languages and stays unparsed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

MONTHS: dict[str, dict[str, int]] = {
    "en": {
        "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
        "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
        "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
        "sept": 9, "oct": 10, "nov": 11, "dec": 12,
    },
    "nl": {
        "januari": 1, "februari": 2, "maart": 3, "april": 4, "mei": 5, "juni": 6, "juli": 7,
        "augustus": 8, "september": 9, "oktober": 10, "november": 11, "december": 12,
        "jan": 1, "feb": 2, "mrt": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
        "sept": 9, "okt": 10, "nov": 11, "dec": 12,
    },
    "de": {
        "januar": 1, "jänner": 1, "februar": 2, "märz": 3, "april": 4, "mai": 5, "juni": 6,
        "juli": 7, "august": 8, "september": 9, "oktober": 10, "november": 11, "dezember": 12,
        "jan": 1, "feb": 2, "mär": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
        "sept": 9, "okt": 10, "nov": 11, "dez": 12,
    },
    "fr": {
        "janvier": 1, "février": 2, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6,
        "juillet": 7, "août": 8, "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11,
        "décembre": 12, "decembre": 12,
        "janv": 1, "févr": 2, "fevr": 2, "avr": 4, "juil": 7, "sept": 9, "oct": 10, "nov": 11,
        "déc": 12, "dec": 12,
    },
    "es": {
        "enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7,
        "agosto": 8, "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11,
        "diciembre": 12,
    },
    "it": {
        "gennaio": 1, "febbraio": 2, "marzo": 3, "aprile": 4, "maggio": 5, "giugno": 6,
        "luglio": 7, "agosto": 8, "settembre": 9, "ottobre": 10, "novembre": 11, "dicembre": 12,
    },
    "pt": {
        "janeiro": 1, "fevereiro": 2, "março": 3, "marco": 3, "abril": 4, "maio": 5, "junho": 6,
        "julho": 7, "agosto": 8, "setembro": 9, "outubro": 10, "novembro": 11, "dezembro": 12,
    },
}  # fmt: skip
"""Month names and their usual abbreviations, per language, lowercase."""

_ALL_MONTHS: dict[str, int] = {name: n for table in MONTHS.values() for name, n in table.items()}

_MAX_LEN = 200
"""Dates are short; longer input is cut so a search never scans a whole article."""

_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{2})(?:-(\d{2}))?(?!\d)")
_CJK = re.compile(r"(\d{4})\s*[年년]\s*(\d{1,2})\s*[月월](?:\s*(\d{1,2})\s*[日일])?")
_WORD = r"([^\W\d_]{3,12})\.?"
_DAY_MONTH_YEAR = re.compile(
    r"(?<!\d)(\d{1,2})(?:\.|er|e|st|nd|rd|th|º)?\s+(?:de\s+)?" + _WORD + r",?\s+(?:de\s+)?(\d{4})"
)
_MONTH_DAY_YEAR = re.compile(_WORD + r"\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})(?!\d)")
_MONTH_YEAR = re.compile(_WORD + r",?\s+(\d{4})(?!\d)")


def _iso(year: int, month: int, day: int | None) -> str | None:
    """Return ``YYYY-MM-DD`` (or ``YYYY-MM`` without a day) if that date exists, else None."""
    try:
        date = dt.date(year, month, day or 1)
    except ValueError:
        return None
    return date.isoformat() if day else date.isoformat()[:7]


def _month(word: str) -> int | None:
    return _ALL_MONTHS.get(word.lower())


def _day(text: str | None) -> int | None:
    return int(text) if text else None


_PATTERNS: tuple[
    tuple[re.Pattern[str], Callable[[re.Match[str]], tuple[int, int | None, int | None]]], ...
] = (
    (_ISO, lambda m: (int(m[1]), int(m[2]), _day(m[3]))),
    (_CJK, lambda m: (int(m[1]), int(m[2]), _day(m[3]))),
    (_DAY_MONTH_YEAR, lambda m: (int(m[3]), _month(m[2]), int(m[1]))),
    (_MONTH_DAY_YEAR, lambda m: (int(m[3]), _month(m[1]), int(m[2]))),
    (_MONTH_YEAR, lambda m: (int(m[2]), _month(m[1]), None)),
)
"""Most specific first; a word that is no month name lets the search go on."""


def parse_date(text: str) -> str | None:
    """Find a date in ``text`` and return it as ISO 8601, or None if none parses.

    The first date-shaped match decides: "31 februari 2021" is no date, not February.

    Args:
        text: A date as written, possibly with more around it ("12:03 PM · Dec 15, 2016").

    Returns:
        ``YYYY-MM-DD``, or ``YYYY-MM`` when only a month and a year are given.

    >>> parse_date("9 september 2021"), parse_date("March 12, 2022"), parse_date("2016年5月28日")
    ('2021-09-09', '2022-03-12', '2016-05-28')
    >>> parse_date("12. März 2022"), parse_date("1er mars 2022"), parse_date("03/04/2021")
    ('2022-03-12', '2022-03-01', None)
    """
    text = text[:_MAX_LEN]
    for pattern, parts in _PATTERNS:
        for m in pattern.finditer(text):
            year, month, day = parts(m)
            if month is not None:
                return _iso(year, month, day)
    return None


def normalise_date(value: object) -> str | None:
    """Turn a metadata date (a string, or a date parsed by YAML/TOML) into ISO 8601.

    Returns:
        ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``; None if the value holds no date.

    >>> normalise_date("2016-12-30 10:20"), normalise_date(dt.date(2024, 9, 24))
    ('2016-12-30', '2024-09-24')
    >>> normalise_date("2021"), normalise_date("soon")
    ('2021', None)
    """
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int) and 1000 <= value <= 9999:
        return str(value)
    if not isinstance(value, str):
        return None
    text = value.strip()
    if re.fullmatch(r"\d{4}", text):
        return text
    return parse_date(text)
