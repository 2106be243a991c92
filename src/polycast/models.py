"""The data that flows between pipeline stages, as frozen dataclasses.

    read -> Article -> plan -> Rundown -> speak -> Clip -> mix -> Timeline -> encode/tag/companions

Stages exchange only these types, so each stage can be understood, tested and replaced alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # numpy is slow to import, and a kept episode is copied without it
    import numpy as np
    import numpy.typing as npt

NARRATOR = "narrator"
"""The speaker name of every cue that is not a post's or a named quote's (transcript voice tags)."""


class Kind(Enum):
    """What a segment of an article is; decides its voice, its pauses and whether it is spoken."""

    TITLE = "title"
    HEADING = "heading"
    PARAGRAPH = "paragraph"
    LIST = "list"
    QUOTE = "quote"
    POST = "post"
    CAPTION = "caption"
    TABLE = "table"
    CODE = "code"
    IMAGE = "image"
    EMBED = "embed"


@dataclass(frozen=True)
class Post:
    """Who wrote an embedded social-media post, when, and where it lives (a quote: only who)."""

    author: str | None = None
    """Display name as shown in the embed ("Sviatlana Tsikhanouskaya")."""
    handle: str | None = None
    """Account handle without the ``@`` ("Tsihanouskaya")."""
    date_text: str | None = None
    """The date as written in the article ("9 september 2021")."""
    date: str | None = None
    """The same date as ISO 8601 (``2021-09-09``) where it parses."""
    url: str | None = None
    """Link to the post itself; shown in its chapter, never spoken."""


@dataclass(frozen=True)
class Segment:
    """One block of an article, in reading order."""

    kind: Kind
    """What the block is."""
    text: str
    """The block as written, markup removed (links keep their text, lose their target)."""
    lang: str | None = None
    """Language code (``nl``, ``en``); ``None`` until the reader or the planner decides it."""
    spoken: bool = True
    """False for blocks that are shown but never read aloud (tables, code, photo captions)."""
    post: Post | None = None
    """Attribution: a ``Kind.POST``'s byline, or the speaker (``author``) a ``Kind.QUOTE`` names."""
    lang_hint: str | None = None
    """A language the source claims (an embed's ``lang`` attribute); a hint, often wrong."""


@dataclass(frozen=True)
class Article:
    """An article as a reader understood it."""

    segments: tuple[Segment, ...]
    """Every block in reading order, spoken or not."""
    title: str | None = None
    """The article's own title, from its metadata or first heading."""
    date: str | None = None
    """Publication date as ISO 8601 (``2021-09`` or ``2021-09-09``) where known."""
    author: str | None = None
    """Author named in the article's metadata."""
    language: str | None = None
    """Main language code, from metadata; ``None`` lets the planner detect it."""
    image: str | None = None
    """The article's lead image as an absolute http(s) URL, for the episode's artwork; never
    downloaded (a build makes no network request), only passed on to the tags and the feed."""


@dataclass(frozen=True)
class Cue:
    """One utterance: a sentence (or short piece) spoken by one voice in one language."""

    text: str
    """Exactly what the voice says, cleaned up for speech."""
    lang: str
    """Language code the voice speaks it in."""
    kind: Kind = Kind.PARAGRAPH
    """Kind of the segment it comes from (decides pauses)."""
    segment: int = -1
    """Index of its segment in ``Article.segments``; -1 for generated speech (intro, outro)."""
    pause_ms: int = 0
    """Silence after this cue, in milliseconds."""
    speaker: str = NARRATOR
    """Who speaks: ``NARRATOR``, a post's author or a quote's speaker (transcript voice tags)."""
    voice: str | None = None
    """An engine voice to use instead of the language's default."""


@dataclass(frozen=True)
class Chapter:
    """A titled stretch of the episode: a section, or one embedded post."""

    title: str
    """Shown by podcast apps in their chapter list."""
    cues: tuple[Cue, ...]
    """What is said in it, in order."""
    url: str | None = None
    """A link shown with the chapter (the post's URL)."""


@dataclass(frozen=True)
class Rundown:
    """Everything that will be said, in order: the editable plan of an episode."""

    chapters: tuple[Chapter, ...]
    """The episode's chapters in order."""
    title: str
    """Episode title."""
    language: str
    """Narration language code."""
    date: str | None = None
    """Publication date as ISO 8601, where known."""
    author: str | None = None
    """Author, for the ID3 artist and the feed."""
    name: str | None = None
    """The episode's name, kept from its article: a build writes ``NAME.mp3`` and the feed knows
    the episode by that file name (its GUID); None names it after the file it was read from."""
    image: str | None = None
    """The article's lead image (an absolute http(s) URL), the episode's own artwork."""


@dataclass(frozen=True, eq=False)
class Clip:
    """Speech audio for one cue: mono 16-bit PCM at the engine's own rate."""

    samples: npt.NDArray[np.int16]
    """Mono samples, int16."""
    rate: int
    """Samples per second."""

    @property
    def seconds(self) -> float:
        """Duration in seconds."""
        return len(self.samples) / self.rate


@dataclass(frozen=True, eq=False)
class KeptClip:
    """Speech for one cue as the cache keeps it: named and measured, its samples still encoded.

    A rebuild after an edit mixes again only the runs the edit touched; the clips of the other
    runs need never be decoded if the mix knows, by ``name``, how long each one plays.
    """

    name: str
    """Names the audio: two kept clips of one name hold the same samples."""
    rate: int
    """Samples per second."""
    frames: int
    """Number of samples, before any trimming."""
    data: bytes = field(repr=False)
    """The kept form (what ``decode`` reads)."""
    decode: Callable[[bytes], Clip] = field(repr=False)
    """Turn ``data`` into the clip (checking it), from any thread.

    Raises ``ValueError`` when ``data`` is not what was kept.
    """
    clip: Clip | None = field(default=None, repr=False)
    """The samples, when they are at hand already (just spoken): nothing to decode then."""

    def open(self) -> Clip:
        """Return the samples: the clip at hand, or ``data`` decoded."""
        return self.clip if self.clip is not None else self.decode(self.data)


@dataclass(frozen=True)
class TimedCue:
    """A cue placed on the timeline; times are sample indexes at ``Timeline.rate``."""

    cue: Cue
    """The cue spoken."""
    start: int
    """First sample of its speech."""
    end: int
    """One past the last sample of its speech (the pause after it is not included)."""


@dataclass(frozen=True)
class TimedChapter:
    """A chapter placed on the timeline; chapters tile the episode with no gaps."""

    title: str
    """Chapter title."""
    start: int
    """First sample, at ``Timeline.rate``."""
    end: int
    """One past the last sample; equals the next chapter's start, or the episode's length."""
    url: str | None = None
    """Link shown with the chapter."""


class PcmSource(Protocol):
    """Where a timeline's audio comes from, read in blocks so an hour never sits in memory."""

    def blocks(self, start: int, stop: int) -> Iterator[npt.NDArray[np.int16]]:
        """Yield interleaved 16-bit PCM for sample frames ``[start, stop)``, in order."""
        ...


class RunStore(Protocol):
    """Where a build keeps what it measured and encoded of each run, for the next build.

    The mix keeps measurements and the encoder keeps frames, each under its own ``kind``; the
    cache's ``runs/`` folder (``polycast.cache.RunCache``) is the store a build uses.
    """

    def get(self, kind: str, key: str) -> bytes | None:
        """Return what was kept under ``kind`` and ``key``, or None."""
        ...

    def put(self, kind: str, key: str, data: bytes) -> None:
        """Keep ``data`` under ``kind`` and ``key`` (never fails a build)."""
        ...


class RunFrames(Protocol):
    """Encodes each run of the final mix as soon as it is rendered, into the run store.

    The encode stage then takes every run's frames from the store and only joins them: LAME
    works on one run while the mix renders the next (``polycast.encode.ahead``).
    """

    def start(self, timeline: Timeline, index: int) -> None:
        """Begin encoding run ``index`` of ``timeline`` (rendered, at its final gain).

        The mix calls it once for each part of every run it renders (``Timeline.runs``).
        """
        ...

    def wait(self) -> None:
        """Wait for every run begun, raising the first failure."""
        ...

    def cancel(self) -> None:
        """Drop what has not begun and wait for what has (it may read the mix's files)."""
        ...


@dataclass(frozen=True)
class Run:
    """A stretch of the timeline that is encoded apart from the rest.

    Runs tile the timeline. Every run but the first starts on a multiple of 1152 samples (one MP3
    frame) after at least ``quiet`` samples of digital silence, so its audio and its MP3 frames
    do not depend on what comes before or after it: a rebuild after an edit encodes only the runs
    the edit touched again and takes the rest from the cache. The mix hands the encoder the parts
    of its own runs (``polycast.mix.runs.parts``): a run is measured whole, a sentence encoded.
    """

    start: int
    """First sample."""
    end: int
    """One past the last sample."""
    quiet: int
    """Samples of digital silence at the end of the run (before the next one starts)."""
    key: str
    """Names everything that shapes the run's final audio (its speech, music, gains)."""


@dataclass(frozen=True, eq=False)
class Timeline:
    """The mixed episode: where its audio comes from, and where every cue and chapter lies."""

    source: PcmSource
    """The audio, read in blocks (see ``blocks``)."""
    length: int
    """Length in sample frames (samples per channel)."""
    rate: int
    """Sample frames per second."""
    channels: int
    """1 (mono) or 2 (stereo)."""
    cues: tuple[TimedCue, ...]
    """Every cue with its sample span, in time order."""
    chapters: tuple[TimedChapter, ...]
    """Chapters in time order, tiling ``[0, length)``."""
    runs: tuple[Run, ...] = ()
    """Stretches that encode apart (see ``Run``); empty: the timeline is one piece."""

    @property
    def seconds(self) -> float:
        """Duration in seconds."""
        return self.length / self.rate

    def blocks(self, start: int = 0, stop: int | None = None) -> Iterator[npt.NDArray[np.int16]]:
        """Yield the interleaved PCM of frames ``[start, stop)`` in blocks, in order."""
        return self.source.blocks(start, self.length if stop is None else stop)

    def pcm(self) -> npt.NDArray[np.int16]:
        """Return the whole episode as one interleaved array (for tests and short episodes)."""
        parts = list(self.blocks())
        import numpy as np  # noqa: PLC0415 (see the imports)

        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int16)


@dataclass(frozen=True)
class EpisodeInfo:
    """What tags, feeds and summaries say about an episode."""

    title: str
    """Episode title (ID3 TIT2, feed item title)."""
    language: str
    """Narration language (ID3 TLAN as ISO 639-2, feed language)."""
    date: str | None = None
    """ISO 8601 date (ID3 TDRC)."""
    author: str | None = None
    """Artist (ID3 TPE1)."""
    album: str | None = None
    """Show name (ID3 TALB)."""
    image: str | None = None
    """Episode artwork's http(s) URL (ID3 APIC linked by URL; feed ``itunes:image``)."""
    description: str | None = None
    """Summary for the feed."""
    extra: dict[str, str] = field(default_factory=dict)
    """Further free-form tags."""
