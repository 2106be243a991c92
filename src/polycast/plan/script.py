"""The language a text's writing system gives away, before any statistics are asked.

Hebrew letters are Hebrew, Ethiopic letters are (for a podcast) Amharic, Georgian letters are
Georgian. Statistical detection can only choose among the languages it was built for, so an
Amharic article would come out as whichever of those fits least badly and be read by the wrong
voice; the script settles it first. Scripts shared by many languages (Latin, Cyrillic, Arabic,
Han) tell nothing and are left to detection. One pass over the text, a binary search per letter.
"""

from __future__ import annotations

import bisect
from collections import Counter

# (first, last, language) per Unicode block whose script identifies one language.
_BLOCKS = sorted(
    [
        (0x0370, 0x03FF, "el"),  # Greek and Coptic
        (0x1F00, 0x1FFF, "el"),  # Greek Extended
        (0x0530, 0x058F, "hy"),  # Armenian
        (0xFB13, 0xFB17, "hy"),  # Armenian ligatures
        (0x0590, 0x05FF, "he"),  # Hebrew
        (0xFB1D, 0xFB4F, "he"),  # Hebrew presentation forms
        (0x0900, 0x097F, "hi"),  # Devanagari
        (0xA8E0, 0xA8FF, "hi"),  # Devanagari Extended
        (0x0980, 0x09FF, "bn"),  # Bengali
        (0x0A00, 0x0A7F, "pa"),  # Gurmukhi
        (0x0A80, 0x0AFF, "gu"),  # Gujarati
        (0x0B00, 0x0B7F, "or"),  # Oriya
        (0x0B80, 0x0BFF, "ta"),  # Tamil
        (0x0C00, 0x0C7F, "te"),  # Telugu
        (0x0C80, 0x0CFF, "kn"),  # Kannada
        (0x0D00, 0x0D7F, "ml"),  # Malayalam
        (0x0D80, 0x0DFF, "si"),  # Sinhala
        (0x0E00, 0x0E7F, "th"),  # Thai
        (0x0E80, 0x0EFF, "lo"),  # Lao
        (0x0F00, 0x0FFF, "bo"),  # Tibetan
        (0x1000, 0x109F, "my"),  # Myanmar
        (0x10A0, 0x10FF, "ka"),  # Georgian
        (0x1C90, 0x1CBF, "ka"),  # Georgian Extended (Mtavruli)
        (0x2D00, 0x2D2F, "ka"),  # Georgian Supplement
        (0x1100, 0x11FF, "ko"),  # Hangul Jamo
        (0x3130, 0x318F, "ko"),  # Hangul Compatibility Jamo
        (0xAC00, 0xD7AF, "ko"),  # Hangul Syllables
        (0x1200, 0x139F, "am"),  # Ethiopic, Ethiopic Supplement
        (0x2D80, 0x2DDF, "am"),  # Ethiopic Extended
        (0xAB00, 0xAB2F, "am"),  # Ethiopic Extended-A
        (0x1780, 0x17FF, "km"),  # Khmer
        (0x3040, 0x30FF, "ja"),  # Hiragana, Katakana
        (0x31F0, 0x31FF, "ja"),  # Katakana Phonetic Extensions
    ]
)
_STARTS = [first for first, _, _ in _BLOCKS]
_FIRST = _STARTS[0]
"""Below this code point (Greek's) a letter is in no block here, nor Han (which starts later)."""
_HAN = (0x4E00, 0x9FFF)
"""CJK ideographs: Chinese, or Japanese when kana stand among them."""
KANA_SHARE = 0.05
"""Japanese is written mostly in kanji; this share of kana among kanji and kana makes it ``ja``."""
UNSPACED = frozenset({"th", "lo", "km", "my", "bo", "ja"})
"""Languages written without spaces between words: word counts say nothing about their length."""


def script_language(text: str) -> str | None:
    """Return the language the majority of ``text``'s letters are written for, or None.

    >>> script_language("שלום עולם"), script_language("Καλημέρα"), script_language("Hello")
    ('he', 'el', None)
    >>> script_language("東京は日本の首都です"), script_language("北京是中国的首都")
    ('ja', None)
    """
    if text.isascii():
        return None  # no block starts below U+0370: the letters of most text name no language
    counts: Counter[str] = Counter()
    letters = han = 0
    for char in text:
        if not char.isalpha():
            continue
        letters += 1
        point = ord(char)
        if point < _FIRST:
            continue  # Latin: no binary search
        if _HAN[0] <= point <= _HAN[1]:
            han += 1
            continue
        at = bisect.bisect_right(_STARTS, point) - 1
        if at >= 0 and point <= _BLOCKS[at][1]:
            counts[_BLOCKS[at][2]] += 1
    kana = counts["ja"]
    if kana and kana >= KANA_SHARE * (kana + han):
        counts["ja"] += han
    if not counts:
        return None
    language, count = counts.most_common(1)[0]
    return language if 2 * count > letters else None
