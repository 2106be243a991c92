"""Embedded social-media posts: attribution lines, status links, language hints.

Copied or flattened embeds end in the attribution the embed code prints,
``— Name (@handle) date``; the same line closes a ``blockquote.twitter-tweet``. Both readers
use this module, so a post reads the same whether it came as HTML or as plain text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from polycast import langcodes
from polycast.models import Post
from polycast.read.dates import parse_date

_STATUS_URL = re.compile(
    r"https?://(?:www\.|mobile\.)?("
    r"(?:twitter|x)\.com/[A-Za-z0-9_]{1,50}/status(?:es)?/\d{1,25}"
    r"|bsky\.app/profile/[\w.:-]{1,100}/post/\w{1,30}"
    r"|instagram\.com/(?:p|reel|tv)/[\w-]{1,40}"
    r")"
)
_ATTRIBUTION = re.compile(
    r"(?:^|\s)(?:—|–|--|&mdash;)\s*"
    r"(?P<author>[^—–\n()]{0,120}?)\s*"
    r"\(@(?P<handle>[A-Za-z0-9_.]{1,50}(?:@[\w.-]{1,100})?)\)"
    r"\s*(?P<date>[^\n()@—]{0,60}?)\s*$"
)
_TAIL = 400
"""Only the end of a paragraph can hold its attribution; searching just there keeps it linear."""

_NO_LANGUAGE = frozenset({"und", "zxx", "qme", "qht", "qst", "qam", "qct", "art", "mul"})
_OLD_CODES = {"in": "id", "iw": "he", "ji": "yi"}


@dataclass(frozen=True)
class Attribution:
    """A paragraph split into the post's own words and who wrote it."""

    text: str
    """The post's words, as written."""
    post: Post
    """Author, handle, date and link."""


def status_url(text: str) -> str | None:
    """Return the last link to a post's status page in ``text``, without query or fragment.

    >>> status_url('<a href="https://twitter.com/cepa/status/123?ref_src=twsrc">x</a>')
    'https://twitter.com/cepa/status/123'
    >>> status_url("https://bsky.app/profile/jay.bsky.team/post/3k2a?ref_src=embed")
    'https://bsky.app/profile/jay.bsky.team/post/3k2a'
    """
    found = None
    for m in _STATUS_URL.finditer(text):
        found = m
    return f"https://{found[1]}" if found else None


def split_attribution(text: str) -> Attribution | None:
    """Split ``text`` that ends in ``— Name (@handle) date`` into the post and its attribution.

    Args:
        text: A paragraph, as written.

    Returns:
        The post's words and a ``Post``; None when the paragraph does not end in an attribution.

    >>> a = split_attribution("Zapad 2021 starts. — CEPA (@cepa) 9 september 2021")
    >>> a.text, a.post.author, a.post.handle, a.post.date
    ('Zapad 2021 starts.', 'CEPA', 'cepa', '2021-09-09')
    """
    start = max(0, len(text) - _TAIL)
    m = _ATTRIBUTION.search(text, start)
    if not m:
        return None
    date_text = m["date"].strip() or None
    if date_text and not any(c.isdigit() for c in date_text):
        return None
    post = Post(
        author=m["author"].strip() or None,
        handle=m["handle"],
        date_text=date_text,
        date=parse_date(date_text) if date_text else None,
        url=status_url(text),
    )
    return Attribution(text[: m.start()].rstrip(), post)


def normalise_lang(code: str | None) -> str | None:
    """Reduce a language tag to its primary code (``en-GB`` -> ``en``); None if it names none.

    Embeds mark posts of no language (only links, only hashtags) with codes such as ``und``
    or ``zxx``; those give no hint at all.

    >>> [normalise_lang(c) for c in ("en-GB", "nl_NL", "und", "in")]
    ['en', 'nl', None, 'id']
    """
    if not code:
        return None
    primary = langcodes.primary(code)
    if not re.fullmatch(r"[a-z]{2,3}", primary) or primary in _NO_LANGUAGE:
        return None
    return _OLD_CODES.get(primary, primary)
