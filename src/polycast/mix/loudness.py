"""Streaming loudness measurement per ITU-R BS.1770-4: K-weighting, gated blocks, LUFS.

An hour of audio never has to sit in memory: ``LoudnessMeter.add`` takes blocks of any size and
carries the K-weighting filter state from one to the next, so feeding a signal in pieces gives the
same result as feeding it whole. Only one number per 100 ms survives (the K-weighted energy of that
stretch), from which the 400 ms gating blocks with 75 % overlap are formed at the end: an hour is
36,000 numbers.
"""

from __future__ import annotations

import math
import struct
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from polycast.mix.biquads import Biquads

ABSOLUTE_GATE = -70.0
"""Blocks quieter than this (LUFS) never count."""
RELATIVE_GATE = -10.0
"""Blocks this far (LU) below the absolutely gated loudness do not count."""
OFFSET = -0.691
"""The constant in BS.1770's loudness formula (calibrates a 997 Hz sine)."""
STEPS_PER_BLOCK = 4
"""A 400 ms block is four 100 ms steps (75 % overlap)."""
SETTLED = 1e-12
"""Filter state (full scale 1.0) below which silence is counted rather than filtered."""

FloatArray = npt.NDArray[np.float64]


def k_weighting(rate: int) -> FloatArray:
    """Return the K-weighting filter (shelf, then high-pass) as second-order sections at ``rate``.

    The biquads are derived from their analogue prototypes, so they equal BS.1770-4's published
    48 kHz coefficients exactly at 48 kHz and are right at any other rate.
    """
    sections = []
    # Stage 1: the head's acoustic effect, a +4 dB high shelf.
    k = math.tan(math.pi * 1681.974450955533 / rate)
    q = 0.7071752369554196
    vh = 10 ** (3.999843853973347 / 20)
    vb = vh**0.4996667741545416
    a0 = 1 + k / q + k * k
    sections.append(
        [
            (vh + vb * k / q + k * k) / a0,
            2 * (k * k - vh) / a0,
            (vh - vb * k / q + k * k) / a0,
            1.0,
            2 * (k * k - 1) / a0,
            (1 - k / q + k * k) / a0,
        ]
    )
    # Stage 2: the RLB weighting, a high-pass around 38 Hz.
    k = math.tan(math.pi * 38.13547087602444 / rate)
    q = 0.5003270373238773
    a0 = 1 + k / q + k * k
    sections.append([1.0, -2.0, 1.0, 1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0])
    return np.array(sections, dtype=np.float64)


class LoudnessMeter:
    """Integrated loudness of a stream, fed in blocks of any length.

    Channels are summed with weight 1 (left, right, centre: all that mono and stereo need).
    """

    def __init__(
        self,
        rate: int,
        channels: int = 1,
        listener: Callable[[int, FloatArray], None] | None = None,
    ) -> None:
        """Prepare a meter for ``channels`` interleaved channels at ``rate``.

        ``listener``, if given, is handed every stretch of K-weighted energies (per frame, summed
        over channels) with the index of its first frame: the silence the meter skips has none.
        """
        self.rate = rate
        self.channels = channels
        self._listener = listener
        self._biquads = Biquads(k_weighting(rate), channels)
        self._sums = array("d")
        """K-weighted energy (sum of squares over channels) of each complete 100 ms step."""
        self._counts = array("q")
        """Samples per channel in each step (rates that are not a multiple of 10 vary by one)."""
        self._acc = 0.0
        self._seen = 0
        self._total = 0.0

    @property
    def frames(self) -> int:
        """Samples per channel fed so far."""
        return self._seen

    def _boundary(self, step: int) -> int:
        """First sample of 100 ms step ``step``, exact in integers."""
        return step * self.rate // 10

    def add(self, block: npt.NDArray[np.generic]) -> None:
        """Feed the next samples: interleaved 1-D, or shaped (frames, channels).

        int16 input is scaled to full scale 1.0; float input is taken as it is.
        """
        # Digital silence after the filter has settled adds no energy: it is counted, not
        # filtered, so a long pause costs one scan for its last sound and a loop over its steps.
        data = np.asarray(block)
        if not data.any() and self._settled():
            self._quiet(data.size // self.channels)
            return
        frames = _as_frames(data, self.channels)
        if not len(frames):
            return
        sound = _sound_end(frames)
        head = frames[: min(len(frames), sound + self.rate // 10)]
        self._filter(head)
        if len(head) < len(frames):
            if self._settled():
                self._biquads.state[:] = 0.0
                self._quiet(len(frames) - len(head))
            else:
                self._filter(frames[len(head) :])

    def _filter(self, frames: FloatArray) -> None:
        """K-weight ``frames`` (carrying the filter's state) and add their energy."""
        weighted = self._biquads.filter(frames)
        energy = np.einsum("ij,ij->i", weighted, weighted)
        if self._listener is not None:
            self._listener(self._seen, energy)
        self._total += float(energy.sum())
        self._split(energy)

    def _settled(self) -> bool:
        """Whether the filter's memory of past sound is too small to matter.

        Below ``SETTLED`` the rest of its decay carries less energy than 10^-20 of full scale
        over a 100 ms step, some 15 orders of magnitude under the -70 LUFS gate.
        """
        return float(np.abs(self._biquads.state).max()) <= SETTLED

    def _quiet(self, count: int) -> None:
        """Add ``count`` samples of zero energy, closing the steps they fill: O(steps)."""
        self._seen += count
        while self._boundary(len(self._sums) + 1) <= self._seen:
            step = len(self._sums)
            self._sums.append(self._acc)
            self._counts.append(self._boundary(step + 1) - self._boundary(step))
            self._acc = 0.0

    def _split(self, energy: FloatArray) -> None:
        """Add per-sample energies to the running 100 ms steps, closing every step they fill."""
        start = self._seen
        self._seen += len(energy)
        pos = 0
        while True:
            step = len(self._sums)
            end = self._boundary(step + 1) - start
            if end > len(energy):
                self._acc += float(energy[pos:].sum())
                return
            self._sums.append(self._acc + float(energy[pos:end].sum()))
            self._counts.append(self._boundary(step + 1) - self._boundary(step))
            self._acc = 0.0
            pos = end

    def block_loudness(self) -> FloatArray:
        """Return the loudness (LUFS) of every complete 400 ms block so far."""
        sums = np.frombuffer(self._sums, dtype=np.float64)
        counts = np.frombuffer(self._counts, dtype=np.int64).astype(np.float64)
        if len(sums) < STEPS_PER_BLOCK:
            return np.zeros(0)
        kernel = np.ones(STEPS_PER_BLOCK)
        energy = np.convolve(sums, kernel, "valid") / np.convolve(counts, kernel, "valid")
        with np.errstate(divide="ignore"):
            return np.asarray(OFFSET + 10 * np.log10(energy), dtype=np.float64)

    def integrated(self) -> float:
        """Return the gated integrated loudness in LUFS; ``-inf`` when no block passes the gates.

        A stream shorter than one 400 ms block has no blocks, so it measures ``-inf`` too.
        """
        loudness = self.block_loudness()
        above = loudness[loudness > ABSOLUTE_GATE]
        if not len(above):
            return -math.inf
        relative = _power_mean(above) + RELATIVE_GATE
        gated = above[above > relative]
        return _power_mean(gated) if len(gated) else -math.inf

    def ungated(self) -> float:
        """Return the K-weighted loudness of everything fed, without gates (for short streams)."""
        if self._seen == 0 or self._total <= 0:
            return -math.inf
        return OFFSET + 10 * math.log10(self._total / self._seen)

    def steps(self) -> Steps:
        """Return what the meter has measured, to keep or to join with other streams'."""
        return Steps(self._sums.tobytes(), self._counts.tobytes(), self._total, self._seen)

    @classmethod
    def joined(cls, rate: int, parts: Iterable[Steps], channels: int = 1) -> LoudnessMeter:
        """Return a meter holding the steps of ``parts`` one after another, to read (not feed).

        A 400 ms block never spans two parts' incomplete steps; that is the only difference from
        feeding the parts' audio through one meter, and the runs of an episode meet in silence.
        """
        meter = cls(rate, channels)
        for part in parts:
            meter._sums.frombytes(part.sums)
            meter._counts.frombytes(part.counts)
            meter._total += part.total
            meter._seen += part.frames
        return meter


@dataclass(frozen=True)
class Steps:
    """What a meter keeps of a stream: its complete 100 ms steps and its total energy.

    Steps of separate streams (the runs of an episode) join into one meter, so a rebuild measures
    a whole episode from the steps of the runs it did not have to render again.
    """

    sums: bytes
    """K-weighted energy of each complete step, float64."""
    counts: bytes
    """Samples in each step, int64."""
    total: float
    """Energy of every sample fed, the incomplete last step included."""
    frames: int
    """Samples per channel fed."""

    def to_bytes(self) -> bytes:
        """Serialise, for the cache."""
        head = struct.pack("<dqq", self.total, self.frames, len(self.sums))
        return head + self.sums + self.counts

    @classmethod
    def from_bytes(cls, data: bytes) -> Steps:
        """Read what ``to_bytes`` wrote.

        Raises:
            ValueError: the data is not a serialised ``Steps``.
        """
        size = struct.calcsize("<dqq")
        total, frames, count = struct.unpack_from("<dqq", data)
        if count % 8 or len(data) != size + 2 * count:
            raise ValueError("loudness steps of the wrong size")
        return cls(data[size : size + count], data[size + count :], total, frames)


def _sound_end(frames: FloatArray) -> int:
    """Return one past the last frame that is not digital silence (0 when all are)."""
    loud = np.flatnonzero(frames.any(axis=1))
    return int(loud[-1]) + 1 if len(loud) else 0


def _power_mean(loudness: FloatArray) -> float:
    """Return the loudness of the mean energy of blocks given in LUFS."""
    return OFFSET + 10 * math.log10(float(np.mean(10 ** ((loudness - OFFSET) / 10))))


def _as_frames(block: npt.NDArray[np.generic], channels: int) -> FloatArray:
    """View ``block`` as float64 (frames, channels), scaling int16 to full scale 1.0."""
    data = np.asarray(block)
    scale = 1 / 32768 if data.dtype == np.int16 else 1.0
    frames = data.astype(np.float64).reshape(-1, channels)
    return frames * scale if scale != 1.0 else frames


def integrated_loudness(samples: npt.NDArray[np.generic], rate: int, channels: int = 1) -> float:
    """Measure a whole signal at once (a convenience over ``LoudnessMeter``).

    Returns:
        Integrated loudness in LUFS, ``-inf`` for silence or a signal shorter than 400 ms.
    """
    meter = LoudnessMeter(rate, channels)
    meter.add(samples)
    return meter.integrated()
