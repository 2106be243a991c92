"""The feed as a tree: channel fields from the show, and one item per published episode.

Only what polycast owns is touched. In the channel, the fields the show config sets are replaced
and everything else (other namespaces, comments, items from other tools) stays in place. An item
belongs to polycast when its GUID is the one polycast derives for the episode: that item is
replaced where it stands; a new one goes above the newest item. Text is put into the tree as it
is; ``xmlio.serialize`` escapes it.
"""

from __future__ import annotations

import html
import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import urlsplit

from polycast import __version__
from polycast.errors import FeedError
from polycast.publish.show import ShowConfig
from polycast.publish.xmlio import ATOM_NS, ITUNES_NS, PODCAST_NS, PODCAST_NS_NEW

PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
"""The UUIDv5 namespace the Podcasting 2.0 spec gives for ``podcast:guid``."""


def _it(name: str) -> str:
    return f"{{{ITUNES_NS}}}{name}"


def podcast_namespace(declared: Iterable[str]) -> str:
    """Choose the Podcasting 2.0 namespace URI to write: the one a feed already uses, else ours.

    >>> podcast_namespace([PODCAST_NS_NEW]) == PODCAST_NS_NEW, podcast_namespace([]) == PODCAST_NS
    (True, True)
    """
    uris = set(declared)
    return PODCAST_NS_NEW if PODCAST_NS_NEW in uris and PODCAST_NS not in uris else PODCAST_NS


_ATOM_LINK = f"{{{ATOM_NS}}}link"
_PODCAST_NAMES = {f"{{{ns}}}{n}" for ns in (PODCAST_NS, PODCAST_NS_NEW) for n in ("guid", "locked")}
_MANAGED = {
    "title",
    "link",
    "description",
    "language",
    "generator",
    "lastBuildDate",
    "image",
    *(_it(n) for n in ("author", "owner", "image", "category", "explicit", "type")),
    *_PODCAST_NAMES,
}


@dataclass(frozen=True)
class FeedItem:
    """Everything an episode's ``<item>`` says, with URLs already resolved."""

    guid: str
    """Stable identity of the episode in this feed."""
    title: str
    """Episode title."""
    description: str
    """Plain-text show notes (``itunes:summary``; written as HTML in ``description``)."""
    enclosure_url: str
    """Public URL of the MP3."""
    length: int
    """MP3 size in bytes."""
    seconds: int
    """Duration in whole seconds."""
    explicit: bool
    """``itunes:explicit``."""
    pub_date: datetime | None = None
    """Publication time; None keeps the existing item's, or uses now for a new item."""
    author: str | None = None
    """Episode author (``itunes:author``)."""
    chapters_url: str | None = None
    """Public URL of the JSON chapters file."""
    transcripts: tuple[tuple[str, str], ...] = ()
    """``(url, mime type)`` of each transcript."""
    persons: tuple[str, ...] = ()
    """The article's authors (``podcast:person``, role author)."""
    soundbite: tuple[float, float, str] | None = None
    """The pull quote's start and duration in seconds, and its text (``podcast:soundbite``)."""
    image: str | None = None
    """The episode's artwork URL (``itunes:image`` and ``podcast:image``)."""


_URL = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)\]'’”]")


def notes_html(text: str) -> str:
    r"""Turn plain show notes into the HTML apps expect in an item's ``<description>``.

    Apps render ``<description>`` as HTML, so plain text would lose anything that looks like a
    tag (``<Poetin>``). Text is escaped; blank lines separate paragraphs, single newlines become
    ``<br>``, and web addresses become links.

    >>> notes_html("Ik & <jij>\nop\n\nhttps://x.nl/a.")
    '<p>Ik &amp; &lt;jij&gt;<br>op</p><p><a href="https://x.nl/a">https://x.nl/a</a>.</p>'
    """
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    parts = []
    for paragraph in paragraphs:
        escaped = html.escape(paragraph, quote=False)
        linked = _URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escaped)
        parts.append("<p>" + "<br>".join(re.split(r"\r\n|\r|\n", linked)) + "</p>")
    return "".join(parts)


def podcast_guid(feed_url: str) -> str:
    """Return the Podcasting 2.0 ``podcast:guid`` for a feed URL (scheme and trailing ``/`` off).

    >>> podcast_guid("https://mp3s.nashownotes.com/pc20rss.xml")
    '917393e3-1b1e-5cef-ace4-edaa54e1f810'
    >>> podcast_guid("http://podnews.net/rss/")
    '9b024349-ccf0-5f69-a609-6b82873eab3c'
    """
    parts = urlsplit(feed_url.strip())
    bare = parts.netloc + parts.path + (f"?{parts.query}" if parts.query else "")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, bare.rstrip("/")))


def episode_guid(show_guid: str, name: str) -> str:
    """Return an episode's GUID: a UUIDv5 of its published file name in the show's namespace.

    The same file name in the same show always gives the same GUID, so republishing a rebuilt
    episode updates its item; the show's ``podcast:guid`` makes it unique across shows.
    """
    return str(uuid.uuid5(uuid.UUID(show_guid), name))


def rfc822(moment: datetime) -> str:
    """Format a time as RSS wants it, in GMT.

    >>> rfc822(datetime(2021, 9, 9, 12, tzinfo=UTC))
    'Thu, 09 Sep 2021 12:00:00 GMT'
    """
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def _sub(parent: ET.Element, tag: str, text: str | None = None, /, **attrib: str) -> ET.Element:
    """Append a child with ``text`` (positional) and the keyword attributes (``text=`` too)."""
    child = ET.SubElement(parent, tag, attrib)
    child.text = text
    return child


def new_feed() -> ET.Element:
    """Return an empty RSS 2.0 document: ``<rss version="2.0"><channel/></rss>``."""
    root = ET.Element("rss", {"version": "2.0"})
    ET.SubElement(root, "channel")
    return root


def channel_of(root: ET.Element) -> ET.Element:
    """Return the feed's ``<channel>``.

    Raises:
        FeedError: the document is not an RSS 2.0 feed.
    """
    channel = root.find("channel")
    if root.tag != "rss" or channel is None:
        raise FeedError(f"not an RSS feed (root element <{root.tag}>, expected <rss><channel>)")
    return channel


def _managed(child: ET.Element) -> bool:
    if child.tag == _ATOM_LINK:
        return child.get("rel") == "self"
    return child.tag in _MANAGED


def _channel_fields(
    show: ShowConfig, feed_url: str, guid: str, now: datetime, podcast_ns: str
) -> ET.Element:
    """Build the channel fields polycast sets, in a holder element (children in feed order)."""
    holder = ET.Element("holder")
    link = show.link or show.base_url
    _sub(holder, "title", show.title)
    _sub(holder, "link", link)
    _sub(holder, "description", show.description)
    _sub(holder, "language", show.language)
    _sub(holder, "generator", f"polycast {__version__}")
    _sub(holder, "lastBuildDate", rfc822(now))
    _sub(holder, _ATOM_LINK, href=feed_url, rel="self", type="application/rss+xml")
    _sub(holder, _it("author"), show.author)
    owner = _sub(holder, _it("owner"))
    _sub(owner, _it("name"), show.owner_name)
    _sub(owner, _it("email"), show.owner_email)
    _sub(holder, _it("image"), href=show.image_url)
    category = _sub(holder, _it("category"), None, text=show.category)
    if show.subcategory:
        _sub(category, _it("category"), None, text=show.subcategory)
    _sub(holder, _it("explicit"), "true" if show.explicit else "false")
    _sub(holder, _it("type"), "episodic")
    _sub(holder, f"{{{podcast_ns}}}guid", guid)
    locked = "yes" if show.locked else "no"
    _sub(holder, f"{{{podcast_ns}}}locked", locked, owner=show.owner_email)
    image = _sub(holder, "image")
    _sub(image, "url", show.image_url)
    _sub(image, "title", show.title)
    _sub(image, "link", link)
    return holder


def update_channel(
    root: ET.Element,
    show: ShowConfig,
    feed_url: str,
    now: datetime,
    podcast_ns: str = PODCAST_NS,
) -> str:
    """Set the channel fields from the show, keeping every other child as it was.

    A ``podcast:guid`` already in the feed is kept (the spec: it follows a show for life, even
    when its feed moves); otherwise it is derived from ``feed_url``. ``podcast_ns`` is the
    Podcasting 2.0 namespace URI to write (see ``podcast_namespace``).

    Returns:
        The show's ``podcast:guid``.

    Raises:
        FeedError: the document is not an RSS 2.0 feed.
    """
    channel = channel_of(root)
    existing = [c for c in channel if c.tag in _PODCAST_NAMES and c.tag.endswith("}guid")]
    guid = (existing[0].text or "").strip() if existing else ""
    guid = guid if _is_uuid(guid) else podcast_guid(feed_url)
    kept = [c for c in channel if not _managed(c)]
    for child in list(channel):
        channel.remove(child)
    channel.extend([*_channel_fields(show, feed_url, guid, now, podcast_ns), *kept])
    return guid


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def _item_element(item: FeedItem, pub_date: datetime, podcast_ns: str) -> ET.Element:
    """Build an episode's ``<item>``."""
    node = ET.Element("item")
    _sub(node, "title", item.title)
    _sub(node, _it("title"), item.title)
    _sub(node, "description", notes_html(item.description))
    _sub(node, _it("summary"), item.description)
    _sub(node, "guid", item.guid, isPermaLink="false")
    _sub(node, "pubDate", rfc822(pub_date))
    attrs = {"url": item.enclosure_url, "length": str(item.length), "type": "audio/mpeg"}
    _sub(node, "enclosure", **attrs)
    _sub(node, _it("duration"), str(item.seconds))
    _sub(node, _it("explicit"), "true" if item.explicit else "false")
    _sub(node, _it("episodeType"), "full")
    if item.author:
        _sub(node, _it("author"), item.author)
    if item.image:
        # podcast:image, not the deprecated podcast:images, whose srcset needs the pixel width
        # of a picture a build never fetches; without aspect-ratio apps read it as square.
        _sub(node, _it("image"), href=item.image)
        _sub(node, f"{{{podcast_ns}}}image", href=item.image, alt=f"Artwork of {item.title}")
    if item.chapters_url:
        chapters = f"{{{podcast_ns}}}chapters"
        _sub(node, chapters, url=item.chapters_url, type="application/json+chapters")
    for url, mime in item.transcripts:
        _sub(node, f"{{{podcast_ns}}}transcript", url=url, type=mime, rel="captions")
    for name in item.persons:
        _sub(node, f"{{{podcast_ns}}}person", name, group="writing", role="author")
    if item.soundbite:
        start, duration, text = item.soundbite
        bite = {"startTime": f"{start:.3f}", "duration": f"{duration:.3f}"}
        _sub(node, f"{{{podcast_ns}}}soundbite", text or None, **bite)
    return node


def _guid_of(item: ET.Element) -> str | None:
    guid = item.find("guid")
    return None if guid is None else (guid.text or "").strip()


def _old_date(item: ET.Element) -> datetime | None:
    text = item.findtext("pubDate")
    try:
        return parsedate_to_datetime(text.strip()) if text else None
    except (TypeError, ValueError):
        return None


def upsert_item(
    root: ET.Element, item: FeedItem, now: datetime, podcast_ns: str = PODCAST_NS
) -> bool:
    """Put the episode's item in the feed: replace the item with its GUID, or add it on top.

    An existing item's ``pubDate`` is kept when ``item.pub_date`` is None, so republishing an
    undated episode does not move it in apps' lists. Other items are not touched.

    Returns:
        True when an existing item was replaced, False when the item is new.

    Raises:
        FeedError: the document is not an RSS 2.0 feed.
    """
    channel = channel_of(root)
    children = list(channel)
    mine = [i for i, c in enumerate(children) if c.tag == "item" and _guid_of(c) == item.guid]
    if mine:
        at = mine[0]
        pub_date = item.pub_date or _old_date(children[at]) or now
        for index in reversed(mine):
            channel.remove(children[index])
    else:
        items = [i for i, c in enumerate(children) if c.tag == "item"]
        at = items[0] if items else len(children)
        pub_date = item.pub_date or now
    channel.insert(at, _item_element(item, pub_date, podcast_ns))
    return bool(mine)
