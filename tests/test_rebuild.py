"""The editable rundown end to end: plan, edit by hand, rebuild; only what changed is spoken."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from polycast.cli import app
from polycast.encode.mp3 import decode_mp3
from polycast.speak import cache_key, create_engine

SHORT = Path(__file__).parent / "data" / "cli" / "short-nl.txt"
runner = CliRunner()

OLD_TEXT = 'text = "De minister was kort van stof."\nlang = "nl"'
NEW_TEXT = 'text = "De minister zei er bijna niets over."\nlang = "nl"'
OLD_LANG = 'text = "We are following the talks in The Hague closely."\nlang = "en"'
NEW_LANG = 'text = "We are following the talks in The Hague closely."\nlang = "en-gb"'


def clips(cache: Path) -> dict[str, int]:
    """Every cache entry by name, with its modification time (a rewrite changes it)."""
    return {p.name: p.stat().st_mtime_ns for p in cache.rglob("*.clip")}


def build(source: Path, out: Path, cache: Path) -> dict[str, Any]:
    """Build through the CLI and return its JSON summary."""
    result = runner.invoke(
        app, ["build", str(source), "-o", str(out), "--cache-dir", str(cache), "--json"]
    )
    assert result.exit_code == 0, result.output
    summary: dict[str, Any] = json.loads(result.stdout)
    return summary


@pytest.fixture
def article(tmp_path: Path) -> Path:
    copy = tmp_path / "kort.txt"
    shutil.copy(SHORT, copy)
    return copy


def test_rebuilding_an_unchanged_article_speaks_nothing(article: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = build(article, tmp_path / "one", cache)
    before = clips(cache)
    assert len(before) >= 6  # the article's sentences, all spoken the first time
    second = build(article, tmp_path / "two", cache)
    assert clips(cache) == before  # no entry added, none written again
    assert second["duration"] == first["duration"]
    assert (tmp_path / "two" / "kort.vtt").read_text() == (
        tmp_path / "one" / "kort.vtt"
    ).read_text()


def test_an_edited_rundown_speaks_only_the_cues_that_changed(article: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    build(article, tmp_path / "first", cache)
    rundown = tmp_path / "r.toml"
    result = runner.invoke(app, ["plan", str(article), "-o", str(rundown)])
    assert result.exit_code == 0, result.output

    unchanged = clips(cache)
    build(rundown, tmp_path / "same", cache)
    assert clips(cache) == unchanged  # the rundown as planned is the article's episode

    text = rundown.read_text(encoding="utf-8")
    assert text.count(OLD_TEXT) == 1 and text.count(OLD_LANG) == 1
    rundown.write_text(text.replace(OLD_TEXT, NEW_TEXT).replace(OLD_LANG, NEW_LANG), "utf-8")
    summary = build(rundown, tmp_path / "edited", cache)

    after = clips(cache)
    added = set(after) - set(unchanged)
    espeak = create_engine("espeak")
    expected = {
        cache_key(espeak.identity("nl"), "nl", "De minister zei er bijna niets over.") + ".clip",
        cache_key(espeak.identity("en-gb"), "en-gb", OLD_LANG.split('"')[1]) + ".clip",
    }
    assert added == expected  # exactly the two edited cues were synthesised
    assert {k: after[k] for k in unchanged} == unchanged  # nothing else was written again

    mp3 = tmp_path / "edited" / f"{article.stem}.mp3"  # the rundown keeps its article's name
    samples, rate, _ = decode_mp3(mp3.read_bytes())
    assert abs(len(samples) / rate - summary["duration"]) < 0.05
    assert summary["voices"]["en-gb"] == espeak.identity("en-gb") != espeak.identity("en")
    assert "en" not in summary["voices"]  # the post was the only English cue
    vtt = mp3.with_suffix(".vtt").read_text(encoding="utf-8")
    assert "De minister zei er bijna niets over." in vtt
    assert "kort van stof" not in vtt
