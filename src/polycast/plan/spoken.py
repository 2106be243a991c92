"""Symbols and numbers as a listener expects to hear them, per language.

Voices read digits well ("2021", "1,5", "200.000") but stumble over what surrounds them: espeak
says "thirty dash thirty-four percent" for "30-34%", "euros five" for "€5", "two h a" for
"2 ha", and "eerste e" for the Dutch "1e". These functions rewrite such spots into words; each
takes the text and its language code and is pure.
"""

from __future__ import annotations

import re

from polycast.plan.attribution import base_language

AND = {"nl": "en", "en": "and", "de": "und", "fr": "et", "es": "y", "it": "e", "pt": "e"} | {
    "sv": "och",
    "da": "og",
    "nb": "og",
    "pl": "i",
    "ja": "と",
}
PERCENT = {"nl": "procent", "en": "percent", "de": "Prozent", "fr": "pour cent"} | {
    "es": "por ciento",
    "it": "per cento",
    "pt": "por cento",
    "sv": "procent",
    "da": "procent",
    "pl": "procent",
}
RANGE = {"nl": "tot", "en": "to", "de": "bis", "fr": "à", "es": "a", "it": "a", "pt": "a"}
# Symbol -> language -> (one, many)
CURRENCY = {
    "€": {"nl": ("euro", "euro"), "en": ("euro", "euros"), "de": ("Euro", "Euro")}
    | {"fr": ("euro", "euros"), "es": ("euro", "euros")},
    "$": {"nl": ("dollar", "dollar"), "en": ("dollar", "dollars"), "de": ("Dollar", "Dollar")}
    | {"fr": ("dollar", "dollars"), "es": ("dólar", "dólares")},
    "£": {"nl": ("pond", "pond"), "en": ("pound", "pounds"), "de": ("Pfund", "Pfund")}
    | {"fr": ("livre", "livres"), "es": ("libra", "libras")},
}
SCALE = {
    "en": {"k": "thousand", "m": "million", "mn": "million", "bn": "billion", "b": "billion"},
    "nl": {"mln": "miljoen", "mld": "miljard", "m": "miljoen"},
    "de": {"mio": "Millionen", "mrd": "Milliarden"},
}
UNITS = {
    "ha": {"nl": "hectare", "en": "hectares", "de": "Hektar", "fr": "hectares", "es": "hectáreas"},
    "km²": {"nl": "vierkante kilometer", "en": "square kilometres", "de": "Quadratkilometer"},
    "m²": {"nl": "vierkante meter", "en": "square metres", "de": "Quadratmeter"},
    "km/h": {"nl": "kilometer per uur", "en": "kilometres per hour", "de": "Kilometer pro Stunde"},
    "km/u": {"nl": "kilometer per uur"},
    "km": {"nl": "kilometer", "en": "kilometres", "de": "Kilometer", "fr": "kilomètres"},
    "kg": {"nl": "kilo", "en": "kilograms", "de": "Kilogramm", "fr": "kilos"},
    "cm": {"nl": "centimeter", "en": "centimetres", "de": "Zentimeter", "fr": "centimètres"},
    "mm": {"nl": "millimeter", "en": "millimetres", "de": "Millimeter", "fr": "millimètres"},
    "°C": {"nl": "graden Celsius", "en": "degrees Celsius", "de": "Grad Celsius"},
    "°F": {"nl": "graden Fahrenheit", "en": "degrees Fahrenheit", "de": "Grad Fahrenheit"},
}

_NUMBER = r"\d+(?:[.,]\d+)*"
_RANGE = re.compile(
    r"(?<![\w.,/-])(\d{1,4}(?:[.,]\d+)?)\s?[-–]\s?(\d{1,4}(?:[.,]\d+)?)(?![\d/-]|[.,]\d|–\d)"
)
_PERCENT = re.compile(r"(\d)\s?%")
_PREFIX_MONEY = re.compile(rf"([€$£])\s?({_NUMBER})(?:\s?([a-zA-Z]{{1,7}})\b)?")
_SUFFIX_MONEY = re.compile(rf"(?<![\d.,])({_NUMBER})\s?([€$£])")  # from a number's start: linear
_UNIT = re.compile(
    r"(?<=\d)\s?(" + "|".join(re.escape(u) for u in UNITS) + r")(?![^\W_])", re.IGNORECASE
)
_FOLDED_UNITS = {unit.lower(): unit for unit in UNITS}
_NL_ORDINAL = re.compile(r"\b(\d{1,2})(?:e|ste|de)\b")
_AMPERSAND = re.compile(r"\s*&\s*")
_DIGIT = re.compile(r"\d")


def ampersand(text: str, lang: str) -> str:
    """Say "&" as the language's "and": "Maria & Maksim" -> "Maria and Maksim"."""
    if "&" not in text:
        return text
    word = AND.get(base_language(lang))
    return _AMPERSAND.sub(f" {word} " if word else " ", text)


def number_range(text: str, lang: str) -> str:
    """Say a range of numbers: "30-34" -> "30 to 34" (not dates or phone numbers)."""
    word = RANGE.get(base_language(lang))
    if not word or ("-" not in text and "–" not in text):
        return text

    def say(match: re.Match[str]) -> str:
        low, high = match.groups()
        is_percent = text[match.end() : match.end() + 2].lstrip().startswith("%")
        # "2-1" is more often a score than a range; a range rises: "30-34", "2015-2016".
        rising = _value(low) < _value(high) and len(low) + len(high) > 2
        return f"{low} {word} {high}" if is_percent or rising else match.group(0)

    return _RANGE.sub(say, text)


def _value(number: str) -> float:
    return float(number.replace(",", "."))


def percent(text: str, lang: str) -> str:
    """Say "%" after a number as a word: "10%" -> "10 percent"."""
    word = PERCENT.get(base_language(lang))
    return _PERCENT.sub(rf"\1 {word}", text) if word and "%" in text else text


def money(text: str, lang: str) -> str:
    """Say amounts with the currency after the number: "€1.5m" -> "1.5 million euros"."""
    if not any(symbol in text for symbol in CURRENCY):
        return text
    base = base_language(lang)

    def name(symbol: str, amount: str) -> str:
        forms = CURRENCY[symbol].get(base)
        if forms is None:
            return symbol
        return forms[0] if amount == "1" else forms[1]

    def prefix(match: re.Match[str]) -> str:
        symbol, amount, word = match.groups()
        scale = SCALE.get(base, {}).get(word.lower()) if word else None
        if word and scale is None:  # an ordinary word after the amount: "$5 fee"
            return f"{amount} {name(symbol, amount)} {word}"
        if scale:
            return f"{amount} {scale} {name(symbol, '2')}"
        return f"{amount} {name(symbol, amount)}"

    text = _PREFIX_MONEY.sub(prefix, text)
    return _SUFFIX_MONEY.sub(lambda m: f"{m[1]} {name(m[2], m[1])}", text)


def units(text: str, lang: str) -> str:
    """Say common units after a number as words: "2 ha" -> "2 hectares"."""
    if _DIGIT.search(text) is None:
        return text
    base = base_language(lang)

    def say(match: re.Match[str]) -> str:
        unit = _FOLDED_UNITS[match.group(1).lower()]
        if unit != match.group(1) and unit not in ("km/h", "km/u"):
            return match.group(0)  # "2 Ha" or "5 KM" are not the units we know
        word = UNITS[unit].get(base)
        return f" {word}" if word else match.group(0)

    return _UNIT.sub(say, text)


_NL_UNITS = ["een", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen"]
_NL_TENS = ["twintig", "dertig", "veertig", "vijftig", "zestig", "zeventig", "tachtig", "negentig"]
_NL_SMALL_ORDINALS = [
    "eerste",
    "tweede",
    "derde",
    "vierde",
    "vijfde",
    "zesde",
    "zevende",
    "achtste",
    "negende",
    "tiende",
    "elfde",
    "twaalfde",
    "dertiende",
    "veertiende",
    "vijftiende",
    "zestiende",
    "zeventiende",
    "achttiende",
    "negentiende",
]


def dutch_ordinal(number: int) -> str | None:
    """Spell a Dutch ordinal from 1 to 99: 1 -> "eerste", 21 -> "eenentwintigste".

    >>> dutch_ordinal(8), dutch_ordinal(23), dutch_ordinal(100)
    ('achtste', 'drieëntwintigste', None)
    """
    if not 1 <= number <= 99:
        return None
    if number < 20:
        return _NL_SMALL_ORDINALS[number - 1]
    tens, unit = divmod(number, 10)
    word = _NL_TENS[tens - 2]
    if unit:
        first = _NL_UNITS[unit - 1]
        word = first + ("ën" if first.endswith("e") else "en") + word
    return word + "ste"


def ordinals(text: str, lang: str) -> str:
    """Spell Dutch ordinals, which espeak misreads ("1e" -> "eerste"); others read well."""
    if base_language(lang) != "nl":
        return text
    return _NL_ORDINAL.sub(lambda m: dutch_ordinal(int(m[1])) or m[0], text)
