"""Hostile bounds: rundowns and configs that ask for the absurd fail at once, in one line.

A hand-edited rundown or a show's config is checked when it is loaded: a pause of 10^12 ms, a
language that is not one, a template that reaches into Python's internals never gets as far as
speaking, and the message names the file, the cue or the field.
"""

from __future__ import annotations

import pytest
from harness import Hostile

RUNDOWN = """\
title = "Grenzen"
language = "nl"

[[chapter]]
title = "Enige"

[[chapter.cue]]
text = "Hallo allemaal."
lang = "nl"
pause_ms = 250
"""


def _rundown(hostile: Hostile, old: str, new: str) -> None:
    assert old in RUNDOWN
    hostile.write("r.toml", RUNDOWN.replace(old, new))


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        ("pause_ms = 250", "pause_ms = 1000000000000", ("pause_ms", "0 to 60000")),
        ("pause_ms = 250", "pause_ms = 60001", ("pause_ms", "not 60001")),
        ("pause_ms = 250", "pause_ms = -1", ("pause_ms", "0 to 60000")),
        ("pause_ms = 250", 'pause_ms = "lang"', ("pause_ms", "whole number")),
        ("pause_ms = 250", "pause_ms = 2.5", ("pause_ms", "whole number")),
        ('lang = "nl"', 'lang = "Nederlands!"', ("lang", "not a language code")),
        ('"Hallo allemaal."', '"   "', ("text is empty",)),
        ('"Hallo allemaal."', "42", ("text",)),
        ("pause_ms = 250", "pause_ms = 250\npauze_ms = 9", ("unknown key", "pauze_ms")),
    ],
)
def test_bad_cue_names_the_file_cue_and_field(
    hostile: Hostile, old: str, new: str, words: tuple[str, ...]
) -> None:
    _rundown(hostile, old, new)
    hostile.fails("build", "r.toml", "-o", "out", words=("r.toml", "chapter 1, cue 1", *words))


def test_rundown_in_a_language_no_voice_speaks(hostile: Hostile) -> None:
    _rundown(hostile, 'lang = "nl"', 'lang = "xx"')
    hostile.fails("build", "r.toml", "-o", "out", words=("'xx'", "no voice"))


def test_rundown_that_is_not_toml(hostile: Hostile) -> None:
    hostile.write("r.toml", "title = \n[[chapter\n")
    hostile.fails("build", "r.toml", "-o", "out", words=("r.toml", "not valid TOML"))


def test_rundown_that_is_binary(hostile: Hostile) -> None:
    hostile.write("r.toml", bytes(range(256)))
    hostile.fails("build", "r.toml", "-o", "out", words=("r.toml",))


def test_rundown_language_that_is_a_path(hostile: Hostile) -> None:
    _rundown(hostile, 'language = "nl"', 'language = "../../etc"')
    hostile.fails("build", "r.toml", "-o", "out", words=("r.toml", "line 2", "language"))


def test_preview_checks_the_rundown_too(hostile: Hostile) -> None:
    _rundown(hostile, "pause_ms = 250", "pause_ms = 1000000000000")
    hostile.fails("preview", "r.toml", "--chapter", "Enige", words=("r.toml", "pause_ms"))


@pytest.mark.parametrize(
    ("template", "words"),
    [
        ("{author.__class__.__mro__} {author.__init__.__globals__}", ("reaches into a value",)),
        ("{author.__class__.__mro__}", ("reaches into a value",)),
        ("{author[0]} schreef:", ("reaches into a value",)),
        ("{date:>999999999} {author}", ("format spec",)),
        ("{author!r} schreef:", ("conversion",)),
        ("{when} schreef {author}:", ("{when}", "not a placeholder")),
        ("{0} schreef:", ("not a placeholder",)),
        ("{author schreef:", ("not a valid template",)),
    ],
)
def test_attribution_template_beyond_its_placeholders(
    hostile: Hostile, template: str, words: tuple[str, ...]
) -> None:
    hostile.short()
    escaped = template.replace("\\", "\\\\").replace('"', '\\"')
    hostile.write("podcast.toml", f'[plan.attribution.nl]\ndate_platform = "{escaped}"\n')
    hostile.fails(
        "build",
        "short-nl.txt",
        "-o",
        "out",
        words=("podcast.toml", "plan.attribution.nl.date_platform", *words),
    )


def test_intro_template_beyond_its_placeholders(hostile: Hostile) -> None:
    hostile.short()
    hostile.write("podcast.toml", '[mix]\nintro = true\nintro_text = "{show.__class__}"\n')
    hostile.fails("build", "short-nl.txt", "-o", "out", words=("mix.intro_text", "reaches"))


@pytest.mark.parametrize("ms", ["1000000000000", "-1", "60001", '"long"'])
def test_config_pause_out_of_bounds(hostile: Hostile, ms: str) -> None:
    hostile.short()
    hostile.write("podcast.toml", f"[plan.pauses]\nparagraph = {ms}\n")
    hostile.fails(
        "build", "short-nl.txt", "-o", "out", words=("podcast.toml", "plan.pauses.paragraph")
    )


def test_article_in_a_script_no_voice_speaks(hostile: Hostile) -> None:
    # Khmer script is Khmer, whatever detection's candidates are; espeak-ng has no Khmer voice.
    hostile.write("km.txt", "ភ្នំពេញគឺជារាជធានីនៃប្រទេសកម្ពុជា ទីក្រុងនេះមានប្រវត្តិយូរលង់\n")
    hostile.fails("build", "km.txt", "-o", "out", "--engine", "espeak", words=("'km'",))
