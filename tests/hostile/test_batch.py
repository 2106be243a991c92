"""Hostile input to batch and follow: one clear line, exit 1 (2 for usage), nothing written."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from harness import Hostile

from web_server import Route, WebSite, page, refused_port

EMPTY_RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Leeg</title>
<link>http://example.com/</link></channel></rss>"""


@contextmanager
def not_dask() -> Iterator[int]:
    """A TCP server that answers every connection as a web server would: not a Dask scheduler."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()

    def answer() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn:
                conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    try:
        yield int(server.getsockname()[1])
    finally:
        server.close()


def stdin_from(path: str) -> Callable[[], None]:
    """A ``preexec_fn`` that gives the child ``path`` as its standard input."""

    def attach() -> None:
        os.dup2(os.open(path, os.O_RDONLY), 0)

    return attach


def test_an_unreachable_cluster(hostile: Hostile) -> None:
    hostile.short()
    with refused_port() as port:
        address = f"tcp://127.0.0.1:{port}"
        hostile.fails("batch", "short-nl.txt", "--cluster", address, words=(address, "connect"))


def test_a_scheduler_that_is_not_dask(hostile: Hostile) -> None:
    hostile.short()
    with not_dask() as port:
        address = f"tcp://127.0.0.1:{port}"
        hostile.fails("batch", "short-nl.txt", "--cluster", address, words=("not a dask",))


def test_a_cluster_address_that_is_no_address(hostile: Hostile) -> None:
    hostile.short()
    hostile.fails("batch", "short-nl.txt", "--cluster", "tcp://nowhere", words=("tcp://HOST:PORT",))


def test_a_feed_url_that_is_not_a_feed(hostile: Hostile) -> None:
    with WebSite({"/": Route(page("Home", "<p>Welcome.</p>"))}) as site:
        url = site.url("/")
        hostile.fails("follow", url, words=(url, "not an rss, atom or json feed"))


def test_an_empty_feed(hostile: Hostile) -> None:
    with WebSite({"/feed": Route(EMPTY_RSS, content_type="application/rss+xml")}) as site:
        hostile.fails("follow", site.url("/feed"), words=("no items",))


def test_a_feed_file_that_is_not_a_feed(hostile: Hostile) -> None:
    hostile.write("feed.json", '{"version": "1", "items": []}')
    hostile.fails("follow", "feed.json", words=("feed.json", "not a json feed"))


def test_a_folder_with_no_articles(hostile: Hostile) -> None:
    hostile.write("empty/notes.pdf", b"%PDF-1.4")
    hostile.fails("batch", "empty", words=("empty", "no articles"))


def test_a_list_with_a_blank_line(hostile: Hostile) -> None:
    hostile.short("a.txt")
    hostile.short("b.txt")
    listing = hostile.write("list.txt", "a.txt\n\nb.txt\n")
    hostile.fails("batch", "-", words=("line 2", "blank"), preexec_fn=stdin_from(str(listing)))


def test_a_missing_source(hostile: Hostile) -> None:
    hostile.short()
    hostile.fails("batch", "short-nl.txt", "gone.txt", words=("gone.txt", "no such file"))


def test_two_articles_that_would_be_one_episode(hostile: Hostile) -> None:
    hostile.short("one/same.txt")
    hostile.short("two/same.txt")
    hostile.fails("batch", "one", "two", words=("same", "rename"))


def test_no_source_is_a_usage_error(hostile: Hostile) -> None:
    hostile.fails("batch", code=2, words=("missing argument",))


def test_jobs_zero_is_a_usage_error(hostile: Hostile) -> None:
    hostile.short()
    hostile.fails("batch", "short-nl.txt", "--jobs", "0", code=2, words=("--jobs",))
