"""Pass 1 of the mix: each voice of a run measured once, enough to level it and to set the episode.

A voice's loudness is measured on its speech end to end, as the engine made it (``steps``). The
same K-weighted energies are also laid where the voice plays in the run (``placed``), on the
run's own 100 ms steps, and its true peak is kept. Cues never overlap, so once each voice has
its gain the levelled run's loudness steps are the voices' placed steps times their gains
squared, and its true peak the largest voice peak times its gain: a run without music need not
be rendered and measured again to choose the episode gain (``levelled``).

The two differ from measuring a rendered run only where a filter's response to one cue reaches
past its faded end into the pause after it (its energy is counted at the start of the voice's
next cue instead); that energy lies some 60 dB under the speech.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from polycast.mix.condition import VoiceKey
from polycast.mix.layout import Placement
from polycast.mix.loudness import LoudnessMeter, Steps
from polycast.mix.runs import Measured, Span
from polycast.mix.spool import Spool
from polycast.mix.truepeak import TruePeakMeter

FloatArray = npt.NDArray[np.float64]

_PIECE = 1 << 16
"""Samples measured at a time: a cue read whole would not stay in the processor's cache.

On 200 s of speech, 2^16 took 0.17 s of CPU, 2^15 0.20 s (more calls, each with its Python
overhead) and 2^17 0.23 s (out of the cache)."""


@dataclass(frozen=True)
class VoiceRun:
    """One voice's speech in one run, as the engine made it (no gain yet)."""

    steps: Steps
    """Its cues end to end: what its loudness is measured on."""
    placed: Steps
    """Its K-weighted energy where it plays, on the run's 100 ms steps (the run's length)."""
    peak: float
    """Its true peak, linear."""


class _Placed:
    """Collects a voice's K-weighted energies into the run's 100 ms steps, where its cues lie."""

    def __init__(self, rate: int, length: int) -> None:
        self.rate = rate
        self.length = length
        self.complete = (10 * length + 9) // rate  # steps that end inside the run
        self.sums = np.zeros(self.complete + 1)  # the last: what falls after the last whole step
        self.shift = 0  # run frame minus meter frame, for the cue being measured

    def add(self, first: int, energy: FloatArray) -> None:
        """Add energies that the meter counts from its frame ``first``."""
        if not len(energy):
            return
        lo = first + self.shift
        hi = lo + len(energy)
        a, b = self._step(lo), self._step(hi - 1)
        bounds = np.arange(a + 1, b + 1, dtype=np.int64) * self.rate // 10 - lo
        running = np.concatenate([[0.0], np.cumsum(energy)])
        parts = np.diff(running[np.concatenate([[0], bounds, [len(energy)]])])
        np.add.at(self.sums, np.minimum(np.arange(a, b + 1), self.complete), parts)

    def _step(self, frame: int) -> int:
        """Return the 100 ms step of the run that holds ``frame``."""
        return (10 * frame + 9) // self.rate

    def steps(self) -> Steps:
        """Return the collected energies as the steps of a meter fed the whole run."""
        bounds = np.arange(self.complete + 1, dtype=np.int64) * self.rate // 10
        counts = np.diff(bounds)
        total = float(self.sums.sum())
        return Steps(self.sums[:-1].tobytes(), counts.tobytes(), total, self.length)


def measure(
    spool: Spool, placements: Sequence[Placement], span: Span, rate: int
) -> dict[VoiceKey, VoiceRun]:
    """Measure each voice's speech in one run (pass 1)."""
    found: dict[VoiceKey, tuple[LoudnessMeter, _Placed, TruePeakMeter]] = {}
    for place in placements[span.first : span.stop]:
        if place.voice not in found:
            placed = _Placed(rate, span.end - span.start)
            found[place.voice] = (LoudnessMeter(rate, 1, placed.add), placed, TruePeakMeter())
        meter, placed, peak = found[place.voice]
        placed.shift = place.start - span.start - meter.frames
        for at in range(0, place.frames, _PIECE):
            audio = spool.read(place.offset + at, min(_PIECE, place.frames - at))
            meter.add(audio)
            peak.add(audio)
    return {
        key: VoiceRun(meter.steps(), placed.steps(), peak.peak())
        for key, (meter, placed, peak) in found.items()
    }


def levelled(voices: Mapping[VoiceKey, VoiceRun], gains: Mapping[VoiceKey, float]) -> Measured:
    """Return what the run of these voices at these linear gains measures, without rendering it.

    The run must hold no music; ``voices`` must not be empty.
    """
    parts = list(voices.items())
    first = parts[0][1].placed
    sums = np.zeros(len(first.sums) // 8)
    total = 0.0
    peak = 0.0
    for key, voice in parts:
        power = gains[key] ** 2
        sums += np.frombuffer(voice.placed.sums, dtype=np.float64) * power
        total += voice.placed.total * power
        peak = max(peak, voice.peak * gains[key])
    return Measured(Steps(sums.tobytes(), first.counts, total, first.frames), peak)


def to_bytes(voices: Mapping[VoiceKey, VoiceRun]) -> bytes:
    """Serialise each voice's measurements in one run, for the cache."""
    blobs = [(key, v.steps.to_bytes(), v.placed.to_bytes(), v.peak) for key, v in voices.items()]
    head = json.dumps([[list(key), len(a), len(b), peak] for key, a, b, peak in blobs])
    data = head.encode("utf-8")
    return struct.pack("<Q", len(data)) + data + b"".join(a + b for _, a, b, _ in blobs)


def from_bytes(data: bytes) -> dict[VoiceKey, VoiceRun]:
    """Read what ``to_bytes`` wrote.

    Raises:
        ValueError: the data is not serialised voice measurements.
    """
    (size,) = struct.unpack_from("<Q", data)
    at = 8 + size
    result: dict[VoiceKey, VoiceRun] = {}
    for (lang, voice), own, placed, peak in json.loads(data[8:at]):
        key = (str(lang), None if voice is None else str(voice))
        steps = Steps.from_bytes(data[at : at + own])
        spread = Steps.from_bytes(data[at + own : at + own + placed])
        result[key] = VoiceRun(steps, spread, float(peak))
        at += own + placed
    if at != len(data):
        raise ValueError("voice measurements of the wrong size")
    return result
