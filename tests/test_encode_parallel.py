"""Parallel encoding: stretches joined where the decoded audio runs on as in a single pass."""

from __future__ import annotations

import dataclasses
import io
import itertools

import numpy as np
import numpy.typing as npt
import pytest

from polycast.encode import parallel as encode_parallel
from polycast.encode.mp3 import decode_mp3, encode_mp3
from polycast.encode.parallel import POST_ROLL, PRE_ROLL, _plan, _windows_meet
from polycast.models import Run, Timeline
from test_encode import encode, info_tag, timeline_of, vowel, walk_frames


def seam_errors(
    pcm: npt.NDArray[np.int16],
    single: bytes,
    parallel: bytes,
    joins: tuple[int, ...],
    channels: int,
) -> list[tuple[float, float, float, float]]:
    """Per join: (rms single, rms parallel, max parallel) in two frames around it, and the
    parallel encoding's largest error anywhere else, all against the original."""
    x = pcm.astype(float).reshape(-1, channels)
    err_single = decode_mp3(single)[0].astype(float).reshape(-1, channels) - x
    err_parallel = decode_mp3(parallel)[0].astype(float).reshape(-1, channels) - x
    near = np.zeros(len(x), dtype=bool)
    windows = []
    for g in joins:
        centre = g * 1152 - 576  # where frame g's audio starts after trimming the delay
        window = slice(centre - 1152, centre + 1152)
        near[window] = True
        windows.append(window)
    elsewhere = float(np.abs(err_parallel[~near]).max())
    return [
        (
            float(np.sqrt(np.mean(err_single[w] ** 2))),
            float(np.sqrt(np.mean(err_parallel[w] ** 2))),
            float(np.abs(err_parallel[w]).max()),
            elsewhere,
        )
        for w in windows
    ]


@pytest.mark.parametrize(
    ("rate", "channels", "seconds", "workers"), [(44100, 1, 30, 4), (48000, 2, 22, 2)]
)
def test_parallel_encoding_has_no_seams(
    rate: int, channels: int, seconds: float, workers: int
) -> None:
    pcm = vowel(seconds, rate, channels, seed=5)
    single, one = encode(pcm, rate, channels)
    parallel, many = encode(pcm, rate, channels, workers=workers)
    assert many.workers == workers and len(many.joins) == workers - 1
    # the same stream shape: frame count, length, Info frame true to the bytes
    assert (many.frames, many.samples, many.encoder_padding) == (
        one.frames,
        one.samples,
        one.encoder_padding,
    )
    tag = info_tag(parallel)
    assert tag["frames"] == len(walk_frames(parallel, tag["frame_size"])) == many.frames
    assert tag["bytes"] == len(parallel) == many.bytes
    assert len(decode_mp3(parallel)[0]) == len(pcm)
    # around every join the error is a single pass's, and no worse than anywhere else
    for rms_single, rms_parallel, peak, elsewhere in seam_errors(
        pcm, single, parallel, many.joins, channels
    ):
        assert rms_parallel <= 1.2 * rms_single + 2.0
        assert peak <= elsewhere


def test_without_a_join_the_stretches_are_encoded_as_one(monkeypatch: pytest.MonkeyPatch) -> None:
    # no frame qualifies: every stretch is re-encoded with the one before; LAME is deterministic,
    # so the result is byte for byte a single pass
    monkeypatch.setattr(encode_parallel, "find_join", lambda before, after: None)
    pcm = vowel(20, 44100, seed=2)
    single, _ = encode(pcm, 44100, 1)
    parallel, report = encode(pcm, 44100, 1, workers=2)
    assert report.joins == () and report.workers == 2
    assert parallel == single


def test_short_timelines_use_one_pass() -> None:
    _, report = encode(vowel(3, 44100), 44100, 1, workers=2)
    assert report.workers == 1 and report.joins == ()


def test_windows_meet_only_long_to_long_and_short_to_short() -> None:
    long_end, short_end = (0, 3), (1, 2)
    long_start, short_start = (0, 1), (2, 3)
    for previous in long_end:
        for following in long_start:
            assert _windows_meet((9, previous), (following, 9))
        for following in short_start:
            assert not _windows_meet((9, previous), (following, 9))
    for previous in short_end:
        for following in short_start:
            assert _windows_meet((9, previous), (following, 9))
        for following in long_start:
            assert not _windows_meet((9, previous), (following, 9))
    # stereo, granule-major (gr0 ch0, gr0 ch1, gr1 ch0, gr1 ch1): channel 1 ends on a start block
    assert not _windows_meet((9, 9, 0, 1), (0, 0, 9, 9))
    assert _windows_meet((9, 9, 0, 1), (0, 2, 9, 9))


class _Silence:
    def blocks(self, start: int, stop: int):  # type: ignore[no-untyped-def]
        yield np.zeros(stop - start, dtype=np.int16)


@pytest.mark.parametrize("seconds", [20, 95, 601])
def test_plan_covers_the_episode_on_the_frame_grid(seconds: int) -> None:
    length = seconds * 44100 + 17
    plan = _plan(Timeline(_Silence(), length, 44100, 1, (), ()), 2)
    assert (plan[0].first, plan[0].boundary, plan[0].start) == (0, 0, 0)
    assert plan[-1].stop is None
    for job, following in itertools.pairwise(plan):
        assert following.first == following.boundary - PRE_ROLL > job.boundary
        assert following.start == following.first * 1152
        assert job.stop == (following.boundary + POST_ROLL) * 1152 < length
        assert job.first <= job.boundary
        assert (job.pad_before, job.pad_after, job.key) == (0, 0, None)  # one piece: no silence
    assert plan[-1].boundary * 1152 < length  # the last stretch starts inside the episode


def test_a_timeline_of_fewer_runs_than_encoders_is_shared_between_them() -> None:
    # a preview is often one run: cut like a timeline without runs, every encoder has a stretch,
    # and the joins are as seamless as anywhere else
    pcm = vowel(24, 44100, seed=7)
    whole = timeline_of(pcm, 44100, 1)
    one_run = dataclasses.replace(whole, runs=(Run(0, len(pcm), 0, "the run"),))
    assert len(_plan(one_run, 2)) == 2 and len(_plan(one_run, 4)) == 4
    assert {job.key.partition(":")[0] for job in _plan(one_run, 2) if job.key} == {"the run"}
    single, _ = encode(pcm, 44100, 1)
    out = io.BytesIO()
    report = encode_mp3(one_run, out, workers=2)
    parallel = out.getvalue()
    assert report.workers == 2 and len(report.joins) == 1
    assert len(decode_mp3(parallel)[0]) == len(pcm)
    for rms_single, rms_parallel, peak, elsewhere in seam_errors(
        pcm, single, parallel, report.joins, 1
    ):
        assert rms_parallel <= 1.2 * rms_single + 2.0
        assert peak <= elsewhere


def test_each_run_is_cut_on_its_own_between_the_encoders() -> None:
    # a run's stretches depend on nothing around it, as a rebuild's store needs; a run long
    # enough is shared between the encoders (an edit encodes one run again), a short one is not
    pcm = vowel(30, 44100, seed=7)
    short = 6 * 44100 // 1152 * 1152
    cut = 16 * 44100 // 1152 * 1152
    runs = (Run(0, short, 0, "short"), Run(short, cut, 0, "first"), Run(cut, len(pcm), 0, "second"))
    timeline = dataclasses.replace(timeline_of(pcm, 44100, 1), runs=runs)
    keys = [job.key for job in _plan(timeline, 2) if job.key]
    assert [key.partition(":")[0] for key in keys] == [
        "short",
        "first",
        "first",
        "second",
        "second",
    ]
    moved = dataclasses.replace(
        timeline_of(np.concatenate([np.zeros(2304, np.int16), pcm]), 44100, 1),
        runs=(
            Run(0, short + 2304, 0, "short"),
            Run(short + 2304, cut + 2304, 0, "first"),
            Run(cut + 2304, len(pcm) + 2304, 0, "second"),
        ),
    )
    again = [job.key for job in _plan(moved, 2) if job.key]
    assert [k for k in again if k.startswith("first")] == [k for k in keys if k.startswith("first")]


def test_a_short_run_is_not_cut_to_share() -> None:
    pcm = vowel(8, 44100, seed=7)
    one_run = dataclasses.replace(timeline_of(pcm, 44100, 1), runs=(Run(0, len(pcm), 0, "short"),))
    assert len(_plan(one_run, 2)) == 1
