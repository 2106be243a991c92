"""The MP3 encoder: real audio through LAME, checked by decoding it and by reading its bytes."""

from __future__ import annotations

import io
import json
import logging
import subprocess
from collections.abc import Iterator
from pathlib import Path

import mutagen.mp3
import numpy as np
import numpy.typing as npt
import pytest

from polycast.encode.mp3 import EncodeError, EncodeReport, Mp3Settings, decode_mp3, encode_mp3
from polycast.errors import ConfigError, InputError
from polycast.models import Timeline

BITRATES = (32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
RATES = {0: 44100, 1: 48000, 2: 32000}


def vowel(seconds: float, rate: int, channels: int = 1, seed: int = 0) -> npt.NDArray[np.int16]:
    """Interleaved int16 audio like a voice: a gliding pitch with formants, syllables and pauses."""
    rng = np.random.default_rng(seed)
    n = int(seconds * rate)
    t = np.arange(n) / rate
    f0 = 130 * (1 + 0.1 * np.sin(2 * np.pi * 0.6 * t + rng.uniform(0, 6)))
    phase = 2 * np.pi * np.cumsum(f0) / rate
    voice = np.zeros(n)
    for k in range(1, 16):
        formants = np.exp(-((((k * f0) - 700) / 250) ** 2)) + 0.5 * np.exp(
            -((((k * f0) - 1200) / 300) ** 2)
        )
        voice += (formants + 0.05) * np.sin(k * phase) / k**0.5
    syllables = np.clip(np.sin(2 * np.pi * 3.7 * t + rng.uniform(0, 6)), 0, None) ** 0.6
    hiss = 0.15 * rng.standard_normal(n) * (np.sin(2 * np.pi * 1.1 * t) > 0.85)
    pauses = (t % 2.9) < 2.4
    mono = (voice * syllables + hiss) * pauses
    mono = mono / np.max(np.abs(mono)) * 12000
    if channels == 1:
        return mono.astype(np.int16)
    other = np.roll(mono, rate // 100) * 0.7  # a different right channel
    return np.stack([mono, other], axis=1).reshape(-1).astype(np.int16)


class ArraySource:
    """A PcmSource over an array, in blocks of an awkward size (not a multiple of a frame)."""

    def __init__(self, pcm: npt.NDArray[np.int16], channels: int, block: int = 3001) -> None:
        self.pcm, self.channels, self.block = pcm, channels, block

    def blocks(self, start: int, stop: int) -> Iterator[npt.NDArray[np.int16]]:
        for at in range(start, stop, self.block):
            yield self.pcm[at * self.channels : min(stop, at + self.block) * self.channels]


def timeline_of(pcm: npt.NDArray[np.int16], rate: int, channels: int) -> Timeline:
    return Timeline(ArraySource(pcm, channels), len(pcm) // channels, rate, channels, (), ())


def encode(
    pcm: npt.NDArray[np.int16], rate: int, channels: int, **kw: object
) -> tuple[bytes, EncodeReport]:
    out = io.BytesIO()
    settings = kw.pop("settings", None)
    report = encode_mp3(timeline_of(pcm, rate, channels), out, settings, **kw)
    return out.getvalue(), report


def snr_db(reference: npt.NDArray[np.int16], decoded: npt.NDArray[np.int16], lag: int = 0) -> float:
    x = reference.astype(float)
    y = decoded.astype(float)
    if lag > 0:
        y, x = y[lag:], x[: len(x) - lag]
    elif lag < 0:
        y, x = y[:lag], x[-lag:]
    return float(10 * np.log10(np.sum(x**2) / np.sum((y - x) ** 2)))


# -- an independent look at the bytes: MPEG headers and the Xing/LAME tag, field by field --


def header_fields(data: bytes, at: int) -> tuple[int, int, int, bool]:
    """(bitrate kb/s, rate, frame size, mono) of the MPEG-1 Layer III frame at ``at``."""
    assert data[at] == 0xFF and data[at + 1] in (0xFB, 0xFA), f"no frame at {at}"
    bitrate = BITRATES[(data[at + 2] >> 4) - 1]
    rate = RATES[(data[at + 2] >> 2) & 3]
    size = 144000 * bitrate // rate + ((data[at + 2] >> 1) & 1)
    return bitrate, rate, size, data[at + 3] >> 6 == 3


def walk_frames(data: bytes, start: int = 0) -> list[tuple[int, int, int]]:
    """(offset, bitrate, size) of every frame from ``start`` to the end; must end exactly there."""
    frames = []
    at = start
    while at < len(data):
        bitrate, _, size, _ = header_fields(data, at)
        frames.append((at, bitrate, size))
        at += size
    assert at == len(data)
    return frames


def crc16_arc(data: bytes) -> int:
    """CRC-16/ARC bit by bit (the LAME tag's CRC), independent of the encoder's table."""
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def info_tag(data: bytes, start: int = 0) -> dict[str, object]:
    _, _, size, mono = header_fields(data, start)
    x = start + 4 + (17 if mono else 32)
    lame = x + 120
    delay_padding = int.from_bytes(data[lame + 21 : lame + 24], "big")
    return {
        "frame_size": size,
        "magic": data[x : x + 4],
        "flags": int.from_bytes(data[x + 4 : x + 8], "big"),
        "frames": int.from_bytes(data[x + 8 : x + 12], "big"),
        "bytes": int.from_bytes(data[x + 12 : x + 16], "big"),
        "toc": list(data[x + 16 : x + 116]),
        "quality": int.from_bytes(data[x + 116 : x + 120], "big"),
        "version": data[lame : lame + 9],
        "method": data[lame + 9],
        "abr": data[lame + 20],
        "delay": delay_padding >> 12,
        "padding": delay_padding & 0xFFF,
        "music_length": int.from_bytes(data[lame + 28 : lame + 32], "big"),
        "music_crc": int.from_bytes(data[lame + 32 : lame + 34], "big"),
        "tag_crc": int.from_bytes(data[lame + 34 : lame + 36], "big"),
        "tag_crc_span": data[start : lame + 34],
    }


@pytest.mark.parametrize("rate", [44100, 48000])
@pytest.mark.parametrize("channels", [1, 2])
def test_decodes_to_the_exact_input_length_and_alignment(rate: int, channels: int) -> None:
    pcm = vowel(2.5, rate, channels)
    data, report = encode(pcm, rate, channels)
    decoded, out_rate, out_channels = decode_mp3(data)
    assert (out_rate, out_channels) == (rate, channels)
    # the Info frame's delay and padding let the decoder trim to exactly the input
    assert len(decoded) == len(pcm)
    assert report.samples == len(pcm) // channels
    assert report.duration == pytest.approx(2.5, abs=1 / rate)
    assert report.frames * 1152 == report.encoder_delay + report.samples + report.encoder_padding
    # and the audio is where it was: best match at lag 0, well above the noise
    left = decoded[::channels]
    assert snr_db(pcm[::channels], left) > 12
    for lag in (-1, 1):
        assert snr_db(pcm[::channels], left) > snr_db(pcm[::channels], left, lag) + 1


@pytest.mark.parametrize(
    ("rate", "channels", "bitrate"), [(44100, 1, 64), (48000, 2, 64), (44100, 2, 128)]
)
def test_info_frame_fields_match_the_stream(rate: int, channels: int, bitrate: int) -> None:
    data, report = encode(vowel(3, rate, channels), rate, channels, settings=Mp3Settings(bitrate))
    tag = info_tag(data)
    frames = walk_frames(data, tag["frame_size"])
    assert tag["magic"] == b"Info" and tag["flags"] == 0x0F
    assert tag["frames"] == len(frames) == report.frames
    assert tag["bytes"] == len(data) == report.bytes == tag["music_length"]
    assert {b for _, b, _ in frames} == {bitrate}  # constant bitrate, the Info frame too
    assert header_fields(data, 0)[0] == bitrate
    toc = tag["toc"]
    assert toc[0] == 0 and toc == sorted(toc) and toc[-1] > 240
    assert tag["version"].startswith(b"LAME")
    assert tag["method"] == 1 and tag["abr"] == bitrate
    assert tag["delay"] == report.encoder_delay == 576
    assert tag["padding"] == report.encoder_padding
    assert tag["quality"] == 100 - 40 - 5
    assert tag["music_crc"] == crc16_arc(data[tag["frame_size"] :])
    assert tag["tag_crc"] == crc16_arc(tag["tag_crc_span"])
    assert len(tag["tag_crc_span"]) == (175 if channels == 1 else 190)


def test_low_bitrate_gets_an_info_frame_that_fits() -> None:
    # at 32 kb/s a 44.1 kHz frame (104 bytes) cannot hold the tag: LAME would leave it out
    data, report = encode(vowel(2, 44100), 44100, 1, settings=Mp3Settings(32))
    bitrate, _, size, _ = header_fields(data, 0)
    assert (bitrate, size) == (56, 182)
    assert info_tag(data)["frames"] == len(walk_frames(data, size)) == report.frames
    assert {b for _, b, _ in walk_frames(data, size)} == {32}
    assert len(decode_mp3(data)[0]) == 2 * 44100


def test_other_readers_see_the_exact_duration(tmp_path: Path, ffprobe: str) -> None:
    data, _ = encode(vowel(2, 48000, 2), 48000, 2)
    info = mutagen.mp3.MP3(io.BytesIO(data)).info
    assert info.length == pytest.approx(2.0, abs=1e-9)
    assert info.bitrate_mode == mutagen.mp3.BitrateMode.CBR
    assert info.bitrate == 64000 and info.sample_rate == 48000 and info.channels == 2
    path = tmp_path / "x.mp3"  # an independent decoder's view
    path.write_bytes(data)
    shown = subprocess.run(
        [ffprobe, "-v", "error", "-show_format", "-of", "json", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert float(json.loads(shown.stdout)["format"]["duration"]) == pytest.approx(2.0, abs=1e-6)


def test_mp3_after_existing_bytes_counts_only_itself() -> None:
    out = io.BytesIO()
    out.write(b"ID3" + bytes(97))  # a stand-in for a tag written before the audio
    pcm = vowel(1, 44100)
    report = encode_mp3(timeline_of(pcm, 44100, 1), out)
    data = out.getvalue()
    tag = info_tag(data, 100)
    assert tag["bytes"] == len(data) - 100 == report.bytes
    assert len(decode_mp3(data[100:])[0]) == len(pcm)


class Pipe(io.RawIOBase):
    """A write-only stream that cannot seek, like stdout."""

    def __init__(self) -> None:
        self.data = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, b: object) -> int:
        self.data += b
        return len(b)


def test_unseekable_output_is_written_without_info_frame(caplog: pytest.LogCaptureFixture) -> None:
    pipe = Pipe()
    pcm = vowel(1, 44100)
    with caplog.at_level(logging.WARNING):
        report = encode_mp3(timeline_of(pcm, 44100, 1), pipe)
    assert not report.info_frame and "not seekable" in caplog.text
    assert len(walk_frames(bytes(pipe.data))) == report.frames
    assert b"Info" not in bytes(pipe.data[:64])
    # without the tag a decoder plays every frame whole, priming and padding included
    decoded = decode_mp3(bytes(pipe.data))[0]
    assert len(decoded) == report.frames * 1152


@pytest.mark.parametrize(
    ("settings", "rate", "channels", "message"),
    [
        (Mp3Settings(bitrate=65), 44100, 1, "bitrate 65"),
        (Mp3Settings(quality=10), 44100, 1, "quality 10"),
        (Mp3Settings(quality=-1), 44100, 1, "quality -1"),
        (Mp3Settings(), 22050, 1, "22050 Hz"),
        (Mp3Settings(), 44100, 3, "3 channels"),
    ],
)
def test_bad_settings_are_config_errors(
    settings: Mp3Settings, rate: int, channels: int, message: str
) -> None:
    pcm = np.zeros(rate * channels, dtype=np.int16)
    with pytest.raises(ConfigError, match=message):
        encode_mp3(timeline_of(pcm, rate, channels), io.BytesIO(), settings)


def test_zero_workers_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="workers"):
        encode_mp3(timeline_of(vowel(1, 44100), 44100, 1), io.BytesIO(), workers=0)


def test_float_blocks_are_an_encode_error() -> None:
    class Floats:
        def blocks(self, start: int, stop: int) -> Iterator[npt.NDArray[np.float64]]:
            yield np.zeros(stop - start)

    timeline = Timeline(Floats(), 44100, 44100, 1, (), ())
    with pytest.raises(EncodeError, match="not interleaved int16"):
        encode_mp3(timeline, io.BytesIO())


def test_empty_timeline_is_a_valid_silent_mp3() -> None:
    data, report = encode(np.zeros(0, dtype=np.int16), 44100, 1)
    assert report.samples == 0 and report.frames >= 1
    assert len(decode_mp3(data)[0]) == 0


def test_decode_rejects_what_is_not_mp3() -> None:
    with pytest.raises(InputError, match="cannot decode MP3"):
        decode_mp3(b"this is not an mp3 file at all" * 10)
