"""Read back what the build wrote beside an episode: the WebVTT cues and the timeline picture.

The episode page shows the transcript cue by cue, and the feed names the episode's pull quote;
both come from the companions ``build`` wrote (``companions.webvtt`` and ``timeline_svg``), which
``verify.check_companions`` has already read and checked. Only what polycast writes is read here:
one cue per block, a timing line, and one ``<v Speaker>text`` line.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

from polycast.publish.verify import MAX_COMPANION

log = logging.getLogger(__name__)

_STAMP = r"(?:(\d+):)?(\d{2}):(\d{2})\.(\d{3})"
_TIMING = re.compile(rf"{_STAMP}\s+-->\s+{_STAMP}")
_VOICE = re.compile(r"<v(?:\.[^ \t>]*)?[ \t]+([^>]*)>")
_TAG = re.compile(r"</?[a-z][^>]*>")
_SVG = "{http://www.w3.org/2000/svg}"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@dataclass(frozen=True)
class Line:
    """One transcript cue: who says what, when."""

    start: float
    """Start in seconds (to the millisecond)."""
    end: float
    """End in seconds."""
    speaker: str
    """Who speaks (the cue's ``<v>`` tag); empty when the cue names no one."""
    text: str
    """What is said, as plain text."""


@dataclass(frozen=True)
class TimelineFacts:
    """What the timeline picture tells the feed and the pages about an episode."""

    language: str | None = None
    """The narration language (the picture's ``xml:lang``)."""
    quote: tuple[float, float] | None = None
    """Start and end (seconds) of the episode's first quoted cue, if it has one."""


def _seconds(groups: tuple[str | None, ...]) -> float:
    hours, minutes, seconds, millis = (int(g or 0) for g in groups)
    return ((hours * 60 + minutes) * 60 + seconds) + millis / 1000


def _unescape(text: str) -> str:
    return (
        text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", "\xa0")
        .replace("&amp;", "&")
    )


def _line(block: list[str]) -> Line | None:
    """Read one cue block, or None when it has no timing line."""
    timing = next((i for i, line in enumerate(block) if "-->" in line), None)
    match = _TIMING.match(block[timing].strip()) if timing is not None else None
    if timing is None or match is None:
        return None
    text = " ".join(block[timing + 1 :]).strip()
    voice = _VOICE.match(text)
    speaker = _unescape(voice.group(1).strip()) if voice else ""
    body = _unescape(_TAG.sub("", text[voice.end() :] if voice else text)).strip()
    return Line(_seconds(match.groups()[:4]), _seconds(match.groups()[4:]), speaker, body)


def parse_vtt(text: str) -> list[Line]:
    r"""Read the cues of a WebVTT transcript, in file order.

    >>> parse_vtt("WEBVTT\n\n1\n00:00:01.500 --> 00:00:02.000\n<v CEPA>A &amp; &lt;b&gt;\n")
    [Line(start=1.5, end=2.0, speaker='CEPA', text='A & <b>')]
    """
    blocks = re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n").removeprefix("\ufeff"))
    lines = (_line(block.splitlines()) for block in blocks[1:] if block.strip())
    return [line for line in lines if line is not None]


def _read(path: Path) -> str | None:
    """Read a companion (size-limited); None, logged, when it cannot be."""
    try:
        with path.open("rb") as stream:
            return stream.read(MAX_COMPANION).decode("utf-8")
    except (OSError, UnicodeDecodeError) as e:
        log.warning("%s: cannot read: %s", path, e)
        return None


def read_vtt(path: Path) -> list[Line]:
    """Read a transcript file's cues; none when it cannot be read (logged)."""
    text = _read(path)
    return [] if text is None else parse_vtt(text)


def read_timeline(path: Path) -> TimelineFacts:
    """Read the language and the first quote from a timeline picture; nothing when unreadable."""
    text = _read(path)
    if text is None:
        return TimelineFacts()
    try:
        root = SafeET.fromstring(text.encode("utf-8"), forbid_dtd=True)
    except (SafeET.ParseError, DefusedXmlException) as e:
        log.warning("%s: cannot read: %s", path, e)
        return TimelineFacts()
    language = root.get(_XML_LANG) or None
    for bar in root.iter(f"{_SVG}rect"):
        if bar.get("class") == "cue" and bar.get("data-kind") == "quote":
            try:
                return TimelineFacts(
                    language, (float(bar.get("data-start", "")), float(bar.get("data-end", "")))
                )
            except ValueError:
                break
    return TimelineFacts(language)
