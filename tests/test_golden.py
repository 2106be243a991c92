"""Golden files: every article in tests/data/articles next to the `segments --json` it must give.

A new case is two files and no code: ``<name>.md`` (or .txt, .html) and ``<name>.json``. After a
deliberate change, regenerate them with ``POLYCAST_REGEN_GOLDEN=1 uv run pytest
tests/test_golden.py`` and read the new speech before committing it.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from polycast.plan import segments_document
from polycast.plan.views import dumps
from polycast.read import read_article

ARTICLES = Path(__file__).parent / "data" / "articles"
SOURCES = sorted(p for p in ARTICLES.iterdir() if p.suffix in (".txt", ".md", ".html"))
REGENERATE = os.environ.get("POLYCAST_REGEN_GOLDEN") == "1"

# What must never be read aloud: links, template and HTML tags, Markdown, table pipes, and @ or #
# used as markup (an e-mail address would be fine: "me@example.com").
NEVER_SPOKEN = re.compile(
    r"http|://|www\.|pic\.twitter|\{%|\{\{|<[a-zA-Z/!]|\]\(|!\[|\||(?<!\w)[@#]\w", re.IGNORECASE
)


def _document(source: Path) -> dict[str, Any]:
    return segments_document(read_article(source.read_bytes(), source.name))


@pytest.fixture(scope="module")
def documents() -> dict[str, dict[str, Any]]:
    return {source.name: _document(source) for source in SOURCES}


def test_there_are_golden_cases() -> None:
    assert len(SOURCES) >= 3
    assert {p.suffix for p in SOURCES} >= {".txt", ".md"}


@pytest.mark.parametrize("source", SOURCES, ids=[p.name for p in SOURCES])
def test_golden(source: Path, documents: dict[str, dict[str, Any]]) -> None:
    expected_file = source.with_suffix(".json")
    document = documents[source.name]
    if REGENERATE:
        expected_file.write_text(dumps(document), encoding="utf-8")
    if not expected_file.exists():
        pytest.fail(f"{expected_file.name} is missing; regenerate with POLYCAST_REGEN_GOLDEN=1")
    expected = json.loads(expected_file.read_text(encoding="utf-8"))
    assert document == expected
    assert expected_file.read_text(encoding="utf-8") == dumps(document)  # byte for byte


def test_no_markup_or_links_in_any_speech(documents: dict[str, dict[str, Any]]) -> None:
    problems = [
        f"{name} #{segment['index']}: {match.group(0)!r} in {segment['speech'][:80]!r}"
        for name, document in documents.items()
        for segment in document["segments"]
        if segment["speech"] and (match := NEVER_SPOKEN.search(segment["speech"]))
    ]
    assert problems == []


def test_every_spoken_segment_has_a_language(documents: dict[str, dict[str, Any]]) -> None:
    for document in documents.values():
        assert re.fullmatch(r"[a-z]{2,3}(-[a-z0-9]+)?", document["language"])
        for segment in document["segments"]:
            assert re.fullmatch(r"[a-z]{2,3}(-[a-z0-9]+)?", segment["lang"])
