from __future__ import annotations

import doctest
import json
import math
import re
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from polycast import companions, times
from polycast.models import NARRATOR, EpisodeInfo
from publish_fixtures import CHAPTERS, CUES, RATE, timeline

INFO = EpisodeInfo(title="Loekasjenko & Poetin", language="nl", author="Redactie", album="Show")
TIMING = re.compile(r"(\d{2,}):(\d{2}):(\d{2})([.,])(\d{3}) --> (\d{2,}):(\d{2}):(\d{2})\4(\d{3})")


def exact_ms(samples: int, rate: int) -> int:
    """Independent reference: exact rational rounding, halves up (as the ID3 chapter frames)."""
    return math.floor(Fraction(samples * 1000, rate) + Fraction(1, 2))


def to_ms(groups: tuple[str, ...]) -> int:
    hours, minutes, seconds, millis = (int(g) for g in groups)
    return ((hours * 60 + minutes) * 60 + seconds) * 1000 + millis


def unescape(text: str) -> str:
    table = {"&lt;": "<", "&gt;": ">", "&amp;": "&"}
    assert not re.search(r"&(?!lt;|gt;|amp;)", text), text
    return re.sub(r"&(lt|gt|amp);", lambda m: table[m.group(0)], text)


def parse_vtt(text: str) -> list[tuple[int, int, str, str]]:
    """A strict reader: checks the structure WebVTT requires and returns the cues."""
    assert text.startswith("WEBVTT\n\n") or text == "WEBVTT\n"
    assert text.endswith("\n") and not text.endswith("\n\n\n")
    cues = []
    last_start = -1
    for block in text[len("WEBVTT\n\n") :].split("\n\n"):
        if not block.strip():
            continue
        lines = block.rstrip("\n").split("\n")
        assert "-->" not in lines[0] and lines[0].strip(), block  # cue identifier
        match = TIMING.fullmatch(lines[1])
        assert match, lines[1]
        assert match.group(4) == "."
        start, end = to_ms(match.groups()[0:3] + match.groups()[4:5]), to_ms(match.groups()[5:9])
        assert end > start >= last_start
        last_start = start
        assert len(lines) == 3 and lines[2] and "-->" not in lines[2]
        voice = re.fullmatch(r"<v ([^>]+)>(.*)", lines[2])
        assert voice, lines[2]
        speaker, payload = voice.groups()
        assert "<" not in payload and ">" not in payload
        cues.append((start, end, unescape(speaker), unescape(payload)))
    return cues


def parse_srt(text: str) -> list[tuple[int, int, str]]:
    cards = []
    for number, block in enumerate(filter(None, text.split("\n\n")), 1):
        lines = block.split("\n")
        assert lines[0] == str(number)
        match = TIMING.fullmatch(lines[1])
        assert match and match.group(4) == ","
        start, end = to_ms(match.groups()[0:3] + match.groups()[4:5]), to_ms(match.groups()[5:9])
        assert len(lines) == 3 and lines[2] and "-->" not in lines[2]
        cards.append((start, end, lines[2]))
    return cards


def test_doctests() -> None:
    assert doctest.testmod(companions).failed == 0


def test_chapters_json_is_podcasting20_with_sample_exact_times() -> None:
    line = timeline(CUES, CHAPTERS, RATE)
    document = json.loads(companions.chapters_json(line, INFO))
    assert document["version"] == "1.2.0"
    assert document["title"] == "Loekasjenko & Poetin"
    assert document["author"] == "Redactie" and document["podcastName"] == "Show"
    starts = [c["startTime"] for c in document["chapters"]]
    assert starts == sorted(starts) and starts[0] == 0
    for chapter, (start, end, title, url) in zip(document["chapters"], CHAPTERS, strict=True):
        assert round(chapter["startTime"] * 1000) == exact_ms(start, RATE)
        assert round(chapter["endTime"] * 1000) == exact_ms(end, RATE)
        assert chapter["title"] == title
        assert chapter.get("url") == url
        assert ("url" in chapter) == (url is not None)


def test_chapter_times_round_like_the_mp3_frames_at_half_milliseconds() -> None:
    # 48 kHz: 24 samples = 0.5 ms, 72 samples = 1.5 ms, 23 samples = 0.479 ms.
    spans = [(0, 23, "a", None), (23, 24, "b", None), (24, 72, "c", None), (72, 4800, "d", None)]
    line = timeline([], spans, 48000)
    chapters = json.loads(companions.chapters_json(line, INFO))["chapters"]
    assert [c["startTime"] for c in chapters] == [0.0, 0.0, 0.001, 0.002]
    assert [times.to_ms(s, 48000) for s, _, _, _ in spans] == [0, 0, 1, 2]


def test_chapters_json_sorts_and_omits_missing_metadata() -> None:
    chapters = [(100, 200, "twee", None), (0, 100, "één", None)]
    document = json.loads(
        companions.chapters_json(timeline([], chapters, 1000), EpisodeInfo("t", "nl"))
    )
    assert [c["title"] for c in document["chapters"]] == ["één", "twee"]
    assert "author" not in document and "podcastName" not in document


def test_webvtt_cues_voices_and_times() -> None:
    line = timeline(CUES, CHAPTERS, RATE)
    cues = parse_vtt(companions.webvtt(line, narrator="De verteller"))
    assert len(cues) == len(CUES)
    for (start, end, speaker, text), (s, e, said, who) in zip(cues, CUES, strict=True):
        assert start == exact_ms(s, RATE) and end == exact_ms(e, RATE)
        assert text == said
        assert speaker == ("De verteller" if who == NARRATOR else who)
    assert "<v De verteller>Loekasjenko &amp; Poetin &lt;ontmoeten&gt;" in companions.webvtt(
        line, narrator="De verteller"
    )


def test_srt_has_the_same_cues_and_names_speakers_where_they_change() -> None:
    line = timeline(CUES, CHAPTERS, RATE)
    vtt = parse_vtt(companions.webvtt(line))
    cards = parse_srt(companions.srt(line))
    assert [(s, e) for s, e, _ in cards] == [(s, e) for s, e, _, _ in vtt]
    assert [text for _, _, text in cards] == [
        "Narrator: Loekasjenko & Poetin <ontmoeten> elkaar.",
        "Dat meldt het persbureau.",
        "CEPA: Russia and Belarus -> one state?",
        "Narrator: Einde.",
    ]


def test_empty_and_too_short_cues_are_left_out_of_both() -> None:
    spans = [(0, 44100, "Een.", NARRATOR), (44100, 44110, "kort", NARRATOR)]
    spans += [(44110, 88200, "  \n ", NARRATOR), (88200, 99000, "Twee\nregels.", "X")]
    line = timeline(spans, [(0, 99000, "c", None)])
    cues = parse_vtt(companions.webvtt(line))
    assert [c[3] for c in cues] == ["Een.", "Twee regels."]
    assert [c[2] for c in parse_srt(companions.srt(line))] == ["Narrator: Een.", "X: Twee regels."]


def test_nothing_said_gives_valid_empty_transcripts() -> None:
    line = timeline([], [(0, 1000, "stil", None)])
    assert companions.webvtt(line) == "WEBVTT\n"
    assert parse_vtt(companions.webvtt(line)) == []
    assert companions.srt(line) == ""


def test_hours_are_written_past_one_hour() -> None:
    start = 3 * 3600 * RATE + 5 * RATE
    line = timeline([(start, start + RATE // 2, "Laat.", NARRATOR)], [(0, start + RATE, "c", None)])
    assert "03:00:05.000 --> 03:00:05.500" in companions.webvtt(line)
    assert "03:00:05,000 --> 03:00:05,500" in companions.srt(line)


speakers = st.sampled_from([NARRATOR, "CEPA", "Sviatlana <T> & co", "Лукашенко", ""])
texts = st.text(st.characters(blacklist_categories=["Cs"]), max_size=60)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(texts, speakers, st.integers(0, 3000)), max_size=8))
def test_any_text_gives_valid_transcripts_that_read_back(
    items: list[tuple[str, str, int]],
) -> None:
    spans, at = [], 0
    for text, speaker, length in items:
        spans.append((at, at + length, text, speaker))
        at += length + 7
    line = timeline(spans, [(0, max(at, 1), "c", None)], 8000)
    expected = [
        (exact_ms(s, 8000), exact_ms(e, 8000), companions.one_line(t))
        for s, e, t, _ in spans
        if companions.one_line(t) and exact_ms(e, 8000) > exact_ms(s, 8000)
    ]
    cues = parse_vtt(companions.webvtt(line))
    assert [(s, e, t) for s, e, _, t in cues] == expected
    cards = parse_srt(companions.srt(line))
    assert [(s, e) for s, e, _ in cards] == [(s, e) for s, e, _ in expected]
