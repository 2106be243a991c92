"""The command line: parse options, call the library, print. Nothing else lives here."""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Iterator
from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from polycast import __version__, pipeline, playback, rundown
from polycast.config import Config, load_config
from polycast.errors import ConfigError, PolycastError
from polycast.files import write_text_atomic
from polycast.formats import AudioFormat
from polycast.models import Article
from polycast.mp3frame import BITRATES
from polycast.plan import Lexicon, plan, segments_document
from polycast.plan.describe import dumps as segments_dumps
from polycast.publish import make_server, publish_episode, read_show, write_template
from polycast.publish.show import DEFAULT_PUBLISH_DIR
from polycast.read import Format
from polycast.speak import SpeakSettings, prepare_voices
from polycast.summary import summary_json, summary_text


class _InJobOrder(typer.core.TyperGroup):
    """List commands in the order of the job (build first), not in the order of the code."""

    ORDER = ("build", "preview", "segments", "plan", "voices", "init", "publish", "serve")

    def list_commands(self, ctx: Any) -> list[str]:
        """Return the command names, the job's own first."""
        names: list[str] = super().list_commands(ctx)
        rank = {name: i for i, name in enumerate(self.ORDER)}
        return sorted(names, key=lambda name: (rank.get(name, len(rank)), name))


app = typer.Typer(
    cls=_InJobOrder,
    help="Turn an article into a podcast episode: every quoted voice in its own language.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"polycast {__version__}")
        raise typer.Exit


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log what happens.")] = False,
) -> None:
    """Turn an article into a podcast episode: every quoted voice in its own language."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(message)s"
    )


@contextlib.contextmanager
def handled() -> Iterator[None]:
    """Turn expected failures into one line on stderr and exit 1; Ctrl-C into exit 130.

    Every command body runs inside this, so a user never sees a traceback for a known failure.
    """
    try:
        yield
    except PolycastError as e:
        typer.echo(f"polycast: error: {e}", err=True)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        typer.echo("polycast: interrupted; nothing was written", err=True)
        raise typer.Exit(130) from None
    except BrokenPipeError:
        sys.stderr.close()
        raise typer.Exit(1) from None


# Commands are registered below, one function each; each runs its body `with handled():`.


@app.command()
def init(
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite an existing podcast.toml.")
    ] = False,
) -> None:
    """Write a commented podcast.toml here: the show your podcast feed describes."""
    with handled():
        path = Path("podcast.toml")
        write_template(path, force=force)
        typer.echo(f"wrote {path}; edit it, then: polycast publish output/EPISODE.mp3")


@app.command()
def publish(
    episode: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            help="The episode MP3 a build wrote; its .chapters.json, .vtt and .srt go along.",
        ),
    ],
    feed: Annotated[
        Path | None,
        typer.Option(
            help="The feed file to create or update.", show_default="publish_dir/feed.xml"
        ),
    ] = None,
    config: Annotated[
        Path, typer.Option(help="The show config (polycast init writes one).")
    ] = Path("podcast.toml"),
) -> None:
    """Add EPISODE to the podcast feed, or update it, and copy its files to the publish folder."""
    with handled():
        report = publish_episode(episode, read_show(config), feed)
        action = "updated" if report.updated else "added"
        count = f"{report.items} episode{'' if report.items == 1 else 's'}"
        typer.echo(f"{action} {report.title!r} in {report.feed} ({count}): {report.url}")


@app.command()
def serve(
    folder: Annotated[
        Path | None,
        typer.Argument(
            help="The folder to serve.",
            show_default="publish_dir from --config, else output/public",
        ),
    ] = None,
    port: Annotated[
        int, typer.Option(min=0, max=65535, help="Port to listen on (0: any free one).")
    ] = 8000,
    host: Annotated[
        str, typer.Option(help="Address to listen on; 0.0.0.0 lets other devices in.")
    ] = "127.0.0.1",
    config: Annotated[
        Path, typer.Option(help="The show config whose publish_dir is served.")
    ] = Path("podcast.toml"),
) -> None:
    """Serve the published folder over HTTP, to try the feed in a podcast app. Ctrl-C stops."""
    with handled():
        if folder is None:
            folder = read_show(config).publish_dir if config.exists() else DEFAULT_PUBLISH_DIR
        server = make_server(folder, host, port)
        typer.echo(f"serving {folder} at {server.url}  (feed: {server.url}feed.xml)")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            typer.echo("stopped")
        finally:
            server.server_close()


def _lexicon(words: Lexicon, path: Path | None) -> Lexicon:
    """Lay a ``--lexicon`` file over the config's ``[plan.lexicon]``; the file wins."""
    if path is None:
        return words
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"cannot read lexicon {path}: {e}") from e
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


def _read_as(article: Article, settings: Config) -> dict[str, str]:
    """Say which languages a fallback voice reads (none without a fallback), with a notice."""
    if settings.speak.fallback_lang is None:
        return {}
    planned = plan(article, settings.plan)
    voices = prepare_voices(planned, replace(settings.speak, cache=False))
    for notice in voices.notices:
        typer.echo(f"polycast: {notice}", err=True)
    return dict(voices.substitutes)


@app.command()
def segments(
    article: Annotated[Path, typer.Argument(help="The article: .txt, .md or .html.")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the stable JSON form instead of a table.")
    ] = False,
    lexicon: LexiconOption = None,
    fallback_lang: FallbackLangOption = None,
    input_format: InputFormatOption = None,
    config: ConfigOption = None,
) -> None:
    """Show what polycast understood: each segment's kind, language and what will be said."""
    with handled():
        settings = _config(
            config, lexicon=lexicon, fallback_lang=fallback_lang, input_format=input_format
        )
        source = pipeline.load_article(article, settings)
        document = segments_document(source, settings.plan)
        read_as = _read_as(source, settings)
        if as_json:
            typer.echo(segments_dumps(document), nl=False)
            return
        typer.echo(
            f"{document['title']}  ({document['language']}, {document['date'] or 'no date'})"
        )
        for item in document["segments"]:
            said = item["speech"] if item["spoken"] else item["text"]
            words = " ".join(said.split())
            words = words if len(words) <= 60 else words[:59] + "…"
            spoken = "yes" if item["spoken"] else "no"
            lang = item["lang"] + (f"→{read_as[item['lang']]}" if item["lang"] in read_as else "")
            typer.echo(f"{item['index']:>3}  {item['kind']:<9}  {lang:<5}  {spoken:<3}  {words}")


@app.command("plan")
def plan_command(
    article: Annotated[Path, typer.Argument(help="The article: .txt, .md or .html.")],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Where to write the rundown (default: stdout)."),
    ] = None,
    lexicon: LexiconOption = None,
    title: Annotated[
        str | None, typer.Option(help="Episode title, when the article has none.")
    ] = None,
    input_format: InputFormatOption = None,
    config: ConfigOption = None,
) -> None:
    """Write the editable rundown: every sentence, its language, voice and pause, by chapter."""
    with handled():
        settings = _config(config, title=title, lexicon=lexicon, input_format=input_format)
        planned = plan(pipeline.load_article(article, settings), settings.plan)
        text = rundown.dumps(planned)
        if output is None:
            typer.echo(text, nl=False)
            return
        write_text_atomic(output, text)
        cues = sum(len(chapter.cues) for chapter in planned.chapters)
        typer.echo(f"wrote {output}: {len(planned.chapters)} chapters, {cues} cues")


@app.command()
def voices(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a list.")] = False,
    lang: Annotated[
        str | None, typer.Option(help="Only this language and its regional variants (nl, en).")
    ] = None,
    piper_voices: Annotated[
        Path | None,
        typer.Option(exists=True, help="A Piper voice (.onnx) or a folder of them to include."),
    ] = None,
) -> None:
    """List the engines and voices this machine has, per language; * marks the defaults."""
    import json  # noqa: PLC0415 (only this command needs it)

    from polycast.speak.inventory import format_inventory, inventory  # noqa: PLC0415

    with handled():
        options = {"piper": {"voices": piper_voices}} if piper_voices else None
        found = inventory(options, lang=lang)
        if as_json:
            typer.echo(json.dumps({"engines": [e.to_dict() for e in found]}, indent=2))
        else:
            typer.echo(format_inventory(found))


def _config(
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
    plan_settings = replace(
        loaded.plan,
        title=title or loaded.plan.title,
        lexicon=_lexicon(loaded.plan.lexicon, lexicon),
    )
    speak = loaded.speak
    if fallback_lang is not None:
        speak = replace(speak, fallback_lang=fallback_lang)
    if engine is not None:
        speak = replace(speak, engine=engine)
    if voice:
        speak = _with_voices(speak, _voices(voice))
    if workers is not None:
        speak = replace(speak, workers=workers)
    if no_cache or cache_dir is not None:
        speak = replace(speak, cache=False if no_cache else cache_dir or True)
    mix = loaded.mix
    if stereo or rate is not None or loudness is not None:
        mix = replace(
            mix,
            channels=2 if stereo else mix.channels,
            rate=rate or mix.rate,
            loudness=loudness if loudness is not None else mix.loudness,
        )
    mp3 = loaded.mp3 if bitrate is None else replace(loaded.mp3, bitrate=bitrate)
    return replace(
        loaded,
        format=input_format or loaded.format,
        plan=plan_settings,
        speak=speak,
        mix=mix,
        mp3=mp3,
        author=author or loaded.author,
        show_name=album or loaded.show_name,
    )


def _with_voices(speak: SpeakSettings, voices: dict[str, str]) -> SpeakSettings:
    """Lay ``--voice`` choices over the speak settings.

    A voice that is a Piper model (``.onnx`` or a folder) makes Piper speak that language; any
    other voice name goes to the run's engine (espeak when the run says ``auto``).
    """
    options = {name: dict(values) for name, values in speak.options.items()}
    languages = dict(speak.languages)
    for lang, name in voices.items():
        if name.endswith(".onnx") or Path(name).is_dir():
            piper = options.setdefault("piper", {})
            piper["voices"] = {**dict(piper.get("voices") or {}), lang: name}
            languages[lang] = "piper"
        else:
            engine = languages.get(lang, speak.engine)
            engine = "espeak" if engine == "auto" else engine
            chosen = options.setdefault(engine, {})
            chosen["voices"] = {**dict(chosen.get("voices") or {}), lang: name}
            languages.setdefault(lang, engine)
    return replace(speak, options=options, languages=languages)


def _voices(pairs: list[str]) -> dict[str, str]:
    """Parse ``--voice LANG=VOICE`` options."""
    voices: dict[str, str] = {}
    for pair in pairs:
        lang, sep, name = pair.partition("=")
        if not sep or not lang.strip() or not name.strip():
            raise typer.BadParameter(f"{pair!r} is not LANG=VOICE (nl=nl, en=path/to/voice.onnx)")
        voices[lang.strip()] = name.strip()
    return voices


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
        help="Voice engine: auto (gTTS if its endpoint answers), gtts, espeak, piper, or a plug-in."
    ),
]
VoiceOption = Annotated[
    list[str] | None,
    typer.Option(help="A voice for a language, LANG=VOICE; repeatable (en=voices/joe.onnx)."),
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


@app.command()
def build(
    article: Annotated[
        Path, typer.Argument(help="The article (.txt, .md, .html) or a rundown.toml.")
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Output folder, or an .mp3/.opus path (default: output/)."
        ),
    ] = None,
    title: Annotated[
        str | None, typer.Option(help="Episode title, when the article has none.")
    ] = None,
    author: Annotated[str | None, typer.Option(help="Artist tag (default: the article's).")] = None,
    album: Annotated[str | None, typer.Option(help="Album tag: the show's name.")] = None,
    bitrate: BitrateOption = None,
    stereo: Annotated[
        bool, typer.Option("--stereo", help="Encode two channels (default mono).")
    ] = False,
    rate: Annotated[Rate | None, typer.Option(help="Sample rate (default 44100).")] = None,
    loudness: Annotated[
        float | None, typer.Option(help="Loudness target in LUFS (default -19 mono, -16 stereo).")
    ] = None,
    engine: EngineOption = None,
    voice: VoiceOption = None,
    workers: WorkersOption = None,
    cache_dir: CacheDirOption = None,
    no_cache: NoCacheOption = False,
    config: ConfigOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    fallback_lang: FallbackLangOption = None,
    input_format: InputFormatOption = None,
    audio_format: Annotated[
        AudioFormat | None,
        typer.Option(
            "--audio-format",
            help="mp3 (default) or opus (Ogg Opus at 48 kHz; bitrate from the [opus] table).",
        ),
    ] = None,
) -> None:
    """Build the episode: MP3 with chapters, chapters JSON and transcripts, in output/."""
    with handled():
        settings = _config(
            config,
            title=title,
            author=author,
            album=album,
            engine=engine,
            voice=voice,
            workers=workers,
            cache_dir=cache_dir,
            no_cache=no_cache,
            bitrate=bitrate,
            stereo=stereo,
            rate=int(rate.value) if rate else None,
            loudness=loudness,
            input_format=input_format,
            fallback_lang=fallback_lang,
        )
        if audio_format is not None:
            settings = replace(settings, audio_format=audio_format)
        with _ProgressBar(quiet=as_json) as bar:
            result = pipeline.build(article, settings, output, bar.advance, bar.start)
        for notice in result.notices:
            typer.echo(f"polycast: {notice}", err=True)
        typer.echo(summary_json(result) if as_json else summary_text(result))


class _ProgressBar:
    """A progress bar on stderr while speech is made; silent when ``quiet``."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.bar: Any = None

    def __enter__(self) -> _ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)

    def start(self, total: int) -> None:
        """Open the bar for ``total`` sentences."""
        if not self.quiet:
            self.bar = typer.progressbar(length=total, label="speaking", file=sys.stderr)
            self.bar.__enter__()

    def advance(self, count: int) -> None:
        """Move the bar on by ``count`` sentences."""
        if self.bar is not None:
            self.bar.update(count)


@app.command()
def preview(
    article: Annotated[
        Path | None, typer.Argument(help="The article (or rundown.toml) to take a segment from.")
    ] = None,
    segment: Annotated[
        int | None, typer.Argument(min=0, help="Segment index, as 'polycast segments' lists it.")
    ] = None,
    chapter: Annotated[str | None, typer.Option(help="Speak this chapter instead.")] = None,
    text: Annotated[str | None, typer.Option(help="Speak this line instead of an article.")] = None,
    lang: Annotated[str | None, typer.Option(help="Language of --text (nl, en, ...).")] = None,
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Where to write the preview.")
    ] = Path("output/preview.mp3"),
    play: Annotated[
        bool, typer.Option("--play", help="Play it with a player on this machine.")
    ] = False,
    engine: EngineOption = None,
    voice: VoiceOption = None,
    cache_dir: CacheDirOption = None,
    config: ConfigOption = None,
    fallback_lang: FallbackLangOption = None,
) -> None:
    """Speak one segment, one chapter or one line, quickly (from cache when it can)."""
    choices = sum(x is not None for x in (segment, chapter, text))
    if choices != 1 or (text is None and article is None):
        raise typer.BadParameter("give ARTICLE with a segment number or --chapter, or --text")
    if text is not None and lang is None:
        raise typer.BadParameter("--text needs --lang (nl, en, ...)")
    with handled():
        settings = _config(
            config, engine=engine, voice=voice, cache_dir=cache_dir, fallback_lang=fallback_lang
        )
        chosen = pipeline.preview_rundown(article, settings, segment, chapter, text, lang)
        timeline, notices = pipeline.preview(chosen, settings, output)
        for notice in notices:
            typer.echo(f"polycast: {notice}", err=True)
        typer.echo(f"wrote {output} ({timeline.seconds:.1f} s)")
        if play:
            typer.echo(playback.play(output))
