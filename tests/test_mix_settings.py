"""MixSettings: defaults, the [mix] table, and a clear ConfigError for every bad value."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from polycast.errors import ConfigError
from polycast.mix import BedSpan, MixSettings


def test_defaults_and_target_by_channels() -> None:
    mono = MixSettings()
    assert (mono.rate, mono.channels, mono.true_peak) == (44100, 1, -1.0)
    assert mono.target == -19.0
    assert MixSettings(channels=2).target == -16.0
    assert MixSettings(channels=2, loudness=-18.5).target == -18.5
    assert mono.sting is None and mono.bed is None


def test_a_full_table_reads_back(tmp_path: Path) -> None:
    table = tomllib.loads(
        """
        rate = 48000
        channels = 2
        loudness = -18
        true_peak = -1.5
        trim_db = 40
        trim_keep_ms = 5
        intro = false
        outro = true
        intro_text = "Hallo, dit is {show}: {title}."
        sting = "audio/sting.flac"
        bed = false
        bed_span = "episode"
        sting_level = -6
        bed_level = -20
        duck_db = 10
        """
    )
    settings = MixSettings.from_toml(table, base=tmp_path)
    assert settings.rate == 48000 and settings.channels == 2
    assert settings.loudness == -18.0 and isinstance(settings.loudness, float)
    assert settings.target == -18.0
    assert settings.sting == tmp_path / "audio/sting.flac"
    assert settings.bed is None
    assert settings.bed_span is BedSpan.EPISODE
    assert settings.intro is False and settings.intro_text == "Hallo, dit is {show}: {title}."
    assert MixSettings.from_toml({"sting": "/abs/s.wav"}, base=tmp_path).sting == Path("/abs/s.wav")
    assert MixSettings.from_toml({}) == MixSettings()


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"rates": 44100}, "unknown key mix.rates"),
        ({"rate": 22050}, "44100 or 48000"),
        ({"rate": "44100"}, "wrong type"),
        ({"channels": 3}, "1 or 2"),
        ({"channels": True}, "wrong type"),
        ({"loudness": -60}, "between"),
        ({"loudness": "loud"}, "wrong type"),
        ({"true_peak": 0.5}, "between"),
        ({"trim_keep_ms": 2.5}, "wrong type"),
        ({"intro": "yes"}, "true or false"),
        ({"sting": 3}, "a file path or false"),
        ({"sting": True}, "a file path or false"),
        ({"bed_span": "always"}, "frame, episode"),
        ({"intro_text": "Hi {name}"}, "only {show} and {title}"),
        ({"outro_text": "Bye {"}, "not a valid template"),
        ({"duck_db": -3}, "between"),
    ],
)
def test_bad_values_fail_with_the_key_and_the_reason(
    table: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigError, match="mix\\.") as error:
        MixSettings.from_toml(table)
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_direct_construction_is_checked_too() -> None:
    with pytest.raises(ConfigError, match=r"mix\.rate"):
        MixSettings(rate=8000)
    with pytest.raises(ConfigError, match=r"mix\.trim_db"):
        MixSettings(trim_db=float("nan"))
