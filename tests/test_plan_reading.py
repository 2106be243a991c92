"""Golden sentences per language: text as articles write it -> the cues a voice is given.

Each ``tests/data/sentences/<lang>.toml`` holds ``[[case]]`` tables of ``text`` and the ``cues``
that clean-up (numbers read in context) and sentence splitting make of it. A new case is one
more table in a file; a new language is one more file.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from polycast.plan import sentences, speech

DATA = Path(__file__).parent / "data" / "sentences"


def _cases() -> list[pytest.ParameterSet]:
    cases = []
    for path in sorted(DATA.glob("*.toml")):
        with path.open("rb") as file:
            for number, case in enumerate(tomllib.load(file)["case"], 1):
                cases.append(
                    pytest.param(path.stem, case["text"], case["cues"], id=f"{path.stem}-{number}")
                )
    return cases


@pytest.mark.parametrize(("lang", "text", "cues"), _cases())
def test_sentence_is_spoken_as_its_cues(lang: str, text: str, cues: list[str]) -> None:
    assert sentences.split(speech.clean(text, lang), lang) == cues


@pytest.mark.parametrize("lang", ["nl", "en", "de", "fr"])
def test_every_language_has_twenty_cases(lang: str) -> None:
    with (DATA / f"{lang}.toml").open("rb") as file:
        assert len(tomllib.load(file)["case"]) >= 20
