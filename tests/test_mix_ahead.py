"""Runs measured ahead: while the speech after a run is still being made, the run is measured.

The promise: the same episode, the same report, each run measured once, and nothing read that
the store already keeps (an edited rebuild still decodes only the clips of the runs it changed).
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator

import numpy as np
import pytest

from polycast.encode.ahead import AheadFrames
from polycast.encode.mp3 import Mp3Settings, encode_mp3
from polycast.errors import EngineError, OutputError
from polycast.mix import MixSettings, mix
from polycast.mix.runs import Measured
from polycast.mix.source import RunSource
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


def test_runs_encoded_as_they_render_are_the_frames_the_encode_stage_would_make() -> None:
    store = DictStore()
    with AheadFrames(Mp3Settings(), store, workers=2) as frames:
        ahead, _ = mix(
            *_episode([1, 2, 3, 4, 5, 6]), SETTINGS, store=store, workers=2, frames=frames
        )
    kept = store.puts["frames"]
    assert kept >= len(ahead.runs)  # every run's stretches were encoded during the mix
    out = io.BytesIO()
    encode_mp3(ahead, out, Mp3Settings(), workers=2, store=store)
    assert store.puts["frames"] == kept  # the encode stage took them all: nothing encoded again
    plain, _ = mix(*_episode([1, 2, 3, 4, 5, 6]), SETTINGS, workers=2)
    fresh = io.BytesIO()
    encode_mp3(plain, fresh, Mp3Settings(), workers=2)
    assert out.getvalue() == fresh.getvalue()


def test_a_failure_in_the_final_render_stops_the_encoders_before_the_output_closes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rendered: list[int] = []
    render = RunSource.render

    def failing(self: RunSource, k: int) -> Measured:
        if k == 2:
            raise OutputError("the disk is full")
        rendered.append(k)
        return render(self, k)

    monkeypatch.setattr(RunSource, "render", failing)
    store = DictStore()
    with AheadFrames(Mp3Settings(), store, workers=2) as frames, pytest.raises(OutputError):
        mix(*_episode([1, 2, 3, 4, 5, 6]), SETTINGS, store=store, workers=2, frames=frames)
    assert rendered  # the failure came after runs were rendered and handed to the encoders
    assert not [t for t in threading.enumerate() if t.name.startswith("mp3-ahead")]


def test_the_longest_runs_are_rendered_first(monkeypatch: pytest.MonkeyPatch) -> None:
    """The run a thread renders (and encodes) last is a short one: the threads end together."""
    started: list[int] = []
    spans: list[tuple[int, int]] = []
    render = RunSource.render

    def noting(self: RunSource, k: int) -> Measured:
        started.append(k)
        spans[:] = self._spans  # the runs (the timeline's runs are the encoder's parts of them)
        return render(self, k)

    monkeypatch.setattr(RunSource, "render", noting)
    rundown, clips = _episode([1, 2, 3, 4, 5, 6, 7, 8])  # runs of growing length
    mix(rundown, clips, SETTINGS, workers=2)
    lengths = [hi - lo for lo, hi in spans]
    assert sorted(started) == list(range(len(lengths)))
    longest = sorted(range(len(lengths)), key=lambda k: -lengths[k])
    assert set(started[:2]) == set(longest[:2])
    assert started[-1] in longest[-2:]
