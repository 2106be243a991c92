"""Streaming loudness and true-peak meters, checked against pyloudnorm, theory, oversampling."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from polycast.mix.biquads import Biquads
from polycast.mix.limiter import Limiter, running_min
from polycast.mix.loudness import LoudnessMeter, integrated_loudness, k_weighting
from polycast.mix.truepeak import (
    FACTOR,
    TAPS,
    TruePeakMeter,
    _all_phases,
    _by_phase,
    _interpolate,
    peak_envelope,
    phases,
)
from speechlike import speech

# pyloudnorm and scipy are imported where they are used: with scipy.signal they are a second of
# every worker's collection, and only the worker running this module needs them.


def _pyloudnorm(x: np.ndarray, rate: int, filter_class: str = "K-weighting") -> float:
    import pyloudnorm

    return float(pyloudnorm.Meter(rate, filter_class=filter_class).integrated_loudness(x))


def _fixtures(rate: int) -> dict[str, np.ndarray]:
    from scipy import signal

    rng = np.random.default_rng(7)
    talk = np.concatenate(
        [speech(2.3, rate, level_db=-24, seed=1), np.zeros(rate), speech(1.7, rate, seed=2)]
    )
    noise = signal.lfilter([1.0], [1.0, -0.9], rng.standard_normal(int(3.3 * rate))) * 0.02
    t = np.arange(int(2.7 * rate)) / rate
    tones = 0.3 * np.sin(2 * np.pi * 60 * t) + 0.05 * np.sin(2 * np.pi * 9000 * t)
    quiet_then_loud = np.concatenate([talk * 0.01, talk])
    signals = {"talk": talk, "noise": noise, "tones": tones, "quiet_then_loud": quiet_then_loud}
    # Whole 100 ms steps: pyloudnorm also counts a last block that runs past the end (a rounding
    # choice); BS.1770 meters such as libebur128, and ours, count complete blocks only.
    step = rate // 10
    return {name: x[: len(x) // step * step] for name, x in signals.items()}


@pytest.mark.parametrize("rate", [8000, 22050, 44100, 48000])
def test_biquads_filter_as_scipy_does_in_pieces_of_any_size(rate: int) -> None:
    """The numpy cascade gives sosfilt's output, its state carried across odd-sized pieces."""
    from scipy import signal

    sos = k_weighting(rate)
    x = np.random.default_rng(3).standard_normal((9000, 2)) * 0.3
    x[4000:4100] = 0.0
    expected = signal.sosfilt(sos, x, axis=0)
    ours = Biquads(sos, channels=2)
    pieces, at = [], 0
    for size in itertools.cycle([1, 31, 32, 33, 1023, 1024, 1025, 0, 2500]):
        if at >= len(x):
            break
        pieces.append(ours.filter(x[at : at + size]))
        at += size
    assert np.abs(np.concatenate(pieces) - expected).max() < 1e-10


@pytest.mark.parametrize("rate", [22050, 44100])
def test_biquads_filter_long_pieces_as_scipy_does(rate: int) -> None:
    """Pieces longer than a span, a whole span, and whole groups carry the state across too."""
    from scipy import signal

    from polycast.mix.biquads import SPAN, L, M

    sos = k_weighting(rate)
    x = np.random.default_rng(5).standard_normal((4 * SPAN + 777, 1)) * 0.3
    expected = signal.sosfilt(sos, x, axis=0)
    ours = Biquads(sos)
    sizes = [SPAN, 2 * SPAN + 5, L * M, L * M * 3, 1, SPAN - 1, 10**6]
    pieces, at = [], 0
    for size in sizes:
        pieces.append(ours.filter(x[at : at + size]))
        at += size
    assert at >= len(x)
    assert np.abs(np.concatenate(pieces) - expected).max() < 1e-10


@pytest.mark.parametrize("size", [1, 2, 5, 8, 33, 400])
def test_running_min_is_ndimage_minimum_filter(size: int) -> None:
    from scipy import ndimage

    x = np.random.default_rng(size).random(1000)
    for n in (1, 7, 1000):
        near = ndimage.minimum_filter1d(x[:n], size, mode="nearest")
        one = ndimage.minimum_filter1d(x[:n], size, mode="constant", cval=1.0)
        assert np.array_equal(running_min(x[:n], size), near)
        assert np.array_equal(running_min(x[:n], size, edge=1.0), one)


def test_true_peak_filter_is_scipys_firwin() -> None:
    from scipy import signal

    prototype = signal.firwin(TAPS, 1 / FACTOR, window=("kaiser", 5.0)) * FACTOR
    expected = np.array([prototype[p::FACTOR] for p in range(FACTOR)])
    assert np.allclose(phases(), expected, rtol=0, atol=1e-15)


def test_k_weighting_matches_the_published_48k_coefficients() -> None:
    sos = k_weighting(48000)
    shelf = [1.53512485958697, -2.69169618940638, 1.19839281085285, 1.0, -1.69065929318241]
    np.testing.assert_allclose(sos[0, :5], shelf, rtol=0, atol=1e-13)
    np.testing.assert_allclose(sos[0, 5], 0.73248077421585, atol=1e-13)
    np.testing.assert_allclose(
        sos[1], [1, -2, 1, 1, -1.99004745483398, 0.99007225036621], atol=1e-13
    )


@pytest.mark.parametrize("rate", [22050, 24000, 44100, 48000])
@pytest.mark.parametrize("name", ["talk", "noise", "tones", "quiet_then_loud"])
def test_meter_agrees_with_pyloudnorm(rate: int, name: str) -> None:
    x = _fixtures(rate)[name]
    ours = integrated_loudness(x, rate)
    # pyloudnorm's default filter approximates K-weighting; its "DeMan" filter is the exact one.
    assert ours == pytest.approx(_pyloudnorm(x, rate), abs=0.1)
    assert ours == pytest.approx(_pyloudnorm(x, rate, "DeMan"), abs=0.02)


def test_stereo_counts_both_channels() -> None:
    x = _fixtures(44100)["talk"]
    stereo = np.column_stack([x, 0.5 * x])
    ours = integrated_loudness(stereo.ravel(), 44100, channels=2)
    assert ours == pytest.approx(_pyloudnorm(stereo, 44100, "DeMan"), abs=0.02)
    dual = integrated_loudness(np.repeat(x, 2), 44100, channels=2)
    assert dual - integrated_loudness(x, 44100) == pytest.approx(10 * math.log10(2), abs=1e-6)


def test_streaming_in_odd_blocks_equals_one_pass() -> None:
    x = _fixtures(44100)["quiet_then_loud"]
    meter = LoudnessMeter(44100)
    rng = np.random.default_rng(3)
    position = 0
    while position < len(x):
        size = int(rng.integers(1, 9000))
        meter.add(x[position : position + size])
        position += size
    assert meter.frames == len(x)
    assert meter.integrated() == pytest.approx(integrated_loudness(x, 44100), abs=1e-9)


def test_a_997_hz_sine_reads_its_level_minus_3_db() -> None:
    rate = 48000
    t = np.arange(rate * 5) / rate
    x = 0.1 * np.sin(2 * np.pi * 997 * t)  # -20 dBFS peak
    assert integrated_loudness(x, rate) == pytest.approx(-23.01, abs=0.05)


def test_int16_is_scaled_to_full_scale() -> None:
    x = _fixtures(44100)["talk"]
    pcm = np.rint(x * 32768).astype(np.int16)
    assert integrated_loudness(pcm, 44100) == pytest.approx(integrated_loudness(x, 44100), abs=0.01)


def test_gates_ignore_silence_and_quiet_stretches() -> None:
    rate = 44100
    talk = speech(4.0, rate, seed=5)
    gappy = np.concatenate([talk[: 2 * rate], np.zeros(5 * rate), talk[2 * rate :]])
    assert integrated_loudness(gappy, rate) == pytest.approx(
        integrated_loudness(talk, rate), abs=0.3
    )
    assert integrated_loudness(np.zeros(rate * 3), rate) == -math.inf
    assert integrated_loudness(talk[: rate // 4], rate) == -math.inf  # shorter than one block
    meter = LoudnessMeter(rate)
    meter.add(talk[: rate // 4])
    assert math.isfinite(meter.ungated())


def _reference_peak(x: np.ndarray) -> float:
    from scipy import signal

    return float(np.abs(signal.resample_poly(x, 32, 1, window=("kaiser", 12.0))).max())


def test_true_peak_finds_the_peak_between_samples() -> None:
    n = np.arange(4410)
    x = np.sin(np.pi / 2 * n + np.pi / 4)  # quarter of the rate, every sample at 0.707
    meter = TruePeakMeter()
    meter.add(x)
    assert 20 * math.log10(np.abs(x).max()) == pytest.approx(-3.01, abs=0.01)
    assert meter.peak_db() == pytest.approx(0.0, abs=0.1)


@pytest.mark.parametrize("seed", range(4))
def test_true_peak_streams_and_agrees_with_32x_oversampling(seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = speech(1.5, 44100, level_db=-12, seed=seed)
    x[rng.integers(0, len(x), 5)] = rng.choice([-0.9, 0.9], 5)  # clicks: peaks between samples
    whole = TruePeakMeter()
    whole.add(x)
    pieces = TruePeakMeter()
    for part in np.array_split(x, 37):
        pieces.add(part)
    assert pieces.peak() == pytest.approx(whole.peak(), rel=1e-12)
    # Skipping quiet chunks changes nothing: the same as interpolating every sample.
    everything = _interpolate(np.zeros(11), np.concatenate([x, np.zeros(11)])).max()
    assert whole.peak() == pytest.approx(max(everything, np.abs(x).max()), rel=1e-12)
    error_db = 20 * math.log10(whole.peak() / _reference_peak(x))
    assert -0.3 < error_db < 0.1


@pytest.mark.parametrize(("rows", "width"), [(1, 96), (40, 96), (300, 96), (4000, 1)])
def test_the_phases_side_by_side_sum_as_one_phase_at_a_time_does(rows: int, width: int) -> None:
    """Small interpolations take the phases at once: the same products added in the same order."""
    x = np.random.default_rng(rows).standard_normal((rows, width + 11))
    assert np.array_equal(_all_phases(x, width), _by_phase(x, width))
    assert np.allclose(_by_phase(x, width)[0], _interpolate(x[0, :11], x[0, 11:]), rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.int16, np.float32])
def test_true_peak_of_samples_as_fed_is_that_of_them_converted_first(dtype: type) -> None:
    """Blocks are scaled only where they are scanned: the same values, so the same peak exactly."""
    x = speech(1.0, 44100, level_db=-3, seed=3)
    x[20000:30000] = 0.0  # a pause, which the meter passes over
    fed = (np.rint(x * 32767) if dtype is np.int16 else x).astype(dtype)
    as_float = fed.astype(np.float64) / (32768 if dtype is np.int16 else 1)
    pieces, whole = TruePeakMeter(), TruePeakMeter()
    for part in np.array_split(fed, 23):
        pieces.add(part)
    whole.add(as_float)
    assert pieces.peak() == whole.peak()


def test_true_peak_of_stereo_is_the_louder_channel() -> None:
    x = speech(1.0, 44100, seed=1)
    meter = TruePeakMeter(channels=2)
    meter.add((np.rint(np.column_stack([x * 0.5, x]) * 32768).astype(np.int16)).ravel())
    alone = TruePeakMeter()
    alone.add(x)
    assert meter.peak_db() == pytest.approx(alone.peak_db(), abs=0.01)


def test_peak_envelope_covers_the_interpolated_peak() -> None:
    n = np.arange(400)
    x = np.sin(np.pi / 2 * n + np.pi / 4)  # peaks (1.0) halfway between samples 2k and 2k+1
    env = peak_envelope(x)
    assert np.all(env >= np.abs(x))
    assert env[20:380:2].min() > 0.97
    assert env[21:380:2].max() == pytest.approx(np.sqrt(0.5), abs=0.01)


def test_limiter_holds_true_peaks_under_the_threshold_and_leaves_the_rest() -> None:
    rate = 44100
    x = speech(3.0, rate, level_db=-20, seed=9)
    spikes = [rate // 2, rate + 123, 2 * rate + 7]
    for at in spikes:
        x[at] = 0.95
        x[at + 1] = -0.95  # a full-scale swing: the true peak lies above both samples
    limiter = Limiter.at(rate, 10 ** (-1.2 / 20))
    gain = limiter.gain(x)
    out = x * gain
    meter = TruePeakMeter()
    meter.add(out[limiter.margin : -limiter.margin])
    assert meter.peak_db() <= -1.2 + 0.05
    far = np.ones(len(x), dtype=bool)
    for at in spikes:
        far[at - limiter.margin : at + limiter.margin] = False
    assert np.all(gain[far] == 1.0)
    # The gain at any sample depends only on `margin` samples either side of it.
    a, b = rate, 2 * rate
    m = limiter.margin
    part = limiter.gain(x[a - m : b + m])[m:-m]
    assert np.array_equal(part, gain[a:b])  # exactly: an edit's unchanged parts render the same


def test_the_limiter_computes_around_its_peaks_what_it_would_over_the_whole_stretch() -> None:
    """Peaks far apart are limited each in a stretch of its own, with the gain of one stretch."""
    rate = 44100
    x = speech(6.0, rate, level_db=-20, seed=4)
    for at in (rate // 3, rate // 3 + 400, 2 * rate, 2 * rate + 5000, 5 * rate):
        x[at], x[at + 1] = 0.97, -0.97  # two close pairs and a lone peak: three groups
    limiter = Limiter.at(rate, 10 ** (-1.2 / 20))
    env = limiter._envelope(x)
    loud = np.flatnonzero(env > limiter.threshold)
    reach = limiter.lookahead + limiter.hold + 3
    whole = np.ones(len(x))
    lo, hi = loud[0] - reach, loud[-1] + reach + 1
    whole[lo:hi] = limiter._reduction(env[lo:hi])
    gain = limiter.gain(x)
    assert np.array_equal(gain, whole)  # the same sums, whichever sample they began at
    assert (gain < 1).sum() > 3 * limiter.lookahead


class _CountingLoudness(LoudnessMeter):
    """A real meter that also counts the samples it runs through the K-weighting filter."""

    filtered = 0

    def _filter(self, frames: np.ndarray) -> None:
        self.filtered += len(frames)
        super()._filter(frames)


class _CountingPeak(TruePeakMeter):
    """A real true-peak meter that also counts the samples it scans."""

    scanned = 0

    def _scan(self, history: np.ndarray, samples: np.ndarray, scale: float) -> None:
        self.scanned += len(history) + len(samples)
        super()._scan(history, samples, scale)


def _one_pass_loudness(x: np.ndarray, rate: int) -> tuple[float, float]:
    """Filter every sample, as the meter did before it skipped silence: (integrated, ungated)."""
    from scipy import signal

    weighted = signal.sosfilt(k_weighting(rate), x)
    energy = weighted**2
    step = rate // 10
    sums = energy[: len(x) // step * step].reshape(-1, step).sum(axis=1)
    blocks = np.convolve(sums, np.ones(4), "valid") / (4 * step)
    with np.errstate(divide="ignore"):
        loudness = -0.691 + 10 * np.log10(blocks)
    above = loudness[loudness > -70]
    power = -0.691 + 10 * np.log10(np.mean(10 ** ((above + 0.691) / 10)))
    gated = above[above > power - 10]
    integrated = -0.691 + 10 * np.log10(np.mean(10 ** ((gated + 0.691) / 10)))
    return float(integrated), float(-0.691 + 10 * np.log10(energy.sum() / len(x)))


@pytest.mark.parametrize("block", [1000, 65536, 10**6])
def test_silence_is_counted_not_filtered(block: int) -> None:
    rate = 48000
    talk = speech(2.0, rate, seed=9)
    x = np.concatenate([talk, np.zeros(60 * rate), talk, np.zeros(rate // 3)])
    meter = _CountingLoudness(rate)
    peak = _CountingPeak()
    for lo in range(0, len(x), block):
        meter.add(x[lo : lo + block])
        peak.add(x[lo : lo + block])
    assert meter.frames == len(x)
    integrated, ungated = _one_pass_loudness(x, rate)
    assert meter.integrated() == pytest.approx(integrated, abs=1e-9)
    assert meter.ungated() == pytest.approx(ungated, abs=1e-9)
    # A minute of zeros is skipped: what is filtered is the speech and its settling tail, at most
    # 100 ms per block (and one block to notice the end of each sound), never the minute.
    assert meter.filtered < 2 * len(talk) + 2 * (rate // 10) + 2 * block
    # The true-peak meter scans each sound, plus 22 samples per block around block edges.
    assert peak.scanned < 2 * len(talk) + 2 * block + 22 * (len(x) // block + 1)
    whole = TruePeakMeter()
    whole.add(x)
    assert peak.peak() == pytest.approx(whole.peak(), rel=1e-12)
    assert whole.peak() == pytest.approx(
        max(_interpolate(np.zeros(11), np.concatenate([x, np.zeros(11)])).max(), 1e-9), rel=1e-12
    )


def test_silence_after_an_unsettled_filter_is_filtered() -> None:
    rate = 44100
    meter = _CountingLoudness(rate)
    meter.add(np.zeros(rate))
    assert meter.filtered == 0  # a fresh filter is settled: nothing to carry
    meter.add(np.full(100, 0.5))  # a step: the filter rings for a while
    meter.add(np.zeros(rate))
    assert 100 < meter.filtered <= 100 + rate // 10 + rate
    assert meter.frames == 2 * rate + 100
