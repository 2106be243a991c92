import pytest

from polycast.errors import InputError
from polycast.read.meta import Meta, split_front_matter


def test_yaml_front_matter() -> None:
    text = (
        "---\ntitle: 'A: title'\ndate: 2024-09-24\n\n"
        "authors:\n- darcyboast\n- kim\nlang: en-GB\n---\n\nBody."
    )
    meta, body = split_front_matter(text)
    assert meta == Meta(
        title="A: title", date="2024-09-24", author="darcyboast, kim", language="en"
    )
    assert body.strip() == "Body."


def test_yaml_datetime_is_cut_to_a_date() -> None:
    meta, _ = split_front_matter("---\ndate: 2023-10-14 08:30:00\n---\nx")
    assert meta.date == "2023-10-14"


def test_toml_front_matter() -> None:
    text = (
        '+++\ntitle = "T"\ndate = 2023-05-01T09:00:00+02:00\n'
        'author = "R"\nlanguage = "nl"\n+++\nBody'
    )
    meta, body = split_front_matter(text)
    assert meta == Meta(title="T", date="2023-05-01", author="R", language="nl")
    assert body == "Body"


def test_pelican_headers() -> None:
    text = (
        "Title: Year in Review: 2016\ndate: 2016-12-30\n"
        "Authors: Kyle Cranmer\nTags: a, b\n\n### Progress"
    )
    meta, body = split_front_matter(text)
    assert meta == Meta(title="Year in Review: 2016", date="2016-12-30", author="Kyle Cranmer")
    assert body.strip() == "### Progress"


def test_key_value_lines_without_title_or_date_are_text() -> None:
    text = "Note: this is old\nStatus: kept\n\nBody"
    assert split_front_matter(text) == (Meta(), text)


def test_a_thematic_break_and_setext_heading_are_not_front_matter() -> None:
    text = "---\n*Emphasis* line\n---\n\nBody"
    assert split_front_matter(text) == (Meta(), text)


def test_an_unclosed_opening_fence_is_not_front_matter() -> None:
    text = "---\n\nBody only"
    assert split_front_matter(text) == (Meta(), text)


def test_broken_yaml_names_the_line() -> None:
    with pytest.raises(InputError, match="not valid YAML at line 3"):
        split_front_matter("---\ntitle: ok\ndate: [2021\n---\nBody")


def test_broken_toml_names_the_line_from_the_file_start() -> None:
    with pytest.raises(InputError, match=r"not valid TOML.*line 3"):
        split_front_matter('+++\ntitle = "ok"\ndate = \nx = 1\n+++\nBody')


def test_nested_or_odd_values_are_ignored_not_stringified() -> None:
    meta, _ = split_front_matter("---\ntitle: {a: 1}\ndate: soon\nauthor: [{name: Jo}, 3]\n---\nx")
    assert meta == Meta(title=None, date=None, author="Jo, 3")
