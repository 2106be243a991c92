"""Follow a site: its RSS, Atom or JSON Feed (or an OPML list of feeds) as a batch's jobs.

An item whose entry carries the full text (RSS ``content:encoded``, Atom ``content``, JSON Feed
``content_html``/``content_text``) is read from there, as a page found at the item's link; any
other item's link is fetched and read as a page. Each item's episode is named after its own GUID
(else its link), so it is the same episode, with the same feed GUID, on every run: a rerun
publishes nothing twice, and an item whose text changed is rebuilt and updated in place.
"""

from __future__ import annotations

import calendar
import html
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from polycast.batch.sources import Job, url_name
from polycast.config import MAX_FOLLOW_MB
from polycast.errors import FeedError
from polycast.fetch import is_url
from polycast.inputs import MB, read_bounded, size_text

FEED_CAP = 50 * MB
"""The largest site feed read: a few thousand full-text items."""
FOLLOW_SETTING = "input.max_follow_mb"
"""The setting that bounds what one follow reads in all: an OPML file's feeds, together."""

FEED_KINDS = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/xml",
        "text/xml",
        "application/feed+json",
        "application/json",
        "text/x-opml",
        "text/x-opml+xml",
        "application/x-opml+xml",
        "text/html",  # a misconfigured server: feedparser tells a feed from a page
        "text/plain",
    }
)
"""The content types a site's feed is served as."""

_OPML = re.compile(rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<opml[\s>]", re.S)


@dataclass(frozen=True)
class Item:
    """One entry of a site's feed, as follow needs it."""

    guid: str
    """The entry's own GUID, else its link."""
    link: str
    """The article's address ("" when the entry has none)."""
    title: str
    """The entry's title."""
    author: str | None
    """Who wrote it."""
    when: datetime | None
    """When it was published (else updated)."""
    text: str | None
    """The full text (HTML), when the entry carries it."""
    language: str | None = None
    """The feed's language, for the page the full text is read as."""


def read_feed(
    source: str, timeout: float, cap: int = FEED_CAP, setting: str | None = None
) -> tuple[bytes, str]:
    """Return a site feed's bytes (fetched, or read from a file) and the base of its links.

    Args:
        source: the feed's address or file.
        timeout: seconds an address may take, from connecting to its last byte.
        cap: the most bytes read.
        setting: what to name when the feed is over ``cap`` (None: nothing).

    Raises:
        FeedError: the file cannot be read, is over ``cap``, or the address cannot be fetched
            or is no feed.
    """
    if not is_url(source):
        return read_bounded(Path(source), cap, "feed", FeedError, setting), source
    from polycast.errors import FetchError  # noqa: PLC0415
    from polycast.fetch.http import get  # noqa: PLC0415 (httpx loads only to fetch)

    try:
        answer = get(
            source,
            max_bytes=cap,
            timeout=timeout,
            validators={},
            kinds=FEED_KINDS,
            setting=setting,
        )
    except FetchError as e:
        raise FeedError(str(e)) from e
    return answer.data, answer.url


def read_site(
    source: str, timeout: float, limit: int = int(MAX_FOLLOW_MB * MB)
) -> tuple[list[Item], list[Path]]:
    """Return a site's items (feed order; every feed an OPML file lists) and the local files read.

    The files are the batch's inputs: publishing must not write over one of them. The items of
    every feed an OPML file lists are held at once, so everything read, the OPML file too, counts
    against ``limit`` (``[input] max_follow_mb``): each feed is read within what the ones before
    it left (and within ``FEED_CAP``).

    Raises:
        FeedError: a feed cannot be read, is not RSS, Atom, JSON Feed or OPML, has no items, or
            is over what ``limit`` leaves.
    """
    data, base = read_feed(source, timeout, *_within(limit, 0))
    files = [] if is_url(source) else [Path(source)]
    if not _OPML.match(data[:4096]):
        return parse_feed(data, base, source), files
    items: list[Item] = []
    used = len(data)
    for feed in opml_feeds(data, base, source):
        feed_data, feed_base = read_feed(feed, timeout, *_within(limit, used))
        used += len(feed_data)
        items.extend(parse_feed(feed_data, feed_base, feed))
        files.extend([] if is_url(feed) else [Path(feed)])
    return items, files


def _within(limit: int, used: int) -> tuple[int, str | None]:
    """Return the cap on the next feed read, and what to name when the feed is over it."""
    left = max(0, limit - used)
    if left >= FEED_CAP:
        return FEED_CAP, None
    return left, (
        f"{FOLLOW_SETTING} = {limit / MB:g} for all the feeds one follow reads; "
        f"{size_text(used)} were read before this one"
    )


def opml_feeds(data: bytes, base: str, where: str) -> list[str]:
    """Return the feeds an OPML document lists (``xmlUrl``), resolved against ``base``.

    Raises:
        FeedError: the OPML cannot be parsed or lists no feed.
    """
    import defusedxml.ElementTree as SafeET  # noqa: PLC0415

    try:
        root = SafeET.fromstring(data)
    except Exception as e:  # defusedxml's refusals and ParseError alike
        raise FeedError(f"{where}: not a readable OPML file ({e})") from e
    urls = [o.get("xmlUrl", "").strip() for o in root.iter("outline")]
    feeds = [_resolve(base, url) for url in urls if url]
    if not feeds:
        raise FeedError(f"{where}: the OPML file lists no feed (no outline has an xmlUrl)")
    return list(dict.fromkeys(feeds))


def _resolve(base: str, url: str) -> str:
    """Resolve a feed's address against an OPML's: a URL's, or a file's folder."""
    if is_url(url) or is_url(base):
        return urljoin(base, url)
    return str(Path(base).parent / url)


def parse_feed(data: bytes, base: str, where: str) -> list[Item]:
    """Parse RSS, Atom or JSON Feed into items.

    Raises:
        FeedError: it is none of them, or holds no item.
    """
    if data.lstrip()[:1] == b"{":
        items = _json_feed(data, where)
    else:
        import feedparser  # noqa: PLC0415 (only to follow a site)

        parsed = feedparser.parse(data, response_headers={"content-location": base})
        if not parsed.get("version"):
            raise FeedError(f"{where}: not an RSS, Atom or JSON feed, nor an OPML list of them")
        language = parsed.feed.get("language")
        items = [replace(_item(entry), language=language) for entry in parsed.entries]
    if not items:
        raise FeedError(f"{where}: the feed has no items")
    return items


def _item(entry: Mapping[str, Any]) -> Item:
    """Take what follow needs from one feedparser entry."""
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    when = datetime.fromtimestamp(calendar.timegm(parsed), UTC) if parsed else None
    texts = [c.get("value", "") for c in entry.get("content") or () if c.get("value", "").strip()]
    link = str(entry.get("link") or "")
    return Item(
        guid=str(entry.get("id") or link),
        link=link,
        title=str(entry.get("title") or ""),
        author=entry.get("author"),
        when=when,
        text=texts[0] if texts else None,
    )


def _json_feed(data: bytes, where: str) -> list[Item]:
    """Parse a JSON Feed (jsonfeed.org, 1.0 and 1.1).

    Raises:
        FeedError: not JSON, or not a JSON Feed.
    """
    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError) as e:
        raise FeedError(f"{where}: not an RSS, Atom or JSON feed (bad JSON: {e})") from e
    version = document.get("version", "") if isinstance(document, dict) else ""
    items = document.get("items") if isinstance(document, dict) else None
    if not str(version).startswith("https://jsonfeed.org/version/") or not isinstance(items, list):
        raise FeedError(f"{where}: JSON, but not a JSON Feed (no jsonfeed.org version and items)")
    language = document.get("language")
    language = language if isinstance(language, str) else None
    return [
        replace(_json_item(entry), language=language) for entry in items if isinstance(entry, dict)
    ]


def _json_item(entry: Mapping[str, Any]) -> Item:
    """Take what follow needs from one JSON Feed item."""
    written = str(entry.get("date_published") or entry.get("date_modified") or "")
    try:
        when = datetime.fromisoformat(written.replace("Z", "+00:00")) if written else None
    except ValueError:
        when = None
    text = entry.get("content_html")
    if not text and entry.get("content_text"):
        paragraphs = str(entry["content_text"]).split("\n\n")
        text = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    authors = entry.get("authors") or ([entry["author"]] if entry.get("author") else [])
    names = [str(a.get("name")) for a in authors if isinstance(a, dict) and a.get("name")]
    link = str(entry.get("url") or "")
    return Item(
        guid=str(entry.get("id") or link),
        link=link,
        title=str(entry.get("title") or ""),
        author=", ".join(names) or None,
        when=when,
        text=str(text) if text else None,
    )


def chosen(items: list[Item], since: date | None, limit: int | None) -> list[Item]:
    """Keep the items published on or after ``since``, then the ``limit`` newest (feed order)."""
    if since is not None:
        items = [i for i in items if i.when is None or i.when.date() >= since]
    if limit is not None and len(items) > limit:
        oldest = datetime.min.replace(tzinfo=UTC)
        newest = sorted(items, key=lambda i: i.when or oldest, reverse=True)[:limit]
        items = [i for i in items if i in newest]
    return items


def item_job(item: Item) -> Job:
    """Make an item's job: its full text as a page found at its link, or its link to fetch."""
    name = url_name(item.guid) if item.guid else url_name(item.link or item.title)
    origin = item.link or item.guid or item.title
    return Job(
        key=item.guid or origin,
        name=name,
        origin=origin,
        data=None if item.text is None else _page(item),
        filename="" if item.text is None else f"{name}.html",
        url=item.link or None,
    )


def _page(item: Item) -> bytes:
    """Wrap an item's full text in the page its site would show: title, author, date, text."""
    meta = [f'<meta property="og:title" content="{html.escape(item.title)}">']
    if item.author:
        meta.append(f'<meta name="author" content="{html.escape(item.author)}">')
    if item.when is not None:
        moment = item.when.isoformat()
        meta.append(f'<meta property="article:published_time" content="{moment}">')
    if item.link:
        meta.append(f'<meta property="og:url" content="{html.escape(item.link)}">')
    lang = f' lang="{html.escape(item.language)}"' if item.language else ""
    return (
        f'<!DOCTYPE html><html{lang}><head><meta charset="utf-8">'
        f"<title>{html.escape(item.title)}</title>{''.join(meta)}</head>"
        f"<body><article>{item.text}</article></body></html>"
    ).encode()
