"""Hostile web pages: every way fetching an article can fail, through the command line.

A real site on 127.0.0.1 answers each case; polycast must fail as it does for a bad file: exit 1
(2 for a usage error), one line on stderr that names the address and what went wrong, no
traceback, nothing written. Saved pages that are gzip bombs or damaged archives are here too.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator

import pytest
from harness import Hostile

from web_server import Route, WebSite, page, refused_port

ARTICLE = page("A day at the sea", "<p>" + "The waves were high that morning. " * 40 + "</p>")
COOKIE_WALL = (
    b"<!doctype html><html><head><title>Before you continue</title></head><body>"
    b"<div id='cookie-consent' class='cookie-banner'><p>We use cookies to improve your "
    b"experience and to show you personalised ads. By clicking accept you agree.</p>"
    b"<button>Accept all</button><button>Manage settings</button></div></body></html>"
)
ROUTES = {
    "/gone": Route(b"<p>no such page</p>", status=404),
    "/broken": Route(b"<p>oops</p>", status=500),
    "/stall": Route(stall=True),
    "/big-story": Route(ARTICLE),
    "/photo": Route(b"\x89PNG\r\n\x1a\n" + bytes(200), content_type="image/png"),
    "/cookies": Route(COOKIE_WALL),
    **{f"/loop{i}": Route(status=302, headers={"Location": f"/loop{i + 1}"}) for i in range(8)},
}


@pytest.fixture(scope="module")
def site() -> Iterator[WebSite]:
    """One site for every case of the module; each case asks its own path."""
    with WebSite(ROUTES) as running:
        yield running


@pytest.fixture
def web(hostile: Hostile) -> Hostile:
    """A hostile case that reaches 127.0.0.1 directly, whatever proxies the machine names."""
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        hostile.env.pop(name, None)
    return hostile


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/gone", ("404 Not Found", "no page at that address")),
        ("/broken", ("500", "server failed")),
        ("/photo", ("image/png", "not a web page")),
        ("/cookies", ("holds no text to speak", "own page")),
        ("/loop0", ("more than 5 redirects",)),
    ],
)
def test_a_bad_page_is_one_line_naming_the_address(
    web: Hostile, site: WebSite, path: str, words: tuple[str, ...]
) -> None:
    web.fails("build", site.url(path), words=(site.url(path), *words))


def test_a_server_that_never_answers_times_out(web: Hostile, site: WebSite) -> None:
    web.write("podcast.toml", "[input]\nfetch_timeout = 0.3\n")
    web.fails("build", site.url("/stall"), words=(site.url("/stall"), "timed out", "0.3 s"))


def test_a_refused_connection_is_one_line(web: Hostile) -> None:
    with refused_port() as port:
        url = f"http://127.0.0.1:{port}/story"
        web.fails("build", url, words=(url, "refused"))


def test_a_page_over_the_size_cap_is_refused(web: Hostile, site: WebSite) -> None:
    web.write("podcast.toml", "[input]\nmax_article_mb = 0.001\n")
    web.fails("build", site.url("/big-story"), words=(site.url("/big-story"), "max_article_mb"))


@pytest.mark.parametrize("command", ["build", "segments", "plan", "preview"])
def test_another_scheme_is_a_usage_error(web: Hostile, command: str) -> None:
    extra = ("0",) if command == "preview" else ()
    web.fails(command, "ftp://127.0.0.1/story.html", *extra, code=2, words=("ftp", "http"))


@pytest.mark.parametrize("command", ["segments", "plan", "preview"])
def test_every_command_that_takes_an_article_names_the_failing_address(
    web: Hostile, site: WebSite, command: str
) -> None:
    extra = ("0",) if command == "preview" else ()
    web.fails(command, site.url("/gone"), *extra, words=(site.url("/gone"), "404"))


def test_a_saved_page_that_is_a_gzip_bomb_is_refused(web: Hostile) -> None:
    web.write("bomb.html.gz", gzip.compress(b"<p>" + b" " * 30_000_000))
    web.fails("build", "bomb.html.gz", words=("bomb.html.gz", "compression bomb"))


def test_a_damaged_saved_page_is_refused(web: Hostile) -> None:
    web.write("cut.html.gz", gzip.compress(ARTICLE)[:-30])
    web.fails("build", "cut.html.gz", words=("cut.html.gz", "truncated"))
