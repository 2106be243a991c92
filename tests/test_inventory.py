"""``polycast voices``: the default engine comes first and is the only one marked."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from polycast.cli import app
from polycast.speak import registry
from polycast.speak.choose import DEFAULT_ENGINE, SpeakSettings
from polycast.speak.inventory import inventory

runner = CliRunner()


def engine_lines(text: str) -> list[str]:
    """The header line of each engine block (language lines are indented)."""
    return [line for line in text.splitlines() if line and not line.startswith(" ")]


def test_the_default_engine_is_the_one_a_build_uses() -> None:
    assert DEFAULT_ENGINE == SpeakSettings().engine == "espeak"


def test_voices_lists_the_default_engine_first_and_marks_only_it() -> None:
    result = runner.invoke(app, ["voices"])
    assert result.exit_code == 0, result.output
    headers = engine_lines(result.stdout)
    assert headers[0].startswith(f"{DEFAULT_ENGINE}  (")
    assert [h.endswith(" *") for h in headers] == [True] + [False] * (len(headers) - 1)
    first_block = result.stdout.split(headers[1])[0]
    assert any(line.split() == ["nl", "nl*"] for line in first_block.splitlines())


def test_the_json_form_agrees() -> None:
    result = runner.invoke(app, ["voices", "--json", "--lang", "nl"])
    assert result.exit_code == 0, result.output
    engines = json.loads(result.stdout)["engines"]
    assert [e["default"] for e in engines] == [True] + [False] * (len(engines) - 1)
    assert engines[0]["name"] == DEFAULT_ENGINE
    assert engines[0]["languages"]["nl"] == {"default": "nl", "voices": ["nl"]}


def test_the_default_leads_even_when_registered_last(monkeypatch: pytest.MonkeyPatch) -> None:
    reordered = {name: registry.BUILTIN[name] for name in ("gtts", "piper", "espeak")}
    monkeypatch.setattr(registry, "BUILTIN", reordered)
    assert registry.engine_names()[0] == "gtts"
    names = [engine.name for engine in inventory(lang="nl")]
    assert names == ["espeak", "gtts", "piper"]
