"""Fetching the Piper catalogue and voices: resumed when broken off, checked before installed.

Only ``polycast voices get`` and ``voices --available`` reach the network here; a build never
downloads. A voice's two files download into ``<voices>/.downloads/<name>/``. A transfer that
breaks off keeps what arrived, and the next ``voices get`` asks for the rest (HTTP Range). Each
file's size and MD5 digest are checked against the catalogue; only when both files match is the
folder renamed into place. Any other failure (a 404, a wrong digest, a full disk) removes the
download, so nothing half-made stays behind.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from polycast.errors import DownloadError, OutputError
from polycast.speak.piper_catalogue import (
    CATALOGUE,
    MAX_CATALOGUE_BYTES,
    Catalogue,
    CatalogueVoice,
    VoiceFile,
    parse_catalogue,
)
from polycast.speak.piper_store import DOWNLOADS, install, voices_dir

if TYPE_CHECKING:
    import httpx

Progress = Callable[[int], None]
"""Told the number of bytes that just arrived (or were found already there)."""
_FULL = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT}


def _client(timeout: float) -> httpx.Client:
    import httpx  # noqa: PLC0415 -- only the voice commands need it

    return httpx.Client(timeout=httpx.Timeout(timeout), follow_redirects=True)


def fetch_catalogue(base: str, timeout: float = 30.0) -> Catalogue:
    """Download and read the catalogue at ``base``/voices.json, at most 20 MB.

    Raises:
        DownloadError: it cannot be fetched, is too large, or is not a Piper catalogue.
    """
    import httpx  # noqa: PLC0415

    url = f"{base.rstrip('/')}/{CATALOGUE}"
    too_big = DownloadError(
        f"the Piper catalogue at {url} is over {MAX_CATALOGUE_BYTES // 1_000_000} MB: refused"
    )
    data = bytearray()
    try:
        with _client(timeout) as client, client.stream("GET", url) as response:
            _check_status(response, url)
            if _announced(response) > MAX_CATALOGUE_BYTES:
                raise too_big
            for chunk in response.iter_bytes():
                data += chunk
                if len(data) > MAX_CATALOGUE_BYTES:
                    raise too_big
    except httpx.HTTPError as e:
        raise DownloadError(f"cannot fetch the Piper catalogue from {url}: {_reason(e)}") from e
    return parse_catalogue(bytes(data), base.rstrip("/"))


def get_voice(
    catalogue: Catalogue,
    voice: CatalogueVoice,
    progress: Progress | None = None,
    folder: Path | None = None,
    timeout: float = 30.0,
) -> Path:
    """Download ``voice``, check it against the catalogue and install it; return its folder.

    Raises:
        DownloadError: a file cannot be fetched (resumable when it broke off), or does not match.
        OutputError: the disk is full or the folder cannot be written (nothing is kept).
    """
    import httpx  # noqa: PLC0415

    folder = folder or voices_dir()
    work = folder / DOWNLOADS / voice.name
    keep = False
    try:
        work.mkdir(parents=True, exist_ok=True)
        with _only_one(work, voice.name), _client(timeout) as client:
            for file in (voice.model, voice.config):
                _download(client, catalogue.url(file), work / file.name, file, progress)
        return install(work, voice.name, folder)
    except (DownloadError, OutputError) as e:
        keep = isinstance(e, _BrokenOff | _Busy)
        raise
    except httpx.HTTPError as e:  # before a file's first byte: refused, timed out, reset
        keep = any(p.stat().st_size for p in work.iterdir())
        again = "; run the same command again to resume" if keep else ""
        raise DownloadError(
            f"cannot download Piper voice {voice.name}: {_reason(e)}; nothing installed{again}"
        ) from e
    except OSError as e:
        cause = f"no room left ({e.strerror})" if e.errno in _FULL else (e.strerror or str(e))
        raise OutputError(
            f"cannot write Piper voice {voice.name} in {folder}: {cause}; nothing installed"
        ) from e
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
            with contextlib.suppress(OSError):
                work.parent.rmdir()  # only when no other download waits there


class _BrokenOff(DownloadError):
    """A transfer that stopped partway: its bytes are kept, and a rerun resumes from them."""


class _Busy(DownloadError):
    """Another process is downloading the same voice: its files are left to it."""


@contextlib.contextmanager
def _only_one(work: Path, name: str) -> Iterator[None]:
    """Hold a voice's download folder: two gets of one voice would write the same files.

    Raises:
        DownloadError: another process holds it.
    """
    try:
        import fcntl  # noqa: PLC0415 -- POSIX only
    except ImportError:  # pragma: no cover -- not on POSIX: no guard
        yield
        return
    fd = os.open(work, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as e:
            raise _Busy(f"another polycast is downloading Piper voice {name} now") from e
        yield
    finally:
        os.close(fd)  # releases the lock


def _download(
    client: httpx.Client, url: str, path: Path, file: VoiceFile, progress: Progress | None
) -> None:
    """Fetch one file into ``path``, from where an earlier try stopped; check size and digest.

    Raises:
        DownloadError: refused, not found, broken off (kept, to resume), or not as expected.
    """
    import httpx  # noqa: PLC0415

    digest, have = _resume_point(path, file)
    if progress and have:
        progress(have)
    if have < file.size:
        headers = {"Range": f"bytes={have}-"} if have else {}
        with client.stream("GET", url, headers=headers) as response:
            _check_status(response, url)
            resumed = response.headers.get("Content-Range", "").startswith(f"bytes {have}-")
            if have and (response.status_code != 206 or not resumed):  # sent from the start
                digest, have = hashlib.md5(usedforsecurity=False), 0
            if have + _announced(response) > file.size:  # refused before a byte is written
                raise _mismatch(file, url, f"more than its {file.size} bytes")
            mode = "ab" if have else "wb"
            with path.open(mode) as out:
                try:
                    for chunk in response.iter_bytes():  # as it arrives: none lost on a break
                        if have + len(chunk) > file.size:
                            raise _mismatch(file, url, f"more than its {file.size} bytes")
                        out.write(chunk)
                        digest.update(chunk)
                        have += len(chunk)
                        if progress:
                            progress(len(chunk))
                except httpx.TransportError as e:
                    raise _broken(file, url, have, e) from e
    if have != file.size:
        raise _broken(file, url, have, None)
    if digest.hexdigest() != file.md5:
        path.unlink(missing_ok=True)
        raise _mismatch(file, url, f"MD5 {digest.hexdigest()}, the catalogue says {file.md5}")


def _resume_point(path: Path, file: VoiceFile) -> tuple[hashlib._Hash, int]:
    """Hash what an earlier try left of ``path`` and return the digest so far and its length."""
    digest = hashlib.md5(usedforsecurity=False)
    have = 0
    if path.is_file() and path.stat().st_size <= file.size:
        with path.open("rb") as kept:
            while chunk := kept.read(1 << 20):
                digest.update(chunk)
                have += len(chunk)
    else:
        path.unlink(missing_ok=True)
    return digest, have


def _announced(response: httpx.Response) -> int:
    """Return the body's length its Content-Length header announces; 0 without one."""
    length = response.headers.get("Content-Length", "")
    plain = not response.headers.get("Content-Encoding")  # else it counts the compressed bytes
    return int(length) if plain and length.isascii() and length.isdigit() else 0


def _check_status(response: httpx.Response, url: str) -> None:
    """Refuse anything but a 200 or 206.

    Raises:
        DownloadError: naming the status and the URL.
    """
    if response.status_code not in (200, 206):
        reason = "not found" if response.status_code == 404 else response.reason_phrase
        raise DownloadError(f"{response.status_code} {reason} from {url}; nothing installed")


def _mismatch(file: VoiceFile, url: str, what: str) -> DownloadError:
    return DownloadError(
        f"{file.name} from {url} is not the file the catalogue names ({what}); nothing installed"
    )


def _broken(file: VoiceFile, url: str, have: int, cause: Exception | None) -> DownloadError:
    """Say a transfer broke off; the bytes so far are kept, and a rerun resumes from them."""
    why = f": {_reason(cause)}" if cause else ""
    return _BrokenOff(
        f"the download of {file.name} from {url} broke off at {have} of {file.size} bytes{why}; "
        "nothing installed; run the same command again to resume"
    )


def _reason(error: BaseException) -> str:
    """Say a network failure in a few words (httpx's messages can be empty)."""
    return str(error) or type(error).__name__
