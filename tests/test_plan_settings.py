"""PlanSettings from a config's [plan] table: every key checked."""

from __future__ import annotations

import textwrap
import tomllib
from typing import Any

import pytest

from polycast.errors import ConfigError
from polycast.plan import Pauses, PlanSettings
from polycast.plan.settings import __doc__ as settings_doc


def test_defaults() -> None:
    settings = PlanSettings.from_toml({})
    assert settings == PlanSettings()
    assert settings.pauses == Pauses(250, 600, 700, 400, 900, 1200)


def test_documented_example_parses() -> None:
    # The module docstring shows a [plan] table; it must be valid.
    assert settings_doc is not None
    example = textwrap.dedent(settings_doc.split("::", 1)[1])
    settings = PlanSettings.from_toml(tomllib.loads(example)["plan"])
    assert settings.title == "Episode title when the article has none"
    assert settings.default_language == "nl"
    assert settings.pauses.chapter == 1200
    assert settings.lexicon.apply("de Navo", "nl") == "de Naavo"
    assert settings.attribution["en"]["date_platform"].startswith("On {date}")


def test_partial_pauses_keep_defaults() -> None:
    settings = PlanSettings.from_toml({"pauses": {"sentence": 100}})
    assert settings.pauses == Pauses(sentence=100)


@pytest.mark.parametrize(
    ("table", "match"),
    [
        ({"pause": {}}, "unknown key plan.pause"),
        ({"pauses": {"comma": 1}}, "unknown key plan.pauses.comma"),
        ({"pauses": {"sentence": -1}}, "plan.pauses.sentence"),
        ({"pauses": {"sentence": 2.5}}, "plan.pauses.sentence"),
        ({"pauses": {"sentence": True}}, "plan.pauses.sentence"),
        ({"pauses": []}, "must be a table"),
        ({"title": ""}, "plan.title"),
        ({"title": 3}, "plan.title"),
        ({"min_confidence": 2}, "plan.min_confidence"),
        ({"default_language": None}, "plan.default_language"),
        ({"lexicon": {"nl": "x"}}, "must be a table"),
        ({"attribution": {"nl": {"plain": 3}}}, "plan.attribution.nl.plain"),
    ],
)
def test_bad_values(table: dict[str, Any], match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        PlanSettings.from_toml(table)
