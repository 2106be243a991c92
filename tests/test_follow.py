"""polycast follow against a site on 127.0.0.1: RSS and Atom, full-text and link-only items."""

from __future__ import annotations

import json
from pathlib import Path

from batch_helpers import feed_guids, polycast, show
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
    result = polycast("follow", url, "--json", "--jobs", "2", cwd=tmp_path)
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
