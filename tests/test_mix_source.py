"""The mix rendered block by block: any stretch alone equals the whole; the kept output equals it.

Also the limiter's shortcut: interpolating only where a peak could be loud finds the same loud
samples, at the same heights, as interpolating every sample.
"""

from __future__ import annotations

import numpy as np
import pytest

from polycast.mix.layout import Placement
from polycast.mix.limiter import Limiter
from polycast.mix.music import Score
from polycast.mix.source import MixSource, RunSource
from polycast.mix.spool import Spool
from polycast.mix.truepeak import peak_envelope
from polycast.models import Cue
from speechlike import speech

RATE = 44100


@pytest.fixture
def source() -> MixSource:
    """Two cues of loud speech with clicks, so the limiter has work around several peaks."""
    spool = Spool()
    placements = []
    at = 1000
    for seed in range(2):
        audio = speech(4.0, RATE, level_db=-12, seed=seed).astype(np.float32)
        audio[RATE // 3 :: RATE // 2] = 0.97
        offset = spool.append(audio)
        placements.append(
            Placement(Cue(f"c{seed}", "nl"), ("nl", None), at, at + len(audio), offset)
        )
        at += len(audio) + 5000
    spool.finish()
    score = Score(RATE, None, (), None, (), np.zeros((0, 2), dtype=np.int64), 1.0)
    mixed = MixSource(spool, placements, at, 1, {("nl", None): 1.0}, score)
    return mixed.with_gain(1.5, Limiter.at(RATE, 10 ** (-1.5 / 20)))


def test_any_stretch_rendered_alone_equals_the_whole(source: MixSource) -> None:
    whole = np.concatenate(list(source.blocks(0, source.length)))
    assert source.limiter is not None
    assert np.abs(whole).max() <= 32768 * source.limiter.threshold + 1  # peaks held
    for start, stop in [(0, 1), (70001, 150003), (source.length - 9, source.length)]:
        part = np.concatenate(list(source.blocks(start, stop)))
        assert np.array_equal(part, whole[start:stop])


def test_the_kept_output_reads_back_as_rendered(source: MixSource) -> None:
    spans = [(0, 50000), (50000, 120000), (120000, source.length)]
    kept = RunSource(source, spans, 2)
    kept.render(1)  # the middle run is kept on disk; the others render on demand
    kept.finish()
    assert not kept.complete
    stereo = np.concatenate(list(kept.blocks(12345, 129999)))
    mono = np.concatenate(list(source.blocks(12345, 129999)))
    assert np.array_equal(stereo, np.repeat(mono, 2))
    kept.render(0)
    kept.render(2)
    kept.finish()
    assert kept.complete
    whole = np.concatenate(list(kept.blocks(0, source.length)))
    assert np.array_equal(
        whole, np.repeat(np.concatenate(list(source.blocks(0, source.length))), 2)
    )
    with pytest.raises(ValueError, match="outside"):
        list(kept.blocks(0, source.length + 1))


def test_the_limiter_interpolates_only_where_a_peak_can_be_loud() -> None:
    limiter = Limiter.at(RATE, 10 ** (-1.5 / 20))
    rng = np.random.default_rng(3)
    for size in (5, 13, 700, 40000):
        x = rng.standard_normal(size) * 0.25
        x[rng.integers(0, size, 3)] = [0.95, -0.99, 0.9]
        full = peak_envelope(x)
        fast = limiter._envelope(x)
        loud = full > limiter.threshold
        assert np.array_equal(fast > limiter.threshold, loud)
        assert np.allclose(fast[loud], full[loud], rtol=1e-12)
        assert np.all(fast <= full + 1e-12)
