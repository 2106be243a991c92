"""The plan stage end to end: the example article's rundown, chapters, cues and pauses."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from polycast.models import NARRATOR, Article, Kind, Post, Rundown, Segment
from polycast.plan import Lexicon, Pauses, PlanSettings, describe, plan
from polycast.read import read_article

ARTICLES = Path(__file__).parent / "data" / "articles"
EXAMPLE = ARTICLES / "loekasjenko-poetin-2021-09.txt"


@pytest.fixture(scope="module")
def example() -> Article:
    return read_article(EXAMPLE.read_bytes(), EXAMPLE.name)


@pytest.fixture(scope="module")
def rundown(example: Article) -> Rundown:
    return plan(example, PlanSettings())


def test_example_chapters_follow_the_article(rundown: Rundown) -> None:
    assert [c.title for c in rundown.chapters] == [
        "Inleiding",
        "CEPA (@cepa)",
        "Sneer naar het Westen",
        "Sviatlana Tsikhanouskaya (@Tsihanouskaya)",
        "Uniestaat",
    ]
    assert rundown.language == "nl"
    assert rundown.date == "2021-09"
    # No title of its own: the lead sentence, cut on a word boundary.
    assert rundown.title == "Loekasjenko en Poetin maakten donderdag tijdens hun zesde…"
    assert all(chapter.cues for chapter in rundown.chapters)


def test_example_posts_are_english_and_introduced_in_dutch(rundown: Rundown) -> None:
    cepa = rundown.chapters[1].cues
    assert cepa[0].text == "CEPA schreef op 9 september 2021 op Twitter:"
    assert (cepa[0].lang, cepa[0].speaker, cepa[0].kind) == ("nl", NARRATOR, Kind.POST)
    assert [c.lang for c in cepa[1:]] == ["en"] * (len(cepa) - 1)
    assert {c.speaker for c in cepa[1:]} == {"CEPA"}
    said = " ".join(c.text for c in cepa[1:])
    assert said.startswith("Russia: In addition to exercising the combined defense of Belarus")
    assert "Russia's primary strategic exercise." in said
    # The trailing mention is a credit in the post's language, not a bare name at the end.
    assert cepa[-1].text == "With Steven Horrell."
    assert "http" not in said and "@" not in said and "“" not in said

    sviatlana = rundown.chapters[3].cues
    assert sviatlana[0].text == "Sviatlana Tsikhanouskaya schreef op 6 september 2021 op Twitter:"
    assert sviatlana[1].text == (
        "The regime sentenced Maria Kalesnikava and Maksim Znak to 11 and 10 years in prison."
    )
    assert sviatlana[-1].text == "We won't stop until everybody is free in Belarus."
    assert all(c.segment == sviatlana[0].segment for c in sviatlana)


def test_example_narration_is_dutch_one_cue_per_sentence(rundown: Rundown) -> None:
    opening = rundown.chapters[0].cues
    assert opening[0].text.startswith("Loekasjenko en Poetin maakten donderdag")
    assert opening[0].text.endswith("financieel terrein.")
    assert opening[1].text.startswith("De steeds verstrekkender economische integratie")
    narration = [c for ch in rundown.chapters for c in ch.cues if c.kind is not Kind.POST]
    assert {c.lang for c in narration} == {"nl"}
    assert {c.speaker for c in narration} == {NARRATOR}
    texts = [c.text for c in narration]
    assert "Zapad 2021 biedt Moskou de kans" in " ".join(texts)  # quote marks gone
    assert "Europa's laatste dictator" in " ".join(texts)
    assert "zo'n uniestaat" in " ".join(texts)
    assert not any("‘" in t or "’" in t for t in texts)


def test_example_headings_are_spoken_first_in_their_chapter(rundown: Rundown) -> None:
    heading = rundown.chapters[2].cues[0]
    assert (heading.text, heading.kind, heading.lang) == (
        "Sneer naar het Westen",
        Kind.HEADING,
        "nl",
    )
    assert rundown.chapters[4].cues[0].text == "Uniestaat"


def test_example_caption_is_not_spoken(example: Article, rundown: Rundown) -> None:
    assert example.segments[0].kind is Kind.CAPTION
    spoken_segments = {c.segment for ch in rundown.chapters for c in ch.cues}
    assert 0 not in spoken_segments
    assert spoken_segments == {i for i, s in enumerate(example.segments) if s.spoken}


def test_example_pauses_by_position(rundown: Rundown) -> None:
    p = Pauses()
    opening, cepa, sneer, sviatlana, unie = (c.cues for c in rundown.chapters)
    assert opening[0].pause_ms == p.sentence
    assert opening[1].pause_ms == p.paragraph  # end of the first paragraph
    assert opening[-1].pause_ms == p.post  # before a post
    assert cepa[0].pause_ms == p.attribution
    assert cepa[-1].pause_ms == p.post  # after a post
    assert sneer[0].pause_ms == p.heading
    assert sviatlana[-1].pause_ms == p.post
    assert unie[-1].pause_ms == p.chapter  # the end of the episode


def test_pauses_are_configurable(example: Article) -> None:
    pauses = Pauses(sentence=1, paragraph=2, heading=3, attribution=4, post=5, chapter=6)
    rundown = plan(example, PlanSettings(pauses=pauses))
    used = {c.pause_ms for ch in rundown.chapters for c in ch.cues}
    assert used == {1, 2, 3, 4, 5, 6}


def test_lexicon_applies_to_cues_of_its_language(example: Article) -> None:
    lexicon = Lexicon.from_toml('[nl]\n"Navo" = "Naavo"\n[en]\n"Belarus" = "Bella Roos"\n')
    rundown = plan(example, PlanSettings(lexicon=lexicon))
    cues = [c for ch in rundown.chapters for c in ch.cues]
    assert any("de Naavo." in c.text for c in cues if c.lang == "nl")
    assert not any("Navo" in c.text for c in cues)
    english = " ".join(c.text for c in cues if c.lang == "en")
    dutch = " ".join(c.text for c in cues if c.lang == "nl")
    assert "Bella Roos" in english and not re.search(r"\bBelarus\b", english)
    assert "Belarusians" in english  # whole words only
    assert "Belarus" in dutch  # the English entry leaves Dutch cues alone


def _article(*segments: Segment, **meta: str) -> Article:
    return Article(tuple(segments), **meta)  # type: ignore[arg-type]


NL_PARAGRAPH = (
    "De regering heeft vandaag nieuwe plannen gepresenteerd voor de woningmarkt. "
    "Volgens de minister moeten er de komende jaren veel meer huizen worden gebouwd."
)
EN_POST = "We are very proud to announce that our new report on housing is out today."


def test_narration_after_a_post_continues_its_section() -> None:
    article = _article(
        Segment(Kind.HEADING, "Woningmarkt"),
        Segment(Kind.PARAGRAPH, NL_PARAGRAPH),
        Segment(Kind.POST, EN_POST, post=Post(author="Housing Lab", handle="housinglab")),
        Segment(Kind.PARAGRAPH, NL_PARAGRAPH),
    )
    rundown = plan(article)
    assert [c.title for c in rundown.chapters] == [
        "Woningmarkt",
        "Housing Lab (@housinglab)",
        "Woningmarkt",
    ]
    assert rundown.chapters[2].cues[0].segment == 3
    assert rundown.chapters[1].cues[0].text == "Housing Lab schreef:"


def test_title_from_article_or_settings() -> None:
    article = _article(Segment(Kind.PARAGRAPH, NL_PARAGRAPH), title="Nieuwe woningplannen")
    assert plan(article).title == "Nieuwe woningplannen"
    assert plan(article).chapters[0].title == "Nieuwe woningplannen"
    untitled = _article(Segment(Kind.PARAGRAPH, NL_PARAGRAPH))
    rundown = plan(untitled, PlanSettings(title="Show title"))
    assert rundown.title == "Show title"
    assert plan(untitled).title == "De regering heeft vandaag nieuwe plannen gepresenteerd voor…"
    assert plan(untitled).chapters[0].title == "Inleiding"


def test_post_url_goes_to_its_chapter_and_never_into_speech() -> None:
    url = "https://twitter.com/housinglab/status/1234567890"
    article = _article(
        Segment(Kind.PARAGRAPH, NL_PARAGRAPH),
        Segment(
            Kind.POST,
            EN_POST + " https://t.co/abcdef",
            post=Post(author="Housing Lab 🏠", handle="housinglab", date="2022-03-12", url=url),
        ),
    )
    chapter = plan(article).chapters[1]
    assert chapter.url == url
    assert chapter.title == "Housing Lab (@housinglab)"
    assert chapter.cues[0].text == "Housing Lab schreef op 12 maart 2022 op Twitter:"
    assert all("t.co" not in c.text and "http" not in c.text for c in chapter.cues)
    assert chapter.cues[1].speaker == "Housing Lab"


def test_english_narration_introduces_posts_in_english() -> None:
    article = _article(
        Segment(Kind.PARAGRAPH, EN_POST + " " + EN_POST),
        Segment(
            Kind.POST,
            "Vandaag presenteren wij met trots ons nieuwe rapport over de woningmarkt.",
            post=Post(author="Viaplay Sport Nederland", date="2022-03-12"),
            lang_hint="en",
        ),
    )
    rundown = plan(article)
    post = rundown.chapters[1].cues
    assert post[0].text == "On March 12th, 2022, Viaplay Sport Nederland posted:"
    assert post[0].lang == "en"
    assert post[1].lang == "nl"  # detection beats the embed's wrong lang attribute


def test_unspoken_and_empty_segments_make_no_cues() -> None:
    article = _article(
        Segment(Kind.PARAGRAPH, NL_PARAGRAPH),
        Segment(Kind.TABLE, "a | b | c", spoken=False),
        Segment(Kind.PARAGRAPH, "https://example.com/only-a-link 🎉"),
        Segment(Kind.CODE, "print('hi')", spoken=False),
    )
    rundown = plan(article)
    assert {c.segment for ch in rundown.chapters for c in ch.cues} == {0}


def test_nothing_to_say_gives_no_chapters() -> None:
    rundown = plan(_article(Segment(Kind.IMAGE, "a photo", spoken=False)))
    assert rundown.chapters == ()


def test_describe_matches_plan(example: Article, rundown: Rundown) -> None:
    views = describe(example)
    assert len(views) == len(example.segments)
    assert views[0].speech is None and not views[0].spoken
    post = views[4]
    assert (post.kind, post.lang, post.author, post.handle) == (Kind.POST, "en", "CEPA", "cepa")
    assert post.date == "2021-09-09"
    assert post.speech is not None
    assert post.speech.startswith(
        "CEPA schreef op 9 september 2021 op Twitter: Russia: In addition"
    )
    cues = [c for ch in rundown.chapters for c in ch.cues]
    for view in views:
        said = " ".join(c.text for c in cues if c.segment == view.index)
        assert (view.speech or "") == said


def test_languages_restrict_detection() -> None:
    article = _article(
        Segment(Kind.PARAGRAPH, NL_PARAGRAPH),
        Segment(Kind.POST, EN_POST, post=Post(author="A")),
    )
    rundown = plan(article, languages=["nl", "en-us"])
    assert rundown.chapters[1].cues[1].lang == "en-us"
    # With only Dutch voices, everything is Dutch.
    only_dutch = plan(article, languages=["nl"])
    assert {c.lang for ch in only_dutch.chapters for c in ch.cues} == {"nl"}
