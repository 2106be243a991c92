"""Sentence splitting: one cue per sentence, never at abbreviations, initials or decimals."""

from __future__ import annotations

import pytest

from polycast.plan.sentences import split


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("Een. Twee! Drie? Vier", "nl", ["Een.", "Twee!", "Drie?", "Vier"]),
        (
            "Er waren o.a. soldaten. Ook d.w.z. schepen. Dhr. Jansen kwam.",
            "nl",
            ["Er waren o.a. soldaten.", "Ook d.w.z. schepen.", "Dhr. Jansen kwam."],
        ),
        (
            "Led by Dr. Rufin and Prof. Smith, e.g. This one. Then more.",
            "en",
            ["Led by Dr. Rufin and Prof. Smith, e.g. This one.", "Then more."],
        ),
        (
            "Dr. Mirela G. Tulbure wrote it. Fine.",
            "en",
            ["Dr. Mirela G. Tulbure wrote it.", "Fine."],
        ),
        ("It grew 2.5 times. Then 1,5 keer.", "en", ["It grew 2.5 times.", "Then 1,5 keer."]),
        ("Das ist z.B. gut. Nr. 5 auch.", "de", ["Das ist z.B. gut.", "Nr. 5 auch."]),
        ("He said no. Then he left.", "en", ["He said no.", "Then he left."]),
        ("Wait... what? Yes.", "en", ["Wait... what?", "Yes."]),
        ("“Go home.” She left.", "en", ["“Go home.”", "She left."]),
        ("It ended (finally.) Next.", "en", ["It ended (finally.)", "Next."]),
        ("Line one\nLine two. Two b", "en", ["Line one", "Line two.", "Two b"]),
        ("東京は晴れです。明日は雨！本当？", "ja", ["東京は晴れです。", "明日は雨！", "本当？"]),
        ("", "en", []),
        (" . , ", "en", []),
    ],
)
def test_split(text: str, lang: str, expected: list[str]) -> None:
    assert split(text, lang) == expected
