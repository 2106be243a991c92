"""Small real inputs for the companion and publishing tests: timelines, tagged MP3s, a show.

MP3s are encoded here with lameenc from a short synthesised tone and tagged with mutagen
directly (ID3v2.3, as the build writes them), so these tests depend on no other stage.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import lameenc
import numpy as np
import numpy.typing as npt
from mutagen.id3 import CHAP, COMM, CTOC, ID3, TALB, TDRC, TIT2, TPE1, WXXX, CTOCFlags

from polycast import companions
from polycast.models import NARRATOR, Cue, EpisodeInfo, TimedChapter, TimedCue, Timeline
from polycast.publish.show import ShowConfig


@dataclass(frozen=True)
class MemorySource:
    """A PcmSource over one in-memory array (interleaved int16)."""

    pcm: npt.NDArray[np.int16]
    channels: int = 1

    def blocks(self, start: int, stop: int) -> Iterator[npt.NDArray[np.int16]]:
        yield self.pcm[start * self.channels : stop * self.channels]


def tone(seconds: float, rate: int = 22050) -> npt.NDArray[np.int16]:
    """A vowel-like tone: a few harmonics of 180 Hz with a gentle envelope."""
    t = np.arange(int(seconds * rate)) / rate
    wave = sum(np.sin(2 * np.pi * 180 * k * t) / k for k in (1, 2, 3, 4))
    envelope = np.minimum(1.0, np.minimum(t, t[-1] - t) * 20)
    return (wave * envelope * 6000).astype(np.int16)


def timeline(
    spans: Sequence[tuple[int, int, str, str]],
    chapters: Sequence[tuple[int, int, str, str | None]],
    rate: int = 44100,
) -> Timeline:
    """A Timeline of silence with the given cues ``(start, end, text, speaker)`` and chapters."""
    length = max([end for _, end, _, _ in chapters] + [end for _, end, _, _ in spans] + [1])
    cues = tuple(
        TimedCue(Cue(text=text, lang="nl", speaker=speaker), start, end)
        for start, end, text, speaker in spans
    )
    marks = tuple(TimedChapter(title, start, end, url) for start, end, title, url in chapters)
    return Timeline(MemorySource(np.zeros(length, np.int16)), length, rate, 1, cues, marks)


RATE = 44100
CHAPTERS: list[tuple[int, int, str, str | None]] = [
    (0, 30870, "Inleiding", None),
    (30870, 52920, "CEPA (@cepa)", "https://twitter.com/cepa/status/1"),
    (52920, 66150, "Verder", None),
]
"""Chapters of the test episode (samples at 44.1 kHz: 0.7 s, 0.5 s, 0.3 s)."""
CUES: list[tuple[int, int, str, str]] = [
    (0, 13230, "Loekasjenko & Poetin <ontmoeten> elkaar.", NARRATOR),
    (17640, 28000, "Dat meldt het persbureau.", NARRATOR),
    (30870, 50000, "Russia and Belarus --> one state?", "CEPA"),
    (52920, 66150, "Einde.", NARRATOR),
]


def make_episode(
    folder: Path,
    stem: str = "aflevering",
    *,
    title: str = "Loekasjenko en Poetin",
    date: str | None = "2021-09-09",
    author: str | None = "Redactie",
    comment: str | None = None,
    with_companions: bool = True,
) -> Path:
    """Write ``<stem>.mp3`` (1.5 s tone, ID3v2.3 tags and chapters) and its three companions."""
    mp3 = folder / f"{stem}.mp3"
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(32)
    encoder.set_in_sample_rate(22050)
    encoder.set_channels(1)
    encoder.set_quality(5)
    mp3.write_bytes(bytes(encoder.encode(tone(1.5).tobytes()) + encoder.flush()))
    tags = ID3()
    tags.add(TIT2(encoding=3, text=[title]))
    if date:
        tags.add(TDRC(encoding=3, text=[date]))
    if author:
        tags.add(TPE1(encoding=3, text=[author]))
    tags.add(TALB(encoding=3, text=["Testshow"]))
    if comment:
        tags.add(COMM(encoding=3, lang="dut", desc="", text=[comment]))
    for n, (start, end, name, url) in enumerate(CHAPTERS):
        subs = [TIT2(encoding=3, text=[name])]
        if url:
            subs.append(WXXX(encoding=3, desc="", url=url))
        start_ms, end_ms = start * 1000 // RATE, end * 1000 // RATE  # exact: whole ms
        tags.add(CHAP(element_id=f"chp{n}", start_time=start_ms, end_time=end_ms, sub_frames=subs))
    ids = [f"chp{n}" for n in range(len(CHAPTERS))]
    flags = CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED
    tags.add(CTOC(element_id="toc", flags=flags, child_element_ids=ids, sub_frames=[]))
    tags.save(mp3, v2_version=3)
    if with_companions:
        line = timeline(CUES, CHAPTERS, RATE)
        info = EpisodeInfo(title=title, language="nl", author=author, album="Testshow")
        mp3.with_suffix(".chapters.json").write_text(companions.chapters_json(line, info))
        mp3.with_suffix(".vtt").write_text(companions.webvtt(line))
        mp3.with_suffix(".srt").write_text(companions.srt(line))
    return mp3


def show(folder: Path, **changes: object) -> ShowConfig:
    """A valid show publishing to ``folder/public``."""
    values: dict[str, object] = {
        "title": "Polyglot Nieuws",
        "description": "Artikelen voorgelezen, elke stem in haar eigen taal.",
        "author": "Jane Doe",
        "owner_name": "Jane Doe",
        "owner_email": "jane@example.com",
        "language": "nl",
        "category": "News",
        "subcategory": "Daily News",
        "image_url": "https://example.com/podcast/cover.jpg",
        "base_url": "https://example.com/podcast/",
        "publish_dir": folder / "public",
    }
    values.update(changes)
    return ShowConfig(**values)  # type: ignore[arg-type]


def write_config(folder: Path) -> Path:
    """Write a minimal valid show config into ``folder``, publishing to ``folder/site``."""
    config = folder / "podcast.toml"
    config.write_text(
        "[show]\n"
        'title = "Polyglot"\ndescription = "d"\nauthor = "a"\nowner_name = "o"\n'
        'owner_email = "o@example.com"\nlanguage = "nl"\ncategory = "News"\n'
        'image_url = "https://example.com/c.jpg"\nbase_url = "https://example.com/p"\n'
        'publish_dir = "site"\n',
        encoding="utf-8",
    )
    return config
