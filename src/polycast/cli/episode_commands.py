"""Commands that make audio: build and preview."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer

from polycast import pipeline
from polycast.cli import playback
from polycast.cli.app import app
from polycast.cli.options import (
    ARTICLE_HELP,
    ArticleArgument,
    BitrateOption,
    CacheDirOption,
    ConfigOption,
    EngineOption,
    FallbackLangOption,
    InputFormatOption,
    NoCacheOption,
    Rate,
    VoiceOption,
    WorkersOption,
    article_source,
    settings_from,
)
from polycast.cli.summary import summary_json, summary_text
from polycast.encode.formats import AudioFormat
from polycast.preview import choose_part, speak_part, text_language
from polycast.sources import source_notices, take


@app.command()
def build(
    article: ArticleArgument,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Output folder, or an .mp3/.opus path (default: output/)."
        ),
    ] = None,
    title: Annotated[
        str | None, typer.Option(help="Episode title, when the article has none.")
    ] = None,
    author: Annotated[
        str | None,
        typer.Option(help="Artist tag (default: the article's author, else [show] author)."),
    ] = None,
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
    settings = settings_from(
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
        str | None,
        typer.Argument(help=ARTICLE_HELP, callback=article_source),
    ] = None,
    segment: Annotated[
        int | None, typer.Argument(min=0, help="Segment index, as 'polycast segments' lists it.")
    ] = None,
    chapter: Annotated[str | None, typer.Option(help="Speak this chapter instead.")] = None,
    text: Annotated[str | None, typer.Option(help="Speak this line instead of an article.")] = None,
    lang: Annotated[
        str | None,
        typer.Option(help="Language of --text (nl, en, ...); default: detected, as the plan does."),
    ] = None,
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
    settings = settings_from(
        config, engine=engine, voice=voice, cache_dir=cache_dir, fallback_lang=fallback_lang
    )
    source = take(article, settings) if article is not None else None
    pipeline.check_paths(source, [output], settings)
    told = source_notices(source) if source is not None else ()
    if text is not None and lang is None:
        lang, notice = text_language(text, settings.plan)
        told = (*told, notice)
    chosen = choose_part(source, settings, segment, chapter, text, lang)
    timeline, notices = speak_part(chosen, settings, output)
    for notice in (*told, *notices):  # after the work: a failure stays one line
        typer.echo(f"polycast: {notice}", err=True)
    typer.echo(f"wrote {output} ({timeline.seconds:.1f} s)")
    if play:
        typer.echo(playback.play(output))
