"""The tail of a post: the mentions, hashtags and links a post ends with, as a listener hears them.

A post often ends in a run of tokens that are not part of its sentences: CEPA's tweet ends
``… exercise.” @StevenHorrell https://t.co/vTcIoMT55Q``, a Dutch one ``… woningen! #wonen``. Read
word for word, the listener hears a bare "Steven Horrell" or "wonen" after the last sentence, as if
the post broke off. The rule, for the trailing run only (a hashtag or mention inside a sentence is
read as a word by the speech clean-up: ``#wonen`` -> "wonen", ``#DeepLearning`` -> "Deep Learning"):

- Trailing hashtags are dropped. They are labels for search, not words of the post, and mostly
  repeat what it just said ("woningen! #wonen").
- Trailing mentions are kept, read as the post's own language says it: "with Steven Horrell",
  "met Steven Horrell", a sentence of their own. A mention there names someone the post credits
  or brings in (the author of the linked piece, a co-author, a person tagged); a listener cannot
  see the embed, so dropping the name would lose who else the post is about. The preposition
  makes it a phrase rather than a name left dangling. In a language with no words here
  (``CREDIT``), the mentions are dropped rather than read with another language's words.
- Links stay where they are: the clean-up removes them later, and the attribution first reads
  them for the platform (a ``t.co`` link says Twitter).

A run counts as the tail only where it stands apart, after a sentence's end or a line break: in
"Great talk by @StevenHorrell" or "I love #Utrecht" the last word belongs to the sentence and is
read as a word. A run with no words before it is the whole post (``#wonen https://t.co/x``): it is
left as it is and read as words, since it is all the post says. ``polycast segments`` shows the
result in each post's ``speech``.
"""

from __future__ import annotations

import re

from polycast.langcodes import primary
from polycast.plan.attribution import split_handle

CREDIT = {
    "nl": ("Met {names}.", " en "),
    "en": ("With {names}.", " and "),
    "de": ("Mit {names}.", " und "),
    "fr": ("Avec {names}.", " et "),
    "es": ("Con {names}.", " y "),
}
"""Per post language: the sentence that reads trailing mentions, and the word before the last."""

_TOKEN = re.compile(r"\S+")
_SENTENCE_END = re.compile(r"[.!?…:;。！？][\"'”’»)\]]*$")
_MENTION = re.compile(r"@(\w{1,30})(?:@[\w.-]+)?")
_HASHTAG = re.compile(r"#\w*[^\W\d_]\w*")
_LINK = re.compile(r"\S*://\S*|(?:www\.|pic\.twitter\.com/|t\.co/)\S*", re.IGNORECASE)


def read_tail(text: str, lang: str) -> str:
    r"""Return a post's text with its trailing mentions read as a credit and its hashtags dropped.

    Args:
        text: the post's words as written, its byline already removed.
        lang: the post's language.

    >>> read_tail("Zapad will serve. @StevenHorrell https://t.co/x", "en")
    'Zapad will serve. https://t.co/x\nWith Steven Horrell.'
    >>> read_tail("Nieuwe woningen! #wonen", "nl"), read_tail("#wonen", "nl")
    ('Nieuwe woningen!', '#wonen')
    """
    tokens = list(_TOKEN.finditer(text))
    start = len(tokens)
    while start > 0 and _in_tail(tokens[start - 1][0]):
        start -= 1
    if start == len(tokens) or start == 0:
        return text
    before = tokens[start - 1]
    if not _stands_apart(before[0], text[before.end() : tokens[start].start()]):
        return text
    tail = [m[0] for m in tokens[start:]]
    mentions = [split_handle(m[1]) for t in tail if (m := _MENTION.fullmatch(t))]
    kept = [t for t in tail if not _MENTION.fullmatch(t) and not _HASHTAG.fullmatch(t)]
    if len(kept) == len(tail):
        return text  # only links and symbols: the clean-up takes care of them
    said = text[: tokens[start].start()].rstrip()
    if kept:
        said += " " + " ".join(kept)
    credit = _credit(mentions, lang)
    return f"{said}\n{credit}" if credit else said


def _stands_apart(word: str, gap: str) -> bool:
    """Tell whether a run after ``word`` and ``gap`` follows a sentence's end or a line break.

    "Great talk by @StevenHorrell" and "I love #Utrecht" end in words of their sentence.
    """
    return "\n" in gap or bool(_SENTENCE_END.search(word))


def _in_tail(token: str) -> bool:
    """Tell whether a token can stand in a post's tail: a mention, hashtag, link or lone symbol."""
    return bool(
        _MENTION.fullmatch(token)
        or _HASHTAG.fullmatch(token)
        or _LINK.fullmatch(token)
        or not re.search(r"\w", token)
    )


def _credit(names: list[str], lang: str) -> str:
    """Say the mentioned names in ``lang``: "With A, B and C."; empty without words for it."""
    words = CREDIT.get(primary(lang))
    if not names or words is None:
        return ""
    sentence, last = words
    joined = ", ".join(names[:-1]) + last + names[-1] if len(names) > 1 else names[0]
    return sentence.format(names=joined)
