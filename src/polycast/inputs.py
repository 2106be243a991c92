"""Reading input files without surprises, and keeping every output off them.

A person can hand polycast anything a path can name: ``/dev/zero``, a FIFO that nobody writes,
a directory, a 14 GB log, or the article itself as ``-o``. Every input is looked at with
``os.stat`` before it is opened (only regular files are read), opened without blocking, and read
with a bound: never more than the cap plus one byte, so an oversized or growing file is refused
instead of filling memory. And before any work, every output path is compared with every input,
through symbolic and hard links, so a build never replaces the article it reads.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

from polycast.errors import InputError, OutputError, PolycastError

MB = 1_000_000
"""A megabyte, as the size limits and their messages count it."""

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _kind(mode: int) -> str:
    """Name what a non-regular file is, for a message."""
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def size_text(size: int) -> str:
    """Say a size in megabytes, with the exact count of bytes.

    >>> size_text(10_000_001)
    '10.0 MB (10000001 bytes)'
    """
    return f"{size / MB:.1f} MB ({size} bytes)"


def read_bounded(
    path: Path,
    cap: int,
    what: str = "article",
    error: type[PolycastError] = InputError,
    setting: str | None = "input.max_article_mb",
) -> bytes:
    """Read a regular file of at most ``cap`` bytes, refusing anything else before reading.

    Args:
        path: the file.
        cap: the most bytes accepted; the limit's setting is named in ``what``'s message.
        what: what the file is, for messages ("article", "bed").
        error: the error to raise (``ConfigError`` for files a config names).
        setting: the setting that raises ``cap``, named when a file is over it (None: none).

    Raises:
        PolycastError: (``error``) the file is missing, not a regular file (a directory, FIFO or
            device), unreadable, or larger than ``cap``.
    """
    check_size(path, cap, what, error, setting)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as e:
        raise error(f"{path}: cannot read the {what}: {e.strerror or e}") from e
    with os.fdopen(fd, "rb") as stream:
        _check(path, os.fstat(fd), cap, what, error, setting)  # swapped for a FIFO since the stat?
        try:
            data = stream.read(cap + 1)
        except OSError as e:
            raise error(f"{path}: cannot read the {what}: {e.strerror or e}") from e
    if len(data) > cap:
        raise error(
            f"{path}: the {what} grew past the {cap / MB:g} MB limit ({setting}) as it was read"
        )
    return data


def _check(  # noqa: PLR0917 (read_bounded's arguments, passed on)
    path: Path,
    info: os.stat_result,
    cap: int,
    what: str,
    error: type[PolycastError],
    setting: str | None,
) -> None:
    """Refuse a file that is not a regular file, or is larger than ``cap``."""
    if not stat.S_ISREG(info.st_mode):
        raise error(f"{path}: the {what} is {_kind(info.st_mode)}, not a regular file")
    if info.st_size > cap:
        raise error(
            f"{path}: the {what} is {size_text(info.st_size)}, over the {_limit(cap, setting)}"
        )


def _limit(cap: int, setting: str | None) -> str:
    """Say a limit, and the setting that raises it."""
    return f"{cap / MB:g} MB limit" + (f" ({setting})" if setting else "")


def check_size(
    path: Path, cap: int, what: str, error: type[PolycastError], setting: str | None
) -> None:
    """Refuse, without opening it, a file that is not regular or is larger than ``cap``.

    Raises:
        PolycastError: (``error``) as ``read_bounded`` would.
    """
    try:
        info = path.stat()
    except FileNotFoundError as e:
        raise error(f"{path}: no such file") from e
    except OSError as e:
        raise error(f"{path}: cannot read the {what}: {e.strerror or e}") from e
    _check(path, info, cap, what, error, setting)


def _identity(path: Path) -> tuple[int, int] | None:
    """Return the device and inode ``path`` leads to (through links), or None if nothing.

    ``out/../a.txt`` leads nowhere while ``out`` is missing, but the build makes ``out`` before
    it writes: such a path is also looked up with its ``..`` resolved by name.
    """
    for candidate in (path, Path(os.path.normpath(path.absolute()))):
        try:
            info = candidate.stat()
        except OSError:
            continue
        return info.st_dev, info.st_ino
    return None


def refuse_overwrite(outputs: Iterable[Path], inputs: Iterable[Path | None]) -> None:
    """Refuse outputs that are an input: the same path, or the same file through any link.

    Called before any work, so a refused command has read and written nothing.

    Raises:
        OutputError: an output is one of the inputs.
    """
    known: dict[tuple[int, int], Path] = {}
    for source in inputs:
        if source is not None and (identity := _identity(source)) is not None:
            known[identity] = source
    for output in outputs:
        identity = _identity(output)
        source = known.get(identity) if identity is not None else None
        if source is not None:
            same = "is" if output.absolute() == source.absolute() else "leads to"
            raise OutputError(
                f"{output}: this output {same} the input {source}; writing it would destroy "
                "the input, so nothing was done; choose another output"
            )
