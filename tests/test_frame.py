"""The show frame: spoken intro and outro chapters in the narration language."""

from __future__ import annotations

import logging

import pytest

from polycast.frame import add_frame
from polycast.mix import MixSettings
from polycast.models import NARRATOR, Chapter, Cue, Kind, Rundown


def _rundown(language: str = "nl", title: str = "Een titel", first: str = "Eerste zin.") -> Rundown:
    cues = (Cue(first, language, segment=0, pause_ms=250), Cue("Tweede.", language, segment=1))
    return Rundown(
        (Chapter("Begin", cues), Chapter("Post", (Cue("Hi.", "en", segment=2),))), title, language
    )


def test_dutch_intro_and_outro_wrap_the_article() -> None:
    framed = add_frame(_rundown(), "De Show", MixSettings())
    titles = [c.title for c in framed.chapters]
    assert titles == ["De Show", "Begin", "Post", "Afsluiting"]
    intro = framed.chapters[0].cues[0]
    assert intro.text == "Je luistert naar De Show. Een titel."
    assert (intro.lang, intro.segment, intro.speaker, intro.kind) == (
        "nl",
        -1,
        NARRATOR,
        Kind.TITLE,
    )
    assert intro.pause_ms > 0
    outro = framed.chapters[-1].cues[0]
    assert outro.text == "Dat was De Show. Bedankt voor het luisteren."
    assert (outro.lang, outro.segment) == ("nl", -1)
    assert framed.chapters[1:3] == _rundown().chapters


def test_english_and_regional_codes() -> None:
    framed = add_frame(_rundown("en-GB", "A title?", "First."), "The Show", MixSettings())
    assert framed.chapters[0].cues[0].text == "You're listening to The Show. A title?"
    assert framed.chapters[0].cues[0].lang == "en-GB"
    assert framed.chapters[-1].cues[0].text == "That was The Show. Thanks for listening."


def test_a_title_the_article_already_speaks_is_not_said_twice() -> None:
    framed = add_frame(_rundown(first="Een titel."), "De Show", MixSettings())
    assert framed.chapters[0].cues[0].text == "Je luistert naar De Show."


def test_framing_twice_frames_once() -> None:
    once = add_frame(_rundown(), "De Show", MixSettings())
    assert add_frame(once, "De Show", MixSettings()) == once


@pytest.mark.parametrize(
    ("show", "settings", "expected"),
    [
        (None, MixSettings(), ["Begin", "Post"]),
        ("  ", MixSettings(), ["Begin", "Post"]),
        ("S", MixSettings(intro=False), ["Begin", "Post", "Afsluiting"]),
        ("S", MixSettings(outro=False), ["S", "Begin", "Post"]),
    ],
)
def test_switches_and_a_missing_show(
    show: str | None, settings: MixSettings, expected: list[str]
) -> None:
    assert [c.title for c in add_frame(_rundown(), show, settings).chapters] == expected


def test_custom_words_and_unknown_languages(caplog: pytest.LogCaptureFixture) -> None:
    settings = MixSettings(intro_text="Welkom bij {show}: {title}!", outro_text="Tot ziens.")
    framed = add_frame(_rundown(), "S", settings)
    assert framed.chapters[0].cues[0].text == "Welkom bij S: Een titel!"
    assert framed.chapters[-1].cues[0].text == "Tot ziens."
    with caplog.at_level(logging.WARNING):
        plain = add_frame(_rundown("fi"), "S", MixSettings())
    assert plain == _rundown("fi")
    assert "mix.intro_text" in caplog.text
    custom = add_frame(_rundown("fi"), "S", MixSettings(intro_text="{show}.", outro=False))
    assert custom.chapters[0].cues[0].text == "S."
    assert custom.chapters[0].cues[0].lang == "fi"
