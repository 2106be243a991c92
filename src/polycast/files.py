"""Writing files so that a reader never sees half of one.

Every output (episode, companions, feed, cache entry) is written to a temporary file in the
target's own folder and renamed over the target only when complete: a crash, a full disk or
Ctrl-C leaves the old file intact and no partial new one.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from polycast.errors import OutputError


@contextlib.contextmanager
def atomic_write(path: Path, durable: bool = True) -> Iterator[BinaryIO]:
    """Open a temporary file beside ``path``; on clean exit, flush it and rename it to ``path``.

    On any exception the temporary file is removed and ``path`` is untouched. With ``durable``
    the data reaches the disk before the rename, so not even a power cut can leave an empty
    file under ``path``; files that check themselves when read (cache entries) can skip that
    wait, which costs a few milliseconds per file.

    Raises:
        OutputError: the folder is missing or not writable, or the disk is full.
    """
    folder = path.parent
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    except OSError as e:
        raise OutputError(f"cannot write {path}: {e.strerror or e}") from e
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as stream:
            yield stream
            stream.flush()
            if durable:
                os.fsync(stream.fileno())
        tmp.chmod(0o644)
        tmp.replace(path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"cannot write {path}: {e.strerror or e}") from e
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_bytes_atomic(path: Path, data: bytes, durable: bool = True) -> None:
    """Write ``data`` to ``path`` atomically (see ``atomic_write``)."""
    with atomic_write(path, durable) as stream:
        stream.write(data)


def write_text_atomic(path: Path, text: str) -> None:
    """Write UTF-8 ``text`` to ``path`` atomically (see ``atomic_write``)."""
    write_bytes_atomic(path, text.encode("utf-8"))
