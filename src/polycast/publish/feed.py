"""Publish an episode: copy it and its companions to the publish folder and update the feed.

The order protects the feed, which is the user's data. Under a lock beside the feed (so two
publishes never interleave), the existing feed is read and parsed first: if it cannot be parsed,
publishing stops with a ``FeedError`` before anything is copied, and the feed is left byte for
byte as it was. Then the files are copied (each atomically), and only then is the new feed
written, atomically, so the feed never names a file that is not there yet.

An episode's GUID is a UUIDv5 of its file name in the show's ``podcast:guid`` namespace (see
``rss.episode_guid``): rebuilding and republishing ``article.mp3`` updates its item in place;
publishing it under another name makes a new episode.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import filelock

from polycast.errors import FeedError, OutputError
from polycast.files import atomic_write, lock_path, write_bytes_atomic
from polycast.inputs import MB, read_bounded
from polycast.publish.episode import Companion, Episode, read_episode
from polycast.publish.rss import (
    FeedItem,
    channel_of,
    episode_guid,
    new_feed,
    podcast_namespace,
    update_channel,
    upsert_item,
)
from polycast.publish.show import ShowConfig
from polycast.publish.site import write_site
from polycast.publish.transcript import read_timeline, read_vtt
from polycast.publish.verify import check_companions
from polycast.publish.xmlio import parse_feed, serialize
from polycast.times import clock, seconds_to_ms

log = logging.getLogger(__name__)

FEED_NAME = "feed.xml"
"""The feed's file name in the publish folder, unless the caller names another file."""

_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?)?)?")


@dataclass(frozen=True)
class PublishReport:
    """What a publish did, for the one line the CLI prints."""

    feed: Path
    """The feed file written."""
    title: str
    """Episode title."""
    guid: str
    """The episode item's GUID."""
    url: str
    """Public URL of the episode's MP3."""
    created: bool
    """True when the feed did not exist and was created."""
    updated: bool
    """True when the episode was in the feed already and its item was replaced."""
    items: int
    """Number of items in the feed now."""
    copied: tuple[Path, ...]
    """Files copied into the publish folder."""


def public_url(base_url: str, name: str) -> str:
    """Return the URL of a published file: ``base_url`` joined with its percent-encoded name.

    >>> public_url("https://example.com/pod/", "één aflevering.mp3")
    'https://example.com/pod/%C3%A9%C3%A9n%20aflevering.mp3'
    """
    return f"{base_url.rstrip('/')}/{quote(name)}"


def episode_date(text: str | None) -> datetime | None:
    """Turn an ID3 date (``2021``, ``2021-09``, ``2021-09-09``, ``2021-09-09T08:30``) into a time.

    A missing month or day is the first; a date without a time is noon UTC, so the day shown is
    the same in most time zones. Returns None for no date or one that does not parse.

    >>> episode_date("2021-09-09").isoformat()
    '2021-09-09T12:00:00+00:00'
    >>> episode_date("2021-09-09 08:30").isoformat(), episode_date("2021-13") is None
    ('2021-09-09T08:30:00+00:00', True)
    """
    match = _DATE.fullmatch((text or "").strip())
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(g) if g else None for g in match.groups())
    hour = 12 if hour is None else hour
    try:
        return datetime(year or 1, month or 1, day or 1, hour, minute or 0, second or 0, tzinfo=UTC)
    except ValueError:
        log.warning("ignoring the episode's date %r: not a valid date", text)
        return None


def show_notes(episode: Episode) -> str:
    """Return the episode's description, or plain show notes: its title and timed chapter list.

    Podcast apps turn the ``MM:SS`` stamps into links that jump to the chapter.
    """
    if episode.description:
        return episode.description
    lines = [episode.title]
    if episode.chapters:
        lines.append("")
    for chapter in episode.chapters:
        link = f" {chapter.url}" if chapter.url else ""
        lines.append(f"{clock(seconds_to_ms(chapter.start))} {chapter.title}{link}")
    return "\n".join(lines)


_AUTHORS = re.compile(r"\s*(?:;|,|&|\band\b|\ben\b|\bund\b|\bet\b)\s*")


def authors(byline: str | None) -> tuple[str, ...]:
    """Split a byline into its authors' names (on ``,`` ``;`` ``&`` and the word "and").

    >>> authors("Anna Jansen en Piet de Vries; Joe Bloggs & Jane Doe")
    ('Anna Jansen', 'Piet de Vries', 'Joe Bloggs', 'Jane Doe')
    >>> authors(None), authors("Redactie")
    ((), ('Redactie',))
    """
    names = (n.strip() for n in _AUTHORS.split(byline or ""))
    return tuple(dict.fromkeys(n for n in names if n))


def soundbite(episode: Episode) -> tuple[float, float, str] | None:
    """Return the pull quote's start, duration and text, from the timeline picture's first quote.

    The text is the transcript's cue that starts there; None when the episode has no quote.
    """
    svg = episode.companions.get(Companion.TIMELINE)
    quote = read_timeline(svg).quote if svg else None
    if quote is None:
        return None
    start, end = quote
    vtt = episode.companions.get(Companion.VTT)
    lines = read_vtt(vtt) if vtt else []
    text = next((line.text for line in lines if abs(line.start - start) < 0.0005), "")
    return start, end - start, text


def feed_item(episode: Episode, show: ShowConfig, show_guid: str) -> FeedItem:
    """Describe ``episode`` as a feed item, with every URL under ``show.base_url``."""
    urls = {c: public_url(show.base_url, p.name) for c, p in episode.companions.items()}
    return FeedItem(
        guid=episode_guid(show_guid, episode.name),
        title=episode.title,
        description=show_notes(episode),
        enclosure_url=public_url(show.base_url, episode.name),
        length=episode.size,
        seconds=round(episode.seconds),
        explicit=show.explicit,
        pub_date=episode_date(episode.date),
        author=episode.author,
        chapters_url=urls.get(Companion.CHAPTERS),
        transcripts=tuple((urls[c], c.mime) for c in (Companion.VTT, Companion.SRT) if c in urls),
        persons=authors(episode.author),
        soundbite=soundbite(episode),
        image=episode.image,
    )


@contextlib.contextmanager
def _locked(feed: Path, timeout: float) -> Iterator[None]:
    """Hold the lock file beside ``feed`` (hidden, so ``serve`` never shows it)."""
    path = lock_path(feed)
    try:  # a folder that cannot be written fails here at once, not after the lock's timeout
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o644))
    except OSError as e:
        raise OutputError(f"cannot write the feed in {feed.parent}: {e.strerror or e}") from e
    lock = filelock.FileLock(str(path), timeout=timeout)
    try:
        with lock:
            yield
    except filelock.Timeout as e:
        raise FeedError(f"{feed}: another publish has held its lock for {timeout:g} s") from e
    except (PermissionError, IsADirectoryError) as e:  # the lock file itself cannot be opened
        raise OutputError(f"cannot lock the feed {feed}: {e.strerror or e}") from e


def _through_link(feed: Path) -> Path:
    """Return the file a symlinked feed points at, so the feed is updated there, not replaced.

    Raises:
        OutputError: the link cannot be followed (a loop).
    """
    if not feed.is_symlink():
        return feed
    try:
        return feed.resolve()
    except (OSError, RuntimeError) as e:  # a loop: RuntimeError before Python 3.13
        raise OutputError(f"{feed}: cannot follow the symlink: {e}") from e


def _copy(source: Path, folder: Path) -> Path | None:
    """Copy ``source`` into ``folder`` atomically; None when it is already that file."""
    target = folder / source.name
    if target.exists() and target.samefile(source):
        return None
    try:
        with source.open("rb") as src, atomic_write(target) as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
    except OSError as e:
        raise OutputError(f"cannot copy {source} to {folder}: {e.strerror or e}") from e
    return target


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(f"cannot create {folder}: {e.strerror or e}") from e


FEED_CAP = 64 * MB
"""The largest feed publish reads: some 20 000 items of ordinary show notes."""


def _read_feed(feed: Path) -> bytes | None:
    """Return the feed's bytes, or None when there is no feed yet.

    Raises:
        FeedError: the feed is not a regular file, unreadable, or over ``FEED_CAP``.
    """
    if not feed.exists():
        return None
    return read_bounded(feed, FEED_CAP, "feed", FeedError, None)


def _load(feed: Path) -> tuple[ET.Element, dict[str, str], bool]:
    """Return the feed's tree, its namespace prefixes, and whether it is new (no file yet).

    Raises:
        FeedError: it cannot be read or parsed, or is not an RSS feed.
    """
    data = _read_feed(feed)
    if data is None:
        return new_feed(), {}, True
    try:
        root, prefixes = parse_feed(data)
        channel_of(root)
    except FeedError as e:
        raise FeedError(f"{feed}: {e}; the feed was left as it was") from e
    return root, prefixes, False


def publish_episode(
    mp3: Path,
    show: ShowConfig,
    feed: Path | None = None,
    *,
    now: datetime | None = None,
    lock_timeout: float = 60.0,
) -> PublishReport:
    """Add ``mp3`` to the feed, or update its item, copy it and its companions, write the pages.

    Args:
        mp3: the built episode; ``<stem>.chapters.json``, ``.vtt``, ``.srt`` and
            ``.timeline.svg`` beside it are published too where they exist. The show page
            ``index.html`` and the episode's page ``<stem>.html`` are written after the feed.
        show: the show config; ``show.publish_dir`` is the folder served at ``show.base_url``.
        feed: the feed file; default ``feed.xml`` in the publish folder. Created if absent; a
            symlink is followed, and the file it points at is updated.
        now: the time to record as the feed's build time (and an undated new episode's date).
        lock_timeout: seconds to wait for another publish to finish.

    Returns:
        What was done.

    Raises:
        InputError: the episode is not a readable MP3, or a companion file is broken (nothing
            is copied and the feed is untouched).
        FeedError: the existing feed cannot be read or parsed, or is not RSS (left untouched).
        OutputError: a file could not be copied or written.
    """
    feed = feed or show.publish_dir / FEED_NAME
    moment = now or datetime.now(UTC)
    episode = read_episode(mp3)
    check_companions(episode.companions)
    feed = _through_link(feed)
    _make_folder(show.publish_dir)
    _make_folder(feed.parent)
    with _locked(feed, lock_timeout):
        root, prefixes, created = _load(feed)
        feed_url = show.feed_url or public_url(show.base_url, feed.name)
        podcast_ns = podcast_namespace(prefixes)
        show_guid = update_channel(root, show, feed_url, moment, podcast_ns)
        item = feed_item(episode, show, show_guid)
        sources = [episode.mp3, *episode.companions.values()]
        copied = tuple(t for t in (_copy(s, show.publish_dir) for s in sources) if t)
        updated = upsert_item(root, item, moment, podcast_ns)
        write_bytes_atomic(feed, serialize(root, prefixes))
        write_site(root, show, feed_url, show.publish_dir / episode.name)
    items = len(root.findall("channel/item"))
    log.info("%s %r in %s (%d items)", "updated" if updated else "added", item.title, feed, items)
    return PublishReport(
        feed, item.title, item.guid, item.enclosure_url, created, updated, items, copied
    )
