"""The files published beside an episode: Podcasting 2.0 JSON chapters, WebVTT and SRT transcripts.

All three are pure functions of the mixed ``Timeline``: chapters and cues carry exact sample spans,
and every time written here is ``polycast.times.to_ms(samples, rate)``, the very function
that sets the MP3's ID3 chapter frames, so an app showing the JSON chapters and one reading the
MP3's chapters agree to the millisecond and never drift (no time is accumulated from rounded
durations).

Transcripts have one cue per utterance (one sentence, usually). A cue whose text is empty, or that
is shorter than a millisecond once rounded, is left out of both transcripts alike, because WebVTT
requires every cue to end after it starts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from polycast.models import NARRATOR, EpisodeInfo, TimedCue, Timeline
from polycast.times import stamp, to_ms

CHAPTERS_VERSION = "1.2.0"
"""Version of the Podcasting 2.0 JSON chapters format written."""

DEFAULT_NARRATOR = "Narrator"
"""Display name of the narrator in transcripts, unless the caller names it."""

_SPACE = re.compile(r"\s+")
_ARROW = re.compile(r"-{2,}>")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")  # not whitespace


def one_line(text: str) -> str:
    r"""Collapse every run of whitespace (newlines included) to one space, trimmed; drop controls.

    A blank line ends a cue in both transcript formats, so cue text must stay on one line.

    >>> one_line("  Twee\n\nregels\t hier \x00 ")
    'Twee regels hier'
    """
    return _SPACE.sub(" ", _CONTROL.sub("", text)).strip()


def chapters_json(timeline: Timeline, info: EpisodeInfo) -> str:
    """Return the episode's chapters as a Podcasting 2.0 JSON chapters file (version 1.2.0).

    Chapters come in time order with ``startTime`` and ``endTime`` in seconds (to the ms), the
    ``title``, and the ``url`` where a chapter has one (an embedded post's link).

    Args:
        timeline: the mixed episode; its chapters tile it.
        info: the episode's title, author and show name, written as the file's metadata.

    Returns:
        The JSON text, UTF-8 characters unescaped, ending in a newline.
    """
    chapters: list[dict[str, Any]] = []
    for chapter in sorted(timeline.chapters, key=lambda c: c.start):
        entry: dict[str, Any] = {
            "startTime": to_ms(chapter.start, timeline.rate) / 1000,
            "endTime": to_ms(chapter.end, timeline.rate) / 1000,
            "title": chapter.title,
        }
        if chapter.url:
            entry["url"] = chapter.url
        chapters.append(entry)
    document: dict[str, Any] = {"version": CHAPTERS_VERSION, "title": info.title}
    if info.author:
        document["author"] = info.author
    if info.album:
        document["podcastName"] = info.album
    document["chapters"] = chapters
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def transcript_cues(
    timeline: Timeline, narrator: str
) -> Iterator[tuple[TimedCue, int, int, str, str]]:
    """Yield ``(cue, start_ms, end_ms, speaker, text)`` for every cue worth a transcript line.

    The transcripts and the timeline picture show the same cues, named the same way.
    """
    for timed in timeline.cues:
        text = one_line(timed.cue.text)
        start, end = to_ms(timed.start, timeline.rate), to_ms(timed.end, timeline.rate)
        if not text or end <= start:
            continue
        speaker = timed.cue.speaker
        name = narrator if speaker == NARRATOR else one_line(speaker) or narrator
        yield timed, start, end, name, text


def _vtt_escape(text: str) -> str:
    """Escape the characters WebVTT cue text reserves (``&``, ``<``, and ``>`` so ``-->`` can't)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def webvtt(timeline: Timeline, narrator: str = DEFAULT_NARRATOR) -> str:
    """Return a WebVTT transcript: one cue per utterance, each opening with a ``<v Speaker>`` tag.

    Args:
        timeline: the mixed episode.
        narrator: the display name for the narrator's cues; a post's cues name its author.

    Returns:
        The WebVTT text, starting ``WEBVTT`` and ending in a newline.
    """
    blocks = ["WEBVTT\n"]
    for number, (_, start, end, speaker, text) in enumerate(transcript_cues(timeline, narrator), 1):
        timing = f"{stamp(start)} --> {stamp(end)}"
        blocks.append(f"{number}\n{timing}\n<v {_vtt_escape(speaker)}>{_vtt_escape(text)}\n")
    return "\n".join(blocks)


def srt(timeline: Timeline, narrator: str = DEFAULT_NARRATOR) -> str:
    """Return an SRT transcript with the same cues and times as ``webvtt``.

    As the Podcasting 2.0 transcript guidance asks, a card names its speaker (``Name: ``) where
    the speaker changes; the cards after it by the same speaker do not repeat the name. SRT has no
    escapes, so a ``-->`` in the text, which parsers could take for a timing line, becomes ``->``.

    Args:
        timeline: the mixed episode.
        narrator: the display name for the narrator's cues.

    Returns:
        The SRT text (empty when nothing is said), each card ending in a blank line.
    """
    cards: list[str] = []
    previous: str | None = None
    for number, (_, start, end, speaker, text) in enumerate(transcript_cues(timeline, narrator), 1):
        line = _ARROW.sub("->", text if speaker == previous else f"{speaker}: {text}")
        previous = speaker
        cards.append(f"{number}\n{stamp(start, ',')} --> {stamp(end, ',')}\n{line}\n\n")
    return "".join(cards)
