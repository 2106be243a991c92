"""The cue audio cache: keys, location, exact round trips, and damaged entries never used."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from polycast.cache import default_cache_dir
from polycast.cache.speech import ClipCache, cache_key, decode_entry, encode_entry
from polycast.errors import OutputError
from polycast.models import Clip
from polycast.speak.espeak import EspeakEngine


@pytest.fixture(scope="module")
def speech() -> Clip:
    return EspeakEngine().synthesize("Dit is een zin om te bewaren.", "nl")


def same(a: Clip, b: Clip) -> bool:
    return (
        a.rate == b.rate
        and a.samples.dtype == b.samples.dtype
        and np.array_equal(a.samples, b.samples)
    )


def test_key_changes_with_everything_that_shapes_the_audio() -> None:
    base = cache_key("espeak-ng/1.52.0 voice=nl rate=175", "nl", "Hallo", None)
    assert base == cache_key("espeak-ng/1.52.0 voice=nl rate=175", "nl", "Hallo", None)
    others = {
        cache_key("espeak-ng/1.52.0 voice=nl rate=176", "nl", "Hallo", None),
        cache_key("espeak-ng/1.52.0 voice=nl rate=175", "nl-be", "Hallo", None),
        cache_key("espeak-ng/1.52.0 voice=nl rate=175", "nl", "Hallo!", None),
        cache_key("espeak-ng/1.52.0 voice=nl rate=175", "nl", "Hallo", "nl+f3"),
    }
    assert base not in others
    assert len(others) == 4
    assert len(base) == 64


def test_location_is_explicit_then_env_then_xdg_then_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("POLYCAST_CACHE", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    assert default_cache_dir() == tmp_path / "home" / ".cache" / "polycast"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "polycast"
    monkeypatch.setenv("POLYCAST_CACHE", str(tmp_path / "mine"))
    assert default_cache_dir() == tmp_path / "mine"
    assert ClipCache().folder == tmp_path / "mine"
    assert ClipCache(tmp_path / "explicit").folder == tmp_path / "explicit"


def test_speech_comes_back_exactly_and_smaller_than_raw(tmp_path: Path, speech: Clip) -> None:
    cache = ClipCache(tmp_path / "cache")
    key = cache_key("id", "nl", "text")
    assert cache.get(key) is None
    assert key not in cache
    cache.put(key, speech)
    assert key in cache
    back = cache.get(key)
    assert back is not None and same(back, speech)
    assert cache.path(key).stat().st_size < 0.8 * speech.samples.nbytes
    assert [p.name for p in cache.path(key).parent.iterdir()] == [f"{key}.clip"]  # no .part left


def test_empty_clip_round_trips(tmp_path: Path) -> None:
    cache = ClipCache(tmp_path)
    empty = Clip(samples=np.zeros(0, dtype=np.int16), rate=24000)
    cache.put("e" * 64, empty)
    back = cache.get("e" * 64)
    assert back is not None and same(back, empty)


@settings(max_examples=40, deadline=None)
@given(
    samples=arrays(np.int16, st.integers(0, 3000)),
    rate=st.sampled_from([8000, 16000, 22050, 24000, 44100, 48000]),
)
def test_any_clip_round_trips_exactly(samples: np.ndarray, rate: int) -> None:
    clip = Clip(samples=samples, rate=rate)
    assert same(decode_entry(encode_entry(clip)), clip)


def damage_truncate(data: bytes) -> bytes:
    return data[: len(data) // 2]


def damage_flip(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0x40]) + data[middle + 1 :]


def damage_header(data: bytes) -> bytes:
    return b"RIFF" + data[4:]


def damage_empty(data: bytes) -> bytes:
    return b""


def damaged_entry(
    folder: Path, speech: Clip, damage: Callable[[bytes], bytes]
) -> tuple[ClipCache, str, Path]:
    """Keep ``speech`` in a cache in ``folder``, then ``damage`` its entry on disk."""
    cache = ClipCache(folder)
    key = cache_key("id", "nl", "damaged")
    cache.put(key, speech)
    path = cache.path(key)
    path.write_bytes(damage(path.read_bytes()))
    return cache, key, path


@pytest.mark.parametrize("damage", [damage_truncate, damage_flip, damage_header, damage_empty])
def test_damaged_entry_is_never_used_but_logged_and_removed(
    tmp_path: Path, speech: Clip, damage: Callable[[bytes], bytes], caplog: pytest.LogCaptureFixture
) -> None:
    cache, key, path = damaged_entry(tmp_path, speech, damage)
    with caplog.at_level(logging.WARNING, logger="polycast.cache.speech"):
        assert cache.get(key) is None
    assert "damaged" in caplog.text
    assert not path.exists()
    cache.put(key, speech)  # made again, then good
    back = cache.get(key)
    assert back is not None and same(back, speech)


def test_a_kept_entry_is_checked_and_named_but_not_decoded(tmp_path: Path, speech: Clip) -> None:
    cache = ClipCache(tmp_path)
    key = cache_key("id", "nl", "kept")
    assert cache.kept(key) is None
    put = cache.put(key, speech)
    assert put.clip is speech  # just spoken: its samples are at hand
    decoded: list[bytes] = []

    def counting(data: bytes) -> Clip:
        decoded.append(data)
        return decode_entry(data)

    kept = cache.kept(key)
    assert kept is not None and kept.clip is None
    assert (kept.name, kept.rate, kept.frames) == (put.name, speech.rate, len(speech.samples))
    assert same(replace(kept, decode=counting).open(), speech) and len(decoded) == 1
    other = cache_key("id", "nl", "other")
    assert cache.put(other, Clip(speech.samples[:-1], speech.rate)).name != put.name


@pytest.mark.parametrize("damage", [damage_truncate, damage_flip, damage_header, damage_empty])
def test_a_damaged_entry_is_not_kept_either(
    tmp_path: Path, speech: Clip, damage: Callable[[bytes], bytes]
) -> None:
    cache, key, path = damaged_entry(tmp_path, speech, damage)
    assert cache.kept(key) is None
    assert not path.exists()


def test_audio_that_disagrees_with_its_header_is_refused(speech: Clip) -> None:
    header = len(encode_entry(Clip(samples=np.zeros(0, dtype=np.int16), rate=8000)))
    other = encode_entry(Clip(samples=speech.samples[:100], rate=speech.rate))
    good = encode_entry(speech)
    with pytest.raises(ValueError, match="checksum"):
        decode_entry(good[:header] + other[header:])


def test_unwritable_cache_folder_is_an_output_error(tmp_path: Path, speech: Clip) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(OutputError, match="cache folder"):
        ClipCache(blocker / "cache").put("ab" * 32, speech)


def test_writers_racing_on_one_key_leave_a_whole_entry(tmp_path: Path, speech: Clip) -> None:
    cache = ClipCache(tmp_path)
    key = cache_key("id", "nl", "race")
    shorter = Clip(samples=speech.samples[: len(speech.samples) // 2], rate=speech.rate)
    threads = [
        threading.Thread(target=cache.put, args=(key, clip)) for clip in [speech, shorter] * 4
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    back = cache.get(key)
    assert back is not None and (same(back, speech) or same(back, shorter))
    assert len(list(cache.path(key).parent.iterdir())) == 1
