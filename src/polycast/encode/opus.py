"""Encode a timeline to Ogg Opus, the open podcast format, tagged with Vorbis comments and chapters.

libsndfile (from soundfile's wheel) holds the Opus encoder, so no system package or ffmpeg is
needed. The timeline's blocks are streamed into it (resampled to 48 kHz on the way when the mix
was made at another rate: Opus runs at 48 kHz only), so an hour never sits in memory.

Tags are Vorbis comments written with mutagen: TITLE, ARTIST, ALBUM, DATE, LANGUAGE, the artwork
as a METADATA_BLOCK_PICTURE linked by URL, and chapters in the convention podcast players read::

    CHAPTER001=00:00:00.000
    CHAPTER001NAME=Intro
    CHAPTER001URL=https://...

Opus moves peaks more than MP3 does: ``polycast.encode.formats.mix_for`` gives the mix the headroom.
"""

from __future__ import annotations

import base64
import logging
import string
import urllib.parse
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from polycast.encode.formats import OPUS_RATE
from polycast.errors import ConfigError, EncodeError, InputError, OutputError
from polycast.models import EpisodeInfo, TimedChapter, Timeline
from polycast.times import stamp, to_ms

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

log = logging.getLogger(__name__)

_MIN_KBPS, _MAX_KBPS = 6, 256  # per channel: the range libsndfile's Opus encoder accepts
_FRAMES_PER_WRITE = 48000  # sample frames handed to libsndfile per call


@dataclass(frozen=True)
class OpusSettings:
    """How to encode Opus: a target bitrate (Opus varies it with the speech)."""

    bitrate: int = 48
    """Kilobits per second for all channels together; 48 keeps speech clear, even in stereo."""

    def check(self, channels: int) -> None:
        """Check this bitrate suits ``channels``.

        Raises:
            ConfigError: the bitrate is outside 6 to 256 kb/s per channel, or the channels
                are not 1 or 2.
        """
        if channels not in (1, 2):
            raise ConfigError(f"cannot encode {channels} channels to Opus: use 1 or 2")
        low, high = _MIN_KBPS * channels, _MAX_KBPS * channels
        if not low <= self.bitrate <= high:
            raise ConfigError(
                f"Opus bitrate {self.bitrate} kb/s is out of range for {channels} channel(s): "
                f"use {low} to {high}"
            )

    @classmethod
    def from_toml(cls, table: Mapping[str, Any]) -> OpusSettings:
        """Build settings from a parsed ``[opus]`` table (``bitrate = 48``).

        Raises:
            ConfigError: an unknown key or a bitrate that is not a whole number.
        """
        unknown = sorted(set(table) - {"bitrate"})
        if unknown:
            raise ConfigError(f"opus.{unknown[0]}: unknown key (known: bitrate)")
        bitrate = table.get("bitrate", cls.bitrate)
        if not isinstance(bitrate, int) or isinstance(bitrate, bool):
            raise ConfigError(f"opus.bitrate must be a whole number of kb/s, not {bitrate!r}")
        return cls(bitrate=bitrate)


@dataclass(frozen=True)
class OpusReport:
    """What ``encode_opus`` wrote."""

    samples: int
    """Sample frames at 48 kHz written (what a decoder gives back)."""
    bytes: int
    """Bytes written."""
    resampled: bool
    """Whether the timeline was resampled to 48 kHz."""

    @property
    def duration(self) -> float:
        """Seconds of audio."""
        return self.samples / OPUS_RATE


def encode_opus(
    timeline: Timeline, out: BinaryIO, settings: OpusSettings | None = None
) -> OpusReport:
    """Encode ``timeline`` as Ogg Opus into ``out``, streaming block by block.

    Args:
        timeline: the mixed episode, mono or stereo, at any rate (48 kHz avoids resampling).
        out: a seekable binary stream open for writing, positioned at its start.
        settings: the bitrate; defaults to 48 kb/s.

    Returns:
        Samples and bytes written.

    Raises:
        ConfigError: a bitrate or channel count Opus cannot use.
        EncodeError: libsndfile refused the stream or the blocks are not int16 PCM.
        OutputError: ``out`` could not be written (disk full).
    """
    import soundfile  # noqa: PLC0415 (slow import, only when encoding)

    settings = settings or OpusSettings()
    channels = timeline.channels
    settings.check(channels)
    sink = _Sink(out)
    if timeline.rate != OPUS_RATE:
        log.info("resampling the episode from %d Hz to 48000 Hz for Opus", timeline.rate)
    blocks = _at_48k(timeline.blocks(), timeline.rate, channels)
    written = 0
    try:
        with soundfile.SoundFile(
            sink,
            "w",
            samplerate=OPUS_RATE,
            channels=channels,
            format="OGG",
            subtype="OPUS",
            compression_level=_compression_level(settings.bitrate, channels),
        ) as sound:
            for block in blocks:
                sound.write(block)
                written += len(block)
                sink.raise_error()
    except (soundfile.LibsndfileError, RuntimeError, ValueError) as e:
        sink.raise_error()
        raise EncodeError(f"the Opus encoder (libsndfile) failed: {e}") from e
    sink.raise_error()
    return OpusReport(samples=written, bytes=sink.bytes, resampled=timeline.rate != OPUS_RATE)


def _compression_level(kbps: int, channels: int) -> float:
    """Turn a bitrate into libsndfile's Opus compression level.

    libsndfile sets ``int((1 - level) * 250000 + 6000) * channels`` bits per second; the half bit
    keeps its truncation from landing one below.

    >>> round(_compression_level(48, 1), 6), round(_compression_level(262, 1), 6)
    (0.831998, -0.024002)
    """
    per_channel = kbps * 1000 / channels
    return 1.0 - (per_channel - _MIN_KBPS * 1000 + 0.5) / 250_000


def _at_48k(
    blocks: Iterable[npt.NDArray[np.int16]], rate: int, channels: int
) -> Iterator[npt.NDArray[np.int16]]:
    """Yield the timeline's blocks as (frames, channels) int16 at 48 kHz, in chunks of a second.

    Raises:
        EncodeError: a block is not interleaved int16 PCM.
    """
    import numpy as np  # noqa: PLC0415 (slow import, only when encoding)
    import soxr  # noqa: PLC0415 (slow import, only when encoding)

    resampler = (
        None if rate == OPUS_RATE else soxr.ResampleStream(rate, OPUS_RATE, channels, "int16")
    )
    pending: list[npt.NDArray[np.int16]] = []
    size = 0
    for block in blocks:
        if block.dtype != np.int16 or block.ndim != 1 or len(block) % channels:
            raise EncodeError(
                f"timeline block of {block.dtype} {block.shape} is not interleaved int16 PCM "
                f"for {channels} channel(s): the mix stage produced a bad block"
            )
        frames = block.reshape(-1, channels)
        if resampler is not None:
            frames = resampler.resample_chunk(frames)
        pending.append(frames)
        size += len(frames)
        if size >= _FRAMES_PER_WRITE:
            yield np.concatenate(pending)
            pending, size = [], 0
    if resampler is not None:
        pending.append(resampler.resample_chunk(np.zeros((0, channels), np.int16), last=True))
    if pending:
        yield np.concatenate(pending)


class _Sink:
    """The output stream as libsndfile sees it, keeping the write errors it would swallow.

    soundfile's virtual I/O cannot raise through libsndfile: an exception in a callback is
    printed and lost. So the first ``OSError`` is kept here and raised by ``raise_error``.
    """

    def __init__(self, out: BinaryIO) -> None:
        self._out = out
        self.error: OSError | None = None
        self.bytes = 0

    def write(self, data: bytes) -> int:
        if self.error is not None:
            return 0
        try:
            count = self._out.write(data)
        except OSError as e:
            self.error = e
            return 0
        self.bytes += count
        return count

    def read(self, size: int = -1) -> bytes:
        return self._out.read(size)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._out.seek(offset, whence)

    def tell(self) -> int:
        return self._out.tell()

    def raise_error(self) -> None:
        """Raise the write error libsndfile met, if any.

        Raises:
            OutputError: a write to the output failed.
        """
        if self.error is not None:
            e = self.error
            raise OutputError(f"cannot write the Opus episode: {e.strerror or e}") from e


def vorbis_comments(
    info: EpisodeInfo, chapters: Sequence[TimedChapter], rate: int
) -> list[tuple[str, str]]:
    """Return the episode's Vorbis comments: tags, then chapters in time order.

    Chapter times are ``times.to_ms`` of their sample starts, as in the MP3's CHAP frames and the
    JSON chapters, so every reader agrees to the millisecond.

    Args:
        info: title, author, album, date, language and extra tags.
        chapters: the timeline's chapters, sample times at ``rate``.
        rate: sample rate of the chapter times.
    """
    from polycast.encode.tag import iso639_2  # noqa: PLC0415 (see tag_opus)

    comments = [("TITLE", info.title)]
    for key, value in (("ARTIST", info.author), ("ALBUM", info.album), ("DATE", info.date)):
        if value:
            comments.append((key, value))
    language = iso639_2(info.language)
    comments.append(("LANGUAGE", language or info.language))
    comments.extend((key.upper(), value) for key, value in info.extra.items())
    if info.image:
        comments.append(("METADATA_BLOCK_PICTURE", _linked_picture(info.image)))
    ordered = sorted(chapters, key=lambda c: (c.start, c.end))
    for number, chapter in enumerate(ordered, start=1):
        key = f"CHAPTER{number:03d}"
        comments.append((key, stamp(to_ms(chapter.start, rate))))
        comments.append((f"{key}NAME", chapter.title or f"Chapter {number}"))
        if chapter.url:
            comments.append((f"{key}URL", chapter.url))
    return [(key, value.replace("\0", "")) for key, value in comments]


def _linked_picture(url: str) -> str:
    """Return a front-cover picture block holding, as in ID3, the picture's URL (MIME ``-->``)."""
    from mutagen.flac import Picture  # noqa: PLC0415 (every command reads OpusSettings; few tag)

    from polycast.encode.tag import LINKED_PICTURE  # noqa: PLC0415 (see tag_opus)

    picture: Any = Picture()  # type: ignore[no-untyped-call]
    link = urllib.parse.quote(url, safe=string.punctuation)  # a URL is ASCII; a link may be an IRI
    picture.type, picture.mime, picture.data = 3, LINKED_PICTURE, link.encode("ascii")
    return base64.b64encode(picture.write()).decode("ascii")


def tag_opus(path: Path, info: EpisodeInfo, chapters: Sequence[TimedChapter], rate: int) -> None:
    """Replace the Vorbis comments of the Ogg Opus file at ``path`` with the episode's, in place.

    Args:
        path: the Opus file (usually the build's temporary file).
        info: title, author, album, date, language.
        chapters: the timeline's chapters (sample times).
        rate: the timeline's sample rate.

    Raises:
        InputError: the file is not Ogg Opus.
        OutputError: the file could not be written.
    """
    # Every command reads OpusSettings (through the config); few tag, and mutagen and the tag
    # module take longer to import than an unchanged rebuild of an MP3 takes to run.
    import mutagen  # noqa: PLC0415
    from mutagen.oggopus import OggOpus  # noqa: PLC0415

    try:
        audio: Any = OggOpus(path)  # type: ignore[no-untyped-call]
        audio.tags.clear()
        for key, value in vorbis_comments(info, chapters, rate):
            audio.tags.append((key, value))
        audio.save()
    except (OSError, mutagen.MutagenError) as e:
        cause = e if isinstance(e, OSError) else e.__context__
        if isinstance(cause, OSError):  # mutagen wraps the I/O errors it meets
            raise OutputError(f"cannot tag {path}: {cause.strerror or cause}") from e
        raise InputError(f"cannot tag {path}: not an Ogg Opus file ({e})") from e
