"""Commands that show what polycast understood of an article: segments, plan, voices.

The reader, the planner and the pipeline are imported by the two commands that read an
article, not here: ``voices`` is in this module too, and needs none of them.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from polycast.cli.app import app
from polycast.cli.options import (
    ArticleArgument,
    ConfigOption,
    EngineOption,
    FallbackLangOption,
    InputFormatOption,
    LexiconOption,
    settings_from,
)
from polycast.cli.voice_commands import VoicesAction
from polycast.files import write_text_atomic
from polycast.models import Rundown

if TYPE_CHECKING:
    from polycast.sources import Source


@app.command()
def segments(
    article: ArticleArgument,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the stable JSON form instead of a table.")
    ] = False,
    lexicon: LexiconOption = None,
    fallback_lang: FallbackLangOption = None,
    input_format: InputFormatOption = None,
    config: ConfigOption = None,
) -> None:
    """Show what polycast understood: each segment's kind, language and what will be said.

    Given a rundown (by its content, whatever its name), show its cues instead.
    """
    from polycast import pipeline  # noqa: PLC0415 (see the module's docstring)
    from polycast.plan import segments_document  # noqa: PLC0415
    from polycast.plan.views import dumps as segments_dumps  # noqa: PLC0415
    from polycast.plan.views import rundown_document  # noqa: PLC0415
    from polycast.sources import source_notices, take  # noqa: PLC0415
    from polycast.speak.choose import fallback_readings  # noqa: PLC0415

    settings = settings_from(
        config, lexicon=lexicon, fallback_lang=fallback_lang, input_format=input_format
    )
    taken = take(article, settings)
    source = pipeline.load_source(taken, settings)
    read_as: dict[str, str] = {}
    notices = source_notices(taken)
    if isinstance(source, Rundown):
        document = rundown_document(source)
    else:
        document = segments_document(source, settings.plan)
        languages = [item["lang"] for item in document["segments"] if item["spoken"]]
        read_as, readings = fallback_readings(languages, settings.speak)
        notices = (*notices, *readings)
    for notice in notices:
        typer.echo(f"polycast: {notice}", err=True)
    if as_json:
        typer.echo(segments_dumps(document), nl=False)
        return
    typer.echo(f"{document['title']}  ({document['language']}, {document['date'] or 'no date'})")
    for item in document["segments"]:
        said = item["speech"] if item["spoken"] else item["text"]
        words = " ".join(said.split())
        words = words if len(words) <= 60 else words[:59] + "…"
        spoken = "yes" if item["spoken"] else "no"
        lang = item["lang"] + (f"→{read_as[item['lang']]}" if item["lang"] in read_as else "")
        typer.echo(f"{item['index']:>3}  {item['kind']:<9}  {lang:<5}  {spoken:<3}  {words}")


@app.command("plan")
def plan_command(
    article: ArticleArgument,
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
    """Write the editable rundown: every sentence, its language, voice and pause, by chapter.

    Given a rundown (by its content, whatever its name), write it back as polycast writes one:
    checked, with its header comment, keys in their order; nothing is planned again.
    """
    from polycast import pipeline, rundown  # noqa: PLC0415 (see the module's docstring)
    from polycast.plan import plan  # noqa: PLC0415
    from polycast.sources import source_notices, take  # noqa: PLC0415

    settings = settings_from(config, title=title, lexicon=lexicon, input_format=input_format)
    taken = take(article, settings)
    if output is not None:
        pipeline.check_paths(taken, [output], settings)
    source = pipeline.load_source(taken, settings)
    given = isinstance(source, Rundown)
    planned = source if isinstance(source, Rundown) else named(plan(source, settings.plan), taken)
    text = rundown.dumps(planned)
    for notice in source_notices(taken):
        typer.echo(f"polycast: {notice}", err=True)
    if output is None:
        typer.echo(text, nl=False)
        return
    write_text_atomic(output, text)
    cues = sum(len(chapter.cues) for chapter in planned.chapters)
    what = "the rundown, normalised" if given else "the rundown"
    typer.echo(f"wrote {output}: {what}, {len(planned.chapters)} chapters, {cues} cues")


def named(planned: Rundown, article: Source) -> Rundown:
    """Keep the article's name in its rundown, so a build of it is the article's episode again.

    A name no episode file could have (a hidden file's, a very long one) is left out: the
    rundown's build is then named after the rundown's file, as a hand-made one is.
    """
    from polycast import rundown  # noqa: PLC0415 (see the module's docstring)
    from polycast.sources import source_stem  # noqa: PLC0415

    name = source_stem(article)
    return replace(planned, name=name) if rundown.name_problem(name) is None else planned


@app.command()
def voices(
    action: Annotated[
        VoicesAction | None,
        typer.Argument(help="get: download and install a Piper voice; remove: delete one."),
    ] = None,
    name: Annotated[
        str | None, typer.Argument(help="The Piper voice to get or remove (nl_NL-mls-medium).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a list.")] = False,
    lang: Annotated[
        str | None,
        typer.Option(
            help="Only this language and its regional variants (nl, en); with get, its "
            "recommended Piper voice."
        ),
    ] = None,
    piper_voices: Annotated[
        Path | None,
        typer.Option(exists=True, help="A Piper voice (.onnx) or a folder of them to include."),
    ] = None,
    available: Annotated[
        bool,
        typer.Option(
            "--available",
            help="List the Piper voices the catalogue offers: language, quality, size.",
        ),
    ] = False,
    engine: EngineOption = None,
    config: ConfigOption = None,
) -> None:
    """List the engines and voices this machine has, per language; * marks the defaults.

    Then, per language, the engine a build would use now and auto's order (online engines are
    probed only when the engine is auto). `voices get nl_NL-mls-medium` or `voices get --lang
    nl` downloads a Piper voice from the catalogue ([speak] piper_voices_url, or
    $POLYCAST_PIPER_VOICES_URL) into the user's data folder ($POLYCAST_DATA), where --engine
    piper and auto find it; `voices remove NAME` deletes it. Only these download; a build never.
    """
    import json  # noqa: PLC0415 (only this command needs it)

    from polycast.cli import voice_commands  # noqa: PLC0415
    from polycast.speak.inventory import (  # noqa: PLC0415
        build_choices,
        format_choices,
        format_inventory,
        inventory,
    )

    voice_commands.check_options(action, available, name)
    settings = settings_from(config, engine=engine)
    if action is not None:
        voice_commands.run_action(action, name, lang, settings)
        return
    if available:
        voice_commands.list_available(lang, settings)
        return
    options = dict(settings.speak.options)
    if piper_voices:
        options["piper"] = {**options.get("piper", {}), "voices": piper_voices}
    speak = replace(settings.speak, options=options)
    found = inventory(options, lang=lang)
    choices = build_choices(voice_commands.shown_languages(lang, found, settings), speak)
    if as_json:
        document = {
            "engines": [e.to_dict() for e in found],
            "choices": {c.lang: c.to_dict() for c in choices},
        }
        typer.echo(json.dumps(document, indent=2))
    else:
        typer.echo(format_inventory(found) + "\n\n" + format_choices(choices, speak.engine))
