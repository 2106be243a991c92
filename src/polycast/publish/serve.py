"""Serve the publish folder over HTTP, as a podcast host would, to try a feed in a real app.

Podcast apps seek in an episode with HTTP Range requests, so this answers single byte ranges
(206 with Content-Range; 416 when the range lies past the end), HEAD, ``If-Range``, and 304 to
``If-None-Match`` and ``If-Modified-Since`` (``headers``). Files get the types podcast apps
expect and a CORS header, since web players fetch chapters and transcripts from other origins.
The feed and the pages are sent pointing at the address the client reached (``rebase``), and a
folder answers with its ``index.html``, so ``/`` is the show page. Only files inside the folder
are served: no ``..``, no symlink out of it, no hidden files (the feed's lock and half-written
temporary files start with a dot), and no directory listings. A fixed pool of threads answers,
and a connection takes one only once its request has arrived (``pool``), so silent or half-open
connections cannot use the server up. Each request is one line on the ``access`` logger.
"""

from __future__ import annotations

import io
import logging
import sys
from email.utils import formatdate
from http import HTTPStatus
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import quote, unquote, urlsplit

from polycast.errors import ConfigError
from polycast.publish.headers import (
    byte_range,
    content_etag,
    content_type,
    file_etag,
    not_modified,
)
from polycast.publish.pool import PooledHandler, PooledHTTPServer
from polycast.publish.rebase import PLACEHOLDER_BASE_URL, REWRITTEN_SUFFIXES, Rebaser, served_base

log = logging.getLogger(__name__)
access = logging.getLogger(f"{__name__}.access")
"""One line per request: client, method, path, status, body bytes; ``serve`` shows it."""

_CHUNK = 1 << 14
"""Bytes read and sent at a time: each send must finish within the idle timeout, so a listener
streaming at playback speed (2 KB/s and up) is never cut off."""
_REWRITE_LIMIT = 32 << 20
"""Largest feed or page rewritten for the client (read whole); a larger one is sent as it is."""


class PublishServer(PooledHTTPServer):
    """An HTTP server for one folder, answering with a bounded pool of threads."""

    def __init__(
        self,
        folder: Path,
        host: str,
        port: int,
        workers: int = 16,
        idle_timeout: float = 10.0,
        *,
        base_url: str | None = None,
        configured_base: str = PLACEHOLDER_BASE_URL,
    ) -> None:
        """Bind to ``host:port`` (port 0 picks a free one) to serve ``folder``.

        The feed and pages are sent with ``configured_base`` rewritten to ``base_url``, or when
        that is None to the address each client reached the server at.
        """
        self.root = folder.resolve()
        self.base_url = base_url
        self.rebaser = Rebaser(configured_base)
        super().__init__((host, port), _Handler, workers, idle_timeout)

    @property
    def url(self) -> str:
        """The base URL the server answers on."""
        host, port = self.server_address[:2]
        host = host.decode() if isinstance(host, bytes) else host
        return f"http://{f'[{host}]' if ':' in host else host}:{port}/"

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Say nothing of a listener who hung up or went silent mid-answer: that is no fault."""
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            log.info("%s: the connection was closed or timed out", client_address)
            return
        super().handle_error(request, client_address)


class _Counted(io.BufferedIOBase):
    """A handler's ``wfile`` that counts the bytes written through it, for the access log."""

    def __init__(self, stream: io.BufferedIOBase) -> None:
        super().__init__()
        self.stream = stream
        self.count = 0

    def writable(self) -> bool:
        """Say so: a handler's ``wfile`` is written to."""
        return True

    def write(self, data: Any) -> int:
        """Write ``data`` through, counting it."""
        written = self.stream.write(data)
        self.count += written
        return written

    def flush(self) -> None:
        """Flush the stream written through."""
        self.stream.flush()


class _Handler(PooledHandler):
    """Answers GET and HEAD for files in the server's folder, and logs each request."""

    server: PublishServer
    protocol_version = "HTTP/1.1"
    server_version = "polycast"

    def setup(self) -> None:
        """Count what is sent, to log each answer's size."""
        super().setup()
        self.wfile = self._counted = _Counted(self.wfile)

    def handle_one_request(self) -> None:
        """Answer one request, then log it in one line (if a request, or garbage, arrived)."""
        self.path, self.command, self._code = "", "", 0
        start = self._body_start = self._counted.count
        try:
            super().handle_one_request()
        finally:
            if self._code:
                sent = self._counted.count - max(self._body_start, start)
                path = (
                    ascii(self.path)[1:-1] or "-"
                )  # control characters are the client's, not the log's
                method = self.command or "-"
                access.info(
                    "%s %s %s %d %d", self.client_address[0], method, path, self._code, sent
                )

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Note the status for the access line written once the answer is sent."""
        self._code = int(code) if str(code).isdigit() else 0

    def flush_headers(self) -> None:
        """Send the head; what is written after it is the body the access line counts."""
        super().flush_headers()
        self._body_start = self._counted.count

    def do_GET(self) -> None:  # noqa: N802 -- the name http.server calls
        """Send a file, or the byte range asked for."""
        self._answer(with_body=True)

    def do_HEAD(self) -> None:  # noqa: N802 -- the name http.server calls
        """Send the headers a GET would."""
        self._answer(with_body=False)

    def log_message(self, format: str, *args: object) -> None:
        """Log errors through ``logging`` rather than to stderr."""
        log.info("%s %s", self.address_string(), format % args)

    def _file(self) -> Path | str | None:
        """Map the request path to a file inside the folder, or None if it must not be served.

        A folder answers with its ``index.html``; asked for without its final slash, it is a
        redirect (the location returned) so that the page's relative links resolve inside it.
        """
        path = unquote(urlsplit(self.path).path)
        parts = [p for p in path.split("/") if p]
        if "\x00" in path or any(p.startswith(".") or "\\" in p for p in parts):
            return None
        target = self.server.root.joinpath(*parts).resolve()
        if not target.is_relative_to(self.server.root):
            return None
        if target.is_dir():
            if not (target / "index.html").is_file():
                return None
            if not path.endswith("/"):
                return quote("/" + "/".join([*parts, ""]))
            target = target / "index.html"
        return target if target.is_file() else None

    def _status(self, status: HTTPStatus, headers: dict[str, str], with_body: bool) -> None:
        """Send a short status-only answer (an error, 416, a redirect)."""
        body = f"{status.value} {status.phrase}\n".encode()
        self.send_response(status)
        for key, value in {**headers, "Content-Type": "text/plain; charset=utf-8"}.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def _body(self, path: Path) -> tuple[BinaryIO, int, float, dict[str, str]]:
        """Open what is sent for ``path``: the file, or the feed or page rewritten for this client.

        Returns the stream, its size, the file's modification time and the answer's headers.
        """
        stat = path.stat()
        headers = {
            "Content-Type": content_type(path.name),
            "Accept-Ranges": "bytes",
            "Last-Modified": formatdate(stat.st_mtime, usegmt=True),
            "Access-Control-Allow-Origin": "*",
            "X-Content-Type-Options": "nosniff",  # a page's script and style by their type only
        }
        if path.suffix.lower() in REWRITTEN_SUFFIXES and stat.st_size <= _REWRITE_LIMIT:
            with path.open("rb") as stream:
                data = stream.read(_REWRITE_LIMIT)
            data = self.server.rebaser.rewrite(data, self._base())
            headers["ETag"] = content_etag(data)
            if self.server.base_url is None:
                headers["Vary"] = "Host"
            return io.BytesIO(data), len(data), stat.st_mtime, headers
        headers["ETag"] = file_etag(stat.st_size, stat.st_mtime_ns)
        return path.open("rb"), stat.st_size, stat.st_mtime, headers

    def _base(self) -> str:
        """Return the base URL this client is sent: ``--base-url``, or the address it used."""
        if self.server.base_url is not None:
            return self.server.base_url
        return served_base(self.headers.get("Host"), self.server.url)

    def _answer(self, with_body: bool) -> None:
        found = self._file()
        if found is None or isinstance(found, str):
            status = HTTPStatus.NOT_FOUND if found is None else HTTPStatus.MOVED_PERMANENTLY
            self._status(status, {} if found is None else {"Location": found}, with_body)
            return
        stream, size, mtime, headers = self._body(found)
        with stream:
            since = self.headers.get("If-Modified-Since")
            if not_modified(self.headers.get("If-None-Match"), since, headers["ETag"], mtime):
                self.send_response(HTTPStatus.NOT_MODIFIED)
                for key in ("ETag", "Last-Modified", "Vary"):
                    if key in headers:
                        self.send_header(key, headers[key])
                self.end_headers()
                return
            self._send(stream, size, headers, with_body)

    def _send(self, stream: BinaryIO, size: int, headers: dict[str, str], with_body: bool) -> None:
        """Send the whole body, or the one range asked for (416 if it lies past the end)."""
        if_range = self.headers.get("If-Range")
        valid = (None, headers["ETag"], headers["Last-Modified"])
        wanted = None if if_range not in valid else self.headers.get("Range")
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
    *,
    base_url: str | None = None,
    configured_base: str = PLACEHOLDER_BASE_URL,
) -> PublishServer:
    """Create a server for ``folder``, bound and ready for ``serve_forever()``.

    Args:
        folder: The folder to serve; nothing outside it is.
        host: The address to listen on.
        port: The port to listen on; 0 picks a free one.
        workers: Requests answered at once; more wait their turn, idle connections take none.
        idle_timeout: Seconds a connection may take to send a request, or to take an answer.
        base_url: The URL the feed and pages are sent pointing at; None: the address each
            client reached the server at.
        configured_base: The show's ``base_url``, as the feed and pages were written with it.

    Raises:
        ConfigError: the folder does not exist, the address cannot be bound (port in use),
            ``workers`` or ``idle_timeout`` is not positive, or ``base_url`` is no http(s) URL.
    """
    if not folder.is_dir():
        raise ConfigError(f"{folder}: no such folder to serve; publish an episode first")
    if workers < 1 or not idle_timeout > 0:
        raise ConfigError(
            f"serve needs at least one worker and a positive idle timeout, "
            f"not {workers} and {idle_timeout}"
        )
    if base_url is not None:
        parts = urlsplit(base_url)
        odd = any(c.isspace() or c in "\"'<>&#?" for c in base_url)  # it goes into XML
        if parts.scheme not in {"http", "https"} or not parts.netloc or odd:
            raise ConfigError(f"--base-url: {base_url!r} is not an absolute http(s) URL")
    try:
        return PublishServer(
            folder,
            host,
            port,
            workers,
            idle_timeout,
            base_url=base_url,
            configured_base=configured_base,
        )
    except OSError as e:
        raise ConfigError(f"cannot listen on {host}:{port}: {e.strerror or e}") from e
