"""The timeline picture: it parses as SVG, and its bars lie where the chapters and transcript say.

Positions are checked at the scale the picture declares (``data-px-per-second``, from
``data-origin-x``), to within 1 px, against the chapters JSON and the WebVTT times of a real
built episode, and the loudness curve against an independent meter (pyloudnorm).
"""

from __future__ import annotations

import doctest
import itertools
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from polycast import timeline_svg
from polycast.cli import app
from polycast.mix.loudness import LoudnessMeter
from polycast.models import EpisodeInfo
from publish_fixtures import CHAPTERS, CUES, RATE, MemorySource, timeline, tone

SVG = "{http://www.w3.org/2000/svg}"
DATA = Path(__file__).parent / "data"
ARTICLES = [DATA / "cli" / "short-nl.txt", DATA / "articles" / "en-german-quote.md"]
_STAMP = r"(\d+):(\d{2}):(\d{2})\.(\d{3})"
_TIMING = re.compile(rf"^{_STAMP} --> {_STAMP}$", re.MULTILINE)


def vtt_times(text: str) -> list[tuple[float, float]]:
    """Every cue's start and end, read from the timing lines alone."""
    times = []
    for match in _TIMING.finditer(text):
        h1, m1, s1, ms1, h2, m2, s2, ms2 = (int(g) for g in match.groups())
        start = h1 * 3600 + m1 * 60 + s1 + ms1 / 1000
        times.append((start, h2 * 3600 + m2 * 60 + s2 + ms2 / 1000))
    return times


def scale_of(root: ET.Element) -> tuple[float, float]:
    return float(root.attrib["data-origin-x"]), float(root.attrib["data-px-per-second"])


def rects(root: ET.Element, kind: str) -> list[ET.Element]:
    return [r for r in root.iter(f"{SVG}rect") if r.get("class") == kind]


def assert_spans(bars: list[ET.Element], spans: list[tuple[float, float]], root: ET.Element):
    origin, px = scale_of(root)
    assert len(bars) == len(spans)
    for bar, (start, end) in zip(bars, spans, strict=True):
        x, width = float(bar.attrib["x"]), float(bar.attrib["width"])
        assert abs(x - (origin + start * px)) <= 1, (bar.attrib, start)
        assert abs(x + width - (origin + end * px)) <= 1, (bar.attrib, end)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Build the short Dutch article and the English one with a German quote, once."""
    out = tmp_path_factory.mktemp("out")
    cache = tmp_path_factory.mktemp("cache")
    mp3s = []
    for article in ARTICLES:
        args = ["build", str(article), "-o", str(out), "--cache-dir", str(cache)]
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, result.output
        mp3s.append(out / f"{article.stem}.mp3")
    return mp3s


def test_doctests() -> None:
    assert doctest.testmod(timeline_svg).failed == 0


@pytest.mark.parametrize("index", [0, 1])
def test_bars_and_bands_match_the_chapters_and_the_transcript(built: list[Path], index: int):
    mp3 = built[index]
    root = ET.fromstring(mp3.with_suffix(".timeline.svg").read_bytes())
    assert root.tag == f"{SVG}svg"
    chapters = json.loads(mp3.with_suffix(".chapters.json").read_text())["chapters"]
    bands = rects(root, "chapter")
    assert_spans(bands, [(c["startTime"], c["endTime"]) for c in chapters], root)
    titles = [g.findtext(f"{SVG}title") for g in root.iter(f"{SVG}g") if g.find(f"{SVG}rect")
              is not None and g.find(f"{SVG}rect").get("class") == "chapter"]  # fmt: skip
    assert titles == [c["title"] for c in chapters]
    spans = vtt_times(mp3.with_suffix(".vtt").read_text())
    assert len(spans) > 3
    assert_spans(rects(root, "cue"), spans, root)
    origin, px = scale_of(root)
    assert origin + float(root.attrib["data-seconds"]) * px <= float(root.attrib["width"])


def test_every_voice_has_a_colour_in_the_legend(built: list[Path]) -> None:
    root = ET.fromstring(built[1].with_suffix(".timeline.svg").read_bytes())
    legend = {
        g.get("data-voice"): g.find(f"{SVG}rect").get("fill")  # type: ignore[union-attr]
        for g in root.iter(f"{SVG}g")
        if g.get("class") == "voice"
    }
    assert {"en", "de", "fr"} <= set(legend)  # the article's languages
    assert len(set(legend.values())) == len(legend)
    for bar in rects(root, "cue"):
        assert bar.get("fill") == legend[bar.get("data-voice")]
    kinds = [bar.get("data-kind") for bar in rects(root, "cue")]
    assert "quote" in kinds and "post" in kinds


def test_pauses_are_gaps_between_bars(built: list[Path]) -> None:
    root = ET.fromstring(built[0].with_suffix(".timeline.svg").read_bytes())
    bars = rects(root, "cue")
    gaps = [
        float(b.attrib["x"]) - (float(a.attrib["x"]) + float(a.attrib["width"]))
        for a, b in itertools.pairwise(bars)
    ]
    assert min(gaps) >= 0  # bars never overlap
    assert sum(g >= 1 for g in gaps) == len(gaps)  # every pause shows


def test_the_loudness_curve_and_its_target(built: list[Path]) -> None:
    root = ET.fromstring(built[0].with_suffix(".timeline.svg").read_bytes())
    target = next(e for e in root.iter(f"{SVG}line") if e.get("class") == "target")
    assert target.get("stroke-dasharray")
    assert float(target.attrib["data-lufs"]) == -19.0
    curve = next(e for e in root.iter(f"{SVG}polyline") if e.get("class") == "loudness")
    points = [tuple(map(float, p.split(","))) for p in curve.attrib["points"].split()]
    assert len(points) > 5
    origin, px = scale_of(root)
    xs = [x for x, _ in points]
    assert xs == sorted(xs) and xs[0] >= origin
    assert xs[-1] <= origin + float(root.attrib["data-seconds"]) * px + 1
    # the speech is levelled to the target: most 3 s windows lie within 6 LU of its line
    near = [y for _, y in points if abs(y - float(target.attrib["y1"])) < 6 * 120 / 30]
    assert len(near) > len(points) / 2


def test_short_term_loudness_agrees_with_pyloudnorm() -> None:
    rate = 44100
    pcm = np.concatenate([tone(6.0, rate), (tone(6.0, rate) // 4).astype(np.int16)])
    line = timeline([], [(0, len(pcm), "x", None)], rate)
    line = type(line)(MemorySource(pcm), len(pcm), rate, 1, (), line.chapters)
    levels = timeline_svg.short_term_loudness(line)
    curve = {(30 + 5 * k) / 10: level for k, level in enumerate(levels)}
    import pyloudnorm  # here, not above: with scipy.signal it is a second of every collection

    meter = pyloudnorm.Meter(rate)
    for end in (4.0, 6.0, 10.0, 12.0):
        window = pcm[int((end - 3) * rate) : int(end * rate)] / 32768.0
        expected = meter.integrated_loudness(window)
        assert abs(curve[end] - expected) < 0.2, (end, curve[end], expected)
    assert len(levels) == 19  # every 500 ms from 3 s to 12 s


def test_silence_is_drawn_at_the_gate_and_stereo_measures_both_channels() -> None:
    rate = 44100
    mono = np.concatenate([np.zeros(4 * rate, np.int16), tone(4.0, rate)])
    stereo = np.repeat(mono, 2)
    chapters = [(0, len(mono), "x", None)]
    one = timeline([], chapters, rate)
    levels = timeline_svg.short_term_loudness(
        type(one)(MemorySource(mono), len(mono), rate, 1, (), one.chapters)
    )
    assert levels[0] == timeline_svg.SILENCE  # 0 to 3 s: nothing
    both = timeline_svg.short_term_loudness(
        type(one)(MemorySource(stereo, 2), len(mono), rate, 2, (), one.chapters)
    )
    assert both[0] == timeline_svg.SILENCE
    assert both[-1] == pytest.approx(levels[-1] + 3.01, abs=0.02)  # two channels, +3 dB


def test_titles_and_voices_are_escaped_and_times_exact() -> None:
    cues = [(*c[:2], "<b>&", c[3]) for c in CUES]
    chapters = [(s, e, "Tom & <Jerry>", u) for s, e, _, u in CHAPTERS]
    info = EpisodeInfo(title="<script>x</script>", language="nl")
    text = timeline_svg.timeline_svg(timeline(cues, chapters, RATE), info, -19.0, [])
    root = ET.fromstring(text)
    assert root.findtext(f"{SVG}title") == "<script>x</script>: timeline"
    assert [r.get("data-start") for r in rects(root, "chapter")] == ["0", "0.7", "1.2"]
    assert not list(root.iter(f"{SVG}script"))


@pytest.mark.parametrize("channels", [1, 2])
def test_the_curve_from_runs_steps_agrees_with_the_curve_measured_on_the_audio(
    channels: int,
) -> None:
    """The mix draws the curve from its runs' 100 ms steps; here the runs start off that grid."""
    rate = 44100
    quiet = np.zeros(rate // 2 + 3 * 1152, np.int16)
    sounds = [tone(5.0, rate), (tone(7.0, rate) // 5).astype(np.int16), tone(4.0, rate)]
    runs, pieces, at = [], [], 0
    for sound in sounds:
        run = np.concatenate([sound, quiet])
        meter = LoudnessMeter(rate)
        meter.add(run)
        runs.append((at, meter.steps()))
        pieces.append(run)
        at += len(run)
    assert runs[1][0] % (rate // 10)  # off the grid
    mono = np.concatenate(pieces)
    one = timeline([], [(0, len(mono), "x", None)], rate)
    source = MemorySource(np.repeat(mono, channels), channels)
    measured = timeline_svg.short_term_loudness(
        type(one)(source, len(mono), rate, channels, (), one.chapters)
    )
    drawn = timeline_svg.short_term_of_runs(runs, len(mono), rate, channels)
    assert len(drawn) == len(measured) > 20
    assert max(abs(a - b) for a, b in zip(drawn, measured, strict=True)) < 0.3
    assert min(drawn) < max(drawn) - 10  # the quiet run shows
