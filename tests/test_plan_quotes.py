"""Quotes keep their speaker: read from the page, announced by the narrator, named in the VTT."""

from __future__ import annotations

import pytest

from polycast import companions
from polycast.errors import ConfigError
from polycast.models import NARRATOR, Article, Kind, Post, Segment
from polycast.plan import PlanSettings, describe, plan
from polycast.plan.settings import PlanSettings as Settings
from polycast.read import read_article
from publish_fixtures import timeline

PAGE = """<html lang="en"><body><article>
<p>In June 1940 one voice from London refused the armistice.</p>
<blockquote><p>France has lost a battle. But France has not lost the war.</p>
<footer>&mdash; <cite>Charles de Gaulle</cite>, 18 June 1940</footer></blockquote>
<blockquote><p>Be yourself; everyone else is already taken.</p><cite>Oscar Wilde</cite></blockquote>
<figure><blockquote><p>That brain of mine is something more than merely mortal.</p></blockquote>
<figcaption>&mdash; Ada Lovelace</figcaption></figure>
<blockquote><p>A quote that names nobody at all.</p></blockquote>
</article></body></html>"""

MARKDOWN = """---
lang: nl
---

De schrijver was daar heel duidelijk over in zijn boek over Indië.

> De plicht van de mens is mens te zijn.
> — Multatuli

Een andere schrijver zei het anders, in een ander boek.

> Het leven is geen roman.
>
> — Gerard Reve, De avonden
"""


def _quotes(article: Article) -> list[tuple[str, str | None]]:
    return [
        (seg.text, seg.post.author if seg.post else None)
        for seg in article.segments
        if seg.kind is Kind.QUOTE
    ]


def test_html_footer_cite_and_figure_caption_name_the_speaker() -> None:
    article = read_article(PAGE.encode(), "page.html")
    assert _quotes(article) == [
        ("France has lost a battle. But France has not lost the war.", "Charles de Gaulle"),
        ("Be yourself; everyone else is already taken.", "Oscar Wilde"),
        ("That brain of mine is something more than merely mortal.", "Ada Lovelace"),
        ("A quote that names nobody at all.", None),
    ]
    # The caption that named the speaker is not shown a second time as a caption.
    assert not [seg for seg in article.segments if seg.kind is Kind.CAPTION]


def test_markdown_dash_lines_name_the_speaker() -> None:
    article = read_article(MARKDOWN.encode(), "post.md")
    assert _quotes(article) == [
        ("De plicht van de mens is mens te zijn.", "Multatuli"),
        ("Het leven is geen roman.", "Gerard Reve"),
    ]


def test_a_dash_inside_a_sentence_is_no_speaker() -> None:
    article = read_article(b"Intro.\n\n> We gingen -- zonder haast -- naar huis.\n", "a.md")
    assert _quotes(article) == [("We gingen -- zonder haast -- naar huis.", None)]


def test_the_narrator_announces_the_speaker_in_the_narration_language() -> None:
    article = read_article(MARKDOWN.encode(), "post.md")
    views = [v for v in describe(article, PlanSettings()) if v.kind is Kind.QUOTE]
    assert [v.speech for v in views] == [
        "Multatuli zei: De plicht van de mens is mens te zijn.",
        "Gerard Reve zei: Het leven is geen roman.",
    ]
    assert [v.author for v in views] == ["Multatuli", "Gerard Reve"]


@pytest.mark.parametrize(
    ("narration", "intro"),
    [
        ("en", "Charles de Gaulle said:"),
        ("de", "Charles de Gaulle sagte:"),
        ("fr", "Charles de Gaulle a dit:"),  # the clean-up drops the space before a colon
        ("xx", "Charles de Gaulle:"),  # no words of its own: the name alone
    ],
)
def test_the_quote_template_per_language(narration: str, intro: str) -> None:
    quote = Segment(
        Kind.QUOTE, "Vive la France !", lang="fr", post=Post(author="Charles de Gaulle")
    )
    article = Article(
        (Segment(Kind.PARAGRAPH, "Intro.", lang=narration), quote), language=narration
    )
    cues = [c for ch in plan(article, PlanSettings()).chapters for c in ch.cues]
    assert [(c.text, c.lang, c.speaker) for c in cues[1:]] == [
        (intro, narration, NARRATOR),
        ("Vive la France!", "fr", "Charles de Gaulle"),
    ]


def test_the_vtt_names_the_speaker_of_a_quote() -> None:
    article = read_article(PAGE.encode(), "page.html")
    cues = [c for ch in plan(article, PlanSettings()).chapters for c in ch.cues]
    spans = [(i * 100, i * 100 + 90, c.text, c.speaker) for i, c in enumerate(cues)]
    vtt = companions.webvtt(timeline(spans, [(0, len(cues) * 100, "All", None)], 1000))
    assert "<v Narrator>Charles de Gaulle said:\n" in vtt
    assert "<v Charles de Gaulle>France has lost a battle.\n" in vtt
    assert "<v Oscar Wilde>Be yourself; everyone else is already taken.\n" in vtt
    assert "<v Narrator>A quote that names nobody at all.\n" in vtt


def test_a_show_rewords_the_quote_template_with_the_name_only() -> None:
    settings = Settings.from_toml({"attribution": {"nl": {"quote": "Zo zei {author} het:"}}})
    article = read_article(MARKDOWN.encode(), "post.md")
    speech = [v.speech for v in describe(article, settings) if v.kind is Kind.QUOTE]
    assert speech[0] == "Zo zei Multatuli het: De plicht van de mens is mens te zijn."
    with pytest.raises(ConfigError, match="date"):
        Settings.from_toml({"attribution": {"nl": {"quote": "{author} zei op {date}:"}}})


def test_doctests() -> None:
    import doctest

    from polycast.plan import attribution
    from polycast.read import quotes

    for module in (quotes, attribution):
        result = doctest.testmod(module)
        assert result.attempted > 0 and result.failed == 0, module.__name__
