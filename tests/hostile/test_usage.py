"""Usage errors: a wrong option or command is one line on stderr and exit 2, like any error."""

from __future__ import annotations

import pytest
from harness import Hostile

CASES = [
    (["bild", "short-nl.txt"], ("no such command", "did you mean 'build'")),
    (["build", "short-nl.txt", "--bitrate", "65"], ("--bitrate", "65", "polycast build --help")),
    (["build", "short-nl.txt", "--workers", "0"], ("--workers",)),
    (["build", "short-nl.txt", "--rate", "22050"], ("--rate", "22050")),
    (["build", "short-nl.txt", "--nope"], ("--nope",)),
    (["build"], ("missing argument",)),
    (["preview", "short-nl.txt", "0", "--text", "Hallo"], ("--text",)),
    (["segments", "short-nl.txt", "--format", "pdf"], ("--format", "pdf")),
    (["serve", "--port", "70000"], ("--port", "65535")),
    (["publish"], ("missing argument",)),
    (["build", "short-nl.txt", "--voice", "nl"], ("LANG=VOICE",)),
]


@pytest.mark.parametrize(("args", "words"), CASES, ids=[" ".join(a) for a, _ in CASES])
def test_a_usage_error_is_one_line_and_exit_2(
    hostile: Hostile, args: list[str], words: tuple[str, ...]
) -> None:
    hostile.short()
    line = hostile.fails(*args, code=2, words=words)
    assert line.startswith("polycast: error: ")
