"""serve for subscribing: the feed and pages point at the served address; validators; the log."""

from __future__ import annotations

import logging
import os
import re
import signal
import socket
import struct
import subprocess
import time
from collections.abc import Callable, Iterator
from email.utils import formatdate
from pathlib import Path

import pytest

import cli_process
from polycast.errors import ConfigError
from polycast.publish import make_server
from polycast.publish.serve import PublishServer
from serve_helpers import HANG_S, request, running

MP3 = bytes(range(256)) * 40
FEED = (
    "<rss><channel><link>https://example.com/podcast</link>"
    '<atom:link href="https://example.com/podcast/feed.xml" rel="self"/>'
    '<item><enclosure url="https://example.com/podcast/ep.mp3" length="10240"/>'
    '<podcast:chapters url="https://example.com/podcast/ep.chapters.json"/>'
    "<link>https://example.com/podcasts/other</link></item></channel></rss>"
)
PAGE = '<a id="open-in-app" href="podcast://example.com/podcast/feed.xml">app</a>'


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    public = tmp_path / "public"
    public.mkdir()
    (public / "ep.mp3").write_bytes(MP3)
    (public / "feed.xml").write_text(FEED, encoding="utf-8")
    (public / "index.html").write_text(PAGE, encoding="utf-8")
    (public / "sub").mkdir()
    (public / "sub" / "index.html").write_text("<p>sub</p>", encoding="utf-8")
    return public


@pytest.fixture
def server(folder: Path) -> Iterator[PublishServer]:
    with running(folder) as served:
        yield served


def until(condition: Callable[[], bool]) -> None:
    """Wait for something the server does on its own; the bound only turns a hang into a failure."""
    give_up = time.monotonic() + HANG_S
    while not condition():
        assert time.monotonic() < give_up, "the server never got there"
        time.sleep(0.01)


def test_the_feed_points_at_the_address_the_client_used(server: PublishServer) -> None:
    status, headers, body = request(server, "/feed.xml", Host="192.168.1.5:8000")
    feed = body.decode()
    assert status == 200 and "example.com/podcast/" not in feed
    assert 'url="http://192.168.1.5:8000/ep.mp3"' in feed
    assert 'href="http://192.168.1.5:8000/feed.xml"' in feed
    assert "<link>http://192.168.1.5:8000</link>" in feed
    assert "https://example.com/podcasts/other" in feed  # another URL that only starts alike
    assert headers["Content-Length"] == str(len(body)) and headers["Vary"] == "Host"
    port = server.server_address[1]
    _, _, body = request(server, "/feed.xml")  # http.client sends Host: 127.0.0.1:PORT
    assert f'url="http://127.0.0.1:{port}/ep.mp3"' in body.decode()


def test_the_show_page_at_slash_links_apps_to_the_served_feed(server: PublishServer) -> None:
    status, headers, body = request(server, "/", Host="pod.local:8000")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert body == b'<a id="open-in-app" href="podcast://pod.local:8000/feed.xml">app</a>'


@pytest.mark.parametrize("host", ['x"><script>alert(1)</script>', "a b", "a/b", "", "x:y"])
def test_a_host_header_that_is_no_host_gets_the_servers_own_address(
    server: PublishServer, host: str
) -> None:
    _, _, body = request(server, "/feed.xml", Host=host)
    assert f'url="{server.url}ep.mp3"' in body.decode() and "<script>" not in body.decode()


def test_base_url_and_the_configured_base(folder: Path) -> None:
    (folder / "feed.xml").write_text(FEED.replace("example.com/podcast", "pods.nl"), "utf-8")
    with running(folder, base_url="https://cdn.test/show/", configured_base="https://pods.nl") as s:
        _, headers, body = request(s, "/feed.xml", Host="ignored:1")
        assert 'url="https://cdn.test/show/ep.mp3"' in body.decode() and "Vary" not in headers


@pytest.mark.parametrize("url", ["cdn.test/show", "ftp://cdn.test", 'http://x/"><b>', "http://"])
def test_a_base_url_that_is_no_http_url_is_refused(folder: Path, url: str) -> None:
    with pytest.raises(ConfigError, match=r"--base-url: .* is not an absolute http"):
        make_server(folder, "127.0.0.1", 0, base_url=url)


def test_a_range_of_the_rewritten_feed(server: PublishServer) -> None:
    _, _, whole = request(server, "/feed.xml", Host="h:1")
    status, headers, body = request(server, "/feed.xml", Host="h:1", Range="bytes=10-19")
    assert status == 206 and body == whole[10:20]
    assert headers["Content-Range"] == f"bytes 10-19/{len(whole)}"


@pytest.mark.parametrize("path", ["/ep.mp3", "/feed.xml", "/"])
def test_an_unchanged_file_is_answered_304(server: PublishServer, path: str) -> None:
    _, headers, _ = request(server, path)
    etag, modified = headers["ETag"], headers["Last-Modified"]
    status, answer, body = request(server, path, If_None_Match=etag)
    assert (status, body, answer["ETag"]) == (304, b"", etag)
    assert request(server, path, "HEAD", If_None_Match=f'"x", W/{etag}')[0] == 304
    assert request(server, path, If_None_Match="*")[0] == 304
    assert request(server, path, If_Modified_Since=modified)[0] == 304
    assert request(server, path, If_None_Match='"stale"', If_Modified_Since=modified)[0] == 200
    assert request(server, path, If_Modified_Since="Thu, 01 Jan 1970 00:00:00 GMT")[0] == 200
    assert request(server, path, If_Modified_Since="not a date")[0] == 200


def test_a_change_on_disk_is_a_new_etag(server: PublishServer, folder: Path) -> None:
    _, before, _ = request(server, "/ep.mp3")
    _, feed_before, _ = request(server, "/feed.xml")
    (folder / "ep.mp3").write_bytes(MP3[::-1])
    (folder / "feed.xml").write_text(FEED + " ", encoding="utf-8")
    os.utime(folder / "ep.mp3", (10**9, 10**9))
    _, after, _ = request(server, "/ep.mp3", If_None_Match=before["ETag"])
    status, feed_after, _ = request(server, "/feed.xml", If_None_Match=feed_before["ETag"])
    assert status == 200 and feed_after["ETag"] != feed_before["ETag"]
    assert after["ETag"] != before["ETag"]
    assert after["Last-Modified"] == formatdate(10**9, usegmt=True)
    _, other_host, _ = request(server, "/feed.xml", Host="elsewhere:1")
    assert other_host["ETag"] != feed_after["ETag"]  # the same file reads differently there


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("polycast.css", "text/css; charset=utf-8"),
        ("polycast.js", "text/javascript; charset=utf-8"),
    ],
)
def test_a_pages_style_and_script_have_their_types(
    server: PublishServer, folder: Path, name: str, kind: str
) -> None:
    """Browsers apply a stylesheet only by its type (and, with nosniff, run a script only so)."""
    (folder / name).write_text("/* */", encoding="utf-8")
    _, headers, _ = request(server, f"/{name}")
    assert headers["Content-Type"] == kind and headers["X-Content-Type-Options"] == "nosniff"


def test_a_folder_without_its_slash_is_redirected(server: PublishServer) -> None:
    status, headers, _ = request(server, "/sub")
    assert status == 301 and headers["Location"] == "/sub/"
    assert request(server, "/sub/")[2] == b"<p>sub</p>"
    assert request(server, "/sub?x=1")[1]["Location"] == "/sub/"


def test_one_access_line_per_request(
    server: PublishServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="polycast.publish.serve.access")

    def lines() -> list[str]:
        return [r.getMessage() for r in caplog.records if r.name.endswith(".access")]

    _, headers, _ = request(server, "/ep.mp3", Range="bytes=0-99")
    request(server, "/missing%0a.mp3")
    request(server, "/ep.mp3", "HEAD")
    request(server, "/ep.mp3", If_None_Match=headers["ETag"])
    with socket.create_connection(server.server_address[:2], timeout=HANG_S) as sock:
        sock.sendall(b"garbage\r\n\r\n")
        sock.recv(1000)
    until(lambda: len(lines()) == 5)
    garbage = next(line for line in lines() if " 400 " in line)  # the length is http.server's
    assert sorted(lines()) == sorted(  # each is logged once answered, by whichever worker
        [
            "127.0.0.1 GET /ep.mp3 206 100",
            "127.0.0.1 GET /missing%0a.mp3 404 14",
            "127.0.0.1 HEAD /ep.mp3 200 0",
            "127.0.0.1 GET /ep.mp3 304 0",
            "127.0.0.1 - - 400 " + garbage.rsplit(" ", 1)[1],
        ]
    )


def test_a_listener_resetting_the_connection_is_no_traceback(folder: Path) -> None:
    (folder / "big.mp3").write_bytes(MP3 * 3200)  # 32 MB: more than the socket buffers hold
    process = cli_process.popen(
        ["serve", str(folder), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None and process.stderr is not None
        port = int(re.findall(r":(\d+)/", process.stdout.readline())[0])
        for _ in range(3):
            sock = socket.create_connection(("127.0.0.1", port), timeout=HANG_S)
            sock.sendall(b"GET /big.mp3 HTTP/1.1\r\nHost: x\r\n\r\n")
            sock.recv(1000)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()  # a reset, not a polite close
        lines = [process.stderr.readline() for _ in range(3)]  # one each, once it gave up
        assert all(line.startswith("127.0.0.1 GET /big.mp3 200 ") for line in lines), lines
        assert all(int(line.split()[-1]) < len(MP3) * 3200 for line in lines)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=HANG_S)
    finally:
        process.kill()
        process.wait()
    assert process.returncode == 0 and out == "stopped\n" and err == "", err


def test_other_failures_still_say_what_went_wrong(
    server: PublishServer, capsys: pytest.CaptureFixture[str]
) -> None:
    for error in (ConnectionResetError(), BrokenPipeError(), TimeoutError()):
        try:
            raise error
        except OSError:
            server.handle_error(None, ("127.0.0.1", 1))
    assert capsys.readouterr().err == ""
    try:
        raise ValueError("a bug")
    except ValueError:
        server.handle_error(None, ("127.0.0.1", 1))
    assert "ValueError: a bug" in capsys.readouterr().err
