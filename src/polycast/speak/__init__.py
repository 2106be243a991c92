"""Speak stage: turn cues into audio clips through interchangeable voice engines.

``choose_engines`` picks an engine per language, ``speak`` yields one clip per cue in order
(cached, parallel). Importing this package loads neither onnxruntime nor gTTS: engines import
their libraries when first used.
"""

from polycast.cache import ClipCache, cache_key, default_cache_dir, unusable
from polycast.speak.base import Concurrency, Engine, concurrency_of, match_language
from polycast.speak.choose import (
    EngineChoice,
    SpeakPlan,
    SpeakSettings,
    choose_engines,
    prepare_voices,
)
from polycast.speak.espeak import EspeakEngine
from polycast.speak.piper import PiperEngine
from polycast.speak.pools import default_workers
from polycast.speak.registry import create_engine, engine_names, register
from polycast.speak.runner import speak

__all__ = [
    "ClipCache",
    "Concurrency",
    "Engine",
    "EngineChoice",
    "EspeakEngine",
    "PiperEngine",
    "SpeakPlan",
    "SpeakSettings",
    "cache_key",
    "choose_engines",
    "concurrency_of",
    "create_engine",
    "default_cache_dir",
    "default_workers",
    "engine_names",
    "match_language",
    "prepare_voices",
    "register",
    "speak",
    "unusable",
]
