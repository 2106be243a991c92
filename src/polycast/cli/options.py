"""Options shared by several commands, and how they are laid over the show config."""

from __future__ import annotations

from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from polycast.config import Config, load_config, read_settings
from polycast.encode.bitstream import BITRATES
from polycast.errors import UnknownVoice
from polycast.fetch import looks_like_url
from polycast.plan import Lexicon
from polycast.read import Format

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

Settings = TypeVar("Settings", bound="DataclassInstance")
"""Any of the frozen settings dataclasses."""


def _lexicon(words: Lexicon, path: Path | None) -> Lexicon:
    """Lay a ``--lexicon`` file over the config's ``[plan.lexicon]``; the file wins."""
    if path is None:
        return words
    text = read_settings(path, "lexicon")
    return words.merged(Lexicon.from_toml(text))


LexiconOption = Annotated[
    Path | None,
    typer.Option(
        help="A pronunciation lexicon file (TOML; see polycast.plan.lexicon), laid over the "
        "config's [plan.lexicon]."
    ),
]
FallbackLangOption = Annotated[
    str | None,
    typer.Option(
        "--fallback-lang",
        help="Read cues in a language no voice here speaks in this language's voice (en).",
    ),
]


def settings_from(
    config: Path | None,
    *,
    title: str | None = None,
    author: str | None = None,
    album: str | None = None,
    engine: str | None = None,
    voice: list[str] | None = None,
    workers: int | None = None,
    cache_dir: Path | None = None,
    no_cache: bool = False,
    bitrate: int | None = None,
    stereo: bool = False,
    rate: int | None = None,
    loudness: float | None = None,
    lexicon: Path | None = None,
    fallback_lang: str | None = None,
    input_format: Format | None = None,
) -> Config:
    """Load the show config and lay the command-line options over it."""
    loaded = load_config(config)
    words = _lexicon(loaded.plan.lexicon, lexicon) if lexicon else None
    for notice in (words or loaded.plan.lexicon).notices:
        typer.echo(f"polycast: {notice}", err=True)
    speak = _given(
        loaded.speak,
        fallback_lang=fallback_lang,
        engine=engine,
        workers=workers,
        cache=False if no_cache else cache_dir,
    )
    if voice:
        try:
            speak = speak.with_voices(_voices(voice))
        except UnknownVoice as e:  # a name the user typed: a usage error, exit 2
            raise typer.BadParameter(str(e), param_hint="'--voice'") from e
    return _given(
        loaded,
        format=input_format,
        plan=_given(loaded.plan, title=title or None, lexicon=words),
        speak=speak,
        mix=_given(loaded.mix, channels=2 if stereo else None, rate=rate, loudness=loudness),
        mp3=_given(loaded.mp3, bitrate=bitrate),
        author=author or None,
        show_name=album or None,
        read_from=(*loaded.read_from, lexicon) if lexicon else None,
    )


def _given(settings: Settings, **options: object) -> Settings:
    """Replace only the fields an option was given for: None means the option was left out."""
    given = {name: value for name, value in options.items() if value is not None}
    return replace(settings, **given) if given else settings


def _voices(pairs: list[str]) -> dict[str, str]:
    """Parse ``--voice LANG=VOICE`` options."""
    voices: dict[str, str] = {}
    for pair in pairs:
        lang, sep, name = pair.partition("=")
        if not sep or not lang.strip() or not name.strip():
            raise typer.BadParameter(f"{pair!r} is not LANG=VOICE (nl=nl, en=path/to/voice.onnx)")
        voices[lang.strip()] = name.strip()
    return voices


def article_source(value: str | None) -> str | None:
    """Refuse an address polycast will not fetch (``ftp://``, ``file://``) as a usage error."""
    scheme = looks_like_url(value) if value is not None else None
    if scheme is not None and scheme not in ("http", "https"):
        raise typer.BadParameter(
            f"{value}: only http and https addresses are fetched, not {scheme}"
        )
    return value


ARTICLE_HELP = (
    "The article: .txt, .md, .html (or .html.gz), a web page's http(s) address, or a rundown.toml."
)

ArticleArgument = Annotated[str, typer.Argument(help=ARTICLE_HELP, callback=article_source)]
"""An article, as a path or a web address (fetched by ``polycast.sources.take``)."""

InputFormatOption = Annotated[
    Format | None,
    typer.Option("--format", help="Read the article as text, markdown or html (default: guess)."),
]
ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", help="Show config (default: ./podcast.toml if it exists)."),
]
EngineOption = Annotated[
    str | None,
    typer.Option(
        help="Voice engine: auto (per language: an installed Piper voice, else edge or gTTS when "
        "it answers, else espeak), espeak, piper, gtts, or a plug-in."
    ),
]
VoiceOption = Annotated[
    list[str] | None,
    typer.Option(
        help="A voice for a language, LANG=VOICE; repeatable. A Piper voice's name or .onnx file, "
        "an espeak, edge or gTTS voice (nl=nl_BE-nathalie-medium, en=voices/joe.onnx, "
        "nl=nl-BE-DenaNeural, en=co.uk). The engine that has the voice speaks that language, "
        "whatever --engine says; a name no engine has is an error."
    ),
]
WorkersOption = Annotated[
    int | None, typer.Option(min=1, max=64, help="Syntheses at once (default: one per core).")
]
CacheDirOption = Annotated[
    Path | None,
    typer.Option(
        envvar="POLYCAST_CACHE", help="Speech cache folder (default: the user cache folder)."
    ),
]
NoCacheOption = Annotated[
    bool, typer.Option("--no-cache", help="Neither read nor write the cache.")
]


def _bitrate(value: int | None) -> int | None:
    if value is not None and value not in BITRATES:
        raise typer.BadParameter(f"{value} is not an MP3 bitrate; use one of {BITRATES}")
    return value


BitrateOption = Annotated[
    int | None,
    typer.Option(callback=_bitrate, help="MP3 bitrate in kb/s, constant (default 64)."),
]


class Rate(StrEnum):
    """Sample rates podcast apps expect."""

    R44100 = "44100"
    R48000 = "48000"
