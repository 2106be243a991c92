"""Mix stage: clips in, a timeline out; voices levelled, pauses exact, loudness on target.

``mix(rundown, clips, settings)`` consumes the speak stage's clips one by one and returns the
``Timeline`` (audio rendered once into a temporary file and read back in blocks, cue and
chapter times in samples, and the runs it was mixed in) and a ``MixReport`` (the measured
loudness and true peak of the final output). Given a store, it keeps what it measured of each
run and measures again only runs it has not seen.
"""

from polycast.mix.loudness import LoudnessMeter, integrated_loudness
from polycast.mix.mixer import MixResult, mix
from polycast.mix.music import Music, check_music, load_music
from polycast.mix.report import MixReport, VoiceLevel
from polycast.mix.settings import BedSpan, MixSettings
from polycast.mix.truepeak import TruePeakMeter

__all__ = [
    "BedSpan",
    "LoudnessMeter",
    "MixReport",
    "MixResult",
    "MixSettings",
    "Music",
    "TruePeakMeter",
    "VoiceLevel",
    "check_music",
    "integrated_loudness",
    "load_music",
    "mix",
]
