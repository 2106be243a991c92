"""The show page and the episode pages that publish writes beside the feed.

Two real episodes are built and published: the short Dutch article (with a title that holds a
``<script>`` tag) and an English article with a German pull quote and a post that links to its
source. The pages must parse as HTML5 with no error, follow the page contract (the ids, classes
and attributes the script and the browser tests use) with the values of the episode's chapters
JSON and WebVTT transcript, keep every title as text, and use relative URLs only.
"""

from __future__ import annotations

import doctest
import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

import html5lib
import pytest
from typer.testing import CliRunner

from polycast.cli import app
from polycast.publish import pages, publish_episode, site, transcript
from polycast.publish.xmlio import PODCAST_NS
from publish_fixtures import show

DATA = Path(__file__).parent / "data"
SHORT = DATA / "cli" / "short-nl.txt"
QUOTE = DATA / "articles" / "en-german-quote.md"
HOSTILE_TITLE = '<script>alert("x")</script> Kort & <b>klein</b>'
NOW = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
_TIMING = re.compile(r"^(\d+):(\d{2}):(\d{2})\.(\d{3}) --> (\d+):(\d{2}):(\d{2})\.(\d{3})$", re.M)


def parse(path: Path) -> ET.Element:
    """Parse a page with a strict HTML5 parser: any parse error raises."""
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    return parser.parse(path.read_bytes())  # type: ignore[no-any-return]


def by_id(root: ET.Element, ident: str) -> ET.Element:
    found = [e for e in root.iter() if e.get("id") == ident]
    assert len(found) == 1, ident
    return found[0]


def by_class(root: ET.Element, name: str) -> list[ET.Element]:
    return [e for e in root.iter() if name in (e.get("class") or "").split()]


def text(element: ET.Element) -> str:
    return "".join(element.itertext())


def vtt_cues(path: Path) -> list[tuple[float, float]]:
    times = []
    for match in _TIMING.finditer(path.read_text()):
        h1, m1, s1, ms1, h2, m2, s2, ms2 = (int(g) for g in match.groups())
        times.append((h1 * 3600 + m1 * 60 + s1 + ms1 / 1000, h2 * 3600 + m2 * 60 + s2 + ms2 / 1000))
    return times


@pytest.fixture(scope="module")
def public(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build both articles and publish them, the quote first; return the publish folder."""
    root = tmp_path_factory.mktemp("site")
    cache = tmp_path_factory.mktemp("cache")
    builds = [
        (QUOTE, []),
        (SHORT, ["--title", HOSTILE_TITLE, "--author", "Anna Jansen & Piet de Vries"]),
    ]
    the_show = show(root)
    the_show.publish_dir.mkdir()
    (the_show.publish_dir / "cover.jpg").write_bytes(b"\xff\xd8\xff\xd9")
    for article, extra in builds:
        args = ["build", str(article), "-o", str(root), "--cache-dir", str(cache), *extra]
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, result.output
        publish_episode(root / f"{article.stem}.mp3", the_show, now=NOW)
    return the_show.publish_dir


def test_doctests() -> None:
    for module in (pages, site, transcript):
        assert doctest.testmod(module).failed == 0


def test_every_page_is_valid_html5(public: Path) -> None:
    names = sorted(p.name for p in public.glob("*.html"))
    assert names == ["en-german-quote.html", "index.html", "short-nl.html"]
    for name in names:
        root = parse(public / name)
        head = root.find("head")
        assert head is not None
        assert [m.get("charset") for m in head.iter("meta") if m.get("charset")] == ["utf-8"]
        assert any(m.get("name") == "viewport" for m in head.iter("meta"))
        assert (public / name).read_text().startswith("<!doctype html>\n")


def test_the_show_page(public: Path) -> None:
    root = parse(public / "index.html")
    assert root.get("lang") == "nl"
    main = root.find("body/main")
    assert main is not None
    assert text(main.find("h1")) == "Polyglot Nieuws"  # type: ignore[arg-type]
    artwork = main.find(".//img")
    assert artwork is not None and artwork.get("src") == "cover.jpg" and artwork.get("alt")
    assert by_id(root, "subscribe").get("href") == "feed.xml"
    assert by_id(root, "open-in-app").get("href") == "podcast://example.com/podcast/feed.xml"
    items = by_id(root, "episodes").findall("li")
    links = [li.find("a") for li in items]
    assert [a.get("href") for a in links] == ["short-nl.html", "en-german-quote.html"]  # type: ignore[union-attr]
    assert all("episode" in (a.get("class") or "") for a in links)  # type: ignore[union-attr]
    assert text(links[0]) == HOSTILE_TITLE  # type: ignore[arg-type]
    dates = [li.find("time").get("datetime") for li in items]  # type: ignore[union-attr]
    assert dates == ["2024-05-06T07:08:09+00:00", "2022-03-14T12:00:00+00:00"]


@pytest.mark.parametrize(("stem", "lang"), [("short-nl", "nl"), ("en-german-quote", "en")])
def test_an_episode_page_follows_the_contract(public: Path, stem: str, lang: str) -> None:
    root = parse(public / f"{stem}.html")
    assert root.get("lang") == lang
    player = by_id(root, "player")
    assert player.tag == "audio" and player.get("src") == f"{stem}.mp3"
    assert player.get("preload") == "metadata" and player.get("controls") is not None
    document = json.loads((public / f"{stem}.chapters.json").read_text())
    items = by_id(root, "chapters").findall("li")
    assert len(items) == len(document["chapters"]) >= 3
    for li, chapter in zip(items, document["chapters"], strict=True):
        buttons = [b for b in li.iter("button") if "seek" in (b.get("class") or "")]
        assert len(buttons) == 1 and buttons[0].get("type") == "button"
        assert float(buttons[0].attrib["data-start"]) == chapter["startTime"]
        assert text(buttons[0]) == chapter["title"]
        posts = by_class(li, "post")
        assert [a.get("href") for a in posts] == ([chapter["url"]] if "url" in chapter else [])
    cues = by_class(by_id(root, "transcript"), "cue")
    spans = vtt_cues(public / f"{stem}.vtt")
    assert [(float(c.attrib["data-start"]), float(c.attrib["data-end"])) for c in cues] == spans
    assert all(c.tag == "p" and len(by_class(c, "speaker")) == 1 for c in cues)
    timeline = by_id(root, "timeline")
    assert timeline.tag == "img" and timeline.get("src") == f"{stem}.timeline.svg"
    assert timeline.get("alt")
    assert [s.get("src") for s in root.iter("script")] == ["polycast.js"]
    assert not any(e.get("aria-current") for e in root.iter())  # set by the script as it plays


def test_a_post_chapter_links_to_the_post(public: Path) -> None:
    root = parse(public / "en-german-quote.html")
    posts = by_class(by_id(root, "chapters"), "post")
    assert [a.get("href") for a in posts] == [
        "https://twitter.com/flussbeispiel/status/1502700000000000000",
        "https://twitter.com/marieexemple",  # no status link: the author's profile
    ]
    speakers = {text(s) for s in by_class(root, "speaker")}
    assert "Flussinstitut Beispiel" in speakers


def test_titles_stay_text(public: Path) -> None:
    root = parse(public / "short-nl.html")
    assert text(root.find("body/main/h1")) == HOSTILE_TITLE  # type: ignore[arg-type]
    assert not list(root.iter("b"))
    assert [s.get("src") for s in root.iter("script")] == ["polycast.js"]
    assert text(root.find("head/title")).startswith(HOSTILE_TITLE)  # type: ignore[arg-type]
    author = by_class(root, "author")
    assert [text(a) for a in author] == ["Anna Jansen & Piet de Vries"]


def test_urls_in_pages_are_relative(public: Path) -> None:
    for page in public.glob("*.html"):
        root = parse(page)
        for element in root.iter():
            for key in ("src", "href"):
                url = element.get(key)
                if (
                    url is None
                    or element.get("class") == "post"
                    or element.get("id") == "open-in-app"
                ):
                    continue
                if url == "data:,":  # the empty icon: no request for /favicon.ico
                    continue
                assert not urlsplit(url).scheme and not url.startswith("/"), (page.name, url)
                assert (public / url.split("#")[0]).exists() or url.startswith("#"), url


def test_script_and_style_are_the_package_files(public: Path) -> None:
    for name in site.ASSETS:
        packaged = resources.files("polycast.publish").joinpath("assets", name).read_bytes()
        assert (public / name).read_bytes() == packaged
    script = (public / "polycast.js").read_text()
    for needle in ("timeupdate", "aria-current", "scrollIntoView", ".seek", ".cue"):
        assert needle in script
    assert "prefers-color-scheme: dark" in (public / "polycast.css").read_text()
    assert "http" not in script  # no network


def test_a_page_lost_is_written_again_and_others_are_kept(public: Path, tmp_path: Path) -> None:
    folder = tmp_path / "public"
    folder.mkdir()
    for path in public.iterdir():
        if not path.name.startswith("."):
            (folder / path.name).write_bytes(path.read_bytes())
    (folder / "en-german-quote.html").unlink()
    kept = (folder / "short-nl.html").read_bytes()
    (folder / "short-nl.html").write_bytes(kept + b"<!-- edited -->")
    the_show = show(tmp_path)
    publish_episode(folder / "short-nl.mp3", the_show, now=NOW)
    assert (folder / "short-nl.html").read_bytes() == kept  # the published episode: rewritten
    assert (folder / "en-german-quote.html").read_bytes() == (
        public / "en-german-quote.html"
    ).read_bytes()


def test_artwork_is_relative_here_absolute_elsewhere_and_left_out_when_missing(
    tmp_path: Path,
) -> None:
    here = show(tmp_path)
    assert site.artwork_url(here) is None  # under base_url, but not in the folder
    here.publish_dir.mkdir()
    (here.publish_dir / "cover.jpg").write_bytes(b"")
    assert site.artwork_url(here) == "cover.jpg"
    elsewhere = show(tmp_path, image_url="https://cdn.example.org/art/cover.png")
    assert site.artwork_url(elsewhere) == "https://cdn.example.org/art/cover.png"


def test_the_feed_names_the_pull_quote_and_the_authors(public: Path) -> None:
    root = ET.fromstring((public / "feed.xml").read_bytes())
    ns = {"podcast": PODCAST_NS}
    items = {i.findtext("title"): i for i in root.iter("item")}
    quoted = items["A week at the river conference in Koblenz"]
    bites = quoted.findall("podcast:soundbite", ns)
    assert len(bites) == 1
    start = float(bites[0].attrib["startTime"])
    end = start + float(bites[0].attrib["duration"])
    cues = transcript.read_vtt(public / "en-german-quote.vtt")
    said = next(c for c in cues if c.start == start)
    assert end == pytest.approx(said.end, abs=0.0015)
    assert bites[0].text == said.text and said.text.startswith("Ein Fluss ist keine Leitung")
    assert [p.text for p in quoted.findall("podcast:person", ns)] == ["Alex Example"]
    short = items[HOSTILE_TITLE]
    assert not short.findall("podcast:soundbite", ns)
    names = [p.text for p in short.findall("podcast:person", ns)]
    assert names == ["Anna Jansen", "Piet de Vries"]


def test_a_post_link_is_only_ever_a_web_address() -> None:
    from polycast.publish.episode import ChapterMark

    marks = [
        ChapterMark(0.0, "Intro"),
        ChapterMark(1.0, "Post", "javascript:alert(1)"),
        ChapterMark(2.5, "Ander", "HTTPS://example.org/p?a=1&b=<2>"),
    ]
    page = pages.EpisodePage("T", "t.mp3", "nl", None, None, marks, [], None)
    about = pages.ShowPage("S", "D", "A", "nl", None, "podcast://x/feed.xml")
    text = pages.episode_page(page, about)
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    root = parser.parse(text)
    assert [a.get("href") for a in by_class(root, "post")] == ["HTTPS://example.org/p?a=1&b=<2>"]
    assert "javascript" not in text
    assert [b.get("data-start") for b in by_class(root, "seek")] == ["0", "1", "2.5"]


def test_transcript_text_from_the_fixture_episode_stays_text(tmp_path: Path) -> None:
    from publish_fixtures import make_episode

    publish_episode(make_episode(tmp_path), show(tmp_path), now=NOW)
    root = parse(tmp_path / "public" / "aflevering.html")
    cues = by_class(by_id(root, "transcript"), "cue")
    assert [text(c) for c in cues] == [
        "Narrator Loekasjenko & Poetin <ontmoeten> elkaar.",
        "Narrator Dat meldt het persbureau.",
        "CEPA Russia and Belarus --> one state?",
        "Narrator Einde.",
    ]
    assert [c.get("data-start") for c in cues] == ["0", "0.4", "0.7", "1.2"]
    assert root.get("lang") == "nl"  # no timeline picture: the show's language
    assert not [e for e in root.iter() if e.get("id") == "timeline"]


def test_an_episode_named_index_does_not_replace_the_show_page(tmp_path: Path) -> None:
    from publish_fixtures import make_episode

    publish_episode(make_episode(tmp_path, stem="index"), show(tmp_path), now=NOW)
    root = parse(tmp_path / "public" / "index.html")
    assert root.find("body/main/h1") is not None
    assert text(root.find("body/main/h1")) == "Polyglot Nieuws"  # type: ignore[arg-type]
    assert by_id(root, "episodes").findall("li") == []
