"""Speech clean-up: each step alone, then the whole list on real post text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from polycast.plan import speech, spoken
from polycast.plan.countries import country_name, region
from polycast.plan.speech import clean


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("See https://t.co/vTcIoMT55Q now", "See now"),
        ("photo pic.twitter.com/RbnefQzX0q", "photo"),
        ("at www.example.org/page?x=1 today", "at today"),
        ("at WWW.Example.org today", "at today"),  # no slash, and in capitals
        ("read example.com/path/to/it here", "read here"),
        ("bare t.co/abc link", "bare link"),
        ("embed //embed.wbur.org/player/x", "embed"),
        ("Booking.com meldt winst", "Booking.com meldt winst"),  # a name, not a link
    ],
)
def test_no_urls(text: str, expected: str) -> None:
    assert speech.tidy(speech.no_urls(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("thanks @StevenHorrell!", "thanks Steven Horrell!"),
        ("via @cepa", "via cepa"),
        ("cc @MirelaGTulbure", "cc Mirela G Tulbure"),
        ("mail me@example.com", "mail me@example.com"),
    ],
)
def test_handles_read_as_names(text: str, expected: str) -> None:
    assert speech.handles(text) == expected


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("#deeplearning rocks", "en", "deep learning rocks"),
        ("#earthobservation", "en", "earth observation"),
        ("#Run2Seminar", "en", "Run 2 Seminar"),
        ("#750GeV", "en", "750 GeV"),
        ("#eochat", "en", "eochat"),  # no clear split: the word without #
        ("#diphoton", "en", "diphoton"),
        ("#Zapad2021", "nl", "Zapad 2021"),
        ("#deeplearning", "nl", "deeplearning"),  # the English dictionary is for English
        ("#StandWithUkraine", "de", "Stand With Ukraine"),
        ("issue #12", "en", "issue #12"),  # not a hashtag: markup removal handles the #
    ],
)
def test_hashtags_as_words(text: str, lang: str, expected: str) -> None:
    assert speech.hashtags(text, lang) == expected


def test_entities_decoded_and_ampersand_said_by_language() -> None:
    assert clean("Maria &amp; Maksim", "en") == "Maria and Maksim"
    assert clean("Maria & Maksim", "nl") == "Maria en Maksim"
    assert clean("Maria & Maksim", "de") == "Maria und Maksim"
    assert clean("R&D", "en") == "R and D"


def test_flags_named_in_the_text_language_other_emoji_dropped() -> None:
    assert clean("🇷🇺 Zapad will serve", "en") == "Russia: Zapad will serve"
    assert clean("🇷🇺 Zapad zal dienen", "nl") == "Rusland: Zapad zal dienen"
    assert clean("Greetings from 🇳🇱 today 🎉🎉", "en") == "Greetings from Netherlands today"
    assert clean("Good 👍🏽 job 👨‍👩‍👧", "en") == "Good job"
    assert clean("🇷🇺 Zapad", "sv") == "Zapad"  # no Swedish name: dropped, not read in English


def test_country_names() -> None:
    assert region("🇷🇺") == "RU"
    assert region("ab") is None
    assert country_name("🇺🇸", "en") == "United States"
    assert country_name("🇺🇸", "de") == "Vereinigte Staaten"
    assert country_name("🇯🇵", "ja") == "日本"
    assert country_name("🇦🇶", "nl") is None  # not in the table


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("produce 30-34% of the supply", "en", "produce 30 to 34 percent of the supply"),
        ("produceren 30–34% van", "nl", "produceren 30 tot 34 procent van"),
        ("less than 2 ha", "en", "less than 2 hectares"),
        ("minder dan 2 ha", "nl", "minder dan 2 hectare"),
        ("up 10%", "en", "up 10 percent"),
        ("it costs €5", "en", "it costs 5 euros"),
        ("it costs €1", "en", "it costs 1 euro"),
        ("a $100 fee", "en", "a 100 dollars fee"),
        ("raised €1.5m", "en", "raised 1.5 million euros"),
        ("kost € 1,5 mln", "nl", "kost 1,5 miljoen euro"),
        ("kost 20 €", "nl", "kost 20 euro"),
        ("from 2015-2016", "en", "from 2015 to 2016"),
        ("won 2-1 yesterday", "en", "won 2-1 yesterday"),  # a score, not a range
        ("on 2021-09-09", "en", "on 2021-09-09"),  # a date, not a range
        ("call 020-1234567", "nl", "call 020-1234567"),
        ("de 1e keer en de 21ste", "nl", "de eerste keer en de eenentwintigste"),
        ("the 1st time", "en", "the 1st time"),  # voices read English ordinals well
        ("at 50 km/h", "en", "at 50 kilometres per hour"),
        ("20 °C", "nl", "20 graden Celsius"),
    ],
)
def test_numbers_and_symbols(text: str, lang: str, expected: str) -> None:
    assert clean(text, lang) == expected


def test_dutch_ordinals() -> None:
    assert [spoken.dutch_ordinal(n) for n in (1, 2, 3, 8, 12, 20, 22, 33, 99)] == [
        "eerste",
        "tweede",
        "derde",
        "achtste",
        "twaalfde",
        "twintigste",
        "tweeëntwintigste",
        "drieëndertigste",
        "negenennegentigste",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("“In addition,” she said", "In addition, she said"),
        ("‘Zapad 2021’ biedt", "Zapad 2021 biedt"),
        ("Europa’s laatste", "Europa's laatste"),
        ("zo’n uniestaat", "zo'n uniestaat"),
        (",,Maar niemand.'' zei hij", "Maar niemand. zei hij"),
        ("'s avonds laat", "'s avonds laat"),
        ("„Wir sind das Volk“", "Wir sind das Volk"),
        ("«Bonjour»", "Bonjour"),
        ('"plain"', "plain"),
    ],
)
def test_quote_marks_never_read(text: str, expected: str) -> None:
    assert clean(text, "nl") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("**bold** and _it_", "bold and it"),
        ("a | b | c", "a b c"),
        ("# Heading", "Heading"),
        ("> quoted line", "quoted line"),
        ("- item one\n- item two", "item one\nitem two"),
        ("wait -- what", "wait, what"),
        ("wait — what", "wait, what"),
        ("Mirela 🛰 🌎 + 🐍 + 🌊", "Mirela"),
        ("statistics / machine learning", "statistics, machine learning"),
        ("racist and/or sexist", "racist and or sexist"),
        ("see the site at /video now", "see the site at video now"),
        ("open 24/7", "open 24/7"),
        ("see [the paper]({filename}/paper.md)", "see the paper"),
        ("see [the paper]((http://x.org/a)", "see the paper"),
        ("a <b>bold</b> <!-- hidden --> move", "a bold move"),
        ("{% include x %}text {{ var }}", "text"),
        ("a note[^1] here", "a note here"),
    ],
)
def test_markup_never_read(text: str, expected: str) -> None:
    assert clean(text, "en") == expected


def test_byline_stripped_from_posts() -> None:
    text = "We demand release. pic.twitter.com/x — Sviatlana T (@Tsihanouskaya) 6 september 2021"
    assert speech.strip_byline(text) == "We demand release. pic.twitter.com/x"
    assert speech.strip_byline("No byline here.") == "No byline here."


def test_steps_are_pure_functions_of_text() -> None:
    steps = speech.steps("en")
    assert all(callable(step) for step in steps)
    text = "“#deeplearning” & 🇷🇺 https://t.co/x @JoeBiden 30-34%"
    once = clean(text, "en")
    assert once == "deep learning and Russia Joe Biden 30 to 34 percent"
    assert clean(once, "en") == once  # cleaning twice changes nothing


@given(st.text())
def test_clean_never_fails_and_leaves_no_markup(text: str) -> None:
    said = clean(text, "en")
    assert "://" not in said
    assert not set(said) & set("*_|#>`{}[]<“”„«»")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "[button link=”http://www.morebikes.co.uk/submit/” type=”big” newwindow=”yes”] "
            "Send us YOUR kit review[/button]",
            "Send us YOUR kit review",
        ),
        ('[caption id="a1" align="left"]A bike[/caption] It rode well.', "A bike It rode well."),
        ("He wrote [sic] and meant it.", "He wrote sic and meant it."),  # the author's bracket
    ],
)
def test_shortcodes_lose_their_tags_and_keep_their_words(text: str, expected: str) -> None:
    assert clean(text, "en") == expected
