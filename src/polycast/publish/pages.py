"""The show page and the episode pages, as plain HTML5 with one shared script and stylesheet.

A listener who opens a link, and an editor who checks an episode, read these rather than the
feed. They need no framework and no network: every URL in them is relative (the episode, its
timeline picture, ``polycast.js`` and ``polycast.css``), so the publish folder works wherever it
is served, or opened from disk. Every text from the article or the config is escaped.

The page contract (ids and classes the script and the browser tests rely on): ``#episodes`` lists
``a.episode`` links; an episode page has ``audio#player``, ``ol#chapters`` of ``button.seek``
(``data-start`` in seconds) with ``a.post`` for a post's chapter, ``section#transcript`` of
``p.cue`` (``data-start``, ``data-end``) each with a ``span.speaker``, and ``img#timeline``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape
from urllib.parse import quote, urlsplit

from polycast.publish.episode import ChapterMark
from polycast.publish.transcript import Line
from polycast.times import clock, seconds_to_ms


@dataclass(frozen=True)
class ShowPage:
    """What the show page says."""

    title: str
    description: str
    author: str
    language: str
    artwork: str | None
    """The artwork's URL (relative when it is published here), or None for none."""
    app_url: str
    """The feed's address as a ``podcast://`` link, to open it in a podcast app."""


@dataclass(frozen=True)
class Listing:
    """One episode in the show page's list."""

    title: str
    page: str
    """File name of its page (``STEM.html``)."""
    date: datetime | None


@dataclass(frozen=True)
class EpisodePage:
    """What one episode's page says."""

    title: str
    audio: str
    """File name of the episode (``STEM.mp3``)."""
    language: str
    date: datetime | None
    author: str | None
    chapters: Sequence[ChapterMark]
    lines: Sequence[Line]
    timeline: str | None
    """File name of the timeline picture, or None when the episode has none."""
    artwork: str | None = None
    """The episode's own artwork, relative to the page; None shows the show's instead."""


def seconds(value: float) -> str:
    """Write a time in seconds as a short decimal, to the millisecond.

    >>> seconds(0.0), seconds(12.5), seconds(3723.004)
    ('0', '12.5', '3723.004')
    """
    return f"{value:.3f}".rstrip("0").rstrip(".")


def href(name: str) -> str:
    """Return a relative link to a file in the same folder, percent-encoded.

    >>> href("één aflevering.html")
    '%C3%A9%C3%A9n%20aflevering.html'
    """
    return quote(name)


def _text(value: str) -> str:
    return escape(value, quote=True)


def _head(title: str, language: str, show: str) -> Iterator[str]:
    yield "<!doctype html>"
    yield f'<html lang="{_text(language)}">'
    yield "<head>"
    yield '<meta charset="utf-8">'
    yield '<meta name="viewport" content="width=device-width, initial-scale=1">'
    yield '<meta name="color-scheme" content="light dark">'
    yield f"<title>{_text(title)}</title>"
    yield '<link rel="icon" href="data:,">'  # no request for /favicon.ico, which is not there
    yield '<link rel="stylesheet" href="polycast.css">'
    yield f'<link rel="alternate" type="application/rss+xml" title="{_text(show)}" href="feed.xml">'
    yield '<script src="polycast.js" defer></script>'
    yield "</head>"


def _date(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return f'<time datetime="{moment.isoformat()}">{moment.date().isoformat()}</time>'


def _artwork(url: str | None, title: str) -> str:
    if url is None:
        return ""
    alt = _text(f"Artwork of {title}")
    return f'<img class="artwork" src="{_text(url)}" alt="{alt}" width="240" height="240">'


def show_page(show: ShowPage, episodes: Sequence[Listing]) -> str:
    """Render ``index.html``: the show, how to subscribe, and its episodes newest first."""
    parts = [*_head(show.title, show.language, show.title), "<body>", "<main>"]
    parts.append(f"<h1>{_text(show.title)}</h1>")
    parts.append(_artwork(show.artwork, show.title))
    parts.append(f'<p class="description">{_text(show.description)}</p>')
    parts.append(f'<p class="author">{_text(show.author)}</p>')
    parts.append(
        '<p class="subscribe"><a id="subscribe" href="feed.xml">Subscribe (RSS feed)</a>'
        f' <a id="open-in-app" href="{_text(show.app_url)}">Open in a podcast app</a></p>'
    )
    parts.append('<h2 id="episodes-heading">Episodes</h2>')
    parts.append('<ol id="episodes" aria-labelledby="episodes-heading">')
    for episode in episodes:
        parts.append(
            f'<li><a class="episode" href="{_text(href(episode.page))}">'
            f"{_text(episode.title)}</a> {_date(episode.date)}</li>"
        )
    parts += ["</ol>", "</main>", "</body>", "</html>", ""]
    return "\n".join(p for p in parts if p)


def _chapters(chapters: Sequence[ChapterMark]) -> Iterator[str]:
    """List the chapters; a post's link only when it is a web address (never ``javascript:``)."""
    yield '<h2 id="chapters-heading">Chapters</h2>'
    yield '<ol id="chapters" aria-labelledby="chapters-heading">'
    for chapter in chapters:
        at = clock(seconds_to_ms(chapter.start))
        post = ""
        if chapter.url and urlsplit(chapter.url).scheme.lower() in {"http", "https"}:
            label = _text(f"The post: {chapter.title}")
            post = f' <a class="post" href="{_text(chapter.url)}" aria-label="{label}">post</a>'
        yield (
            f'<li><span class="at">{at}</span> <button type="button" class="seek"'
            f' data-start="{seconds(chapter.start)}">{_text(chapter.title)}</button>{post}</li>'
        )
    yield "</ol>"


def _transcript(lines: Sequence[Line]) -> Iterator[str]:
    yield '<section id="transcript" aria-labelledby="transcript-heading">'
    yield '<h2 id="transcript-heading">Transcript</h2>'
    for line in lines:
        yield (
            f'<p class="cue" data-start="{seconds(line.start)}" data-end="{seconds(line.end)}"'
            f' tabindex="0"><span class="speaker">{_text(line.speaker)}</span>'
            f" {_text(line.text)}</p>"
        )
    yield "</section>"


def episode_page(episode: EpisodePage, show: ShowPage) -> str:
    """Render ``STEM.html``: the player, the chapters, the timeline picture and the transcript."""
    title = f"{episode.title} · {show.title}"
    parts = [*_head(title, episode.language, show.title), "<body>"]
    parts.append('<a class="skip" href="#transcript">Skip to the transcript</a>')
    parts.append(f'<nav><a href="index.html">{_text(show.title)}</a></nav>')
    parts.append("<main>")
    parts.append(f"<h1>{_text(episode.title)}</h1>")
    author = f' <span class="author">{_text(episode.author)}</span>' if episode.author else ""
    parts.append(f'<p class="meta">{_date(episode.date)}{author}</p>')
    if episode.artwork:
        parts.append(_artwork(episode.artwork, episode.title))
    else:
        parts.append(_artwork(show.artwork, show.title))
    parts.append(
        f'<audio id="player" controls preload="metadata" src="{_text(href(episode.audio))}"'
        f' aria-label="{_text(episode.title)}"></audio>'
    )
    parts.extend(_chapters(episode.chapters))
    if episode.timeline:
        alt = _text(f"Timeline of {episode.title}: chapters, voices, pauses and loudness")
        parts.append(
            f'<p class="timeline"><a href="{_text(href(episode.timeline))}"><img id="timeline"'
            f' src="{_text(href(episode.timeline))}" alt="{alt}"></a></p>'
        )
    parts.extend(_transcript(episode.lines))
    parts += ["</main>", "</body>", "</html>", ""]
    return "\n".join(p for p in parts if p)
