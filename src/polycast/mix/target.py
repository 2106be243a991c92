"""Passes 2 and 3 of the mix: the episode gain, the limiter, and the final output run by run.

``mix`` levels the voices (pass 1, ``polycast.mix.voices``) and hands the levelled mix, cut into
runs, to ``meet_target``: it measures each run of the levelled mix (a run of speech alone from
its voices' measurements, one with music rendered), chooses one episode gain on the runs' grid
and, if that gain would push a true peak over the ceiling, a look-ahead limiter; then it renders
and measures each run of the 16-bit output, the longest first, handing each to the encoder as it
is done (``RunFrames``), and reports what the output measures. Heavy limiting that cost more than
``RETRY_LU`` of loudness raises the gain once more and renders again.
"""

from __future__ import annotations

import functools
import itertools
import logging
import math
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import NamedTuple, TypeVar

from polycast.mix import runs, voices
from polycast.mix.condition import VoiceKey
from polycast.mix.limiter import Limiter
from polycast.mix.loudness import LoudnessMeter
from polycast.mix.report import MixReport, VoiceLevel
from polycast.mix.runs import Measured, Span, cached
from polycast.mix.settings import MixSettings
from polycast.mix.source import MixSource, RunSource
from polycast.mix.voices import VoiceRun
from polycast.models import Run, RunFrames, RunStore, Timeline
from polycast.timeline_svg import short_term_of_runs

log = logging.getLogger(__name__)
_T = TypeVar("_T")

HEADROOM_DB = 0.1
"""Without a limiter, true peaks must stay this far under the ceiling (16-bit rounding)."""
LIMIT_MARGIN_DB = 0.2
"""The limiter aims this far under the ceiling (its envelope is an estimate, like any meter)."""
RETRY_LU = 0.2
"""When limiting costs more loudness than this, the episode gain is raised once to make it up."""


_measured_io = (Measured.to_bytes, Measured.from_bytes)


def loudness_of(meter: LoudnessMeter) -> float:
    """Gated loudness, or the ungated one for audio too short or sparse to gate."""
    value = meter.integrated()
    return value if math.isfinite(value) else meter.ungated()


def _levelled(source: MixSource, span: Span) -> Measured:
    """Measure one run of the levelled mix (before the episode gain)."""
    return Measured.of(source.float_blocks(span.start, span.end), source.score.rate)


def _levelled_run(pieces: Pieces, k: int) -> Measured:
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
    loudness = loudness_of(LoudnessMeter.joined(rate, (m.steps for m in parts)))
    loudness += 10 * math.log10(channels)  # the same signal on every channel
    peak = max((m.peak for m in parts), default=0.0)
    return loudness, 20 * math.log10(peak) if peak > 0 else -math.inf


@dataclass(frozen=True)
class Pieces:
    """The levelled mix cut into runs, each named, and the store that keeps their measurements."""

    source: MixSource
    spans: Sequence[Span]
    keys: Sequence[str]
    voices: Sequence[Mapping[VoiceKey, VoiceRun]]
    store: RunStore | None
    workers: int
    frames: RunFrames | None = None
    """Encodes each final run as it is rendered, if given."""
    parts: Sequence[Sequence[tuple[Span, str]]] = ()
    """Each run's parts, each named at its voices' gains (``runs.parts``): what the encoder
    keeps apart. Empty: each run is one part, named by ``keys``."""

    def parts_of(self, k: int) -> Sequence[tuple[Span, str]]:
        """Return run ``k``'s parts, each with its levelled key."""
        return self.parts[k] if self.parts else [(self.spans[k], self.keys[k])]

    def each(self, make: Callable[[int], _T]) -> list[_T]:
        """Return ``make(k)`` for every run ``k``, in order, run side by side on the workers.

        The longest runs start first: the work left when a thread runs out of runs is a short
        run's (its render, and the encoding of it that ``frames`` does after it).
        """
        longest = sorted(
            range(len(self.spans)), key=lambda k: self.spans[k].start - self.spans[k].end
        )
        return side_by_side(make, len(self.spans), self.workers, longest)


def side_by_side(
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


def meet_target(
    pieces: Pieces, settings: MixSettings, levels: tuple[VoiceLevel, ...]
) -> tuple[RunSource, MixReport, tuple[Run, ...]]:
    """Choose the episode gain and limiter (pass 2), then render and measure the output (pass 3).

    Returns:
        The output, its report, and its parts as the encoder takes them (``Timeline.runs``).
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
    return final.output, report, final.parts


def _curve(
    pieces: Pieces, measured: Sequence[Measured], settings: MixSettings
) -> tuple[float, ...]:
    """Draw the timeline picture's loudness curve from the final runs' steps: nothing rendered."""
    runs = [(span.start, m.steps) for span, m in zip(pieces.spans, measured, strict=True)]
    return short_term_of_runs(runs, pieces.source.length, settings.rate, settings.channels)


class _Final(NamedTuple):
    """The output at one episode gain: kept for the encoder, each run measured and named."""

    output: RunSource
    measured: list[Measured]
    parts: tuple[Run, ...]
    """The output's parts, named by their final audio: what the encoder keeps apart."""


def _render(
    pieces: Pieces, gain_db: float, limiter: Limiter | None, settings: MixSettings
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
    parts = [
        [Run(p.start, p.end, p.quiet, runs.final_key(key, gain_db, tag)) for p, key in own]
        for own in (pieces.parts_of(k) for k in range(len(pieces.spans)))
    ]
    firsts = list(itertools.accumulate((len(own) for own in parts), initial=0))
    final = Timeline(
        output,
        source.length,
        settings.rate,
        settings.channels,
        (),
        (),
        tuple(part for own in parts for part in own),
    )

    def run(k: int) -> Measured:
        rendered: list[int] = []

        def make() -> Measured:
            rendered.append(k)
            return output.render(k)

        measured = cached(pieces.store, "final", keys[k], make, _measured_io)
        if pieces.frames is not None and rendered:
            # Encoded beside the runs still to render, part by part. A run measured by an
            # earlier build is not: that build kept its frames too, and the encode stage reads
            # them once. Parts whose frames are kept are taken, not encoded again.
            for index in range(firsts[k], firsts[k + 1]):
                pieces.frames.start(final, index)
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
    return _Final(output, measured, final.runs)
