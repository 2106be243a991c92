"""Engines by name: the built-in ones, and any a third party adds through an entry point.

A package adds an engine by declaring, in its own pyproject.toml::

    [project.entry-points."polycast.engines"]
    myvoice = "mypackage.tts:MyEngine"

where ``MyEngine(**options)`` returns an object fulfilling ``polycast.speak.base.Engine``.
Built-in engines are named by import path and imported only when created, so listing engines
never imports onnxruntime or gTTS, and the registry works even while an engine module is absent.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from typing import Any

from polycast import installed
from polycast.errors import ConfigError, EngineError
from polycast.speak.base import Engine

ENTRY_POINT_GROUP = "polycast.engines"
"""The entry-point group third-party engines register under."""

BUILTIN: dict[str, str] = {
    "espeak": "polycast.speak.espeak:EspeakEngine",
    "gtts": "polycast.speak.gtts:GttsEngine",
    "piper": "polycast.speak.piper:PiperEngine",
    "edge": "polycast.speak.edge:EdgeEngine",
}
"""Built-in engines by name, as ``module:attribute`` import paths."""

EngineFactory = Callable[..., Engine]
_registered: dict[str, EngineFactory | str] = {}


def register(name: str, factory: EngineFactory | str) -> None:
    """Add an engine for this process: a factory taking options, or a ``module:attr`` path.

    Registered names take precedence over entry points and built-ins of the same name.
    """
    _registered[name] = factory


def unregister(name: str) -> None:
    """Remove an engine added with ``register`` (no error if there is none)."""
    _registered.pop(name, None)


def _entry_points() -> dict[str, str]:
    return installed.entry_points(ENTRY_POINT_GROUP)


def _sources() -> dict[str, EngineFactory | str]:
    """Every known engine, later sources overriding earlier: built-in, entry point, registered."""
    return {**BUILTIN, **_entry_points(), **_registered}


def engine_names() -> list[str]:
    """Return the names of every engine this process can create, built-in ones first."""
    return list(_sources())


def _resolve(name: str, target: str) -> EngineFactory:
    """Import a ``module:attribute`` path.

    Raises:
        EngineError: the module is missing or broken, or has no such attribute.
    """
    module_name, _, attribute = target.partition(":")
    try:
        factory: Any = importlib.import_module(module_name)
        for part in attribute.split(".") if attribute else []:
            factory = getattr(factory, part)
    except (ImportError, AttributeError) as e:
        raise EngineError(f"engine '{name}' cannot be loaded from {target}: {e}") from e
    if not callable(factory):
        raise EngineError(f"engine '{name}' at {target} is not a class or function")
    return factory  # type: ignore[no-any-return]


def engine_factory(name: str) -> EngineFactory:
    """Return the class or function that makes engine ``name``.

    Raises:
        ConfigError: no engine has that name.
        EngineError: the engine's module cannot be imported.
    """
    sources = _sources()
    if name not in sources:
        raise ConfigError(f"unknown engine '{name}'; known engines: {', '.join(sources)}")
    source = sources[name]
    return _resolve(name, source) if isinstance(source, str) else source


def create_engine(name: str, **options: Any) -> Engine:
    """Make engine ``name`` with its options (``create_engine("espeak", rate=160)``).

    Raises:
        ConfigError: no engine has that name, or it does not take these options.
        EngineError: the engine cannot be loaded or started.
    """
    factory = engine_factory(name)
    try:
        inspect.signature(factory).bind(**options)
    except TypeError as e:
        raise ConfigError(f"engine '{name}' does not take options {sorted(options)}: {e}") from e
    except ValueError:
        pass  # no signature to check (a C extension); the call itself will say
    engine = factory(**options)
    if not isinstance(engine, Engine):
        raise EngineError(f"engine '{name}' made a {type(engine).__name__}, not an Engine")
    return engine
