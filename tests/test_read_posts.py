import pytest

from polycast.models import Post
from polycast.read.posts import normalise_lang, split_attribution, status_url


def test_the_examples_first_post() -> None:
    text = (
        "🇷🇺 “In addition to exercising the combined defense of Belarus, Zapad will also serve as"
        " Russia’s primary strategic exercise.” @StevenHorrell https://t.co/vTcIoMT55Q"
        " — CEPA (@cepa)"
        " 9 september 2021"
    )
    found = split_attribution(text)
    assert found is not None
    assert found.text.endswith("@StevenHorrell https://t.co/vTcIoMT55Q")
    assert found.post == Post(
        author="CEPA", handle="cepa", date_text="9 september 2021", date="2021-09-09"
    )


@pytest.mark.parametrize("dash", ["—", "–", "--", "&mdash;"])
def test_dashes_people_use(dash: str) -> None:
    found = split_attribution(f"Hello world {dash} Jo Smith (@jo_s) March 12, 2022")
    assert found is not None
    assert (found.text, found.post.author, found.post.handle) == ("Hello world", "Jo Smith", "jo_s")


def test_an_earlier_dash_stays_in_the_text() -> None:
    found = split_attribution("One — two — Name (@n) 1 mei 2020")
    assert found is not None
    assert (found.text, found.post.author, found.post.date) == ("One — two", "Name", "2020-05-01")


def test_no_date_and_unparsed_dates() -> None:
    found = split_attribution("Text — Name (@n)")
    assert found is not None and found.post.date_text is None
    odd = split_attribution("Text — Name (@n) 13/13/2020")
    assert odd is not None and (odd.post.date_text, odd.post.date) == ("13/13/2020", None)


def test_a_mastodon_handle() -> None:
    found = split_attribution("Toot text — Ann (@ann@mastodon.social) 3 Jan 2023")
    assert found is not None and found.post.handle == "ann@mastodon.social"


@pytest.mark.parametrize(
    "text",
    [
        "A sentence with (@handle) in the middle and more words after it.",
        "A dash — and a handle (@x) then words",
        "No attribution at all.",
    ],
)
def test_not_attributions(text: str) -> None:
    assert split_attribution(text) is None


def test_status_urls_lose_tracking() -> None:
    assert (
        status_url("https://mobile.twitter.com/a/status/1?s=20#x")
        == "https://twitter.com/a/status/1"
    )
    assert status_url("http://x.com/b/statuses/22") == "https://x.com/b/statuses/22"
    assert status_url("https://twitter.com/hashtag/x?src=hash") is None


@pytest.mark.parametrize(
    ("code", "lang"),
    [
        ("en", "en"),
        ("EN-us", "en"),
        ("pt_BR", "pt"),
        ("zxx", None),
        ("qme", None),
        ("", None),
        (None, None),
        ("iw", "he"),
        ("123", None),
    ],
)
def test_language_hints(code: str | None, lang: str | None) -> None:
    assert normalise_lang(code) == lang
