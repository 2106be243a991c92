"""The mixed episode as a ``PcmSource``: rendered block by block, on demand, from the spool.

Nothing of the episode is kept in memory but the block being rendered. Each block is built the
same way wherever it starts: the speech of the cues it overlaps (read from the spool, each at its
voice's gain), plus the music, times the episode gain, through the limiter if one is needed, then
rounded to 16 bits and copied to every channel. Every sample is a pure function of its position,
so a block rendered alone equals the same stretch of a full render (encoders may split the work).
"""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from polycast.mix.condition import VoiceKey
from polycast.mix.layout import Placement
from polycast.mix.limiter import Limiter
from polycast.mix.music import Score
from polycast.mix.runs import Measured
from polycast.mix.spool import Spool

FloatArray = npt.NDArray[np.float64]

BLOCK = 1 << 16
"""Frames per rendered block (about 1.5 s): large enough to be fast, small enough to be light."""


@dataclass(frozen=True, eq=False)
class MixSource:
    """Renders any stretch of the episode; see the module docstring for how."""

    spool: Spool
    """Conditioned speech, in cue order."""
    placements: Sequence[Placement]
    """Each cue's place on the timeline and in the spool, in time order."""
    length: int
    """Episode length in frames."""
    channels: int
    """Output channels (the mono mix is copied to each)."""
    voice_gains: Mapping[VoiceKey, float]
    """Linear gain per voice, levelling the voices to each other."""
    score: Score
    """Stings and bed."""
    gain: float = 1.0
    """Linear episode gain, taking the levelled mix to the loudness target."""
    limiter: Limiter | None = None
    """Peak limiter after the episode gain, when the target needs one."""
    _ends: list[int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        """Index the placements' ends for finding the cues a block overlaps."""
        object.__setattr__(self, "_ends", [p.end for p in self.placements])

    def with_gain(self, gain: float, limiter: Limiter | None) -> MixSource:
        """Return the same mix at another episode gain and limiter (sharing the spool)."""
        return dataclasses.replace(self, gain=gain, limiter=limiter)

    def float_blocks(self, start: int = 0, stop: int | None = None) -> Iterator[FloatArray]:
        """Yield the mono mix of frames ``[start, stop)`` as float64 blocks (full scale 1.0)."""
        stop = self.length if stop is None else stop
        _check_range(start, stop, self.length)
        for lo in range(start, stop, BLOCK):
            yield self._final(lo, min(stop, lo + BLOCK))

    def blocks(self, start: int, stop: int) -> Iterator[npt.NDArray[np.int16]]:
        """Yield interleaved 16-bit PCM for frames ``[start, stop)``, in order."""
        for mono in self.mono_blocks(start, stop):
            yield np.repeat(mono, self.channels) if self.channels > 1 else mono

    def mono_blocks(self, start: int, stop: int) -> Iterator[npt.NDArray[np.int16]]:
        """Yield the 16-bit mono mix of frames ``[start, stop)`` (what every channel carries)."""
        for mono in self.float_blocks(start, stop):
            yield np.clip(np.rint(mono * 32768), -32768, 32767).astype(np.int16)

    def _final(self, lo: int, hi: int) -> FloatArray:
        """Render ``[lo, hi)`` at the episode gain, limited if need be."""
        if self.limiter is None:
            return self._render(lo, hi) * self.gain
        margin = self.limiter.margin
        wide = self._render(lo - margin, hi + margin) * self.gain
        gain = self.limiter.gain(wide)
        return np.asarray(wide[margin:-margin] * gain[margin:-margin])

    def _render(self, lo: int, hi: int) -> FloatArray:
        """Return the levelled mix of ``[lo, hi)`` before the episode gain; zero outside."""
        out = np.zeros(hi - lo)
        index = bisect.bisect_right(self._ends, lo)
        while index < len(self.placements) and self.placements[index].start < hi:
            place = self.placements[index]
            a, b = max(lo, place.start), min(hi, place.end)
            if a < b:
                speech = self.spool.read(place.offset + a - place.start, b - a)
                out[a - lo : b - lo] += speech * self.voice_gains[place.voice]
            index += 1
        self.score.add_to(out, lo)
        return out


class RunSource:
    """The final mix, run by run: kept as rendered where it was measured, else rendered on demand.

    Measuring the final output renders every sample of the runs it measures; keeping them (16-bit
    mono, on disk) means the encoder reads them back instead of rendering and limiting them
    again. A run an earlier build measured is not rendered unless the encoder asks for it, which
    it does not when it has the run's frames too. Every sample is a pure function of its place,
    so both ways give the same audio.
    """

    def __init__(self, mix: MixSource, spans: Sequence[tuple[int, int]], channels: int) -> None:
        """Serve ``mix`` (at its final gain) cut into ``spans``, which tile it, on ``channels``."""
        self.length = mix.length
        """Episode length in frames."""
        self.channels = channels
        """Output channels."""
        self._mix = mix
        self._spans = list(spans)
        self._starts = [lo for lo, _ in self._spans]
        self._spool = Spool(dtype=np.int16)
        self._rendered: set[int] = set()

    @property
    def complete(self) -> bool:
        """Whether every run is rendered (the speech is needed no more)."""
        return len(self._rendered) == len(self._spans)

    def render(self, index: int) -> Measured:
        """Render run ``index`` into the kept output and measure it (mono, 16-bit).

        Raises:
            OutputError: the temporary audio cannot be written (disk full).
        """
        measured = Measured.of(self._kept(*self._spans[index]), self._mix.score.rate)
        self._rendered.add(index)
        return measured

    def _kept(self, lo: int, hi: int) -> Iterator[npt.NDArray[np.int16]]:
        """Render ``[lo, hi)``, writing each block to the kept output as it passes."""
        for block in self._mix.mono_blocks(lo, hi):
            self._spool.write_at(lo, block)  # each run at its own place: runs render side by side
            lo += len(block)
            yield block

    def finish(self) -> None:
        """Make what was rendered readable.

        Raises:
            OutputError: the flush failed (disk full).
        """
        self._spool.finish()

    def close(self) -> None:
        """Release the kept output."""
        self._spool.close()

    def blocks(self, start: int, stop: int) -> Iterator[npt.NDArray[np.int16]]:
        """Yield interleaved 16-bit PCM for frames ``[start, stop)``, in order."""
        _check_range(start, stop, self.length)
        index = max(0, bisect.bisect_right(self._starts, start) - 1)
        while start < stop and index < len(self._spans):
            lo, hi = self._spans[index]
            end = min(stop, hi)
            for mono in self._mono(index, max(start, lo), end):
                yield np.repeat(mono, self.channels) if self.channels > 1 else mono
            start = end
            index += 1

    def _mono(self, index: int, lo: int, hi: int) -> Iterator[npt.NDArray[np.int16]]:
        """Yield the mono output of ``[lo, hi)`` inside run ``index``."""
        if index not in self._rendered:
            yield from self._mix.mono_blocks(lo, hi)
            return
        for at in range(lo, hi, BLOCK):
            yield self._spool.read(at, min(hi, at + BLOCK) - at).copy()


def _check_range(start: int, stop: int, length: int) -> None:
    """Reject a stretch outside the episode (a caller's bug, not a user's mistake)."""
    if not 0 <= start <= stop <= length:
        raise ValueError(f"frames [{start}, {stop}) lie outside the episode [0, {length})")
