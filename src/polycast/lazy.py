"""Names a package exports, imported from their modules only when first used.

``import polycast.speak`` or ``polycast.mix`` must not load numpy, onnxruntime or the filters:
``--help`` and a build that copies a kept episode need none of them. A package lists where each
of its names lives and hands ``exports`` its module name; the module-level ``__getattr__`` it
gets back imports a name's module on first use and keeps the name, so the next use is a plain
attribute read.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping


def exports(package: str, where: Mapping[str, str]) -> Callable[[str], object]:
    """Return a module ``__getattr__`` for ``package`` that imports each name from ``where``.

    >>> getattr_ = exports("polycast", {"dumps": "json"})
    >>> getattr_("dumps").__name__
    'dumps'
    """

    def __getattr__(name: str) -> object:  # noqa: N807 (the name Python looks up on a module)
        if name not in where:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(where[name]), name)
        setattr(sys.modules[package], name, value)
        return value

    return __getattr__
