"""Cache keys: a hash of explicit, named fields, and of the code that made the entry.

A key is the SHA-256 of a canonical JSON text: dataclasses as objects of their fields by name
(``dataclasses.fields``), enums by value, paths as strings, mappings with sorted keys. Nothing
goes through ``repr()``, so a key never depends on how a type happens to print itself, and a new
field of a keyed type is in its key without anyone remembering to add it.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import fields, is_dataclass
from enum import Enum
from pathlib import Path, PurePath

from polycast import installed

FORMAT = 2
"""Bump when an entry's layout or a key's recipe changes: old entries are then never hit."""

_PACKAGES = ("lingua-language-detector", "lameenc", "espeakng-loader", "soxr", "pydub")
"""Libraries whose version shapes what polycast makes (language detection, encoding, speech,
and where a clip's speech is trimmed: a clip's conditioned length is kept by its name)."""


def canonical(value: object) -> object:
    """Return ``value`` as plain JSON data, named field by named field.

    >>> from polycast.models import Cue
    >>> canonical(Cue("Hallo", "nl"))["kind"]
    'paragraph'

    Raises:
        TypeError: a value of a type a key cannot name (a function, an array).
    """
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, Enum):
        return canonical(value.value)
    if isinstance(value, PurePath):
        return str(value)
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: canonical(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Mapping):
        return {str(k): canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [canonical(v) for v in value]
    raise TypeError(f"a cache key cannot name a {type(value).__name__}")


def key(kind: str, *parts: object) -> str:
    """Return the hex key of a ``kind`` of entry made from ``parts`` by this polycast.

    >>> key("plan", {"a": 1}) == key("plan", {"a": 1}) != key("plan", {"a": 2})
    True
    """
    recipe = [FORMAT, code_fingerprint(), kind, [canonical(part) for part in parts]]
    text = json.dumps(recipe, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@functools.cache
def code_fingerprint() -> str:
    """Return a hash of polycast's own source files: any change to the code changes it."""
    root = Path(__file__).parent.parent
    digest = hashlib.sha256()
    for path in sorted(_sources(root)):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    for version in installed.versions(_PACKAGES):
        digest.update(version.encode())
    return digest.hexdigest()


def _sources(root: Path) -> list[Path]:
    """List the ``.py`` files under ``root``, without looking into ``__pycache__`` folders.

    ``Path.rglob`` lists those too (a file for each module and Python version), which took
    longer than reading the sources themselves, on every command.
    """
    found = []
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = [name for name in subfolders if name != "__pycache__"]
        found += [Path(folder, name) for name in files if name.endswith(".py")]
    return found
