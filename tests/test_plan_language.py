"""Language decisions: narration, posts against their hints, short text, quotes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from polycast.cli import app
from polycast.models import Article, Kind, Post, Segment
from polycast.plan import PlanSettings, plan
from polycast.plan.language import Detector, assign, normalize, split_quotes
from polycast.plan.script import script_language
from polycast.read import read_article
from polycast.speak import SpeakSettings, prepare_voices

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


SCRIPTED = {
    "am": "ኢትዮጵያ በምሥራቅ አፍሪካ የምትገኝ ሀገር ናት። ዋና ከተማዋ አዲስ አበባ ነው። ብዙ ሕዝብ የሚኖርባት ሀገር ናት።",
    "he": "ירושלים היא עיר הבירה של ישראל. העיר עתיקה מאוד ויש בה מקומות קדושים רבים.",
    "ka": "თბილისი საქართველოს დედაქალაქია. ქალაქი მდებარეობს მტკვრის ნაპირებზე.",
    "el": "Η Αθήνα είναι η πρωτεύουσα της Ελλάδας. Η πόλη έχει μακρά ιστορία και πολλά μνημεία.",
    "th": "กรุงเทพมหานครเป็นเมืองหลวงของประเทศไทย เมืองนี้มีวัดที่สวยงามมากมาย",
}


@pytest.mark.parametrize("lang", sorted(SCRIPTED))
def test_a_script_of_one_language_gets_that_language_and_its_voice(
    lang: str, tmp_path: Path
) -> None:
    article = tmp_path / f"{lang}.txt"
    article.write_text(SCRIPTED[lang] + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["segments", str(article), "--json"])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert shown["language"] == lang
    assert [s["lang"] for s in shown["segments"]] == [lang]
    rundown = plan(read_article(article.read_bytes(), article.name))
    assert {cue.lang for chapter in rundown.chapters for cue in chapter.cues} == {lang}
    voices = prepare_voices(rundown, SpeakSettings(engine="espeak", cache=False))
    assert voices.substitutes == {}
    assert voices[lang].voice_for(lang) != voices[lang].voice_for("en")  # not the English voice
    assert f"voice={lang}" in voices.describe()[lang]


def test_scripts_in_a_mixed_article() -> None:
    narration, langs = _langs(
        Segment(Kind.PARAGRAPH, NL),
        Segment(Kind.POST, SCRIPTED["he"], lang_hint="nl"),
        Segment(Kind.HEADING, "Αθήνα"),  # one word: too short to leave the narration's language
        Segment(Kind.PARAGRAPH, NL + " Een woord in het Hebreeuws: שלום."),
    )
    assert (narration, langs) == ("nl", ("nl", "he", "nl", "nl"))


def test_a_language_no_voice_speaks_is_the_voice_stage_error() -> None:
    from polycast.errors import UnsupportedLanguage

    khmer = "ភ្នំពេញគឺជារាជធានីនៃប្រទេសកម្ពុជា ទីក្រុងនេះមានប្រវត្តិយូរលង់"
    rundown = plan(Article((Segment(Kind.PARAGRAPH, khmer),)))
    assert rundown.language == "km"
    with pytest.raises(UnsupportedLanguage, match="'km'"):
        prepare_voices(rundown, SpeakSettings(engine="espeak", cache=False))
    fallback = SpeakSettings(engine="espeak", cache=False, fallback_lang="en")
    assert prepare_voices(rundown, fallback).substitutes == {"km": "en"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("שלום עולם", "he"),
        ("Καλημέρα κόσμε", "el"),
        ("नमस्ते दुनिया", "hi"),
        ("হ্যালো বিশ্ব", "bn"),
        ("வணக்கம் உலகம்", "ta"),
        ("హలో ప్రపంచం", "te"),
        ("હેલો વર્લ્ડ", "gu"),
        ("ਸਤਿ ਸ੍ਰੀ ਅਕਾਲ", "pa"),
        ("ಹಲೋ ವರ್ಲ್ಡ್", "kn"),
        ("ഹലോ വേൾഡ്", "ml"),
        ("안녕하세요 세계", "ko"),
        ("こんにちは世界", "ja"),
        ("東京は日本の首都です", "ja"),
        ("北京是中国的首都", None),
        ("Բարև աշխարհ", "hy"),
        ("გამარჯობა", "ka"),
        ("ສະບາຍດີ", "lo"),
        ("မင်္ဂလာပါ", "my"),
        ("ආයුබෝවන්", "si"),
        ("Привет мир", None),
        ("Hello world", None),
        ("Shalom, שלום, hello there friends", None),  # no majority
        ("", None),
    ],
)
def test_script_language(text: str, expected: str | None) -> None:
    assert script_language(text) == expected


def test_script_language_is_linear() -> None:
    # A long text is one pass: a megabyte of Greek is still Greek (and no quadratic blow-up).
    assert script_language("Καλημέρα κόσμε. " * 65_536) == "el"


def test_script_doctests() -> None:
    import doctest

    from polycast.plan import script

    assert doctest.testmod(script).attempted > 0
    assert doctest.testmod(script).failed == 0
