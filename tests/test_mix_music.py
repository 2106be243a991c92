"""Stings and the music bed: where they play, how the bed ducks, and the show frame in the mix."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile

from polycast.errors import ConfigError
from polycast.frame import add_frame
from polycast.mix import BedSpan, MixSettings, Music, integrated_loudness, load_music, mix
from polycast.mix.music import ATTACK_MS, RELEASE_MS, Score
from polycast.models import Chapter, Clip, Cue, Rundown
from speechlike import speech, to_clip

AUDIO = Path(__file__).parent.parent / "audio"
RATE = 44100


def _bed_gain(speech_spans: list[tuple[int, int]], length: int) -> np.ndarray:
    score = Score(
        rate=RATE,
        sting=None,
        sting_at=(),
        bed=np.ones(1000, np.float32),
        bed_spans=((0, length),),
        speech=np.array(speech_spans, dtype=np.int64).reshape(-1, 2),
        duck=0.25,
    )
    out = np.zeros(length)
    for lo in range(0, length, 7000):  # in pieces, as the renderer asks
        piece = np.zeros(min(7000, length - lo))
        score.add_to(piece, lo)
        out[lo : lo + len(piece)] = piece
    return out


def test_the_bed_fades_in_ducks_under_speech_with_smooth_ramps_and_fades_out() -> None:
    length = 10 * RATE
    s, e = 4 * RATE, 6 * RATE
    gain = _bed_gain([(s, e)], length)
    attack, release = RATE * ATTACK_MS // 1000, RATE * RELEASE_MS // 1000
    assert gain[0] == pytest.approx(0, abs=1e-3)
    assert gain[2 * RATE] == pytest.approx(1.0)
    assert gain[s - attack - 1] == pytest.approx(1.0)
    assert np.allclose(gain[s:e], 0.25)  # fully down when the voice starts, for all of it
    assert 0.25 < gain[s - attack // 2] < 1.0  # going down before the cue: foresight
    assert 0.25 < gain[e + release // 2] < 1.0
    assert gain[e + release + 1] == pytest.approx(1.0)
    assert gain[-1] == pytest.approx(0, abs=1e-3)
    assert np.abs(np.diff(gain)).max() < 3 / attack  # no steps: ramps only


def test_the_bed_stays_down_between_close_cues() -> None:
    gain = _bed_gain([(RATE, 2 * RATE), (2 * RATE + 4410, 3 * RATE)], 5 * RATE)
    assert gain[RATE : 3 * RATE].max() < 0.7


def test_music_files_load_at_the_output_rate_or_fail_clearly(tmp_path: Path) -> None:
    music = load_music(MixSettings(rate=48000, sting=AUDIO / "sting.flac", bed=AUDIO / "bed.flac"))
    assert music.sting is not None and music.bed is not None
    assert len(music.sting) == pytest.approx(2.4 * 48000, abs=2)
    assert len(music.bed) == 8 * 48000
    with pytest.raises(ConfigError, match="cannot read the sting"):
        load_music(MixSettings(sting=tmp_path / "missing.flac"))
    (tmp_path / "text.wav").write_text("not audio")
    with pytest.raises(ConfigError, match=r"mix\.bed"):
        load_music(MixSettings(bed=tmp_path / "text.wav"))
    soundfile.write(str(tmp_path / "silent.wav"), np.zeros(8000), 8000)
    with pytest.raises(ConfigError, match="silent"):
        load_music(MixSettings(sting=tmp_path / "silent.wav"))


def _framed(settings: MixSettings) -> tuple[Rundown, list[Clip]]:
    article = [Cue(f"zin {i}", "nl", segment=i, pause_ms=600) for i in range(3)]
    rundown = add_frame(
        Rundown((Chapter("Begin", tuple(article)),), "Titel", "nl"), "Show", settings
    )
    cues = [c for ch in rundown.chapters for c in ch.cues]
    clips = [to_clip(speech(1.5, 22050, level_db=-18, seed=i), 22050) for i in range(len(cues))]
    return rundown, clips


def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(x.astype(np.float64) ** 2))) if len(x) else 0.0


@pytest.mark.parametrize("span", [BedSpan.FRAME, BedSpan.EPISODE])
def test_intro_outro_stings_and_bed_in_the_mix(span: BedSpan) -> None:
    settings = MixSettings(sting=AUDIO / "sting.flac", bed=AUDIO / "bed.flac", bed_span=span)
    rundown, clips = _framed(settings)
    music = load_music(settings)
    assert music.sting is not None
    timeline, report = mix(rundown, iter(clips), settings, music=music)
    sting = len(music.sting)
    cues, chapters = timeline.cues, timeline.chapters
    assert [c.title for c in chapters] == ["Show", "Begin", "Afsluiting"]
    assert chapters[0].start == 0 and cues[0].start == sting  # the intro sting comes first
    assert chapters[-1].start == cues[-1].start
    pcm = timeline.pcm()
    speech_end = cues[-1].end + 44100 * 700 // 1000
    assert timeline.length == speech_end + sting
    assert _rms(pcm[:sting]) > 300 and _rms(pcm[speech_end:]) > 300  # both stings sound
    intro_pause = pcm[cues[0].end + 2000 : cues[1].start - 30000]
    article_pause = pcm[cues[2].end + 2000 : cues[3].start - 2000]
    assert _rms(intro_pause) > 10  # the bed (fading out), between the intro and the article
    if span is BedSpan.FRAME:
        assert _rms(article_pause) < 3  # no bed under the article
    else:
        assert _rms(article_pause) > 10
    assert report.loudness == pytest.approx(-19.0, abs=0.3)
    assert report.true_peak <= -1.0
    assert integrated_loudness(pcm, timeline.rate) == pytest.approx(report.loudness, abs=1e-6)


def test_music_can_be_given_directly() -> None:
    rundown, clips = _framed(MixSettings())
    tone = (0.3 * np.sin(np.arange(RATE) * 2 * np.pi * 440 / RATE)).astype(np.float32)
    timeline, _ = mix(rundown, iter(clips), MixSettings(), music=Music(sting=tone))
    assert timeline.cues[0].start == RATE
