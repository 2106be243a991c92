"""The conditioned speech of an episode, on disk, so an hour of it never sits in memory.

Clips are appended as they arrive from the speak stage (one pass) and read back in pieces, any
number of times, while the episode is measured and encoded. The file is anonymous (unlinked as
soon as it is made), so it disappears when the process ends, even after a crash. Reads use
``pread``, so they never move a shared file position: threads, and processes forked after the
mix, read it safely.

A clip need not be made to be placed: ``reserve`` sets its samples' place aside and keeps what
they are made from (a cached clip, still encoded) in a second anonymous file; the first read
that reaches them makes them. A rebuild reads only the runs an edit touched, so the clips of
the others are never decoded.
"""

from __future__ import annotations

import bisect
import os
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from polycast.errors import EngineError, OutputError

Maker = Callable[[bytes], npt.NDArray[Any]]
"""Makes set-aside samples from what they are made from (a clip's kept form)."""


@dataclass
class _Waiting:
    """Samples set aside: where their source waits in the side file, and how to make them."""

    frames: int
    at: int
    size: int
    make: Maker
    lock: threading.Lock = field(default_factory=threading.Lock)
    done: bool = False


class Spool:
    """An append-only store of samples of one type in an anonymous temporary file.

    float32 by default (speech, unquantised until the last step of the mix); the final mix,
    rendered once, is kept as int16.
    """

    def __init__(self, folder: Path | None = None, dtype: type[np.generic] = np.float32) -> None:
        """Create the store in ``folder`` (default: the system's temporary folder).

        Raises:
            OutputError: the temporary file cannot be created.
        """
        try:
            # Lives as long as the timeline reads from it, so no context manager here.
            self._file = tempfile.TemporaryFile(prefix="polycast-mix-", dir=folder)  # noqa: SIM115
        except OSError as e:
            where = folder or tempfile.gettempdir()
            raise OutputError(f"cannot create temporary audio in {where}: {e.strerror}") from e
        self.frames = 0
        """Samples written (or set aside) so far."""
        self.dtype = np.dtype(dtype)
        """The type of every sample stored."""
        self._folder = folder
        self._side: Spool | None = None
        self._waiting: dict[int, _Waiting] = {}
        self._starts: list[int] = []
        self._lock = threading.Lock()

    def append(self, audio: npt.NDArray[np.generic]) -> int:
        """Write ``audio`` at the end and return the sample offset it starts at.

        Raises:
            OutputError: the disk is full or the file cannot be written.
        """
        offset = self.frames
        try:
            self._file.write(np.ascontiguousarray(audio, dtype=self.dtype).tobytes())
        except OSError as e:
            raise OutputError(
                f"cannot write temporary audio: {e.strerror}; an hour of speech needs ~0.7 GB"
            ) from e
        self.frames += len(audio)
        return offset

    def reserve(self, frames: int, source: bytes, make: Maker) -> int:
        """Set ``frames`` samples aside at the end; ``make(source)`` makes them when first read.

        Returns:
            The sample offset they start at.

        Raises:
            OutputError: the side file cannot be made or written (disk full).
        """
        if self._side is None:
            self._side = Spool(self._folder, np.uint8)
        at = self._side.append(np.frombuffer(source, dtype=np.uint8))
        offset = self.frames
        with self._lock:
            self._waiting[offset] = _Waiting(frames, at, len(source), make)
            self._starts.append(offset)
        self.frames += frames
        self._file.seek(self.frames * self.dtype.itemsize)  # the next append goes after them
        return offset

    def write_at(self, offset: int, audio: npt.NDArray[np.generic]) -> None:
        """Write ``audio`` at sample ``offset`` (threads may write apart; gaps read as zeros).

        Raises:
            OutputError: the disk is full or the file cannot be written.
        """
        data = np.ascontiguousarray(audio, dtype=self.dtype).tobytes()
        try:
            written = os.pwrite(self._file.fileno(), data, offset * self.dtype.itemsize)
        except OSError as e:
            raise OutputError(f"cannot write temporary audio: {e.strerror}") from e
        if written != len(data):
            raise OutputError("cannot write temporary audio: the disk is full")

    def finish(self) -> None:
        """Flush what was appended (and set aside) so reads see all of it; appends may follow.

        Raises:
            OutputError: the flush failed (disk full).
        """
        try:
            self._file.flush()
        except OSError as e:
            raise OutputError(f"cannot write temporary audio: {e.strerror}") from e
        if self._side is not None:
            self._side.finish()

    def read(self, offset: int, count: int) -> npt.NDArray[Any]:
        """Return ``count`` samples starting at sample ``offset`` (read-only, of ``dtype``).

        Raises:
            OutputError: the file is shorter than promised (removed or cut by something else).
        """
        if self._waiting:
            self._make(offset, offset + count)
        width = self.dtype.itemsize
        size = count * width
        try:
            data = os.pread(self._file.fileno(), size, offset * width)
        except OSError as e:
            raise OutputError(f"cannot read temporary audio: {e.strerror}") from e
        if len(data) != size:
            raise OutputError("temporary audio was cut short while the episode was being made")
        return np.frombuffer(data, dtype=self.dtype)

    def _make(self, lo: int, hi: int) -> None:
        """Make every set-aside stretch that ``[lo, hi)`` reaches (each once, whoever asks).

        Raises:
            EngineError: the samples made are not as many as were set aside.
            OutputError: they cannot be written (disk full).
        """
        while (waiting := self._next_waiting(lo, hi)) is not None:
            offset, entry = waiting
            with entry.lock:
                if not entry.done:
                    self._fill(offset, entry)
                    entry.done = True
            with self._lock:
                if self._waiting.pop(offset, None) is not None:
                    self._starts.remove(offset)

    def _next_waiting(self, lo: int, hi: int) -> tuple[int, _Waiting] | None:
        """Return the first set-aside stretch that ``[lo, hi)`` reaches, or None."""
        with self._lock:
            k = max(0, bisect.bisect_right(self._starts, lo) - 1)
            for offset in self._starts[k:]:
                if offset >= hi:
                    return None
                entry = self._waiting[offset]
                if offset + entry.frames > lo:
                    return offset, entry
            return None

    def _fill(self, offset: int, entry: _Waiting) -> None:
        """Make one set-aside stretch and write it in its place."""
        if self._side is None:
            raise EngineError("set-aside samples without their source")  # cannot happen
        audio = entry.make(self._side.read(entry.at, entry.size).tobytes())
        if len(audio) != entry.frames:
            raise EngineError(
                f"a clip made {len(audio)} samples where {entry.frames} were set aside: the "
                "cache's note of it is wrong; build with --no-cache, or clear the cache folder"
            )
        self.write_at(offset, audio)

    def close(self) -> None:
        """Release the file (and with it the disk space)."""
        self._file.close()
        if self._side is not None:
            self._side.close()
        with self._lock:
            self._waiting.clear()
            self._starts.clear()
