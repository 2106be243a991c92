"""batch --jobs N is a bound on the cores a batch uses, as make's or cargo's is.

What a build used is read from what it reports with ``-v``: how many MP3 encoders ran, and
whether speech ran in threads of its own. The pool's workers log nowhere, so the split they are
given is checked where it is decided and where a worker applies it (``cores``).
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

import numpy as np
import pytest

from batch_helpers import articles, polycast
from polycast import cores, write
from polycast.batch.ledger import settings_digest
from polycast.config import Config
from polycast.models import Clip, Cue
from polycast.speak import SpeakSettings, speak


@pytest.fixture(autouse=True)
def cold_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cache of each test's own: an episode kept by another test's build is never encoded."""
    monkeypatch.setenv("POLYCAST_CACHE", str(tmp_path / "cache"))


def encoders(stderr: str) -> list[int]:
    """The encoders of every episode the run encoded, as its ``-v`` log says."""
    return [int(n) for n in re.findall(r"encoded [\d.]+ s of MP3 on (\d+) encoder", stderr)]


def test_jobs_1_builds_one_article_at_a_time_on_one_core(tmp_path: Path) -> None:
    articles(tmp_path / "in", 2)
    result = polycast("-v", "batch", "in", "--jobs", "1", "--engine", "espeak", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "building 1 at a time, each on 1 of" in result.stderr
    assert encoders(result.stderr) == [1, 1]
    assert "speaking in" not in result.stderr  # every sentence spoken in the build's own thread


@pytest.mark.skipif(cores.count() < 2, reason="one core: every build is on one core")
def test_a_lone_article_gets_every_core_by_default(tmp_path: Path) -> None:
    articles(tmp_path / "in", 1)
    result = polycast("-v", "batch", "in", "--engine", "espeak", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    machine = cores.count()
    assert f"building 1 at a time, each on {machine} of {machine} cores" in result.stderr
    assert encoders(result.stderr) == [min(4, machine)]  # as build encodes it
    assert f"speaking in {machine} threads" in result.stderr  # espeak-ng, one copy per thread


def test_side_by_side_builds_share_the_cores_asked_for(tmp_path: Path) -> None:
    articles(tmp_path / "in", 3)
    result = polycast("-v", "batch", "in", "--jobs", "2", "--engine", "espeak", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "building 2 at a time, each on 1 of" in result.stderr
    assert len(list((tmp_path / "output").glob("*.mp3"))) == 3


@pytest.mark.parametrize("asked", range(1, 9))
@pytest.mark.parametrize("articles_count", [0, 1, 2, 3, 7, 12])
def test_a_split_never_uses_more_cores_than_asked(asked: int, articles_count: int) -> None:
    processes, each = cores.split(asked, articles_count)
    assert processes * each <= asked
    assert 1 <= processes <= max(1, articles_count)
    assert processes == min(asked, max(1, articles_count))  # never an idle core, nor process
    assert each == asked // processes


class Where:
    """An engine that computes outside the GIL (so it may run in threads) and notes its thread."""

    name = "where"
    releases_gil = True

    def __init__(self) -> None:
        self.threads: set[str] = set()

    def voices(self) -> dict[str, tuple[str, ...]]:
        return {"nl": ("one",)}

    def synthesize(self, text: str, lang: str, voice: str | None = None) -> Clip:
        self.threads.add(threading.current_thread().name)
        return Clip(np.zeros(220, dtype=np.int16), 22050)

    def identity(self, lang: str, voice: str | None = None) -> str:
        return f"where lang={lang}"


def spoken_in(workers: int | None) -> set[str]:
    """The threads that spoke twelve cues with ``workers`` asked for."""
    engine = Where()
    list(speak([Cue(f"Zin {n}.", "nl") for n in range(12)], {"nl": engine}, workers=workers))
    return engine.threads


def test_a_limit_holds_every_build_thread_to_it_whatever_the_settings() -> None:
    assert spoken_in(2) != {threading.current_thread().name}  # two threads asked, two used
    with cores.limited(1):
        assert cores.available() == 1
        assert spoken_in(2) == spoken_in(None) == {threading.current_thread().name}
        assert write.encode_workers() == 1
    assert cores.available() == cores.count()  # lifted after the block


def test_how_many_syntheses_run_at_once_never_makes_a_batch_build_again() -> None:
    one = Config(speak=SpeakSettings(workers=1))
    assert settings_digest(one) == settings_digest(Config(speak=SpeakSettings(workers=4)))
    assert settings_digest(one) == settings_digest(Config())
    assert settings_digest(one) != settings_digest(Config(speak=SpeakSettings(engine="gtts")))
