"""Hostile cases for ``polycast serve``: bad start-ups fail in one line; bad requests get an answer.

A start-up that cannot work (port taken, no folder, nonsense settings) must fail the harness's
way. Requests that try to get out of the folder, or to confuse or starve the server, are sent to
a real ``polycast serve`` process: each gets a plain refusal, the folder is untouched, and the
server goes on answering and stops cleanly.
"""

from __future__ import annotations

import http.client
import re
import signal
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from harness import Hostile, snapshot

import cli_process

EPISODE = bytes(range(256)) * 8
HANG_S = 120.0
"""A guard against a hang, not a speed check: every wait here ends on an answer or a close."""


def publish_folder(hostile: Hostile) -> Path:
    hostile.write("public/ep.mp3", EPISODE)
    hostile.write("public/feed.xml", "<rss/>")
    hostile.write("secret.txt", "secret")
    return hostile.root / "public"


@contextmanager
def served(hostile: Hostile) -> Iterator[int]:
    """Run ``polycast serve public --port 0`` in the case's folder; yield its port; stop it."""
    before = snapshot(hostile.root)
    process = cli_process.popen(
        ["serve", "public", "--port", "0"],
        cwd=hostile.root,
        env=hostile.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", process.stdout.readline())
        assert match, process.stderr.read() if process.stderr else ""
        yield int(match.group(1))
        assert raw(int(match.group(1)), b"GET /ep.mp3 HTTP/1.0\r\n\r\n").endswith(EPISODE)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=HANG_S)
        assert out == "stopped\n"
    finally:
        process.kill()
        process.wait()
    assert process.returncode == 0 and "Traceback" not in err, err
    assert snapshot(hostile.root) == before  # nothing written, nothing changed


def raw(port: int, data: bytes) -> bytes:
    """Send ``data`` as is and return everything the server answers until it closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=HANG_S) as sock:
        sock.sendall(data)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


def get(port: int, path: str, **headers: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=HANG_S)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_a_port_in_use(hostile: Hostile) -> None:
    publish_folder(hostile)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        hostile.fails("serve", "public", "--port", str(port), words=("cannot listen", str(port)))


def test_a_folder_that_does_not_exist(hostile: Hostile) -> None:
    hostile.fails("serve", "nowhere", "--port", "0", words=("nowhere", "no such folder"))


def test_a_file_instead_of_a_folder(hostile: Hostile) -> None:
    hostile.write("feed.xml", "<rss/>")
    hostile.fails("serve", "feed.xml", "--port", "0", words=("feed.xml", "no such folder"))


@pytest.mark.parametrize("seconds", ["0", "-5", "nan"])
def test_an_idle_timeout_that_is_not_positive(hostile: Hostile, seconds: str) -> None:
    publish_folder(hostile)
    hostile.fails("serve", "public", "--port", "0", "--idle-timeout", seconds, words=("idle",))


@pytest.mark.parametrize(
    "path",
    ["/../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E%2Fsecret.txt", "/ep.mp3/../../secret.txt"],
)
def test_a_path_out_of_the_folder(hostile: Hostile, path: str) -> None:
    publish_folder(hostile)
    with served(hostile) as port:
        status, body = get(port, path)
        assert status in (403, 404) and b"secret" not in body
        answer = raw(port, f"GET {path} HTTP/1.0\r\n\r\n".encode())  # not normalised by a client
        assert re.match(rb"HTTP/1\.[01] 40[34]", answer) and b"secret" not in answer


def test_a_backwards_range(hostile: Hostile) -> None:
    """``bytes=5-1`` is invalid; RFC 9110 lets a server ignore it (so this one does) or say 416."""
    publish_folder(hostile)
    with served(hostile) as port:
        status, body = get(port, "/ep.mp3", Range="bytes=5-1")
        assert (status, body) in ((200, EPISODE), (416, b"416 Requested Range Not Satisfiable\n"))
        assert get(port, "/ep.mp3", Range="bytes=99999-")[0] == 416


def test_a_huge_header(hostile: Hostile) -> None:
    publish_folder(hostile)
    with served(hostile) as port:
        answer = raw(port, b"GET /ep.mp3 HTTP/1.1\r\nX-Big: " + b"a" * 100_000 + b"\r\n\r\n")
        assert answer.startswith(b"HTTP/1.1 431") and EPISODE not in answer
        many = b"".join(b"X-%d: y\r\n" % n for n in range(500))
        assert raw(port, b"GET /ep.mp3 HTTP/1.1\r\n" + many + b"\r\n").startswith(b"HTTP/1.1 431")


def test_a_request_line_of_garbage(hostile: Hostile) -> None:
    publish_folder(hostile)
    with served(hostile) as port:
        answer = raw(port, b"\x00\xff\xfe nonsense HTTP/9\r\n\r\n")
        assert b"Error code: 400" in answer and EPISODE not in answer  # an HTTP/0.9-style answer
        assert raw(port, b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n").startswith(
            b"HTTP/1.1 414"
        )


def test_many_silent_connections_starve_no_one(hostile: Hostile) -> None:
    publish_folder(hostile)
    with served(hostile) as port:
        silent = [socket.create_connection(("127.0.0.1", port), timeout=HANG_S) for _ in range(100)]
        try:
            for sock in silent[::2]:
                sock.sendall(b"GET /ep.mp3 HTTP/1.1\r\nHost:")  # never finished
            assert get(port, "/ep.mp3") == (200, EPISODE)
        finally:
            for sock in silent:
                sock.close()


def test_a_base_url_that_is_no_url(hostile: Hostile) -> None:
    publish_folder(hostile)
    hostile.fails(
        "serve", "public", "--port", "0", "--base-url", 'javascript:"<x>', words=("--base-url",)
    )


@pytest.mark.parametrize("host", ['x"><script>alert(1)</script>', "a" * 300, "h:1/../x", "::"])
def test_a_host_header_that_would_put_markup_in_the_feed(hostile: Hostile, host: str) -> None:
    """The feed is rewritten to the client's Host; one that is no host gets the server's own."""
    publish_folder(hostile)
    hostile.write("public/feed.xml", '<rss><enclosure url="https://example.com/podcast/ep.mp3"/>')
    with served(hostile) as port:
        answer = raw(port, f"GET /feed.xml HTTP/1.0\r\nHost: {host}\r\n\r\n".encode())
        assert answer.startswith(b"HTTP/1.1 200") and b"<script>" not in answer
        assert f'url="http://127.0.0.1:{port}/ep.mp3"'.encode() in answer
