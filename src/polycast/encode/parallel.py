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

import dataclasses
import functools
import struct
from array import array
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from polycast.encode.bitstream import (
    ENCODER_DELAY,
    SAMPLES_PER_FRAME,
    FrameHeader,
    block_types,
    main_data_begin,
)
from polycast.errors import JoinError
from polycast.models import Run, RunStore, Timeline

PRE_ROLL = 16
"""Frames a stretch encodes before its nominal start, to settle the encoder."""
POST_ROLL = 16
"""Frames a stretch encodes after its nominal end, so the join can move forward."""
SEARCH = 12
"""How far (frames) from the nominal boundary a join may move."""
STRETCH_SECONDS = 30
"""Longest stretch one thread encodes; keeps memory flat for long episodes."""
SHARED_SECONDS = 5
"""Runs fewer than the encoders are cut to share the work only when each gets this much audio:
a shorter stretch costs more in its pre- and post-roll than its encoder saves."""
QUIET_FRAMES = 3
"""A join between runs lies this many frames into the silence between them, or more: there
both encodings hold nothing but silence, so their windows overlap without a seam."""

_S = SAMPLES_PER_FRAME
PcmChunker = Callable[[Iterable[npt.NDArray[np.int16]], int], Iterator[bytes]]
"""Turns a timeline's blocks (and its channel count) into PCM bytes."""
FrameEncoder = Callable[[Iterable[bytes]], Iterator[list[bytes]]]
"""Encodes PCM bytes with one fresh LAME encoder, yielding frames in batches."""


@dataclass(frozen=True)
class _Job:
    """One stretch to encode: ``pad_before`` zeros, timeline samples ``[start, stop)``, zeros.

    Its input begins at global frame ``first`` (sample ``first * 1152``); it takes over from the
    stretch before at a frame in ``[lo, hi]``, as near ``boundary`` as it can.
    """

    first: int
    boundary: int
    lo: int
    hi: int
    start: int
    stop: int | None
    pad_before: int
    pad_after: int
    key: str | None


@dataclass
class _Stretch:
    """One encoding: its input starts at global frame ``first`` (sample ``first * 1152``)."""

    job: _Job
    frames: list[bytes]
    read: Callable[[], bytes]
    _pcm: bytes | None = None

    @property
    def first(self) -> int:
        return self.job.first

    @property
    def pcm(self) -> bytes:
        """The stretch's input (read again only when two stretches must be encoded as one)."""
        if self._pcm is None:
            self._pcm = self.read()
        return self._pcm


def parallel_frames(  # noqa: PLR0917 (the timeline, how to encode it, what to keep)
    timeline: Timeline,
    workers: int,
    encoder: FrameEncoder,
    chunker: PcmChunker,
    joins: list[int] | None = None,
    store: RunStore | None = None,
    salt: str = "",
) -> Iterator[list[bytes]]:
    """Yield the MP3 frames of ``timeline`` in order, encoded by ``workers`` threads.

    A timeline cut into runs is encoded run by run, each run alone (silence before and after
    it), so a run's frames depend on nothing else and ``store`` can keep them for the next
    build; a run longer than ``STRETCH_SECONDS`` is split into overlapping stretches. A timeline
    without runs is cut into ``workers`` stretches or more. About ``workers + 2`` stretches are
    in memory at once.

    Args:
        timeline: the audio.
        workers: threads to encode with.
        encoder: encodes one stretch (a fresh LAME encoder each call, same settings).
        chunker: turns the timeline's blocks into PCM bytes (checks them on the way).
        joins: if given, receives the global frame index of every join made.
        store: where encoded stretches of runs are kept and found.
        salt: names the encoder settings in the keys of kept stretches.

    Raises:
        JoinError: re-encoding two stretches as one did not reproduce the frames written.
    """
    width = 2 * timeline.channels
    jobs = _plan(timeline, workers)
    chain = _Chain(functools.partial(_encode, encoder, width), width, joins)
    run = functools.partial(_run_job, timeline, chunker, encoder, width, store, salt)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="mp3") as pool:
        pending: deque[Future[_Stretch]] = deque()
        for k, job in enumerate(jobs):
            pending.append(pool.submit(run, job))
            while len(pending) > workers or (k + 1 == len(jobs) and pending):
                yield chain.add(pending.popleft().result())
    yield chain.rest()


Stretches = list[list[_Job]]
"""A timeline's stretches, run by run."""


def run_jobs(timeline: Timeline, workers: int) -> Stretches:
    """Return the stretches of every run, as ``parallel_frames`` cuts them with ``workers``."""
    return _plan_runs(timeline, workers)


def keep_stretch(  # noqa: PLR0917 (the stretch, how to encode it, where to keep it)
    timeline: Timeline,
    job: _Job,
    encoder: FrameEncoder,
    chunker: PcmChunker,
    store: RunStore,
    salt: str,
) -> None:
    """Encode one stretch into ``store`` (unless kept there), where ``parallel_frames`` finds it."""
    _run_job(timeline, chunker, encoder, 2 * timeline.channels, store, salt, job)


def _plan(timeline: Timeline, workers: int) -> list[_Job]:
    """Cut the timeline into stretches: its runs' (``_plan_runs``), in order."""
    return [job for run in _plan_runs(timeline, workers) for job in run]


def _plan_runs(timeline: Timeline, workers: int) -> list[list[_Job]]:
    """Cut the timeline into stretches, run by run: each run, split further if it is long.

    With fewer runs than encoders (a preview is often one run), the runs are cut as a timeline
    without runs is, into ``workers`` stretches or more, so no encoder sits idle. With
    as many runs as encoders or more, a run is split only past ``STRETCH_SECONDS``: its frames
    then do not depend on the runs around it, and a rebuild can take them from the store.
    """
    rate, length = timeline.rate, timeline.length
    total = (length + ENCODER_DELAY) // _S
    shared = max(
        4 * (PRE_ROLL + POST_ROLL), min(STRETCH_SECONDS * rate // _S, -(-total // workers))
    )
    if not timeline.runs:
        return [_run_jobs(0, length, True, shared, None)]
    size = max(4 * (PRE_ROLL + POST_ROLL), STRETCH_SECONDS * rate // _S)
    if len(timeline.runs) < workers and length >= SHARED_SECONDS * rate * workers:
        size = shared
    plan: list[list[_Job]] = []
    for k, run in enumerate(timeline.runs):
        last = k + 1 == len(timeline.runs)
        found = _run_jobs(run.start, run.end, last, _shared(run, size, workers, rate), run.key)
        if k:
            quiet_from = timeline.runs[k - 1].end - timeline.runs[k - 1].quiet
            boundary = run.start // _S
            lo = max(boundary - PRE_ROLL + 2, -(-(quiet_from + ENCODER_DELAY) // _S) + QUIET_FRAMES)
            found[0] = dataclasses.replace(found[0], lo=lo, hi=boundary - 2)
        plan.append(found)
    return plan


def _shared(run: Run, size: int, workers: int, rate: int) -> int:
    """Return the stretch size for ``run``: cut between the encoders when each gets enough.

    A rebuild after an edit encodes one run again, and the mix hands each run to the encoders
    as soon as it is rendered: a run of ``SHARED_SECONDS`` a worker or more keeps them all busy.
    """
    frames = (run.end + ENCODER_DELAY) // _S - run.start // _S  # as many as _run_jobs cuts
    if workers < 2 or run.end - run.start < SHARED_SECONDS * rate * workers:
        return size
    return min(size, max(4 * (PRE_ROLL + POST_ROLL), -(-frames // workers)))


def _run_jobs(start: int, end: int, last: bool, size: int, key: str | None) -> list[_Job]:
    """Plan the stretches of one run ``[start, end)``: silence outside it, real audio inside.

    The first run starts at 0 and needs no silence before it; the last is flushed to its end as
    a single pass would be. Every other run starts on a frame boundary.
    """
    origin = start // _S
    pad = 0 if start == 0 else PRE_ROLL * _S
    total = (end + ENCODER_DELAY) // _S if last else end // _S
    size = _even(total - origin, size)
    jobs: list[_Job] = []
    boundary = origin
    while True:
        first = origin - pad // _S if boundary == origin else boundary - PRE_ROLL
        read_from = start if boundary == origin else first * _S
        before = pad if boundary == origin else 0
        following = boundary + size
        window = (boundary - SEARCH, boundary + SEARCH)
        if following + POST_ROLL + 2 >= total:
            stop = None if last else end
            after = 0 if last else POST_ROLL * _S
            jobs.append(_job(first, boundary, window, (read_from, stop, before, after), key))
            return jobs
        stop = (following + POST_ROLL) * _S
        jobs.append(_job(first, boundary, window, (read_from, stop, before, 0), key))
        boundary = following


def _even(frames: int, size: int) -> int:
    """Return a stretch size for ``frames`` frames: as few stretches of at most ``size``, equal.

    A run re-encoded alone after an edit is its stretches side by side: 34 s as 17 + 17 keeps
    two encoders busy to the end, where 30 + 4 would leave one waiting on the other.

    >>> _even(1300, 1000), _even(1000, 1000), _even(2001, 1000)
    (650, 1000, 667)
    """
    count = max(1, -(-frames // size))
    return max(1, -(-frames // count))


def _job(
    first: int,
    boundary: int,
    window: tuple[int, int],
    reads: tuple[int, int | None, int, int],
    run: str | None,
) -> _Job:
    start, stop, before, after = reads
    key = (
        None
        if run is None
        else f"{run}:{first - start // _S}:{stop and stop - start}:{before}:{after}"
    )
    return _Job(first, boundary, window[0], window[1], start, stop, before, after, key)


def _run_job(  # noqa: PLR0917
    timeline: Timeline,
    chunker: PcmChunker,
    encoder: FrameEncoder,
    width: int,
    store: RunStore | None,
    salt: str,
    job: _Job,
) -> _Stretch:
    """Encode one stretch, or take its frames from ``store``."""
    read = functools.partial(_read, timeline, chunker, width, job)
    if job.key is None or store is None:
        return _encode(encoder, width, job, read())
    key = f"{salt}|{job.key}"
    kept = _frames_from(store.get("frames", key))
    if kept is not None:
        return _Stretch(job, kept, read)
    stretch = _encode(encoder, width, job, read())
    store.put("frames", key, _frames_to(stretch.frames))
    return stretch


def _read(timeline: Timeline, chunker: PcmChunker, width: int, job: _Job) -> bytes:
    """Return a stretch's input: its silence and its samples of the timeline, as PCM bytes."""
    stop = timeline.length if job.stop is None else job.stop
    data = b"".join(chunker(timeline.blocks(job.start, stop), timeline.channels))
    return bytes(job.pad_before * width) + data + bytes(job.pad_after * width)


def _encode(encoder: FrameEncoder, width: int, job: _Job, pcm: bytes) -> _Stretch:
    """Encode ``pcm`` as the stretch ``job`` with one fresh encoder."""
    chunk = 64 * _S * width
    blocks = (pcm[at : at + chunk] for at in range(0, len(pcm), chunk))
    frames = [frame for batch in encoder(blocks) for frame in batch]
    return _Stretch(job, frames, lambda: pcm, pcm)


def _frames_to(frames: list[bytes]) -> bytes:
    """Serialise frames for the store: their count, their lengths, their bytes."""
    sizes = array("I", (len(f) for f in frames))
    return struct.pack("<I", len(frames)) + sizes.tobytes() + b"".join(frames)


def _frames_from(data: bytes | None) -> list[bytes] | None:
    """Read what ``_frames_to`` wrote; None for nothing or something damaged."""
    if data is None or len(data) < 4:
        return None
    (count,) = struct.unpack_from("<I", data)
    sizes = array("I")
    sizes.frombytes(data[4 : 4 + 4 * count])
    if len(sizes) != count or 4 + 4 * count + sum(sizes) != len(data):
        return None
    frames, at = [], 4 + 4 * count
    for size in sizes:
        frames.append(data[at : at + size])
        at += size
    return frames


class _Chain:
    """Joins stretches in order, holding back the frames of the latest until the next arrives."""

    def __init__(
        self, encode: Callable[[_Job, bytes], _Stretch], width: int, joins: list[int] | None
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
            merged = self.encode(dataclasses.replace(current.job, key=None), head + following.pcm)
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
    """Find the frame nearest ``after``'s boundary, in its window, where ``after`` can take over."""
    target, lo, hi = after.job.boundary, after.job.lo, after.job.hi
    for g in sorted(range(lo, hi + 1), key=lambda g: (abs(g - target), g)):
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
