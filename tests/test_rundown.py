"""The rundown TOML: exact round trip, hand edits that change only what was edited, clear errors."""

from __future__ import annotations

import tomllib
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from polycast import pipeline
from polycast import rundown as rundown_toml
from polycast.config import Config
from polycast.encode.mp3 import decode_mp3
from polycast.errors import InputError
from polycast.models import Chapter, Cue, Kind, Rundown
from polycast.plan import plan
from polycast.read import read_article
from polycast.speak import SpeakSettings

EXAMPLE = Path(__file__).parent / "data" / "articles" / "loekasjenko-poetin-2021-09.txt"


@pytest.fixture(scope="module")
def example() -> Rundown:
    return plan(read_article(EXAMPLE.read_bytes(), EXAMPLE.name))


def test_example_round_trips(example: Rundown) -> None:
    text = rundown_toml.dumps(example)
    assert rundown_toml.loads(text) == example
    assert text.startswith("# polycast rundown")
    assert '[[chapter]]\ntitle = "CEPA (@cepa)"' in text
    assert 'lang = "en"' in text
    assert "voice =" not in text  # unset optional keys are left out
    tomllib.loads(text)  # plain TOML for any other tool too


def test_editing_one_cue_changes_only_that_cue(example: Rundown) -> None:
    text = rundown_toml.dumps(example)
    original = 'text = "Uniestaat"\nlang = "nl"'
    assert text.count(original) == 1
    edited = rundown_toml.loads(text.replace(original, 'text = "Unie-staat"\nlang = "de"'))
    before = [c for ch in example.chapters for c in ch.cues]
    after = [c for ch in edited.chapters for c in ch.cues]
    changed = [(b, a) for b, a in zip(before, after, strict=True) if a != b]
    assert len(changed) == 1
    assert (changed[0][1].text, changed[0][1].lang) == ("Unie-staat", "de")
    assert [c.title for c in edited.chapters] == [c.title for c in example.chapters]


def test_hand_written_minimal_rundown() -> None:
    text = """
title = "Hand made"
language = "nl"

[[chapter]]
title = "Enige"

[[chapter.cue]]
text = "Hallo."
lang = "NL"
voice = "nl+f3"
"""
    loaded = rundown_toml.loads(text)
    cue = loaded.chapters[0].cues[0]
    assert (cue.text, cue.lang, cue.voice, cue.pause_ms, cue.segment) == (
        "Hallo.",
        "nl",
        "nl+f3",
        0,
        -1,
    )
    assert (cue.kind, cue.speaker) == (Kind.PARAGRAPH, "narrator")
    assert loaded.date is None and loaded.author is None


GOOD_CUE = '[[chapter.cue]]\ntext = "Hallo."\nlang = "nl"\n'
HEAD = 'title = "T"\nlanguage = "nl"\n\n[[chapter]]\ntitle = "C"\n\n'
CUE = r"\(chapter 1, cue 1\)"
CUE2 = r"\(chapter 1, cue 2\)"


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("title = ", "not valid TOML"),
        ('title = "T"\nlanguage = "nl"\n', "no \\[\\[chapter\\]\\]"),
        (HEAD, r"line 4 \(chapter 1\): chapter has no \[\[chapter.cue\]\]"),
        (
            HEAD + GOOD_CUE + '\n[[chapter.cue]]\ntext = "x"\n',
            rf"line 11 {CUE2}: .* missing 'lang'",
        ),
        (HEAD + GOOD_CUE + "pause_ms = -5\n", rf"line 10 {CUE}: pause_ms must be from 0 to 60000"),
        (HEAD + GOOD_CUE + "pause_ms = 60001\n", rf"line 10 {CUE}: pause_ms .* not 60001"),
        (HEAD + GOOD_CUE + "pause_ms = 1000000000000\n", "pause_ms must be from 0 to 60000"),
        (HEAD + GOOD_CUE + "pause_ms = 1.5\n", "'pause_ms' must be a whole number"),
        (HEAD + GOOD_CUE + 'pause_ms = "long"\n', rf"line 10 {CUE}: 'pause_ms' must be a whole"),
        (HEAD + GOOD_CUE + "segment = -2\n", rf"line 10 {CUE}: segment must be from -1"),
        (HEAD + GOOD_CUE + 'kind = "poem"\n', rf"line 10 {CUE}: kind 'poem' is not one of"),
        (HEAD + GOOD_CUE + 'lnag = "en"\n', rf"line 10 {CUE}: unknown key 'lnag'"),
        (HEAD + GOOD_CUE + 'voice = " "\n', rf"line 10 {CUE}: voice is empty"),
        (HEAD + GOOD_CUE.replace('"Hallo."', '"  "'), rf"line 8 {CUE}: text is empty"),
        (HEAD + GOOD_CUE.replace('"Hallo."', "3"), rf"line 8 {CUE}: 'text' .* must be text"),
        (HEAD + GOOD_CUE.replace('"nl"', '"Dutch language"'), "lang 'Dutch language' is not a"),
        (HEAD + GOOD_CUE.replace('"nl"', '""'), "lang '' is not a language code"),
        (HEAD + GOOD_CUE.replace('"nl"', "[1]"), "'lang' in .* must be text"),
        (HEAD.replace('"nl"', '"../x"') + GOOD_CUE, r"line 2: language '\.\./x' is not a"),
        (HEAD.replace('"C"', "{}") + GOOD_CUE, r"line 5 \(chapter 1\): 'title' .* must be text"),
        ('language = "nl"\n\n[[chapter]]\ntitle = "C"\n' + GOOD_CUE, "line 1: .* missing 'title'"),
        ('title = "T"\nlanguage = "nl"\nsubtitle = "x"\n', "line 3: unknown key 'subtitle'"),
        ('name = "../feed"\n' + HEAD + GOOD_CUE, r"line 1: name '\.\./feed' is not a file name"),
        ('name = ".hidden"\n' + HEAD + GOOD_CUE, "line 1: name '.hidden' is not a file name"),
        ('name = "a\\tb"\n' + HEAD + GOOD_CUE, r"line 1: name 'a\\tb' is not a file name"),
        ('name = " "\n' + HEAD + GOOD_CUE, "line 1: name ' ' is empty"),
        ('name = "' + "é" * 101 + '"\n' + HEAD + GOOD_CUE, "is 202 bytes long; at most 200"),
        ("name = 3\n" + HEAD + GOOD_CUE, "line 1: 'name' in the rundown must be text"),
    ],
)
def test_bad_rundowns_name_the_line(text: str, match: str) -> None:
    with pytest.raises(InputError, match=match) as error:
        rundown_toml.loads(text, "r.toml")
    assert str(error.value).startswith("r.toml ")
    assert "\n" not in str(error.value)


def test_the_longest_pause_is_allowed() -> None:
    loaded = rundown_toml.loads(HEAD + GOOD_CUE + "pause_ms = 60000\n")
    assert loaded.chapters[0].cues[0].pause_ms == 60_000


_text = st.text(st.characters(exclude_categories=("Cs",)), min_size=1).filter(str.strip)
_cues = st.builds(
    Cue,
    text=_text,
    lang=st.sampled_from(["nl", "en", "de", "en-us", "ja"]),
    kind=st.sampled_from(list(Kind)),
    segment=st.integers(-1, 10_000),
    pause_ms=st.integers(0, 60_000),
    speaker=st.text(),
    voice=st.none() | _text,
)
_chapters = st.builds(
    Chapter,
    title=st.text(),
    cues=st.lists(_cues, min_size=1, max_size=4).map(tuple),
    url=st.none() | st.text(),
)
_rundowns = st.builds(
    Rundown,
    chapters=st.lists(_chapters, min_size=1, max_size=4).map(tuple),
    title=st.text(),
    language=st.sampled_from(["nl", "en"]),
    date=st.none() | st.text(),
    author=st.none() | st.text(),
    name=st.none()
    | st.text(st.characters(exclude_characters="/\\."), min_size=1, max_size=60).filter(
        lambda name: rundown_toml.name_problem(name) is None
    ),
)


@settings(max_examples=150)
@given(_rundowns)
def test_any_rundown_round_trips(rundown: Rundown) -> None:
    assert rundown_toml.loads(rundown_toml.dumps(rundown)) == rundown


def test_a_rundown_keeps_the_name_it_was_given(example: Rundown) -> None:
    named = replace(example, name="loekasjenko-poetin-2021-09")
    text = rundown_toml.dumps(named)
    assert 'title = "Loekasjenko en Poetin' in text.split("\n\n\n")[0]
    assert '\nname = "loekasjenko-poetin-2021-09"\n' in text
    assert rundown_toml.loads(text) == named
    assert "name =" not in rundown_toml.dumps(example)  # a hand-made rundown has none


def test_a_rundown_is_told_by_its_content(example: Rundown) -> None:
    assert rundown_toml.is_rundown(rundown_toml.dumps(example))
    hand = 'title = "x"\nlanguage = "nl"\n[[chapter]]\ntitle = "a"\n'
    assert rundown_toml.is_rundown(hand)
    assert not rundown_toml.is_rundown("[[chapter]] is a wiki link, not a table.\n")
    assert not rundown_toml.is_rundown('title = "only toml"\n')
    assert not rundown_toml.is_rundown("# A heading\n\nSome text.\n")


def test_a_rundown_with_a_minute_of_pause_builds(tmp_path: Path) -> None:
    source = tmp_path / "r.toml"
    source.write_text(
        HEAD + GOOD_CUE + "pause_ms = 60000\n\n" + GOOD_CUE.replace("Hallo.", "Tot ziens."),
        encoding="utf-8",
    )
    config = Config(speak=SpeakSettings(engine="espeak", cache=False, workers=1))
    result = pipeline.build(source, config, tmp_path / "out")
    samples, rate, _ = decode_mp3(result.mp3.read_bytes())
    assert 60 < len(samples) / rate == pytest.approx(result.seconds, abs=0.05)
    assert result.seconds < 63
    start, end = int(2 * rate), int(59 * rate)  # inside the pause: after "Hallo.", before the next
    assert not samples[start:end].any()
    assert samples[-3 * rate :].any()  # "Tot ziens." after the minute
