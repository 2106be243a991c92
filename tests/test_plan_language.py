"""Language decisions: narration, posts against their hints, short text, quotes."""

from __future__ import annotations

from polycast.models import Article, Kind, Post, Segment
from polycast.plan import PlanSettings, plan
from polycast.plan.language import Detector, assign, normalize, split_quotes

NL = (
    "Het kabinet wil dat er de komende tien jaar een miljoen nieuwe woningen bijkomen. "
    "Gemeenten moeten daarvoor sneller bouwgrond aanwijzen en vergunningen verlenen."
)
EN = "The regime sentenced Maria Kalesnikava and Maksim Znak to eleven and ten years in prison."
DE = "Wir sind das Volk, und wir bleiben hier, bis sich endlich etwas ändert in diesem Land."
SETTINGS = PlanSettings()


def _langs(*segments: Segment, language: str | None = None) -> tuple[str, tuple[str, ...]]:
    result = assign(Article(tuple(segments), language=language), SETTINGS)
    return result.narration, result.segments


def test_narration_from_metadata_in_voice_form() -> None:
    narration, _ = _langs(Segment(Kind.PARAGRAPH, EN), language="nl-NL")
    assert narration == "nl"
    assert normalize("en_US") == "en-us"
    assert Detector(["en-us", "nl"]).resolve("en-GB") == "en-us"


def test_narration_detected_from_all_narration_not_posts() -> None:
    narration, langs = _langs(
        Segment(Kind.PARAGRAPH, NL),
        Segment(Kind.POST, EN, post=Post(author="A")),
        Segment(Kind.POST, EN, post=Post(author="B")),
        Segment(Kind.POST, EN, post=Post(author="C")),
    )
    assert narration == "nl"
    assert langs == ("nl", "en", "en", "en")


def test_confident_detection_beats_a_wrong_hint() -> None:
    _, langs = _langs(Segment(Kind.PARAGRAPH, NL), Segment(Kind.POST, EN, lang_hint="nl"))
    assert langs[1] == "en"


def test_short_post_follows_its_hint_else_the_narration() -> None:
    _, langs = _langs(
        Segment(Kind.PARAGRAPH, NL),
        Segment(Kind.POST, "Wow!", lang_hint="en"),
        Segment(Kind.POST, "Wow!"),
        Segment(Kind.POST, "🎉 https://t.co/abc #great"),
    )
    assert langs[1:] == ("en", "nl", "nl")


def test_short_heading_takes_the_surrounding_language() -> None:
    # Alone, "Uniestaat" might pass for German; in a Dutch article it is Dutch.
    _, langs = _langs(Segment(Kind.PARAGRAPH, NL), Segment(Kind.HEADING, "Uniestaat"))
    assert langs[1] == "nl"


def test_quote_segment_in_german_is_read_in_german() -> None:
    _, langs = _langs(Segment(Kind.PARAGRAPH, NL), Segment(Kind.QUOTE, DE))
    assert langs[1] == "de"


def test_long_quoted_passage_inside_narration_gets_its_own_language() -> None:
    text = f"Op het plein riepen de demonstranten: „{DE}” Daarna bleef het stil."
    runs = split_quotes(text, "nl", SETTINGS, Detector())
    assert [lang for _, lang in runs] == ["nl", "de", "nl"]
    assert runs[1][0] == DE
    rundown = plan(Article((Segment(Kind.PARAGRAPH, NL), Segment(Kind.PARAGRAPH, text))))
    cues = rundown.chapters[0].cues
    assert [(c.lang, c.segment) for c in cues[-3:]] == [("nl", 1), ("de", 1), ("nl", 1)]
    assert cues[-2].text == DE
    assert cues[-1].text == "Daarna bleef het stil."


def test_same_language_and_short_quotes_stay_in_their_sentence() -> None:
    text = (
        "Hij zei: ‘We moeten eerst een economische basis creëren om vooruit te komen’, aldus hij."
    )
    assert split_quotes(text, "nl", SETTINGS, Detector()) == [(text, "nl")]
    short = "Het motto was „Wir sind das Volk” en dat bleef zo."
    assert split_quotes(short, "nl", SETTINGS, Detector()) == [(short, "nl")]


def test_detection_only_among_the_voices_languages() -> None:
    segments = (Segment(Kind.PARAGRAPH, NL), Segment(Kind.QUOTE, DE))
    result = assign(Article(segments), SETTINGS, languages=["nl", "en"])
    assert result.segments[1] in ("nl", "en")


def test_japanese_article() -> None:
    text = "東京都は新しい住宅政策を発表しました。来年から実施される予定です。"
    narration, langs = _langs(Segment(Kind.PARAGRAPH, text))
    assert narration == "ja"
    assert langs == ("ja",)


def test_reader_language_is_kept() -> None:
    _, langs = _langs(Segment(Kind.PARAGRAPH, NL), Segment(Kind.PARAGRAPH, NL, lang="fr"))
    assert langs[1] == "fr"


def test_default_language_when_nothing_to_detect() -> None:
    article = Article((Segment(Kind.PARAGRAPH, "OK"),))
    assert assign(article, PlanSettings(default_language="de")).narration == "de"
    assert assign(article, SETTINGS, languages=["nl"]).narration == "nl"
