"""What a mix measured: the loudness and true peak of the episode, and each voice's level.

Apart from the mixer so that a build which copies a kept episode can read its report back
without loading the mixer (numpy, pydub).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class VoiceLevel:
    """How loud one voice was, and what it took to level it."""

    voice: str
    """Language, and voice where one was named (``nl``, ``en/en-us``)."""
    loudness: float
    """Its speech's integrated loudness as the engine made it, LUFS (mono)."""
    gain_db: float
    """Gain applied to it before the episode gain."""
    seconds: float
    """How long it speaks in the episode."""


@dataclass(frozen=True)
class MixReport:
    """What the final mix measures: for the build summary, and proof the targets were met."""

    loudness: float
    """Integrated loudness of the final 16-bit output, LUFS (ITU-R BS.1770-4)."""
    true_peak: float
    """Its true peak, dBTP (4x oversampled)."""
    target: float
    """The loudness aimed for."""
    ceiling: float
    """The true peak allowed."""
    gain_db: float
    """The one gain applied to the whole levelled episode."""
    limited: bool
    """Whether the peak limiter was needed."""
    voices: tuple[VoiceLevel, ...] = ()
    """Each voice's level and gain."""

    def summary(self) -> str:
        """Return one line for a person: ``-19.0 LUFS (target -19), true peak -3.1 dBTP``."""
        limited = ", peaks limited" if self.limited else ""
        return (
            f"{self.loudness:.1f} LUFS (target {self.target:g}), "
            f"true peak {self.true_peak:.1f} dBTP{limited}"
        )
