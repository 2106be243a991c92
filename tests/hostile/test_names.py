"""Hostile names: a rundown's ``name`` becomes the episode's file name, so it is checked as one.

A name that would lead out of the output folder, hide the file, or land a companion on the
rundown itself is refused before any work, in one line that names the rundown and its line.
"""

from __future__ import annotations

from harness import Hostile

RUNDOWN = """\
title = "Een dag"
name = "{name}"
language = "nl"

[[chapter]]
title = "Begin"

[[chapter.cue]]
text = "Goedemorgen allemaal."
lang = "nl"
"""


def test_a_rundown_name_that_leads_out_of_the_folder_is_refused(hostile: Hostile) -> None:
    hostile.write("r.toml", RUNDOWN.format(name="../../uit"))
    line = hostile.fails("build", "r.toml", "--engine", "espeak", words=("r.toml line 2", "name"))
    assert "not a file name" in line
    assert not (hostile.root.parent / "uit.mp3").exists()


def test_a_hidden_rundown_name_is_refused(hostile: Hostile) -> None:
    hostile.write("r.toml", RUNDOWN.format(name=".feed.xml"))
    hostile.fails("build", "r.toml", "-o", "out", words=("name '.feed.xml'", "not a file name"))


def test_a_rundown_named_so_its_chapters_json_is_itself_is_refused(hostile: Hostile) -> None:
    # A rundown, told by its content; named after itself, its chapters JSON would be itself.
    hostile.write("dag.chapters.json", RUNDOWN.format(name="dag"))
    hostile.fails("build", "dag.chapters.json", "-o", ".", words=("dag.chapters.json", "input"))


def test_a_preview_of_nothing_speakable_without_lang_is_one_line(hostile: Hostile) -> None:
    hostile.fails("preview", "--text", "🎉 🎉", words=("nothing to say",))
