"""MPEG-1 Layer III frames: headers, the side-info fields a join needs, and the "Info" frame.

LAME (through lameenc) writes bare audio frames. Players only know a CBR file's exact length, and
gapless players only trim the encoder's priming samples, when the first frame is a Xing/LAME
"Info" frame (http://gabriel.mp3-tech.org/mp3infotag.html). This module builds that frame and
parses the few frame fields the encoder needs; it knows nothing of timelines or files.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from polycast.encode.crc16 import crc16
from polycast.errors import Mp3FormatError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

SAMPLES_PER_FRAME = 1152
"""Sample frames in one MPEG-1 Layer III frame."""
ENCODER_DELAY = 576
"""Samples LAME puts before the audio when it does not resample (ENCDELAY in LAME)."""
DECODER_DELAY = 529
"""Samples a decoder's filter bank delays its output (528 + 1, as mpg123 and ffmpeg use)."""
BITRATES = (32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
"""Bitrates (kb/s) MPEG-1 Layer III allows, at header indexes 1 to 14."""
RATES = (44100, 48000, 32000)
"""Sample rates of MPEG-1, at header indexes 0 to 2."""

_XING_SIZE = 120  # "Info", flags, frames, bytes, 100-byte TOC, quality
_LAME_SIZE = 36  # the LAME extension that follows, ending in its own CRC
_CBR_METHOD = 1  # LAME tag revision 0, VBR method 1 = constant bitrate
_LAME_VBR_Q = 4  # LAME's default -V, folded into the Xing quality field as LAME does


class ChannelMode(Enum):
    """The header's channel mode, with the code the LAME tag uses for it."""

    STEREO = 0
    JOINT_STEREO = 1
    DUAL_CHANNEL = 2
    MONO = 3

    @property
    def lame_code(self) -> int:
        """The stereo-mode number of the LAME tag (0 mono, 1 stereo, 2 dual, 3 joint)."""
        return {0: 1, 1: 3, 2: 2, 3: 0}[self.value]


@dataclass(frozen=True)
class FrameHeader:
    """The 4-byte header of an MPEG-1 Layer III frame."""

    bitrate: int
    """Kilobits per second."""
    rate: int
    """Sample rate."""
    padding: bool
    """One extra byte in this frame (keeps 44.1 kHz streams on their bitrate)."""
    mode: ChannelMode
    """Mono, stereo, joint stereo or dual channel."""
    protected: bool = False
    """A 16-bit CRC follows the header."""
    tail: int = 0
    """The low byte of the header (mode extension, copyright, original, emphasis) as found."""

    @classmethod
    def parse(cls, data: bytes | bytearray | memoryview, at: int = 0) -> FrameHeader:
        """Read the header at ``data[at:at + 4]``.

        Raises:
            Mp3FormatError: no MPEG-1 Layer III frame header there.
        """
        if len(data) < at + 4:
            raise Mp3FormatError("truncated MPEG frame header")
        b0, b1, b2, b3 = data[at], data[at + 1], data[at + 2], data[at + 3]
        bitrate_index, rate_index = b2 >> 4, (b2 >> 2) & 3
        if b0 != 0xFF or b1 & 0xFE != 0xFA or not 0 < bitrate_index < 15 or rate_index == 3:
            raise Mp3FormatError(f"no MPEG-1 Layer III frame header at byte {at}")
        return cls(
            bitrate=BITRATES[bitrate_index - 1],
            rate=RATES[rate_index],
            padding=bool(b2 & 2),
            mode=ChannelMode(b3 >> 6),
            protected=not b1 & 1,
            tail=b3,
        )

    @property
    def size(self) -> int:
        """Bytes in the whole frame, header included."""
        return frame_size(self.bitrate, self.rate, self.padding)

    @property
    def side_info_size(self) -> int:
        """Bytes of side information after the header (and CRC)."""
        return 17 if self.mode is ChannelMode.MONO else 32

    @property
    def data_offset(self) -> int:
        """Where the side information starts in the frame."""
        return 6 if self.protected else 4

    def to_bytes(self) -> bytes:
        """Return the 4 header bytes."""
        b2 = (BITRATES.index(self.bitrate) + 1) << 4 | RATES.index(self.rate) << 2
        b3 = self.mode.value << 6 | (self.tail & 0x3F)
        return bytes((0xFF, 0xFA | (not self.protected), b2 | self.padding << 1, b3))


def frame_size(bitrate: int, rate: int, padding: bool = False) -> int:
    """Bytes in one frame at ``bitrate`` kb/s and ``rate`` Hz."""
    return 144_000 * bitrate // rate + padding


def _frame_sizes() -> dict[int, int]:
    """Map a header's second and third bytes to its frame's size, for every valid pair.

    Splitting an encoder's output reads every frame's header; looking its size up takes a
    fraction of the time ``FrameHeader.parse`` does, and the encoders' threads hold the GIL
    while they split. The first byte is 0xFF; the fourth never changes a frame's size.
    """
    sizes = {}
    for second in (0xFA, 0xFB):  # MPEG-1 Layer III, with or without a CRC
        for bitrate_index, bitrate in enumerate(BITRATES, start=1):
            for rate_index, rate in enumerate(RATES):
                for low in range(4):  # padding bit, private bit
                    third = bitrate_index << 4 | rate_index << 2 | low
                    sizes[second << 8 | third] = frame_size(bitrate, rate, bool(low & 2))
    return sizes


_SIZES = _frame_sizes()


def info_bitrate(bitrate: int, rate: int, mode: ChannelMode) -> int:
    """Pick the Info frame's bitrate: the stream's, or the lowest whose frame holds the tag.

    LAME leaves the tag out when it does not fit (32 kb/s at 44.1 kHz, for example); a larger
    first frame keeps the exact length and costs a few dozen bytes.
    """
    side = 17 if mode is ChannelMode.MONO else 32
    need = 4 + side + _XING_SIZE + _LAME_SIZE
    return next(b for b in BITRATES if b >= bitrate and frame_size(b, rate) >= need)


def main_data_begin(frame: bytes | memoryview) -> int:
    """How many bytes before this frame's side info its audio data starts (the bit reservoir)."""
    header = FrameHeader.parse(frame)
    at = header.data_offset
    return int(frame[at]) << 1 | int(frame[at + 1]) >> 7


def block_types(frame: bytes | memoryview) -> tuple[int, ...]:
    """Read the MDCT block type of each granule and channel (0 long, 1 start, 2 short, 3 stop).

    A decoder overlaps each granule with the one before it; a join between two encodings is
    only clean where the block types on both sides follow each other as they did when encoded.
    """
    header = FrameHeader.parse(frame)
    channels = 1 if header.mode is ChannelMode.MONO else 2
    start = header.data_offset
    bits = int.from_bytes(frame[start : start + header.side_info_size], "big")
    pos = header.side_info_size * 8 - 9 - (5 if channels == 1 else 3) - 4 * channels
    types = []
    for _ in range(2 * channels):  # granule 0 then 1, each channel in turn
        pos -= 12 + 9 + 8 + 4  # part2_3_length, big_values, global_gain, scalefac_compress
        switching = (bits >> (pos - 1)) & 1
        types.append((bits >> (pos - 3)) & 3 if switching else 0)
        pos -= 1 + 22 + 3  # window_switching_flag, its 22 bits, preflag/scale/count1 table
    return tuple(types)


class FrameSplitter:
    """Cut the byte chunks an encoder returns into whole frames."""

    def __init__(self) -> None:
        """Start with nothing buffered."""
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[bytes]:
        """Add encoder output; return the frames it completed, in order.

        Raises:
            Mp3FormatError: the bytes are not a sequence of MPEG-1 Layer III frames.
        """
        buffer = self._buffer
        buffer += data
        frames = []
        at = 0
        with memoryview(buffer) as view:
            while len(buffer) - at >= 4:
                size = _SIZES.get(buffer[at + 1] << 8 | buffer[at + 2], 0)
                if buffer[at] != 0xFF or not size:
                    size = FrameHeader.parse(buffer, at).size  # says what is wrong
                if len(buffer) - at < size:
                    break
                frames.append(bytes(view[at : at + size]))
                at += size
        del buffer[:at]
        return frames

    def close(self) -> None:
        """Check that the stream ended on a frame boundary.

        Raises:
            Mp3FormatError: bytes are left over.
        """
        if self._buffer:
            raise Mp3FormatError(f"{len(self._buffer)} stray bytes after the last MPEG frame")


def lame_version(audio: bytes) -> bytes:
    """Find the 9-byte encoder version for the LAME tag where LAME signs its stuffing bytes.

    Readers (mutagen among them) ignore a LAME tag without a version number, so when ``audio``
    holds no signature the answer is a plausible LAME version rather than none.
    """
    found = re.search(rb"LAME[0-9]\.[0-9]{1,3}[abr]?", audio)
    return (found.group() if found else b"LAME3.100")[:9].ljust(9, b"\0")


@dataclass(frozen=True)
class InfoTag:
    """What the Info frame says about the stream that follows it."""

    frames: int
    """Audio frames after the Info frame."""
    stream_bytes: int
    """Bytes of the whole MPEG stream, the Info frame included (ID3 tags excluded)."""
    toc: bytes
    """100 seek points: byte position at each percent of the duration, in 256ths of the stream."""
    quality: int
    """LAME quality (0 best, 9 fastest)."""
    bitrate: int
    """The stream's constant bitrate in kb/s."""
    delay: int
    """Encoder delay: priming samples before the audio."""
    padding: int
    """Samples after the audio that fill the last frame."""
    music_crc: int
    """CRC-16 of the audio frames after the Info frame."""
    version: bytes = b"LAME\0\0\0\0\0"
    """The encoder's 9-byte version string."""


def cbr_toc(offsets: npt.NDArray[np.int64], stream_bytes: int) -> bytes:
    """Build the Xing seek table from the byte offset of every audio frame in the stream."""
    import numpy as np  # noqa: PLC0415 (slow import, only when encoding)

    if len(offsets) == 0:
        return bytes(100)
    index = np.minimum(np.arange(100) * len(offsets) // 100, len(offsets) - 1)
    points = np.minimum(256 * offsets[index] // max(stream_bytes, 1), 255)
    points[0] = 0
    return points.astype(np.uint8).tobytes()


def build_info_frame(first: FrameHeader, tag: InfoTag) -> bytes:
    """Build the Xing "Info" frame with the LAME extension, shaped like the first audio frame.

    Args:
        first: the header of the first audio frame (rate, channel mode, flags are copied).
        tag: what to write.

    Returns:
        The frame: silent to decoders that do not know the tag, a guide to those that do.
    """
    header = FrameHeader(
        bitrate=info_bitrate(tag.bitrate, first.rate, first.mode),
        rate=first.rate,
        padding=False,
        mode=first.mode,
        tail=first.tail,
    )
    frame = bytearray(header.size)
    frame[:4] = header.to_bytes()
    at = 4 + header.side_info_size
    xing = b"Info" + struct.pack(">III", 0x0F, tag.frames, tag.stream_bytes) + tag.toc
    xing += struct.pack(">I", 100 - 10 * _LAME_VBR_Q - tag.quality)
    frame[at : at + _XING_SIZE] = xing
    source = {32000: 0, 44100: 1, 48000: 2}[first.rate]
    misc = source << 6 | first.mode.lame_code << 2
    delays = tag.delay << 12 | tag.padding
    lame = tag.version + bytes((_CBR_METHOD, 0)) + bytes(4 + 2 + 2 + 1)
    lame += bytes((min(tag.bitrate, 255),)) + delays.to_bytes(3, "big") + bytes((misc, 0))
    lame += bytes(2) + struct.pack(">IH", tag.stream_bytes, tag.music_crc)
    at += _XING_SIZE
    frame[at : at + _LAME_SIZE - 2] = lame
    crc_at = at + _LAME_SIZE - 2  # the CRC covers the frame up to itself, as LAME computes it
    frame[crc_at : crc_at + 2] = struct.pack(">H", crc16(bytes(frame[:crc_at])))
    return bytes(frame)
