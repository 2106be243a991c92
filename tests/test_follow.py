"""polycast follow against a site on 127.0.0.1: RSS and Atom, full-text and link-only items."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from batch_helpers import feed_guids, polycast, show
from polycast.batch.follow import Item, chosen, item_job, read_site
from polycast.errors import FeedError
from web_server import Route, WebSite, page

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>De Site</title><link>{base}/</link><language>nl</language>
<item><title>Het kabinet</title><link>{base}/kabinet.html</link><guid>{base}/kabinet</guid>
<pubDate>Thu, 09 Sep 2021 10:00:00 GMT</pubDate><description>Kort.</description>
<content:encoded><![CDATA[<p>{text}</p>]]></content:encoded></item>
<item><title>De regen</title><link>{base}/regen.html</link><guid>{base}/regen</guid>
<pubDate>Fri, 10 Sep 2021 10:00:00 GMT</pubDate><description>Alleen een link.</description></item>
{extra}
</channel></rss>"""

BROKEN_ITEMS = """
<item><title>Weg</title><link>{base}/weg.html</link><guid>{base}/weg</guid></item>
<item><title>Foto</title><link>{base}/foto.jpg</link><guid>{base}/foto</guid></item>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en"><title>The Site</title>
<id>urn:site</id><updated>2021-09-10T10:00:00Z</updated>
<entry><id>urn:site:talks</id><title>The talks</title><link href="{base}/talks.html"/>
<updated>2021-09-10T10:00:00Z</updated>
<content type="html">&lt;p&gt;The talks go on tomorrow in The Hague.&lt;/p&gt;</content></entry>
<entry><id>urn:site:rain</id><title>Rain</title><link href="{base}/rain.html"/>
<updated>2021-09-11T10:00:00Z</updated><summary>Only a link.</summary></entry>
</feed>"""


def rss(site: WebSite, text: str = "Het kabinet overlegt vandaag.", extra: str = "") -> Route:
    base = site.url("")
    body = RSS.format(base=base, text=text, extra=extra.format(base=base))
    return Route(body.encode(), content_type="application/rss+xml")


def site_routes(site: WebSite) -> None:
    site.routes["/rss.xml"] = rss(site)
    regen = page("De regen", "<p>Morgen valt er regen.</p>")
    site.routes["/regen.html"] = Route(regen, headers={"ETag": '"v1"'})
    site.routes["/foto.jpg"] = Route(b"\xff\xd8\xff", content_type="image/jpeg")
    base = site.url("")
    site.routes["/atom.xml"] = Route(
        ATOM.format(base=base).encode(), content_type="application/atom+xml"
    )
    site.routes["/rain.html"] = Route(page("Rain", "<p>Rain is expected in the north.</p>"))


def follow(tmp_path: Path, url: str) -> tuple[int, dict[str, object], str]:
    result = polycast("follow", url, "--json", "--jobs", "1", cwd=tmp_path)
    return result.returncode, json.loads(result.stdout), result.stderr


def test_follow_twice_publishes_nothing_again_and_an_edit_updates_exactly_that_item(
    tmp_path: Path,
) -> None:
    show(tmp_path)
    with WebSite({}) as site:
        site_routes(site)
        code, first, err = follow(tmp_path, site.url("/rss.xml"))
        assert code == 0, err
        assert (first["built"], first["published"], first["failed"]) == (2, 2, [])
        feed = tmp_path / "public" / "feed.xml"
        guids = feed_guids(feed)
        assert len(guids) == 2
        before = feed.read_bytes()

        code, second, err = follow(tmp_path, site.url("/rss.xml"))
        assert code == 0, err
        assert (second["built"], second["published"], second["unchanged"]) == (0, 0, 2)
        assert feed.read_bytes() == before
        assert site.statuses("/regen.html")[-1] == 304  # asked again, and not changed

        dry = page("De regen", "<p>Het wordt droog.</p>")
        site.routes["/regen.html"] = Route(dry, headers={"ETag": '"v2"'})
        code, third, err = follow(tmp_path, site.url("/rss.xml"))
        assert code == 0, err
        assert [e["source"] for e in third["episodes"]] == [site.url("/regen.html")]
        assert third["unchanged"] == 1
        assert sorted(feed_guids(feed)) == sorted(guids)

        site.routes["/rss.xml"] = rss(site, text="Het kabinet is gevallen.")
        code, fourth, err = follow(tmp_path, site.url("/rss.xml"))
        assert [e["source"] for e in fourth["episodes"]] == [site.url("/kabinet.html")]
        assert sorted(feed_guids(feed)) == sorted(guids)


def test_a_missing_page_and_a_picture_fail_alone_and_atom_works_too(tmp_path: Path) -> None:
    show(tmp_path)
    with WebSite({}) as site:
        site_routes(site)
        site.routes["/rss.xml"] = rss(site, extra=BROKEN_ITEMS)
        code, summary, err = follow(tmp_path, site.url("/rss.xml"))
        assert code == 1, err
        assert summary["published"] == 2
        failures = {f["source"]: f["error"] for f in summary["failed"]}  # type: ignore[union-attr]
        assert "404" in failures[site.url("/weg.html")]
        assert "image/jpeg" in failures[site.url("/foto.jpg")]

        code, atom, err = follow(tmp_path, site.url("/atom.xml"))
        assert code == 0, err
        assert atom["published"] == 2
        assert len(feed_guids(tmp_path / "public" / "feed.xml")) == 4


JSON_FEED = {
    "version": "https://jsonfeed.org/version/1.1",
    "title": "The Site",
    "language": "en",
    "items": [
        {
            "id": "1",
            "url": "https://example.com/one",
            "title": "One",
            "content_text": "The talks go on.\n\nTomorrow.",
            "date_published": "2021-09-09T10:00:00Z",
            "authors": [{"name": "Jane Doe"}],
        },
        {"id": "2", "url": "https://example.com/two", "title": "Two"},
    ],
}


def test_an_opml_list_reads_every_feed_it_names(tmp_path: Path) -> None:
    with WebSite({}) as site:
        site_routes(site)
        opml = (
            '<?xml version="1.0"?><opml version="2.0"><head><title>Sites</title></head><body>'
            f'<outline text="rss" xmlUrl="{site.url("/rss.xml")}"/>'
            '<outline text="atom" xmlUrl="/atom.xml"/></body></opml>'
        )
        site.routes["/sites.opml"] = Route(opml.encode(), content_type="text/x-opml")
        items, _ = read_site(site.url("/sites.opml"), timeout=30)
    assert [i.guid for i in items] == [
        site.url("/kabinet"),
        site.url("/regen"),
        "urn:site:talks",
        "urn:site:rain",
    ]
    assert [i.text is not None for i in items] == [True, False, True, False]
    assert items[0].language == "nl"


def test_an_opml_list_s_feeds_are_read_within_one_limit_for_them_all() -> None:
    with WebSite({}) as site:
        site_routes(site)
        outlines = '<outline xmlUrl="/rss.xml"/><outline xmlUrl="/atom.xml"/>'
        opml = f'<opml version="2.0"><body>{outlines}</body></opml>'
        site.routes["/sites.opml"] = Route(opml.encode(), content_type="text/x-opml")
        enough = len(opml) + len(site.routes["/rss.xml"].body) + len(site.routes["/atom.xml"].body)
        assert len(read_site(site.url("/sites.opml"), timeout=30, limit=enough)[0]) == 4
        with pytest.raises(FeedError, match=r"/atom\.xml: .*input\.max_follow_mb") as refused:
            read_site(site.url("/sites.opml"), timeout=30, limit=enough - 1)
    assert "the page is" in str(refused.value)


def test_a_json_feed_and_its_jobs(tmp_path: Path) -> None:
    path = tmp_path / "feed.json"
    path.write_text(json.dumps(JSON_FEED), encoding="utf-8")
    (one, two), _ = read_site(str(path), timeout=30)
    assert one.author == "Jane Doe"
    assert one.text == "<p>The talks go on.</p><p>Tomorrow.</p>"
    assert two.text is None
    full, link = item_job(one), item_job(two)
    assert full.data is not None
    assert b'<html lang="en">' in full.data
    assert b'content="2021-09-09T10:00:00+00:00"' in full.data
    assert (link.data, link.url) == (None, "https://example.com/two")
    assert full.name != link.name
    assert item_job(one).name == full.name  # the same item is the same episode every run


def test_an_item_is_named_as_it_always_was_so_its_feed_guid_stays() -> None:
    """Published items' GUIDs come from these names: a new naming would publish them again."""
    story = "https://site.example/news/a-story/"
    item = Item(guid=story, link=story, title="A story", author=None, when=None, text=None)
    assert item_job(item).name == "a-story-6552802d"


def test_since_and_limit_keep_the_newest() -> None:
    def item(guid: str, day: int | None) -> Item:
        when = datetime(2021, 9, day, tzinfo=UTC) if day else None
        return Item(guid=guid, link="", title=guid, author=None, when=when, text=None)

    items = [item("a", 1), item("b", 5), item("c", None), item("d", 9)]
    assert [i.guid for i in chosen(items, date(2021, 9, 5), None)] == ["b", "c", "d"]
    assert [i.guid for i in chosen(items, None, 2)] == ["b", "d"]
