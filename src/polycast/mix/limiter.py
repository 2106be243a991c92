"""A look-ahead peak limiter for the rare true peaks the loudness gain would push over the ceiling.

Speech levelled to -19 LUFS seldom peaks above -1 dBTP, so most episodes never reach this code.
When one does, lowering the whole episode would miss the loudness target; clipping would distort.
This limiter lowers the gain only around each peak: it looks ``lookahead`` samples ahead, holds
the reduction for ``hold`` samples and ramps linearly in and out over ``lookahead`` samples. It
is a brick wall for true peaks (it watches the oversampled envelope, not only the samples) and
leaves the rest of the signal untouched, so it is transparent on isolated peaks; it is not a
loudness maximiser.

The gain at a sample depends only on the signal within ``margin`` samples of it, so any stretch
of an episode can be rendered alone, given that much context either side, with the same result.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from polycast.mix.truepeak import DELAY, PHASE_TAPS, gain_bound, interpolate_at

FloatArray = npt.NDArray[np.float64]

LOOKAHEAD_MS = 5.0
"""Attack (and release ramp) time; the gain is down before the peak arrives."""
HOLD_MS = 30.0
"""How long a reduction is held after a peak, so close peaks do not make the gain flutter."""
SLACK = 2
"""Samples either side a peak's gain also covers (the envelope's placement is that exact)."""
RAMP_QUANTUM = 2.0**-36
"""Reductions are counted in steps of this (-216 dB), as integers: their sums are exact."""


@dataclass(frozen=True)
class Limiter:
    """Peak limiter settings, in samples at the rate it runs at."""

    threshold: float
    """Highest true peak allowed out, linear (1.0 = full scale)."""
    lookahead: int
    """Attack time in samples."""
    hold: int
    """Hold time in samples."""

    @classmethod
    def at(cls, rate: int, threshold: float) -> Limiter:
        """Make a limiter with the default timing at ``rate``."""
        return cls(threshold, round(rate * LOOKAHEAD_MS / 1000), round(rate * HOLD_MS / 1000))

    @property
    def margin(self) -> int:
        """Samples of context needed either side of a stretch to compute its gain exactly."""
        return self.lookahead + self.hold + PHASE_TAPS + SLACK + 4

    def _envelope(self, x: FloatArray) -> FloatArray:
        """Return ``|x|``, raised to the interpolated peak wherever that can exceed the threshold.

        An interpolated value is at most ``gain_bound()`` times the largest of the 12 samples
        around it, so only samples whose neighbourhood holds one above ``threshold /
        gain_bound()`` can be loud; only they are interpolated. Which samples are loud, and by
        how much, is what interpolating everything (``peak_envelope``) gives, at a fraction of
        the cost: in a levelled episode about 1 % of samples are that high.
        """
        mag = np.abs(x)
        hot = mag > self.threshold / gain_bound()
        size = len(x)
        if size <= PHASE_TAPS or not hot.any():
            return mag
        # Sample i's interpolation reads x[i - lead], ..., x[i - lead + PHASE_TAPS - 1].
        lead = PHASE_TAPS - 1 - DELAY
        near = np.zeros(size, dtype=bool)
        for d in range(-lead, PHASE_TAPS - lead):
            if d >= 0:
                near[: size - d] |= hot[d:]
            else:
                near[-d:] |= hot[: size + d]
        near[:lead] = False  # too close to an edge to interpolate, as in peak_envelope
        near[size - (PHASE_TAPS - lead - 1) :] = False
        where = np.flatnonzero(near)
        mag[where] = np.maximum(mag[where], interpolate_at(x, where))
        return mag

    def gain(self, x: FloatArray) -> FloatArray:
        """Return the gain for every sample of ``x`` (one channel, linear, at most 1).

        Only samples at least ``margin`` from either end of ``x`` get their exact gain; callers
        pass that much context and keep the middle.
        """
        size = len(x)
        env = self._envelope(x)
        loud = np.flatnonzero(env > self.threshold)
        gain = np.ones(size)
        if not len(loud):
            return gain
        # A peak lowers the gain from `lookahead + SLACK` before it to `lookahead + hold +
        # SLACK` after it; beyond that the gain is exactly 1. So only the stretches around
        # peaks are computed, one per group of peaks closer than twice that: in speech they
        # cover about a third of the samples between the first peak of a block and its last.
        reach = self.lookahead + self.hold + SLACK + 1
        apart = np.flatnonzero(np.diff(loud) > 2 * reach)
        for first, last in zip(loud[np.r_[0, apart + 1]], loud[np.r_[apart, -1]], strict=True):
            lo, hi = max(0, int(first) - reach), min(size, int(last) + reach + 1)
            gain[lo:hi] = self._reduction(env[lo:hi])
        return gain

    def _reduction(self, env: FloatArray) -> FloatArray:
        """Return the gain over a stretch, given its true-peak envelope ``env``."""
        size = len(env)
        need = np.ones(size)
        loud = env > self.threshold
        need[loud] = self.threshold / env[loud]
        need = running_min(need, 2 * SLACK + 1)
        # held[n] = min(need[n - hold : n + lookahead]): the reduction starts `lookahead` early
        # and lasts `hold` after the peak.
        width = self.hold + self.lookahead
        centred = running_min(need, width, edge=1.0)
        shift = self.hold - width // 2
        held = np.ones(size)
        held[shift:] = centred[: max(size - shift, 0)]
        # Averaging `held` over the last `lookahead` samples turns steps into ramps while keeping
        # every peak's gain at or below what it needs: each average includes the peak's window.
        # Summing reductions (zero almost everywhere), not gains, keeps untouched samples at
        # exactly 1: a running sum that adds nothing does not drift. The reductions are counted
        # in whole steps of RAMP_QUANTUM (integers, so every sum is exact): a sample's gain does
        # not depend on where the running sum began, and a stretch rendered from any start gives
        # the same samples (an edit's unchanged parts keep their MP3 frames).
        steps = np.rint((1.0 - held) / RAMP_QUANTUM).astype(np.int64)
        cut = np.concatenate([np.zeros(self.lookahead - 1, dtype=np.int64), steps])
        sums = np.concatenate([[0], np.cumsum(cut)])
        ramp = (sums[self.lookahead :] - sums[: -self.lookahead]) * (RAMP_QUANTUM / self.lookahead)
        return np.asarray(1.0 - ramp)


def running_min(x: FloatArray, size: int, edge: float | None = None) -> FloatArray:
    """Return the minimum over a window of ``size`` around every sample (van Herk/Gil-Werman).

    As ``scipy.ndimage.minimum_filter1d``: sample ``i``'s window starts ``size // 2`` before it.
    Beyond the ends the signal continues as ``edge``, or as its first and last values when
    ``edge`` is None. Three passes whatever ``size``: running minima within blocks of ``size``,
    forwards and backwards; every window spans at most two blocks.
    """
    if size <= 1 or not len(x):
        return np.array(x, dtype=np.float64)
    before, after = size // 2, size - 1 - size // 2
    first, last = (x[0], x[-1]) if edge is None else (edge, edge)
    padded = np.concatenate([np.full(before, first), x, np.full(after, last)])
    blocks = -(-len(padded) // size)
    rows = np.full(blocks * size, np.inf)
    rows[: len(padded)] = padded
    rows2 = rows.reshape(blocks, size)
    ahead = np.minimum.accumulate(rows2, axis=1).reshape(-1)
    behind = np.minimum.accumulate(rows2[:, ::-1], axis=1)[:, ::-1].reshape(-1)
    count = len(x)
    return np.asarray(np.minimum(behind[:count], ahead[size - 1 : size - 1 + count]))
