"""Cache keys name explicit fields, and a cached report reads back every field it wrote."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from polycast.cache.keys import canonical, key
from polycast.mix import MixReport, MixSettings, VoiceLevel
from polycast.mix.settings import BedSpan
from polycast.models import Cue, Kind


@dataclass(frozen=True)
class Printed:
    """Two values that print alike but differ: a key must tell them apart."""

    value: object

    def __repr__(self) -> str:
        return "Printed"


def test_a_key_is_made_of_named_fields_enums_by_value_and_paths_as_text() -> None:
    data = canonical(MixSettings(sting=Path("audio/sting.wav"), bed_span=BedSpan.EPISODE))
    assert isinstance(data, dict)
    assert data["sting"] == "audio/sting.wav"
    assert data["bed_span"] == "episode"
    assert canonical(Cue("Hallo", "nl", Kind.QUOTE)) == {
        "text": "Hallo",
        "lang": "nl",
        "kind": "quote",
        "segment": -1,
        "pause_ms": 0,
        "speaker": "narrator",
        "voice": None,
    }
    json.dumps(data)  # plain data, nothing left to print


def test_a_key_does_not_go_through_repr() -> None:
    assert key("x", Printed(1)) != key("x", Printed(2))
    assert key("x", Cue("Hallo", "nl")) != key("x", Cue("Hallo", "nl", pause_ms=1))
    assert key("plan", Cue("a", "nl")) != key("episode", Cue("a", "nl"))


def test_a_value_a_key_cannot_name_is_refused() -> None:
    with pytest.raises(TypeError, match="function"):
        canonical(print)


def test_a_report_reads_back_every_field_it_wrote() -> None:
    report = MixReport(-19.0, -3.1, -19, -1.5, 2.5, True, (VoiceLevel("nl", -24.0, 5.0, 12.5),))
    data = json.loads(json.dumps(report.to_data()))
    assert MixReport.from_data(data) == report
    del data["voices"][0]["seconds"]
    with pytest.raises(KeyError):
        MixReport.from_data(data)
    with pytest.raises(TypeError):
        MixReport.from_data({**report.to_data(), "limited": "yes"})
