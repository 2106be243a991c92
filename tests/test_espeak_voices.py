"""The espeak-ng voice catalogue kept in the cache folder (``polycast.speak.espeak_voices``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from polycast.speak import SpeakSettings, espeak, espeak_voices
from polycast.speak.choose import choose_engines


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Forget this process's library, and count how often it is asked for its voices."""
    monkeypatch.setattr(espeak, "_LIBRARY", None)
    monkeypatch.setattr(espeak, "_VOICES_FOLDER", None)
    asked: list[int] = []
    listed = espeak._Library._catalogue

    def counted(self: espeak._Library) -> espeak_voices.Catalogue:
        asked.append(1)
        return listed(self)

    monkeypatch.setattr(espeak._Library, "_catalogue", counted)
    yield asked
    monkeypatch.setattr(espeak, "_LIBRARY", None)


def _again(monkeypatch: pytest.MonkeyPatch) -> espeak._Library:
    monkeypatch.setattr(espeak, "_LIBRARY", None)
    return espeak._library()


def test_the_catalogue_kept_by_one_process_spares_the_next_its_listing(
    tmp_path: Path, fresh: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    espeak.keep_voices_in(tmp_path)
    first = espeak._library()
    assert len(fresh) == 1
    assert len(list((tmp_path / "voices").glob("espeak-*.json"))) == 1
    second = _again(monkeypatch)
    assert len(fresh) == 1  # read, not listed again
    assert (second.version, second.rate) == (first.version, first.rate)
    assert second.voices == first.voices
    assert second.files == first.files
    assert second.voices["nl"][0] == "nl"
    assert second.file_of("nl") == "gmw/nl"


@pytest.mark.parametrize(
    "content",
    [b"", b"not json", b'{"format": 1}', b'{"format": 99, "version": "1", "rate": 22050}', b"[]"],
)
def test_a_damaged_catalogue_is_listed_again_and_replaced(
    tmp_path: Path, fresh: list[int], monkeypatch: pytest.MonkeyPatch, content: bytes
) -> None:
    espeak.keep_voices_in(tmp_path)
    whole = espeak._library()
    kept = next((tmp_path / "voices").glob("espeak-*.json"))
    kept.write_bytes(content)
    again = _again(monkeypatch)
    assert len(fresh) == 2
    assert again.voices == whole.voices
    assert espeak_voices.Catalogue.from_bytes(kept.read_bytes()).voices == whole.voices


def test_another_installation_does_not_use_the_catalogue(
    tmp_path: Path, fresh: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    espeak.keep_voices_in(tmp_path)
    espeak._library()
    monkeypatch.setattr(espeak_voices, "key", lambda library, data: "another-installation")
    _again(monkeypatch)
    assert len(fresh) == 2
    assert len(list((tmp_path / "voices").glob("espeak-*.json"))) == 2


def test_without_a_cache_no_catalogue_is_read_or_written(
    tmp_path: Path, fresh: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POLYCAST_CACHE", str(tmp_path))
    choose_engines(["nl"], SpeakSettings(cache=False))
    assert len(fresh) == 1
    assert not (tmp_path / "voices").exists()
    choose_engines(["nl"], SpeakSettings(cache=True))
    _again(monkeypatch)
    assert (tmp_path / "voices").is_dir()


def test_a_folder_that_cannot_be_written_keeps_nothing_and_fails_nothing(
    tmp_path: Path, fresh: list[int]
) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("a file where the cache folder would be")
    espeak.keep_voices_in(blocked)
    assert espeak._library().voices["en"]
    assert len(fresh) == 1
