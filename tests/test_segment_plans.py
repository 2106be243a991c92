"""Plans of segments kept between builds: an edited article plans again only what it changed."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

import pytest

from polycast.cache.plans import SegmentCache
from polycast.models import Article, Cue, Kind, Post, Segment
from polycast.plan import Pauses, PlanSettings, plan
from polycast.plan import cues as plan_cues
from polycast.read import read_article

EXAMPLE = Path(__file__).parent / "data" / "articles" / "loekasjenko-poetin-2021-09.txt"
OLD = "gezamenlijke olie- en gasmarkt te komen."
NEW = "gezamenlijke energiemarkt te komen. Dat werd donderdag bekend."


@pytest.fixture
def planned(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The index of every segment the planner plans (rather than takes as kept)."""
    indexes: list[int] = []
    segment_cues = plan_cues.segment_cues

    def counting(index: int, segment: Segment, **kwargs: object) -> plan_cues.Spoken:
        indexes.append(index)
        return segment_cues(index, segment, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(plan_cues, "segment_cues", counting)
    return indexes


def example(text: str | None = None) -> Article:
    data = EXAMPLE.read_bytes() if text is None else text.encode("utf-8")
    return read_article(data, EXAMPLE.name)


def test_an_edited_article_plans_only_the_edited_segment(
    tmp_path: Path, planned: list[int]
) -> None:
    kept, settings = SegmentCache(tmp_path), PlanSettings()
    article = example()
    first = plan(article, settings, kept=kept)
    assert planned == list(range(len(article.segments)))
    planned.clear()
    assert plan(article, settings, kept=kept) == first and planned == []

    text = EXAMPLE.read_text(encoding="utf-8")
    assert text.count(OLD) == 1
    edited = example(text.replace(OLD, NEW))
    changed = [i for i, s in enumerate(edited.segments) if s != article.segments[i]]
    assert len(changed) == 1
    rundown = plan(edited, settings, kept=kept)
    assert planned == changed
    assert rundown == plan(edited, settings)  # as planned from scratch, cue by cue


def test_a_moved_segment_is_taken_with_its_new_index(tmp_path: Path, planned: list[int]) -> None:
    kept, settings = SegmentCache(tmp_path), PlanSettings()
    article = example()
    first = plan(article, settings, kept=kept)
    planned.clear()
    heading = Segment(Kind.HEADING, "Een nieuw begin")
    moved = replace(article, segments=(heading, *article.segments))
    rundown = plan(moved, settings, kept=kept)
    assert planned == [0]
    assert rundown == plan(moved, settings)
    before = {cue.segment for ch in first.chapters for cue in ch.cues}
    assert {cue.segment for ch in rundown.chapters for cue in ch.cues} == {0} | {
        k + 1 for k in before
    }


def test_what_shapes_a_segments_plan_is_in_its_key(tmp_path: Path, planned: list[int]) -> None:
    kept = SegmentCache(tmp_path)
    article = Article(
        segments=(
            Segment(
                Kind.PARAGRAPH, "De minister was kort van stof over de gesprekken van gisteren."
            ),
            Segment(Kind.POST, "We follow the talks in The Hague.", post=Post(author="CEPA")),
        ),
        language="nl",
    )
    settings = PlanSettings()
    plan(article, settings, kept=kept)
    for other in (
        replace(settings, pauses=Pauses(paragraph=900)),
        replace(settings, min_confidence=0.99),
    ):
        planned.clear()
        assert plan(article, other, kept=kept) == plan(article, other)
        assert planned[:2] == [0, 1]  # planned again, not taken
    planned.clear()
    plan(article, settings, ["nl", "en-us", "en-gb"], kept=kept)
    assert planned == [0, 1]  # other languages to choose from
    planned.clear()
    assert plan(article, settings, ["nl", "en-gb", "en-us"], kept=kept) == plan(
        article, settings, ["nl", "en-gb", "en-us"]
    )
    assert planned[:2] == [0, 1]  # English is en-gb now: the same languages in another order
    planned.clear()
    plan(replace(article, language="en"), settings, kept=kept)
    assert planned == [0, 1]  # another narration language: the post is introduced in English


def test_a_damaged_entry_is_planned_again(
    tmp_path: Path, planned: list[int], caplog: pytest.LogCaptureFixture
) -> None:
    kept, settings = SegmentCache(tmp_path), PlanSettings()
    article = Article(segments=(Segment(Kind.PARAGRAPH, "Een zin om te bewaren."),), language="nl")
    first = plan(article, settings, kept=kept)
    (entry,) = (tmp_path / "segments").rglob("*.json")
    for damage in (b"{", b'{"lang": "nl", "cues": [{"text": 1}]}', b'{"lang": 5, "cues": []}'):
        entry.write_bytes(damage)
        planned.clear()
        with caplog.at_level(logging.WARNING, logger="polycast.cache.plans"):
            assert plan(article, settings, kept=kept) == first
        assert planned == [0] and "unreadable" in caplog.text
        caplog.clear()


def test_a_kept_plan_reads_back_field_by_field(tmp_path: Path) -> None:
    kept, settings = SegmentCache(tmp_path), PlanSettings()
    segment = Segment(Kind.QUOTE, "Hallo")
    cues = (Cue("Hallo", "nl", Kind.QUOTE, -1, 300, "Charles", "nl+f3"),)
    kept.put(segment, "nl", settings, None, ("nl", cues))
    assert kept.get(segment, "nl", settings, None) == ("nl", cues)
    assert kept.get(segment, "en", settings, None) is None
