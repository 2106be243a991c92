"""What a built episode says about itself: read from its MP3's ID3 tags and its companion files.

The build writes ``<stem>.mp3`` with ID3 tags (title TIT2, artist TPE1, date TDRC, chapters
CHAP/CTOC, the artwork as a front-cover APIC that links to its URL) and, beside it,
``<stem>.chapters.json``, ``<stem>.vtt``, ``<stem>.srt`` and the timeline picture
``<stem>.timeline.svg``. Publishing needs no other input: everything the feed item says comes
from these files.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from mutagen import MutagenError
from mutagen.id3 import ID3
from mutagen.mp3 import MP3

from polycast.encode.tag import DATE_DESC, LINKED_PICTURE, chapters_of
from polycast.errors import InputError
from polycast.read.image import absolute_url

log = logging.getLogger(__name__)

_DESCRIPTION_KEYS = {"", "description", "summary"}


class Companion(Enum):
    """A file published beside the episode; its value is the suffix that replaces ``.mp3``."""

    CHAPTERS = ".chapters.json"
    VTT = ".vtt"
    SRT = ".srt"
    TIMELINE = ".timeline.svg"

    @property
    def mime(self) -> str:
        """The MIME type the feed declares for it, or serves it as (the timeline picture)."""
        return _MIME[self]


_MIME = {
    Companion.CHAPTERS: "application/json+chapters",
    Companion.VTT: "text/vtt",
    Companion.SRT: "application/x-subrip",
    Companion.TIMELINE: "image/svg+xml",
}


@dataclass(frozen=True)
class ChapterMark:
    """A chapter as the episode's files give it."""

    start: float
    """Start in seconds."""
    title: str
    """Chapter title."""
    url: str | None = None
    """Link shown with it."""


@dataclass(frozen=True)
class Episode:
    """A built episode on disk and what its tags say."""

    mp3: Path
    """The MP3 file."""
    title: str
    """ID3 title, or the file's stem when it has none."""
    seconds: float
    """Duration, from the MP3's frames (its Xing/Info header where present)."""
    size: int
    """File size in bytes (the enclosure length)."""
    date: str | None = None
    """ISO 8601 date (``2021-09-09``, ``2021-09``): TXXX:DATE, else the ID3 recording date."""
    author: str | None = None
    """ID3 artist (TPE1)."""
    description: str | None = None
    """ID3 comment (COMM) or TXXX description, where the episode has one."""
    image: str | None = None
    """The episode's own artwork URL: a front-cover APIC frame that links to it by URL."""
    chapters: tuple[ChapterMark, ...] = ()
    """Chapters in time order: the MP3's CHAP frames, else the JSON chapters companion."""
    companions: dict[Companion, Path] = field(default_factory=dict)
    """The companion files that exist beside the MP3."""

    @property
    def name(self) -> str:
        """The MP3's file name, which is also its name once published."""
        return self.mp3.name


def _first_text(tags: Any, key: str) -> str | None:
    """Return the first non-empty text of frame ``key``, trimmed, or None."""
    frame = tags.get(key)
    if frame is None:
        return None
    texts = [str(t).strip() for t in frame.text]
    return next((t for t in texts if t), None)


def _description(tags: Any) -> str | None:
    """Return the episode's description from a COMM or a TXXX:description frame."""
    for frame in tags.getall("COMM") + tags.getall("TXXX"):
        if frame.desc.strip().lower() in _DESCRIPTION_KEYS:
            text = "\n".join(str(t) for t in frame.text).strip()
            if text:
                return text
    return None


def _image(tags: Any) -> str | None:
    """Return the http(s) URL a linked front-cover picture (APIC with MIME ``-->``) names."""
    for frame in tags.getall("APIC"):
        if frame.mime == LINKED_PICTURE and frame.type == 3:
            url = absolute_url(bytes(frame.data).decode("latin-1"))
            if url:
                return url
    return None


def _tag_chapters(tags: Any) -> tuple[ChapterMark, ...]:
    """Read the CHAP frames as chapters sorted by start time (an untitled one by its id)."""
    return tuple(
        ChapterMark(c.start_ms / 1000, c.title or c.element_id, c.url or None)
        for c in chapters_of(tags)
    )


def _json_chapters(path: Path) -> tuple[ChapterMark, ...]:
    """Read chapters from a JSON chapters companion; an unreadable file gives none (logged)."""
    try:
        document: Any = json.loads(path.read_text(encoding="utf-8"))
        marks = [
            ChapterMark(float(c["startTime"]), str(c.get("title", "")), c.get("url"))
            for c in document["chapters"]
        ]
    except (OSError, ValueError, KeyError, TypeError) as e:
        log.warning("%s: cannot read chapters: %s", path, e)
        return ()
    return tuple(sorted(marks, key=lambda m: m.start))


def read_episode(mp3: Path) -> Episode:
    """Read what the feed needs from an episode MP3 and find its companions beside it.

    Raises:
        InputError: the file is missing, unreadable, or not an MP3.
    """
    if not mp3.is_file():  # one line naming the file, as every other failure here
        reason = "is a folder, not an MP3" if mp3.is_dir() else "no such file"
        raise InputError(f"{mp3}: {reason}")
    try:
        # mutagen has no annotations: its objects are Any here, checked where they are used.
        audio: Any = MP3(mp3)  # type: ignore[no-untyped-call]
        size = mp3.stat().st_size
    except (MutagenError, OSError) as e:
        raise InputError(f"{mp3}: cannot read as an MP3 episode: {e}") from e
    tags: Any = audio.tags if isinstance(audio.tags, ID3) else ID3()  # type: ignore[no-untyped-call]
    companions = {c: mp3.with_suffix(c.value) for c in Companion}
    companions = {c: p for c, p in companions.items() if p.is_file()}
    chapters = _tag_chapters(tags)
    if not chapters and Companion.CHAPTERS in companions:
        chapters = _json_chapters(companions[Companion.CHAPTERS])
    return Episode(
        mp3=mp3,
        title=_first_text(tags, "TIT2") or mp3.stem,
        seconds=float(audio.info.length),
        size=size,
        date=_first_text(tags, f"TXXX:{DATE_DESC}") or _first_text(tags, "TDRC"),
        author=_first_text(tags, "TPE1"),
        description=_description(tags),
        image=_image(tags),
        chapters=chapters,
        companions=companions,
    )
