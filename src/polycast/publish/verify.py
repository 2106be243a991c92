"""Check an episode's companion files before they are published.

A feed points podcast apps at the chapters JSON and the transcripts; a broken one (cut short,
hand-edited, overwritten by another tool) breaks the episode in every app that follows the link.
Each companion is read (with a size limit) and checked for the shape its format requires: the
chapters JSON parses and has the Podcasting 2.0 shape, a WebVTT file opens with ``WEBVTT``, an
SRT file is numbered cards with timing lines, and the timeline picture parses as SVG (XML, with no
entities or DTD, read with defusedxml).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

from polycast.errors import InputError
from polycast.publish.episode import Companion

MAX_COMPANION = 32 << 20
"""The largest companion read: far beyond any transcript of a day-long episode."""

_SRT_TIMING = re.compile(r"\d{2,}:\d{2}:\d{2},\d{3} --> \d{2,}:\d{2}:\d{2},\d{3}(?: .*)?")


def _text(path: Path, kind: str) -> str:
    """Read a companion as UTF-8 text (a byte order mark dropped), refusing a huge one.

    Raises:
        InputError: it cannot be read, is too large, or is not UTF-8.
    """
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_COMPANION + 1)
    except OSError as e:
        raise InputError(f"{path}: cannot read: {e.strerror or e}") from e
    if len(data) > MAX_COMPANION:
        raise InputError(f"{path}: larger than {MAX_COMPANION >> 20} MiB; not published")
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as e:
        raise InputError(
            f"{path}: not a valid {kind} (not UTF-8: {e.reason} at byte {e.start}); "
            "nothing was published"
        ) from e


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value >= 0


def check_chapters(text: str) -> None:
    """Check Podcasting 2.0 JSON chapters: ``version`` and ``chapters`` with a ``startTime`` each.

    >>> check_chapters('{"version": "1.2.0", "chapters": [{"startTime": 0, "title": "Intro"}]}')
    >>> check_chapters('{"version": "1.2.0"}')
    Traceback (most recent call last):
    ValueError: no "chapters" list

    Raises:
        ValueError: it does not parse or lacks the required shape.
    """
    document: Any = json.loads(text)
    if not isinstance(document, dict):
        raise ValueError("not a JSON object")
    if not isinstance(document.get("version"), str):
        raise ValueError('no "version" string')
    chapters = document.get("chapters")
    if not isinstance(chapters, list):
        raise ValueError('no "chapters" list')
    for number, chapter in enumerate(chapters, 1):
        if not isinstance(chapter, dict) or not _number(chapter.get("startTime")):
            raise ValueError(f'chapter {number} has no "startTime" in seconds')
        for key in ("title", "url", "img"):
            if key in chapter and not isinstance(chapter[key], str):
                raise ValueError(f'chapter {number}: "{key}" is not a string')


def check_vtt(text: str) -> None:
    r"""Check a WebVTT file opens with its signature line.

    >>> check_vtt("WEBVTT\n\n1\n00:00.000 --> 00:01.000\nHallo\n")
    >>> check_vtt("1\n00:00.000 --> 00:01.000\nHallo\n")
    Traceback (most recent call last):
    ValueError: does not start with WEBVTT

    Raises:
        ValueError: it does not.
    """
    if not text.startswith("WEBVTT") or text[6:7] not in {"", " ", "\t", "\n", "\r"}:
        raise ValueError("does not start with WEBVTT")


def check_srt(text: str) -> None:
    r"""Check an SRT file is cards of a number, a timing line and text (none at all is fine).

    >>> check_srt("1\n00:00:00,000 --> 00:00:01,000\nHallo\n\n")
    >>> check_srt("1\nHallo\n")
    Traceback (most recent call last):
    ValueError: card 1 has no timing line

    Raises:
        ValueError: a card is not numbered or has no timing line.
    """
    cards = re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n").strip())
    for number, card in enumerate((c for c in cards if c.strip()), 1):
        lines = card.splitlines()
        if not lines[0].strip().isdigit():
            raise ValueError(f"card {number} does not start with its number")
        if len(lines) < 2 or not _SRT_TIMING.fullmatch(lines[1].strip()):
            raise ValueError(f"card {number} has no timing line")


_SVG_ROOT = "{http://www.w3.org/2000/svg}svg"


def check_svg(text: str) -> None:
    """Check the timeline picture is an SVG document (well-formed XML, root ``svg``).

    >>> check_svg('<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>')
    >>> check_svg('<svg xmlns="http://www.w3.org/2000/svg"><rect></svg>')
    Traceback (most recent call last):
    ValueError: not XML: mismatched tag: line 1, column 48

    Raises:
        ValueError: it does not parse, holds a DTD or entities, or its root is not ``svg``.
    """
    try:
        root = SafeET.fromstring(text.encode("utf-8"), forbid_dtd=True)
    except SafeET.ParseError as e:
        raise ValueError(f"not XML: {e}") from e
    except DefusedXmlException as e:
        raise ValueError(f"refused: {e}") from e
    if root.tag != _SVG_ROOT:
        raise ValueError(f"the root element is <{root.tag}>, not <svg>")


_CHECKS: dict[Companion, tuple[str, Callable[[str], None]]] = {
    Companion.CHAPTERS: ("JSON chapters file", check_chapters),
    Companion.VTT: ("WebVTT transcript", check_vtt),
    Companion.SRT: ("SRT transcript", check_srt),
    Companion.TIMELINE: ("timeline picture", check_svg),
}


def check_companions(companions: Mapping[Companion, Path]) -> None:
    """Check every companion file; the first broken one stops the publish.

    Raises:
        InputError: a companion cannot be read or is not valid for its format.
    """
    for companion, path in companions.items():
        kind, check = _CHECKS[companion]
        text = _text(path, kind)
        try:
            check(text)
        except ValueError as e:
            raise InputError(f"{path}: not a valid {kind} ({e}); nothing was published") from e
