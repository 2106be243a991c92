import datetime as dt

import pytest

from polycast.read.dates import MONTHS, normalise_date, parse_date


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("9 september 2021", "2021-09-09"),
        ("6 sep. 2021", "2021-09-06"),
        ("12 mrt 2022", "2022-03-12"),
        ("March 12, 2022", "2022-03-12"),
        ("December 15, 2016", "2016-12-15"),
        ("Dec 15th, 2016", "2016-12-15"),
        ("12:03 PM - 15 Dec 2016", "2016-12-15"),
        ("2016年5月28日", "2016-05-28"),
        ("2016 年 5 月 28 日", "2016-05-28"),
        ("2016년 5월 28일", "2016-05-28"),
        ("12. März 2022", "2022-03-12"),
        ("1. Jänner 2020", "2020-01-01"),
        ("12 mars 2022", "2022-03-12"),
        ("1er août 2021", "2021-08-01"),
        ("12 de marzo de 2022", "2022-03-12"),
        ("12 marzo 2022", "2022-03-12"),
        ("12 de março de 2022", "2022-03-12"),
        ("September 2021", "2021-09"),
        ("2021-09-09T10:00:00+02:00", "2021-09-09"),
        ("2021-09", "2021-09"),
    ],
)
def test_dates_as_written_in_several_languages(text: str, iso: str) -> None:
    assert parse_date(text) == iso


@pytest.mark.parametrize(
    "text", ["03/04/2021", "31 februari 2021", "2021-13-01", "yesterday", "", "Smarch 3, 2020"]
)
def test_ambiguous_impossible_or_missing_dates_do_not_parse(text: str) -> None:
    assert parse_date(text) is None


def test_month_tables_agree_across_languages() -> None:
    seen: dict[str, int] = {}
    for table in MONTHS.values():
        for name, number in table.items():
            assert seen.setdefault(name, number) == number, name
            assert 1 <= number <= 12


def test_normalise_date_from_parsed_metadata() -> None:
    assert normalise_date(dt.datetime(2023, 5, 1, 9, 0, tzinfo=dt.UTC)) == "2023-05-01"
    assert normalise_date(2021) == "2021"
    assert normalise_date(None) is None
    assert normalise_date(["2021-01-01"]) is None


def test_long_input_is_cut_not_scanned() -> None:
    assert parse_date("x" * 1_000_000 + " 9 september 2021") is None
