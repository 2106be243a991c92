"""``polycast preview``: one segment, one chapter or one line, and every way asking for it fails.

What a preview spoke is read back from its cache: with a fresh cache folder, the entries after a
preview are exactly the cues it said, named by the same keys the speak stage uses.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from polycast import pipeline
from polycast.cli import app
from polycast.config import Config
from polycast.encode.mp3 import decode_mp3
from polycast.models import Cue
from polycast.speak import cache_key, create_engine

EXAMPLE = Path(__file__).parent / "data" / "articles" / "loekasjenko-poetin-2021-09.txt"
runner = CliRunner()


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run every preview in an empty folder: no podcast.toml, and output/ lands here."""
    monkeypatch.chdir(tmp_path)


def example_cues() -> list[tuple[str, Cue]]:
    """Every cue the example's episode says, with its chapter's title."""
    rundown, _ = pipeline.load_rundown(EXAMPLE, Config())
    return [(chapter.title, cue) for chapter in rundown.chapters for cue in chapter.cues]


def entries(cues: list[Cue]) -> set[str]:
    """The cache entry names the espeak voices give ``cues``."""
    espeak = create_engine("espeak")
    return {f"{cache_key(espeak.identity(c.lang), c.lang, c.text)}.clip" for c in cues}


def spoken(cache: Path) -> set[str]:
    return {p.name for p in cache.rglob("*.clip")}


def preview(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["preview", *args])
    return result.exit_code, result.stdout, result.stderr


def seconds(mp3: Path) -> float:
    samples, rate, _ = decode_mp3(mp3.read_bytes())
    return len(samples) / rate


def test_a_post_segment_is_spoken_with_its_attribution(tmp_path: Path) -> None:
    code, out, err = preview(str(EXAMPLE), "4", "-o", "post.mp3", "--cache-dir", "cache")
    assert code == 0, err
    assert out.startswith("wrote post.mp3 (")
    cues = [cue for _, cue in example_cues() if cue.segment == 4]
    assert cues[0].lang == "nl" and cues[0].text.startswith("CEPA schreef op 9 september 2021")
    assert {cue.lang for cue in cues[1:]} == {"en"}
    assert spoken(tmp_path / "cache") == entries(cues)  # the attribution, then the post
    assert 5 < seconds(tmp_path / "post.mp3") < 30


def test_a_chapter_by_its_title(tmp_path: Path) -> None:
    code, out, err = preview(str(EXAMPLE), "--chapter", "Uniestaat", "--cache-dir", "cache")
    assert code == 0, err
    assert out.startswith("wrote output/preview.mp3 (")
    cues = [cue for title, cue in example_cues() if title == "Uniestaat"]
    assert cues[0].text == "Uniestaat" and len(cues) > 3
    assert spoken(tmp_path / "cache") == entries(cues)
    assert seconds(tmp_path / "output" / "preview.mp3") > 10


def test_a_line_of_text(tmp_path: Path) -> None:
    line = "Goedemorgen, dit is een korte test."
    code, out, err = preview("--text", line, "--lang", "nl", "--cache-dir", "cache")
    assert code == 0, err
    assert out.startswith("wrote output/preview.mp3 (")
    espeak = create_engine("espeak")
    assert spoken(tmp_path / "cache") == {f"{cache_key(espeak.identity('nl'), 'nl', line)}.clip"}
    assert 1 < seconds(tmp_path / "output" / "preview.mp3") < 6


def test_a_second_preview_comes_from_the_cache(tmp_path: Path) -> None:
    first = preview(str(EXAMPLE), "9", "--cache-dir", "cache")
    assert first[0] == 0, first[2]
    before = {p: p.stat().st_mtime_ns for p in (tmp_path / "cache").rglob("*.clip")}
    again = preview(str(EXAMPLE), "9", "-o", "again.mp3", "--cache-dir", "cache")
    assert again[0] == 0, again[2]
    assert {p: p.stat().st_mtime_ns for p in (tmp_path / "cache").rglob("*.clip")} == before


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["99"], ["segment 99 does not exist", "segments 0 to 11"]),
        (["0"], ["segment 0 (caption) is not spoken"]),
        (["--chapter", "Atlantis"], ["no chapter titled 'Atlantis'", "Inleiding", "Uniestaat"]),
    ],
)
def test_what_is_not_there_is_one_line_and_exit_1(
    args: list[str], words: list[str], tmp_path: Path
) -> None:
    code, _, err = preview(str(EXAMPLE), *args, "--cache-dir", "cache")
    assert code == 1
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("polycast: error: ")
    for word in words:
        assert word in err
    assert not (tmp_path / "output").exists()


def test_text_without_a_language_is_detected_as_the_plan_detects_it(tmp_path: Path) -> None:
    line = "Guten Morgen, das ist ein kurzer Test der Vorschau."
    code, out, err = preview("--text", line, "--cache-dir", "cache")
    assert code == 0, err
    assert out.startswith("wrote output/preview.mp3 (")
    assert err.startswith("polycast: --text is in de (detected, ")
    espeak = create_engine("espeak")
    assert spoken(tmp_path / "cache") == {f"{cache_key(espeak.identity('de'), 'de', line)}.clip"}


def test_text_too_short_to_detect_is_read_in_the_default_language(tmp_path: Path) -> None:
    (tmp_path / "podcast.toml").write_text('[plan]\ndefault_language = "nl"\n', encoding="utf-8")
    code, _, err = preview("--text", "Hallo.", "--cache-dir", "cache")
    assert code == 0, err
    assert "too short to tell its language: read in nl" in err
    assert "[plan] default_language" in err
    espeak = create_engine("espeak")
    expected = f"{cache_key(espeak.identity('nl'), 'nl', 'Hallo.')}.clip"
    assert spoken(tmp_path / "cache") == {expected}
    assert preview("--text", "Hallo.", "--lang", "en", "-o", "en.mp3")[2] == ""  # no notice


def test_play_without_a_player_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    code, out, err = preview("--text", "Hallo.", "--lang", "nl", "--play", "--cache-dir", "c")
    assert code == 1
    assert out.startswith("wrote output/preview.mp3")  # the preview itself is there to open
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("polycast: error: no audio player found to play output/preview.mp3")
    assert "mpv" in err
