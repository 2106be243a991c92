"""Emoji removal in time that grows with the text, and fast on text without emoji.

``emoji.replace_emoji`` walks the text one character at a time in Python: over a microsecond a
character, paid on every letter of a long article, several times over. Every emoji holds a
character outside ASCII, and the only ASCII characters in any emoji are a keycap's ``0-9#*``,
which always come first. So the library is asked only about runs of non-ASCII characters (with
the keycap characters just before them); the ASCII text between them is copied as it is.

Importing the library takes ~40 ms, more than planning an article does, and most articles hold
accents and curly quotes but no emoji: it is imported only for text holding a character that
some emoji holds (``_EMOJI_CHARACTER``, checked against the library's list by a test).
"""

from __future__ import annotations

import re

_CANDIDATE = re.compile(r"(?<![#*0-9])[#*0-9]*[^\x00-\x7f]+")
"""A run that may hold emoji; the look-behind starts a run of digits only at its first digit,
so a long number is scanned once, not once per digit."""
_EMOJI_CHARACTER = re.compile(
    "[\u00a9\u00ae\u200d\u203c\u2049\u20e3\u2122-\u2139\u2194-\u21aa\u231a-\u2328"
    "\u23cf-\u23fa\u24c2\u25aa-\u27bf\u2934-\u2935\u2b05-\u2b55\u3030-\u303d"
    "\u3297-\u3299\ufe0f\U0001f000-\U0001faff\U000e0020-\U000e007f]"
)
"""Every emoji holds one of these (its symbol, a joiner, a presentation selector, a keycap or a
tag); letters, accents, quotes and dashes are none of them. The symbol planes are taken whole,
so emoji added there later are found too."""


def replace_emoji(text: str, replace: str = " ") -> str:
    """Replace every emoji in ``text`` with ``replace``, as ``emoji.replace_emoji`` does.

    >>> replace_emoji("Mooi 😀 weer 👨‍👩‍👧! 2024 #1 1️⃣")
    'Mooi   weer  ! 2024 #1  '
    """
    if text.isascii() or not _EMOJI_CHARACTER.search(text):
        return text
    import emoji  # noqa: PLC0415 (slow import, only for text that may hold emoji)

    return _CANDIDATE.sub(lambda m: emoji.replace_emoji(m[0], replace=replace), text)
