"""What a show can tune about the mix: format, loudness, trimming, the show frame and its music.

Read from the ``[mix]`` table of a show's config::

    [mix]
    rate = 44100                 # 44100 or 48000 samples per second
    channels = 1                 # 1 (mono) or 2 (stereo: the mono mix on both channels)
    loudness = -19.0             # integrated LUFS; default -19 for mono, -16 for stereo
    true_peak = -1.0             # ceiling in dBTP
    trim_db = 45.0               # engine silence: quieter than this many dB below a clip's peak
    trim_keep_ms = 10            # silence kept before and after each trimmed clip
    intro = true                 # spoken intro chapter (needs a show name)
    outro = true                 # spoken outro chapter
    intro_text = "Welcome to {show}."   # instead of the built-in words ({show}, {title})
    outro_text = "That was {show}."
    sting = "audio/sting.flac"   # played before the intro and after the outro; false: none
    bed = "audio/bed.flac"       # a loop under the music bed's span; false: none
    bed_span = "frame"           # "frame": under the intro and outro only; "episode": throughout
    sting_level = -4.0           # LU relative to speech
    bed_level = -16.0            # LU relative to speech, while nobody speaks
    duck_db = 12.0               # how far the bed drops under speech
    max_music_mb = 100           # a sting or bed file larger than this is refused

Relative paths are taken from ``base`` (the folder of the config file).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from enum import Enum
from pathlib import Path
from typing import Any

from polycast.errors import ConfigError
from polycast.inputs import MB, check_size
from polycast.template import check_placeholders

RATES = (44100, 48000)
"""Output rates MP3 players handle everywhere."""


class BedSpan(Enum):
    """Where the music bed plays."""

    FRAME = "frame"
    """Under the spoken intro and outro (generated cues at the start and end) only."""
    EPISODE = "episode"
    """From the first sample to the last, ducked under every cue."""


@dataclass(frozen=True)
class MixSettings:
    """Everything the mix stage can be told; the defaults suit a spoken-word podcast."""

    rate: int = 44100
    """Output sample rate: 44100 or 48000."""
    channels: int = 1
    """1 (mono) or 2 (stereo, the same signal on both channels)."""
    loudness: float | None = None
    """Integrated loudness target in LUFS; ``None``: -19 for mono, -16 for stereo."""
    true_peak: float = -1.0
    """Highest true peak allowed, in dBTP."""
    trim_db: float = 45.0
    """Engine silence at a clip's ends is anything this many dB below the clip's peak."""
    trim_keep_ms: int = 10
    """Silence kept before and after the speech of each clip, so no onset is clipped."""
    intro: bool = True
    """Add a spoken intro chapter (``add_frame``; needs a show name)."""
    outro: bool = True
    """Add a spoken outro chapter."""
    intro_text: str | None = None
    """Intro words instead of the built-in ones; ``{show}`` and ``{title}`` are filled in."""
    outro_text: str | None = None
    """Outro words instead of the built-in ones."""
    sting: Path | None = None
    """Audio file (FLAC/WAV) played before the first cue and after the last; ``None``: none."""
    bed: Path | None = None
    """Audio file looped as a music bed; ``None``: none."""
    bed_span: BedSpan = BedSpan.FRAME
    """Where the bed plays."""
    sting_level: float = -4.0
    """Sting loudness relative to the speech, in LU."""
    bed_level: float = -16.0
    """Bed loudness relative to the speech while no cue plays, in LU."""
    duck_db: float = 12.0
    """How far the bed is lowered while a cue plays, in dB."""
    max_music_mb: float = 100.0
    """Largest sting or bed file read, in MB: a bigger one (or ``/dev/zero``) is refused."""

    def __post_init__(self) -> None:
        """Check every value, so a bad setting fails before any audio is made."""
        if self.rate not in RATES:
            raise ConfigError(f"mix.rate must be 44100 or 48000, not {self.rate!r}")
        if self.channels not in (1, 2):
            raise ConfigError(f"mix.channels must be 1 or 2, not {self.channels!r}")
        if self.loudness is not None:
            _check_range("loudness", self.loudness, -40.0, -5.0)
        _check_range("true_peak", self.true_peak, -12.0, 0.0)
        _check_range("trim_db", self.trim_db, 10.0, 90.0)
        _check_range("trim_keep_ms", self.trim_keep_ms, 0, 500)
        _check_range("sting_level", self.sting_level, -40.0, 10.0)
        _check_range("bed_level", self.bed_level, -60.0, 0.0)
        _check_range("duck_db", self.duck_db, 0.0, 60.0)
        _check_range("max_music_mb", self.max_music_mb, 0.001, 10_000.0)
        for name in ("intro_text", "outro_text"):
            _check_template(name, getattr(self, name))

    @property
    def target(self) -> float:
        """The integrated loudness to reach, in LUFS."""
        if self.loudness is not None:
            return self.loudness
        return -19.0 if self.channels == 1 else -16.0

    @classmethod
    def from_toml(cls, table: Mapping[str, Any], base: Path | None = None) -> MixSettings:
        """Build settings from a parsed ``[mix]`` table, checking every key and value.

        Args:
            table: the table as ``tomllib`` gives it.
            base: folder that relative ``sting`` and ``bed`` paths start from (default: cwd).

        Raises:
            ConfigError: an unknown key, or a value of the wrong type or range.
        """
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(table) - known)
        if unknown:
            raise ConfigError(
                f"unknown key mix.{unknown[0]}; known keys: {', '.join(sorted(known))}"
            )
        values: dict[str, Any] = {}
        for key, value in table.items():
            values[key] = _convert(key, value, base)
        return cls(**values)


_INTS = {"rate", "channels", "trim_keep_ms"}
_FLOATS = {"true_peak", "trim_db", "sting_level", "bed_level", "duck_db", "max_music_mb"}
_BOOLS = {"intro", "outro"}
_TEXTS = {"intro_text", "outro_text"}
_PATHS = {"sting", "bed"}


def _convert(key: str, value: Any, base: Path | None) -> Any:
    """Turn one TOML value into the field's type, or say what is wrong with it."""
    if key in _PATHS:
        return _path(key, value, base)
    if key == "bed_span" and isinstance(value, str):
        try:
            return BedSpan(value)
        except ValueError:
            spans = ", ".join(s.value for s in BedSpan)
            raise ConfigError(f"mix.bed_span must be one of {spans}, not {value!r}") from None
    if key in _FLOATS | {"loudness"} and _is_number(value):
        return float(value)
    plain = (
        (key in _INTS and isinstance(value, int) and not isinstance(value, bool))
        or (key in _BOOLS and isinstance(value, bool))
        or (key in _TEXTS and isinstance(value, str))
    )
    if plain:
        return value
    raise ConfigError(f"mix.{key} has the wrong type: {value!r} ({_expected(key)} expected)")


def _path(key: str, value: Any, base: Path | None) -> Path | None:
    """Turn a file setting into a path (relative to ``base``), or None for ``false``."""
    if value is False:
        return None
    if not isinstance(value, str) or not value:
        raise ConfigError(
            f"mix.{key} has the wrong type: {value!r} (a file path or false expected)"
        )
    path = Path(value).expanduser()
    return path if base is None or path.is_absolute() else base / path


def _expected(key: str) -> str:
    """Name the type a key wants, for error messages."""
    if key in _INTS:
        return "an integer"
    if key in _BOOLS:
        return "true or false"
    if key in _PATHS:
        return "a file path or false"
    if key in _TEXTS or key == "bed_span":
        return "a string"
    return "a number"


def _is_number(value: Any) -> bool:
    """Tell whether ``value`` is a finite int or float (never a boolean)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _check_range(name: str, value: float, low: float, high: float) -> None:
    """Raise ConfigError unless ``low <= value <= high``."""
    if not _is_number(value) or not low <= value <= high:
        raise ConfigError(f"mix.{name} must be between {low:g} and {high:g}, not {value!r}")


def _check_template(name: str, text: str | None) -> None:
    """Check that a frame template names only ``{show}`` and ``{title}``, by parsing it."""
    if text is not None:
        check_placeholders(text, ("show", "title"), f"mix.{name}")


def music_files(settings: MixSettings) -> dict[str, Path]:
    """Name the music files ``settings`` use, by their setting (``sting``, ``bed``)."""
    named = {"sting": settings.sting, "bed": settings.bed}
    return {what: path for what, path in named.items() if path is not None}


def check_music(settings: MixSettings) -> None:
    """Refuse, before any work, a sting or bed that is not a regular file or is too large.

    Raises:
        ConfigError: a file is missing, a directory, a FIFO or device, or over ``max_music_mb``.
    """
    for what, path in music_files(settings).items():
        try:
            check_size(path, music_cap(settings), what, ConfigError, "mix.max_music_mb")
        except ConfigError as e:
            raise unreadable_music(what, e) from e


def music_cap(settings: MixSettings) -> int:
    """Return the most bytes a sting or bed file may hold."""
    return int(settings.max_music_mb * MB)


def unreadable_music(what: str, e: ConfigError) -> ConfigError:
    """Say which setting names a music file that cannot be read."""
    return ConfigError(f"cannot read the {what}: {e}; check mix.{what}")
