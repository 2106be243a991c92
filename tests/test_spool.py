"""The mix's spool: samples appended, or set aside and made the first time a read reaches them."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from polycast.errors import EngineError
from polycast.mix.spool import Spool


def ramp(start: int, count: int) -> npt.NDArray[np.float32]:
    return np.arange(start, start + count, dtype=np.float32)


class Maker:
    """Makes a ramp from the bytes it is given (its first sample, as text), counting each call."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.made: Counter[int] = Counter()
        self.lock = threading.Lock()

    def __call__(self, data: bytes) -> npt.NDArray[Any]:
        start = int(data.decode())
        with self.lock:
            self.made[start] += 1
        return ramp(start, self.count)


def test_set_aside_samples_are_made_once_in_their_place_when_first_read() -> None:
    spool = Spool()
    maker = Maker(50)
    assert spool.append(ramp(0, 100)) == 0
    assert spool.reserve(50, b"100", maker) == 100
    assert spool.append(ramp(150, 30)) == 150
    assert spool.reserve(50, b"180", maker) == 180
    spool.finish()
    assert spool.frames == 230
    assert np.array_equal(
        spool.read(150, 30), ramp(150, 30)
    )  # an appended clip, after one set aside
    assert maker.made == Counter()  # nothing read reached what was set aside
    assert np.array_equal(spool.read(90, 70), ramp(90, 70))  # reaches into the first only
    assert maker.made == Counter({100: 1})
    assert np.array_equal(spool.read(0, 230), ramp(0, 230))
    assert maker.made == Counter({100: 1, 180: 1})  # each made once
    spool.close()


def test_threads_reading_one_set_aside_clip_make_it_once() -> None:
    spool = Spool()
    maker = Maker(4000)
    for k in range(8):
        spool.reserve(4000, str(4000 * k).encode(), maker)
    spool.finish()
    with ThreadPoolExecutor(4) as pool:
        parts = list(pool.map(lambda k: spool.read(1000 * k, 1000).copy(), range(32)))
    assert np.array_equal(np.concatenate(parts), ramp(0, 32000))
    assert maker.made == Counter({4000 * k: 1 for k in range(8)})
    spool.close()


def test_a_clip_made_to_another_length_than_set_aside_is_an_error() -> None:
    spool = Spool()
    spool.reserve(10, b"0", Maker(9))
    spool.finish()
    with pytest.raises(EngineError, match="9 samples where 10 were set aside"):
        spool.read(0, 10)
    spool.close()
