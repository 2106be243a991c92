"""Does the episode file sound like a podcast? Built for real (espeak, LAME), then decoded.

Every check here measures the decoded MP3, not the mix stage's own report: loudness and true
peak with independent meters, pauses as silences in the audio at the times the WebVTT transcript
gives, the spoken intro and outro, the stings, and the Dutch and English voices at one level.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pytest
import soundfile
import soxr

from polycast import pipeline
from polycast.config import Config
from polycast.encode.mp3 import decode_mp3
from polycast.encode.tag import read_chapters
from polycast.frame import INTRO_PAUSE_MS, OUTRO_PAUSE_MS, add_frame
from polycast.mix import MixSettings
from polycast.mix.runs import PART_PAUSE_MS
from polycast.models import Cue
from polycast.plan.settings import Pauses
from sound_checks import (
    FloatArray,
    Span,
    as_float,
    correlation,
    cut,
    loudness,
    rms_db,
    silences,
    true_peak,
    vtt_spans,
)

ROOT = Path(__file__).parent.parent
SHORT = Path(__file__).parent / "data" / "cli" / "short-nl.txt"
STING = ROOT / "audio" / "sting.flac"
SHOW = "Testshow"
EDGE = 0.030  # seconds: how far a measured silence edge may lie from the transcript's time


@dataclass(frozen=True)
class Built:
    """A built episode, decoded, with what the plan and the transcript say about it."""

    path: Path
    audio: FloatArray
    rate: int
    channels: int
    cues: list[Cue]
    spans: list[Span]
    sting: bool


def _build(out: Path, cache: Path, mix: MixSettings) -> Built:
    config = Config(mix=mix, show_name=SHOW)
    config = replace(config, speak=replace(config.speak, engine="espeak", cache=cache))
    result = pipeline.build(SHORT, config, out)
    samples, rate, channels = decode_mp3(result.mp3.read_bytes())
    rundown, _ = pipeline.load_rundown(SHORT, config)
    rundown = add_frame(rundown, SHOW, config.mix)
    cues = [cue for chapter in rundown.chapters for cue in chapter.cues]
    spans = vtt_spans(result.mp3.with_suffix(".vtt"))
    return Built(
        result.mp3,
        as_float(samples, channels),
        rate,
        channels,
        cues,
        spans,
        mix.sting is not None,
    )


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="module")
def mono(tmp_path_factory: pytest.TempPathFactory, cache: Path) -> Built:
    """The defaults (mono, 44.1 kHz, -19 LUFS, 64 kb/s) with a show name and stings."""
    return _build(tmp_path_factory.mktemp("mono"), cache, MixSettings(sting=STING))


@pytest.fixture(scope="module")
def stereo(tmp_path_factory: pytest.TempPathFactory, cache: Path) -> Built:
    """Stereo at 48 kHz (-16 LUFS), a show name, no stings."""
    return _build(tmp_path_factory.mktemp("stereo"), cache, MixSettings(channels=2, rate=48000))


@pytest.fixture(params=["mono", "stereo"])
def built(request: pytest.FixtureRequest) -> Built:
    result: Built = request.getfixturevalue(request.param)
    return result


def test_formats_are_what_was_asked(mono: Built, stereo: Built) -> None:
    assert (mono.rate, mono.channels) == (44100, 1)
    assert (stereo.rate, stereo.channels) == (48000, 2)
    assert np.array_equal(stereo.audio[:, 0], stereo.audio[:, 1])  # the mono mix on both sides


def test_loudness_of_the_file_is_on_target(mono: Built, stereo: Built) -> None:
    assert loudness(mono.audio, mono.rate) == pytest.approx(-19.0, abs=1.0)
    assert loudness(stereo.audio, stereo.rate) == pytest.approx(-16.0, abs=1.0)


def test_true_peak_of_the_file_is_under_the_ceiling(built: Built) -> None:
    assert true_peak(built.audio) <= -1.0


def test_the_plan_gives_each_break_its_pause(mono: Built) -> None:
    pauses = Pauses()
    # intro | 2 sentences | attribution and post | heading, paragraph | outro
    assert [cue.pause_ms for cue in mono.cues] == [
        INTRO_PAUSE_MS,
        pauses.sentence,
        pauses.post,
        pauses.attribution,
        pauses.post,
        pauses.heading,
        pauses.chapter,
        OUTRO_PAUSE_MS,
    ]
    assert len(mono.spans) == len(mono.cues)


def test_pauses_are_silences_where_the_transcript_says(built: Built) -> None:
    found = silences(built.audio, built.rate)
    gaps = [Span(a.end, b.start) for a, b in itertools.pairwise(built.spans)]
    if built.sting:  # the outro's pause ends where the outro sting begins
        gaps.append(Span(built.spans[-1].end, len(built.audio) / built.rate - _sting_seconds()))
    for gap, cue in zip(gaps, built.cues, strict=False):
        # A pause that may start a run or a part of one ends on the next MP3 frame boundary: up
        # to 1152 samples more.
        grid = 1152 / built.rate if cue.pause_ms >= PART_PAUSE_MS else 0.0
        assert cue.pause_ms / 1000 - 0.002 <= gap.seconds <= cue.pause_ms / 1000 + grid + 0.002
        heard = [s for s in found if s.start < (gap.start + gap.end) / 2 < s.end]
        assert len(heard) == 1, f"no silence heard at {gap} after {cue.text!r}"
        assert heard[0].start == pytest.approx(gap.start, abs=EDGE)
        assert heard[0].end == pytest.approx(gap.end, abs=EDGE)
        assert heard[0].seconds == pytest.approx(gap.seconds, abs=2 * EDGE)
    if not built.sting:  # the outro's pause runs to the end of the file
        end = len(built.audio) / built.rate
        assert end - built.spans[-1].end == pytest.approx(OUTRO_PAUSE_MS / 1000, abs=0.002)
        assert found[-1].start == pytest.approx(built.spans[-1].end, abs=EDGE)
        assert found[-1].end == pytest.approx(end, abs=0.005)


def test_no_silence_breaks_a_sentence(built: Built) -> None:
    found = silences(built.audio, built.rate)
    for cue, span in zip(built.cues, built.spans, strict=True):
        if re.search(r"[.!?]\s", cue.text):
            continue  # the engine pauses between the sentences of one cue, as a reader does
        inside = [s for s in found if span.start + EDGE < s.start and s.end < span.end - EDGE]
        assert not inside, f"silence {inside} inside {cue.text!r}"


def _sting_seconds() -> float:
    return float(soundfile.info(str(STING)).duration)


def test_the_intro_is_spoken_first_and_the_outro_last(built: Built) -> None:
    chapters = read_chapters(built.path)
    assert (chapters[0].title, chapters[0].start_ms) == (SHOW, 0)
    assert chapters[-1].title == "Afsluiting"
    lead = _sting_seconds() if built.sting else 0.0
    intro, outro = built.spans[0], built.spans[-1]
    assert intro.start == pytest.approx(lead, abs=EDGE)  # speech within the first seconds
    assert intro.end * 1000 <= chapters[1].start_ms
    assert rms_db(cut(built.audio, built.rate, intro)) > -35
    first = Span(0, chapters[0].end_ms / 1000)
    windows = [Span(t, t + 0.5) for t in np.arange(first.start, intro.end - 0.5, 0.25)]
    assert all(rms_db(cut(built.audio, built.rate, w)) > -45 for w in windows), "a hole"
    assert outro.start * 1000 >= chapters[-1].start_ms
    assert rms_db(cut(built.audio, built.rate, outro)) > -35
    end = len(built.audio) / built.rate
    assert end - outro.end == pytest.approx(OUTRO_PAUSE_MS / 1000 + lead, abs=0.002)
    assert chapters[-1].end_ms == pytest.approx(end * 1000, abs=1)


def _sting_at(rate: int) -> FloatArray:
    data, sting_rate = soundfile.read(str(STING), dtype="float64")
    if sting_rate != rate:
        data = soxr.resample(data, sting_rate, rate)
    return np.asarray(data, dtype=np.float64)


def test_stings_open_and_close_the_episode_when_configured(mono: Built, stereo: Built) -> None:
    sting = _sting_at(mono.rate)
    head = mono.audio[: len(sting), 0]
    tail = mono.audio[-len(sting) :, 0]
    assert correlation(head, sting) > 0.95
    assert correlation(tail, sting) > 0.95
    sting = _sting_at(stereo.rate)
    assert abs(correlation(stereo.audio[: len(sting), 0], sting)) < 0.2  # none configured


def test_dutch_and_english_voices_are_equally_loud(built: Built) -> None:
    by_language: dict[str, list[FloatArray]] = {}
    for cue, span in zip(built.cues, built.spans, strict=True):
        by_language.setdefault(cue.lang, []).append(cut(built.audio, built.rate, span))
    assert sorted(by_language) == ["en", "nl"]
    nl = loudness(np.concatenate(by_language["nl"]), built.rate)
    en = loudness(np.concatenate(by_language["en"]), built.rate)
    assert nl == pytest.approx(en, abs=1.0)
