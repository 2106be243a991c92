"""The conditioned speech of an episode, on disk, so an hour of it never sits in memory.

Clips are appended as they arrive from the speak stage (one pass) and read back in pieces, any
number of times, while the episode is measured and encoded. The file is anonymous (unlinked as
soon as it is made), so it disappears when the process ends, even after a crash. Reads use
``pread``, so they never move a shared file position: threads, and processes forked after the
mix, read it safely.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from polycast.errors import OutputError


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
        """Samples written so far."""
        self.dtype = np.dtype(dtype)
        """The type of every sample stored."""

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
        """Flush what was appended so reads see all of it.

        Raises:
            OutputError: the flush failed (disk full).
        """
        try:
            self._file.flush()
        except OSError as e:
            raise OutputError(f"cannot write temporary audio: {e.strerror}") from e

    def read(self, offset: int, count: int) -> npt.NDArray[Any]:
        """Return ``count`` samples starting at sample ``offset`` (read-only, of ``dtype``).

        Raises:
            OutputError: the file is shorter than promised (removed or cut by something else).
        """
        width = self.dtype.itemsize
        size = count * width
        try:
            data = os.pread(self._file.fileno(), size, offset * width)
        except OSError as e:
            raise OutputError(f"cannot read temporary audio: {e.strerror}") from e
        if len(data) != size:
            raise OutputError("temporary audio was cut short while the episode was being made")
        return np.frombuffer(data, dtype=self.dtype)

    def close(self) -> None:
        """Release the file (and with it the disk space)."""
        self._file.close()
