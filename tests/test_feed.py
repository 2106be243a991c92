from __future__ import annotations

import calendar
import doctest
import html
import io
import json
import shutil
import threading
import uuid
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import filelock
import podcastparser
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mutagen.mp3 import MP3
from typer.testing import CliRunner

from polycast.cli import app
from polycast.errors import FeedError, InputError
from polycast.publish import episode, feed, publish_episode, rss, xmlio
from polycast.publish.rss import FeedItem
from polycast.publish.xmlio import ITUNES_NS, PODCAST_NS, parse_feed, serialize
from publish_fixtures import make_episode, show, write_config

DATA = Path(__file__).parent / "data" / "feeds"
NS = {"itunes": ITUNES_NS, "podcast": PODCAST_NS, "atom": "http://www.w3.org/2005/Atom"}
FEED_GUID = str(uuid.uuid5(rss.PODCAST_GUID_NAMESPACE, "example.com/podcast/feed.xml"))
NOW = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)


def parse_all(path: Path) -> tuple[ET.Element, feedparser.FeedParserDict, dict[str, object]]:
    data = path.read_bytes()
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return ET.fromstring(data), parsed, podcastparser.parse(str(path), io.BytesIO(data))


def test_doctests() -> None:
    for module in (feed, rss, xmlio, episode):
        assert doctest.testmod(module).failed == 0, module.__name__


def test_new_feed_has_every_field_apple_and_podcasting20_need(tmp_path: Path) -> None:
    mp3 = make_episode(tmp_path)
    report = publish_episode(mp3, show(tmp_path), now=NOW)
    assert report.created and not report.updated and report.items == 1
    assert report.feed == tmp_path / "public" / "feed.xml"
    root, fp, pp = parse_all(report.feed)
    channel = root.find("channel")
    assert channel is not None

    # Channel, as feedparser reads it.
    assert fp.feed.title == "Polyglot Nieuws"
    assert fp.feed.subtitle == "Artikelen voorgelezen, elke stem in haar eigen taal."
    assert fp.feed.language == "nl"
    assert fp.feed.link == "https://example.com/podcast/"
    assert fp.feed.image.href == "https://example.com/podcast/cover.jpg"
    assert fp.feed.author_detail == {"name": "Jane Doe", "email": "jane@example.com"}
    assert [t.term for t in fp.feed.tags] == ["News", "Daily News"]
    assert fp.feed.podcast_guid == FEED_GUID
    assert fp.feed.updated_parsed[:6] == (2024, 5, 6, 7, 8, 9)
    # ... and as podcastparser reads it.
    assert pp["title"] == "Polyglot Nieuws"
    assert pp["description"] == "Artikelen voorgelezen, elke stem in haar eigen taal."
    assert pp["cover_url"] == "https://example.com/podcast/cover.jpg"
    assert pp["itunes_categories"] == [["News", "Daily News"]]
    assert pp["itunes_owner"] == {"name": "Jane Doe", "email": "jane@example.com"}
    assert pp["itunes_author"] == "Jane Doe"
    assert pp["explicit"] is False and pp["import_prohibited"] is True
    assert pp["language"] == "nl" and pp["type"] == "episodic"
    # ... and the raw values Apple checks, which feedparser 6 cannot read (true/false).
    assert channel.findtext("itunes:explicit", namespaces=NS) == "false"
    locked = channel.find("podcast:locked", NS)
    assert locked is not None and locked.text == "yes" and locked.get("owner") == "jane@example.com"
    self_link = channel.find("atom:link", NS)
    assert self_link is not None and self_link.attrib == {
        "href": "https://example.com/podcast/feed.xml",
        "rel": "self",
        "type": "application/rss+xml",
    }

    # The item.
    guid = str(uuid.uuid5(uuid.UUID(FEED_GUID), "aflevering.mp3"))
    entry, ep = fp.entries[0], pp["episodes"][0]
    assert entry.title == ep["title"] == "Loekasjenko en Poetin"
    assert entry.itunes_title == "Loekasjenko en Poetin"
    assert entry.id == ep["guid"] == report.guid == guid
    assert entry.guidislink is False
    assert calendar.timegm(entry.published_parsed) == ep["published"]
    assert ep["published"] == datetime(2021, 9, 9, 12, tzinfo=UTC).timestamp()
    size = mp3.stat().st_size
    assert entry.enclosures == [
        {
            "href": "https://example.com/podcast/aflevering.mp3",
            "length": str(size),
            "type": "audio/mpeg",
        }
    ]
    assert ep["enclosures"] == [
        {
            "url": "https://example.com/podcast/aflevering.mp3",
            "file_size": size,
            "mime_type": "audio/mpeg",
        }
    ]
    assert ep["total_time"] == int(entry.itunes_duration) == round(MP3(mp3).info.length) == 2
    notes = "Loekasjenko en Poetin\n\n0:00 Inleiding\n0:00 CEPA (@cepa) "
    notes += "https://twitter.com/cepa/status/1\n0:01 Verder"
    html_notes = rss.notes_html(notes)
    assert ep["description"] == entry.content[0].value == notes  # itunes:summary: plain text
    assert ep["description_html"] == html_notes  # description: HTML, as apps read it
    assert entry.summary == html_notes.replace("<br>", "<br />")  # feedparser sanitises
    item = channel.find("item")
    assert item is not None and item.findtext("itunes:summary", namespaces=NS) == notes
    assert item.findtext("description") == html_notes
    assert ep["itunes_author"] == "Redactie" and ep["type"] == "full"
    assert ep["explicit"] is False
    assert ep["chapters_json_url"] == "https://example.com/podcast/aflevering.chapters.json"
    chapters = item.find("podcast:chapters", NS)
    assert chapters is not None and chapters.get("type") == "application/json+chapters"
    transcripts = [t.attrib for t in item.findall("podcast:transcript", NS)]
    assert transcripts == [
        {
            "url": "https://example.com/podcast/aflevering.vtt",
            "type": "text/vtt",
            "rel": "captions",
        },
        {
            "url": "https://example.com/podcast/aflevering.srt",
            "type": "application/x-subrip",
            "rel": "captions",
        },
    ]


def test_episode_and_companions_are_copied_byte_for_byte(tmp_path: Path) -> None:
    mp3 = make_episode(tmp_path)
    report = publish_episode(mp3, show(tmp_path), now=NOW)
    names = ["aflevering.mp3", "aflevering.chapters.json", "aflevering.vtt", "aflevering.srt"]
    assert [p.name for p in report.copied] == names
    for name in names:
        assert (tmp_path / "public" / name).read_bytes() == (tmp_path / name).read_bytes()
    hidden = sorted(p.name for p in (tmp_path / "public").iterdir() if p.name.startswith("."))
    assert hidden == [".feed.xml.lock"]  # no temporary file left behind


def test_republish_keeps_the_guid_and_updates_in_place(tmp_path: Path) -> None:
    config = show(tmp_path)
    first = publish_episode(make_episode(tmp_path), config, now=NOW)
    make_episode(tmp_path, title="Loekasjenko en Poetin (bijgewerkt)", date="2021-09-10")
    again = publish_episode(tmp_path / "aflevering.mp3", config, now=NOW)
    assert again.updated and not again.created and again.items == 1
    assert again.guid == first.guid
    _, fp, pp = parse_all(again.feed)
    assert [e.id for e in fp.entries] == [first.guid]
    assert fp.entries[0].title == "Loekasjenko en Poetin (bijgewerkt)"
    assert fp.entries[0].published_parsed[:3] == (2021, 9, 10)
    assert len(pp["episodes"]) == 1


def test_republishing_the_same_files_changes_nothing_but_the_build_time(tmp_path: Path) -> None:
    config = show(tmp_path)
    mp3 = make_episode(tmp_path)
    publish_episode(mp3, config, now=NOW)
    before = (tmp_path / "public" / "feed.xml").read_text(encoding="utf-8")
    publish_episode(mp3, config, now=NOW)
    assert (tmp_path / "public" / "feed.xml").read_text(encoding="utf-8") == before


def test_undated_episode_keeps_its_first_publication_date(tmp_path: Path) -> None:
    config = show(tmp_path)
    mp3 = make_episode(tmp_path, date=None)
    publish_episode(mp3, config, now=datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC))
    publish_episode(mp3, config, now=datetime(2024, 6, 1, tzinfo=UTC))
    root = ET.parse(tmp_path / "public" / "feed.xml").getroot()
    assert root.findtext("channel/item/pubDate") == "Tue, 02 Jan 2024 03:04:05 GMT"
    assert root.findtext("channel/lastBuildDate") == "Sat, 01 Jun 2024 00:00:00 GMT"


def test_a_new_episode_goes_on_top(tmp_path: Path) -> None:
    config = show(tmp_path)
    publish_episode(make_episode(tmp_path, "een", title="Een"), config, now=NOW)
    report = publish_episode(make_episode(tmp_path, "twee", title="Twee"), config, now=NOW)
    assert report.items == 2 and not report.updated
    _, fp, pp = parse_all(report.feed)
    assert [e.title for e in fp.entries] == ["Twee", "Een"]
    assert len({e.id for e in fp.entries}) == 2
    assert [e["title"] for e in pp["episodes"]] == ["Twee", "Een"]


def test_description_from_the_id3_comment_and_no_companions(tmp_path: Path) -> None:
    notes = "Regel één.\nRegel twee met een <b>tag</b> & meer."
    mp3 = make_episode(tmp_path, comment=notes, with_companions=False, author=None)
    report = publish_episode(mp3, show(tmp_path), now=NOW)
    assert [p.name for p in report.copied] == ["aflevering.mp3"]
    item = ET.parse(report.feed).getroot().find("channel/item")
    assert item is not None
    assert item.findtext("itunes:summary", namespaces=NS) == notes
    assert item.findtext("description") == (
        "<p>Regel één.<br>Regel twee met een &lt;b&gt;tag&lt;/b&gt; &amp; meer.</p>"
    )
    assert item.find("podcast:chapters", NS) is None
    assert item.findall("podcast:transcript", NS) == []
    assert item.find("itunes:author", NS) is None


def test_special_characters_come_through_intact(tmp_path: Path) -> None:
    title = "Ik & jij <3 ]]> \"aanhalingstekens\" 'apostrof' — Лукашенко и 普京 🇧🇾"
    mp3 = make_episode(tmp_path, title=title, comment='Over <Poetin> & ]]> "quotes" 日本語')
    report = publish_episode(mp3, show(tmp_path, title="Show & <Tell> ]]>"), now=NOW)
    raw = report.feed.read_text(encoding="utf-8")
    assert "]]>" not in raw and "CDATA" not in raw
    root, fp, pp = parse_all(report.feed)
    assert fp.entries[0].title == pp["episodes"][0]["title"] == title
    assert root.findtext("channel/item/title") == title
    notes = 'Over <Poetin> & ]]> "quotes" 日本語'
    assert root.findtext("channel/item/itunes:summary", namespaces=NS) == notes
    # Both parsers guess that plain text with "<...>" is HTML and mangle itunes:summary; the
    # HTML description is what apps show, and through both it keeps every character.
    html_notes = f"<p>{html.escape(notes, quote=False)}</p>"
    assert fp.entries[0].summary == pp["episodes"][0]["description_html"] == html_notes
    assert root.findtext("channel/item/description") == html_notes
    assert fp.feed.title == pp["title"] == "Show & <Tell> ]]>"


def element_data(node: ET.Element) -> object:
    """An element's meaning: tag, attributes, text, children (no whitespace between elements)."""
    text = (node.text or "") if len(node) == 0 else (node.text or "").strip()
    children = [element_data(c) for c in node]
    tails = [(c.tail or "").strip() for c in node]
    return (node.tag, sorted(node.attrib.items()), text, children, tails)


def test_foreign_items_and_elements_survive(tmp_path: Path) -> None:
    public = tmp_path / "public"
    public.mkdir()
    shutil.copy(DATA / "foreign.xml", public / "feed.xml")
    original = ET.parse(DATA / "foreign.xml").getroot()
    report = publish_episode(make_episode(tmp_path), show(tmp_path), now=NOW)
    assert not report.created and not report.updated and report.items == 2
    raw = report.feed.read_text(encoding="utf-8")
    root, fp, pp = parse_all(report.feed)
    channel = root.find("channel")
    assert channel is not None
    items = channel.findall("item")
    assert element_data(items[1]) == element_data(original.find("channel/item"))  # type: ignore[arg-type]
    assert fp.entries[1].title == "Handmade episode: Café & more"
    assert pp["episodes"][1]["guid"] == "https://old.example.org/ep1"
    # Prefixes of the other tool's namespaces are kept, and so are its channel extras.
    assert '<x:network id="42">Café network</x:network>' in raw
    assert "<media:content " in raw and "<!-- a comment in the channel -->" in raw
    # Its Podcasting 2.0 namespace URI (the newer one) is the one polycast writes in, too.
    assert "github.com/Podcastindex-org" not in raw
    assert '<pod:chapters url="https://example.com/podcast/aflevering.chapters.json"' in raw
    # Its podcast:guid follows the show for life: kept, not re-derived from the feed URL.
    guids = [g.text for g in channel.iter() if isinstance(g.tag, str) and g.tag.endswith("}guid")]
    assert guids == ["1b6e6f6a-5a0e-5f53-9c4d-6a4f1e8f7a11"]
    assert fp.feed.title == "Polyglot Nieuws"
    assert pp["itunes_categories"] == [["News", "Daily News"]]
    assert items[0].findtext("guid") == str(
        uuid.uuid5(uuid.UUID("1b6e6f6a-5a0e-5f53-9c4d-6a4f1e8f7a11"), "aflevering.mp3")
    )


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"<rss version='2.0'><channel><item><title>cut off", "not well-formed XML"),
        (b"", "not well-formed XML"),
        (b"\x00\xff\xfe binary", "not well-formed XML"),
        (
            b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;">]>'
            b"<rss><channel><title>&b;</title></channel></rss>",
            "DTD entities",
        ),
        (b'<feed xmlns="http://www.w3.org/2005/Atom"><title>atom</title></feed>', "not an RSS"),
    ],
)
def test_a_feed_that_fails_to_parse_is_left_byte_for_byte(
    tmp_path: Path, content: bytes, reason: str
) -> None:
    public = tmp_path / "public"
    public.mkdir()
    (public / "feed.xml").write_bytes(content)
    with pytest.raises(FeedError, match=reason) as caught:
        publish_episode(make_episode(tmp_path), show(tmp_path), now=NOW)
    assert "left as it was" in str(caught.value) and "\n" not in str(caught.value)
    assert (public / "feed.xml").read_bytes() == content
    assert not (public / "aflevering.mp3").exists()  # nothing copied either


def test_cli_publish(tmp_path: Path) -> None:
    mp3 = make_episode(tmp_path)
    config = write_config(tmp_path)
    result = CliRunner().invoke(app, ["publish", str(mp3), "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert result.output == (
        f"added 'Loekasjenko en Poetin' in {tmp_path / 'site' / 'feed.xml'} (1 episode): "
        "https://example.com/p/aflevering.mp3\n"
    )
    other = tmp_path / "other.xml"
    args = ["publish", str(mp3), "--config", str(config), "--feed", str(other)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    root = ET.parse(other).getroot()
    link = root.find("channel/atom:link", NS)
    assert link is not None and link.get("href") == "https://example.com/p/other.xml"


def test_cli_publish_onto_a_corrupt_feed_fails_in_one_line(tmp_path: Path) -> None:
    mp3 = make_episode(tmp_path)
    config = write_config(tmp_path)
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "feed.xml").write_bytes(b"<rss><channel>")
    result = CliRunner().invoke(app, ["publish", str(mp3), "--config", str(config)])
    assert result.exit_code == 1
    assert result.stderr.startswith("polycast: error: ")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output
    assert (tmp_path / "site" / "feed.xml").read_bytes() == b"<rss><channel>"


def test_not_an_mp3_is_an_input_error(tmp_path: Path) -> None:
    fake = tmp_path / "fake.mp3"
    fake.write_text("not audio")
    with pytest.raises(InputError, match=r"fake\.mp3: cannot read as an MP3"):
        publish_episode(fake, show(tmp_path), now=NOW)


def test_publishing_from_the_publish_folder_itself(tmp_path: Path) -> None:
    mp3 = make_episode(tmp_path)
    report = publish_episode(mp3, show(tmp_path, publish_dir=tmp_path), now=NOW)
    assert report.copied == () and report.items == 1


def test_a_held_lock_makes_publish_wait_then_fail_cleanly(tmp_path: Path) -> None:
    mp3 = make_episode(tmp_path)
    config = show(tmp_path)
    publish_episode(mp3, config, now=NOW)
    before = (tmp_path / "public" / "feed.xml").read_bytes()
    lock = filelock.FileLock(str(tmp_path / "public" / ".feed.xml.lock"))
    with lock, pytest.raises(FeedError, match=r"another publish has held its lock for 0\.2 s"):
        publish_episode(mp3, config, now=datetime.now(UTC), lock_timeout=0.2)
    assert (tmp_path / "public" / "feed.xml").read_bytes() == before


def test_concurrent_publishes_lose_no_episode(tmp_path: Path) -> None:
    config = show(tmp_path)
    mp3s = [make_episode(tmp_path, f"ep{n}", title=f"Aflevering {n}") for n in range(4)]
    errors: list[BaseException] = []

    def run(path: Path) -> None:
        try:
            publish_episode(path, config, now=NOW)
        except BaseException as e:  # collected and re-raised in the test's thread
            errors.append(e)

    threads = [threading.Thread(target=run, args=(p,)) for p in mp3s]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    _, fp, _ = parse_all(tmp_path / "public" / "feed.xml")
    assert sorted(e.title for e in fp.entries) == [f"Aflevering {n}" for n in range(4)]


any_text = st.text(st.characters(), max_size=80)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=any_text, description=any_text, author=any_text, show_title=any_text)
def test_any_text_gives_valid_xml_that_round_trips(
    title: str, description: str, author: str, show_title: str
) -> None:
    config = show(Path("/nonexistent"), title=show_title)
    root = rss.new_feed()
    guid = rss.update_channel(root, config, "https://example.com/podcast/feed.xml", NOW)
    item = FeedItem(
        guid=rss.episode_guid(guid, "a.mp3"),
        title=title,
        description=description,
        enclosure_url="https://example.com/podcast/a.mp3",
        length=1,
        seconds=1,
        explicit=False,
        author=author or None,
    )
    rss.upsert_item(root, item, NOW)
    data = serialize(root)
    parsed, _ = parse_feed(data)  # expat: well-formed, or this raises
    assert parsed.findtext("channel/title") == xmlio.xml_safe(show_title)
    assert parsed.findtext("channel/item/title") == xmlio.xml_safe(title)
    summary = parsed.findtext("channel/item/itunes:summary", namespaces=NS)
    assert summary == xmlio.xml_safe(description)
    html_notes = xmlio.xml_safe(rss.notes_html(description))
    assert parsed.findtext("channel/item/description") == html_notes
    if author:
        assert parsed.findtext("channel/item/itunes:author", namespaces=NS) == xmlio.xml_safe(
            author
        )
    episodes = podcastparser.parse("https://example.com/f.xml", io.BytesIO(data))["episodes"]
    assert [e["guid"] for e in episodes] == [item.guid]
    assert serialize(parsed) == data  # writing what was read changes nothing


def test_explicit_and_unlocked_shows(tmp_path: Path) -> None:
    config = show(tmp_path, explicit=True, locked=False, subcategory=None, link="https://x.nl/")
    report = publish_episode(make_episode(tmp_path), config, now=NOW)
    root, _, pp = parse_all(report.feed)
    assert root.findtext("channel/itunes:explicit", namespaces=NS) == "true"
    assert root.findtext("channel/item/itunes:explicit", namespaces=NS) == "true"
    assert pp["explicit"] is True and pp["episodes"][0]["explicit"] is True
    assert pp["import_prohibited"] is False
    assert pp["itunes_categories"] == [["News"]]
    assert pp["link"] == "https://x.nl/"


ARTICLE_BY_ANNA = """<!doctype html><html lang="nl"><head><title>Kort nieuws</title>
<meta name="author" content="Anna de Vries"></head><body><article><h1>Kort nieuws</h1>
<p>Het kabinet overlegt vandaag in Den Haag over de begroting van volgend jaar.</p>
</article></body></html>"""


def build_and_publish(
    folder: Path, article: Path, *options: str, name: str | None = None
) -> tuple[Path, Path]:
    """Build ``article`` with the show config in ``folder`` through the CLI, then publish it.

    The episode is ``out/NAME.mp3``: ``name``, else the article's stem.
    """
    config = write_config(folder)
    out, cache = folder / "out", folder / "cache"
    args = ["build", str(article), "-o", str(out), "--config", str(config)]
    result = CliRunner().invoke(app, [*args, "--cache-dir", str(cache), *options])
    assert result.exit_code == 0, result.output
    mp3 = out / f"{name or article.stem}.mp3"
    assert result.stdout.startswith(f"episode   {mp3} ")
    result = CliRunner().invoke(app, ["publish", str(mp3), "--config", str(config)])
    assert result.exit_code == 0, result.output
    return mp3, folder / "site" / "feed.xml"


def test_the_articles_author_is_the_episodes_and_the_shows_the_feeds(tmp_path: Path) -> None:
    from id3_reader import read_tag

    article = tmp_path / "kort.html"
    article.write_text(ARTICLE_BY_ANNA, encoding="utf-8")
    mp3, feed_file = build_and_publish(tmp_path, article)
    assert read_tag(mp3.read_bytes()).text("TPE1") == "Anna de Vries"
    chapters = json.loads(mp3.with_suffix(".chapters.json").read_text(encoding="utf-8"))
    assert chapters["author"] == "Anna de Vries"
    root, fp, pp = parse_all(feed_file)
    channel_author = root.findtext("channel/itunes:author", namespaces=NS)
    assert pp["itunes_author"] == channel_author == "a"  # the show's, from [show] author
    assert pp["episodes"][0]["itunes_author"] == fp.entries[0].author == "Anna de Vries"


def test_an_article_without_author_is_the_shows_and_author_overrides_both(tmp_path: Path) -> None:
    from id3_reader import read_tag

    article = tmp_path / "kort.html"
    article.write_text(ARTICLE_BY_ANNA.replace('name="author"', 'name="x"'), encoding="utf-8")
    mp3, feed_file = build_and_publish(tmp_path, article)
    assert read_tag(mp3.read_bytes()).text("TPE1") == "a"
    assert parse_all(feed_file)[2]["episodes"][0]["itunes_author"] == "a"
    article.write_text(ARTICLE_BY_ANNA, encoding="utf-8")
    mp3, feed_file = build_and_publish(tmp_path, article, "--author", "De redactie")
    assert read_tag(mp3.read_bytes()).text("TPE1") == "De redactie"
    pp = parse_all(feed_file)[2]
    assert [e["itunes_author"] for e in pp["episodes"]] == ["De redactie"]  # updated in place
    assert pp["itunes_author"] == "a"


def test_a_rundown_planned_from_an_article_publishes_as_its_episode(tmp_path: Path) -> None:
    article = tmp_path / "kort-nieuws.txt"
    shutil.copyfile(Path(__file__).parent / "data" / "cli" / "short-nl.txt", article)
    mp3, feed_file = build_and_publish(tmp_path, article)
    first = parse_all(feed_file)[1].entries
    rundown = tmp_path / "rundown.toml"
    result = CliRunner().invoke(app, ["plan", str(article), "-o", str(rundown)])
    assert result.exit_code == 0, result.output
    text = rundown.read_text(encoding="utf-8")
    assert '\nname = "kort-nieuws"\n' in text
    rundown.write_text(text.replace("kort van stof", "heel kort van stof"), encoding="utf-8")
    again, feed_file = build_and_publish(tmp_path, rundown, name="kort-nieuws")
    assert again == mp3 and not (tmp_path / "out" / "rundown.mp3").exists()
    assert "heel kort van stof" in mp3.with_suffix(".vtt").read_text(encoding="utf-8")
    _, fp, pp = parse_all(feed_file)
    assert len(fp.entries) == len(pp["episodes"]) == 1  # the same item, updated
    assert fp.entries[0].id == first[0].id and fp.entries[0].title == first[0].title
    assert fp.entries[0].enclosures[0].length == str(mp3.stat().st_size)


def test_each_author_of_the_byline_is_a_podcast_person(tmp_path: Path) -> None:
    mp3 = make_episode(tmp_path, author="Anna Jansen en Piet de Vries; <Joe> & Jane")
    report = publish_episode(mp3, show(tmp_path), now=NOW)
    root, _, pp = parse_all(report.feed)
    persons = pp["episodes"][0]["persons"]
    assert [p["name"] for p in persons] == ["Anna Jansen", "Piet de Vries", "<Joe>", "Jane"]
    assert {(p["role"], p["group"]) for p in persons} == {("author", "writing")}
    assert not root.findall("channel/podcast:person", NS)  # the show's people are not the article's


def test_no_byline_no_person(tmp_path: Path) -> None:
    report = publish_episode(make_episode(tmp_path, author=None), show(tmp_path), now=NOW)
    root, _, pp = parse_all(report.feed)
    assert not root.findall(".//podcast:person", NS)
    assert "persons" not in pp["episodes"][0]


def write_timeline(mp3: Path, quote: int | None) -> None:
    """Write the test episode's timeline picture, cue ``quote`` (an index) being a pull quote."""
    from dataclasses import replace

    from polycast.models import EpisodeInfo, Kind
    from polycast.timeline_svg import timeline_svg
    from publish_fixtures import CHAPTERS, CUES, RATE, timeline

    line = timeline(CUES, CHAPTERS, RATE)
    if quote is not None:
        timed = line.cues[quote]
        cues = list(line.cues)
        cues[quote] = replace(timed, cue=replace(timed.cue, kind=Kind.QUOTE))
        line = replace(line, cues=tuple(cues))
    info = EpisodeInfo(title="x", language="nl")
    mp3.with_suffix(".timeline.svg").write_text(timeline_svg(line, info, -19.0, []))


def test_the_pull_quote_is_a_soundbite(tmp_path: Path) -> None:
    mp3 = make_episode(tmp_path)
    write_timeline(mp3, quote=2)
    report = publish_episode(mp3, show(tmp_path), now=NOW)
    root, _, _ = parse_all(report.feed)
    bites = root.findall("channel/item/podcast:soundbite", NS)
    assert len(bites) == 1
    # the third cue: samples 30870 to 50000 at 44.1 kHz, to the millisecond as in the VTT
    assert float(bites[0].attrib["startTime"]) == 0.7
    assert float(bites[0].attrib["duration"]) == pytest.approx(1.134 - 0.7)
    assert bites[0].text == "Russia and Belarus --> one state?"
    assert (tmp_path / "public" / "aflevering.timeline.svg").is_file()


def test_no_quote_no_soundbite(tmp_path: Path) -> None:
    mp3 = make_episode(tmp_path)
    write_timeline(mp3, quote=None)
    report = publish_episode(mp3, show(tmp_path), now=NOW)
    root, _, _ = parse_all(report.feed)
    assert not root.findall(".//podcast:soundbite", NS)
