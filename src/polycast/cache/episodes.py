"""``episodes/``: the encoded MP3 audio of an episode (untagged), its times and its loudness.

An unchanged rundown, spoken by the same voices with the same settings, is the same episode: a
rebuild copies it and writes fresh tags and companions instead of mixing and encoding it again.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from polycast.cache.folder import entry_path, keep_entry, read_entry
from polycast.cache.keys import key
from polycast.errors import OutputError, PolycastError
from polycast.files import atomic_write
from polycast.inputs import MB, read_bounded
from polycast.mix.report import MixReport
from polycast.models import EpisodeInfo, Rundown, RunStore, TimedChapter, TimedCue, Timeline

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from polycast.config import Config

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SavedEpisode:
    """An episode kept by an earlier build: its MP3 audio file and what the build measured."""

    mp3: Path
    """The encoded audio, untagged."""
    timeline: Timeline
    """Its cue and chapter times (the audio, if read, is decoded from ``mp3``)."""
    report: MixReport
    """The loudness and true peak measured when it was mixed."""


@dataclass(frozen=True)
class EpisodeSlot:
    """What the cache holds of one episode, and how the write stage keeps it for the next build.

    A build without a cache (or of an Opus episode) gets an empty slot: nothing saved, nothing
    kept, no runs.
    """

    store: EpisodeCache | None = None
    """Where the episode is kept; None when it is not."""
    key: str = ""
    """The episode's key (``episode_key``)."""
    saved: SavedEpisode | None = None
    """The episode as an earlier build kept it, or None."""
    runs: RunStore | None = None
    """Where the mix and the encoder keep each run."""

    @property
    def mp3(self) -> Path | None:
        """The kept untagged MP3, to copy instead of encoding again."""
        return None if self.saved is None else self.saved.mp3

    def keeper(self, timeline: Timeline, report: MixReport) -> Callable[[Path], None] | None:
        """Return what keeps the untagged MP3 of ``timeline`` once encoded; None: keep nothing."""
        store = self.store
        if store is None or self.saved is not None:
            return None
        return lambda mp3: store.keep(self.key, mp3, timeline, report)

    def tagged(self, info: EpisodeInfo, timeline: Timeline) -> Path | None:
        """Return the kept MP3 of this episode with the very tags ``info`` and ``timeline`` give.

        An unchanged rebuild copies it, and neither tags it nor imports the tagger: most
        rebuilds say what the last one said.
        """
        if self.store is None or self.saved is None:
            return None
        return self.store.tagged(_tags_key(self.key, info, timeline))

    def tag_keeper(self, info: EpisodeInfo, timeline: Timeline) -> Callable[[Path], None] | None:
        """Return what keeps the MP3 once tagged, for ``tagged`` to find; None: keep nothing."""
        store = self.store
        if store is None:
            return None
        name = _tags_key(self.key, info, timeline)
        return lambda mp3: store.keep_tagged(name, mp3)


def _tags_key(episode: str, info: EpisodeInfo, timeline: Timeline) -> str:
    """Name an episode's MP3 with its tags: the audio, what the tags say, and its chapters."""
    return key("tagged", episode, info, list(timeline.chapters), timeline.rate)


def episode_key(rundown: Rundown, audio: Sequence[str], config: Config) -> str:
    """Name an episode by all that shapes its audio.

    Args:
        rundown: every cue, pause, chapter and title, as it will be spoken.
        audio: the cache key of every cue's audio (engine, version, voice, options, text).
        config: the mix and encoder settings; the music files are named by their content.
    """
    cap = int(config.mix.max_music_mb * MB)
    music = [_file_digest(p, cap) for p in (config.mix.sting, config.mix.bed) if p is not None]
    # The name says where the episode goes, not how it sounds: a build of the rundown planned
    # from an article (which carries its name) takes the episode the article's build kept.
    # The artwork's URL goes into the tags only, written on every build, never into the audio.
    unnamed = replace(rundown, name=None, image=None)
    return key("episode", unnamed, audio, config.mix, music, config.mp3, config.audio_format)


def _file_digest(path: Path, cap: int) -> str:
    try:
        data = read_bounded(path, cap, "music", setting="mix.max_music_mb")
    except PolycastError:
        return f"unreadable {path}"  # the mix will say why; such a build is never kept
    return hashlib.sha256(data).hexdigest()


class EpisodeCache:
    """Encoded episodes, each an untagged MP3 beside a JSON of its times and its report."""

    def __init__(self, folder: Path) -> None:
        """Keep entries under ``folder/episodes``."""
        self._folder = folder / "episodes"

    def _base(self, name: str) -> Path:
        return entry_path(self._folder, name, "")

    def saved(self, name: str, rundown: Rundown) -> SavedEpisode | None:
        """Return the episode kept under ``name``, or None when there is none (or it is damaged)."""
        base = self._base(name)
        try:
            meta, mp3 = _checked(base)
            return SavedEpisode(
                mp3, _timeline(meta, rundown, mp3), MixReport.from_data(meta["report"])
            )
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError, IndexError, RecursionError) as e:
            log.warning("cached episode %s is damaged (%s); building it again", base, e)
            return None

    def keep(self, name: str, mp3: Path, timeline: Timeline, report: MixReport) -> None:
        """Keep an untagged MP3 and its timeline and report for ``saved`` to find."""
        base = self._base(name)
        digest = _copy(mp3, base.with_suffix(".mp3"))
        if digest is None:
            return
        meta = {"sha256": digest, **_times(timeline), "report": report.to_data()}
        keep_entry(base.with_suffix(".json"), json.dumps(meta, ensure_ascii=False).encode())

    def tagged(self, name: str) -> Path | None:
        """Return the tagged MP3 kept under ``name``; None when there is none, or it is damaged."""
        try:
            return _checked(self._base(name))[1]
        except (OSError, ValueError, KeyError, TypeError, RecursionError):
            return None  # not kept, or damaged: the episode is tagged again

    def keep_tagged(self, name: str, mp3: Path) -> None:
        """Keep a tagged MP3 for ``tagged`` to find."""
        base = self._base(name)
        digest = _copy(mp3, base.with_suffix(".mp3"))
        if digest is not None:
            keep_entry(base.with_suffix(".json"), json.dumps({"sha256": digest}).encode())


def _checked(base: Path) -> tuple[Any, Path]:
    """Read an entry's JSON and its MP3, and check the MP3 against the checksum the JSON holds.

    Raises:
        OSError: either file is missing or unreadable.
        ValueError: the JSON is not JSON, or the audio does not match its checksum.
        KeyError, TypeError, RecursionError: the JSON is not what ``keep`` writes.
    """
    meta = json.loads(read_entry(base.with_suffix(".json")))
    mp3 = base.with_suffix(".mp3")
    with mp3.open("rb") as stream:
        actual = hashlib.file_digest(stream, "sha256").hexdigest()
    if actual != meta["sha256"]:
        raise ValueError("audio does not match its checksum")
    return meta, mp3


def _copy(source: Path, target: Path) -> str | None:
    """Copy ``source`` to ``target`` atomically; return its SHA-256, or None if it failed."""
    digest = hashlib.sha256()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with source.open("rb") as stream, atomic_write(target, False) as copy:
            while chunk := stream.read(1 << 20):  # an hour is ~30 MB: never all in memory
                digest.update(chunk)
                copy.write(chunk)
    except (OSError, OutputError) as e:
        log.warning("cannot keep the episode in the cache: %s", e)
        return None
    return digest.hexdigest()


def _times(timeline: Timeline) -> dict[str, Any]:
    """Say where a timeline's cues and chapters lie (its cues themselves are the rundown's)."""
    return {
        "length": timeline.length,
        "rate": timeline.rate,
        "channels": timeline.channels,
        "cues": [[c.start, c.end] for c in timeline.cues],
        "chapters": [[c.title, c.start, c.end, c.url] for c in timeline.chapters],
    }


def _timeline(meta: dict[str, Any], rundown: Rundown, mp3: Path) -> Timeline:
    """Rebuild a kept timeline around ``rundown``'s cues (raises ValueError when they differ)."""
    cues = [cue for chapter in rundown.chapters for cue in chapter.cues]
    spans = meta["cues"]
    if not isinstance(spans, list) or len(spans) != len(cues):
        raise ValueError("its cues are not the rundown's")
    chapters = meta["chapters"]
    if not isinstance(chapters, list):
        raise ValueError("no chapters")
    length = int(meta["length"])
    channels = int(meta["channels"])
    return Timeline(
        source=_DecodedMp3(mp3, length, channels),
        length=length,
        rate=int(meta["rate"]),
        channels=channels,
        cues=tuple(TimedCue(cue, int(s), int(e)) for cue, (s, e) in zip(cues, spans, strict=True)),
        chapters=tuple(TimedChapter(str(t), int(s), int(e), u) for t, s, e, u in chapters),
    )


@dataclass(frozen=True)
class _DecodedMp3:
    """A kept episode's audio as PCM, decoded on demand (nothing needs it when it is copied)."""

    mp3: Path
    length: int
    channels: int

    def blocks(self, start: int, stop: int) -> Iterator[npt.NDArray[np.int16]]:
        """Yield interleaved int16 PCM of frames ``[start, stop)``, decoded a block at a time."""
        import numpy as np  # noqa: PLC0415 (slow import, only when a kept episode is decoded)
        import soundfile  # noqa: PLC0415 (slow import, only when a kept episode is decoded)

        with soundfile.SoundFile(str(self.mp3)) as decoded:
            decoded.seek(min(start, decoded.frames))
            at = start
            while at < stop:
                count = min(stop - at, 1 << 16)
                data = decoded.read(count, dtype="int16", always_2d=True)
                block = np.zeros((count, self.channels), dtype=np.int16)
                block[: len(data)] = data[:, : self.channels]  # past the end: silence
                yield block.reshape(-1)
                at += count
