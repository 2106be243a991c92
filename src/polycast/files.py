"""Writing files so that a reader never sees half of one.

Every output (episode, companions, feed, cache entry) is written to a temporary file in the
target's own folder and renamed over the target only when complete: a crash, a full disk or
Ctrl-C leaves the old file intact and no partial new one. A temporary file's name carries the
pid of the process writing it (``.NAME.<pid>.<random>.part``), so a later build can tell the
leftovers of a killed process from the work of a live one and remove them.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

from polycast.errors import OutputError

LOCK_TIMEOUT = 60.0
"""Seconds to wait for another process to finish renaming the same set of outputs."""


def lock_path(path: Path) -> Path:
    """Return the lock file beside ``path``: ``.NAME.lock``, hidden so ``serve`` never shows it.

    Publishing locks the feed with it, and a batch counts it among what publishing writes: both
    must name the same file.

    >>> lock_path(Path("public/feed.xml")).as_posix()
    'public/.feed.xml.lock'
    """
    return path.with_name(f".{path.name}.lock")


@contextlib.contextmanager
def staged(targets: Sequence[Path], lock: Path | None = None) -> Iterator[dict[Path, Path]]:
    """Give each target a temporary sibling; on clean exit rename them all over their targets.

    The caller writes each temporary file completely (and syncs what must survive a power cut).
    On any exception every temporary file is removed and every target is untouched. With
    ``lock`` (the targets' folder), the renames happen while holding a lock on it, so two
    processes writing the same set of targets never mix their files: the set is wholly the one
    or wholly the other.

    Raises:
        OutputError: a folder is missing or not writable, or the disk is full.
    """
    temps: dict[Path, Path] = {}
    current: Path | None = None  # the target being staged or renamed, to name it in an error
    try:
        for target in targets:
            current = target
            _make_temp(target, temps)
        current = None
        yield temps
        with _held(lock):
            for target, temp in temps.items():
                current = target
                temp.chmod(0o644)
                temp.replace(target)
    except OutputError:
        raise
    except OSError as e:
        named = {str(temp): target for target, temp in temps.items()}
        failed = current or named.get(e.filename) or e.filename or targets[0]
        raise OutputError(f"cannot write {failed}: {e.strerror or e}") from e
    finally:
        for temp in temps.values():
            temp.unlink(missing_ok=True)


def _make_temp(target: Path, temps: dict[Path, Path]) -> None:
    """Create ``target``'s temporary sibling, noting it in ``temps`` before it exists.

    Ctrl-C raises wherever the main thread is: noted first, the file is removed with the others
    whenever it comes (``tempfile.mkstemp`` made the file before its name could be noted).

    Raises:
        OSError: it cannot be made (a missing or read-only folder, a full disk).
    """
    for _ in range(100):
        temp = target.with_name(f".{target.name}.{os.getpid()}.{os.urandom(4).hex()}.part")
        temps[target] = temp
        try:
            os.close(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            del temps[target]  # another writer's file: not ours to remove
            continue
        return
    raise FileExistsError(f"no free temporary name beside {target}")


@contextlib.contextmanager
def _held(lock: Path | None) -> Iterator[None]:
    """Hold ``lock`` (shared with other processes) for the block; None holds nothing.

    ``lock`` names a folder or a file. Where the system can lock a folder itself (flock on
    its descriptor), that is done, and no lock file is left behind; elsewhere a lock file
    beside it (``.NAME.lock``) is used through filelock.

    Raises:
        OutputError: the lock cannot be taken, or another process held it too long.
    """
    if lock is None:
        yield
        return
    try:
        import fcntl  # noqa: PLC0415 -- POSIX only
    except ImportError:  # pragma: no cover -- not on POSIX
        with _lock_file(lock_path(lock)):
            yield
        return
    fd = os.open(lock, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # held for a few renames: no timeout needed
        yield
    finally:
        os.close(fd)  # releases the lock


@contextlib.contextmanager
def _lock_file(path: Path) -> Iterator[None]:  # pragma: no cover -- not on POSIX
    import filelock  # noqa: PLC0415 -- slow to import; only a build's final renames need it

    try:
        with filelock.FileLock(str(path), timeout=LOCK_TIMEOUT):
            yield
    except filelock.Timeout as e:
        raise OutputError(f"{path}: another process held this lock for {LOCK_TIMEOUT:g} s") from e


def alive(pid: int) -> bool:
    """Say whether process ``pid`` exists (one of another user counts as alive)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # no permission to signal it: it exists
        return True
    return True


def remove_stale_parts(targets: Sequence[Path]) -> list[Path]:
    """Remove the temporary files of ``targets`` left by processes that no longer run.

    A process killed outright (SIGKILL, a power cut) cannot clean up after itself; the next one
    writing the same outputs does. Temporary files of live processes, and any whose name carries
    no pid, are left alone. Removal is best effort: a file that cannot be removed stays.

    Returns:
        The files removed.
    """
    removed: list[Path] = []
    for target in targets:
        prefix = f".{target.name}."
        try:
            names = [p for p in target.parent.iterdir() if p.name.startswith(prefix)]
        except OSError:
            continue
        for path in names:
            pid = path.name[len(prefix) :].split(".")[0]
            if path.name.endswith(".part") and pid.isdigit() and not alive(int(pid)):
                with contextlib.suppress(OSError):
                    path.unlink()
                    removed.append(path)
    return removed


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
