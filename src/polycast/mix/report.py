"""What a mix measured, and how it is kept between builds.

A report writes and reads itself (``to_data``/``from_data``) field by field, so a field added to
it is kept and read back without anyone listing it again.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

_PLAIN: dict[str, tuple[type, ...]] = {"float": (int, float), "bool": (bool,), "str": (str,)}
"""The JSON types a field of each plain annotation may be read back from."""


def _fields(cls: type, data: Mapping[str, Any]) -> dict[str, Any]:
    """Take every field of dataclass ``cls`` from ``data``, checking the plain ones' types."""
    values = {}
    for field in dataclasses.fields(cls):
        value = data[field.name]
        kinds = _PLAIN.get(str(field.type))
        if kinds is not None and not isinstance(value, kinds):
            raise TypeError(f"{field.name} is {value!r}, not a {field.type}")
        values[field.name] = value
    return values


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

    def to_data(self) -> dict[str, Any]:
        """Return the level as JSON data, every field by name."""
        return dataclasses.asdict(self)

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> VoiceLevel:
        """Read back what ``to_data`` wrote (raises KeyError or TypeError when it cannot)."""
        return cls(**_fields(cls, data))


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
    short_term: tuple[float, ...] = ()
    """Short-term loudness (3 s windows, LUFS, silence at -70) every 500 ms from 3 s on: the
    timeline picture's curve, kept with the episode so a rebuild draws the very same one."""

    def summary(self) -> str:
        """Return one line for a person: ``-19.0 LUFS (target -19), true peak -3.1 dBTP``."""
        limited = ", peaks limited" if self.limited else ""
        return (
            f"{self.loudness:.1f} LUFS (target {self.target:g}), "
            f"true peak {self.true_peak:.1f} dBTP{limited}"
        )

    def to_data(self) -> dict[str, Any]:
        """Return the report as JSON data, every field by name (for the episode cache)."""
        data = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        data["voices"] = [voice.to_data() for voice in self.voices]
        data["short_term"] = list(self.short_term)
        return data

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> MixReport:
        """Read back what ``to_data`` wrote.

        Raises:
            KeyError, TypeError: ``data`` lacks a field, or holds one of the wrong type.
        """
        values = _fields(cls, data)
        values["voices"] = tuple(VoiceLevel.from_data(voice) for voice in data["voices"])
        values["short_term"] = tuple(float(level) for level in data["short_term"])
        return cls(**values)
