"""Fetching a web page: against a real HTTP server on 127.0.0.1, never the internet."""

from __future__ import annotations

import gzip
import re
import socket
import zlib
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from polycast import __version__
from polycast.cache import Cache
from polycast.cache.pages import KeptPage
from polycast.config import Config, parse_config
from polycast.errors import ConfigError, FetchError, InputError, SiteUnreachable
from polycast.fetch import fetch_page
from polycast.fetch.http import failure, unreachable
from polycast.fetch.inflate import gunzip
from polycast.read import read_article
from web_server import Route, WebSite, page, refused_port

ARTICLE = page("A day at the sea", "<p>" + "The waves were high that morning. " * 20 + "</p>")


@pytest.fixture(autouse=True)
def no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reach 127.0.0.1 directly, whatever proxies the machine's environment names."""
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.delenv(name, raising=False)


def test_a_page_is_fetched_with_polycasts_name_and_named_after_its_slug() -> None:
    with WebSite({"/news/2024/a-day-at-the-sea/": Route(ARTICLE)}) as site:
        got = fetch_page(site.url("/news/2024/a-day-at-the-sea/"))
    assert got.data == ARTICLE
    assert (got.content_type, got.name, got.revalidated) == ("text/html", "a-day-at-the-sea", False)
    asked = site.seen[0].headers
    assert f"polycast/{__version__}" in asked["user-agent"]
    assert set(asked["accept-encoding"].replace(" ", "").split(",")) == {"gzip", "deflate", "br"}


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br"])
def test_a_compressed_page_is_decoded(encoding: str) -> None:
    with WebSite({"/a-page": Route(ARTICLE, encoding=encoding)}) as site:
        assert fetch_page(site.url("/a-page")).data == ARTICLE


def test_a_page_without_a_slug_is_named_after_its_title() -> None:
    with WebSite({"/index.html": Route(ARTICLE), "/p/123": Route(ARTICLE)}) as site:
        assert fetch_page(site.url("/index.html")).name == "a-day-at-the-sea"
        assert fetch_page(site.url("/p/123")).name == "a-day-at-the-sea"


def test_a_redirect_chain_is_followed_to_the_page_it_ends_at() -> None:
    routes = {
        "/short": Route(status=301, headers={"Location": "/hop"}),
        "/hop": Route(status=302, headers={"Location": "/hop-2"}),
        "/hop-2": Route(status=307, headers={"Location": "/stories/the-real-slug"}),
        "/stories/the-real-slug": Route(ARTICLE),
    }
    with WebSite(routes) as site:
        got = fetch_page(site.url("/short"))
    assert (got.final_url, got.name) == (site.url("/stories/the-real-slug"), "the-real-slug")
    assert [s.status for s in site.seen] == [301, 302, 307, 200]


def test_more_than_five_redirects_is_a_loop() -> None:
    routes = {f"/r{i}": Route(status=302, headers={"Location": f"/r{i + 1}"}) for i in range(9)}
    with WebSite(routes) as site, pytest.raises(FetchError, match="more than 5 redirects"):
        fetch_page(site.url("/r0"))
    assert len(site.seen) == 6  # the first request and five redirects, no more


def test_a_redirect_off_http_is_refused() -> None:
    routes = {"/a": Route(status=302, headers={"Location": "file:///etc/passwd"})}
    with WebSite(routes) as site, pytest.raises(FetchError, match="not an http or https"):
        fetch_page(site.url("/a"))


@pytest.mark.parametrize(
    ("status", "words"), [(404, "404 Not Found"), (500, "500 Internal Server Error"), (403, "403")]
)
def test_an_error_status_names_the_address_and_the_status(status: int, words: str) -> None:
    site = WebSite({"/gone": Route(b"<p>no</p>", status=status)})
    with site, pytest.raises(FetchError) as caught:
        fetch_page(site.url("/gone"))
    assert str(caught.value).startswith(site.url("/gone"))
    assert words in str(caught.value)


def test_a_server_that_never_answers_times_out() -> None:
    site = WebSite({"/slow": Route(stall=True)})
    with site, pytest.raises(FetchError, match=r"within 0\.2 s \(timed out\)"):
        fetch_page(site.url("/slow"), timeout=0.2)
    assert [s.path for s in site.seen] == ["/slow"]  # it was asked, and did not answer


def test_a_refused_connection_says_so() -> None:
    with refused_port() as port, pytest.raises(FetchError, match="refused") as caught:
        fetch_page(f"http://127.0.0.1:{port}/article")
    assert f"http://127.0.0.1:{port}/article" in str(caught.value)


def test_a_page_over_the_cap_is_refused_by_its_length_and_by_what_it_inflates_to() -> None:
    big = ARTICLE * 20
    bomb = gzip.compress(b"<p>" + b" " * 5_000_000)
    routes = {
        "/big": Route(big),
        "/bomb": Route(bomb, headers={"Content-Encoding": "gzip"}),
    }
    with WebSite(routes) as site:
        with pytest.raises(FetchError, match=r"over the 0\.01 MB limit"):
            fetch_page(site.url("/big"), max_bytes=10_000)
        with pytest.raises(FetchError, match="over the 1 MB limit"):
            fetch_page(site.url("/bomb"), max_bytes=1_000_000)


def test_an_image_is_not_a_page() -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(100)
    site = WebSite({"/photo": Route(png, content_type="image/png")})
    with site, pytest.raises(FetchError, match="image/png"):
        fetch_page(site.url("/photo"))


def test_another_scheme_is_refused_before_any_request() -> None:
    with pytest.raises(FetchError, match="only http and https"):
        fetch_page("ftp://127.0.0.1/article.html")


def test_a_windows_1252_page_declared_only_in_its_meta_reads_right() -> None:
    body = page(
        "Caf\u00e9 cr\u00e8me",
        "<p>Un caf\u00e9 cr\u00e8me \u2014 s\u2019il vous pla\u00eet.</p>",
        charset="windows-1252",
    )
    with WebSite({"/cafe": Route(body, content_type="text/html")}) as site:
        got = fetch_page(site.url("/cafe"))
    article = read_article(got.data, got.url, got.format)
    assert "Un caf\u00e9 cr\u00e8me \u2014 s\u2019il vous pla\u00eet." in [
        s.text for s in article.segments
    ]
    assert got.name == "cafe"


def test_the_charset_of_the_header_is_taken_over_none_in_the_page() -> None:
    text = "<p>Gr\u00fc\u00dfe aus K\u00f6ln, sagte er.</p>"
    body = f"<html><body><article>{text}</article></body></html>".encode("iso-8859-1")
    route = Route(body, content_type="text/html; charset=ISO-8859-1")
    with WebSite({"/koeln": route}) as site:
        got = fetch_page(site.url("/koeln"))
    assert "Gr\u00fc\u00dfe aus K\u00f6ln" in got.data.decode("utf-8")


@pytest.mark.parametrize("validator", ["ETag", "Last-Modified"])
def test_a_rebuild_asks_whether_the_page_changed_and_takes_the_kept_copy(
    tmp_path: Path, validator: str
) -> None:
    value = '"v1"' if validator == "ETag" else "Tue, 01 Dec 2026 10:00:00 GMT"
    cache = Cache(tmp_path)
    with WebSite({"/a-story": Route(ARTICLE, headers={validator: value})}) as site:
        first = fetch_page(site.url("/a-story"), cache=cache)
        again = fetch_page(site.url("/a-story"), cache=cache)
    assert site.statuses("/a-story") == [200, 304]
    asked = "if-none-match" if validator == "ETag" else "if-modified-since"
    assert site.seen[1].headers[asked] == value
    assert (first.revalidated, again.revalidated) == (False, True)
    assert again.data == first.data == ARTICLE


def test_a_changed_page_replaces_the_kept_copy(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    with WebSite({"/s": Route(ARTICLE, headers={"ETag": '"v1"'})}) as site:
        fetch_page(site.url("/s"), cache=cache)
        site.routes["/s"] = Route(ARTICLE + b"<!-- edited -->", headers={"ETag": '"v2"'})
        changed = fetch_page(site.url("/s"), cache=cache)
        kept = fetch_page(site.url("/s"), cache=cache)
    assert site.statuses("/s") == [200, 200, 304]
    assert changed.data.endswith(b"<!-- edited -->") and kept.data == changed.data


def test_a_damaged_kept_page_is_fetched_again(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    with WebSite({"/s": Route(ARTICLE, headers={"ETag": '"v1"'})}) as site:
        fetch_page(site.url("/s"), cache=cache)
        assert cache.pages is not None
        entry = cache.pages.path(site.url("/s"))
        entry.write_bytes(entry.read_bytes()[:-10])
        got = fetch_page(site.url("/s"), cache=cache)
    assert site.statuses("/s") == [200, 200]
    assert "if-none-match" not in site.seen[1].headers
    assert got.data == ARTICLE


def test_a_saved_gzip_page_inflates_within_its_bound() -> None:
    assert gunzip(gzip.compress(ARTICLE), 1_000_000) == ARTICLE
    assert (
        gunzip(gzip.compress(b"<p>a</p>") + gzip.compress(b"<p>b</p>"), 100) == b"<p>a</p><p>b</p>"
    )
    with pytest.raises(InputError, match="compression bomb"):
        gunzip(gzip.compress(bytes(50_000_000)), 1_000_000)
    with pytest.raises(InputError, match="truncated"):
        gunzip(gzip.compress(ARTICLE)[:-20], 1_000_000)
    with pytest.raises(InputError, match="damaged"):
        gunzip(b"\x1f\x8b" + zlib.compress(ARTICLE), 1_000_000)


def test_the_fetch_timeout_is_a_setting() -> None:
    assert Config().fetch_timeout == 20
    assert parse_config("[input]\nfetch_timeout = 0.5\n").fetch_timeout == 0.5
    with pytest.raises(ConfigError, match="fetch_timeout"):
        parse_config("[input]\nfetch_timeout = 0\n")


def dns_failure() -> httpx.ConnectError:
    """The failure httpx raises for an unknown host, chained as httpx chains it.

    A real lookup would ask the network's resolver, so it is built instead: httpx's ConnectError
    raised from the resolver's socket.gaierror.
    """
    try:
        try:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        except socket.gaierror as cause:
            raise httpx.ConnectError("[Errno -2] Name or service not known") from cause
    except httpx.ConnectError as error:
        return error


def test_an_unknown_host_is_named_as_a_dns_failure() -> None:
    said = failure(dns_failure(), "https://no-such-host.example/a-story", 20)
    assert said.startswith("the host no-such-host.example was not found (DNS")


# A site out of reach: the kept copy is read, and the page says so


def test_a_site_gone_offline_is_read_from_the_kept_copy(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    with WebSite({"/a-story": Route(ARTICLE, headers={"ETag": '"v1"'})}) as site:
        url = site.url("/a-story")
        first = fetch_page(url, cache=cache)
    with refused_port(site.port):
        kept = fetch_page(url, cache=cache)
    assert site.statuses("/a-story") == [200]
    assert first.notices == () and kept.data == first.data == ARTICLE
    assert kept.name == first.name == "a-story"
    (said,) = kept.notices
    assert said.startswith(f"{url}: unreachable (connection refused); building from the copy")
    assert re.search(r"fetched on \d{4}-\d\d-\d\d \d\d:\d\d UTC$", said), said


def test_a_site_that_stops_answering_is_read_from_the_kept_copy(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    with WebSite({"/s": Route(ARTICLE, headers={"ETag": '"v1"'})}) as site:
        fetch_page(site.url("/s"), cache=cache)
        site.routes["/s"] = Route(stall=True)
        kept = fetch_page(site.url("/s"), cache=cache, timeout=0.2)
    assert [s.path for s in site.seen] == ["/s", "/s"]  # asked again, and it did not answer
    assert kept.data == ARTICLE
    assert "unreachable (timed out)" in kept.notices[0]


@pytest.mark.parametrize("status", [404, 500])
def test_an_error_status_fails_even_with_a_kept_copy(tmp_path: Path, status: int) -> None:
    """A 404 or a 500 is the site saying the page is gone or broken: not out of reach."""
    cache = Cache(tmp_path)
    with WebSite({"/s": Route(ARTICLE, headers={"ETag": '"v1"'})}) as site:
        fetch_page(site.url("/s"), cache=cache)
        site.routes["/s"] = Route(b"<p>no</p>", status=status)
        with pytest.raises(FetchError, match=f"{status} "):
            fetch_page(site.url("/s"), cache=cache)


def test_an_unreachable_site_with_no_kept_copy_fails(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    with WebSite({"/s": Route(ARTICLE, headers={"ETag": '"v1"'})}) as site:
        fetch_page(site.url("/s"), cache=cache)
    with refused_port(site.port), pytest.raises(SiteUnreachable, match="refused") as caught:
        fetch_page(site.url("/other"), cache=cache)
    assert caught.value.reason == "connection refused"


def test_a_kept_page_without_its_fetch_time_still_reads(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    with WebSite({"/s": Route(ARTICLE, headers={"ETag": '"v1"'})}) as site:
        fetch_page(site.url("/s"), cache=cache)
    assert cache.pages is not None
    entry = cache.pages.path(site.url("/s"))
    kept = KeptPage.from_data(entry.read_bytes())
    entry.write_bytes(replace(kept, fetched=None).to_data())  # as kept before it was recorded
    with refused_port(site.port):
        got = fetch_page(site.url("/s"), cache=cache)
    assert got.data == ARTICLE
    assert got.notices[0].endswith("building from the copy kept in the cache")


def test_what_keeps_a_site_out_of_reach_is_said_in_a_few_words() -> None:
    assert unreachable(dns_failure()) == "host not found"
    assert unreachable(httpx.ConnectTimeout("slow")) == "timed out"
    assert unreachable(httpx.ReadTimeout("slow")) == "timed out"
    assert unreachable(httpx.RemoteProtocolError("broke off")) is None  # it answered, badly
