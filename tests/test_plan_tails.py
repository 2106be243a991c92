"""The tails of posts: trailing mentions read as a credit, trailing hashtags dropped."""

from __future__ import annotations

import pytest

from polycast.models import Article, Kind, Post, Segment
from polycast.plan import PlanSettings, describe
from polycast.plan.tails import read_tail


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        # A trailing mention before a link: a credit of its own, the link left for the clean-up.
        (
            "Zapad will serve. @StevenHorrell https://t.co/vTcIoMT55Q",
            "en",
            "Zapad will serve. https://t.co/vTcIoMT55Q\nWith Steven Horrell.",
        ),
        ("Mooi werk. @AnneDeVries @jan_b", "nl", "Mooi werk.\nMet Anne De Vries en jan b."),
        ("Gut. @a @b @c", "de", "Gut.\nMit a, b und c."),
        ("Bien. @LeMonde", "fr", "Bien.\nAvec Le Monde."),
        # Trailing hashtags go, with emoji between them; the link stays.
        ("Nieuwe woningen! #wonen", "nl", "Nieuwe woningen!"),
        ("Open! 🚲 #Utrecht pic.twitter.com/Ab1", "nl", "Open! 🚲 pic.twitter.com/Ab1"),
        ("Led by Dr. Rufin\n\n#computervision #eochat", "en", "Led by Dr. Rufin"),
        # Inside a sentence, or ending one, a hashtag is a word: left to the clean-up.
        ("3 clear #750GeV #diphoton phases", "en", "3 clear #750GeV #diphoton phases"),
        ("Ik hou van #wonen.", "nl", "Ik hou van #wonen."),
        # The sentence runs on into the run: its last word is no tail.
        (
            "Great talk by @StevenHorrell https://t.co/x",
            "en",
            "Great talk by @StevenHorrell https://t.co/x",
        ),
        ("I love #Utrecht", "en", "I love #Utrecht"),
        ("Klaar\n@jan #wonen", "nl", "Klaar\nMet jan."),  # a line break sets it apart
        # Nothing before the run: it is all the post says.
        ("#wonen https://t.co/x", "nl", "#wonen https://t.co/x"),
        # Only links and symbols trail: the text is left exactly as it is.
        ("Done.\n\npic.twitter.com/x 🎉", "en", "Done.\n\npic.twitter.com/x 🎉"),
        # A language without credit words drops the mentions rather than borrow words.
        ("良い。 @taro", "ja", "良い。"),
    ],
)
def test_read_tail(text: str, lang: str, expected: str) -> None:
    assert read_tail(text, lang) == expected


def _speech(text: str, lang: str) -> str | None:
    post = Segment(Kind.POST, text, lang=lang, post=Post(author="Woonbond", handle="woonbond"))
    article = Article((Segment(Kind.PARAGRAPH, "Een korte inleiding over wonen.", lang="nl"), post))
    return describe(article, PlanSettings())[1].speech


def test_segments_show_the_tail_as_spoken() -> None:
    said = _speech("Er komen veel nieuwe woningen! #wonen https://t.co/AbC", "nl")
    assert said == "Woonbond schreef op Twitter: Er komen veel nieuwe woningen!"
    said = _speech("Er komen nieuwe woningen. @HuurdersVereniging", "nl")
    assert said == "Woonbond schreef: Er komen nieuwe woningen. Met Huurders Vereniging."


def test_doctests() -> None:
    import doctest

    from polycast.plan import tails

    result = doctest.testmod(tails)
    assert result.attempted > 0 and result.failed == 0
