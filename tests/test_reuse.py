"""A rebuild reuses what an unchanged input made: the plan, and the whole encoded episode."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

import polycast
from polycast import pipeline
from polycast.cache import Cache, code_fingerprint
from polycast.cache.episodes import EpisodeCache
from polycast.cache.plans import PlanCache
from polycast.config import Config
from polycast.encode.mp3 import Mp3Settings, decode_mp3
from polycast.speak import SpeakSettings

ARTICLE = Path(__file__).parent / "data" / "cli" / "short-nl.txt"
FIRST: dict[Path, pipeline.BuildResult] = {}
"""The first build of each test's article, by test folder."""


def outputs(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def entries(cache: Path, kind: str) -> list[Path]:
    return sorted((cache / kind).rglob("*.*")) if (cache / kind).exists() else []


def episode_keys(cache: Path) -> list[str]:
    """Name the kept episodes (the tagged copies beside them hold only a checksum)."""
    kept = [p for p in entries(cache, "episodes") if p.suffix == ".json"]
    return [p.stem for p in kept if "report" in json.loads(p.read_text())]


def no_mix(*args: object, **kwargs: object) -> None:
    raise AssertionError("the episode should have come from the cache")


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, Config, Path]:
    """The short article, copied, built once with a fresh cache."""
    article = tmp_path / ARTICLE.name
    shutil.copyfile(ARTICLE, article)
    config = Config(speak=SpeakSettings(cache=tmp_path / "cache", workers=1))
    FIRST[tmp_path] = pipeline.build(article, config, tmp_path / "first")
    return article, config, tmp_path


def test_an_unchanged_article_is_copied_not_spoken_mixed_or_encoded(
    built: tuple[Path, Config, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    article, config, tmp_path = built
    # The MP3 and what it measured; the tagged MP3 and its checksum.
    assert len(entries(tmp_path / "cache", "episodes")) == 4
    monkeypatch.setattr(pipeline, "speak_kept", no_mix)
    monkeypatch.setattr("polycast.mix.mix", no_mix, raising=False)
    monkeypatch.setattr("polycast.plan.plan", no_mix, raising=False)
    again = pipeline.build(article, config, tmp_path / "second")
    assert outputs(tmp_path / "second") == outputs(tmp_path / "first")  # tags and all
    samples, rate, _ = decode_mp3(again.mp3.read_bytes())
    assert abs(len(samples) / rate - again.seconds) < 0.001
    first = FIRST[tmp_path]
    assert again.mix == first.mix  # what was measured when it was mixed
    assert (again.chapters, again.cues, again.seconds) == (
        first.chapters,
        first.cues,
        first.seconds,
    )


def test_a_changed_sentence_or_setting_makes_a_new_episode(
    built: tuple[Path, Config, Path],
) -> None:
    article, config, tmp_path = built
    article.write_text(article.read_text(encoding="utf-8") + "\n\nEen nieuwe zin.\n")
    longer = pipeline.build(article, config, tmp_path / "edited")
    lower = pipeline.build(article, replace(config, mp3=Mp3Settings(bitrate=48)), tmp_path / "48")
    assert len(entries(tmp_path / "cache", "episodes")) == 12
    assert len(entries(tmp_path / "cache", "plans")) == 2
    first = outputs(tmp_path / "first")[f"{article.stem}.mp3"]
    assert longer.mp3.read_bytes() != first
    assert lower.mp3.stat().st_size < longer.mp3.stat().st_size
    assert "nieuwe zin" in (tmp_path / "edited" / f"{article.stem}.vtt").read_text()


def test_a_rebuild_with_other_tags_tags_the_kept_audio_again(
    built: tuple[Path, Config, Path],
) -> None:
    article, config, tmp_path = built
    retitled = replace(config, author="Iemand Anders")  # a tag, not a word spoken
    pipeline.build(article, retitled, tmp_path / "retitled")
    pipeline.build(article, replace(retitled, speak=SpeakSettings(cache=False)), tmp_path / "fresh")
    assert outputs(tmp_path / "retitled") == outputs(tmp_path / "fresh")
    assert outputs(tmp_path / "retitled") != outputs(tmp_path / "first")
    assert len(episode_keys(tmp_path / "cache")) == 1  # the same audio, tagged two ways
    assert len(entries(tmp_path / "cache", "episodes")) == 6


def test_a_damaged_tagged_copy_is_tagged_again(built: tuple[Path, Config, Path]) -> None:
    article, config, tmp_path = built
    keys = set(episode_keys(tmp_path / "cache"))
    for entry in entries(tmp_path / "cache", "episodes"):
        if entry.suffix == ".mp3" and entry.stem not in keys:
            entry.write_bytes(entry.read_bytes()[:-100])
    pipeline.build(article, config, tmp_path / "again")
    assert outputs(tmp_path / "again") == outputs(tmp_path / "first")


def test_a_damaged_entry_is_built_again(
    built: tuple[Path, Config, Path], caplog: pytest.LogCaptureFixture
) -> None:
    article, config, tmp_path = built
    for entry in entries(tmp_path / "cache", "episodes"):
        if entry.suffix == ".mp3":
            entry.write_bytes(entry.read_bytes()[:1000])
    for entry in entries(tmp_path / "cache", "plans"):
        entry.write_text("[[chapter]]\ntitle = 3\n")
    again = pipeline.build(article, config, tmp_path / "again")
    assert "damaged" in caplog.text
    assert "unreadable" in caplog.text
    samples, rate, _ = decode_mp3(again.mp3.read_bytes())
    assert abs(len(samples) / rate - again.seconds) < 0.001
    first, _, _ = decode_mp3((tmp_path / "first" / f"{article.stem}.mp3").read_bytes())
    assert len(samples) == len(first)  # the same episode, made again from the cached speech
    assert np.array_equal(samples, first)


def test_without_a_cache_nothing_is_kept(tmp_path: Path) -> None:
    config = Config(speak=SpeakSettings(cache=False, workers=1))
    assert Cache.of(config.speak.cache) == Cache()
    pipeline.build(ARTICLE, config, tmp_path / "out")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_the_code_fingerprint_names_this_source() -> None:
    assert len(code_fingerprint()) == 64
    assert code_fingerprint() == code_fingerprint()


def test_the_code_fingerprint_reads_every_source_file_and_no_other() -> None:
    from polycast.cache.keys import _sources

    root = Path(polycast.__file__).parent
    every = {p for p in root.rglob("*.py") if "__pycache__" not in p.parts}
    assert set(_sources(root)) == every
    assert root / "cache" / "keys.py" in every


def test_a_kept_episode_decodes_any_stretch_like_the_file(
    built: tuple[Path, Config, Path],
) -> None:
    article, config, tmp_path = built
    key = episode_keys(tmp_path / "cache")[0]
    rundown = pipeline.load_rundown(article, config)[0]
    saved = EpisodeCache(tmp_path / "cache").saved(key, rundown)
    assert saved is not None
    whole, _, _ = decode_mp3(saved.mp3.read_bytes())
    timeline = saved.timeline
    assert len(timeline.pcm()) == timeline.length == len(whole)
    # The decoder rounds a few samples differently when read in pieces: by one step at most.
    assert np.abs(timeline.pcm().astype(np.int32) - whole).max() <= 1
    part = np.concatenate(list(timeline.blocks(70001, 90003)))
    assert np.abs(part.astype(np.int32) - whole[70001:90003]).max() <= 1


def test_a_plan_no_build_can_use_is_not_kept(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from polycast.models import Article, Kind, Rundown, Segment

    article = Article(segments=(Segment(Kind.PARAGRAPH, "😀😀"),), language="nl")
    plans, settings = PlanCache(tmp_path), Config().plan
    assert plans.get(article, settings) is None
    plans.put(article, settings, Rundown(chapters=(), title="Untitled", language="nl"))
    assert entries(tmp_path, "plans") == []
    assert plans.get(article, settings) is None
    assert "unreadable" not in caplog.text
