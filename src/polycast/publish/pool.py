"""An HTTP server whose threads only ever work: a lobby gathers requests, a fixed pool answers.

A thread per connection lets anyone hold a thread (and its stack) by opening a connection and
saying nothing; four hundred such connections were four hundred threads for as long as the
clients liked. Here one lobby thread watches every connection that has no complete request head
yet (new ones, and kept-alive ones between requests), reading what arrives without blocking,
and closes any whose head has not arrived within ``idle_timeout`` seconds. Only once a whole head
is in (or more than a head may be, so the handler can refuse it) does the connection go to one of
``workers`` threads, which answer and hand a kept-alive connection back to the lobby. A worker's
socket has the same timeout, so a client that stops reading its answer cannot hold a worker long.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

_HEAD_LIMIT = 1 << 16
"""Bytes gathered in the lobby before a head is handed on anyway (to be refused as too large)."""
_RECV = 1 << 16


def head_complete(data: bytes | bytearray) -> bool:
    """Whether ``data`` holds a request line and headers, up to their closing empty line."""
    return b"\r\n\r\n" in data or b"\n\n" in data or len(data) >= _HEAD_LIMIT


class HeadReader:
    """The ``rfile`` of a pooled handler: bytes the lobby already read, then the socket's."""

    def __init__(self, connection: socket.socket, buffered: bytes) -> None:
        self.connection = connection
        self.buffer = bytearray(buffered)

    def readline(self, limit: int = -1) -> bytes:
        """Return one line, at most ``limit`` bytes, reading from the socket as needed."""
        while True:
            end = self.buffer.find(b"\n")
            if end >= 0 and (limit < 0 or end < limit):
                return self._take(end + 1)
            if 0 <= limit <= len(self.buffer):
                return self._take(limit)
            chunk = self.connection.recv(_RECV)
            if not chunk:
                return self._take(len(self.buffer))
            self.buffer += chunk

    def _take(self, count: int) -> bytes:
        line = bytes(self.buffer[:count])
        del self.buffer[:count]
        return line

    def close(self) -> None:
        """Leave the socket open: the server decides whether it is kept alive."""


class PooledHandler(BaseHTTPRequestHandler):
    """A request handler that answers what has arrived, then gives its connection back."""

    server: PooledHTTPServer

    def __init__(self, request: socket.socket, address: Any, server: PooledHTTPServer) -> None:
        self.reader = HeadReader(request, server.take_buffered(request))
        self.keep_alive = False
        super().__init__(request, address, server)

    def setup(self) -> None:
        """Read through the bytes the lobby already took from the socket."""
        super().setup()
        self.rfile.close()
        self.rfile = self.reader  # type: ignore[assignment]

    def handle(self) -> None:
        """Answer the request, and any whole ones pipelined behind it; then let go."""
        self.close_connection = True
        self.handle_one_request()
        while not self.close_connection and head_complete(self.reader.buffer):
            self.handle_one_request()
        self.keep_alive = not self.close_connection


class PooledHTTPServer(HTTPServer):
    """An ``HTTPServer`` with a lobby for idle connections and a bounded pool of workers."""

    request_queue_size = 128  # connections are taken in at once; the lobby is where they wait
    max_waiting = 512
    """Connections the lobby watches at most; past it the oldest goes, so newcomers get in."""

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[PooledHandler],
        workers: int = 16,
        idle_timeout: float = 10.0,
    ) -> None:
        self.idle_timeout = idle_timeout
        self.closed_idle = 0
        """Connections the lobby closed without a request: silent for ``idle_timeout``, or the
        oldest one waiting when ``max_waiting`` were."""
        self._buffered: dict[socket.socket, bytes] = {}
        self._busy: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="serve")
        self._handler = handler
        self._lobby = _Lobby(self)
        super().__init__(address, handler)  # closes the lobby and pool again if it cannot bind

    @property
    def idle_connections(self) -> int:
        """How many connections the lobby is watching (waiting for a request head)."""
        return self._lobby.watching

    def process_request(self, request: Any, client_address: Any) -> None:
        """Send a new connection to the lobby rather than to a thread of its own."""
        self._lobby.admit(request, client_address, b"")

    def dispatch(self, connection: socket.socket, address: Any, buffered: bytes) -> None:
        """Queue a connection whose request head has arrived for the next free worker."""
        with self._lock:
            self._buffered[connection] = buffered
            self._busy.add(connection)
        try:
            self._pool.submit(self._work, connection, address)
        except RuntimeError:  # the server is closing
            self.shutdown_request(connection)

    def take_buffered(self, connection: socket.socket) -> bytes:
        """Return the bytes the lobby read from ``connection`` before handing it on."""
        with self._lock:
            return self._buffered.pop(connection, b"")

    def _work(self, connection: socket.socket, address: Any) -> None:
        handler: PooledHandler | None = None
        try:
            connection.settimeout(self.idle_timeout)
            handler = self._handler(connection, address, self)
        except Exception:  # one connection's failure must not take a worker down
            self.handle_error(connection, address)
        finally:
            with self._lock:
                self._busy.discard(connection)
        if handler is not None and handler.keep_alive and not self._lobby.stopped:
            self._lobby.admit(connection, address, bytes(handler.reader.buffer))
        else:
            self.shutdown_request(connection)

    def server_close(self) -> None:
        """Stop listening, close idle connections, and cut off the ones being answered."""
        super().server_close()
        self._lobby.stop()
        with self._lock:
            for connection in self._busy:
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
        self._pool.shutdown(wait=True, cancel_futures=True)
        for connection in list(self._buffered):  # queued, never answered
            self.shutdown_request(connection)


class _Lobby:
    """One thread watching connections until their request head is in, or their time is up."""

    def __init__(self, server: PooledHTTPServer) -> None:
        self.server = server
        self.stopped = False
        self._selector = selectors.DefaultSelector()
        self._wake_out, self._wake_in = socket.socketpair()
        self._selector.register(self._wake_out, selectors.EVENT_READ)
        self._arrivals: list[tuple[socket.socket, Any, bytes]] = []
        self._lock = threading.Lock()
        self._waiting: dict[socket.socket, tuple[Any, bytearray, float]] = {}
        self._thread = threading.Thread(target=self._run, name="serve-lobby", daemon=True)
        self._thread.start()

    @property
    def watching(self) -> int:
        """How many connections wait here for a request head."""
        return len(self._waiting)

    def admit(self, connection: socket.socket, address: Any, buffered: bytes) -> None:
        """Watch ``connection`` (with bytes already read from it) until its next head is in."""
        if head_complete(buffered):
            self.server.dispatch(connection, address, buffered)
            return
        with self._lock:
            if not self.stopped:
                self._arrivals.append((connection, address, buffered))
                self._wake_in.send(b"\0")
                return
        self.server.shutdown_request(connection)

    def stop(self) -> None:
        """Close every waiting connection and end the lobby thread."""
        with self._lock:
            self.stopped = True
            self._wake_in.send(b"\0")
        self._thread.join()

    def _run(self) -> None:
        while not self.stopped:
            now = time.monotonic()
            soonest = min((d for _, _, d in self._waiting.values()), default=now + 1.0)
            for key, _ in self._selector.select(max(soonest - now, 0.0)):
                if key.fileobj is self._wake_out:
                    self._wake_out.recv(4096)
                    self._enter_arrivals()
                else:
                    self._read(key.fileobj)  # type: ignore[arg-type]
            self._expire(time.monotonic())
        self._enter_arrivals()
        for connection in list(self._waiting):
            self._drop(connection)
        self._selector.close()
        self._wake_out.close()
        self._wake_in.close()

    def _enter_arrivals(self) -> None:
        with self._lock:
            arrivals, self._arrivals = self._arrivals, []
        deadline = time.monotonic() + self.server.idle_timeout
        for connection, address, buffered in arrivals:
            try:
                connection.setblocking(False)
                self._selector.register(connection, selectors.EVENT_READ)
            except (OSError, ValueError):  # closed on the way in: nothing to watch
                self.server.shutdown_request(connection)
                continue
            self._waiting[connection] = (address, bytearray(buffered), deadline)
        while len(self._waiting) > self.server.max_waiting:
            oldest = min(self._waiting, key=lambda c: self._waiting[c][2])
            self._drop(oldest)
            self.server.closed_idle += 1

    def _read(self, connection: socket.socket) -> None:
        address, buffered, _ = self._waiting[connection]
        try:
            chunk = connection.recv(_RECV)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        if not chunk:  # the client hung up
            self._drop(connection)
            return
        buffered += chunk  # the deadline stays: a head dribbled out byte by byte still ends
        if head_complete(buffered):
            self._selector.unregister(connection)
            del self._waiting[connection]
            self.server.dispatch(connection, address, bytes(buffered))

    def _expire(self, now: float) -> None:
        for connection, (_, _, deadline) in list(self._waiting.items()):
            if deadline <= now:
                self._drop(connection)
                self.server.closed_idle += 1

    def _drop(self, connection: socket.socket) -> None:
        self._selector.unregister(connection)
        del self._waiting[connection]
        self.server.shutdown_request(connection)
