"""Where an article comes from: a file, a saved page (gzip-compressed or not), or a web address.

Every command that takes an article takes any of them. ``take`` turns what a person typed into a
``Source``: a web address is fetched there, once, so the rest of the build works on the page's
bytes as it would on a file's; anything else is a path. ``source_bytes`` then hands the read
stage the bytes, the name its messages use and the format the server or the config names.
"""

from __future__ import annotations

import html
import re
from pathlib import Path, PurePath
from typing import TYPE_CHECKING

from polycast.errors import InputError
from polycast.fetch import Page, fetch_page, is_url
from polycast.fetch.inflate import GZIP_MAGIC, gunzip
from polycast.inputs import read_bounded
from polycast.read.source import Format

if TYPE_CHECKING:
    from polycast.cache import Cache
    from polycast.config import Config

Source = Path | Page
"""An article's file, or a web page already fetched."""

_HEAD = re.compile(rb"<head(?:\s[^<>]{0,2000})?>", re.I)
_ADDRESSED = re.compile(rb"""property\s*=\s*["']?og:url|rel\s*=\s*["']?canonical""", re.I)


def take(source: str | Path | Page, config: Config, cache: Cache | None = None) -> Source:
    """Return the article a command was given: an http(s) address fetched, else a path.

    Args:
        source: what the command line gave (a path or an address), or a source already taken.
        config: the build's settings (``max_article_mb``, ``fetch_timeout``).
        cache: where the page is kept for the next build; None: the one ``config`` asks for.

    Raises:
        FetchError: the page cannot be fetched (named with its address and the reason).
    """
    if isinstance(source, Page | Path) or not is_url(source):
        return source if isinstance(source, Page | Path) else Path(source)
    if cache is None:
        from polycast.cache import Cache  # noqa: PLC0415 (the cache is only needed for a page)

        cache = Cache.of(config.speak.cache)
    return fetch_page(
        source, cache=cache, max_bytes=config.max_article_bytes, timeout=config.fetch_timeout
    )


def source_file(source: Source | None) -> Path | None:
    """Return the file a source reads, for the checks that keep outputs off it; a page has none."""
    return source if isinstance(source, Path) else None


def source_notices(source: Source) -> tuple[str, ...]:
    """Return what a person should be told of where the article came from (a page's notices)."""
    return source.notices if isinstance(source, Page) else ()


def source_stem(source: Source) -> str:
    """Name the episode after its source: the file's stem (``.html.gz`` off), or the page's name.

    >>> source_stem(Path("saved/The Page.html.gz")), source_stem(Path("notes.md"))
    ('The Page', 'notes')
    """
    if isinstance(source, Page):
        return source.name
    return PurePath(_unzipped_name(source.name)).stem


def _unzipped_name(name: str) -> str:
    return name[:-3] if name.lower().endswith(".gz") and len(name) > 3 else name


def source_bytes(source: Source, config: Config) -> tuple[bytes, str, Format | None]:
    """Return an article's bytes, its name (for messages and the format), and its format.

    A gzip-compressed file (a saved ``.html.gz``) is decompressed, never past the size cap; its
    name loses the ``.gz`` so the format is told from what is inside.

    Raises:
        InputError: the file is missing, not a regular file, too large (compressed or not),
            or a damaged gzip file.
    """
    if isinstance(source, Page):
        return _addressed(source), source.url, config.format or source.format
    data = read_bounded(source, config.max_article_bytes, "article")
    if not data.startswith(GZIP_MAGIC):
        return data, source.name, config.format
    try:
        data = gunzip(data, config.max_article_bytes)
    except InputError as e:
        raise InputError(f"{source}: {e}") from e
    return data, _unzipped_name(source.name), config.format


def _addressed(page: Page) -> bytes:
    """Tell an HTML page where it was fetched from, when it does not say so itself.

    The reader resolves a relative lead image (``<img src="/img/lead.jpg">``) against the page's
    own address, from ``og:url`` or ``<link rel=canonical>``; a page that gives neither was still
    fetched from somewhere, and that address is the base a browser would use.
    """
    if page.format not in (Format.HTML, None) or _ADDRESSED.search(page.data):
        return page.data
    head = _HEAD.search(page.data)
    if head is None:
        return page.data
    tag = f'<meta property="og:url" content="{html.escape(page.final_url)}">'.encode()
    return page.data[: head.end()] + tag + page.data[head.end() :]
