"""serve's bounded pool: silent and half-open connections cost no thread and cannot starve a GET."""

from __future__ import annotations

import http.client
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from polycast.errors import ConfigError
from polycast.publish import make_server
from polycast.publish.serve import PublishServer
from serve_helpers import HANG_S, running

MP3 = bytes(range(256)) * 4


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    public = tmp_path / "public"
    public.mkdir()
    (public / "ep.mp3").write_bytes(MP3)
    return public


def connect(server: PublishServer) -> socket.socket:
    return socket.create_connection(server.server_address[:2], timeout=HANG_S)


def get(server: PublishServer, path: str = "/ep.mp3") -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(*server.server_address[:2], timeout=HANG_S)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def until(condition: Callable[[], bool]) -> None:
    """Wait for something the server does on its own; the bound only turns a hang into a failure."""
    give_up = time.monotonic() + HANG_S
    while not condition():
        assert time.monotonic() < give_up, "the server never got there"
        time.sleep(0.01)


def still_open(sock: socket.socket) -> bool:
    """True if the server has neither closed ``sock`` nor sent anything on it."""
    sock.setblocking(False)
    try:
        return sock.recv(1) != b""  # pragma: no cover -- data means the server answered
    except BlockingIOError:
        return True
    except OSError:
        return False


def test_200_half_open_connections_hold_no_thread_and_a_get_still_answers(folder: Path) -> None:
    threads_before = threading.active_count()
    with running(folder, workers=4, idle_timeout=60) as server:
        silent = [connect(server) for _ in range(100)]
        partial = [connect(server) for _ in range(100)]
        for sock in partial:
            sock.sendall(b"GET /ep.mp3 HT")  # a request line that never ends
        try:
            until(lambda: server.idle_connections == 200)
            # the serving loop, the lobby and at most the 4 workers: no thread per connection
            assert threading.active_count() <= threads_before + 2 + 4
            assert get(server) == (200, MP3)
            assert [still_open(s) for s in silent + partial] == [True] * 200
            assert server.closed_idle == 0  # answered while every one of them was still open
        finally:
            for sock in silent + partial:
                sock.close()


def test_a_silent_connection_is_closed_after_the_idle_timeout(folder: Path) -> None:
    with running(folder, workers=1, idle_timeout=0.2) as server:
        silent, partial = connect(server), connect(server)
        partial.sendall(b"GET /ep.mp3 HTTP/1.1\r\nHost: x\r\n")  # headers that never end
        assert silent.recv(100) == b""  # closed by the server (the client waits HANG_S)
        assert partial.recv(100) == b""
        until(lambda: server.closed_idle == 2)
        assert get(server) == (200, MP3)
        silent.close()
        partial.close()


def test_a_kept_alive_connection_gives_its_worker_back_between_requests(folder: Path) -> None:
    with running(folder, workers=1, idle_timeout=60) as server:
        kept = http.client.HTTPConnection(*server.server_address[:2], timeout=HANG_S)
        try:
            kept.request("GET", "/ep.mp3")
            assert kept.getresponse().read() == MP3
            until(lambda: server.idle_connections == 1)  # back in the lobby, not in the worker
            assert get(server) == (200, MP3)  # the only worker is free for someone else
            kept.request("GET", "/ep.mp3", headers={"Range": "bytes=0-9"})
            response = kept.getresponse()
            assert response.status == 206 and response.read() == MP3[:10]
        finally:
            kept.close()


def test_pipelined_requests_are_answered_in_order(folder: Path) -> None:
    with running(folder, workers=2, idle_timeout=60) as server:
        sock = connect(server)
        first = b"GET /ep.mp3 HTTP/1.1\r\nHost: x\r\nRange: bytes=0-3\r\n\r\n"
        second = b"GET /ep.mp3 HTTP/1.1\r\nHost: x\r\nRange: bytes=4-7\r\nConnection: close\r\n\r\n"
        sock.sendall(first + second)
        answer = b""
        while chunk := sock.recv(4096):
            answer += chunk
        sock.close()
        assert answer.count(b"HTTP/1.1 206") == 2
        assert answer.index(b"bytes 0-3/") < answer.index(b"bytes 4-7/")
        assert answer.endswith(MP3[4:8])


def test_a_huge_header_is_refused_without_holding_a_worker(folder: Path) -> None:
    with running(folder, workers=1, idle_timeout=60) as server:
        sock = connect(server)
        sock.sendall(b"GET /ep.mp3 HTTP/1.1\r\nX-Big: " + b"a" * 70_000 + b"\r\n\r\n")
        assert sock.recv(100).startswith(b"HTTP/1.1 431")
        sock.close()
        assert get(server) == (200, MP3)


@pytest.mark.parametrize(("workers", "idle"), [(0, 10.0), (4, 0.0), (4, -1.0)])
def test_pool_settings_must_be_positive(folder: Path, workers: int, idle: float) -> None:
    with pytest.raises(ConfigError, match="at least one worker and a positive idle timeout"):
        make_server(folder, "127.0.0.1", 0, workers=workers, idle_timeout=idle)


def test_when_the_lobby_is_full_the_oldest_connection_makes_room(folder: Path) -> None:
    with running(folder, workers=1, idle_timeout=60) as server:
        server.max_waiting = 5
        old = [connect(server) for _ in range(5)]
        until(lambda: server.idle_connections == 5)
        new = [connect(server) for _ in range(5)]
        try:
            until(lambda: server.closed_idle == 5)
            assert [s.recv(1) for s in old] == [b""] * 5  # closed by the server
            assert [still_open(s) for s in new] == [True] * 5
            assert get(server) == (200, MP3)
        finally:
            for sock in old + new:
                sock.close()
