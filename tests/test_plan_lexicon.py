"""The pronunciation lexicon: whole words, case rules, variants, errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from polycast.cli import app
from polycast.errors import ConfigError
from polycast.models import Article, Kind, Segment
from polycast.plan import Lexicon, PlanSettings, describe, sentences

EXAMPLE = Path(__file__).parent / "data" / "articles" / "loekasjenko-poetin-2021-09.txt"

LEXICON = Lexicon.from_toml(
    """
[nl]
"Navo" = "Naavo"
"VS" = "Verenigde Staten"
"o.a." = "onder andere"
"New York" = "Njoejork"
"New York Times" = "Njoejork Tajms"

[en]
"GeV" = "giga electron volt"

[en-us]
"GeV" = "gee ee vee"
"""
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("de Navo en de Navo's", "de Naavo en de Naavo's"),
        ("Navoland", "Navoland"),  # whole words only
        ("NAVO", "NAVO"),  # has capitals: exact spelling only
        ("de VS en vs", "de Verenigde Staten en vs"),
        ("O.a. dit, o.a. dat, O.A. zo", "onder andere dit, onder andere dat, onder andere zo"),
        ("de New York Times in New York", "de Njoejork Tajms in Njoejork"),  # longest first
    ],
)
def test_rules(text: str, expected: str) -> None:
    assert LEXICON.apply(text, "nl") == expected


def test_only_its_language_and_variants() -> None:
    assert LEXICON.apply("de Navo", "en") == "de Navo"
    assert LEXICON.apply("750 GeV", "en") == "750 giga electron volt"
    assert LEXICON.apply("750 GeV", "en-gb") == "750 giga electron volt"  # [en] covers variants
    assert LEXICON.apply("750 GeV", "en-us") == "750 gee ee vee"  # the variant's own first
    assert LEXICON.apply("de Navo", "nl-be") == "de Naavo"


def test_replacements_are_not_looked_up_again() -> None:
    lexicon = Lexicon.from_mapping({"nl": {"a": "b c", "c": "d"}})
    assert lexicon.apply("a c", "nl") == "b c d"


def test_empty_and_truthiness() -> None:
    assert not Lexicon()
    assert Lexicon().apply("Navo", "nl") == "Navo"
    assert LEXICON


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("[nl\n", "not valid TOML"),
        ('nl = "x"', "must be a table"),
        ('[nl]\n"Navo" = 3', "non-empty text"),
        ('[nl]\n"Navo" = ""', "non-empty text"),
        ('[nl]\n"" = ""', "non-empty text"),
    ],
)
def test_bad_lexicons(text: str, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        Lexicon.from_toml(text)


PHRASES = Lexicon.from_toml(
    """
[de]
"z. B." = "zum Beispiel"
"u. a." = "unter anderem"

[nl]
"o.a." = "onder andere"
"t.o.v." = "ten opzichte van"

[en]
"U.S." = "United States"
"U.S. Army" = "United States Army"
"e.g." = "for example"
"New York" = "New York City"
"""
)


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("darunter z. B. die Botschafterin", "de", "darunter zum Beispiel die Botschafterin"),
        ("Z. B. heute", "de", "Z. B. heute"),  # has a capital: exact spelling only
        ("darunter z.  B. die", "de", "darunter zum Beispiel die"),  # any run of spaces
        ("darunter z. Bsp.", "de", "darunter z. Bsp."),  # whole words: "B" is not "Bsp"
        ("darunter xz. B. die", "de", "darunter xz. B. die"),
        (
            "daarom O.a. hier en T.O.V. daar",  # all lowercase: any case
            "nl",
            "daarom onder andere hier en ten opzichte van daar",
        ),
        (
            "the U.S. Army and the U.S. Navy",
            "en",
            "the United States Army and the United States Navy",
        ),
        ("the u.s. navy", "en", "the u.s. navy"),  # has capitals: exact only
        ("e.g. New York", "en", "for example New York City"),  # not looked up again
        ("in New\nYork", "en", "in New\nYork"),  # a line break ends a cue: no match across it
    ],
)
def test_entries_with_spaces_and_punctuation(text: str, lang: str, expected: str) -> None:
    assert PHRASES.apply(text, lang) == expected


def test_sentences_cut_inside_an_entry_are_joined() -> None:
    text = "Gäste, darunter z. B. die Botschafterin. Danach u. a. Reden. Ende."
    cut = ["Gäste, darunter z.", "B. die Botschafterin.", "Danach u.", "a. Reden.", "Ende."]
    assert PHRASES.respell_sentences(text, cut, "de") == [
        "Gäste, darunter zum Beispiel die Botschafterin.",
        "Danach unter anderem Reden.",
        "Ende.",
    ]
    assert PHRASES.respell_sentences(text, cut, "fr") == cut  # no table: left as they are


def test_a_cut_entry_is_one_cue_in_the_plan() -> None:
    settings = PlanSettings(lexicon=PHRASES)
    article = Article(
        (Segment(Kind.PARAGRAPH, "Viele kamen, darunter z. B. die Botschafterin.", lang="de"),)
    )
    assert describe(article, settings)[0].speech == (
        "Viele kamen, darunter zum Beispiel die Botschafterin."
    )


@pytest.mark.parametrize(
    ("entry", "why"),
    [
        ('"" = "niets"', "it is empty"),
        ('"  " = "niets"', "it is empty"),
        ('"#wonen" = "wonen"', "reads it as 'wonen'"),
        ('"https://example.nl/a" = "link"', "removes it"),
        ('"🚲" = "fiets"', "removes it"),
        ('"\u0301e" = "e"', "combining mark"),
    ],
)
def test_an_entry_that_can_never_match_is_a_notice_naming_it(entry: str, why: str) -> None:
    lexicon = Lexicon.from_toml(f'[nl]\n"Navo" = "Naavo"\n{entry}\n')
    assert len(lexicon.notices) == 1
    notice = lexicon.notices[0]
    assert notice.startswith("lexicon: [nl] ") and "can never match" in notice and why in notice
    assert lexicon.apply("de Navo", "nl") == "de Naavo"  # the others still apply
    assert lexicon.merged(Lexicon()).notices == lexicon.notices


def test_a_table_that_is_no_language_is_a_notice() -> None:
    lexicon = Lexicon.from_toml('[dutch]\n"Navo" = "Naavo"\n')
    assert lexicon.notices == ("lexicon: [dutch] is not a language code (nl, en-us): left out",)
    assert not lexicon


def test_the_command_line_prints_the_notice(tmp_path: Path) -> None:
    lexicon = tmp_path / "lexicon.toml"
    lexicon.write_text('[nl]\n"#Navo" = "Naavo"\n"o.a." = "onder andere"\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["segments", str(EXAMPLE), "--lexicon", str(lexicon)])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "polycast: lexicon: [nl] '#Navo' can never match: the speech clean-up reads it as "
        "'Navo' before the lexicon looks; write that; left out"
    ]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["z.", "B.", "Z.", "die", "Dr.", "Heute", "u.", "a.", " ", "  ", "\n", "wir!"]
        ),
        max_size=30,
    )
)
def test_respelling_sentences_is_respelling_their_text(pieces: list[str]) -> None:
    """Joined again, the respelled sentences say what respelling the whole text says."""
    text = " ".join(pieces)
    cut = sentences.split(text, "de")
    said = PHRASES.respell_sentences(text, cut, "de")
    one_line = [" ".join(line.split()) for line in text.splitlines()]
    expected = [PHRASES.apply(line, "de") for line in one_line if line]
    assert " ".join(" ".join(said).split()) == " ".join(" ".join(expected).split())
    assert len(said) <= len(cut)


def test_doctests() -> None:
    import doctest

    from polycast.plan import lexicon

    result = doctest.testmod(lexicon)
    assert result.attempted > 0 and result.failed == 0
