"""Speak stage: turn cues into audio clips through interchangeable voice engines.

``choose_engines`` picks an engine per language, ``speak`` yields one clip per cue in order
(cached, parallel). Importing this package loads neither onnxruntime nor gTTS: engines import
their libraries when first used.

Names are imported from their modules on first use, so reading ``SpeakSettings`` (every command
does) loads no engine.
"""

from typing import TYPE_CHECKING

from polycast.lazy import exports

if TYPE_CHECKING:
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

_WHERE = {
    "Concurrency": "polycast.speak.base",
    "Engine": "polycast.speak.base",
    "concurrency_of": "polycast.speak.base",
    "match_language": "polycast.speak.base",
    "ClipCache": "polycast.cache.speech",
    "cache_key": "polycast.cache.speech",
    "default_cache_dir": "polycast.cache.folder",
    "unusable": "polycast.cache.folder",
    "EngineChoice": "polycast.speak.choose",
    "SpeakPlan": "polycast.speak.choose",
    "SpeakSettings": "polycast.speak.choose",
    "choose_engines": "polycast.speak.choose",
    "prepare_voices": "polycast.speak.choose",
    "EspeakEngine": "polycast.speak.espeak",
    "PiperEngine": "polycast.speak.piper",
    "default_workers": "polycast.speak.pools",
    "create_engine": "polycast.speak.registry",
    "engine_names": "polycast.speak.registry",
    "register": "polycast.speak.registry",
    "speak": "polycast.speak.runner",
}
"""Which module defines each name, imported on first use (see ``__getattr__``)."""


__getattr__ = exports(__name__, _WHERE)


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
