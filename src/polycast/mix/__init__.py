"""Mix stage: clips in, a timeline out; voices levelled, pauses exact, loudness on target.

``mix(rundown, clips, settings)`` consumes the speak stage's clips one by one and returns the
``Timeline`` (audio rendered once into a temporary file and read back in blocks, cue and
chapter times in samples, and the runs it was mixed in) and a ``MixReport`` (the measured
loudness and true peak of the final output). Given a store, it keeps what it measured of each
run and measures again only runs it has not seen.

Names are imported from their modules on first use, so reading ``MixSettings`` (every command
does) loads neither numpy nor pydub.
"""

from typing import TYPE_CHECKING

from polycast.lazy import exports

if TYPE_CHECKING:
    from polycast.mix.loudness import LoudnessMeter, integrated_loudness
    from polycast.mix.mixer import MixResult, mix
    from polycast.mix.music import Music, load_music
    from polycast.mix.report import MixReport, VoiceLevel
    from polycast.mix.settings import BedSpan, MixSettings, check_music
    from polycast.mix.truepeak import TruePeakMeter

_WHERE = {
    "LoudnessMeter": "polycast.mix.loudness",
    "integrated_loudness": "polycast.mix.loudness",
    "MixReport": "polycast.mix.report",
    "MixResult": "polycast.mix.mixer",
    "VoiceLevel": "polycast.mix.report",
    "mix": "polycast.mix.mixer",
    "Music": "polycast.mix.music",
    "load_music": "polycast.mix.music",
    "check_music": "polycast.mix.settings",
    "BedSpan": "polycast.mix.settings",
    "MixSettings": "polycast.mix.settings",
    "TruePeakMeter": "polycast.mix.truepeak",
}
"""Which module defines each name, imported on first use (see ``__getattr__``)."""


__getattr__ = exports(__name__, _WHERE)


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
