"""Articles from the web: a page fetched once per build, kept, and asked about again next time.

``fetch_page`` is the one door: it takes an http(s) address and returns a ``Page``, the bytes the
read stage takes and what a build needs to name the episode. With a ``Cache``, the page is kept
with its ``ETag``/``Last-Modified``; the next build asks the site whether it changed and, on a
``304``, reads the kept copy. When the site cannot be reached at all (refused, no such host,
timed out), the kept copy is read too, and the page says so in its notices; an error status (a
404, a 500) still fails: the page is gone or broken, not out of reach. The network part
(``fetch.http``) loads httpx only when a page is actually fetched, so building from a file costs
nothing of it.
"""

from __future__ import annotations

import codecs
import html
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from polycast.errors import FetchError, SiteUnreachable
from polycast.fetch.names import episode_name
from polycast.inputs import MB
from polycast.read.source import Format

if TYPE_CHECKING:
    from polycast.cache import Cache
    from polycast.cache.pages import KeptPage

__all__ = ["DEFAULT_FETCH_TIMEOUT", "Page", "fetch_page", "is_url", "looks_like_url"]

DEFAULT_FETCH_TIMEOUT = 20.0
"""Seconds a page may take, from connecting to its last byte (``[input] fetch_timeout``)."""

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_TITLE = re.compile(
    rb"""<meta[^>]{0,200}?property\s*=\s*["']og:title["'][^>]{0,40}?content\s*=\s*["']([^"'<>]{1,300})"""
    rb"""|<title[^>]{0,100}>([^<]{1,300})</title""",
    re.I,
)
_FORMATS = {
    "text/html": Format.HTML,
    "application/xhtml+xml": Format.HTML,
    "text/markdown": Format.MARKDOWN,
    "text/x-markdown": Format.MARKDOWN,
}


@dataclass(frozen=True)
class Page:
    """A web page as fetched (or revalidated), ready for the read stage."""

    url: str
    """The address asked for: what messages name, and the cache's key."""
    final_url: str
    """The address that answered, after redirects."""
    data: bytes
    """The page's bytes, decompressed; in UTF-8 when the server's header named another charset,
    else as sent (the reader then takes the charset a ``<meta>`` declares)."""
    content_type: str
    """The media type, lowercase, without parameters ("text/html"); "" when the server sent none."""
    name: str
    """The episode's file name: the address's slug, else the page's title, else its host."""
    revalidated: bool = False
    """True when the site answered ``304 Not Modified`` and ``data`` is the kept copy."""
    notices: tuple[str, ...] = ()
    """What a person should be told of where the page came from: the site unreachable, and
    the copy the cache kept read instead."""

    @property
    def format(self) -> Format | None:
        """The reader the content type asks for; None for text/plain or none: tell by content."""
        return _FORMATS.get(self.content_type)


def looks_like_url(text: str) -> str | None:
    """Return the scheme of ``text`` when it is written as an address (``x://``), else None.

    >>> looks_like_url("https://example.org/a"), looks_like_url("notes/a.md")
    ('https', None)
    >>> looks_like_url("ftp://example.org/a")
    'ftp'
    """
    found = _SCHEME.match(text)
    return found[1].lower() if found else None


def is_url(text: str) -> bool:
    """Tell whether ``text`` is an http or https address polycast fetches.

    >>> is_url("http://127.0.0.1:8000/a/"), is_url("article.html"), is_url("file:///a.html")
    (True, False, False)
    """
    return looks_like_url(text) in ("http", "https")


def fetch_page(
    url: str,
    *,
    cache: Cache | None = None,
    max_bytes: int = int(10 * MB),
    timeout: float = DEFAULT_FETCH_TIMEOUT,
) -> Page:
    """Fetch the page at ``url``, or revalidate the copy ``cache`` keeps of it.

    Args:
        url: an http or https address.
        cache: the build's cache (its ``pages`` part keeps the page), or None to keep nothing.
        max_bytes: the most bytes the page may hold, decompressed (``input.max_article_mb``).
        timeout: seconds for the whole fetch, redirects included (``input.fetch_timeout``).

    Raises:
        FetchError: not an http(s) address, no answer (refused, unknown host, timed out) and no
            kept copy, an error status (404, 500), more than 5 redirects, not a page (an
            image), too large.
    """
    from polycast.cache.pages import KeptPage  # noqa: PLC0415 (light; keeps this import cheap)
    from polycast.fetch.http import get  # noqa: PLC0415 (httpx loads only to fetch)

    pages = cache.pages if cache is not None else None
    kept = pages.get(url, max_bytes) if pages is not None else None
    validators = kept.validators if kept is not None else {}
    try:
        answer = get(url, max_bytes=max_bytes, timeout=timeout, validators=validators)
    except SiteUnreachable as e:
        if kept is None:
            raise
        return _page(kept, notices=(_offline(url, e.reason, kept.fetched),))
    if answer.status == 304 and kept is not None:
        return _page(kept, revalidated=True)
    if answer.status == 304:
        raise FetchError(f"{url}: the server answered 304 Not Modified to a plain request")
    fresh = KeptPage(
        url=url,
        final_url=answer.url,
        content_type=answer.headers.get("content-type", ""),
        etag=answer.headers.get("etag"),
        last_modified=answer.headers.get("last-modified"),
        data=answer.data,
        fetched=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    if pages is not None:
        pages.put(fresh)
    return _page(fresh)


def _offline(url: str, reason: str, fetched: str | None) -> str:
    """Say that the site is out of reach and which kept copy is read instead.

    >>> _offline("https://a.example/x", "timed out", "2026-12-01T22:05:09+00:00")[-54:]
    'building from the copy fetched on 2026-12-01 22:05 UTC'
    >>> _offline("https://a.example/x", "host not found", None)
    'https://a.example/x: unreachable (host not found); building from the copy kept in the cache'
    """
    said = f"{url}: unreachable ({reason}); building from the copy"
    try:
        when = datetime.fromisoformat(fetched or "").astimezone(UTC)
    except ValueError:
        return f"{said} kept in the cache"
    return f"{said} fetched on {when:%Y-%m-%d %H:%M} UTC"


def _page(kept: KeptPage, revalidated: bool = False, notices: tuple[str, ...] = ()) -> Page:
    """Make the ``Page`` of a fetched or kept copy: its media type, charset and name."""
    media, _, params = kept.content_type.partition(";")
    data = _utf8(kept.data, _header_charset(params))
    return Page(
        url=kept.url,
        final_url=kept.final_url,
        data=data,
        content_type=media.strip().lower(),
        name=episode_name((kept.final_url, kept.url), _title(data)),
        revalidated=revalidated,
        notices=notices,
    )


def _header_charset(params: str) -> str | None:
    """Return the codec a ``Content-Type``'s ``charset=`` names, if Python knows it."""
    found = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", params, re.I)
    if not found:
        return None
    try:
        return codecs.lookup(found[1]).name
    except LookupError:
        return None


def _utf8(data: bytes, charset: str | None) -> bytes:
    """Re-encode ``data`` to UTF-8 when the header names another charset.

    A byte-order mark outranks the header, as browsers have it; and a body that is valid UTF-8
    with non-ASCII in it is UTF-8 whatever the header says (a server's default ``ISO-8859-1``
    over a UTF-8 page is a common misconfiguration; real Latin-1 text is almost never valid UTF-8).
    """
    boms = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
    if charset is None or charset == "utf-8" or data.startswith(boms):
        return data
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode(charset, errors="replace").encode("utf-8")
    return data


def _title(data: bytes) -> str | None:
    """Return the page's ``og:title`` or ``<title>``, found cheaply, for a name."""
    found = _TITLE.search(data[:65536])
    if not found:
        return None
    raw = found[1] or found[2] or b""
    return html.unescape(raw.decode("utf-8", errors="replace")).strip() or None
