"""Numbers spelled as words: German and Dutch cardinals and ordinals, Roman numerals, suffixes.

The spelling ``numbers`` needs where espeak's own reading is wrong; pure functions on ints.
"""

from __future__ import annotations

DE_ONES = "null eins zwei drei vier fünf sechs sieben acht neun zehn elf zwölf dreizehn vierzehn"
DE_ONES += " fünfzehn sechzehn siebzehn achtzehn neunzehn"
DE_TENS = "zwanzig dreißig vierzig fünfzig sechzig siebzig achtzig neunzig"
DE_ORDINAL_STEMS = {1: "erst", 3: "dritt", 7: "siebt", 8: "acht"}
NL_ONES = "nul een twee drie vier vijf zes zeven acht negen tien elf twaalf dertien veertien"
NL_ONES += " vijftien zestien zeventien achttien negentien"
NL_TENS = "twintig dertig veertig vijftig zestig zeventig tachtig negentig"
ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


def german_number(number: int) -> str:
    """Spell a German cardinal from 0 to 99: 21 -> "einundzwanzig".

    >>> german_number(1), german_number(31), german_number(90)
    ('eins', 'einunddreißig', 'neunzig')
    """
    ones = DE_ONES.split()
    if number < 20:
        return ones[number]
    tens, unit = divmod(number, 10)
    word = DE_TENS.split()[tens - 2]
    return f"{'ein' if unit == 1 else ones[unit]}und{word}" if unit else word


def german_ordinal(number: int, weak: bool) -> str:
    """Spell a German ordinal, 1 to 99: (30, False) -> "dreißigsten", (2, True) -> "zweite".

    >>> german_ordinal(30, False), german_ordinal(2, True), german_ordinal(7, False)
    ('dreißigsten', 'zweite', 'siebten')
    """
    if number in DE_ORDINAL_STEMS:
        stem = DE_ORDINAL_STEMS[number]
    else:
        stem = german_number(number) + ("t" if number < 20 else "st")
    return stem + ("e" if weak else "en")


def dutch_number(number: int) -> str:
    """Spell a Dutch cardinal from 0 to 99: 25 -> "vijfentwintig", 23 -> "drieëntwintig"."""
    ones = NL_ONES.split()
    if number < 20:
        return ones[number]
    tens, unit = divmod(number, 10)
    word = NL_TENS.split()[tens - 2]
    if not unit:
        return word
    first = ones[unit]
    return first + ("ën" if first.endswith("e") else "en") + word


def english_suffix(number: str) -> str:
    """Write an English ordinal in digits: "1" -> "1st", "12" -> "12th", "23" -> "23rd".

    >>> english_suffix("1"), english_suffix("12"), english_suffix("23")
    ('1st', '12th', '23rd')
    """
    value = int(number)
    suffix = "th" if 10 <= value % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(value % 10, "th")
    return f"{value}{suffix}"


def roman(numeral: str) -> int:
    """Return the value of a Roman numeral up to C, 0 when it is not one written the usual way.

    >>> roman("XIX"), roman("IIII"), roman("XL")
    (19, 0, 40)
    """
    values = [ROMAN[c] for c in numeral]
    total = sum(
        -v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values)
    )
    return total if to_roman(total) == numeral else 0


def to_roman(value: int) -> str:
    """Write 1 to 399 as a Roman numeral: 19 -> "XIX"."""
    out = ""
    for symbol, amount in (("C", 100), ("XC", 90), ("L", 50), ("XL", 40), ("X", 10)):
        count, value = divmod(value, amount)
        out += symbol * count
    return out + ["", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX"][value]
