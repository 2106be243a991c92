from __future__ import annotations

import http.client
import os
import re
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

import cli_process
from polycast.errors import ConfigError
from polycast.publish import make_server
from polycast.publish.serve import PublishServer
from serve_helpers import HANG_S, request, running

MP3 = bytes(range(256)) * 40  # 10240 bytes, every offset's value known


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    public = tmp_path / "public"
    public.mkdir()
    (public / "ep.mp3").write_bytes(MP3)
    (public / "feed.xml").write_text("<rss/>", encoding="utf-8")
    (public / "ep.chapters.json").write_text("{}", encoding="utf-8")
    (public / "other.json").write_text("{}", encoding="utf-8")
    (public / "ep.vtt").write_text("WEBVTT\n", encoding="utf-8")
    (public / "ep.srt").write_text("", encoding="utf-8")
    (public / "cover.jpg").write_bytes(b"\xff\xd8\xff")
    (public / "cover.png").write_bytes(b"\x89PNG")
    (public / "één aflevering.mp3").write_bytes(b"x")
    (public / ".feed.xml.lock").write_bytes(b"")
    (public / "sub").mkdir()
    (public / "sub" / "deep.txt").write_text("deep", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    (public / "link.txt").symlink_to(tmp_path / "secret.txt")
    return public


@pytest.fixture
def server(folder: Path) -> Iterator[PublishServer]:
    with running(folder) as served:
        yield served


def test_whole_file(server: PublishServer) -> None:
    status, headers, body = request(server, "/ep.mp3")
    assert status == 200 and body == MP3
    assert headers["Content-Length"] == str(len(MP3))
    assert headers["Content-Type"] == "audio/mpeg"
    assert headers["Accept-Ranges"] == "bytes"
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert "Content-Range" not in headers


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [
        ("bytes=0-99", 0, 99),
        ("bytes=100-", 100, 10239),
        ("bytes=-100", 10140, 10239),
        ("bytes=10000-99999", 10000, 10239),
        ("bytes=-99999", 0, 10239),
        ("bytes=5-5", 5, 5),
        ("bytes = 7 - 9", 7, 9),
    ],
)
def test_single_ranges(server: PublishServer, header: str, first: int, last: int) -> None:
    status, headers, body = request(server, "/ep.mp3", Range=header)
    assert status == 206
    assert headers["Content-Range"] == f"bytes {first}-{last}/{len(MP3)}"
    assert headers["Content-Length"] == str(last - first + 1)
    assert body == MP3[first : last + 1]


@pytest.mark.parametrize("header", ["bytes=10240-", "bytes=20000-30000", "bytes=-0"])
def test_unsatisfiable_ranges(server: PublishServer, header: str) -> None:
    status, headers, _ = request(server, "/ep.mp3", Range=header)
    assert status == 416
    assert headers["Content-Range"] == f"bytes */{len(MP3)}"


@pytest.mark.parametrize("header", ["bytes=0-1,5-6", "items=0-5", "bytes=9-3", "bytes=-"])
def test_ranges_this_server_ignores_get_the_whole_file(server: PublishServer, header: str) -> None:
    status, headers, body = request(server, "/ep.mp3", Range=header)
    assert status == 200 and body == MP3 and "Content-Range" not in headers


def test_if_range(server: PublishServer) -> None:
    _, headers, _ = request(server, "/ep.mp3", "HEAD")
    status, _, body = request(server, "/ep.mp3", Range="bytes=0-9", If_Range=headers["ETag"])
    assert status == 206 and body == MP3[:10]
    modified = headers["Last-Modified"]
    assert request(server, "/ep.mp3", Range="bytes=0-9", If_Range=modified)[0] == 206
    status, _, body = request(server, "/ep.mp3", Range="bytes=0-9", If_Range='"stale"')
    assert status == 200 and body == MP3


def test_head_sends_headers_only(server: PublishServer) -> None:
    status, headers, body = request(server, "/ep.mp3", "HEAD")
    assert status == 200 and body == b""
    assert headers["Content-Length"] == str(len(MP3))
    status, headers, body = request(server, "/ep.mp3", "HEAD", Range="bytes=10-19")
    assert status == 206 and body == b"" and headers["Content-Length"] == "10"


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/feed.xml", "application/rss+xml; charset=utf-8"),
        ("/ep.chapters.json", "application/json+chapters"),
        ("/other.json", "application/json; charset=utf-8"),
        ("/ep.vtt", "text/vtt; charset=utf-8"),
        ("/ep.srt", "application/x-subrip; charset=utf-8"),
        ("/cover.jpg", "image/jpeg"),
        ("/cover.png", "image/png"),
        ("/%C3%A9%C3%A9n%20aflevering.mp3", "audio/mpeg"),
        ("/sub/deep.txt?x=1", "text/plain; charset=utf-8"),
    ],
)
def test_types(server: PublishServer, path: str, kind: str) -> None:
    status, headers, _ = request(server, path)
    assert status == 200 and headers["Content-Type"] == kind


@pytest.mark.parametrize(
    "path",
    [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/sub/../../secret.txt",
        "/sub/%2E%2E/%2E%2E/secret.txt",
        "/..%2Fsecret.txt",
        "/link.txt",  # a symlink out of the folder
        "/.feed.xml.lock",
        "/",  # no listings
        "/sub/",
        "/missing.mp3",
        "/ep.mp3%00.txt",
    ],
)
def test_nothing_outside_the_folder_or_hidden_is_served(server: PublishServer, path: str) -> None:
    status, _, body = request(server, path)
    assert status == 404 and b"secret" not in body


def test_index_html_answers_for_a_folder(server: PublishServer, folder: Path) -> None:
    (folder / "index.html").write_text("<h1>hoi</h1>", encoding="utf-8")
    status, headers, body = request(server, "/")
    assert status == 200 and body == b"<h1>hoi</h1>"
    assert headers["Content-Type"] == "text/html; charset=utf-8"


def test_other_methods_are_refused(server: PublishServer, folder: Path) -> None:
    status, _, _ = request(server, "/ep.mp3", "PUT")
    assert status == 501
    assert (folder / "ep.mp3").read_bytes() == MP3


def test_several_requests_on_one_connection(server: PublishServer) -> None:
    connection = http.client.HTTPConnection(*server.server_address[:2], timeout=HANG_S)
    try:
        for first in (0, 1000, 5000):
            connection.request("GET", "/ep.mp3", headers={"Range": f"bytes={first}-{first + 9}"})
            response = connection.getresponse()
            assert response.status == 206 and response.read() == MP3[first : first + 10]
    finally:
        connection.close()


def test_a_listener_hanging_up_does_not_stop_the_server(server: PublishServer) -> None:
    connection = http.client.HTTPConnection(*server.server_address[:2], timeout=HANG_S)
    connection.request("GET", "/ep.mp3")
    response = connection.getresponse()
    response.read(10)
    connection.close()
    assert request(server, "/ep.mp3")[2] == MP3


def test_url_and_errors(folder: Path, server: PublishServer) -> None:
    host, port = server.server_address[:2]
    assert server.url == f"http://127.0.0.1:{port}/"
    with pytest.raises(ConfigError, match=r"cannot listen on 127\.0\.0\.1:\d+"):
        make_server(folder, str(host), int(port))
    with pytest.raises(ConfigError, match="no such folder to serve"):
        make_server(folder / "missing")


def test_served_files_follow_changes_on_disk(server: PublishServer, folder: Path) -> None:
    (folder / "feed.xml").write_text("<rss>nieuw</rss>", encoding="utf-8")
    os.utime(folder / "feed.xml", (1, 1))
    status, headers, body = request(server, "/feed.xml")
    assert status == 200 and body == b"<rss>nieuw</rss>"
    assert headers["Last-Modified"] == "Thu, 01 Jan 1970 00:00:01 GMT"


def test_cli_serve_runs_until_ctrl_c(folder: Path) -> None:
    process = cli_process.popen(
        ["serve", str(folder), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = re.match(r"serving .* at http://127\.0\.0\.1:(\d+)/  \(feed: .*/feed\.xml\)$", line)
        assert match, line
        connection = http.client.HTTPConnection("127.0.0.1", int(match.group(1)), timeout=HANG_S)
        connection.request("GET", "/ep.mp3", headers={"Range": "bytes=-10"})
        response = connection.getresponse()
        assert response.status == 206 and response.read() == MP3[-10:]
        connection.close()
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=HANG_S)
    finally:
        process.kill()
        process.wait()
    assert process.returncode == 0, err
    assert out == "stopped\n" and err == "127.0.0.1 GET /ep.mp3 206 10\n"  # one line a request
