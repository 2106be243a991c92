"""Hostile inputs: an output that is the input, files that are not files, files too large to read.

Every refusal comes before any work: exit 1, one line that says why, the input intact, nothing
written. And a rundown is told by its content, whatever it is called.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
import pytest
import soundfile
from harness import Hostile

from polycast import rundown

RUNDOWN = """\
title = "Een dag"
language = "nl"

[[chapter]]
title = "Begin"

# a comment a person left: the article reader would have read it aloud

[[chapter.cue]]
text = "Goedemorgen allemaal."
lang = "nl"
"""


def _wav(seconds: float = 0.5, rate: int = 8000) -> bytes:
    """A short mono 16-bit WAV of a quiet tone, made here so the case needs no fixture."""
    t = np.arange(int(seconds * rate)) / rate
    buffer = io.BytesIO()
    soundfile.write(buffer, 0.1 * np.sin(2 * np.pi * 440 * t), rate, format="WAV")
    return buffer.getvalue()


# An output that is the input


def test_build_refuses_an_episode_named_as_the_article(hostile: Hostile) -> None:
    hostile.short("same.mp3")
    line = hostile.fails("build", "same.mp3", "--format", "text", "-o", "same.mp3")
    assert "is the input same.mp3" in line


def test_build_refuses_a_companion_named_as_the_article(hostile: Hostile) -> None:
    hostile.short("clob/notes.vtt")
    hostile.fails(
        "build", "clob/notes.vtt", "--format", "text", "-o", "clob", words=("notes.vtt", "input")
    )


def test_preview_refuses_to_write_over_its_article(hostile: Hostile) -> None:
    hostile.short("small.txt")
    hostile.fails("preview", "small.txt", "0", "-o", "small.txt", words=("is the input",))


def test_plan_refuses_to_write_over_its_article(hostile: Hostile) -> None:
    hostile.short("a.txt")
    hostile.fails("plan", "a.txt", "-o", "a.txt", words=("is the input",))


def test_plan_refuses_a_symlink_to_the_article(hostile: Hostile) -> None:
    hostile.short("a.txt")
    (hostile.root / "link.toml").symlink_to("a.txt")
    hostile.fails("plan", "a.txt", "-o", "link.toml", words=("leads to the input a.txt",))


def test_build_refuses_a_hard_link_to_the_article(hostile: Hostile) -> None:
    article = hostile.short("a.txt")
    os.link(article, hostile.root / "a.mp3")
    hostile.fails("build", "a.txt", "-o", "a.mp3", words=("leads to the input a.txt",))


def test_build_refuses_an_episode_over_its_bed(hostile: Hostile) -> None:
    hostile.short("a.txt")
    hostile.write("bed.mp3", _wav())
    hostile.write("podcast.toml", '[mix]\nbed = "bed.mp3"\n')
    hostile.fails("build", "a.txt", "-o", "bed.mp3", words=("the input", "bed.mp3"))


LEXICON = '[plan.lexicon.nl]\nNAVO = "Navo"\n'


def test_plan_refuses_to_write_over_its_lexicon(hostile: Hostile) -> None:
    hostile.short("a.txt")
    hostile.write("words.toml", LEXICON)
    hostile.fails(
        "plan", "a.txt", "--lexicon", "words.toml", "-o", "words.toml", words=("is the input",)
    )


def test_build_refuses_a_companion_over_the_config_that_holds_its_lexicon(
    hostile: Hostile,
) -> None:
    """The config is read as the article is: ``show.vtt`` would become the episode's transcript."""
    hostile.short("a.txt")
    hostile.write("show.vtt", LEXICON)
    hostile.fails(
        "build", "a.txt", "--config", "show.vtt", "-o", "show.mp3", words=("is the input show.vtt",)
    )


# Inputs that are not files


def test_build_refuses_dev_zero(hostile: Hostile) -> None:
    hostile.fails("build", "/dev/zero", words=("/dev/zero", "character device"), timeout=60)


def test_a_symlink_to_dev_zero_is_refused_too(hostile: Hostile) -> None:
    (hostile.root / "article.txt").symlink_to("/dev/zero")
    hostile.fails("segments", "article.txt", words=("character device",), timeout=60)


@pytest.mark.parametrize("command", ["build", "segments", "plan"])
def test_a_fifo_is_refused_without_waiting_for_a_writer(hostile: Hostile, command: str) -> None:
    os.mkfifo(hostile.root / "fifo.txt")
    hostile.fails(command, "fifo.txt", words=("fifo.txt", "FIFO"), timeout=60)


def test_preview_refuses_a_directory(hostile: Hostile) -> None:
    (hostile.root / "folder.txt").mkdir()
    hostile.fails("preview", "folder.txt", "0", words=("folder.txt", "directory"))


# Inputs too large to read


def test_an_article_over_10_mb_is_refused_unread(hostile: Hostile) -> None:
    hostile.write("big.txt", b"a" * (10_000_000 + 1))
    line = hostile.fails("segments", "big.txt", words=("10000001 bytes", "10 MB limit"))
    assert "input.max_article_mb" in line


def test_the_article_limit_is_set_in_podcast_toml(hostile: Hostile) -> None:
    hostile.write("a.txt", "Een zin over het weer.\n\n" * 100)
    hostile.write("podcast.toml", "[input]\nmax_article_mb = 0.001\n")
    hostile.fails("plan", "a.txt", "-o", "a.toml", words=("over the 0.001 MB limit",))


def test_a_bed_of_dev_zero_is_refused(hostile: Hostile) -> None:
    hostile.short("a.txt")
    hostile.write("podcast.toml", '[mix]\nbed = "/dev/zero"\n')
    hostile.fails("build", "a.txt", words=("/dev/zero", "bed", "character device"), timeout=60)


def test_a_bed_that_is_a_fifo_is_refused(hostile: Hostile) -> None:
    hostile.short("a.txt")
    os.mkfifo(hostile.root / "bed.wav")
    hostile.write("podcast.toml", '[mix]\nbed = "bed.wav"\n')
    hostile.fails("build", "a.txt", words=("bed.wav", "FIFO"), timeout=60)


def test_a_sting_over_the_music_limit_is_refused_with_its_size(hostile: Hostile) -> None:
    hostile.short("a.txt")
    sting = hostile.write("sting.wav", _wav(seconds=1.0))
    hostile.write("podcast.toml", '[mix]\nsting = "sting.wav"\nmax_music_mb = 0.001\n')
    size = sting.stat().st_size
    hostile.fails("build", "a.txt", words=(f"{size} bytes", "mix.max_music_mb"))


# Rundowns, told by their content


def test_segments_of_a_rundown_named_txt_shows_its_cues(hostile: Hostile) -> None:
    hostile.write("r.txt", RUNDOWN)
    result = hostile.run("segments", "r.txt")
    assert result.returncode == 0, result.stderr
    assert "Goedemorgen allemaal." in result.stdout
    assert "comment" not in result.stdout
    assert "chapter" not in result.stdout


def test_plan_of_a_rundown_writes_it_back_normalised(hostile: Hostile) -> None:
    hostile.write("r.toml", RUNDOWN)
    result = hostile.run("plan", "r.toml", "-o", "again.toml")
    assert result.returncode == 0, result.stderr
    assert "normalised" in result.stdout
    written = (hostile.root / "again.toml").read_text(encoding="utf-8")
    assert written == rundown.dumps(rundown.loads(RUNDOWN))
    assert (hostile.root / "r.toml").read_text(encoding="utf-8") == RUNDOWN


def test_binary_garbage_as_a_rundown_is_one_clean_line(hostile: Hostile) -> None:
    hostile.write("r.toml", bytes(range(256)) * 8)
    hostile.fails("segments", "r.toml", words=("r.toml", "UTF-8"))


def test_a_rundown_that_is_not_one_says_where(hostile: Hostile) -> None:
    hostile.write("r.toml", '[[chapter]]\ntitle = "x"\n')
    hostile.fails("plan", "r.toml", words=("r.toml", "chapter"))


# A plan no build can use is not cached


def test_an_emoji_only_article_fails_the_same_way_twice(hostile: Hostile) -> None:
    hostile.write("emoji.txt", "😀😀😀\n\n🎉🎉\n")
    first = hostile.fails("build", "emoji.txt", "--engine", "espeak", words=("nothing to say",))
    second = hostile.fails("build", "emoji.txt", "--engine", "espeak")
    assert second == first  # no "cached plan ... is unreadable" before it
    plans = Path(hostile.env["POLYCAST_CACHE"]) / "plans"
    assert not plans.exists() or not any(plans.rglob("*.toml"))


# Settings files are inputs too


def test_a_config_of_dev_zero_is_refused(hostile: Hostile) -> None:
    hostile.short("a.txt")
    hostile.fails("plan", "a.txt", "--config", "/dev/zero", words=("config", "character device"))


def test_a_lexicon_that_is_a_fifo_is_refused(hostile: Hostile) -> None:
    hostile.short("a.txt")
    os.mkfifo(hostile.root / "words.toml")
    hostile.fails("segments", "a.txt", "--lexicon", "words.toml", words=("lexicon", "FIFO"))


def test_a_config_over_1_mb_is_refused_with_its_size(hostile: Hostile) -> None:
    hostile.short("a.txt")
    hostile.write("podcast.toml", "#" * 1_000_001)
    hostile.fails("segments", "a.txt", words=("podcast.toml", "1000001 bytes", "1 MB limit"))
