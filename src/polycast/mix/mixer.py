"""``mix``: clips in, a ``Timeline`` out, with every voice levelled and the episode at its target.

The episode is cut into runs at long pauses (``polycast.mix.runs``), each measured apart, so a
rebuild after an edit measures only the runs the edit changed and takes the rest from the
store. Three passes, none holding more than a block of audio:

1. Spool: each clip, as the speak stage yields it, is trimmed, resampled and appended to a
   temporary file; its place on the timeline and a digest of it are noted. Each run's speech is
   measured per voice (``polycast.mix.voices``), where it plays as well as end to end, as soon as
   the cue after it is laid (``polycast.mix.ahead``).
2. Level (``polycast.mix.target`` from here on): every voice gets the gain that brings its
   speech to the same loudness, the music is set relative to that, and each run of the levelled
   mix is measured: a run of speech alone from its voices' measurements and gains (cues never
   overlap), a run with music rendered to measure its loudness and true peak. One gain for the
   whole episode then meets the target (never per sentence); if that gain would push a true
   peak over the ceiling, a look-ahead limiter catches those peaks.
   Gains sit on a 0.5 dB grid, so a small edit seldom changes them.
3. Verify: each run of the final 16-bit output is rendered, measured, kept in a second
   temporary file and handed to the encoder; the joined measurement is reported, and the runs'
   100 ms steps give the timeline picture its short-term loudness curve without reading the
   output again.

The returned ``Timeline`` reads the kept output back in blocks (``RunSource``), so the encoder
never renders (or limits) a run a second time; a run measured by an earlier build is rendered
only if the encoder needs it (it does not when it has the run's frames too).
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from polycast.errors import EngineError, InputError
from polycast.mix import kept, runs, voices
from polycast.mix.ahead import VOICES_IO, Ahead
from polycast.mix.condition import VoiceKey, voice_key, voice_name
from polycast.mix.layout import Placement, bed_spans, pause_frames, timed_chapters, timed_cues
from polycast.mix.loudness import LoudnessMeter
from polycast.mix.music import Music, Score, load_music
from polycast.mix.report import MixReport, VoiceLevel
from polycast.mix.runs import Span, cached
from polycast.mix.settings import MixSettings
from polycast.mix.source import MixSource
from polycast.mix.spool import Spool
from polycast.mix.target import Pieces, loudness_of, meet_target, side_by_side
from polycast.mix.voices import VoiceRun
from polycast.models import Clip, Cue, KeptClip, Rundown, RunFrames, RunStore, Timeline

log = logging.getLogger(__name__)

MAX_VOICE_GAIN_DB = 30.0
"""A voice is never raised or lowered more than this (a near-silent clip is not noise to boost)."""


class MixResult(NamedTuple):
    """What ``mix`` returns: unpack as ``timeline, report = mix(...)``."""

    timeline: Timeline
    """The episode, rendered on demand."""
    report: MixReport
    """What the final mix measures."""


def mix(
    rundown: Rundown,
    clips: Iterable[Clip | KeptClip],
    settings: MixSettings,
    music: Music | None = None,
    *,
    store: RunStore | None = None,
    workers: int = 1,
    frames: RunFrames | None = None,
) -> MixResult:
    """Place, level and measure one clip per cue (in rundown order) into a timeline.

    Args:
        rundown: the episode's plan; its cues, in chapter order, match ``clips`` one to one.
        clips: the speech, one per cue, consumed lazily and only once; a clip as the cache
            keeps it is decoded only if its run is mixed (its length noted in ``store``).
        settings: format, loudness target, trimming, music.
        music: stings and bed already loaded; default: read the files ``settings`` names.
        store: where earlier builds kept their runs' measurements; what it holds is not
            measured again (the result is the same with or without it).
        workers: threads that measure and render runs side by side.
        frames: encodes each run of the final output as soon as it is rendered (into the
            store the encode stage takes frames from), beside the rendering of the next.

    Raises:
        InputError: the rundown has no cues.
        EngineError: there are more or fewer clips than cues, a clip is not mono 16-bit PCM,
            or every clip is silent.
        ConfigError: a music file cannot be read.
        OutputError: the temporary audio cannot be written (disk full).
    """
    cues = [cue for chapter in rundown.chapters for cue in chapter.cues]
    if not cues:
        raise InputError(f"the rundown {rundown.title!r} has no cues: nothing to say")
    music = load_music(settings) if music is None else music
    workers = max(1, workers)
    spool = Spool()
    plain = music.sting is None and music.bed is None  # runs may be cut into parts
    laid = _Laid([], [], [], [] if plain else None, 0 if music.sting is None else len(music.sting))
    ahead = None
    if workers > 1 and plain:
        ahead = Ahead(spool, laid.placements, laid.digests, settings.rate, store, workers)
    try:
        laid = _spool(cues, clips, settings, spool, laid, store, ahead)
        spool.finish()
        layout = _layout(laid, music, settings)
        voice_runs = side_by_side(
            functools.partial(_voices_of, layout, spool, store, ahead), len(layout.spans), workers
        )
    except BaseException:
        spool.close()
        raise
    finally:
        if ahead is not None:
            ahead.close()
    placements, spans, contents = laid.placements, layout.spans, layout.contents
    length, reference, score = layout.length, layout.reference, layout.score
    source = MixSource(spool, placements, length, settings.channels, {}, score)
    gains, levels = _level_voices(voice_runs, reference, settings.rate)
    source = dataclasses.replace(source, voice_gains={k: 10 ** (g / 20) for k, g in gains.items()})
    levelled = [
        runs.levelled_key(key, gains, (placements[i].voice for i in range(s.first, s.stop)))
        for s, key in zip(spans, contents, strict=True)
    ]
    parts = _parts(laid, spans, gains, settings.rate)
    pieces = Pieces(source, spans, levelled, voice_runs, store, workers, frames, parts)
    try:
        final, report, encoded = meet_target(pieces, settings, levels)
    except BaseException:
        spool.close()
        raise
    if final.complete:
        spool.close()  # every run is rendered: the speech is needed no more
    timeline = Timeline(
        source=final,
        length=length,
        rate=settings.rate,
        channels=settings.channels,
        cues=timed_cues(placements),
        chapters=timed_chapters(rundown, placements, length),
        runs=encoded,
    )
    log.info(
        "mixed %.1f s in %d runs, %d parts: %s",
        timeline.seconds,
        len(spans),
        len(encoded),
        report.summary(),
    )
    return MixResult(timeline, report)


@dataclass(frozen=True)
class _Laid:
    """What pass 1 found: where each clip lies, what it is, where runs may start."""

    placements: list[Placement]
    digests: list[str]
    cuts: list[int]
    parts: list[int] | None
    """Where parts of runs may start (``runs.parts``); None in an episode with music."""
    speech_end: int


def _spool(  # noqa: PLR0917 (the cues, their clips, and where they go)
    cues: Sequence[Cue],
    clips: Iterable[Clip | KeptClip],
    settings: MixSettings,
    spool: Spool,
    laid: _Laid,
    store: RunStore | None = None,
    ahead: Ahead | None = None,
) -> _Laid:
    """Pass 1: condition and store each clip; note its place, its digest, and possible cuts.

    ``laid`` starts empty, at the lead-in; its lists are filled as the clips come, and ``ahead``
    (if any) is told of each cut as it is laid. A kept clip that ``store`` has seen conditioned is
    only set aside (``polycast.mix.kept``).
    """
    rate = settings.rate
    position = laid.speech_end
    stream = iter(clips)
    for index, cue in enumerate(cues):
        clip = next(stream, None)
        if clip is None:
            raise EngineError(f"the speak stage gave {index} clips for {len(cues)} cues")
        audio = kept.lay(clip, cue, settings, spool, store)
        pause = cues[index - 1].pause_ms if index else 0
        if index and runs.is_cut(pause):
            position = runs.aligned(position)
            laid.cuts.append(index)
            if ahead is not None:
                ahead.cut(index, position)
        if index and laid.parts is not None and runs.is_part(pause, laid.digests[index - 1]):
            position = runs.aligned(position)
            laid.parts.append(index)
        laid.digests.append(audio.digest)
        laid.placements.append(
            Placement(cue, voice_key(cue), position, position + audio.frames, audio.offset)
        )
        position += audio.frames + pause_frames(cue.pause_ms, rate)
    if next(stream, None) is not None:
        raise EngineError(f"the speak stage gave more clips than the {len(cues)} cues")
    return dataclasses.replace(laid, speech_end=position)


class _Layout(NamedTuple):
    """Where everything lies once the speech is laid: the episode's length, music and runs."""

    placements: list[Placement]
    rate: int
    length: int
    reference: float
    """The loudness every voice is levelled to (LUFS, one channel)."""
    score: Score
    spans: list[Span]
    contents: list[str]
    """Each run's name before any gain (``runs.content_key``)."""


def _layout(laid: _Laid, music: Music, settings: MixSettings) -> _Layout:
    """Place the music and cut the episode into runs.

    Raises:
        EngineError: every clip is silent.
    """
    placements = laid.placements
    if not any(p.frames for p in placements):
        count = len(placements)
        raise EngineError(f"all {count} clips were silent: the voices produced no speech")
    lead_in = 0 if music.sting is None else len(music.sting)
    length = laid.speech_end + lead_in
    reference = settings.target - 10 * math.log10(settings.channels)
    score = _score(music, settings, placements, (lead_in, laid.speech_end, length), reference)
    spans = runs.spans(placements, laid.cuts, length, score)
    music_id = _music_digest(score)
    contents = [runs.content_key(s, placements, laid.digests, score, music_id) for s in spans]
    return _Layout(placements, settings.rate, length, reference, score, spans, contents)


def _voices_of(
    layout: _Layout, spool: Spool, store: RunStore | None, ahead: Ahead | None, k: int
) -> Mapping[VoiceKey, VoiceRun]:
    """Measure run ``k``'s voices, or take what was measured ahead or kept in ``store``."""
    key = layout.contents[k]
    found = None if ahead is None else ahead.take(key)
    if found is not None:
        return found
    span = layout.spans[k]
    make = functools.partial(voices.measure, spool, layout.placements, span, layout.rate)
    return cached(store, "voices", key, make, VOICES_IO)


def _parts(
    laid: _Laid, spans: Sequence[Span], gains: Mapping[VoiceKey, float], rate: int
) -> list[list[tuple[Span, str]]]:
    """Cut each run into the parts the encoder keeps apart, each named at its voices' gains.

    An episode with music has none: each run is then one part, named as the run is
    (``Pieces.parts_of``).
    """
    if laid.parts is None:
        return []
    placements, digests = laid.placements, laid.digests
    return [
        [
            (
                part,
                runs.levelled_key(
                    runs.speech_key(part, placements, digests, rate),
                    gains,
                    (placements[i].voice for i in range(part.first, part.stop)),
                ),
            )
            for part in runs.parts(span, placements, laid.parts)
        ]
        for span in spans
    ]


def _music_digest(score: Score) -> str:
    """Name the music's samples, levels and ducking (what a run with music depends on)."""
    sting = b"" if score.sting is None else score.sting.tobytes()
    bed = b"" if score.bed is None else score.bed.tobytes()
    return runs.digest(sting, bed, score.duck, score.rate)


def _level_voices(
    per_run: Sequence[Mapping[VoiceKey, VoiceRun]], reference: float, rate: int
) -> tuple[dict[VoiceKey, float], tuple[VoiceLevel, ...]]:
    """Give each voice the gain (dB, on the runs' grid) that takes its speech to ``reference``."""
    keys = list(dict.fromkeys(key for voices in per_run for key in voices))
    gains: dict[VoiceKey, float] = {}
    levels = []
    for key in keys:
        meter = LoudnessMeter.joined(rate, (run[key].steps for run in per_run if key in run))
        loudness = loudness_of(meter)
        gain_db = 0.0
        if math.isfinite(loudness):
            gain_db = min(MAX_VOICE_GAIN_DB, max(-MAX_VOICE_GAIN_DB, reference - loudness))
        gains[key] = runs.quantized(gain_db)
        seconds = meter.frames / rate
        levels.append(VoiceLevel(voice_name(key), loudness, gains[key], seconds))
        log.info("voice %s: %.1f LUFS, gain %+.1f dB", voice_name(key), loudness, gains[key])
    return gains, tuple(levels)


def _scaled(
    audio: npt.NDArray[np.float32] | None, level: float, rate: int
) -> npt.NDArray[np.float32] | None:
    """Return ``audio`` scaled to ``level`` LUFS (mono), or None."""
    if audio is None:
        return None
    meter = LoudnessMeter(rate)
    meter.add(audio)
    loudness = loudness_of(meter)
    gain = 10 ** ((level - loudness) / 20) if math.isfinite(loudness) else 1.0
    return np.asarray(audio * np.float32(gain), dtype=np.float32)


def _score(
    music: Music,
    settings: MixSettings,
    placements: Sequence[Placement],
    marks: tuple[int, int, int],
    reference: float,
) -> Score:
    """Place the music: stings at the start and after the speech, the bed where it belongs."""
    lead_in, speech_end, length = marks
    rate = settings.rate
    speech = np.array([(p.start, p.end) for p in placements], dtype=np.int64).reshape(-1, 2)
    return Score(
        rate=rate,
        sting=_scaled(music.sting, reference + settings.sting_level, rate),
        sting_at=(0, speech_end) if lead_in else (),
        bed=_scaled(music.bed, reference + settings.bed_level, rate),
        bed_spans=bed_spans(settings.bed_span, placements, length, rate),
        speech=speech,
        duck=10 ** (-settings.duck_db / 20),
    )
