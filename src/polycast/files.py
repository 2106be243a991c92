"""Writing files so that a reader never sees half of one.

Every output (episode, companions, feed, cache entry) is written to a temporary file in the
target's own folder and renamed over the target only when complete: a crash, a full disk or
Ctrl-C leaves the old file intact and no partial new one.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

from polycast.errors import OutputError


@contextlib.contextmanager
def staged(targets: Sequence[Path]) -> Iterator[dict[Path, Path]]:
    """Give each target a temporary sibling; on clean exit rename them all over their targets.

    The caller writes each temporary file completely (and syncs what must survive a power cut).
    On any exception every temporary file is removed and every target is untouched.

    Raises:
        OutputError: a folder is missing or not writable, or the disk is full.
    """
    temps: dict[Path, Path] = {}
    current: Path | None = None  # the target being staged or renamed, to name it in an error
    try:
        for target in targets:
            current = target
            fd, name = tempfile.mkstemp(
                prefix=f".{target.name}.", suffix=".part", dir=target.parent
            )
            os.close(fd)
            temps[target] = Path(name)
        current = None
        yield temps
        for target, temp in temps.items():
            current = target
            temp.chmod(0o644)
            temp.replace(target)
    except OSError as e:
        named = {str(temp): target for target, temp in temps.items()}
        failed = current or named.get(e.filename) or e.filename or targets[0]
        raise OutputError(f"cannot write {failed}: {e.strerror or e}") from e
    finally:
        for temp in temps.values():
            temp.unlink(missing_ok=True)


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
    with staged([path]) as temps, temps[path].open("wb") as stream:
        yield stream
        stream.flush()
        if durable:
            os.fsync(stream.fileno())


def write_bytes_atomic(path: Path, data: bytes, durable: bool = True) -> None:
    """Write ``data`` to ``path`` atomically (see ``atomic_write``)."""
    with atomic_write(path, durable) as stream:
        stream.write(data)


def write_text_atomic(path: Path, text: str) -> None:
    """Write UTF-8 ``text`` to ``path`` atomically (see ``atomic_write``)."""
    write_bytes_atomic(path, text.encode("utf-8"))
