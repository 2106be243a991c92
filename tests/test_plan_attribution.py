"""The narrator's introduction of posts: templates per language, dates, missing parts."""

from __future__ import annotations

import pytest

from polycast.errors import ConfigError
from polycast.models import Post
from polycast.plan import PlanSettings
from polycast.plan.attribution import (
    attribution,
    clean_name,
    platform,
    speaker_name,
    split_handle,
    spoken_date,
)

CEPA = Post(author="CEPA", handle="cepa", date_text="9 september 2021", date="2021-09-09")


def _say(
    post: Post, lang: str, text: str = "pic.twitter.com/x", **overrides: dict[str, str]
) -> str:
    return attribution(post, lang, speaker_name(post, lang), text, overrides)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("nl", "CEPA schreef op 9 september 2021 op Twitter:"),
        ("en", "On September 9, 2021, CEPA posted on Twitter:"),
        ("de", "Am 9. September 2021 schrieb CEPA auf Twitter:"),
        ("fr", "Le 9 septembre 2021, CEPA a écrit sur Twitter :"),
        ("ja", "2021年9月9日、CEPAさんがTwitterに投稿しました。"),
        ("sv", "CEPA, 9.9.2021:"),  # no Swedish template: no borrowed words
    ],
)
def test_templates_per_narration_language(lang: str, expected: str) -> None:
    assert _say(CEPA, lang) == expected


def test_missing_parts() -> None:
    no_date = Post(author="CEPA", handle="cepa")
    assert _say(no_date, "nl") == "CEPA schreef op Twitter:"
    assert _say(no_date, "nl", text="no links") == "CEPA schreef:"
    viaplay = Post(author="Viaplay Sport Nederland", date="2022-03-12")
    assert _say(viaplay, "en", text="") == "On March 12, 2022, Viaplay Sport Nederland posted:"
    assert _say(Post(handle="StevenHorrell"), "en", text="") == "Steven Horrell posted:"
    assert _say(Post(), "nl", text="") == "Iemand schreef:"
    assert _say(Post(), "sv", text="") == ""  # nothing known, in a language without templates
    # An unparsed date is said as written.
    assert _say(Post(author="A", date_text="gisteren"), "nl", text="") == "A schreef op gisteren:"


def test_templates_are_overridable() -> None:
    said = _say(CEPA, "nl", nl={"date_platform": "Op {date} schreef {author} op {platform}:"})
    assert said == "Op 9 september 2021 schreef CEPA op Twitter:"
    # Other keys keep the built-in wording.
    assert _say(Post(author="CEPA"), "nl", text="", nl={"date": "x"}) == "CEPA schreef:"


def test_override_templates_are_checked() -> None:
    table = {"attribution": {"nl": {"plain": "{author} schreef {when}:"}}}
    with pytest.raises(ConfigError, match="when"):
        PlanSettings.from_toml(table)
    with pytest.raises(ConfigError, match="unknown key"):
        PlanSettings.from_toml({"attribution": {"nl": {"other": "{author}"}}})


@pytest.mark.parametrize(
    ("template", "problem"),
    [
        ("{author.__class__.__mro__} {author.__init__.__globals__}", "reaches into a value"),
        ("{author.__class__.__mro__}", "reaches into a value"),
        ("{author[0]} schreef:", "reaches into a value"),
        ("{author!r} schreef:", "has a conversion"),
        ("{author:>99999999} schreef:", "has a format spec"),
        ("{author} schreef op {when}:", "{when} is not a placeholder"),
        ("{} schreef:", "names no placeholder"),
        ("{0} schreef:", "{0} is not a placeholder"),
        ("{author schreef:", "not a valid template"),
    ],
)
def test_templates_may_only_name_the_placeholders(template: str, problem: str) -> None:
    table = {"attribution": {"nl": {"date_platform": template}}}
    with pytest.raises(ConfigError) as error:
        PlanSettings.from_toml(table)
    message = str(error.value)
    assert message.startswith("plan.attribution.nl.date_platform: ")
    assert problem in message
    assert "\n" not in message


def test_templates_given_in_code_are_checked_too() -> None:
    with pytest.raises(ConfigError, match=r"plan\.attribution\.nl\.plain: .*reaches into"):
        PlanSettings(attribution={"nl": {"plain": "{author.__init__.__globals__}"}})


def test_literal_braces_are_allowed() -> None:
    said = _say(CEPA, "nl", nl={"date_platform": "{{{author}}} op {platform}:"})
    assert said == "{CEPA} op Twitter:"


@pytest.mark.parametrize(
    ("iso", "lang", "expected"),
    [
        ("2021-09-09", "nl", "9 september 2021"),
        ("2022-03-12", "en", "March 12, 2022"),
        ("2022-03-12", "en-us", "March 12, 2022"),
        ("2022-03-12", "de", "12. März 2022"),
        ("2022-03-01", "fr", "1er mars 2022"),
        ("2016-05-28", "ja", "2016年5月28日"),
        ("2022-03-12", "es", "12 de marzo de 2022"),
        ("2021-09", "nl", "september 2021"),
        ("2021", "en", "2021"),
        ("2021-13-01", "en", "2021"),
        ("yesterday", "en", None),
    ],
)
def test_spoken_dates(iso: str, lang: str, expected: str | None) -> None:
    assert spoken_date(iso, lang) == expected


def test_names_and_platforms() -> None:
    assert clean_name("Dr. Mirela G. Tulbure 🛰 🌎 + 🐍 + 🌊") == "Dr. Mirela G. Tulbure"
    assert clean_name("🇺🇦 Olena") == "Olena"
    assert clean_name("🎉") is None
    assert split_handle("@StevenHorrell") == "Steven Horrell"
    assert platform(Post(url="https://twitter.com/a/status/1")) == "Twitter"
    assert platform(Post(url="https://x.com/a/status/1")) == "X"
    assert platform(Post(url="https://www.instagram.com/p/1")) == "Instagram"
    assert platform(Post(url="https://example.org/post")) is None
    assert platform(Post(), "see https://t.co/abc") == "Twitter"
