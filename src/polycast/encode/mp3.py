"""Encode a timeline to a constant-bitrate MP3 that players know the exact length of.

The audio is streamed from ``Timeline.blocks()`` through LAME (lameenc) and written frame by
frame, so an hour never sits in memory. LAME's bare frames are preceded by a Xing/LAME "Info"
frame (built in ``polycast.encode.bitstream``) holding the frame and byte counts, a seek table
and the encoder delay and padding: podcast apps show the right duration, seek exactly, and
gapless decoders trim the priming samples so the decoded audio has the timeline's length.
"""

from __future__ import annotations

import functools
import io
import logging
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO

from polycast.encode import bitstream
from polycast.encode.bitstream import ENCODER_DELAY, SAMPLES_PER_FRAME, FrameHeader, FrameSplitter
from polycast.encode.crc16 import Crc16
from polycast.errors import (
    ConfigError,
    EncodeError,
    InputError,
    JoinError,
    Mp3FormatError,
    OutputError,
)
from polycast.models import RunStore, Timeline

if TYPE_CHECKING:
    import lameenc
    import numpy as np
    import numpy.typing as npt

log = logging.getLogger(__name__)

_BLOCK_FRAMES = 64  # MP3 frames of PCM handed to LAME per call: big enough to amortise the call


@dataclass(frozen=True)
class Mp3Settings:
    """How to encode: constant bitrate and LAME's quality/speed trade-off."""

    bitrate: int = 64
    """Kilobits per second; one of ``bitstream.BITRATES`` (32 to 320). 64 suits speech."""
    quality: int = 5
    """LAME's algorithm quality, 0 (best, slowest) to 9 (fastest); 5 is fast, clean for speech."""

    def check(self, rate: int, channels: int) -> None:
        """Check these settings can encode audio at ``rate`` with ``channels``.

        Raises:
            ConfigError: a bitrate, quality, rate or channel count MP3 does not allow.
        """
        if rate not in bitstream.RATES:
            raise ConfigError(
                f"cannot encode MP3 at {rate} Hz: supported rates are 32000, 44100 and 48000"
            )
        if self.bitrate not in bitstream.BITRATES:
            allowed = ", ".join(map(str, bitstream.BITRATES))
            raise ConfigError(f"MP3 bitrate {self.bitrate} kb/s is not one of {allowed}")
        if not 0 <= self.quality <= 9:
            raise ConfigError(f"LAME quality {self.quality} is out of range: use 0 (best) to 9")
        if channels not in (1, 2):
            raise ConfigError(f"cannot encode {channels} channels to MP3: use 1 or 2")

    def salt(self, rate: int, channels: int) -> str:
        """Name these settings at ``rate`` and ``channels`` in the keys of kept frames."""
        return f"mp3 {self.bitrate} {self.quality} {rate} {channels}"


@dataclass(frozen=True)
class EncodeReport:
    """What ``encode_mp3`` wrote."""

    frames: int
    """Audio frames, not counting the Info frame."""
    bytes: int
    """Bytes written, the Info frame included."""
    samples: int
    """Sample frames of audio encoded (the timeline's length)."""
    rate: int
    """Sample rate."""
    encoder_delay: int
    """Priming samples before the audio in the first frames."""
    encoder_padding: int
    """Samples after the audio that fill the last frame."""
    info_frame: bool
    """Whether the Info frame was written (it needs a seekable output)."""
    workers: int = 1
    """Encoders that ran in parallel."""
    joins: tuple[int, ...] = ()
    """Frames where one parallel stretch took over from the previous one (empty for one pass).

    Frame ``g`` starts at sample ``g * 1152 - encoder_delay`` of the decoded audio.
    """

    @property
    def duration(self) -> float:
        """Seconds of audio, exactly as a gapless decoder plays them."""
        return self.samples / self.rate


def encode_mp3(
    timeline: Timeline,
    out: BinaryIO,
    settings: Mp3Settings | None = None,
    workers: int = 1,
    store: RunStore | None = None,
) -> EncodeReport:
    """Encode ``timeline`` as CBR MP3 into ``out``, streaming block by block.

    The MP3 starts at ``out``'s current position (an ID3 tag may precede it). On a seekable
    ``out`` the first frame is reserved and filled with the Info frame at the end; on a pipe the
    Info frame is left out and players must estimate the length.

    Args:
        timeline: the mixed episode, at 32000, 44100 or 48000 Hz, mono or stereo.
        out: a binary stream open for writing.
        settings: bitrate and quality; defaults to 64 kb/s, quality 5.
        workers: encoders to run in parallel (threads; LAME runs without the GIL). Stretches of
            the timeline are joined at frame boundaries where the decoded audio is continuous.
        store: where the frames of the timeline's runs are kept between builds: a run encoded
            before (same audio, same settings) is not encoded again.

    Returns:
        Frame and byte counts, duration, encoder delay and padding.

    Raises:
        ConfigError: settings MP3 or this encoder cannot use.
        EncodeError: LAME failed or the timeline's blocks are not int16 PCM.
        OutputError: ``out`` could not be written.
    """
    from polycast.encode.parallel import parallel_frames  # noqa: PLC0415 (slow: numpy)

    settings = settings or Mp3Settings()
    settings.check(timeline.rate, timeline.channels)
    if workers < 1:
        raise ConfigError(f"workers must be at least 1, not {workers}")
    rate, channels = timeline.rate, timeline.channels
    writer = _FrameWriter(out, settings, rate, channels)
    joins: list[int] = []
    if timeline.runs or (workers > 1 and timeline.length >= _min_parallel_length(rate, workers)):
        encoder = functools.partial(encode_frames, settings=settings, rate=rate, channels=channels)
        salt = settings.salt(rate, channels)
        batches = parallel_frames(timeline, workers, encoder, pcm_blocks, joins, store, salt)
    else:
        workers = 1
        batches = encode_frames(pcm_blocks(timeline.blocks(), channels), settings, rate, channels)
    try:
        for batch in batches:
            writer.write(batch)
    except JoinError as e:
        raise EncodeError(f"parallel MP3 encoding failed: {e}") from e
    return writer.finish(timeline.length, workers, tuple(joins))


def _min_parallel_length(rate: int, workers: int) -> int:
    """Below this many samples, parallel encoding costs more than it saves."""
    return 5 * rate * workers


def new_encoder(settings: Mp3Settings, rate: int, channels: int) -> lameenc.Encoder:
    """Make a LAME encoder for CBR at the input's own rate (LAME would otherwise resample).

    Raises:
        EncodeError: LAME refused the settings.
    """
    import lameenc  # noqa: PLC0415 (slow import, only when encoding)

    try:
        encoder = lameenc.Encoder()
        encoder.set_bit_rate(settings.bitrate)
        encoder.set_in_sample_rate(rate)
        encoder.set_out_sample_rate(rate)
        encoder.set_channels(channels)
        encoder.set_quality(settings.quality)
        encoder.silence()
    except (RuntimeError, ValueError) as e:
        raise EncodeError(f"LAME refused {settings} at {rate} Hz: {e}") from e
    return encoder


def encode_frames(
    blocks: Iterable[bytes], settings: Mp3Settings, rate: int, channels: int
) -> Iterator[list[bytes]]:
    """Encode interleaved 16-bit PCM ``blocks`` with one LAME encoder; yield frames in batches.

    Raises:
        EncodeError: LAME failed or wrote something that is not MPEG-1 Layer III frames.
    """
    encoder = new_encoder(settings, rate, channels)
    splitter = FrameSplitter()
    try:
        for block in blocks:  # LAME needs one call, even empty, before it can flush
            yield splitter.feed(bytes(encoder.encode(block)))
        yield splitter.feed(bytes(encoder.flush()))
        splitter.close()
    except (RuntimeError, Mp3FormatError) as e:
        raise EncodeError(f"LAME failed: {e}") from e


def pcm_blocks(blocks: Iterable[npt.NDArray[np.int16]], channels: int) -> Iterator[bytes]:
    """Turn a timeline's blocks into little-endian bytes in chunks of whole MP3 frames.

    Raises:
        EncodeError: a block is not int16 or splits a sample frame across channels.
    """
    import numpy as np  # noqa: PLC0415 (slow import, only when encoding)

    chunk = _BLOCK_FRAMES * SAMPLES_PER_FRAME * channels * 2
    pending = bytearray()
    for block in blocks:
        if block.dtype != np.int16 or block.ndim != 1 or len(block) % channels:
            raise EncodeError(
                f"timeline block of {block.dtype} {block.shape} is not interleaved int16 PCM "
                f"for {channels} channel(s): the mix stage produced a bad block"
            )
        pending += block.astype("<i2", copy=False).tobytes()
        if len(pending) >= chunk:
            yield bytes(pending)
            pending.clear()
    yield bytes(pending)


class _FrameWriter:
    """Writes frames to ``out`` and keeps what the Info frame needs: counts, offsets, CRC."""

    def __init__(self, out: BinaryIO, settings: Mp3Settings, rate: int, channels: int) -> None:
        self._out = out
        self._settings = settings
        self._rate = rate
        self._start = _position(out)
        mode = bitstream.ChannelMode.MONO if channels == 1 else bitstream.ChannelMode.STEREO
        reserved = bitstream.frame_size(bitstream.info_bitrate(settings.bitrate, rate, mode), rate)
        self._reserved = reserved if self._start is not None else 0
        self._offsets = array("q")
        self._bytes = self._reserved
        self._crc = Crc16()
        self._first: FrameHeader | None = None
        if self._reserved:
            self._write(bytes(self._reserved))

    def write(self, frames: list[bytes]) -> None:
        """Append ``frames`` to the output."""
        if not frames:
            return
        for frame in frames:
            self._offsets.append(self._bytes)
            self._bytes += len(frame)
        data = b"".join(frames)
        if self._first is None:
            self._first = FrameHeader.parse(data)
        self._crc.update(data)
        self._write(data)

    def finish(self, samples: int, workers: int, joins: tuple[int, ...]) -> EncodeReport:
        """Fill in the Info frame and say what was written.

        Raises:
            EncodeError: fewer frames than the samples need (an encoder bug).
            OutputError: ``out`` could not be written.
        """
        frames = len(self._offsets)
        if self._first is None:
            raise EncodeError("LAME wrote no MP3 frames")
        padding = frames * SAMPLES_PER_FRAME - ENCODER_DELAY - samples
        if padding < 0 or padding >= 1 << 12:
            raise EncodeError(
                f"{frames} MP3 frames cannot hold {samples} samples: the encoder lost audio"
            )
        if self._start is not None:
            self._write_info(self._start, self._first, frames, padding)
        else:
            log.warning("MP3 output is not seekable: written without the Info frame")
        return EncodeReport(
            frames=frames,
            bytes=self._bytes,
            samples=samples,
            rate=self._rate,
            encoder_delay=ENCODER_DELAY,
            encoder_padding=padding,
            info_frame=self._start is not None,
            workers=workers,
            joins=joins,
        )

    def _write_info(self, start: int, first: FrameHeader, frames: int, padding: int) -> None:
        import numpy as np  # noqa: PLC0415 (slow import, only when encoding)

        tag = bitstream.InfoTag(
            frames=frames,
            stream_bytes=self._bytes,
            toc=bitstream.cbr_toc(np.frombuffer(self._offsets, dtype=np.int64), self._bytes),
            quality=self._settings.quality,
            bitrate=self._settings.bitrate,
            delay=ENCODER_DELAY,
            padding=padding,
            music_crc=self._crc.value,
            version=_lame_version(),
        )
        info = bitstream.build_info_frame(first, tag)
        if len(info) != self._reserved:
            raise EncodeError(f"Info frame of {len(info)} bytes does not fit {self._reserved}")
        try:
            end = self._out.tell()
            self._out.seek(start)
            self._out.write(info)
            self._out.seek(end)
        except OSError as e:
            raise OutputError(f"cannot write the MP3 Info frame: {e.strerror or e}") from e

    def _write(self, data: bytes) -> None:
        try:
            self._out.write(data)
        except OSError as e:
            raise OutputError(f"cannot write MP3: {e.strerror or e}") from e


@functools.cache
def _lame_version() -> bytes:
    """Find the version of the LAME inside lameenc, in the stuffing of a silent encode."""
    encoder = new_encoder(Mp3Settings(bitrate=320, quality=9), 44100, 1)
    silence = bytes(2 * SAMPLES_PER_FRAME * 4)
    return bitstream.lame_version(bytes(encoder.encode(silence)) + bytes(encoder.flush()))


def _position(out: BinaryIO) -> int | None:
    """Where ``out`` stands, or None when it cannot seek back there."""
    try:
        return out.tell() if out.seekable() else None
    except (OSError, ValueError):
        return None


def decode_mp3(source: bytes | BinaryIO) -> tuple[npt.NDArray[np.int16], int, int]:
    """Decode an MP3 (libsndfile's mpg123, no ffmpeg) to interleaved int16 PCM.

    Gapless: the Info frame's encoder delay and padding are trimmed, so audio polycast encoded
    decodes to exactly the timeline's samples.

    Args:
        source: the MP3's bytes, or a binary stream positioned at its start.

    Returns:
        ``(samples, rate, channels)``; ``samples`` interleaved like ``Timeline.pcm()``.

    Raises:
        InputError: the data is not an MP3 libsndfile can decode.
    """
    import numpy as np  # noqa: PLC0415 (slow import, only when decoding)
    import soundfile  # noqa: PLC0415 (slow import, only when decoding)

    stream = io.BytesIO(source) if isinstance(source, bytes) else source
    try:
        data, rate = soundfile.read(stream, dtype="int16", always_2d=True)
    except (RuntimeError, soundfile.LibsndfileError, TypeError) as e:
        raise InputError(f"cannot decode MP3: {e}") from e
    channels = int(data.shape[1])
    return np.ascontiguousarray(data).reshape(-1), int(rate), channels
