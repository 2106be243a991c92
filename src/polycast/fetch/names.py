"""An episode's file name from a web page: its address's slug, else its title, else its host.

``https://example.org/2024/05/the-long-read/`` makes ``the-long-read``; ``/index.html``,
``/amp`` and ``/print`` are passed over for the segment before them; an address with no word in
its path (``/p/123456``) falls back to the page's title. Names keep letters and digits only,
joined by hyphens, accents dropped from Latin letters, so any file system and any URL takes them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from posixpath import splitext
from urllib.parse import unquote, urlsplit

MAX_NAME = 80
"""The longest name made, in characters: enough for a headline's slug, short for a file list."""

_NOISE = {
    "index",
    "default",
    "home",
    "amp",
    "print",
    "article",
    "story",
    "post",
    "page",
    "view",
    "content",
    "full",
    "comments",
}
_PAGE_SUFFIXES = {
    *(".html", ".htm", ".xhtml", ".shtml", ".php", ".asp", ".aspx", ".jsp", ".cfm"),
    *(".md", ".markdown", ".txt"),
}


def safe_name(text: str) -> str:
    """Return ``text`` as a file name: lowercase letters and digits joined by single hyphens.

    >>> safe_name("Café au lait: 3 ways!")
    'cafe-au-lait-3-ways'
    >>> safe_name("Путин и Лукашенко")
    'путин-и-лукашенко'
    >>> safe_name("../../etc/passwd")
    'etc-passwd'
    """
    folded = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(c for c in folded if not unicodedata.combining(c))
    kept = unicodedata.normalize("NFC", kept)
    words = [w for w in re.split(r"[^\w]+|_", kept) if w]
    name = "-".join(words)
    if len(name) > MAX_NAME:
        name = name[:MAX_NAME].rsplit("-", 1)[0] if "-" in name[:MAX_NAME] else name[:MAX_NAME]
    return name


def url_slug(url: str) -> str | None:
    """Return the last meaningful segment of ``url``'s path as a name, or None if it has none.

    >>> url_slug("https://example.org/news/2024/05/the-long-read/")
    'the-long-read'
    >>> url_slug("https://example.org/blog/my-post/index.html")
    'my-post'
    >>> url_slug("https://example.org/raw/main/release-notes.md")
    'release-notes'
    >>> url_slug("https://example.org/") is None
    True
    >>> url_slug("https://example.org/p/123456") is None
    True
    """
    segments = [unquote(s) for s in urlsplit(url).path.split("/") if s]
    for segment in reversed(segments):
        stem, suffix = splitext(segment)
        word = stem if suffix.lower() in _PAGE_SUFFIXES else segment
        if word.casefold() in _NOISE:
            continue
        name = safe_name(word)
        has_letter = any(c.isalpha() for c in name)
        return name if has_letter and len(name) >= 3 else None
    return None


def episode_name(urls: Sequence[str], title: str | None) -> str:
    """Name a page's episode: the slug of the first of ``urls`` that has one, else ``title``.

    The address that answered comes first (a short link's slug says nothing), the one asked for
    next; a page with neither slug nor title is named after its host.

    >>> episode_name(["https://example.org/"], "A Day in the Life")
    'a-day-in-the-life'
    >>> episode_name(["https://example.org/p/1", "https://example.org/a-day/"], None)
    'a-day'
    >>> episode_name(["http://127.0.0.1:8080/"], None)
    '127-0-0-1'
    """
    slugs = [url_slug(url) for url in urls]
    hosts = [safe_name(urlsplit(url).hostname or "") for url in urls]
    for candidate in (*slugs, safe_name(title or ""), *hosts):
        if candidate:
            return candidate
    return "page"
