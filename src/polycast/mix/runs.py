"""Runs: stretches of an episode that are mixed, measured and encoded apart from each other.

Editing one paragraph should not cost a whole episode. The mix is cut into runs at long pauses
(after a paragraph, a heading, a post: ``CUT_PAUSE_MS``), where the audio is digital silence and
no music plays near. There every run but the first starts on the MP3 frame grid (``GRID``
samples; the pause before it grows by up to 26 ms to get there), so a run's samples are the same
wherever it lands on the timeline, and so are its loudness steps, its true peak and its MP3
frames. Each run is named by a key of everything that shapes it, and a build keeps what it
measured and encoded under those keys: a rebuild after an edit mixes and encodes only the runs
whose keys changed.

Gains are chosen from the runs' measurements on a ``QUANTUM_DB`` grid, so that an edit which
moves a voice's loudness by a few hundredths of a dB leaves every other run's audio untouched.
Where no music plays, a run is cut further into parts at sentence pauses for the encoder alone
(``parts``): the edited run is measured and rendered again, but only its changed parts encoded.
"""

from __future__ import annotations

import bisect
import dataclasses
import hashlib
import json
import logging
import struct
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from polycast.mix.condition import VoiceKey
from polycast.mix.layout import Placement
from polycast.mix.loudness import LoudnessMeter, Steps
from polycast.mix.music import Score
from polycast.mix.truepeak import TruePeakMeter
from polycast.models import RunStore

log = logging.getLogger(__name__)
_T = TypeVar("_T")

GRID = 1152
"""Samples per MP3 frame: a run that starts on a multiple of it encodes to the same frames."""
CUT_PAUSE_MS = 500
"""A run may start after a pause at least this long (paragraph ends, headings, posts)."""
PART_PAUSE_MS = 250
"""In an episode without music, a part of a run starts after a pause at least this long (a
sentence's): on the frame grid, so that the encoder keeps each part's frames apart (``parts``)."""
MUSIC_CLEARANCE_MS = 2000
"""No run starts within this of music (a bed's ducking and fades reach across pauses)."""
QUANTUM_DB = 0.5
"""Voice and episode gains are multiples of this: a small edit seldom moves them."""


@dataclass(frozen=True)
class Span:
    """A run as the mix lays it out: its samples and the placements inside it."""

    start: int
    """First sample."""
    end: int
    """One past the last sample."""
    quiet: int
    """Digital silence at its end, in samples."""
    first: int
    """Index of its first placement."""
    stop: int
    """One past the index of its last placement."""


def aligned(position: int) -> int:
    """Return the first multiple of ``GRID`` at or after ``position``."""
    return -(-position // GRID) * GRID


def is_cut(pause_ms: int) -> bool:
    """Whether a run may start after a pause of ``pause_ms``."""
    return pause_ms >= CUT_PAUSE_MS


def is_part(pause_ms: int, before: str) -> bool:
    """Whether a part of a run starts after a pause of ``pause_ms`` (no music anywhere).

    ``before`` is the digest of the clip before the pause: about every other sentence ends a
    part, chosen by its own audio alone, so an edit moves no part boundary but its own.
    """
    return pause_ms >= PART_PAUSE_MS and int(before[-1], 16) % 2 == 0


def parts(run: Span, placements: Sequence[Placement], starts: Sequence[int]) -> list[Span]:
    """Cut a run of speech alone into its parts, before the placements in ``starts``.

    Editing a sentence changes its run's loudness a little, and so the run is mixed again, but
    LAME need only encode again the parts whose audio changed: the rest start on the frame grid
    after silence, as runs do, and are named by their own speech (``speech_key``), so their
    frames are taken from the cache. ``starts`` holds every placement a part may start with, in
    order, from the whole episode (found by bisection: an hour has hundreds of runs).

    >>> from polycast.models import Cue
    >>> placed = [Placement(Cue(t, "nl"), ("nl", None), a, b, 0) for t, a, b in
    ...           [("a", 0, 900), ("b", 2304, 3000), ("c", 4608, 5000)]]
    >>> [(p.start, p.end, p.quiet) for p in parts(Span(0, 6000, 1000, 0, 3), placed, [1, 2])]
    [(0, 2304, 1404), (2304, 4608, 1608), (4608, 6000, 1000)]
    """
    inside = starts[bisect.bisect_right(starts, run.first) : bisect.bisect_left(starts, run.stop)]
    firsts = [run.first, *inside]
    bounds = [placements[i].start for i in inside]
    found = [
        span(start, end, placements, first, stop, last=False)
        for start, end, first, stop in zip(
            [run.start, *bounds], [*bounds, run.end], firsts, [*inside, run.stop], strict=True
        )
    ]
    found[-1] = dataclasses.replace(found[-1], quiet=run.quiet)  # the run's own end
    return found


def spans(
    placements: Sequence[Placement], cuts: Iterable[int], length: int, score: Score
) -> list[Span]:
    """Cut ``[0, length)`` into runs before those placements in ``cuts`` that are clear of music.

    Args:
        placements: every cue's speech, in time order.
        cuts: placements that start on the grid after a long pause (candidates).
        length: the episode's length.
        score: the music, which no cut may come near.
    """
    clearance = score.rate * MUSIC_CLEARANCE_MS // 1000
    music = _music_spans(score)
    starts = [0]
    firsts = [0]
    for index in cuts:
        if index <= 0 or index >= len(placements):
            continue
        at = placements[index].start
        quiet_from = placements[index - 1].end
        if at <= starts[-1] or any(
            a < at + clearance and quiet_from - clearance < b for a, b in music
        ):
            continue
        starts.append(at)
        firsts.append(index)
    bounds = [*starts[1:], length]
    stops = [*firsts[1:], len(placements)]
    return [
        span(start, end, placements, firsts[k], stops[k], last=k + 1 == len(starts))
        for k, (start, end) in enumerate(zip(starts, bounds, strict=True))
    ]


def span(
    start: int, end: int, placements: Sequence[Placement], first: int, stop: int, *, last: bool
) -> Span:
    """Make the run ``[start, end)`` of placements ``first`` up to ``stop``.

    The last run has no quiet of its own; any other ends in the silence after its last
    placement. ``spans`` cuts runs with it, and ``mix.ahead`` names each run it measures early
    with it, so a run measured ahead is the very run the mix looks for.
    """
    speech_end = placements[stop - 1].end if stop > first else start
    return Span(start, end, 0 if last else end - speech_end, first, stop)


def _music_spans(score: Score) -> list[tuple[int, int]]:
    """Where any music plays: stings and the bed's stretches."""
    found: list[tuple[int, int]] = []
    if score.sting is not None:
        found += [(at, at + len(score.sting)) for at in score.sting_at]
    if score.bed is not None:
        found += list(score.bed_spans)
    return found


def has_music(span: Span, score: Score) -> bool:
    """Whether any music plays in ``span`` (its levelled loudness then needs its audio)."""
    return any(lo < span.end and span.start < hi for lo, hi in _music_spans(score))


def digest(*parts: bytes | str | int | float | None) -> str:
    """Return a short hash naming ``parts`` (bytes as they are, the rest by their repr)."""
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        data = part if isinstance(part, bytes) else repr(part).encode("utf-8")
        h.update(struct.pack("<Q", len(data)))
        h.update(data)
    return h.hexdigest()


def content_key(
    span: Span, placements: Sequence[Placement], clips: Sequence[str], score: Score, music: str
) -> str:
    """Name a run's speech and music before any gain: what its voice measurements depend on.

    Args:
        span: the run.
        placements: every placement of the episode.
        clips: every placement's clip digest (the speech as the engine made it, and how it was
            conditioned), in the same order.
        score: the music, for where it plays relative to the run.
        music: a digest of the music's samples and levels.
    """
    sounds = [
        (lo - span.start, hi - span.start)
        for lo, hi in _music_spans(score)
        if lo < span.end and span.start < hi
    ]
    return _run_digest(span, placements, clips, score.rate, sounds, music if sounds else None)


def speech_key(span: Span, placements: Sequence[Placement], clips: Sequence[str], rate: int) -> str:
    """Name a run no music reaches: ``content_key`` gives it the same name, from its speech alone.

    The mix names a run before the last cue is spoken with it (``polycast.mix.ahead``).
    """
    return _run_digest(span, placements, clips, rate, [], None)


def _run_digest(  # noqa: PLR0917 (every part of a run's name)
    span: Span,
    placements: Sequence[Placement],
    clips: Sequence[str],
    rate: int,
    sounds: list[tuple[int, int]],
    music: str | None,
) -> str:
    speech = [
        (clips[i], placements[i].start - span.start, placements[i].frames, placements[i].voice)
        for i in range(span.first, span.stop)
    ]
    return digest("run", rate, span.end - span.start, json.dumps(speech), json.dumps(sounds), music)


def levelled_key(
    content: str, gains_db: Mapping[VoiceKey, float], voices: Iterable[VoiceKey]
) -> str:
    """Name a run at its voices' gains (what the episode's loudness is measured on)."""
    used = sorted({(v[0], v[1] or "", gains_db[v]) for v in voices})
    return digest("levelled", content, json.dumps(used))


def final_key(levelled: str, gain_db: float, limiter: str | None) -> str:
    """Name a run's final audio: levelled, at the episode gain, through the limiter if any."""
    return digest("final", levelled, gain_db, limiter)


def quantized(gain_db: float) -> float:
    """Round a gain to the ``QUANTUM_DB`` grid."""
    return round(gain_db / QUANTUM_DB) * QUANTUM_DB


@dataclass(frozen=True)
class Measured:
    """A run's loudness steps and true peak (linear), as kept in the cache."""

    steps: Steps
    """Its K-weighted 100 ms steps."""
    peak: float
    """Its true peak, linear."""

    @classmethod
    def of(cls, blocks: Iterable[npt.NDArray[np.generic]], rate: int) -> Measured:
        """Measure a run's mono blocks (float, or int16 scaled to full scale)."""
        meter = LoudnessMeter(rate)
        peak = TruePeakMeter()
        for block in blocks:
            meter.add(block)
            peak.add(block)
        return cls(meter.steps(), peak.peak())

    def to_bytes(self) -> bytes:
        """Serialise, for the cache."""
        return struct.pack("<d", self.peak) + self.steps.to_bytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> Measured:
        """Read what ``to_bytes`` wrote.

        Raises:
            ValueError: the data is not a serialised ``Measured``.
        """
        if len(data) < 8:
            raise ValueError("run measurement too short")
        return cls(Steps.from_bytes(data[8:]), struct.unpack_from("<d", data)[0])


def cached(
    store: RunStore | None,
    kind: str,
    key: str,
    make: Callable[[], _T],
    io: tuple[Callable[[_T], bytes], Callable[[bytes], _T]],
) -> _T:
    """Return what ``store`` keeps under ``kind``/``key``, or make it (and keep it)."""
    to_bytes, from_bytes = io
    if store is not None:
        data = store.get(kind, key)
        if data is not None:
            try:
                return from_bytes(data)
            except (ValueError, KeyError, TypeError, struct.error) as e:
                log.warning("cached %s %s is damaged (%s); measuring again", kind, key, e)
    value = make()
    if store is not None:
        store.put(kind, key, to_bytes(value))
    return value
