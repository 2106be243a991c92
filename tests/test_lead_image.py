"""The article's lead image, end to end: read, planned, kept in the rundown, tagged, published.

The image is never fetched: every step passes its URL on, and the feed names it for the item
(``itunes:image``, ``podcast:image``), read back here by feedparser and podcastparser.
"""

from __future__ import annotations

import doctest
import io
import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import podcastparser
import pytest
from mutagen.id3 import APIC, ID3
from typer.testing import CliRunner

from polycast import rundown
from polycast.cache.episodes import episode_key
from polycast.cli import app
from polycast.config import Config
from polycast.encode.tag import tag_mp3
from polycast.errors import InputError
from polycast.models import Chapter, Cue, EpisodeInfo, Rundown
from polycast.publish import publish_episode
from polycast.publish.episode import read_episode
from polycast.publish.xmlio import ITUNES_NS, PODCAST_NS
from polycast.read import image
from polycast.read.html import read_html
from polycast.read.markdown import read_markdown
from publish_fixtures import make_episode, show, write_config

NS = {"itunes": ITUNES_NS, "podcast": PODCAST_NS}
NOW = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
PHOTO = "https://cdn.example.org/img/vispassage.jpg"


def page(head: str = "", body: str = "<p>Tekst.</p>") -> str:
    return f"<html lang='nl'><head>{head}</head><body><article>{body}</article></body></html>"


def ld(value: str, kind: str = "NewsArticle") -> str:
    return f'<script type="application/ld+json">{{"@type": "{kind}", "image": {value}}}</script>'


def test_doctests() -> None:
    assert doctest.testmod(image).failed == 0


@pytest.mark.parametrize(
    "value",
    [f'"{PHOTO}"', f'{{"@type": "ImageObject", "url": "{PHOTO}"}}', f'["{PHOTO}", "https://x/2"]'],
)
def test_json_ld_image_as_string_object_or_list(value: str) -> None:
    head = ld(value) + '<meta property="og:image" content="https://example.org/og.jpg">'
    assert read_html(page(head)).image == PHOTO  # JSON-LD first, as the most deliberate


def test_json_ld_image_of_something_else_than_the_article_is_not_its_image() -> None:
    head = ld(f'"{PHOTO}"', kind="Organization")
    assert read_html(page(head)).image is None
    blog = ld(f'[{{"url": "{PHOTO}"}}]', kind="BlogPosting")
    assert read_html(page(blog)).image == PHOTO


def test_og_image_then_twitter_image_then_the_first_figure() -> None:
    og = f'<meta property="og:image" content="{PHOTO}">'
    twitter = '<meta name="twitter:image" content="https://example.org/tw.jpg">'
    figure = '<figure><img src="https://example.org/fig.jpg" alt="x"></figure><p>Tekst.</p>'
    assert read_html(page(og + twitter, figure)).image == PHOTO
    assert read_html(page(twitter, figure)).image == "https://example.org/tw.jpg"
    assert read_html(page("", "<p>a</p>" + figure)).image == "https://example.org/fig.jpg"
    assert read_html(page()).image is None


def test_a_relative_image_is_resolved_against_the_pages_own_address() -> None:
    figure = '<figure><img src="../img/a.jpg" alt="x"></figure>'
    og_url = '<meta property="og:url" content="https://krant.example/nieuws/stuw">'
    canonical = '<link rel="canonical" href="https://krant.example/binnenland/stuw">'
    assert read_html(page(og_url, figure)).image == "https://krant.example/img/a.jpg"
    assert read_html(page(canonical, figure)).image == "https://krant.example/img/a.jpg"
    relative_og = '<meta property="og:image" content="/img/b.jpg">'
    assert read_html(page(canonical + relative_og)).image == "https://krant.example/img/b.jpg"


@pytest.mark.parametrize(
    "src",
    ["vispassage.jpg", "data:image/png;base64,AAAA", "javascript:alert(1)", "ftp://x.org/a.jpg",
     "https://", "//cdn.example.org/a.jpg", "https://a.org/has space.jpg"],
)  # fmt: skip
def test_an_image_without_an_absolute_http_address_is_dropped(src: str) -> None:
    figure = f'<figure><img src="{src}" alt="x"></figure><p>Tekst.</p>'
    assert read_html(page("", figure)).image is None


def test_an_unaddressable_lead_image_gives_way_to_the_next_candidate() -> None:
    head = '<meta property="og:image" content="foto.jpg">'
    figure = f'<figure><img src="{PHOTO}" alt="x"></figure>'
    assert read_html(page(head, figure)).image == PHOTO


@pytest.mark.parametrize("key", ["image", "cover", "featured_image", "og_image", "Image"])
def test_markdown_front_matter_names_the_image(key: str) -> None:
    text = f"---\ntitle: Stuw\n{key}: {PHOTO}\n---\n\nVissen zwemmen weer.\n"
    assert read_markdown(text).image == PHOTO


def test_markdown_front_matter_image_as_a_table_in_toml_and_relative_paths() -> None:
    toml = f'+++\ntitle = "Stuw"\n[cover]\nimage = "{PHOTO}"\nalt = "x"\n+++\n\nTekst.\n'
    assert read_markdown(toml).image == PHOTO
    assert read_markdown("---\ntitle: Stuw\nimage: /img/a.jpg\n---\n\nTekst.\n").image is None
    assert read_markdown("---\ntitle: Stuw\nimage:\n  caption: x\n---\n\nTekst.\n").image is None
    assert read_markdown("# Stuw\n\nTekst.\n").image is None


def small_rundown(**changes: str | None) -> Rundown:
    cue = Cue("Vissen zwemmen weer.", "nl")
    return Rundown((Chapter("Stuw", (cue,)),), "Stuw", "nl", **changes)  # type: ignore[arg-type]


def test_the_rundown_keeps_the_image() -> None:
    planned = small_rundown(image=PHOTO)
    text = rundown.dumps(planned)
    assert f'\nimage = "{PHOTO}"\n' in text
    assert rundown.loads(text) == planned
    assert "\nimage =" not in rundown.dumps(small_rundown())
    assert rundown.loads(rundown.dumps(small_rundown())).image is None


@pytest.mark.parametrize(
    ("value", "words"),
    [('"img/a.jpg"', "not an http"), ('"ftp://x.org/a.jpg"', "not an http"),
     ('" https://x.org/a.jpg"', "not an http"), ("3", "must be text")],
)  # fmt: skip
def test_the_rundown_refuses_an_image_that_is_no_http_url(value: str, words: str) -> None:
    text = rundown.dumps(small_rundown())
    text = text.replace('\nlanguage = "nl"', f'\nimage = {value}\nlanguage = "nl"')
    with pytest.raises(InputError, match=rf"rundown line \d+: .*{words}"):
        rundown.loads(text)


def test_the_tag_links_the_image_and_publish_reads_it_back(tmp_path: Path) -> None:
    mp3 = make_episode(tmp_path)
    assert read_episode(mp3).image is None
    url = "https://cdn.example.org/img/één.jpg"
    tag_mp3(mp3, EpisodeInfo(title="Stuw", language="nl", image=url), [], 44100)
    pictures = ID3(mp3).getall("APIC")
    assert [(p.mime, p.type, p.data) for p in pictures] == [
        ("-->", 3, b"https://cdn.example.org/img/%C3%A9%C3%A9n.jpg")
    ]
    assert read_episode(mp3).image == "https://cdn.example.org/img/%C3%A9%C3%A9n.jpg"


@pytest.mark.parametrize(
    ("mime", "data"),
    [("image/jpeg", b"\xff\xd8\xff\xe0 not a link"), ("-->", b"file:///etc/passwd"),
     ("-->", b"img/a.jpg")],
)  # fmt: skip
def test_an_embedded_picture_or_a_link_that_is_no_http_url_is_no_image(
    tmp_path: Path, mime: str, data: bytes
) -> None:
    mp3 = make_episode(tmp_path)
    tags = ID3(mp3)
    tags.add(APIC(encoding=0, mime=mime, type=3, desc="", data=data))
    tags.save(mp3, v2_version=3)
    assert read_episode(mp3).image is None


def with_image(mp3: Path, url: str) -> Path:
    tags = ID3(mp3)
    tags.add(APIC(encoding=0, mime="-->", type=3, desc="", data=url.encode()))
    tags.save(mp3, v2_version=3)
    return mp3


def parse_feed(path: Path) -> tuple[ET.Element, dict[str, object], dict[str, object]]:
    data = path.read_bytes()
    return (
        ET.fromstring(data),
        feedparser.parse(data),
        podcastparser.parse(str(path), io.BytesIO(data)),
    )


def test_the_feed_item_names_the_image_for_both_parsers(tmp_path: Path) -> None:
    mp3 = with_image(make_episode(tmp_path), PHOTO)
    report = publish_episode(mp3, show(tmp_path), now=NOW)
    root, fp, pp = parse_feed(report.feed)
    item = root.find("channel/item")
    assert item is not None
    assert [e.get("href") for e in item.findall("itunes:image", NS)] == [PHOTO]
    images = item.findall("podcast:image", NS)
    assert [(e.get("href"), e.get("alt")) for e in images] == [
        (PHOTO, "Artwork of Loekasjenko en Poetin")
    ]
    assert not item.findall("podcast:images", NS)  # deprecated, and needs a width we never know
    assert fp.entries[0].image.href == PHOTO  # type: ignore[attr-defined]
    assert pp["episodes"][0]["episode_art_url"] == PHOTO  # type: ignore[index]
    channel_art = root.find("channel/itunes:image", NS)
    assert channel_art is not None and channel_art.get("href") == show(tmp_path).image_url


def test_no_image_no_item_artwork(tmp_path: Path) -> None:
    report = publish_episode(make_episode(tmp_path), show(tmp_path), now=NOW)
    root, fp, pp = parse_feed(report.feed)
    assert not root.findall("channel/item/itunes:image", NS)
    assert not root.findall("channel/item/podcast:image", NS)
    assert "image" not in fp.entries[0]  # type: ignore[attr-defined]
    assert pp["episodes"][0].get("episode_art_url") is None  # type: ignore[index]


def artwork_of(page: Path) -> list[str | None]:
    html = page.read_text(encoding="utf-8")
    tags = [part.split(">", 1)[0] for part in html.split('<img class="artwork"')[1:]]
    return [t.split('src="', 1)[1].split('"', 1)[0] if 'src="' in t else None for t in tags]


def test_the_page_shows_the_episode_image_only_from_the_publish_folder(tmp_path: Path) -> None:
    config = show(tmp_path)
    (config.publish_dir).mkdir(parents=True)
    (config.publish_dir / "stuw foto.jpg").write_bytes(b"\xff\xd8\xff")
    (config.publish_dir / "cover.jpg").write_bytes(b"\xff\xd8\xff")  # the show's artwork
    local = with_image(make_episode(tmp_path, "eigen"), config.base_url + "stuw%20foto.jpg")
    publish_episode(local, config, now=NOW)
    assert artwork_of(config.publish_dir / "eigen.html") == ["stuw%20foto.jpg"]
    html = (config.publish_dir / "eigen.html").read_text(encoding="utf-8")
    assert 'alt="Artwork of Loekasjenko en Poetin"' in html
    elsewhere = with_image(make_episode(tmp_path, "elders"), PHOTO)
    missing = with_image(make_episode(tmp_path, "weg"), config.base_url + "weg.jpg")
    for mp3 in (elsewhere, missing):
        publish_episode(mp3, config, now=NOW)
        page = config.publish_dir / f"{mp3.stem}.html"
        assert artwork_of(page) == ["cover.jpg"]  # the show's, never a request elsewhere
        assert "cdn.example.org" not in page.read_text(encoding="utf-8")


ARTICLE = """<!doctype html><html lang="nl"><head><title>Kort nieuws</title>
<meta property="og:url" content="https://krant.example/nieuws/kort">
<meta property="og:image" content="/beeld/kabinet.jpg"></head><body><article><h1>Kort nieuws</h1>
<p>Het kabinet overlegt vandaag in Den Haag over de begroting van volgend jaar.</p>
</article></body></html>"""
ARTICLE_IMAGE = "https://krant.example/beeld/kabinet.jpg"


def cli(*args: str) -> None:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output


def test_a_built_article_with_an_og_image_publishes_it(tmp_path: Path) -> None:
    article = tmp_path / "kort.html"
    article.write_text(ARTICLE, encoding="utf-8")
    config, cache = str(write_config(tmp_path)), str(tmp_path / "cache")
    plan = tmp_path / "kort.toml"
    cli("plan", str(article), "-o", str(plan), "--config", config)
    assert f'\nimage = "{ARTICLE_IMAGE}"\n' in plan.read_text(encoding="utf-8")
    out = tmp_path / "out"
    cli("build", str(article), "-o", str(out), "--config", config, "--cache-dir", cache)
    mp3 = out / "kort.mp3"
    assert [bytes(p.data) for p in ID3(mp3).getall("APIC")] == [ARTICLE_IMAGE.encode()]
    cli("publish", str(mp3), "--config", config)
    root, fp, pp = parse_feed(tmp_path / "site" / "feed.xml")
    assert root.find("channel/item/itunes:image", NS).get("href") == ARTICLE_IMAGE  # type: ignore[union-attr]
    assert root.find("channel/item/podcast:image", NS).get("href") == ARTICLE_IMAGE  # type: ignore[union-attr]
    assert fp.entries[0].image.href == ARTICLE_IMAGE  # type: ignore[attr-defined]
    assert pp["episodes"][0]["episode_art_url"] == ARTICLE_IMAGE  # type: ignore[index]
    assert "krant.example" not in (tmp_path / "site" / "kort.html").read_text(encoding="utf-8")

    # A new image alone takes the kept episode (the image is in no audio) and still retags it.
    other = "https://krant.example/beeld/ander.jpg"
    article.write_text(ARTICLE.replace("/beeld/kabinet.jpg", other), encoding="utf-8")
    kept = _episodes(tmp_path / "cache")
    assert len(kept) == 1
    result = CliRunner().invoke(
        app, ["build", str(article), "-o", str(out), "--config", config, "--cache-dir", cache]
    )
    assert result.exit_code == 0, result.output
    assert [bytes(p.data) for p in ID3(mp3).getall("APIC")] == [other.encode()]
    assert _episodes(tmp_path / "cache") == kept  # no second episode: its audio, tagged anew


def _episodes(cache: Path) -> list[Path]:
    """The kept episodes' audio (each tagged copy beside them has a checksum, not a report)."""
    metas = sorted((cache / "episodes").rglob("*.json"))
    return [m.with_suffix(".mp3") for m in metas if "report" in json.loads(m.read_text())]


def test_the_image_is_not_in_the_episodes_cache_key() -> None:
    planned = small_rundown()
    key = episode_key(planned, ["audio"], Config())
    assert episode_key(replace(planned, image=PHOTO), ["audio"], Config()) == key


def test_an_opus_episode_links_the_image_as_its_cover_picture() -> None:
    import base64

    from mutagen.flac import Picture

    from polycast.encode.opus import vorbis_comments

    info = EpisodeInfo(title="Stuw", language="nl", image="https://cdn.example.org/één.jpg")
    blocks = [v for k, v in vorbis_comments(info, (), 48000) if k == "METADATA_BLOCK_PICTURE"]
    assert len(blocks) == 1
    picture = Picture(base64.b64decode(blocks[0]))
    assert (picture.type, picture.mime) == (3, "-->")
    assert picture.data == b"https://cdn.example.org/%C3%A9%C3%A9n.jpg"
    plain = vorbis_comments(EpisodeInfo(title="Stuw", language="nl"), (), 48000)
    assert "METADATA_BLOCK_PICTURE" not in dict(plain)
