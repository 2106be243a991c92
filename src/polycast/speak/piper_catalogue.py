"""The Piper voice catalogue: which voices can be downloaded, where from, and how to check them.

The catalogue is ``voices.json`` in the layout of the public Piper voices repository
(rhasspy/piper-voices): one key per voice, each with its language, quality and files; every file
is named by its path under the repository's base URL, with its size and MD5 digest::

    {"nl_NL-mls-medium": {"key": "nl_NL-mls-medium", "quality": "medium",
        "language": {"code": "nl_NL", "family": "nl", ...},
        "files": {"nl/nl_NL/mls/medium/nl_NL-mls-medium.onnx":
                      {"size_bytes": 76584246, "md5_digest": "f1d4b145..."}, ...}}, ...}

This module only reads the catalogue's bytes; ``piper_download`` fetches it and the voices.
"""

from __future__ import annotations

import json
import os
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from polycast import langcodes
from polycast.errors import ConfigError, DownloadError
from polycast.speak.piper import SETTINGS_CAP

DEFAULT_VOICES_URL = "https://huggingface.co/rhasspy/piper-voices/resolve/v1.0.0"
"""The public Piper voices repository, at the release whose catalogue these names come from."""
URL_VARIABLE = "POLYCAST_PIPER_VOICES_URL"
"""The environment variable that moves the base URL (a mirror, a test server); over the config."""
CATALOGUE = "voices.json"
"""The catalogue's name under the base URL."""
MAX_CATALOGUE_BYTES = 20_000_000
"""The largest catalogue read: the real one is about 0.5 MB."""
MAX_MODEL_BYTES = 1_000_000_000
"""The largest model a catalogue may state: Piper's largest (``high`` quality) are about 130 MB.
A voice is written to disk as it arrives, up to the size its catalogue states."""

RECOMMENDED: Mapping[str, str] = {
    "nl": "nl_NL-mls-medium",
    "en": "en_US-lessac-medium",
    "de": "de_DE-thorsten-medium",
    "fr": "fr_FR-siwis-medium",
    "es": "es_ES-davefx-medium",
}
"""The voice ``voices get --lang`` installs, where one was listened to and chosen; for other
languages (or a catalogue without it) the best quality the catalogue offers is taken."""
_QUALITY = {"x_low": 0, "low": 1, "medium": 2, "high": 3}


@dataclass(frozen=True)
class VoiceFile:
    """One file of a voice in the catalogue."""

    path: str
    """Its path under the base URL (``nl/nl_NL/mls/medium/nl_NL-mls-medium.onnx``)."""
    size: int
    """Its size in bytes."""
    md5: str
    """Its MD5 digest, hex."""

    @property
    def name(self) -> str:
        """The file's own name, as it is installed."""
        return self.path.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class CatalogueVoice:
    """One voice the catalogue offers."""

    name: str
    """Its key (``nl_NL-mls-medium``): the name ``voices get`` takes."""
    language: str
    """Its language code as the catalogue writes it (``nl_NL``)."""
    quality: str
    """``x_low``, ``low``, ``medium`` or ``high``."""
    model: VoiceFile
    """The ``.onnx`` model."""
    config: VoiceFile
    """The ``.onnx.json`` settings beside it."""

    @property
    def size(self) -> int:
        """Bytes a download of the voice takes."""
        return self.model.size + self.config.size


@dataclass(frozen=True)
class Catalogue:
    """Every voice of one catalogue, and the base URL its files are under."""

    base_url: str
    """The URL the files' paths are relative to."""
    voices: Mapping[str, CatalogueVoice]
    """The voices by name, sorted."""

    def url(self, file: VoiceFile) -> str:
        """Return where a file is downloaded from."""
        return f"{self.base_url.rstrip('/')}/{quote(file.path)}"

    def voice(self, name: str) -> CatalogueVoice:
        """Return the voice called ``name``.

        Raises:
            ConfigError: the catalogue has no such voice (the message names near ones).
        """
        if name in self.voices:
            return self.voices[name]
        prefix = name.split("-", 1)[0]
        near = [v for v in self.voices if v.split("-", 1)[0] == prefix][:6]
        hint = f"; voices of {prefix}: {', '.join(near)}" if near else ""
        raise ConfigError(
            f"no Piper voice named '{name}' in the catalogue at {self.base_url}{hint} "
            "(polycast voices --available lists them)"
        )

    def recommended(self, lang: str) -> CatalogueVoice:
        """Return the voice to install for ``lang``: the chosen one, else the best quality.

        A regional code (``nl-BE``) prefers that region's voices; ``nl`` takes any Dutch one.

        Raises:
            ConfigError: the catalogue has no voice for the language.
        """
        code = langcodes.normalize(lang)
        chosen = RECOMMENDED.get(code, "")
        if chosen in self.voices:
            return self.voices[chosen]
        same = [v for v in self.voices.values() if langcodes.normalize(v.language) == code]
        family = [v for v in self.voices.values() if langcodes.primary(v.language) == code]
        candidates = same or family
        if not candidates:
            raise ConfigError(
                f"the Piper catalogue at {self.base_url} has no voice for language '{lang}'"
            )
        return max(candidates, key=lambda v: (_QUALITY.get(v.quality, -1), v.name == chosen))


def base_url(configured: str | None = None) -> str:
    """Return the catalogue's base URL: the environment's, else the config's, else the public."""
    return os.environ.get(URL_VARIABLE) or configured or DEFAULT_VOICES_URL


def parse_catalogue(data: bytes, base: str) -> Catalogue:
    """Read a ``voices.json``.

    Raises:
        DownloadError: it is not JSON, or not in the Piper voices layout.
    """
    try:
        document = json.loads(data)
        if not isinstance(document, dict):
            raise TypeError("not an object of voices")
        voices = {name: _voice(name, entry) for name, entry in sorted(document.items())}
    except (ValueError, TypeError, KeyError, RecursionError) as e:  # deep nesting: recursion
        raise DownloadError(
            f"the Piper catalogue at {base}/{CATALOGUE} is not in the Piper voices layout: {e}"
        ) from e
    return Catalogue(base_url=base, voices=voices)


def _voice(name: str, entry: Any) -> CatalogueVoice:
    """Read one voice's entry; its model and settings are the files ending .onnx and .onnx.json.

    The name becomes a folder under the voices' folder, so one that could leave it (``..``) or
    hide in it (a leading dot) is refused.
    """
    if not name or name.startswith(".") or "/" in name or "\\" in name:
        raise ValueError(f"voice name {name!r} is not a plain folder name")
    files = entry["files"]
    if not isinstance(files, Mapping):
        raise TypeError(f"voice {name}'s files are not an object of paths")
    model = [p for p in files if p.rsplit("/", 1)[-1] == f"{name}.onnx"]
    config = [p for p in files if p.rsplit("/", 1)[-1] == f"{name}.onnx.json"]
    if not model or not config:
        raise KeyError(f"voice {name} lacks {name}.onnx or {name}.onnx.json")
    return CatalogueVoice(
        name=name,
        language=str(entry["language"]["code"]),
        quality=str(entry.get("quality", "")),
        model=_file(model[0], files[model[0]], MAX_MODEL_BYTES),
        config=_file(config[0], files[config[0]], SETTINGS_CAP),
    )


def _file(path: str, info: Any, cap: int) -> VoiceFile:
    """Read one file's entry; its size must be a whole number of bytes from 0 to ``cap``.

    The size bounds the download: a voice's bytes are written to disk as they arrive, until
    there are as many as the catalogue states.
    """
    size = info["size_bytes"]
    if not isinstance(size, int) or isinstance(size, bool):
        raise TypeError(f"{path}: size_bytes {size!r} is not a whole number")
    if not 0 <= size <= cap:
        raise ValueError(f"{path}: size_bytes {size} is not between 0 and {cap} (the limit)")
    return VoiceFile(path, size, str(info["md5_digest"]))


def format_catalogue(
    catalogue: Catalogue, lang: str | None = None, installed: Collection[str] = ()
) -> str:
    """List the voices, one a line: name, language, quality, download size, whether installed.

    >>> f = VoiceFile("en/x.onnx", 63_000_000, "0")
    >>> print(format_catalogue(Catalogue("u", {"x": CatalogueVoice("x", "en_US", "low", f, f)})))
    x  en_US  low      126 MB
    """
    shown = [
        voice
        for voice in catalogue.voices.values()
        if lang is None or langcodes.primary(voice.language) == langcodes.primary(lang)
    ]
    if not shown:
        return f"no voices{f' for {lang}' if lang else ''} in the catalogue at {catalogue.base_url}"
    width = max(len(v.name) for v in shown)
    return "\n".join(
        f"{v.name:<{width}}  {v.language:<5}  {v.quality:<6}  {v.size / 1_000_000:4.0f} MB"
        + ("  installed" if v.name in installed else "")
        for v in shown
    )
