"""The `segments` and `plan` commands: output, JSON, files, and one-line errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from polycast import rundown as rundown_toml
from polycast.cli import app

ARTICLES = Path(__file__).parent / "data" / "articles"
EXAMPLE = ARTICLES / "loekasjenko-poetin-2021-09.txt"

runner = CliRunner()


def test_segments_json_is_the_golden_document() -> None:
    result = runner.invoke(app, ["segments", str(EXAMPLE), "--json"])
    assert result.exit_code == 0, result.output
    assert result.stdout == EXAMPLE.with_suffix(".json").read_text(encoding="utf-8")
    document = json.loads(result.stdout)
    assert list(document) == ["title", "date", "language", "segments"]
    assert list(document["segments"][0]) == [
        "index",
        "kind",
        "lang",
        "spoken",
        "text",
        "speech",
        "author",
        "handle",
        "url",
        "date",
    ]


def test_segments_table() -> None:
    result = runner.invoke(app, ["segments", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Loekasjenko en Poetin maakten")
    assert "(nl, 2021-09)" in lines[0]
    assert len(lines) == 1 + 12
    assert lines[1].split()[:4] == ["0", "caption", "nl", "no"]
    assert lines[5].split()[:4] == ["4", "post", "en", "yes"]
    assert "CEPA schreef op 9 september 2021" in lines[5]


def test_plan_writes_a_rundown_that_loads(tmp_path: Path) -> None:
    out = tmp_path / "rundown.toml"
    result = runner.invoke(app, ["plan", str(EXAMPLE), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "5 chapters" in result.stdout
    loaded = rundown_toml.loads(out.read_text(encoding="utf-8"))
    assert [c.title for c in loaded.chapters][1] == "CEPA (@cepa)"


def test_plan_to_stdout_with_title_and_lexicon(tmp_path: Path) -> None:
    lexicon = tmp_path / "lexicon.toml"
    lexicon.write_text('[nl]\n"Navo" = "Naavo"\n', encoding="utf-8")
    result = runner.invoke(
        app, ["plan", str(EXAMPLE), "--title", "Zapad", "--lexicon", str(lexicon)]
    )
    assert result.exit_code == 0, result.output
    loaded = rundown_toml.loads(result.stdout)
    assert loaded.title == "Zapad"
    assert "Naavo" in result.stdout and "Navo." not in result.stdout


@pytest.mark.parametrize("command", ["segments", "plan"])
def test_missing_directory_and_bad_files_fail_in_one_line(command: str, tmp_path: Path) -> None:
    binary = tmp_path / "bad.txt"
    binary.write_bytes(b"\xff\xfe\x00\x00garbage\x00\x01\x02")
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("Caf\xe9 au lait en meer tekst.".encode("latin-1"))
    for target in (tmp_path / "missing.txt", tmp_path, binary, latin1):
        result = runner.invoke(app, [command, str(target)])
        assert result.exit_code == 1, (target, result.output)
        assert result.stderr.startswith("polycast: error: ")
        assert len(result.stderr.strip().splitlines()) == 1
        assert "Traceback" not in result.output


def test_bad_lexicon_fails_in_one_line(tmp_path: Path) -> None:
    lexicon = tmp_path / "lexicon.toml"
    lexicon.write_text("[nl\n", encoding="utf-8")
    result = runner.invoke(app, ["plan", str(EXAMPLE), "--lexicon", str(lexicon)])
    assert result.exit_code == 1
    assert "lexicon is not valid TOML" in result.stderr


def test_unwritable_output_fails_in_one_line(tmp_path: Path) -> None:
    out = tmp_path / "no-such-folder" / "rundown.toml"
    result = runner.invoke(app, ["plan", str(EXAMPLE), "-o", str(out)])
    assert result.exit_code == 1
    assert result.stderr.startswith("polycast: error: cannot write")


def test_help_texts() -> None:
    for command in ("segments", "plan"):
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0
        assert "article" in result.stdout.lower()


def test_plan_on_a_copy_in_another_folder(tmp_path: Path) -> None:
    copy = tmp_path / "artikel.txt"
    shutil.copy(EXAMPLE, copy)
    result = runner.invoke(app, ["segments", str(copy), "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["language"] == "nl"
