"""``mix``: clips in, a ``Timeline`` out, with every voice levelled and the episode at its target.

The episode is cut into runs at long pauses (``polycast.mix.runs``), each measured apart, so a
rebuild after an edit measures only the runs the edit changed and takes the rest from the
store. Three passes, none holding more than a block of audio:

1. Spool: each clip, as the speak stage yields it, is trimmed, resampled and appended to a
   temporary file; its place on the timeline and a digest of it are noted. Each run's speech is
   measured per voice (``polycast.mix.voices``), where it plays as well as end to end.
2. Level: every voice gets the gain that brings its speech to the same loudness, the music is
   set relative to that, and each run of the levelled mix is measured: a run of speech alone
   from its voices' measurements and gains (cues never overlap), a run with music rendered to
   measure its loudness and true peak. One gain for the whole episode then meets the target
   (never per sentence); if that gain would push a true peak over the ceiling, a look-ahead
   limiter catches those peaks.
   Gains sit on a 0.5 dB grid, so a small edit seldom changes them.
3. Verify: each run of the final 16-bit output is rendered, measured, and kept in a second
   temporary file; the joined measurement is reported, and the runs' 100 ms steps give the
   timeline picture its short-term loudness curve without reading the output again.

The returned ``Timeline`` reads the kept output back in blocks (``RunSource``), so the encoder
never renders (or limits) a run a second time; a run measured by an earlier build is rendered
only if the encoder needs it (it does not when it has the run's frames too).
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import NamedTuple, TypeVar

import numpy as np
import numpy.typing as npt

from polycast.errors import EngineError, InputError
from polycast.mix import kept, runs, voices
from polycast.mix.ahead import VOICES_IO, Ahead, cached
from polycast.mix.condition import VoiceKey, voice_key, voice_name
from polycast.mix.layout import Placement, bed_spans, pause_frames, timed_chapters, timed_cues
from polycast.mix.limiter import Limiter
from polycast.mix.loudness import LoudnessMeter
from polycast.mix.music import Music, Score, load_music
from polycast.mix.report import MixReport, VoiceLevel
from polycast.mix.runs import Measured, Span
from polycast.mix.settings import MixSettings
from polycast.mix.source import MixSource, RunSource
from polycast.mix.spool import Spool
from polycast.mix.voices import VoiceRun
from polycast.models import Clip, Cue, KeptClip, Run, Rundown, RunFrames, RunStore, Timeline
from polycast.timeline_svg import short_term_of_runs

log = logging.getLogger(__name__)
_T = TypeVar("_T")

MAX_VOICE_GAIN_DB = 30.0
"""A voice is never raised or lowered more than this (a near-silent clip is not noise to boost)."""
HEADROOM_DB = 0.1
"""Without a limiter, true peaks must stay this far under the ceiling (16-bit rounding)."""
LIMIT_MARGIN_DB = 0.2
"""The limiter aims this far under the ceiling (its envelope is an estimate, like any meter)."""
RETRY_LU = 0.2
"""When limiting costs more loudness than this, the episode gain is raised once to make it up."""


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
    laid = _Laid([], [], [], 0 if music.sting is None else len(music.sting))
    ahead = None
    if workers > 1 and music.sting is None and music.bed is None:
        ahead = Ahead(spool, laid.placements, laid.digests, settings.rate, store, workers)
    try:
        laid = _spool(cues, clips, settings, spool, laid, store, ahead)
        spool.finish()
        layout = _layout(laid, music, settings)
        voice_runs = _side_by_side(
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
    pieces = _Pieces(source, spans, levelled, voice_runs, store, workers, frames)
    try:
        final, report, keys = _meet_target(pieces, settings, levels)
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
        runs=tuple(Run(s.start, s.end, s.quiet, k) for s, k in zip(spans, keys, strict=True)),
    )
    log.info("mixed %.1f s in %d runs: %s", timeline.seconds, len(spans), report.summary())
    return MixResult(timeline, report)


@dataclass(frozen=True)
class _Laid:
    """What pass 1 found: where each clip lies, what it is, where runs may start."""

    placements: list[Placement]
    digests: list[str]
    cuts: list[int]
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
        if index and runs.is_cut(cues[index - 1].pause_ms):
            position = runs.aligned(position)
            laid.cuts.append(index)
            if ahead is not None:
                ahead.cut(index, position)
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


def _music_digest(score: Score) -> str:
    """Name the music's samples, levels and ducking (what a run with music depends on)."""
    sting = b"" if score.sting is None else score.sting.tobytes()
    bed = b"" if score.bed is None else score.bed.tobytes()
    return runs.digest(sting, bed, score.duck, score.rate)


_measured_io = (Measured.to_bytes, Measured.from_bytes)


def _loudness(meter: LoudnessMeter) -> float:
    """Gated loudness, or the ungated one for audio too short or sparse to gate."""
    value = meter.integrated()
    return value if math.isfinite(value) else meter.ungated()


def _level_voices(
    per_run: Sequence[Mapping[VoiceKey, VoiceRun]], reference: float, rate: int
) -> tuple[dict[VoiceKey, float], tuple[VoiceLevel, ...]]:
    """Give each voice the gain (dB, on the runs' grid) that takes its speech to ``reference``."""
    keys = list(dict.fromkeys(key for voices in per_run for key in voices))
    gains: dict[VoiceKey, float] = {}
    levels = []
    for key in keys:
        meter = LoudnessMeter.joined(rate, (run[key].steps for run in per_run if key in run))
        loudness = _loudness(meter)
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
    loudness = _loudness(meter)
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


def _levelled(source: MixSource, span: Span) -> Measured:
    """Measure one run of the levelled mix (before the episode gain)."""
    return Measured.of(source.float_blocks(span.start, span.end), source.score.rate)


def _levelled_run(pieces: _Pieces, k: int) -> Measured:
    """Measure run ``k`` of the levelled mix, rendering it only if music plays in it.

    A run of speech alone is measured from its voices' pass-1 measurements
    (``polycast.mix.voices``); one with music is rendered, and kept in the store.
    """
    span, found = pieces.spans[k], pieces.voices[k]
    if found and not runs.has_music(span, pieces.source.score):
        return voices.levelled(found, pieces.source.voice_gains)
    make = functools.partial(_levelled, pieces.source, span)
    return cached(pieces.store, "levelled", pieces.keys[k], make, _measured_io)


def _overall(parts: Sequence[Measured], rate: int, channels: int) -> tuple[float, float]:
    """Join runs' measurements: the episode's loudness (LUFS, all channels) and true peak (dBTP)."""
    loudness = _loudness(LoudnessMeter.joined(rate, (m.steps for m in parts)))
    loudness += 10 * math.log10(channels)  # the same signal on every channel
    peak = max((m.peak for m in parts), default=0.0)
    return loudness, 20 * math.log10(peak) if peak > 0 else -math.inf


@dataclass(frozen=True)
class _Pieces:
    """The levelled mix cut into runs, each named, and the store that keeps their measurements."""

    source: MixSource
    spans: Sequence[Span]
    keys: Sequence[str]
    voices: Sequence[Mapping[VoiceKey, VoiceRun]]
    store: RunStore | None
    workers: int
    frames: RunFrames | None = None
    """Encodes each final run as it is rendered, if given."""

    def each(self, make: Callable[[int], _T]) -> list[_T]:
        """Return ``make(k)`` for every run ``k``, in order, run side by side on the workers.

        The longest runs start first: the work left when a thread runs out of runs is a short
        run's (its render, and the encoding of it that ``frames`` does after it).
        """
        longest = sorted(
            range(len(self.spans)), key=lambda k: self.spans[k].start - self.spans[k].end
        )
        return _side_by_side(make, len(self.spans), self.workers, longest)


def _side_by_side(
    make: Callable[[int], _T], count: int, workers: int, order: Sequence[int] | None = None
) -> list[_T]:
    """Return ``make(k)`` for ``k`` in ``range(count)``, in order, on ``workers`` threads.

    Runs are independent, and numpy releases the GIL over most of a run's work. ``order`` is
    the order they start in (default: ``k``'s own).
    """
    if workers == 1 or count <= 1:
        return [make(k) for k in range(count)]
    with ThreadPoolExecutor(workers, thread_name_prefix="mix") as pool:
        started = {k: pool.submit(make, k) for k in (range(count) if order is None else order)}
        try:
            return [started[k].result() for k in range(count)]
        except BaseException:
            for future in started.values():
                future.cancel()  # a failure or Ctrl-C: the runs not begun are not begun
            raise


def _meet_target(
    pieces: _Pieces, settings: MixSettings, levels: tuple[VoiceLevel, ...]
) -> tuple[RunSource, MixReport, list[str]]:
    """Choose the episode gain and limiter (pass 2), then render and measure the output (pass 3).

    Returns:
        The output, its report, and each run's final key.
    """
    rate, channels, target = settings.rate, settings.channels, settings.target
    measured = pieces.each(functools.partial(_levelled_run, pieces))

    levelled, peak = _overall(measured, rate, channels)
    gain_db = runs.quantized(target - levelled) if math.isfinite(levelled) else 0.0
    limiter = None
    if peak + gain_db > settings.true_peak - HEADROOM_DB:
        limiter = Limiter.at(rate, 10 ** ((settings.true_peak - LIMIT_MARGIN_DB) / 20))
        log.info("true peak %.1f dBTP at the target: limiting peaks", peak + gain_db)
    final = _render(pieces, gain_db, limiter, settings)
    loudness, peak = _overall(final.measured, rate, channels)
    expected = levelled + gain_db  # what the gain alone gives; the rest is what limiting took
    retry = runs.quantized(gain_db + target - loudness) if math.isfinite(loudness) else gain_db
    if limiter is not None and expected - loudness > RETRY_LU and retry != gain_db:
        # Heavy limiting lowered the loudness; one more step of gain brings it back.
        final.output.close()
        gain_db = retry
        final = _render(pieces, gain_db, limiter, settings)
        loudness, peak = _overall(final.measured, rate, channels)
    report = MixReport(
        loudness,
        peak,
        target,
        settings.true_peak,
        gain_db,
        limiter is not None,
        levels,
        short_term=_curve(pieces, final.measured, settings),
    )
    return final.output, report, final.keys


def _curve(
    pieces: _Pieces, measured: Sequence[Measured], settings: MixSettings
) -> tuple[float, ...]:
    """Draw the timeline picture's loudness curve from the final runs' steps: nothing rendered."""
    runs = [(span.start, m.steps) for span, m in zip(pieces.spans, measured, strict=True)]
    return short_term_of_runs(runs, pieces.source.length, settings.rate, settings.channels)


class _Final(NamedTuple):
    """The output at one episode gain: kept for the encoder, each run measured and named."""

    output: RunSource
    measured: list[Measured]
    keys: list[str]


def _render(
    pieces: _Pieces, gain_db: float, limiter: Limiter | None, settings: MixSettings
) -> _Final:
    """Render the 16-bit output of every run not measured before, keeping it for the encoder.

    Runs whose final audio the store has measured are not rendered: the encoder may not need
    them either (their frames may be kept too), and if it does they render on demand.

    Raises:
        OutputError: the temporary audio cannot be written (disk full).
    """
    source = pieces.source.with_gain(10 ** (gain_db / 20), limiter)
    tag = None if limiter is None else repr(limiter)
    keys = [runs.final_key(k, gain_db, tag) for k in pieces.keys]
    output = RunSource(source, [(s.start, s.end) for s in pieces.spans], settings.channels)
    spans = pieces.spans
    final = Timeline(
        output,
        source.length,
        settings.rate,
        settings.channels,
        (),
        (),
        tuple(Run(s.start, s.end, s.quiet, k) for s, k in zip(spans, keys, strict=True)),
    )

    def run(k: int) -> Measured:
        make = functools.partial(output.render, k)
        measured = cached(pieces.store, "final", keys[k], make, _measured_io)
        if pieces.frames is not None:
            pieces.frames.start(final, k)  # encoded beside the runs still to render
        return measured

    try:
        measured = pieces.each(run)
        output.finish()
        if pieces.frames is not None:
            pieces.frames.wait()
    except BaseException:
        if pieces.frames is not None:
            pieces.frames.cancel()  # before the output they read is closed
        output.close()
        raise
    return _Final(output, measured, keys)
