"""Serve the publish folder over HTTP, as a podcast host would, to try a feed in a real app.

Podcast apps seek in an episode with HTTP Range requests, so this answers single byte ranges
(206 with Content-Range; 416 when the range lies past the end), HEAD, and ``If-Range``. Several
ranges in one request are answered with the whole file, as RFC 9110 allows. Files get the types
podcast apps expect (``audio/mpeg``, ``application/rss+xml``, ``application/json+chapters``,
``text/vtt``, ``application/x-subrip``) and a CORS header, since web players fetch chapters and
transcripts from other origins. Only files inside the folder are served: no ``..``, no symlink out
of it, no hidden files (the feed's lock and half-written temporary files start with a dot), and no
directory listings. A fixed pool of threads answers, and a connection takes one only once its
request has arrived (``pool``), so silent or half-open connections cannot use the server up.
"""

from __future__ import annotations

import logging
import re
from email.utils import formatdate
from http import HTTPStatus
from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote, urlsplit

from polycast.errors import ConfigError
from polycast.publish.pool import PooledHandler, PooledHTTPServer

log = logging.getLogger(__name__)

_TYPES = {
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".xml": "application/rss+xml; charset=utf-8",
    ".rss": "application/rss+xml; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".vtt": "text/vtt; charset=utf-8",
    ".srt": "application/x-subrip; charset=utf-8",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
    ".html": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}
_RANGE = re.compile(r"bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*")
_CHUNK = 1 << 14
"""Bytes read and sent at a time: each send must finish within the idle timeout, so a listener
streaming at playback speed (2 KB/s and up) is never cut off."""


def content_type(name: str) -> str:
    """Return the Content-Type for a published file name.

    >>> content_type("a.chapters.json"), content_type("a.MP3"), content_type("a.bin")
    ('application/json+chapters', 'audio/mpeg', 'application/octet-stream')
    """
    lower = name.lower()
    if lower.endswith(".chapters.json"):
        return "application/json+chapters"
    return _TYPES.get(Path(lower).suffix, "application/octet-stream")


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """Parse a single-range ``Range`` header into ``(first, last)`` inclusive byte offsets.

    Returns None when the whole file should be sent instead (no header, a syntax this server
    ignores, or several ranges).

    Raises:
        ValueError: the range is well-formed but unsatisfiable (answer 416).

    >>> byte_range("bytes=0-99", 1000), byte_range("bytes=900-", 1000)
    ((0, 99), (900, 999))
    >>> byte_range("bytes=-10", 1000)
    (990, 999)
    >>> byte_range("bytes=990-5000", 1000), byte_range("bytes=0-1,5-6", 1000)
    ((990, 999), None)
    >>> byte_range("bytes=1000-", 1000)
    Traceback (most recent call last):
    ValueError: range starts past the end
    """
    match = _RANGE.fullmatch(header.strip()) if header else None
    if match is None:
        return None
    first_text, last_text = match.groups()
    if not first_text:
        if not last_text:
            return None
        suffix = int(last_text)
        if suffix == 0 or size == 0:
            raise ValueError("empty suffix range")
        return max(size - suffix, 0), size - 1
    first = int(first_text)
    last = int(last_text) if last_text else None
    if last is not None and last < first:
        return None
    if first >= size:
        raise ValueError("range starts past the end")
    return first, size - 1 if last is None else min(last, size - 1)


class PublishServer(PooledHTTPServer):
    """An HTTP server for one folder, answering with a bounded pool of threads."""

    def __init__(
        self, folder: Path, host: str, port: int, workers: int = 16, idle_timeout: float = 10.0
    ) -> None:
        """Bind to ``host:port`` (port 0 picks a free one) to serve ``folder``."""
        self.root = folder.resolve()
        super().__init__((host, port), _Handler, workers, idle_timeout)

    @property
    def url(self) -> str:
        """The base URL the server answers on."""
        host, port = self.server_address[:2]
        host = host.decode() if isinstance(host, bytes) else host
        return f"http://{f'[{host}]' if ':' in host else host}:{port}/"


class _Handler(PooledHandler):
    """Answers GET and HEAD for files in the server's folder."""

    server: PublishServer
    protocol_version = "HTTP/1.1"
    server_version = "polycast"

    def do_GET(self) -> None:  # noqa: N802 -- the name http.server calls
        """Send a file, or the byte range asked for."""
        self._answer(with_body=True)

    def do_HEAD(self) -> None:  # noqa: N802 -- the name http.server calls
        """Send the headers a GET would."""
        self._answer(with_body=False)

    def log_message(self, format: str, *args: object) -> None:
        """Log requests through ``logging`` rather than to stderr."""
        log.info("%s %s", self.address_string(), format % args)

    def _file(self) -> Path | None:
        """Map the request path to a file inside the folder, or None if it must not be served."""
        path = unquote(urlsplit(self.path).path)
        parts = [p for p in path.split("/") if p]
        if "\x00" in path or any(p.startswith(".") or "\\" in p for p in parts):
            return None
        target = self.server.root.joinpath(*parts).resolve()
        if not target.is_relative_to(self.server.root):
            return None
        if target.is_dir():
            target = target / "index.html"
        return target if target.is_file() else None

    def _status(self, status: HTTPStatus, headers: dict[str, str], with_body: bool) -> None:
        """Send a short status-only answer (an error, 416)."""
        body = f"{status.value} {status.phrase}\n".encode()
        self.send_response(status)
        for key, value in {**headers, "Content-Type": "text/plain; charset=utf-8"}.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def _answer(self, with_body: bool) -> None:
        path = self._file()
        if path is None:
            self._status(HTTPStatus.NOT_FOUND, {}, with_body)
            return
        stat = path.stat()
        size, etag = stat.st_size, f'"{stat.st_size:x}-{stat.st_mtime_ns:x}"'
        modified = formatdate(stat.st_mtime, usegmt=True)
        headers = {
            "Content-Type": content_type(path.name),
            "Accept-Ranges": "bytes",
            "ETag": etag,
            "Last-Modified": modified,
            "Access-Control-Allow-Origin": "*",
        }
        if_range = self.headers.get("If-Range")
        wanted = None if if_range not in (None, etag, modified) else self.headers.get("Range")
        try:
            span = byte_range(wanted, size)
        except ValueError:
            headers = {"Content-Range": f"bytes */{size}", "Accept-Ranges": "bytes"}
            self._status(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE, headers, with_body)
            return
        first, last = span if span else (0, size - 1)
        self.send_response(HTTPStatus.PARTIAL_CONTENT if span else HTTPStatus.OK)
        if span:
            headers["Content-Range"] = f"bytes {first}-{last}/{size}"
        headers["Content-Length"] = str(last - first + 1)
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        if with_body:
            with path.open("rb") as stream:
                self._send_bytes(stream, first, last - first + 1)

    def _send_bytes(self, stream: BinaryIO, offset: int, count: int) -> None:
        """Copy ``count`` bytes from ``offset``; a listener that hangs up just ends it."""
        stream.seek(offset)
        try:
            while count > 0:
                chunk = stream.read(min(_CHUNK, count))
                if not chunk:
                    break
                self.wfile.write(chunk)
                count -= len(chunk)
        except ConnectionError:
            self.close_connection = True


def make_server(
    folder: Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 16,
    idle_timeout: float = 10.0,
) -> PublishServer:
    """Create a server for ``folder``, bound and ready for ``serve_forever()``.

    Args:
        folder: The folder to serve; nothing outside it is.
        host: The address to listen on.
        port: The port to listen on; 0 picks a free one.
        workers: Requests answered at once; more wait their turn, idle connections take none.
        idle_timeout: Seconds a connection may take to send a request, or to take an answer.

    Raises:
        ConfigError: the folder does not exist, the address cannot be bound (port in use), or
            ``workers`` or ``idle_timeout`` is not positive.
    """
    if not folder.is_dir():
        raise ConfigError(f"{folder}: no such folder to serve; publish an episode first")
    if workers < 1 or not idle_timeout > 0:
        raise ConfigError(
            f"serve needs at least one worker and a positive idle timeout, "
            f"not {workers} and {idle_timeout}"
        )
    try:
        return PublishServer(folder, host, port, workers, idle_timeout)
    except OSError as e:
        raise ConfigError(f"cannot listen on {host}:{port}: {e.strerror or e}") from e
