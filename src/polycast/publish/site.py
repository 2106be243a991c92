"""Write the pages beside the feed: ``index.html``, one ``STEM.html`` per episode, script and style.

The feed is the list of episodes: the show page lists every item whose episode file is in the
publish folder, newest first. The page of the episode just published is written again (its
chapters or transcript may have changed); an episode published before pages existed gets its
page the next time anything is published. Each file is written atomically.
"""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from importlib import resources
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from polycast.errors import InputError
from polycast.files import write_text_atomic
from polycast.publish.episode import Companion, Episode, read_episode
from polycast.publish.pages import EpisodePage, Listing, ShowPage, episode_page, show_page
from polycast.publish.show import ShowConfig
from polycast.publish.transcript import read_timeline, read_vtt

log = logging.getLogger(__name__)

ASSETS = ("polycast.js", "polycast.css")
"""The script and stylesheet every page shares, copied from the package."""
INDEX = "index.html"


def artwork_url(show: ShowConfig) -> str | None:
    """Return the artwork's address for a page: relative when it is published here, else as is.

    Artwork under ``base_url`` that is not in the publish folder is left out, as the page would
    show a broken image wherever the folder is served.
    """
    base = show.base_url.rstrip("/") + "/"
    if not show.image_url.startswith(base):
        return show.image_url
    return published_here(show.image_url, show)


def published_here(url: str, show: ShowConfig) -> str | None:
    """Return ``url`` relative to the publish folder when it names a file in it, else None.

    An episode's own artwork is shown on its page only so: any other address would make the
    page fetch from elsewhere wherever it is served (and break offline), so the page shows the
    show's artwork instead, while the feed still names the episode's.
    """
    base = show.base_url.rstrip("/") + "/"
    if not url.startswith(base):
        return None
    name = url[len(base) :]
    path = PurePosixPath(unquote(urlsplit(name).path))
    if not name or "?" in name or "#" in name or ".." in path.parts or path.is_absolute():
        return None
    return name if (show.publish_dir / path).is_file() else None


def app_url(feed_url: str) -> str:
    """Return the feed's address as a ``podcast://`` link, which podcast apps open.

    >>> app_url("https://example.com/pod/feed.xml")
    'podcast://example.com/pod/feed.xml'
    """
    parts = urlsplit(feed_url)
    return f"podcast://{parts.netloc}{parts.path}" + (f"?{parts.query}" if parts.query else "")


def _date(item: ET.Element) -> datetime | None:
    text = item.findtext("pubDate")
    try:
        return parsedate_to_datetime(text.strip()) if text else None
    except (TypeError, ValueError):
        return None


def _published(item: ET.Element, folder: Path) -> Path | None:
    """Return the episode file an item's enclosure names, when it is in ``folder``."""
    enclosure = item.find("enclosure")
    url = enclosure.get("url", "") if enclosure is not None else ""
    name = unquote(PurePosixPath(urlsplit(url).path).name)
    if not name or name.startswith("."):
        return None
    path = folder / name
    return path if path.is_file() else None


def _episode_page(episode: Episode, date: datetime | None, show: ShowConfig) -> EpisodePage:
    """Gather an episode page from the published episode and its companions."""
    vtt = episode.companions.get(Companion.VTT)
    svg = episode.companions.get(Companion.TIMELINE)
    facts = read_timeline(svg) if svg else None
    return EpisodePage(
        title=episode.title,
        audio=episode.name,
        language=(facts.language if facts else None) or show.language,
        date=date,
        author=episode.author,
        chapters=episode.chapters,
        lines=read_vtt(vtt) if vtt else [],
        timeline=svg.name if svg else None,
        artwork=published_here(episode.image, show) if episode.image else None,
    )


def _write_assets(folder: Path) -> None:
    """Copy the shared script and stylesheet when they differ from the package's."""
    for name in ASSETS:
        text = resources.files("polycast.publish").joinpath("assets", name).read_text("utf-8")
        target = folder / name
        try:
            same = target.read_text(encoding="utf-8") == text
        except (OSError, UnicodeDecodeError):
            same = False
        if not same:
            write_text_atomic(target, text)


def write_site(root: ET.Element, show: ShowConfig, feed_url: str, current: Path) -> list[Path]:
    """Write the show page, the page of ``current`` (and any missing page), script and style.

    Args:
        root: the feed as just written.
        show: the show; pages go into ``show.publish_dir``.
        feed_url: the feed's public address (for the "open in a podcast app" link).
        current: the published copy of the episode just added or updated.

    Returns:
        The pages written.

    Raises:
        OutputError: a page cannot be written.
    """
    folder = show.publish_dir
    about = ShowPage(
        show.title,
        show.description,
        show.author,
        show.language,
        artwork_url(show),
        app_url(feed_url),
    )
    _write_assets(folder)
    listings: list[Listing] = []
    written: list[Path] = []
    for item in root.iterfind("channel/item"):
        audio = _published(item, folder)
        if audio is None:
            continue
        page = audio.with_suffix(".html")
        if page.name == INDEX:
            log.warning("no page for %s: its page would be the show page %s", audio, INDEX)
            continue
        if audio.name == current.name or not page.exists():
            try:
                episode = read_episode(audio)
            except InputError as e:
                log.warning("no page for %s: %s", audio, e)
                continue
            write_text_atomic(page, episode_page(_episode_page(episode, _date(item), show), about))
            written.append(page)
        title = item.findtext("title") or audio.stem
        listings.append(Listing(title, page.name, _date(item)))
    oldest = datetime.min.replace(tzinfo=UTC)
    listings.sort(key=lambda e: e.date or oldest, reverse=True)
    write_text_atomic(folder / INDEX, show_page(about, listings))
    return [*written, folder / INDEX]
