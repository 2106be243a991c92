"""ID3v2.3 tags and chapters for the episode MP3, with the chapters in time order in the file.

Apple Podcasts and Pocket Casts read ID3v2.3 chapters reliably when every chapter is a CHAP
frame and a top-level, ordered CTOC lists them. Some players also take the CHAP frames in the
order they stand in the file, but mutagen sorts frames by its own key when it saves
(quodlibet/mutagen#506: by size, then by element id, so ``chp10`` lands before ``chp2``). So
mutagen renders each frame alone and this module lays them out: text frames, the CTOC, then the
CHAP frames in time order.
"""

from __future__ import annotations

import io
import logging
import string
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import mutagen
import mutagen.id3 as _mutagen_id3
from lingua import IsoCode639_1, Language

from polycast import langcodes
from polycast.errors import InputError, OutputError
from polycast.models import EpisodeInfo, TimedChapter
from polycast.plan.chapters import MAX_CHAPTERS
from polycast.times import to_ms

log = logging.getLogger(__name__)

# mutagen has no annotations: reach it through Any, and check values where they are used.
id3: Any = _mutagen_id3

PADDING = 1024
"""Spare bytes after the frames, so retagging rarely has to move the audio."""
NO_OFFSET = 0xFFFFFFFF
"""CHAP byte offsets that tell players to use the times."""
_UTF16 = 1  # ID3v2.3 text encoding: UTF-16 with BOM (v2.3 has no UTF-8)
_COPY_CHUNK = 1 << 20


@dataclass(frozen=True)
class ChapterTag:
    """A chapter as an MP3's ID3 tag holds it."""

    element_id: str
    """The CHAP frame's id (``chp0``, ``chp1``, ...)."""
    title: str
    """Its TIT2."""
    start_ms: int
    """Start in milliseconds."""
    end_ms: int
    """End in milliseconds."""
    url: str | None = None
    """Its WXXX link, if any."""


def iso639_2(language: str) -> str | None:
    """Give the ISO 639-2 code ID3's TLAN wants (``nl`` -> ``nld``), or None when unknown.

    Terminology codes (``nld``, ``deu``), as MusicBrainz Picard writes them: they are also the
    ISO 639-3 codes, unlike the bibliographic ``dut``/``ger``.

    >>> iso639_2("nl"), iso639_2("en-US"), iso639_2("eng"), iso639_2("xx")
    ('nld', 'eng', 'eng', None)
    """
    primary = langcodes.primary(language)
    if len(primary) == 3 and primary.isalpha():
        return primary
    try:
        code = IsoCode639_1.from_str(primary)
    except ValueError:
        return None
    return str(Language.from_iso_code_639_1(code).iso_code_639_3.name.lower())


def render_tag(
    info: EpisodeInfo, chapters: Sequence[TimedChapter], rate: int, size: int = 0
) -> bytes:
    """Build the whole ID3v2.3 tag: text frames, CTOC, CHAP frames in time order, padding.

    Args:
        info: title, author, album, date, language and extra tags.
        chapters: the timeline's chapters, sample times at ``rate``.
        rate: sample rate of the chapter times.
        size: make the tag exactly this long if the frames fit (to overwrite a tag in place);
            otherwise they get ``PADDING`` spare bytes.

    Returns:
        The tag's bytes, header included.

    Raises:
        OutputError: more than ``MAX_CHAPTERS`` chapters.
    """
    tags = id3.ID3()
    for frame in _text_frames(info):
        tags.add(frame)
    tags.update_to_v23()  # TDRC becomes TYER (+ TDAT): v2.3 has no TDRC
    frames = [_frame_bytes(frame) for frame in tags.values()]
    frames.sort(key=lambda data: _ORDER.get(data[:4], len(_ORDER)))
    ordered = sorted(chapters, key=lambda c: (c.start, c.end))
    if len(ordered) > MAX_CHAPTERS:
        # The plan fits chapters to this before speaking (``fit_chapters``); this is the last
        # line, so a caller that skipped it gets an error rather than mutagen's ValueError.
        raise OutputError(
            f"{len(ordered)} chapters: an ID3 table of contents holds at most {MAX_CHAPTERS};"
            " merge them with polycast.plan.chapters.fit_chapters"
        )
    if ordered:
        ids = [f"chp{i}" for i in range(len(ordered))]
        frames.append(_frame_bytes(_toc(ids)))
        for index, chapter in enumerate(ordered):
            frames.append(_frame_bytes(_chap(index, chapter, rate)))
    body = b"".join(frames)
    total = size if size >= 10 + len(body) else 10 + len(body) + PADDING
    return _header(total - 10) + body + bytes(total - 10 - len(body))


_ORDER = {name: i for i, name in enumerate([b"TIT2", b"TPE1", b"TALB", b"TYER", b"TDAT"])}


DATE_DESC = "DATE"
"""Description of the TXXX frame that holds the episode's ISO date at full precision."""
LINKED_PICTURE = "-->"
"""The APIC MIME type that, by the ID3 standard, makes its data a picture's URL, not its bytes:
the episode's artwork stays where the article has it (a build never downloads it), and a tag
reader that knows pictures finds it as the front cover."""


def _text_frames(info: EpisodeInfo) -> list[Any]:
    frames = [id3.TIT2(encoding=_UTF16, text=_clean(info.title))]
    if info.author:
        frames.append(id3.TPE1(encoding=_UTF16, text=_clean(info.author)))
    if info.album:
        frames.append(id3.TALB(encoding=_UTF16, text=_clean(info.album)))
    if info.date:
        frames.append(id3.TDRC(encoding=_UTF16, text=info.date))
        # v2.3 keeps a date as TYER + TDAT (day and month), so "2021-09" would shrink to 2021;
        # the date as the article gives it stands beside them, for publishing.
        frames.append(id3.TXXX(encoding=_UTF16, desc=DATE_DESC, text=info.date))
    language = iso639_2(info.language)
    if language:
        frames.append(id3.TLAN(encoding=_UTF16, text=language))
    else:
        log.info("no ISO 639-2 code for language %r: TLAN left out", info.language)
    for key, value in info.extra.items():
        frames.append(id3.TXXX(encoding=_UTF16, desc=_clean(key), text=_clean(value)))
    if info.image:
        link = _latin1_url(info.image).encode("latin-1")
        frames.append(id3.APIC(encoding=0, mime=LINKED_PICTURE, type=3, desc="", data=link))
    return frames


def _toc(ids: list[str]) -> Any:
    flags = id3.CTOCFlags.TOP_LEVEL | id3.CTOCFlags.ORDERED
    return id3.CTOC(element_id="toc", flags=flags, child_element_ids=ids, sub_frames=[])


def _chap(index: int, chapter: TimedChapter, rate: int) -> Any:
    title = _clean(chapter.title) or f"Chapter {index + 1}"  # every CHAP needs a TIT2
    sub = [id3.TIT2(encoding=_UTF16, text=title)]
    if chapter.url:
        sub.append(id3.WXXX(encoding=_UTF16, desc="", url=_latin1_url(chapter.url)))
    return id3.CHAP(
        element_id=f"chp{index}",
        start_time=to_ms(chapter.start, rate),
        end_time=to_ms(chapter.end, rate),
        start_offset=NO_OFFSET,
        end_offset=NO_OFFSET,
        sub_frames=sub,
    )


def _latin1_url(url: str) -> str:
    """Percent-encode what is not printable ASCII: an ID3 URL is Latin-1, a link may be an IRI.

    >>> _latin1_url("https://example.org/één nieuws?q=文")
    'https://example.org/%C3%A9%C3%A9n%20nieuws?q=%E6%96%87'
    """
    return urllib.parse.quote(url, safe=string.punctuation)


def _clean(text: str) -> str:
    """Drop NULs (ID3 reads them as the end of a value) and replace lone surrogates.

    A lone surrogate cannot be encoded as UTF-16, so it becomes U+FFFD instead of a crash.
    """
    text = text.replace("\0", "")
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def _frame_bytes(frame: Any) -> bytes:
    """Render one frame as ID3v2.3 bytes with mutagen, alone, so we choose the order."""
    single = id3.ID3()
    single.add(frame)
    buffer = io.BytesIO()
    single.save(buffer, v2_version=3, v1=0, padding=lambda _: 0)
    return buffer.getvalue()[10:]


def _header(size: int) -> bytes:
    """Build the 10-byte ID3v2.3 header for a tag of ``size`` bytes after it (sync-safe)."""
    safe = bytes((size >> 21 & 0x7F, size >> 14 & 0x7F, size >> 7 & 0x7F, size & 0x7F))
    return b"ID3\x03\x00\x00" + safe


def tag_mp3(path: Path, info: EpisodeInfo, chapters: Sequence[TimedChapter], rate: int) -> None:
    """Write ID3v2.3 tags and chapters to the MP3 at ``path``, in place.

    The file keeps its inode: the pipeline tags its temporary file and then renames it, so the
    rename stays the one step that makes the episode appear. Any ID3v2 tag already at the start
    is replaced (overwritten where the new one fits, otherwise the audio is moved along).

    Args:
        path: the MP3 (usually the build's temporary file).
        info: title, author, album, date, language.
        chapters: the timeline's chapters (sample times).
        rate: the timeline's sample rate.

    Raises:
        InputError: the file starts with a broken ID3 tag.
        OutputError: the file could not be read or written.
    """
    try:
        with path.open("r+b") as stream:
            old = _existing_tag_size(stream)
            if old > stream.seek(0, io.SEEK_END):
                raise InputError(f"{path}: its ID3 tag claims more bytes than the file holds")
            tag = render_tag(info, chapters, rate, size=old)
            if len(tag) > old:
                _shift(stream, old, len(tag) - old)
            stream.seek(0)
            stream.write(tag)
    except OSError as e:
        raise OutputError(f"cannot tag {path}: {e.strerror or e}") from e


def _existing_tag_size(stream: BinaryIO) -> int:
    """Bytes of the ID3v2 tag at the start of ``stream`` (0 if there is none)."""
    stream.seek(0)
    head = stream.read(10)
    if len(head) < 10 or head[:3] != b"ID3" or any(b & 0x80 for b in head[6:10]):
        return 0
    size = head[6] << 21 | head[7] << 14 | head[8] << 7 | head[9]
    footer = 10 if head[3] == 4 and head[5] & 0x10 else 0
    return 10 + size + footer


def _shift(stream: BinaryIO, start: int, by: int) -> None:
    """Move everything from ``start`` to the end of the file ``by`` bytes later, in place."""
    end = stream.seek(0, io.SEEK_END)
    at = end
    while at > start:
        step = min(_COPY_CHUNK, at - start)
        at -= step
        stream.seek(at)
        chunk = stream.read(step)
        stream.seek(at + by)
        stream.write(chunk)


def read_chapters(path: Path) -> list[ChapterTag]:
    """Read the CHAP frames of an MP3 back, in time order.

    Raises:
        InputError: the file is missing or its ID3 tag is unreadable.
    """
    try:
        tags = id3.ID3(path)
    except id3.ID3NoHeaderError:
        return []
    except (mutagen.MutagenError, OSError) as e:
        raise InputError(f"cannot read ID3 tags of {path}: {e}") from e
    return chapters_of(tags)


def chapters_of(tags: Any) -> list[ChapterTag]:
    """Return the CHAP frames of loaded ID3 ``tags`` as chapters, in time order."""
    found = []
    for chap in tags.getall("CHAP"):
        title = chap.sub_frames.get("TIT2")
        links = chap.sub_frames.getall("WXXX")
        found.append(
            ChapterTag(
                element_id=str(chap.element_id),
                title=str(title.text[0]) if title and title.text else "",
                start_ms=int(chap.start_time),
                end_ms=int(chap.end_time),
                url=str(links[0].url) if links else None,
            )
        )
    return sorted(found, key=lambda c: (c.start_ms, c.end_ms, c.element_id))
