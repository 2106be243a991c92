"""The build configuration: one ``podcast.toml`` with a table per stage.

    [show]   title, author, ... (the feed's; a build uses the title as album and for the intro,
             and the author as artist only when the article names none)
    [plan]   pauses, languages, attribution templates, lexicon
    [speak]  engine per run and per language, engine options, workers, cache
    [mix]    rate, channels, loudness, intro/outro, stings and bed
    [mp3]    bitrate, quality
    [output] format: "mp3" (default) or "opus"
    [opus]   bitrate
    [input]  max_article_mb: the largest article or page read (default 10);
             max_follow_mb: all the feeds one follow reads, together (default 200);
             fetch_timeout: seconds a web page may take to arrive (default 20)
    [batch]  cluster (a Dask scheduler's address), worker_cache, connect_timeout

Each stage validates its own table; this module only finds the file and hands each table over.
Command-line options override the file (the CLI applies them with ``dataclasses.replace``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from polycast.batch.settings import BatchSettings
from polycast.encode.formats import AudioFormat, parse_format
from polycast.encode.mp3 import Mp3Settings
from polycast.encode.opus import OpusSettings
from polycast.errors import ConfigError
from polycast.fetch import DEFAULT_FETCH_TIMEOUT
from polycast.inputs import MB, read_bounded
from polycast.mix import MixSettings
from polycast.plan import PlanSettings
from polycast.read import Format
from polycast.speak import SpeakSettings

CONFIG_NAME = "podcast.toml"
"""The file a build looks for in the current folder when no ``--config`` is given."""

_TABLES = {"show", "plan", "speak", "mix", "mp3", "output", "opus", "input", "batch"}

SETTINGS_CAP = 1_000_000
"""The largest config or lexicon file read: a long one is a few KB."""

MAX_ARTICLE_MB = 10.0
"""The default cap on an article's size: a long feature is under 1 MB, a saved page under 5."""

MAX_FOLLOW_MB = 200.0
"""The default cap on the feeds one ``follow`` reads together (an OPML file and every feed it
lists): all their items are held at once; a large full-text feed is a few MB."""

PLACEHOLDER_SHOW = "My Show"
"""The show title ``polycast init`` writes; a build neither says nor tags it until it is changed."""


@dataclass(frozen=True)
class Config:
    """Everything a build needs to know besides the article."""

    plan: PlanSettings = field(default_factory=PlanSettings)
    """How the article becomes cues."""
    speak: SpeakSettings = field(default_factory=SpeakSettings)
    """Which engines and voices speak."""
    mix: MixSettings = field(default_factory=MixSettings)
    """How the speech is joined and levelled."""
    mp3: Mp3Settings = field(default_factory=Mp3Settings)
    """How the episode is encoded."""
    format: Format | None = None
    """Input format; None to tell from the file's name and content."""
    author: str | None = None
    """The episode's artist (``--author``), over the article's own author; None to keep it."""
    show_author: str | None = None
    """The show's author (``[show] author``): the feed's, and the artist of an episode whose
    article names no author."""
    show_name: str | None = None
    """The show's name: the album tag, and the spoken intro when the mix enables it."""
    audio_format: AudioFormat = AudioFormat.MP3
    """The episode's audio format."""
    opus: OpusSettings = field(default_factory=OpusSettings)
    """How an Opus episode is encoded."""
    max_article_mb: float = MAX_ARTICLE_MB
    """The largest article, page or rundown read, in MB; a bigger one is refused unread."""
    max_follow_mb: float = MAX_FOLLOW_MB
    """The most MB of feeds one ``follow`` reads: an OPML file and every feed it lists, together."""
    fetch_timeout: float = DEFAULT_FETCH_TIMEOUT
    """Seconds a web page may take, from connecting to its last byte, redirects included."""
    batch: BatchSettings = field(default_factory=BatchSettings)
    """Where ``batch`` and ``follow`` run their builds: local processes or a Dask cluster."""
    read_from: tuple[Path, ...] = field(default=(), compare=False)
    """The files these settings were read from (the config, a ``--lexicon`` file): inputs that no
    output may replace. Not itself a setting: where a file lies changes nothing built from it."""

    @property
    def max_article_bytes(self) -> int:
        """``max_article_mb`` in bytes."""
        return int(self.max_article_mb * MB)

    @property
    def max_follow_bytes(self) -> int:
        """``max_follow_mb`` in bytes."""
        return int(self.max_follow_mb * MB)


def parse_config(text: str, base: Path | None = None) -> Config:
    """Read a ``podcast.toml`` text.

    Args:
        text: the TOML.
        base: folder that relative paths in it start from (the file's folder).

    Raises:
        ConfigError: invalid TOML, an unknown table, or a bad value (named by its stage).
    """
    import tomllib  # noqa: PLC0415 (only when a config file is read)

    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"not valid TOML: {e}") from e
    unknown = sorted(set(document) - _TABLES)
    if unknown:
        raise ConfigError(f"unknown table [{unknown[0]}] (known: {', '.join(sorted(_TABLES))})")
    show = _table(document, "show")
    return Config(
        plan=PlanSettings.from_toml(_table(document, "plan")),
        speak=SpeakSettings.from_toml(_table(document, "speak")),
        mix=MixSettings.from_toml(_table(document, "mix"), base=base),
        mp3=_mp3(_table(document, "mp3")),
        show_author=_optional_text(show, "author"),
        show_name=_optional_text(show, "title"),
        audio_format=_output_format(_table(document, "output")),
        opus=OpusSettings.from_toml(_table(document, "opus")),
        max_article_mb=_megabytes(_table(document, "input"), "max_article_mb", MAX_ARTICLE_MB),
        max_follow_mb=_megabytes(_table(document, "input"), "max_follow_mb", MAX_FOLLOW_MB),
        fetch_timeout=_fetch_timeout(_table(document, "input")),
        batch=BatchSettings.from_toml(_table(document, "batch"), base=base),
    )


def without_placeholder(config: Config) -> tuple[Config, tuple[str, ...]]:
    """Drop a show name that is still ``polycast init``'s placeholder, with a notice saying so.

    Every episode would otherwise open "You're listening to My Show." until someone noticed.
    """
    if (config.show_name or "").strip() != PLACEHOLDER_SHOW:
        return config, ()
    notice = (
        f'the show is still called "{PLACEHOLDER_SHOW}", as polycast init wrote it: no spoken '
        "intro or outro and no album tag until [show] title in podcast.toml names your show"
    )
    return replace(config, show_name=None), (notice,)


def load_config(path: Path | None = None) -> Config:
    """Load ``path``, or ``./podcast.toml`` if it exists, or the defaults.

    Raises:
        ConfigError: the named file is missing or unreadable, or its content is invalid.
    """
    if path is None:
        path = Path(CONFIG_NAME)
        if not path.is_file():
            return Config()
    text = read_settings(path, "config")
    try:
        loaded = parse_config(text, base=path.parent)
    except ConfigError as e:
        raise ConfigError(f"{path}: {e}") from e
    return replace(loaded, read_from=(path,))


def read_settings(path: Path, what: str) -> str:
    """Read a config or lexicon file: a regular file, at most ``SETTINGS_CAP`` bytes, UTF-8.

    Raises:
        ConfigError: it is missing, not a regular file, too large, or not UTF-8.
    """
    data = read_bounded(path, SETTINGS_CAP, what, ConfigError, None)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ConfigError(f"{path}: the {what} is not UTF-8 ({e.reason} at byte {e.start})") from e


def _table(document: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = document.get(name, {})
    if not isinstance(value, Mapping):
        raise ConfigError(f"[{name}] must be a table")
    return value


def _optional_text(table: Mapping[str, Any], key: str) -> str | None:
    value = table.get(key)
    if value is not None and not isinstance(value, str):
        raise ConfigError(f"show.{key} must be text")
    return value


def _output_format(table: Mapping[str, Any]) -> AudioFormat:
    unknown = sorted(set(table) - {"format"})
    if unknown:
        raise ConfigError(f"output.{unknown[0]}: unknown key (known: format)")
    return parse_format(table.get("format", AudioFormat.MP3.value))


_INPUT_KEYS = ("max_article_mb", "max_follow_mb", "fetch_timeout")


def _megabytes(table: Mapping[str, Any], key: str, default: float) -> float:
    unknown = sorted(set(table) - set(_INPUT_KEYS))
    if unknown:
        raise ConfigError(f"input.{unknown[0]}: unknown key (known: {', '.join(_INPUT_KEYS)})")
    value = table.get(key, default)
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if not number or not 0.001 <= value <= 10_000:
        raise ConfigError(f"input.{key} must be between 0.001 and 10000, not {value!r}")
    return float(value)


def _fetch_timeout(table: Mapping[str, Any]) -> float:
    value = table.get("fetch_timeout", DEFAULT_FETCH_TIMEOUT)
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if not number or not 0.01 <= value <= 600:
        raise ConfigError(
            f"input.fetch_timeout must be between 0.01 and 600 seconds, not {value!r}"
        )
    return float(value)


def _mp3(table: Mapping[str, Any]) -> Mp3Settings:
    unknown = sorted(set(table) - {"bitrate", "quality"})
    if unknown:
        raise ConfigError(f"mp3.{unknown[0]}: unknown key (known: bitrate, quality)")
    for key in table:
        if not isinstance(table[key], int) or isinstance(table[key], bool):
            raise ConfigError(f"mp3.{key} must be a whole number")
    return Mp3Settings(**table)
