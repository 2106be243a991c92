"""Pass 1 of the mix: a run of speech is levelled from its voices' measurements, not rendered.

The levelled run a build never renders must measure what rendering it would: its loudness steps
and its true peak, checked here against the run rendered by hand and measured whole.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from polycast.mix.layout import Placement
from polycast.mix.loudness import LoudnessMeter
from polycast.mix.runs import Span
from polycast.mix.spool import Spool
from polycast.mix.truepeak import TruePeakMeter
from polycast.mix.voices import from_bytes, levelled, measure, to_bytes
from polycast.models import Cue
from speechlike import speech

RATE = 44100


def _run() -> tuple[Spool, list[Placement], Span]:
    """Five cues of two voices 20 dB apart, with pauses of odd lengths, in one run."""
    spool = Spool()
    placements, at = [], 1152 * 7  # the run starts where a cut would put it
    for k, (lang, level) in enumerate(
        [("nl", -16), ("en", -36), ("nl", -16), ("en", -36), ("nl", -18)]
    ):
        audio = speech(1.0 + 0.37 * k, RATE, level_db=level, seed=k).astype(np.float32)
        offset = spool.append(audio)
        placements.append(Placement(Cue(f"{k}", lang), (lang, None), at, at + len(audio), offset))
        at += len(audio) + 3001 * (k + 1)
    spool.finish()
    return spool, placements, Span(1152 * 7, at, 3001 * 5, 0, len(placements))


def _rendered(spool: Spool, placements: list[Placement], span: Span, gains: dict) -> np.ndarray:
    out = np.zeros(span.end - span.start)
    for place in placements:
        lo = place.start - span.start
        out[lo : lo + place.frames] += spool.read(place.offset, place.frames) * gains[place.voice]
    return out


@pytest.mark.parametrize("gains_db", [(0.0, 0.0), (1.5, 21.0), (-6.0, 12.5)])
def test_a_run_levelled_from_its_voices_measures_as_the_run_rendered(
    gains_db: tuple[float, float],
) -> None:
    spool, placements, span = _run()
    gains = {("nl", None): 10 ** (gains_db[0] / 20), ("en", None): 10 ** (gains_db[1] / 20)}
    found = measure(spool, placements, span, RATE)
    assert set(found) == set(gains)
    derived = levelled(found, gains)
    audio = _rendered(spool, placements, span, gains)
    meter, peak = LoudnessMeter(RATE), TruePeakMeter()
    meter.add(audio)
    peak.add(audio)
    whole = meter.steps()
    assert derived.steps.counts == whole.counts and derived.steps.frames == whole.frames
    joined = LoudnessMeter.joined(RATE, [derived.steps])
    assert joined.integrated() == pytest.approx(meter.integrated(), abs=1e-4)
    assert joined.ungated() == pytest.approx(meter.ungated(), abs=1e-4)
    sums, expected = (np.frombuffer(s.sums) for s in (derived.steps, whole))
    loud = expected > expected.max() * 1e-3  # steps of speech, not of a filter's ringing in a pause
    assert np.allclose(sums[loud], expected[loud], rtol=1e-3)
    assert 20 * math.log10(derived.peak / peak.peak()) == pytest.approx(0.0, abs=1e-4)
    spool.close()


def test_each_voice_keeps_its_own_loudness_and_its_measurements_round_trip() -> None:
    spool, placements, span = _run()
    found = measure(spool, placements, span, RATE)
    nl = LoudnessMeter.joined(RATE, [found[("nl", None)].steps]).integrated()
    en = LoudnessMeter.joined(RATE, [found[("en", None)].steps]).integrated()
    assert nl - en == pytest.approx(19.0, abs=1.5)  # the cues went in about 19 dB apart
    assert from_bytes(to_bytes(found)) == found
    with pytest.raises(ValueError, match="wrong size"):
        from_bytes(to_bytes(found) + b"\0")
    spool.close()
