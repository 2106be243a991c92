"""The timeline picture published beside an episode: ``<stem>.timeline.svg``.

An editor checking an episode before it goes out sees, on one time axis, the chapters as titled
bands, every cue as a bar coloured by the voice that speaks it (its language and any voice of its
own, named in a legend), the pauses as the gaps between bars, and the short-term loudness (3 s
windows, ITU-R BS.1770) against the loudness the mix aimed for, dashed.

The scale is fixed by the picture's width: time ``t`` seconds is at ``x = origin + t * px``, where
the root element says ``data-origin-x`` and ``data-px-per-second``, so a reader (or a test) can
check any bar against the chapters JSON and the WebVTT transcript. Every time written is
``polycast.times.to_ms`` of the cue's samples, the very times the transcripts carry. Each cue bar
and chapter band carries its times (``data-start``, ``data-end``, seconds) and a cue its kind
(``data-kind``), so ``publish`` can find an episode's pull quote here.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from html import escape
from typing import TYPE_CHECKING

from polycast.companions import DEFAULT_NARRATOR, one_line, transcript_cues
from polycast.models import EpisodeInfo, Timeline
from polycast.times import clock, to_ms

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from polycast.mix.loudness import Steps
    from polycast.mix.report import MixReport

    FloatArray = npt.NDArray[np.float64]
    IntArray = npt.NDArray[np.int64]

WIDTH = 1200
"""Width of the picture in pixels, whatever the episode's length."""
ORIGIN_X = 40
"""Where time zero lies."""
_RIGHT = 20
_AXIS_Y, _BAND_Y, _BAND_H, _CUE_Y, _CUE_H = 28, 40, 36, 86, 26
_CURVE_Y, _CURVE_H = 128, 120
_LEGEND_Y = _CURVE_Y + _CURVE_H + 30
_SPAN_LU = (24.0, 6.0)
"""The loudness panel shows from 24 LU under the target to 6 LU over it."""
WINDOW_STEPS = 30
"""Short-term loudness: 30 steps of 100 ms (3 s), as EBU R 128 defines it."""
HOP_STEPS = 5
"""One curve point every 500 ms: an hour is 7200 points."""
SILENCE = -70.0
"""The level written for silence: the absolute gate of ITU-R BS.1770."""
_TICKS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200)
_PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2")


@dataclass(frozen=True)
class _Bar:
    start: float
    end: float
    voice: str
    kind: str
    label: str


def px_per_second(seconds: float) -> float:
    """Return the scale that fits ``seconds`` into the picture's plot width.

    >>> px_per_second(114.0)
    10.0
    """
    return (WIDTH - ORIGIN_X - _RIGHT) / max(seconds, 1.0)


def _voice(lang: str, voice: str | None) -> str:
    """Name a cue's voice: its language, and the voice of its own where it has one."""
    return f"{lang} · {voice}" if voice else lang


def _bars(timeline: Timeline) -> Iterator[_Bar]:
    """Yield the cues the transcripts hold (text, at least a millisecond), in time order."""
    for timed, start, end, name, text in transcript_cues(timeline, DEFAULT_NARRATOR):
        voice = _voice(timed.cue.lang, timed.cue.voice)
        kind = timed.cue.kind.value
        yield _Bar(start / 1000, end / 1000, voice, kind, f"{name} ({voice}): {text}")


def short_term_loudness(timeline: Timeline) -> tuple[float, ...]:
    """Measure the loudness (LUFS) of the 3 s window ending every 500 ms, streaming the audio.

    Point ``k`` is the window ending at ``3 + k / 2`` seconds. The audio is read once, block by
    block; the meter keeps one number per 100 ms, so an hour costs 36 000 numbers, not its
    samples. Silence is written as -70 LUFS (the absolute gate), to the hundredth.
    """
    import numpy as np  # noqa: PLC0415 (numpy only when a picture is drawn)

    from polycast.mix.loudness import LoudnessMeter  # noqa: PLC0415 (same)

    meter = LoudnessMeter(timeline.rate, timeline.channels)
    for block in timeline.blocks():
        meter.add(block)
    steps = meter.steps()
    sums = np.frombuffer(steps.sums, dtype=np.float64)
    counts = np.frombuffer(steps.counts, dtype=np.int64).astype(np.float64)
    return _windows(sums, counts)


def short_term_of_runs(
    runs: Sequence[tuple[int, Steps]], length: int, rate: int, channels: int = 1
) -> tuple[float, ...]:
    """Return ``short_term_loudness`` of an episode from its runs' 100 ms steps, not its audio.

    The mix measures each run of its final output apart, its steps counted from the run's own
    start; here each step's energy is laid on the episode's 100 ms grid, shared between the two
    grid steps it straddles in proportion to its samples in each (runs meet in silence, so
    nothing is lost at a seam). A window differs from one measured on the audio only by how the
    energy of its two edge steps is spread: 0.04 LU on average over the example, up to 0.2 LU
    where the level jumps (under a pixel of the picture's loudness panel).

    Args:
        runs: each run's first sample and its mono steps (``LoudnessMeter.steps``), in order.
        length: the episode's length in samples.
        rate: its sample rate.
        channels: its channels, each carrying the mono mix (the energy is that many times).
    """
    import numpy as np  # noqa: PLC0415 (numpy only when a picture is drawn)

    grid = np.arange(length // (rate // 10) + 3) * rate // 10
    grid = grid[grid <= length]
    energy = np.zeros(max(0, len(grid) - 1))
    for start, steps in runs:
        sums = np.frombuffer(steps.sums, dtype=np.float64)
        counts = np.frombuffer(steps.counts, dtype=np.int64)
        edges = start + np.concatenate([[0], np.cumsum(counts)])
        _spread(energy, grid, edges, sums * channels)
    return _windows(energy, np.diff(grid).astype(np.float64))


def _spread(energy: FloatArray, grid: IntArray, edges: IntArray, sums: FloatArray) -> None:
    """Add each ``[edges[i], edges[i+1])`` step's energy to the grid steps it overlaps, pro rata."""
    import numpy as np  # noqa: PLC0415 (numpy only when a picture is drawn)

    inside = edges[:-1] < grid[-1]  # a step starting past the last whole grid step is not drawn
    starts, ends, sums = edges[:-1][inside], edges[1:][inside], sums[inside]
    first = np.searchsorted(grid, starts, side="right") - 1
    split = np.minimum(grid[first + 1], ends)  # where a step leaves its first grid step
    share = (split - starts) / (ends - starts)
    np.add.at(energy, first, sums * share)
    later = first + 1 < len(energy)
    np.add.at(energy, first[later] + 1, (sums * (1 - share))[later])


def _windows(sums: FloatArray, counts: FloatArray) -> tuple[float, ...]:
    """Return the loudness of every ``WINDOW_STEPS`` window of 100 ms steps, ``HOP_STEPS`` apart."""
    import numpy as np  # noqa: PLC0415 (numpy only when a picture is drawn)

    from polycast.mix.loudness import OFFSET  # noqa: PLC0415 (same)

    if len(sums) < WINDOW_STEPS:
        return ()
    kernel = np.ones(WINDOW_STEPS)
    energy = np.convolve(sums, kernel, "valid") / np.convolve(counts, kernel, "valid")
    with np.errstate(divide="ignore"):
        lufs = OFFSET + 10 * np.log10(energy[::HOP_STEPS])
    return tuple(round(max(SILENCE, float(v)), 2) for v in lufs)


def with_loudness(timeline: Timeline, report: MixReport) -> MixReport:
    """Return ``report`` with the short-term loudness curve, measured unless it holds one.

    A kept episode's report holds the curve measured when it was mixed, so its audio is not
    decoded to draw it again, and the picture a rebuild draws is the very same.
    """
    if report.short_term:
        return report
    return replace(report, short_term=short_term_loudness(timeline))


def _num(value: float, places: int = 2) -> str:
    """Format a coordinate to 0.01 px (or a time to the ms), without trailing zeros.

    >>> _num(3723.004, 3), _num(12.5), _num(0.0)
    ('3723.004', '12.5', '0')
    """
    return f"{value:.{places}f}".rstrip("0").rstrip(".")


def _axis(seconds: float, scale: float) -> Iterator[str]:
    """Draw the time axis: a line, and ticks labelled ``MM:SS`` at least 70 px apart."""
    step = next((t for t in _TICKS if t * scale >= 70), _TICKS[-1])
    end = ORIGIN_X + seconds * scale
    yield (
        f'<g class="axis" stroke="#333"><line x1="{ORIGIN_X}" y1="{_AXIS_Y}"'
        f' x2="{_num(end)}" y2="{_AXIS_Y}"/>'
    )
    for tick in range(0, int(seconds) + 1, step):
        x = _num(ORIGIN_X + tick * scale)
        yield (
            f'<line class="tick" data-seconds="{tick}" x1="{x}" y1="{_AXIS_Y - 5}" x2="{x}"'
            f' y2="{_AXIS_Y}"/><text x="{x}" y="{_AXIS_Y - 9}" stroke="none"'
            f' text-anchor="middle">{clock(tick * 1000)}</text>'
        )
    yield "</g>"


def _chapters(timeline: Timeline, scale: float) -> Iterator[str]:
    """Draw each chapter as a band from its start to its end, titled (cut to fit) inside."""
    yield '<g class="chapters">'
    ordered = sorted(timeline.chapters, key=lambda c: c.start)
    for number, chapter in enumerate(ordered):
        start = to_ms(chapter.start, timeline.rate) / 1000
        end = to_ms(chapter.end, timeline.rate) / 1000
        x, width = ORIGIN_X + start * scale, (end - start) * scale
        title = one_line(chapter.title)
        room = max(0, int((width - 6) / 7))
        shown = title if len(title) <= room else title[: max(0, room - 1)] + "…" if room else ""
        fill = "#e8eef6" if number % 2 == 0 else "#d3deec"
        yield (
            f'<g><title>{escape(title)}</title><rect class="chapter" data-start="{_num(start, 3)}"'
            f' data-end="{_num(end, 3)}" x="{_num(x)}" y="{_BAND_Y}" width="{_num(width)}"'
            f' height="{_BAND_H}" fill="{fill}"/><text x="{_num(x + 3)}"'
            f' y="{_BAND_Y + 22}">{escape(shown)}</text></g>'
        )
    yield "</g>"


def _cues(bars: list[_Bar], colours: dict[str, str], scale: float) -> Iterator[str]:
    """Draw each cue as a bar in its voice's colour; the gaps between bars are the pauses."""
    yield '<g class="cues">'
    for bar in bars:
        yield (
            f'<rect class="cue" data-start="{_num(bar.start, 3)}" data-end="{_num(bar.end, 3)}"'
            f' data-kind="{bar.kind}" data-voice="{escape(bar.voice)}"'
            f' x="{_num(ORIGIN_X + bar.start * scale)}" y="{_CUE_Y}"'
            f' width="{_num((bar.end - bar.start) * scale)}" height="{_CUE_H}"'
            f' fill="{colours[bar.voice]}"><title>{escape(bar.label)}</title></rect>'
        )
    yield "</g>"


def _curve(levels: Sequence[float], target: float, scale: float) -> Iterator[str]:
    """Draw the short-term loudness against the target (dashed), clipped to the panel."""
    low, high = target - _SPAN_LU[0], target + _SPAN_LU[1]

    def y(lufs: float) -> str:
        level = min(high, max(low, lufs))
        return _num(_CURVE_Y + _CURVE_H * (high - level) / (high - low))

    right = WIDTH - _RIGHT
    yield (
        f'<g class="loudness-panel"><rect x="{ORIGIN_X}" y="{_CURVE_Y}"'
        f' width="{right - ORIGIN_X}" height="{_CURVE_H}" fill="none" stroke="#bbb"/>'
        f'<text x="{ORIGIN_X + 4}" y="{_CURVE_Y + 14}">short-term loudness (3 s), LUFS</text>'
        f'<text x="{ORIGIN_X - 4}" y="{_CURVE_Y + 10}" text-anchor="end">{high:g}</text>'
        f'<text x="{ORIGIN_X - 4}" y="{_CURVE_Y + _CURVE_H}" text-anchor="end">{low:g}</text>'
        f'<line class="target" data-lufs="{target:g}" x1="{ORIGIN_X}" y1="{y(target)}"'
        f' x2="{right}" y2="{y(target)}" stroke="#555" stroke-dasharray="6 4"/>'
        f'<text x="{right - 4}" y="{_num(float(y(target)) - 4)}"'
        f' text-anchor="end">target {target:g} LUFS</text>'
    )
    coords = " ".join(
        f"{_num(ORIGIN_X + (WINDOW_STEPS + HOP_STEPS * k) / 10 * scale)},{y(level)}"
        for k, level in enumerate(levels)
    )
    yield f'<polyline class="loudness" points="{coords}" fill="none" stroke="#c2185b"/></g>'


def _legend(colours: dict[str, str]) -> Iterator[str]:
    """Name every voice's colour."""
    yield '<g class="legend">'
    for number, (voice, colour) in enumerate(colours.items()):
        x, y = ORIGIN_X + (number % 6) * 180, _LEGEND_Y + (number // 6) * 22
        yield (
            f'<g class="voice" data-voice="{escape(voice)}"><rect x="{x}" y="{y - 11}"'
            f' width="14" height="14" fill="{colour}"/>'
            f'<text x="{x + 20}" y="{y}">{escape(voice)}</text></g>'
        )
    yield "</g>"


def timeline_svg(
    timeline: Timeline, info: EpisodeInfo, target: float, loudness: Sequence[float]
) -> str:
    """Return the episode's timeline picture as a standalone SVG document.

    Args:
        timeline: the mixed episode.
        info: its title (the picture's title) and language.
        target: the integrated loudness the mix aimed for, LUFS (the dashed line).
        loudness: the short-term loudness curve (``short_term_loudness``; empty: none drawn).

    Returns:
        The SVG text, ending in a newline.
    """
    scale = px_per_second(timeline.seconds)
    bars = list(_bars(timeline))
    voices = dict.fromkeys(bar.voice for bar in bars)
    colours = {v: _PALETTE[n % len(_PALETTE)] for n, v in enumerate(voices)}
    height = _LEGEND_Y + 22 * max(1, math.ceil(len(colours) / 6))
    lang = escape(info.language or "")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}"'
        f' viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="title" xml:lang="{lang}"'
        f' data-px-per-second="{scale!r}" data-origin-x="{ORIGIN_X}"'
        f' data-seconds="{timeline.seconds!r}" font-family="sans-serif" font-size="12">',
        f'<title id="title">{escape(info.title)}: timeline</title>',
        f'<rect width="{WIDTH}" height="{height}" fill="#fff"/>',
        *_axis(timeline.seconds, scale),
        *_chapters(timeline, scale),
        *_cues(bars, colours, scale),
        *_curve(loudness, target, scale),
        *_legend(colours),
        "</svg>",
    ]
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + "\n".join(parts) + "\n"
