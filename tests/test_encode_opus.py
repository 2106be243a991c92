"""Ogg Opus episodes: encoded from a timeline, tagged with Vorbis comments, built end to end."""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
import soundfile
import soxr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mutagen.oggopus import OggOpus
from typer.testing import CliRunner

from polycast.cli import app
from polycast.config import parse_config
from polycast.encode.formats import HEADROOM_DB, AudioFormat, mix_for
from polycast.encode.opus import OpusSettings, encode_opus, tag_opus, vorbis_comments
from polycast.errors import ConfigError, InputError, OutputError
from polycast.mix import MixSettings
from polycast.models import EpisodeInfo, TimedChapter, Timeline
from sound_checks import as_float, correlation, loudness, true_peak

SHORT = Path(__file__).parent / "data" / "cli" / "short-nl.txt"
runner = CliRunner()


class ArraySource:
    """A PcmSource over an array, in blocks of an awkward size."""

    def __init__(self, pcm: npt.NDArray[np.int16], channels: int) -> None:
        self.pcm = pcm
        self.channels = channels

    def blocks(self, start: int, stop: int) -> Iterator[npt.NDArray[np.int16]]:
        step = 3333
        for at in range(start, stop, step):
            yield self.pcm[at * self.channels : min(stop, at + step) * self.channels]


def bursts(rate: int, seconds: float = 3.0, channels: int = 1) -> Timeline:
    """Tone bursts with silence between them: a click-free signal whose onsets are known."""
    n = int(seconds * rate)
    t = np.arange(n) / rate
    on = (t % 1.0 >= 0.25) & (t % 1.0 < 0.75)
    mono = 0.3 * np.sin(2 * np.pi * 330 * t) * on * np.sin(np.pi * ((t % 1.0) - 0.25) / 0.5)
    pcm = np.repeat((mono * 32767).astype(np.int16), channels)
    chapters = (
        TimedChapter("Begin", 0, rate),
        TimedChapter("Midden", rate, 2 * rate, url="https://example.org/één"),
        TimedChapter("Eind", 2 * rate, n),
    )
    return Timeline(ArraySource(pcm, channels), n, rate, channels, (), chapters)


def decode(data: bytes) -> tuple[npt.NDArray[np.float64], int]:
    audio, rate = soundfile.read(io.BytesIO(data), dtype="float64", always_2d=True)
    return audio, int(rate)


@pytest.mark.parametrize("channels", [1, 2])
def test_encodes_a_timeline_that_decodes_to_its_length(channels: int) -> None:
    timeline = bursts(48000, channels=channels)
    out = io.BytesIO()
    report = encode_opus(timeline, out)
    audio, rate = decode(out.getvalue())
    assert (rate, audio.shape) == (48000, (timeline.length, channels))
    assert (report.samples, report.bytes, report.resampled) == (timeline.length, out.tell(), False)
    source = timeline.pcm().reshape(-1, channels)[:, 0] / 32768
    assert correlation(audio[:, 0], source) > 0.99  # in place: no delay, no pre-skip left in


def test_another_rate_is_resampled_to_48k_in_place() -> None:
    timeline = bursts(44100)
    out = io.BytesIO()
    report = encode_opus(timeline, out)
    audio, rate = decode(out.getvalue())
    assert rate == 48000 and report.resampled
    assert abs(len(audio) - timeline.length * 48000 / 44100) <= 1
    reference = soxr.resample(timeline.pcm() / 32768, 44100, 48000)
    common = min(len(reference), len(audio))
    assert correlation(audio[:common, 0], reference[:common]) > 0.99  # no delay from the stream


def test_the_bitrate_sets_the_size() -> None:
    rng = np.random.default_rng(3)
    rate, n = 48000, 48000 * 4
    pcm = (rng.standard_normal(n) * 3000).astype(np.int16)
    timeline = Timeline(ArraySource(pcm, 1), n, rate, 1, (), ())
    sizes = {}
    for kbps in (24, 64):
        out = io.BytesIO()
        encode_opus(timeline, out, OpusSettings(bitrate=kbps))
        sizes[kbps] = out.tell() * 8 / 4 / 1000
    assert sizes[24] == pytest.approx(24, rel=0.25)
    assert sizes[64] == pytest.approx(64, rel=0.25)


@pytest.mark.parametrize(("bitrate", "channels"), [(5, 1), (257, 1), (11, 2), (48, 3)])
def test_a_bitrate_or_layout_opus_cannot_take(bitrate: int, channels: int) -> None:
    with pytest.raises(ConfigError):
        OpusSettings(bitrate=bitrate).check(channels)


class DiskFull(io.BytesIO):
    def write(self, data: bytes) -> int:  # type: ignore[override]
        if self.tell() + len(data) > 3000:
            raise OSError(28, "No space left on device")
        return super().write(data)


def test_a_full_disk_is_an_output_error() -> None:
    with pytest.raises(OutputError, match="No space left"):
        encode_opus(bursts(48000, seconds=5.0), DiskFull())


INFO = EpisodeInfo(
    title="Kort nieuws",
    language="nl",
    date="2021-09-09",
    author="De redactie",
    album="Testshow",
    extra={"comment": "gemaakt met polycast"},
)


@pytest.fixture(scope="module")
def opus_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("opus") / "episode.opus"
    with path.open("wb") as stream:
        encode_opus(bursts(48000), stream)
    return path


def test_tags_and_chapters_read_back_with_mutagen(opus_file: Path, tmp_path: Path) -> None:
    path = shutil.copy(opus_file, tmp_path / "tagged.opus")
    timeline = bursts(48000)
    tag_opus(path, INFO, tuple(reversed(timeline.chapters)), timeline.rate)
    tags = OggOpus(path).tags
    assert tags is not None
    assert tags["TITLE"] == ["Kort nieuws"]
    assert (tags["ARTIST"], tags["ALBUM"], tags["DATE"]) == (
        ["De redactie"],
        ["Testshow"],
        ["2021-09-09"],
    )
    assert tags["LANGUAGE"] == ["nld"]
    assert tags["COMMENT"] == ["gemaakt met polycast"]
    chapters = [(k, v) for k, v in tags if k.upper().startswith("CHAPTER")]
    assert chapters == [
        ("CHAPTER001", "00:00:00.000"),
        ("CHAPTER001NAME", "Begin"),
        ("CHAPTER002", "00:00:01.000"),
        ("CHAPTER002NAME", "Midden"),
        ("CHAPTER002URL", "https://example.org/één"),
        ("CHAPTER003", "00:00:02.000"),
        ("CHAPTER003NAME", "Eind"),
    ]
    audio, _ = decode(path.read_bytes())
    assert len(audio) == timeline.length  # tagging left the audio whole


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    titles=st.lists(
        st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\0"), min_size=1),
        min_size=1,
        max_size=5,
    )
)
def test_chapter_titles_round_trip(opus_file: Path, tmp_path: Path, titles: list[str]) -> None:
    path = shutil.copy(opus_file, tmp_path / "round.opus")
    chapters = [TimedChapter(t, i * 4800, (i + 1) * 4800) for i, t in enumerate(titles)]
    tag_opus(path, INFO, chapters, 48000)
    tags = OggOpus(path).tags
    assert tags is not None
    assert [tags[f"CHAPTER{i:03d}NAME"][0] for i in range(1, len(titles) + 1)] == titles
    assert [tags[f"CHAPTER{i:03d}"][0] for i in range(1, len(titles) + 1)] == [
        f"00:00:00.{i * 100:03d}" for i in range(len(titles))
    ]


def test_vorbis_comments_fall_back_to_the_code_as_given() -> None:
    comments = dict(vorbis_comments(EpisodeInfo("T", "xx-YY"), (), 48000))
    assert comments == {"TITLE": "T", "LANGUAGE": "xx-YY"}


def test_tagging_what_is_not_opus(tmp_path: Path) -> None:
    path = tmp_path / "not.opus"
    path.write_bytes(b"ID3" + bytes(500))
    with pytest.raises(InputError):
        tag_opus(path, INFO, (), 48000)
    with pytest.raises(OutputError):
        tag_opus(tmp_path / "missing.opus", INFO, (), 48000)


def test_the_config_file_chooses_the_format() -> None:
    config = parse_config('[output]\nformat = "opus"\n[opus]\nbitrate = 32\n')
    assert (config.audio_format, config.opus.bitrate) == (AudioFormat.OPUS, 32)
    assert parse_config("").audio_format is AudioFormat.MP3
    for bad in ('[output]\nformat = "wav"\n', "[opus]\nbitrate = 3.5\n", "[opus]\nq = 1\n"):
        with pytest.raises(ConfigError):
            parse_config(bad)


def test_each_format_leaves_the_codec_its_headroom() -> None:
    mix = MixSettings()
    assert mix_for(AudioFormat.MP3, mix).true_peak == mix.true_peak - HEADROOM_DB[AudioFormat.MP3]
    opus = mix_for(AudioFormat.OPUS, MixSettings(true_peak=-11.0))
    assert (opus.rate, opus.true_peak, opus.target) == (48000, -12.0, mix.target)


@pytest.fixture(scope="module", params=[False, True], ids=["mono", "stereo"])
def built(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dict[str, object], int]:
    """Build the short article as Opus through the CLI."""
    out = tmp_path_factory.mktemp("out")
    cache = tmp_path_factory.mktemp("cache")
    stereo = ["--stereo"] if request.param else []
    args = ["build", str(SHORT), "-o", str(out), "--cache-dir", str(cache), "--json"]
    args += ["--engine", "espeak", "--album", "Testshow", "--audio-format", "opus", *stereo]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return out, json.loads(result.stdout), 2 if request.param else 1


def test_build_writes_opus_and_the_same_companions(
    built: tuple[Path, dict[str, object], int],
) -> None:
    out, summary, channels = built
    path = out / "short-nl.opus"
    assert summary["mp3"] == str(path) and summary["format"] == "opus"
    assert sorted(p.name for p in out.iterdir()) == [
        "short-nl.chapters.json",
        "short-nl.opus",
        "short-nl.srt",
        "short-nl.timeline.svg",
        "short-nl.vtt",
    ]
    audio, rate = decode(path.read_bytes())
    assert (rate, audio.shape[1]) == (48000, channels)
    assert len(audio) / rate == pytest.approx(summary["duration"], abs=0.001)
    assert OggOpus(path).info.length == pytest.approx(summary["duration"], abs=0.001)


def test_build_chapters_agree_with_the_json_chapters(
    built: tuple[Path, dict[str, object], int],
) -> None:
    out, _, _ = built
    tags = OggOpus(out / "short-nl.opus").tags
    assert tags is not None
    chapters = json.loads((out / "short-nl.chapters.json").read_text(encoding="utf-8"))["chapters"]
    for number, chapter in enumerate(chapters, start=1):
        h, m, s = tags[f"CHAPTER{number:03d}"][0].split(":")
        assert int(h) * 3600 + int(m) * 60 + float(s) == pytest.approx(
            chapter["startTime"], abs=5e-4
        )
        assert tags[f"CHAPTER{number:03d}NAME"] == [chapter["title"]]
    assert f"CHAPTER{len(chapters) + 1:03d}" not in tags
    assert tags["ALBUM"] == ["Testshow"] and tags["LANGUAGE"] == ["nld"]


def test_build_loudness_and_true_peak_of_the_decoded_file(
    built: tuple[Path, dict[str, object], int],
) -> None:
    out, _, channels = built
    audio, rate = decode((out / "short-nl.opus").read_bytes())
    target = -19.0 if channels == 1 else -16.0
    assert loudness(audio, rate) == pytest.approx(target, abs=1.0)
    assert true_peak(audio) <= -1.0


def test_an_mp3_path_with_the_opus_format_is_refused(tmp_path: Path) -> None:
    args = ["build", str(SHORT), "-o", str(tmp_path / "x.mp3"), "--audio-format", "opus"]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert "name a .opus file" in result.stderr
    assert not list(tmp_path.iterdir())


def test_as_float_keeps_channels_apart() -> None:
    pcm = np.array([1, -1, 2, -2], dtype=np.int16)
    assert as_float(pcm, 2).shape == (2, 2)
