"""Runs measured ahead: while the speech after a run is still being made, the run is measured.

The promise: the same episode, the same report, each run measured once, and nothing read that
the store already keeps (an edited rebuild still decodes only the clips of the runs it changed).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import numpy as np
import pytest

from polycast.errors import EngineError
from polycast.mix import MixSettings, mix
from polycast.models import Clip, KeptClip
from test_mix_music import AUDIO
from test_runs import DictStore, _episode, _kept

SETTINGS = MixSettings(intro=False, outro=False)


class _Signalling(DictStore):
    """A store that says when it is handed a run's voice measurements."""

    def __init__(self) -> None:
        super().__init__()
        self.measured = threading.Semaphore(0)

    def put(self, kind: str, key: str, data: bytes) -> None:
        super().put(kind, key, data)
        if kind == "voices":
            self.measured.release()


def test_runs_are_measured_while_the_last_clips_are_still_coming() -> None:
    rundown, clips = _episode([1, 2, 3, 4, 5, 6])  # three runs of two sentences
    store = _Signalling()
    waited: list[bool] = []

    def slow_speech() -> Iterator[Clip]:
        yield from clips[:-1]
        # The first two runs are whole once the fifth clip is laid: both are measured before
        # the last clip comes (the test fails on the timeout if they are not).
        waited.append(all(store.measured.acquire(timeout=60) for _ in range(2)))
        yield clips[-1]

    ahead, report = mix(rundown, slow_speech(), SETTINGS, store=store, workers=2)
    assert waited == [True]
    assert store.puts["voices"] == 3  # each run measured once: two ahead, the last after
    alone, alone_report = mix(*_episode([1, 2, 3, 4, 5, 6]), SETTINGS, workers=1)
    assert np.array_equal(ahead.pcm(), alone.pcm())
    assert report == alone_report
    assert ahead.runs == alone.runs


def test_an_edited_remix_measured_ahead_decodes_only_the_runs_it_changed() -> None:
    store = DictStore()
    decoded: list[int] = []
    rundown, clips = _episode([1, 2, 3, 4, 5, 6])
    first, _ = mix(rundown, _kept(clips, decoded), SETTINGS, store=store, workers=2)
    assert sorted(decoded) == [0, 1, 2, 3, 4, 5]

    decoded.clear()
    edited, clips = _episode([1, 2, 33, 4, 5, 6])
    remixed, _ = mix(edited, _kept(clips, decoded), SETTINGS, store=store, workers=2)
    assert sorted(decoded) == [2, 3]  # the store's runs are taken, not read again
    fresh, _ = mix(edited, clips, SETTINGS)
    assert np.array_equal(remixed.pcm(), fresh.pcm())
    assert not np.array_equal(remixed.pcm(), first.pcm())


def test_an_episode_with_music_is_measured_after_its_speech_and_mixes_the_same() -> None:
    settings = MixSettings(intro=False, outro=False, sting=AUDIO / "sting.flac")
    both, report = mix(*_episode([1, 2, 3, 4, 5, 6]), settings, workers=2)
    one, one_report = mix(*_episode([1, 2, 3, 4, 5, 6]), settings, workers=1)
    assert np.array_equal(both.pcm(), one.pcm())
    assert report == one_report


def test_a_failure_in_the_speech_stops_the_measuring_threads() -> None:
    rundown, clips = _episode([1, 2, 3, 4, 5, 6])

    def failing() -> Iterator[Clip | KeptClip]:
        yield from clips[:4]
        raise EngineError("the engine stopped")

    with pytest.raises(EngineError, match="the engine stopped"):
        mix(rundown, failing(), SETTINGS, store=DictStore(), workers=2)
    assert not [t for t in threading.enumerate() if t.name.startswith("measure")]
