"""MPEG frame fields, the CRC and the frame splitter, checked against LAME's own output."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from polycast.encode.bitstream import (
    BITRATES,
    RATES,
    ChannelMode,
    FrameHeader,
    FrameSplitter,
    Mp3FormatError,
    block_types,
    cbr_toc,
    info_bitrate,
    lame_version,
    main_data_begin,
)
from polycast.encode.mp3 import Mp3Settings, encode_frames
from test_encode import vowel


def lame_frames(pcm: np.ndarray, rate: int = 44100, channels: int = 1) -> list[bytes]:
    batches = encode_frames([pcm.tobytes()], Mp3Settings(), rate, channels)
    return [frame for batch in batches for frame in batch]


def test_header_round_trip() -> None:
    for bitrate in BITRATES:
        for rate in RATES:
            for mode in ChannelMode:
                header = FrameHeader(bitrate, rate, True, mode, tail=mode.value << 6 | 0x04)
                assert FrameHeader.parse(header.to_bytes()) == header
                assert header.size == 144000 * bitrate // rate + 1


@pytest.mark.parametrize("junk", [b"\x00\x00\x00\x00", b"\xff\xfb\xf0\x00", b"\xff\xf3\x50\xc4"])
def test_junk_is_not_a_header(junk: bytes) -> None:
    with pytest.raises(Mp3FormatError):
        FrameHeader.parse(junk)


@pytest.mark.parametrize(
    ("bitrate", "rate", "mode", "expected"),
    [
        (64, 44100, ChannelMode.MONO, 64),
        (64, 48000, ChannelMode.JOINT_STEREO, 64),  # 192 bytes: exactly the stereo tag
        (32, 44100, ChannelMode.MONO, 56),
        (56, 48000, ChannelMode.MONO, 64),
        (320, 32000, ChannelMode.STEREO, 320),
    ],
)
def test_info_bitrate_is_the_smallest_that_holds_the_tag(
    bitrate: int, rate: int, mode: ChannelMode, expected: int
) -> None:
    assert info_bitrate(bitrate, rate, mode) == expected


def test_splitter_cuts_any_chunking_into_the_same_frames() -> None:
    frames = lame_frames(vowel(1, 44100))
    stream = b"".join(frames)
    for piece in (1, 7, 208, 4096):
        splitter = FrameSplitter()
        out = [
            f for at in range(0, len(stream), piece) for f in splitter.feed(stream[at : at + piece])
        ]
        splitter.close()
        assert out == frames
    splitter = FrameSplitter()
    splitter.feed(stream[:-3])
    with pytest.raises(Mp3FormatError, match="stray bytes"):
        splitter.close()


def test_splitter_sizes_every_header_as_the_parser_does() -> None:
    """The splitter looks frame sizes up; every header the parser takes gets the parser's size."""
    for second, third, fourth in itertools.product((0xFA, 0xFB), range(256), (0x00, 0xC4)):
        header = bytes((0xFF, second, third, fourth))
        try:
            size = FrameHeader.parse(header).size
        except Mp3FormatError:
            with pytest.raises(Mp3FormatError):
                FrameSplitter().feed(header)
            continue
        frame = header + bytes(size - 4)
        assert FrameSplitter().feed(frame + frame[:4]) == [frame]


@pytest.mark.parametrize("junk", [b"\x00\xfb\x50\xc4", b"\xff\xf3\x50\xc4", b"\xff\xfb\xf0\x00"])
def test_the_splitter_rejects_what_is_no_frame(junk: bytes) -> None:
    with pytest.raises(Mp3FormatError, match="no MPEG-1 Layer III frame header at byte 0"):
        FrameSplitter().feed(junk + bytes(300))


def test_block_types_follow_the_rules_in_a_real_stream() -> None:
    # silence, then hand claps: LAME switches to short blocks around each attack
    pcm = np.zeros(44100 * 2, dtype=np.int16)
    rng = np.random.default_rng(1)
    for at in range(10_000, 80_000, 9_000):
        pcm[at : at + 300] = (
            rng.standard_normal(300) * 20000 * np.exp(-np.arange(300) / 60)
        ).astype(np.int16)
    granules = [t for frame in lame_frames(pcm) for t in block_types(frame)]
    assert set(granules) == {0, 1, 2, 3}  # long, start, short, stop: the parse finds them all
    for before, after in itertools.pairwise(granules):
        assert (before in (0, 3)) == (after in (0, 1)), granules  # windows always meet


def test_main_data_begin_stays_in_the_reservoir() -> None:
    frames = lame_frames(vowel(3, 44100, 2), channels=2)
    assert main_data_begin(frames[0]) == 0
    available = 0
    for frame in frames:
        header = FrameHeader.parse(frame)
        begin = main_data_begin(frame)
        assert begin <= min(511, available)
        available += header.size - 4 - header.side_info_size
    assert any(main_data_begin(frame) > 0 for frame in frames)  # LAME does use the reservoir


def test_lame_version_from_stuffing() -> None:
    assert lame_version(b"xxLAME3.100UUUU") == b"LAME3.100"
    assert lame_version(b"\x00LAME4.0UUUUUU") == b"LAME4.0\x00\x00"
    assert lame_version(b"nothing here") == b"LAME3.100"


def test_cbr_toc_is_linear_for_equal_frames() -> None:
    offsets = np.arange(1000, dtype=np.int64) * 200 + 200
    toc = list(cbr_toc(offsets, 200 * 1001))
    assert toc[0] == 0 and toc == sorted(toc)
    assert all(abs(toc[i] - 256 * i / 100) <= 3 for i in range(100))
