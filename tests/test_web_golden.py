"""Golden files for 91 real web pages: what polycast speaks of each, so a change shows as a diff.

Each ``tests/data/web/KEY.html.gz`` (a saved news or blog page) has beside it ``KEY.txt``: the text
of every spoken segment but the title, a blank line between segments. After a deliberate change,
regenerate them with ``uv run python scripts/web_golden.py`` and read the diff before committing.
The benchmark's own score of these texts is ``scripts/score_web.py``.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from polycast.errors import PolycastError
from polycast.plan import segments_document
from polycast.read import read_article

PAGES = Path(__file__).parent / "data" / "web"
KEYS = sorted(p.name.removesuffix(".html.gz") for p in PAGES.glob("*.html.gz"))


def _spoken(key: str) -> str:
    data = gzip.decompress((PAGES / f"{key}.html.gz").read_bytes())
    try:
        document = segments_document(read_article(data, f"{key}.html"))
    except PolycastError:
        return ""
    said = [s["text"] for s in document["segments"] if s["spoken"] and s["kind"] != "title"]
    return "\n\n".join(said)


def test_every_page_has_its_golden_file() -> None:
    assert len(KEYS) == 91
    assert sorted(p.stem for p in PAGES.glob("*.txt")) == KEYS


@pytest.mark.parametrize("key", KEYS, ids=[key[:12] for key in KEYS])
def test_web_page_speaks_its_golden_text(key: str) -> None:
    expected = (PAGES / f"{key}.txt").read_text(encoding="utf-8")
    assert _spoken(key) + "\n" == expected, "regenerate with scripts/web_golden.py, read the diff"
