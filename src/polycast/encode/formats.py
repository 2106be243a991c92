"""The episode's audio formats, and what each needs from the mix.

Lossy codecs move peaks: the decoded file's true peak lies above the mix's. Measured on our
speech (espeak, the example article and the short test article, decoded and oversampled 4x),
LAME at the default 64 kb/s raised them by up to 0.2 dB (up to 1.2 dB at 32 and 48 kb/s stereo),
Opus by up to 1.3 dB at 24 to 96 kb/s. The show's ``mix.true_peak`` is the ceiling of the FILE,
so the mix aims ``HEADROOM_DB`` lower for the format, and the limiter, not the level, makes the
room: the loudness target is unchanged.
"""

from __future__ import annotations

from dataclasses import replace
from enum import StrEnum
from typing import Any

from polycast.errors import ConfigError
from polycast.mix.settings import MixSettings

OPUS_RATE = 48000
"""The rate Opus encodes and decodes at."""


class AudioFormat(StrEnum):
    """The episode's audio format."""

    MP3 = "mp3"
    """CBR MP3 with ID3v2.3 chapters: what every podcast app plays."""
    OPUS = "opus"
    """Ogg Opus with Vorbis-comment chapters: smaller at the same quality, 48 kHz."""

    @property
    def suffix(self) -> str:
        """The file name suffix (``.mp3``, ``.opus``)."""
        return f".{self.value}"


HEADROOM_DB = {AudioFormat.MP3: 0.5, AudioFormat.OPUS: 1.5}
"""How far under the show's true-peak ceiling the mix aims, per format (see the module doc)."""


def parse_format(value: Any) -> AudioFormat:
    """Read an audio format name (``"mp3"``, ``"opus"``) from a config file.

    Raises:
        ConfigError: the name is not a known format.
    """
    try:
        return AudioFormat(value)
    except ValueError:
        names = ", ".join(f.value for f in AudioFormat)
        raise ConfigError(f"output.format must be one of {names}, not {value!r}") from None


def mix_for(audio_format: AudioFormat, settings: MixSettings) -> MixSettings:
    """Return the mix settings that make a file of ``audio_format`` meet ``settings``.

    The ceiling drops by the format's headroom (never below the mix's -12 dBTP floor); Opus is
    mixed at 48 kHz, its only rate, so nothing is resampled after the peaks are measured.

    >>> mix = mix_for(AudioFormat.OPUS, MixSettings())
    >>> mix.rate, mix.true_peak, mix.target
    (48000, -2.5, -19.0)
    >>> mix_for(AudioFormat.MP3, MixSettings(rate=48000)).true_peak
    -1.5
    """
    ceiling = max(-12.0, settings.true_peak - HEADROOM_DB[audio_format])
    rate = OPUS_RATE if audio_format is AudioFormat.OPUS else settings.rate
    return replace(settings, rate=rate, true_peak=ceiling)
