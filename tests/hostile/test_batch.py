"""Hostile input to batch and follow: one clear line, exit 1 (2 for usage), nothing written."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from harness import Hostile

from batch_helpers import SHOW
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


# An output that is an input: refused before the first build, every file left as it was

SITE_RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<title>De site</title><link>http://example.com/</link><language>nl</language>
<item><title>Overleg</title><link>http://example.com/overleg</link><guid>overleg-1</guid>
<content:encoded><![CDATA[<p>Het kabinet overlegt vandaag in Den Haag.</p>]]></content:encoded>
</item></channel></rss>
"""


def test_follow_refuses_to_publish_into_the_feed_it_follows(hostile: Hostile) -> None:
    hostile.write("podcast.toml", SHOW)
    hostile.write("public/feed.xml", SITE_RSS)
    line = hostile.fails("follow", "public/feed.xml", words=("public/feed.xml", "is the input"))
    assert "nothing was done" in line


def test_follow_refuses_a_feed_option_that_is_the_site_feed(hostile: Hostile) -> None:
    hostile.write("podcast.toml", SHOW)
    hostile.write("site.xml", SITE_RSS)
    hostile.fails("follow", "site.xml", "--feed", "site.xml", words=("site.xml", "is the input"))


def test_follow_refuses_a_feed_that_links_to_the_site_feed(hostile: Hostile) -> None:
    hostile.write("podcast.toml", SHOW)
    site = hostile.write("site.xml", SITE_RSS)
    (hostile.root / "mine.xml").symlink_to(site.name)
    hostile.fails("follow", "site.xml", "--feed", "mine.xml", words=("mine.xml", "leads to"))


def test_follow_refuses_a_feed_that_an_opml_list_names(hostile: Hostile) -> None:
    hostile.write("podcast.toml", SHOW)
    hostile.write("public/feed.xml", SITE_RSS)
    hostile.write(
        "sites.opml",
        '<?xml version="1.0"?><opml version="2.0"><body>'
        '<outline text="Site" xmlUrl="public/feed.xml"/></body></opml>',
    )
    hostile.fails("follow", "sites.opml", words=("public/feed.xml", "is the input"))


def test_batch_refuses_a_feed_that_is_one_of_the_articles(hostile: Hostile) -> None:
    hostile.write("podcast.toml", SHOW)
    hostile.short("a.txt")
    hostile.short("b.txt")
    hostile.fails("batch", "a.txt", "b.txt", "--publish", "--feed", "b.txt", words=("b.txt",))


def test_batch_refuses_an_article_named_as_another_s_companion(hostile: Hostile) -> None:
    hostile.short("a.txt")
    hostile.short("output/a.chapters.json")
    line = hostile.fails("batch", "a.txt", "output/a.chapters.json")
    assert "output/a.chapters.json: this output is the input" in line


def test_batch_refuses_an_article_where_publishing_writes_its_episode_page(
    hostile: Hostile,
) -> None:
    """An article ``a.html`` in the publish folder would become episode a's page."""
    hostile.write("podcast.toml", SHOW)
    hostile.write("public/a.html", "<html><body><p>Het kabinet overlegt.</p></body></html>")
    hostile.fails("batch", "public", "--publish", words=("public/a.html", "is the input"))


def test_batch_refuses_an_article_where_publishing_writes_the_show_page(
    hostile: Hostile,
) -> None:
    hostile.write("podcast.toml", SHOW)
    hostile.short("a.txt")
    hostile.write("public/index.html", "<html><body><p>Het kabinet overlegt.</p></body></html>")
    line = hostile.fails("batch", "a.txt", "public/index.html", "--publish")
    assert "public/index.html: this output is the input" in line


def test_batch_refuses_an_article_that_is_its_ledger(hostile: Hostile) -> None:
    hostile.short("a.txt")
    hostile.short("output/.polycast-batch.jsonl")
    hostile.fails("batch", "a.txt", "output/.polycast-batch.jsonl", words=("is the input",))


def test_batch_refuses_an_episode_written_over_the_feed(hostile: Hostile) -> None:
    """The feed is read and kept when publishing: an episode's companion must not replace it."""
    hostile.write("podcast.toml", SHOW)
    hostile.short("a.txt")
    hostile.write("public/a.vtt", SITE_RSS)
    hostile.fails(
        "batch",
        "a.txt",
        "-o",
        "public",
        "--publish",
        "--feed",
        "public/a.vtt",
        words=("public/a.vtt",),
    )


def test_batch_refuses_a_companion_over_the_config_that_holds_its_lexicon(
    hostile: Hostile,
) -> None:
    hostile.short("a.txt")
    hostile.write("output/a.vtt", '[plan.lexicon.nl]\nNAVO = "Navo"\n')
    hostile.fails(
        "batch", "a.txt", "--config", "output/a.vtt", words=("is the input output/a.vtt",)
    )


def test_follow_reads_an_opml_list_s_feeds_within_one_limit_for_them_all(
    hostile: Hostile,
) -> None:
    """Every item of every listed feed is held at once: the feeds together are bounded."""
    hostile.write("podcast.toml", SHOW + "\n[input]\nmax_follow_mb = 0.005\n")
    feed = SITE_RSS + f"<!-- {'x' * (2000 - len(SITE_RSS))} -->\n"  # 2 KB
    outlines = "".join(f'<outline text="{n}" xmlUrl="{n}.xml"/>' for n in "abc")
    read = [hostile.write(f"{name}.xml", feed) for name in "ab"]
    hostile.write("c.xml", feed)
    read.append(hostile.write("sites.opml", f'<opml version="2.0"><body>{outlines}</body></opml>'))
    before = sum(path.stat().st_size for path in read)
    words = ("c.xml", "input.max_follow_mb = 0.005", f"{before} bytes) were read before this one")
    hostile.fails("follow", "sites.opml", "--no-publish", words=words)
