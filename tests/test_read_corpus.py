"""Every article in tests/data/articles reads, and reads as a person would split it."""

from pathlib import Path

import pytest

from polycast.models import Article, Kind, Post
from polycast.read import read_article

ARTICLES = Path(__file__).parent / "data" / "articles"
SOURCES = sorted(p for p in ARTICLES.iterdir() if p.suffix in (".txt", ".md", ".html"))

P, H, T, C, Q = Kind.PARAGRAPH, Kind.HEADING, Kind.TITLE, Kind.CAPTION, Kind.QUOTE


def read(name: str) -> Article:
    return read_article((ARTICLES / name).read_bytes(), name)


def kinds(article: Article) -> list[Kind]:
    return [seg.kind for seg in article.segments]


def test_the_corpus_is_there() -> None:
    assert len(SOURCES) >= 45
    assert len([p for p in SOURCES if p.name.startswith("dpg-")]) == 37


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_every_article_reads(path: Path) -> None:
    article = read_article(path.read_bytes(), path.name)
    assert any(seg.spoken and seg.text for seg in article.segments)
    for seg in article.segments:
        assert seg.text == seg.text.strip()
        assert "<" not in seg.text or seg.kind in (Kind.CODE, Kind.TABLE)
        assert "](" not in seg.text and "{%" not in seg.text and "{{" not in seg.text
        assert seg.spoken is (seg.kind not in (C, Kind.TABLE, Kind.CODE, Kind.IMAGE, Kind.EMBED))
        # A post has its byline; a quote may name its speaker, and an embedded post with no words
        # (shown, not spoken) its author and link; nothing else is attributed.
        assert (seg.post is not None) is (seg.kind is Kind.POST) or seg.kind in (Q, Kind.EMBED)
        assert seg.lang is None


def test_the_example() -> None:
    article = read("loekasjenko-poetin-2021-09.txt")
    assert (article.title, article.date, article.language) == (None, "2021-09", None)
    assert kinds(article) == [C, P, P, P, Kind.POST, H, P, P, Kind.POST, H, P, P]
    assert article.segments[0].spoken is False
    assert [s.text for s in article.segments if s.kind is H] == [
        "Sneer naar het Westen",
        "Uniestaat",
    ]
    tsikhanouskaya = article.segments[8]
    assert tsikhanouskaya.text.endswith("everybody is free in Belarus. pic.twitter.com/RbnefQzX0q")
    assert tsikhanouskaya.post == Post(
        author="Sviatlana Tsikhanouskaya",
        handle="Tsihanouskaya",
        date_text="6 september 2021",
        date="2021-09-06",
    )


def test_year_in_review() -> None:
    article = read("year-in-review-2016.md")
    assert (article.title, article.date, article.author) == (
        "Year in Review: 2016",
        "2016-12-30",
        "Kyle Cranmer",
    )
    assert kinds(article) == [
        H, P, H, P, Kind.EMBED, P, P, P, Kind.POST, H, P, P, H, Kind.LIST, H, Kind.LIST
    ]  # fmt: skip
    text = " ".join(seg.text for seg in article.segments)
    assert "{filename}" not in text and "http" not in text.replace("pic.twitter", "")
    assert "I was interviewed by the New York Times, Vox, and NPR's Here and Now" in text


def test_field_delineation() -> None:
    article = read("field-delineation-2024.md")
    assert (article.title, article.date, article.author) == (
        "Paper on pseudo-labels for field delineation of smallholder regions published",
        "2024-09-24",
        "darcyboast",
    )
    assert kinds(article) == [P, P, Kind.IMAGE, H, Kind.POST, P, P, P, P, P]
    post = article.segments[4]
    assert post.lang_hint == "en"
    assert post.post is not None
    assert post.post.handle == "MirelaGTulbure"
    assert post.post.url == "https://twitter.com/MirelaGTulbure/status/1736805134968271305"
    assert post.post.date == "2023-12-18"


def test_dpg_news_articles_are_one_dutch_paragraph() -> None:
    article = read("dpg-10772077.md")
    assert (article.title, article.date, article.language) == (
        "131 jaar geleden. 2 april 1888",
        "2019-04-02",
        "nl",
    )
    assert kinds(article) == [P]
    assert article.segments[0].text.startswith("Drie internationals Vandaag komen zes jongens")


def test_english_blog_with_a_dutch_tweet() -> None:
    article = read("en-blog-dutch-tweet.md")
    assert (article.language, article.date, article.author) == ("en", "2023-10-14", "Sam Example")
    assert kinds(article) == [
        P, H, P, Kind.IMAGE, P, Kind.POST, H, Kind.TABLE, P, Kind.LIST, P, Kind.CODE, P
    ]  # fmt: skip
    post = article.segments[5]
    assert post.lang_hint == "nl"
    assert post.post is not None and post.post.date == "2023-09-09"
    assert "counting system in an earlier post and on the city blog." in article.segments[2].text


def test_news_page_with_boilerplate_and_a_mislabelled_tweet() -> None:
    article = read("nl-news-page.html")
    assert (article.title, article.date, article.author, article.language) == (
        "Waterschap opent nieuwe vispassage bij de stuw",
        "2022-03-12",
        "Anne de Voorbeeld",
        "nl",
    )
    assert kinds(article) == [T, Kind.IMAGE, C, P, P, H, P, Kind.POST, P, Kind.EMBED]
    post = article.segments[7]
    assert post.text.startswith("Proud to see the fish pass open today.")
    assert post.lang_hint == "nl"  # what the embed claims; the planner detects English
    everything = " ".join(seg.text for seg in article.segments)
    for boilerplate in (
        "cookies",
        "Binnenland",
        "Meer nieuws",
        "Populair",
        "Deel op",
        "Tags:",
        "©",
    ):
        assert boilerplate not in everything


def test_hugo_post_with_toml_front_matter() -> None:
    article = read("hugo-toml.md")
    assert (article.title, article.date, article.author) == (
        "Notes from the harbour clean-up",
        "2023-05-01",
        "Robin Example, Kim Example",
    )
    assert kinds(article) == [
        P, H, Kind.IMAGE, C, Kind.LIST, Q, Kind.EMBED, H, P, Kind.CODE, P
    ]  # fmt: skip


def test_japanese_short_article() -> None:
    article = read("ja-short.txt")
    assert article.title == "駅前の図書館が新しくなりました"
    assert kinds(article) == [T, P, P, H, P, Kind.POST]
    post = article.segments[-1].post
    assert post == Post(
        author="例の市役所", handle="reishiyakusho", date_text="2016年5月28日", date="2016-05-28"
    )


def test_article_with_a_german_quote() -> None:
    article = read("en-german-quote.md")
    assert (article.title, article.date, article.language) == (
        "A week at the river conference in Koblenz",
        "2022-03-14",
        "en",
    )
    assert kinds(article) == [T, P, Q, P, Kind.POST, P, Kind.POST, H, P]
    quote, german, french = article.segments[2], article.segments[4], article.segments[6]
    assert quote.text.startswith("Ein Fluss ist keine Leitung.")
    assert german.lang_hint == "de"
    assert german.post is not None and german.post.date_text == "12. März 2022"
    assert german.post.date == "2022-03-12"
    assert french.post is not None and french.post.date == "2022-03-12"
    assert (
        french.text
        == "Merci pour cette belle journée à Coblence. Les rivières ont besoin de place !"
    )
