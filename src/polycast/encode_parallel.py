"""Encode stretches of a timeline on several threads and join them without a seam.

LAME runs without the GIL, so threads encode stretches side by side. Two encodings of the same
audio cannot simply be cut and glued: an MP3 frame may keep part of its data in the frames
before it (the bit reservoir), and a decoder overlaps each granule with the one before it. So:

- every stretch after the first starts ``PRE_ROLL`` frames early and every stretch before the
  last runs ``POST_ROLL`` frames long, on the same frame grid as a single pass (stretches start
  on a multiple of 1152 samples), so around each nominal boundary both encodings hold frames
  for the same audio;
- the join is the nearest frame ``g`` to the boundary where the next stretch's frame needs no
  more reservoir bytes than the previous stretch leaves free (``main_data_begin``), and where
  the MDCT windows of the frames on either side meet (block types);
- the reservoir bytes the next stretch's frame ``g`` reads are copied into the free tail of the
  previous stretch's frames, where they sat in its own encoding.

Frames from ``g`` on then carry exactly the bits of their own encoding; the decoder's overlap at
``g`` joins two codings of the same audio, so the decoded audio runs on as a single pass would
(the tests measure the error around each join against a single pass). When no frame qualifies
(rare), the two stretches are encoded again as one: LAME is deterministic, so frames already
handed out stay valid.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from polycast.models import Timeline
from polycast.mp3frame import (
    ENCODER_DELAY,
    SAMPLES_PER_FRAME,
    FrameHeader,
    block_types,
    main_data_begin,
)

PRE_ROLL = 16
"""Frames a stretch encodes before its nominal start, to settle the encoder."""
POST_ROLL = 16
"""Frames a stretch encodes after its nominal end, so the join can move forward."""
SEARCH = 12
"""How far (frames) from the nominal boundary a join may move."""
STRETCH_SECONDS = 30
"""Longest stretch one thread encodes; keeps memory flat for long episodes."""

_S = SAMPLES_PER_FRAME
PcmChunker = Callable[[Iterable[npt.NDArray[np.int16]], int], Iterator[bytes]]
"""Turns a timeline's blocks (and its channel count) into PCM bytes."""
FrameEncoder = Callable[[Iterable[bytes]], Iterator[list[bytes]]]
"""Encodes PCM bytes with one fresh LAME encoder, yielding frames in batches."""


class JoinError(RuntimeError):
    """Two stretches could not be joined (an encoder that is not deterministic, or a bug)."""


@dataclass(frozen=True)
class _Stretch:
    """One encoding: its input starts at global frame ``first`` (sample ``first * 1152``)."""

    first: int
    boundary: int
    pcm: bytes
    frames: list[bytes]


def parallel_frames(
    timeline: Timeline,
    workers: int,
    encoder: FrameEncoder,
    chunker: PcmChunker,
    joins: list[int] | None = None,
) -> Iterator[list[bytes]]:
    """Yield the MP3 frames of ``timeline`` in order, encoded by ``workers`` threads.

    The timeline is read once, in order; about ``workers + 2`` stretches are in memory at once.

    Args:
        timeline: the audio.
        workers: threads to encode with.
        encoder: encodes one stretch (a fresh LAME encoder each call, same settings).
        chunker: turns the timeline's blocks into PCM bytes (checks them on the way).
        joins: if given, receives the global frame index of every join made.

    Raises:
        JoinError: re-encoding two stretches as one did not reproduce the frames written.
    """
    plan = _plan(timeline.length, timeline.rate, workers)
    width = 2 * timeline.channels
    reader = _Reader(chunker(timeline.blocks(), timeline.channels), width)
    chain = _Chain(_stretch_encoder(encoder, width), width, joins)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="mp3") as pool:
        pending: deque[Future[_Stretch]] = deque()
        for k, (first, boundary, stop) in enumerate(plan):
            last = k + 1 == len(plan)
            forget = None if last else plan[k + 1][0] * _S
            pcm = reader.take(first * _S, stop, forget)
            pending.append(pool.submit(chain.encode, first, boundary, pcm))
            while len(pending) > workers or (last and pending):
                yield chain.add(pending.popleft().result())
    yield chain.rest()


def _plan(length: int, rate: int, workers: int) -> list[tuple[int, int, int | None]]:
    """Cut the episode into stretches: (first frame, nominal boundary frame, stop sample).

    The last stretch's stop is None (to the end, flushed as a single pass would be).
    """
    total = (length + ENCODER_DELAY) // _S
    size = max(4 * (PRE_ROLL + POST_ROLL), min(STRETCH_SECONDS * rate // _S, -(-total // workers)))
    plan: list[tuple[int, int, int | None]] = []
    boundary = 0
    while True:
        first = max(0, boundary - PRE_ROLL)
        following = boundary + size
        if following + POST_ROLL + 2 >= total:
            plan.append((first, boundary, None))
            return plan
        plan.append((first, boundary, (following + POST_ROLL) * _S))
        boundary = following


def _stretch_encoder(encoder: FrameEncoder, width: int) -> Callable[..., _Stretch]:
    """Wrap ``encoder`` into a function that turns one stretch's PCM into a ``_Stretch``."""
    chunk = 64 * _S * width

    def encode(first: int, boundary: int, pcm: bytes) -> _Stretch:
        blocks = (pcm[at : at + chunk] for at in range(0, len(pcm), chunk))
        frames = [frame for batch in encoder(blocks) for frame in batch]
        return _Stretch(first, boundary, pcm, frames)

    return encode


class _Chain:
    """Joins stretches in order, holding back the frames of the latest until the next arrives."""

    def __init__(
        self, encode: Callable[..., _Stretch], width: int, joins: list[int] | None
    ) -> None:
        self.encode = encode
        self._width = width
        self._joins = joins
        self._current: _Stretch | None = None
        self._keep = 0  # global index of the current stretch's first frame not yet handed out

    def add(self, following: _Stretch) -> list[bytes]:
        """Join ``following`` after the current stretch; return the frames now final.

        Raises:
            JoinError: encoding two stretches as one did not reproduce the frames written.
        """
        current, keep = self._current, self._keep
        self._current = following
        if current is None:
            return []
        join = find_join(current, following)
        if join is None:
            head = current.pcm[: (following.first - current.first) * _S * self._width]
            merged = self.encode(current.first, current.boundary, head + following.pcm)
            at = keep - current.first
            if merged.frames[: at + 1] != current.frames[: at + 1]:
                raise JoinError("LAME did not reproduce a stretch it encoded before")
            self._current = merged
            return []
        if self._joins is not None:
            self._joins.append(join)
        kept = current.frames[keep - current.first : join - current.first]
        need = main_data_begin(following.frames[join - following.first])
        tail = _data_tail(following.frames[: join - following.first], need)
        self._keep = join
        return _with_data_tail(kept, tail)

    def rest(self) -> list[bytes]:
        """Return the frames of the last stretch not yet handed out."""
        if self._current is None:
            return []
        return self._current.frames[self._keep - self._current.first :]


def find_join(before: _Stretch, after: _Stretch) -> int | None:
    """Find the frame nearest ``after.boundary`` where ``after`` can take over from ``before``."""
    target = after.boundary
    for g in sorted(
        range(target - SEARCH, target + SEARCH + 1), key=lambda g: (abs(g - target), g)
    ):
        i, j = g - before.first, g - after.first
        if i < 1 or i + 3 > len(before.frames) or j < 2 or j >= len(after.frames):
            continue
        if main_data_begin(after.frames[j]) > main_data_begin(before.frames[i]):
            continue
        if _windows_meet(block_types(before.frames[i - 1]), block_types(after.frames[j])):
            return g
    return None


def _windows_meet(previous: tuple[int, ...], following: tuple[int, ...]) -> bool:
    """Whether the last granule of ``previous`` overlaps cleanly with the first of ``following``.

    Long-ending windows (long 0, stop 3) must meet long-starting ones (long 0, start 1); short-
    ending ones (start 1, short 2) must meet short-starting ones (short 2, stop 3).
    """
    channels = len(previous) // 2
    return all(
        (previous[channels + c] in (0, 3)) == (following[c] in (0, 1)) for c in range(channels)
    )


def _data_offset(frame: bytes) -> int:
    header = FrameHeader.parse(frame)
    return header.data_offset + header.side_info_size


def _data_tail(frames: list[bytes], count: int) -> bytes:
    """Return the last ``count`` bytes of the frames' main-data areas (the reservoir)."""
    parts: list[bytes] = []
    have = 0
    for frame in reversed(frames):
        if have >= count:
            break
        area = frame[_data_offset(frame) :]
        parts.append(area)
        have += len(area)
    if have < count:
        raise JoinError("MP3 frame reads reservoir bytes from before its stream started")
    joined = b"".join(reversed(parts))
    return joined[len(joined) - count :] if count else b""


def _with_data_tail(frames: list[bytes], tail: bytes) -> list[bytes]:
    """``frames`` with the end of their main-data areas overwritten by ``tail``."""
    result = list(frames)
    left = len(tail)
    index = len(result) - 1
    while left > 0:
        if index < 0:
            raise JoinError("no room in the previous stretch for the join's reservoir bytes")
        frame = bytearray(result[index])
        room = len(frame) - _data_offset(bytes(frame))
        n = min(room, left)
        frame[len(frame) - n :] = tail[left - n : left]
        result[index] = bytes(frame)
        left -= n
        index -= 1
    return result


class _Reader:
    """Reads a PCM byte stream once, handing out overlapping ranges of sample frames."""

    def __init__(self, chunks: Iterator[bytes], width: int) -> None:
        self._chunks = chunks
        self._width = width
        self._buffer = bytearray()
        self._base = 0  # sample frame at the start of the buffer

    def take(self, start: int, stop: int | None, forget_before: int | None) -> bytes:
        """Bytes of sample frames ``[start, stop)`` (``None``: to the end); then drop the past."""
        while stop is None or self._base + len(self._buffer) // self._width < stop:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._buffer += chunk
        end = None if stop is None else (stop - self._base) * self._width
        data = bytes(self._buffer[(start - self._base) * self._width : end])
        if forget_before is not None:
            del self._buffer[: (forget_before - self._base) * self._width]
            self._base = forget_before
        return data
