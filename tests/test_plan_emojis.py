"""Emoji removal: the same result as the emoji library, with work that grows with the text."""

from __future__ import annotations

import emoji
import pytest
from hypothesis import given
from hypothesis import strategies as st

from polycast.plan import emojis
from polycast.plan.emojis import replace_emoji
from polycast.plan.speech import clean

SAMPLES = [*list(emoji.EMOJI_DATA)[::40], "1️⃣", "#️⃣", "👨‍👩‍👧", "🇷🇺", "©", "é", "中文", "12", "#x"]


@given(st.lists(st.sampled_from([*SAMPLES, " ", "a", "Zapad", "\u200d", "\ufe0f"]), max_size=30))
def test_the_result_is_the_libraries(parts: list[str]) -> None:
    text = "".join(parts)
    assert replace_emoji(text) == emoji.replace_emoji(text, replace=" ")


LIBRARY = emoji.replace_emoji


class Counting:
    """Counts the characters handed to the emoji library: the slow, per-character part."""

    def __init__(self) -> None:
        self.chars = 0

    def __call__(self, text: str, replace: str = "") -> str:
        self.chars += len(text)
        return LIBRARY(text, replace=replace)


@pytest.mark.parametrize("unit", ["abcdefgh ", "1234567", "mooi 😀 weer, 🇷🇺 en 中文. "])
def test_the_library_sees_only_non_ascii_runs(unit: str, monkeypatch: pytest.MonkeyPatch) -> None:
    seen = []
    for repeat in (1000, 2000):
        counting = Counting()
        monkeypatch.setattr(emoji, "replace_emoji", counting)  # imported when first needed
        replace_emoji(unit * repeat)
        seen.append(counting.chars)
    assert seen[1] == 2 * seen[0]  # linear: twice the text, twice the work
    assert seen[0] <= sum(not c.isascii() for c in unit) * 1000


@pytest.mark.parametrize(
    "unit",
    [
        *("abcdefgh", "😀", "ab😀", "🇷🇺 ", "a-a.", "x://", "  — ", "www.a", "#1111"),
        *("[a ", "{{ ", '[b x="'),  # unclosed links, templates and shortcodes: each was quadratic
    ],
)
def test_a_long_single_line_is_cleaned(unit: str) -> None:
    """Each of these took minutes (quadratic regular expressions) before; now well under a second.

    A quarter of a megabyte is enough to tell: a single 250 KB word took 132 s when the clean-up
    was quadratic, and 2 MB (the article size limit's scale) adds only time to a linear pass.
    """
    text = unit * (256_000 // len(unit.encode()))
    spoken = clean(text, "nl")
    assert replace_emoji(spoken) == spoken


def test_every_emoji_holds_a_character_that_calls_the_library() -> None:
    """Text without any of ``_EMOJI_CHARACTER`` skips the library: it must hold no emoji."""
    missed = [e for e in emoji.EMOJI_DATA if not emojis._EMOJI_CHARACTER.search(e)]
    assert missed == []


def test_accents_quotes_and_dashes_do_not_call_the_library(monkeypatch: pytest.MonkeyPatch) -> None:
    counting = Counting()
    monkeypatch.setattr(emoji, "replace_emoji", counting)
    text = "Café “Loekasjenko” — ‘zei’ hij… € 5 → ½ ñ 中文 Ελλάδα"
    assert replace_emoji(text) == text
    assert counting.chars == 0
    assert replace_emoji(f"{text} 😀") == f"{text}  "
    assert counting.chars > 0
