"""Same input, same bytes: a build does not depend on what the cache already held.

The README promises that a rebuild writes the very bytes a build from scratch would. That holds
only if a sentence spoken now sounds exactly like the same sentence spoken earlier, in another
process, after other sentences; so a half-filled cache must give the episode an empty one does.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from polycast.cli import app

# English, German and French voices, a quote, a post and two chapters: the example's kinds of
# cue in a third of its speech (the same check at a third of its cost).
ARTICLE = Path(__file__).parent / "data" / "articles" / "en-german-quote.md"
runner = CliRunner()


def build(source: Path, out: Path, cache: Path) -> bytes:
    """Build through the CLI (speech in worker processes) and return the episode's MP3 bytes."""
    result = runner.invoke(app, ["build", str(source), "-o", str(out), "--cache-dir", str(cache)])
    assert result.exit_code == 0, result.output
    return (out / f"{source.stem}.mp3").read_bytes()


def keep_every_other_clip(cache: Path) -> int:
    """Drop every second sentence's audio and everything mixed from it; return the clips kept."""
    clips = sorted(cache.rglob("*.clip"))
    for clip in clips[1::2]:
        clip.unlink()
    for made in cache.iterdir():
        if made.is_dir() and made.name in {"episodes", "runs", "plans"}:
            shutil.rmtree(made)
    return len(clips[::2])


def test_a_half_filled_cache_gives_the_bytes_an_empty_one_does(tmp_path: Path) -> None:
    article = tmp_path / ARTICLE.name
    shutil.copy(ARTICLE, article)
    cache = tmp_path / "cache"
    fresh = build(article, tmp_path / "fresh", cache)
    total = len(list(cache.rglob("*.clip")))
    kept = keep_every_other_clip(cache)
    assert 0 < kept < total
    assert not (cache / "episodes").exists()  # the episode must be mixed again, not copied

    partly = build(article, tmp_path / "partly", cache)
    assert len(list(cache.rglob("*.clip"))) == total  # the missing half was spoken again
    assert partly == fresh
