"""The rundown TOML: exact round trip, hand edits that change only what was edited, clear errors."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from polycast import rundown as rundown_toml
from polycast.errors import InputError
from polycast.models import Chapter, Cue, Kind, Rundown
from polycast.plan import plan
from polycast.read import read_article

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


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("title = ", "not valid TOML"),
        ('title = "T"\nlanguage = "nl"\n', "no \\[\\[chapter\\]\\]"),
        (HEAD, r"line 4: chapter has no \[\[chapter.cue\]\]"),
        (HEAD + GOOD_CUE + '\n[[chapter.cue]]\ntext = "x"\n', r"line 11: .* missing 'lang'"),
        (HEAD + GOOD_CUE + "pause_ms = -5\n", "line 10: pause_ms must not be negative"),
        (HEAD + GOOD_CUE + 'pause_ms = "long"\n', "line 10: 'pause_ms' must be a whole number"),
        (HEAD + GOOD_CUE + 'kind = "poem"\n', "line 10: kind 'poem' is not one of"),
        (HEAD + GOOD_CUE + 'lnag = "en"\n', "line 10: unknown key 'lnag'"),
        (HEAD + GOOD_CUE.replace('"Hallo."', '"  "'), "line 8: text is empty"),
        (HEAD + GOOD_CUE.replace('"Hallo."', "3"), "line 8: 'text' .* must be text"),
        ('language = "nl"\n\n[[chapter]]\ntitle = "C"\n' + GOOD_CUE, "line 1: .* missing 'title'"),
        ('title = "T"\nlanguage = "nl"\nsubtitle = "x"\n', "line 3: unknown key 'subtitle'"),
    ],
)
def test_bad_rundowns_name_the_line(text: str, match: str) -> None:
    with pytest.raises(InputError, match=match):
        rundown_toml.loads(text)


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
)


@settings(max_examples=150)
@given(_rundowns)
def test_any_rundown_round_trips(rundown: Rundown) -> None:
    assert rundown_toml.loads(rundown_toml.dumps(rundown)) == rundown


def test_a_rundown_is_told_by_its_content(example: Rundown) -> None:
    assert rundown_toml.is_rundown(rundown_toml.dumps(example))
    hand = 'title = "x"\nlanguage = "nl"\n[[chapter]]\ntitle = "a"\n'
    assert rundown_toml.is_rundown(hand)
    assert not rundown_toml.is_rundown("[[chapter]] is a wiki link, not a table.\n")
    assert not rundown_toml.is_rundown('title = "only toml"\n')
    assert not rundown_toml.is_rundown("# A heading\n\nSome text.\n")
