"""The browser harness itself: a machine without Chromium fails the browser tests, never skips."""

from __future__ import annotations

from pathlib import Path

import pytest
from browsing import find_chromium, png


@pytest.mark.parametrize("ci", ["", "true"])
def test_no_chromium_fails_saying_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ci: str
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.fail.Exception, match=r"apt-get install chromium"):
        find_chromium(tmp_path / "chromium")


def test_a_chromium_on_the_path_is_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    browser = tmp_path / "chromium"
    browser.write_text("#!/bin/sh\n")
    browser.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert find_chromium(tmp_path / "elsewhere") == str(browser)


def test_the_artwork_is_a_png() -> None:
    picture = png(8)
    assert picture.startswith(b"\x89PNG\r\n\x1a\n") and picture.endswith(b"IEND\xaeB`\x82")
