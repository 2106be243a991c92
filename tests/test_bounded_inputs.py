"""Reading inputs with a bound, and refusing outputs that are inputs (``polycast.inputs``)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from polycast.errors import ConfigError, InputError, OutputError
from polycast.inputs import check_size, read_bounded, refuse_overwrite


def test_a_file_up_to_the_cap_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"x" * 100)
    assert read_bounded(path, 100) == b"x" * 100


def test_a_file_one_byte_over_the_cap_is_refused_with_its_size(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"x" * 101)
    with pytest.raises(InputError, match=r"the article is 0\.0 MB \(101 bytes\), over the 0\.0001"):
        read_bounded(path, 100)


@pytest.mark.parametrize(
    ("make", "kind"),
    [
        (lambda p: p.mkdir(), "a directory"),
        (os.mkfifo, "a FIFO"),
        (lambda p: p.symlink_to("/dev/zero"), "a character device"),
    ],
)
def test_what_is_not_a_regular_file_is_refused_unopened(
    tmp_path: Path, make: object, kind: str
) -> None:
    path = tmp_path / "thing.txt"
    make(path)  # type: ignore[operator]
    with pytest.raises(InputError, match=kind):
        read_bounded(path, 1000)  # a FIFO with no writer would block here if it were opened
    with pytest.raises(ConfigError, match=kind):
        check_size(path, 1000, "bed", ConfigError, "mix.max_music_mb")


def test_a_missing_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_bounded(tmp_path / "gone.txt", 10)


def test_outputs_elsewhere_and_outputs_not_yet_there_pass(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text("hello", encoding="utf-8")
    (tmp_path / "old.mp3").write_bytes(b"old")
    refuse_overwrite([tmp_path / "old.mp3", tmp_path / "new.mp3"], [article, None])


def test_the_input_as_output_is_refused_by_any_name(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text("hello", encoding="utf-8")
    (tmp_path / "soft.txt").symlink_to(article)
    os.link(article, tmp_path / "hard.txt")
    (tmp_path / "sub").mkdir()
    for name in ("a.txt", "soft.txt", "hard.txt", "sub/../a.txt"):
        with pytest.raises(OutputError, match="the input"):
            refuse_overwrite([tmp_path / "fine.mp3", tmp_path / name], [article])
    assert article.read_text(encoding="utf-8") == "hello"
