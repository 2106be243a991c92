"""The mix stage end to end: exact times and pauses, levelled voices, loudness, formats, errors."""

from __future__ import annotations

import gc
import itertools
import math
import weakref
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import soundfile

from polycast import timeline_svg
from polycast.errors import EngineError, InputError
from polycast.mix import MixSettings, integrated_loudness, mix
from polycast.mix.layout import pause_frames
from polycast.mix.runs import CUT_PAUSE_MS, PART_PAUSE_MS
from polycast.mix.truepeak import TruePeakMeter
from polycast.models import Chapter, Clip, Cue, Kind, Rundown
from speechlike import speech, to_clip

DATA = Path(__file__).parent / "data" / "mix"
KEEP_MS = MixSettings().trim_keep_ms


def _rundown(*chapters: list[Cue]) -> Rundown:
    return Rundown(
        tuple(Chapter(f"chapter {i}", tuple(cues)) for i, cues in enumerate(chapters)), "T", "nl"
    )


def _episode() -> tuple[Rundown, list[Clip]]:
    """Two voices at very different levels and rates, engine silence at both ends."""
    nl = [Cue(f"nl {i}", "nl", pause_ms=p) for i, p in enumerate([250, 600, 250])]
    en = [Cue(f"en {i}", "en", kind=Kind.POST, pause_ms=p) for i, p in enumerate([250, 900])]
    last = [Cue("nl end", "nl", pause_ms=1200)]
    clips = [
        to_clip(speech(2.0, 22050, level_db=-14, seed=i, pad_ms=(60, 150)), 22050) for i in range(3)
    ]
    clips += [
        to_clip(speech(2.5, 24000, level_db=-38, seed=9 + i, pitch=210, pad_ms=(230, 400)), 24000)
        for i in range(2)
    ]
    clips += [to_clip(speech(1.5, 22050, level_db=-14, seed=20, pad_ms=(60, 150)), 22050)]
    return _rundown(nl, en, last), clips


def _silences(pcm: np.ndarray, rate: int, min_ms: int = 100) -> list[tuple[int, int]]:
    """Runs of (near) digital silence of at least ``min_ms``."""
    quiet = np.abs(pcm.astype(np.int32)) <= 2
    edges = np.flatnonzero(np.diff(np.concatenate([[0], quiet.astype(np.int8), [0]])))
    runs = list(zip(edges[::2], edges[1::2], strict=True))
    return [(int(a), int(b)) for a, b in runs if b - a >= rate * min_ms // 1000]


@pytest.mark.parametrize(("rate", "channels"), [(44100, 1), (48000, 1), (44100, 2)])
def test_pauses_are_exact_and_chapters_tile_the_episode(rate: int, channels: int) -> None:
    rundown, clips = _episode()
    timeline, _ = mix(rundown, iter(clips), MixSettings(rate=rate, channels=channels))
    assert (timeline.rate, timeline.channels) == (rate, channels)
    cues = timeline.cues
    flat = [c for ch in rundown.chapters for c in ch.cues]
    assert [t.cue for t in cues] == flat
    assert cues[0].start == 0
    for before, after in itertools.pairwise(cues):
        planned = before.end + pause_frames(before.cue.pause_ms, rate)
        if before.cue.pause_ms < PART_PAUSE_MS:
            assert after.start == planned
        elif before.cue.pause_ms < CUT_PAUSE_MS:  # it may end a part: on the frame grid then
            assert after.start in (planned, -(-planned // 1152) * 1152)
        else:  # a long pause may start a run: it ends on the next MP3 frame boundary
            assert after.start == -(-planned // 1152) * 1152
            assert after.start - planned < 1152
    assert timeline.length == cues[-1].end + pause_frames(1200, rate)
    # Trimmed: each cue lasts its speech plus the kept margins, not the engine's silence.
    for timed, clip in zip(cues, clips, strict=True):
        padding = (0.06 + 0.15) if clip.rate == 22050 else (0.23 + 0.4)
        seconds = (timed.end - timed.start) / rate
        assert seconds == pytest.approx(clip.seconds - padding + 2 * KEEP_MS / 1000, abs=0.003)
    chapters = timeline.chapters
    assert chapters[0].start == 0 and chapters[-1].end == timeline.length
    assert all(a.end == b.start for a, b in itertools.pairwise(chapters))
    assert [c.start for c in chapters[1:]] == [cues[3].start, cues[5].start]
    # The pauses are silences in the audio, where the timeline says.
    pcm = timeline.pcm()
    assert len(pcm) == timeline.length * channels
    mono = pcm[::channels]
    if channels == 2:
        assert np.array_equal(pcm[0::2], pcm[1::2])
    found = _silences(mono, rate)
    assert len(found) == len(cues)
    slack = rate * (KEEP_MS + 4) // 1000
    starts = [c.start for c in cues[1:]] + [cues[-1].end + pause_frames(1200, rate)]
    for (a, b), before, end in zip(found, cues, starts, strict=True):
        assert before.end - slack <= a <= before.end
        assert end <= b <= end + slack or b == timeline.length


def test_voices_are_levelled_and_the_episode_meets_its_target() -> None:
    rundown, clips = _episode()
    timeline, report = mix(rundown, iter(clips), MixSettings())
    pcm = timeline.pcm()
    rate = timeline.rate
    by_voice: dict[str, list[np.ndarray]] = {"nl": [], "en": []}
    for timed in timeline.cues:
        by_voice[timed.cue.lang].append(pcm[timed.start : timed.end])
    nl = integrated_loudness(np.concatenate(by_voice["nl"]), rate)
    en = integrated_loudness(np.concatenate(by_voice["en"]), rate)
    assert abs(nl - en) < 1.0  # they went in 24 dB apart
    assert {v.voice for v in report.voices} == {"nl", "en"}
    # The report joins the runs' measurements: the 400 ms blocks across a cut (in silence) are
    # the only ones it does not see.
    assert report.loudness == pytest.approx(integrated_loudness(pcm, rate), abs=0.01)
    assert report.loudness == pytest.approx(-19.0, abs=0.2)
    import pyloudnorm  # here, not above: with scipy.signal it is a second of every collection

    reference = pyloudnorm.Meter(rate).integrated_loudness(pcm / 32768)
    assert reference == pytest.approx(-19.0, abs=1.0)
    peak = TruePeakMeter()
    peak.add(pcm)
    assert report.true_peak == pytest.approx(peak.peak_db(), abs=1e-9)
    assert report.true_peak <= -1.0
    assert not report.limited
    assert "LUFS" in report.summary()


def test_stereo_and_a_custom_target() -> None:
    rundown, clips = _episode()
    timeline, report = mix(rundown, iter(clips), MixSettings(channels=2))
    assert report.target == -16.0
    assert integrated_loudness(timeline.pcm(), 44100, channels=2) == pytest.approx(-16.0, abs=0.2)
    rundown, clips = _episode()
    _, report = mix(rundown, iter(clips), MixSettings(loudness=-23.0))
    assert report.loudness == pytest.approx(-23.0, abs=0.2)


@pytest.mark.parametrize("channels", [1, 2])
def test_the_report_holds_the_short_term_curve_of_its_output(channels: int) -> None:
    """The timeline picture's curve comes from the mix's own steps, not from decoding it again."""
    rundown, clips = _episode()
    timeline, report = mix(rundown, iter(clips), MixSettings(channels=channels))
    assert len(timeline.runs) > 1
    measured = timeline_svg.short_term_loudness(timeline)
    assert len(report.short_term) == len(measured) > 10
    assert max(abs(a - b) for a, b in zip(report.short_term, measured, strict=True)) < 0.3


def test_peaks_the_target_would_push_over_the_ceiling_are_limited() -> None:
    rate = 22050
    audio = speech(6.0, rate, level_db=-30, seed=4)
    for at in range(rate // 2, len(audio) - rate, rate):
        audio[at : at + 3] = [0.9, -0.9, 0.9]  # clicks 30 dB above the speech
    rundown = _rundown([Cue("a", "nl", pause_ms=300), Cue("b", "nl", pause_ms=300)])
    clips = [to_clip(audio, rate), to_clip(audio[::-1].copy(), rate)]
    timeline, report = mix(rundown, iter(clips), MixSettings())
    assert report.limited
    assert report.true_peak <= -1.0
    assert report.loudness == pytest.approx(-19.0, abs=1.0)
    # Any stretch rendered alone equals the same stretch of the whole, limiter and all.
    whole = timeline.pcm()
    start, stop = 70001, 150003
    part = np.concatenate(list(timeline.blocks(start, stop)))
    assert np.array_equal(part, whole[start:stop])


def test_blocks_render_any_stretch_the_same_as_the_whole() -> None:
    rundown, clips = _episode()
    timeline, _ = mix(rundown, iter(clips), MixSettings(channels=2))
    whole = timeline.pcm()
    for start, stop in [(0, 1), (12345, 99999), (timeline.length - 7, timeline.length)]:
        part = np.concatenate(list(timeline.blocks(start, stop)))
        assert np.array_equal(part, whole[2 * start : 2 * stop])
    with pytest.raises(ValueError, match="outside"):
        list(timeline.blocks(0, timeline.length + 1))


def test_clips_are_consumed_one_at_a_time() -> None:
    rundown, clips = _episode()
    alive: list[weakref.ref[Clip]] = []
    most = 0

    def lazily() -> Iterator[Clip]:
        nonlocal most
        while clips:
            gc.collect()
            most = max(most, sum(ref() is not None for ref in alive))
            clip = clips.pop(0)
            alive.append(weakref.ref(clip))
            yield clip
            del clip

    mix(rundown, lazily(), MixSettings())
    assert len(alive) == 6
    assert most <= 1  # only the clip being mixed is ever held


def _speech_span(clip: Clip, trim_db: float = 45.0) -> float:
    """Seconds from the first to the last sample within ``trim_db`` of the peak."""
    level = np.abs(clip.samples.astype(np.int32))
    loud = np.flatnonzero(level > level.max() * 10 ** (-trim_db / 20))
    return (loud[-1] - loud[0]) / clip.rate


def test_real_espeak_speech_is_trimmed_and_levelled() -> None:
    clips = {}
    for lang in ("nl", "en"):
        samples, rate = soundfile.read(DATA / f"espeak_{lang}.flac", dtype="int16")
        clips[lang] = Clip(samples, rate)
    # English 18 dB quieter, and padded with silence as a network engine might.
    quiet = np.concatenate(
        [np.zeros(6000, np.int16), clips["en"].samples // 8, np.zeros(9000, np.int16)]
    )
    clips["en"] = Clip(quiet.astype(np.int16), clips["en"].rate)
    cues = [Cue("nl", "nl", pause_ms=250), Cue("en", "en", pause_ms=250)] * 4
    sources = [clips["nl"], clips["en"]] * 4
    timeline, report = mix(_rundown(cues), iter(sources), MixSettings())
    for timed, clip in zip(timeline.cues, sources, strict=True):
        seconds = (timed.end - timed.start) / timeline.rate
        span = _speech_span(clip)
        assert span <= seconds <= span + 2 * KEEP_MS / 1000 + 0.002
    pcm = timeline.pcm()
    heard = {
        lang: integrated_loudness(
            np.concatenate([pcm[t.start : t.end] for t in timeline.cues if t.cue.lang == lang]),
            timeline.rate,
        )
        for lang in ("nl", "en")
    }
    assert abs(heard["nl"] - heard["en"]) < 1.0
    levels = {v.voice: v for v in report.voices}
    assert levels["nl"].loudness - levels["en"].loudness > 15.0
    assert report.loudness == pytest.approx(-19.0, abs=0.3)
    assert report.true_peak <= -1.0


def test_silent_clips_take_no_time_but_keep_their_pause() -> None:
    rate = 22050
    # Pauses under PART_PAUSE_MS: exact, not stretched onto the frame grid.
    rundown = _rundown([Cue("a", "nl", pause_ms=200), Cue("...", "nl", pause_ms=200)])
    rundown = Rundown((*rundown.chapters, Chapter("b", (Cue("b", "nl", pause_ms=100),))), "T", "nl")
    clips = [to_clip(speech(1.0, rate), rate), Clip(np.zeros(4000, np.int16), rate)]
    clips.append(to_clip(speech(1.0, rate, seed=3), rate))
    timeline, _ = mix(rundown, iter(clips), MixSettings())
    silent = timeline.cues[1]
    assert silent.start == silent.end
    assert timeline.cues[2].start == silent.end + pause_frames(200, 44100)


@pytest.mark.parametrize("count", [2, 4])
def test_a_clip_count_that_does_not_match_the_cues_fails(count: int) -> None:
    rundown = _rundown([Cue("a", "nl"), Cue("b", "nl"), Cue("c", "nl")])
    clips = [to_clip(speech(0.5, 22050, seed=i), 22050) for i in range(count)]
    with pytest.raises(EngineError, match="clips"):
        mix(rundown, iter(clips), MixSettings())


def test_bad_clips_and_empty_rundowns_fail_clearly() -> None:
    rundown = _rundown([Cue("a", "nl")])
    with pytest.raises(EngineError, match="16-bit"):
        mix(rundown, [Clip(np.zeros(100, np.float32), 22050)], MixSettings())  # type: ignore[arg-type]
    with pytest.raises(EngineError, match="silent"):
        mix(
            _rundown([Cue("a", "nl", pause_ms=900)]),
            [Clip(np.zeros(100, np.int16), 22050)],
            MixSettings(),
        )
    with pytest.raises(InputError, match="no cues"):
        mix(_rundown([]), [], MixSettings())


def test_pause_frames_round_exact_milliseconds() -> None:
    assert pause_frames(250, 44100) == 11025
    assert pause_frames(1, 44100) == 44  # 44.1 rounds down
    assert pause_frames(5, 44100) == 221  # 220.5 rounds up
    assert pause_frames(1200, 48000) == 57600
    assert pause_frames(-5, 48000) == 0
    assert math.isclose(pause_frames(3_600_000, 44100) / 44100, 3600.0)


def test_chapters_without_time_are_left_out(caplog: pytest.LogCaptureFixture) -> None:
    rate = 22050
    rundown = Rundown(
        (
            Chapter("A", (Cue("a", "nl", pause_ms=300),)),
            Chapter("B", ()),
            Chapter("C", (Cue("...", "nl", pause_ms=0),)),
            Chapter("D", (Cue("d", "nl", pause_ms=300),), url="https://example.org/d"),
        ),
        "T",
        "nl",
    )
    clips = [to_clip(speech(1.0, rate), rate), Clip(np.zeros(500, np.int16), rate)]
    clips.append(to_clip(speech(1.0, rate, seed=2), rate))
    timeline, _ = mix(rundown, iter(clips), MixSettings())
    assert [c.title for c in timeline.chapters] == ["A", "D"]
    a, d = timeline.chapters
    assert (a.start, a.end, d.start, d.end) == (0, d.start, timeline.cues[2].start, timeline.length)
    assert d.url == "https://example.org/d"
    assert "'B' has no cues" in caplog.text and "'C' would be empty" in caplog.text
