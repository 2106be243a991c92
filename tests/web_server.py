"""A small web site on 127.0.0.1 for the fetch tests: pages, redirects, errors, a stall.

Each route answers as a real site would (status, headers, body), records every request it got
with its headers, and honours ``If-None-Match`` when it has an ``ETag``, so a test counts the
requests and the 304s instead of guessing. A ``stall`` route reads the request and answers
nothing until the server stops: a client's timeout is the only way out. Use it as
``with WebSite({"/a/": Route(body=...)}) as site:`` and fetch ``site.url("/a/")``.
"""

from __future__ import annotations

import gzip
import socket
import threading
import zlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

import brotli

HANG_S = 60.0
"""A guard against a hang, not a speed check."""


@dataclass(frozen=True)
class Route:
    """How one path answers."""

    body: bytes = b""
    """The body, as sent (before ``gzip``)."""
    status: int = 200
    """The status code."""
    content_type: str | None = "text/html; charset=utf-8"
    """The ``Content-Type``; None sends none."""
    headers: Mapping[str, str] = field(default_factory=dict)
    """More headers (``Location``, ``ETag``, ``Last-Modified``)."""
    encoding: str | None = None
    """Send the body compressed: ``gzip``, ``deflate`` or ``br`` (its ``Content-Encoding``)."""
    stall: bool = False
    """Answer nothing until the server stops."""
    hold: threading.Event | None = None
    """Answer only once this is set (the request is recorded first): the client waits meanwhile."""


@dataclass(frozen=True)
class Seen:
    """One request the site received."""

    path: str
    headers: Mapping[str, str]
    """Its headers, lowercase names."""
    status: int
    """What the site answered."""
    port: int = 0
    """The client's port: which process asked, for a test that looks it up."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    site: WebSite

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet when a client hangs up (a timeout, a refused page): the tests expect it."""


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:
        site = self.server.site
        route = site.routes.get(self.path, Route(b"no such page", status=404))
        headers = {k.lower(): v for k, v in self.headers.items()}
        etag, modified = route.headers.get("ETag"), route.headers.get("Last-Modified")
        fresh = (etag is not None and headers.get("if-none-match") == etag) or (
            modified is not None and headers.get("if-modified-since") == modified
        )
        status = 304 if fresh else route.status
        site.record(Seen(self.path, headers, status, int(self.client_address[1])))
        if route.stall:
            site.stop.wait(HANG_S)
            return
        if route.hold is not None:
            route.hold.wait(HANG_S)
        body = b"" if fresh else encoded(route.body, route.encoding)
        self.send_response(status)
        if route.content_type is not None and not fresh:
            self.send_header("Content-Type", route.content_type)
        for name, value in route.headers.items():
            self.send_header(name, value)
        if route.encoding and not fresh:
            self.send_header("Content-Encoding", route.encoding)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def encoded(body: bytes, encoding: str | None) -> bytes:
    """Compress ``body`` as a server would for ``Content-Encoding: encoding``."""
    if encoding == "gzip":
        return gzip.compress(body)
    if encoding == "deflate":
        return zlib.compress(body)
    if encoding == "br":
        return bytes(brotli.compress(body))
    return body


class WebSite:
    """A web site of ``routes`` served on 127.0.0.1 in a thread, for a ``with`` block."""

    def __init__(self, routes: Mapping[str, Route]) -> None:
        self.routes = dict(routes)
        self.seen: list[Seen] = []
        self.stop = threading.Event()
        self._lock = threading.Condition()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.site = self
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,))

    @property
    def port(self) -> int:
        """The port the site listens on."""
        return int(self._server.server_address[1])

    def url(self, path: str) -> str:
        """Return the full address of ``path`` on this site."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}{path}"

    def record(self, seen: Seen) -> None:
        """Note a request (called from the handler threads)."""
        with self._lock:
            self.seen.append(seen)
            self._lock.notify_all()

    def wait_for(self, path: str, count: int = 1) -> list[Seen]:
        """Wait until ``path`` was asked for ``count`` times; return those requests."""
        with self._lock:
            if not self._lock.wait_for(lambda: len(self._asked(path)) >= count, HANG_S):
                raise TimeoutError(f"{path} was asked for {len(self._asked(path))} times")
            return self._asked(path)

    def _asked(self, path: str) -> list[Seen]:
        return [s for s in self.seen if s.path == path]

    def statuses(self, path: str) -> list[int]:
        """Return what the site answered each request for ``path``, in order."""
        with self._lock:
            return [s.status for s in self.seen if s.path == path]

    def __enter__(self) -> WebSite:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(HANG_S)


@contextmanager
def refused_port(port: int = 0) -> Iterator[int]:
    """Hold a port on 127.0.0.1 that is bound but not listening: connecting to it is refused.

    Bound for the block, so no other process takes it meanwhile and the refusal is certain.
    Given the ``port`` of a ``WebSite`` that just stopped, it holds that one: the site's
    addresses, kept in a cache, are then refused (a site gone offline), never someone else's.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # past the site's TIME_WAITs
    try:
        sock.bind(("127.0.0.1", port))
        yield int(sock.getsockname()[1])
    finally:
        sock.close()


def page(title: str, body: str, extra_head: str = "", charset: str = "utf-8") -> bytes:
    """Return a whole HTML page with ``title`` and an ``<article>`` of ``body``."""
    text = (
        f"<!doctype html><html lang='en'><head><meta charset='{charset}'>"
        f"<title>{title}</title>{extra_head}</head>"
        f"<body><nav><a href='/'>Home</a></nav><article><h1>{title}</h1>{body}</article>"
        "<footer>Copyright</footer></body></html>"
    )
    return text.encode(charset)
