"""The pronunciation lexicon: whole words, case rules, variants, errors."""

from __future__ import annotations

import pytest

from polycast.errors import ConfigError
from polycast.plan import Lexicon

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
    ],
)
def test_bad_lexicons(text: str, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        Lexicon.from_toml(text)
