"""Where everything lies on the timeline, in samples: cues, pauses, chapters, stings, the bed.

The rules, all in whole samples at the output rate (never rounded milliseconds):

- An optional intro sting fills ``[0, lead_in)``; the first cue's speech starts at ``lead_in``.
- Each cue's speech (trimmed of engine silence) is followed by exactly its ``pause_ms`` of
  silence, ``round(pause_ms * rate / 1000)`` samples; the next cue starts right after. After a
  pause of ``runs.CUT_PAUSE_MS`` or more (a paragraph's end, a heading, a post), where a run may
  start, the next cue starts on the first multiple of 1152 samples (an MP3 frame) at or after
  that: the pause grows by less than 26 ms, and the run's samples no longer depend on where it
  lands. In an episode without music, so does about every other sentence pause
  (``runs.PART_PAUSE_MS``, ``runs.is_part``), where a part of a run starts.
- An optional outro sting follows the last cue's pause; the episode ends where it ends.
- A chapter begins where its first cue's speech begins, except the first chapter, which begins
  at 0 (so it holds the intro sting). Pauses belong to the chapter of the cue they follow. Each
  chapter ends where the next begins, the last at the episode's end: chapters tile the episode.
  A chapter without cues, or that would be empty, is left out (there is nothing to point at).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from polycast.mix.condition import VoiceKey
from polycast.mix.music import FADE_OUT_MS
from polycast.mix.settings import BedSpan
from polycast.models import Cue, Rundown, TimedChapter, TimedCue

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Placement:
    """One cue's speech on the timeline and in the spool."""

    cue: Cue
    """The cue."""
    voice: VoiceKey
    """Whose level applies."""
    start: int
    """First sample on the timeline."""
    end: int
    """One past the last sample of speech on the timeline."""
    offset: int
    """Where its samples start in the spool."""

    @property
    def frames(self) -> int:
        """Length of its speech in samples."""
        return self.end - self.start


def pause_frames(pause_ms: int, rate: int) -> int:
    """Return a pause in samples, rounded half up from exact milliseconds.

    >>> pause_frames(250, 44100), pause_frames(1, 44100), pause_frames(1, 48000)
    (11025, 44, 48)
    """
    return (max(0, pause_ms) * rate * 2 + 1000) // 2000


def timed_cues(placements: Sequence[Placement]) -> tuple[TimedCue, ...]:
    """Return the cues with their sample spans, in time order."""
    return tuple(TimedCue(p.cue, p.start, p.end) for p in placements)


def timed_chapters(
    rundown: Rundown, placements: Sequence[Placement], length: int
) -> tuple[TimedChapter, ...]:
    """Return the chapters tiling ``[0, length)``; ``placements`` are in cue order."""
    starts: list[tuple[int, str, str | None]] = []
    index = 0
    for chapter in rundown.chapters:
        count = len(chapter.cues)
        if count == 0:
            log.warning("chapter %r has no cues; left out of the timeline", chapter.title)
            continue
        start = 0 if not starts else placements[index].start
        if starts and start == starts[-1][0]:
            log.warning("chapter %r would be empty; left out of the timeline", starts[-1][1])
            starts.pop()
        starts.append((start, chapter.title, chapter.url))
        index += count
    ends = [s for s, _, _ in starts[1:]] + [length]
    return tuple(
        TimedChapter(title, start, end, url)
        for (start, title, url), end in zip(starts, ends, strict=True)
    )


def bed_spans(
    span: BedSpan, placements: Sequence[Placement], length: int, rate: int
) -> tuple[tuple[int, int], ...]:
    """Return the stretches ``[start, stop)`` the music bed plays in.

    ``EPISODE``: the whole episode. ``FRAME``: under the generated speech (``segment == -1``) at
    the start, fading out under the first words of the article (as radio does); and under the
    generated speech at the end, from up to a second before it.
    """
    if span is BedSpan.EPISODE:
        return ((0, length),) if length else ()
    spans: list[tuple[int, int]] = []
    lead = 0
    while lead < len(placements) and placements[lead].cue.segment == -1:
        lead += 1
    if lead:
        overhang = rate * FADE_OUT_MS // 1000
        stop = placements[lead].start + overhang if lead < len(placements) else length
        spans.append((0, min(stop, length)))
    tail = len(placements)
    while tail > lead and placements[tail - 1].cue.segment == -1:
        tail -= 1
    if tail < len(placements):
        first = placements[tail]
        before = placements[tail - 1].end if tail else 0
        spans.append((max(before, first.start - rate), length))
    return tuple(s for s in spans if s[1] > s[0])
