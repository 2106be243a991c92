"""What a build takes from earlier ones: the plan of an unchanged article, an unchanged episode.

Beside the cue audio, the cache folder keeps two more kinds of entry, both keyed by a hash of
everything that shapes them, polycast's own source code included (so a new or edited polycast
never reuses what an older one made):

- ``plans/``: the rundown planned from an article (TOML, as ``polycast plan`` writes it). Planning
  loads language models (over a second and ~200 MB in a fresh process); a preview or a rebuild
  of an unchanged article does without them.
- ``episodes/``: the encoded MP3 audio of an episode (before tagging) with its cue and chapter
  times and measured loudness. An unchanged rundown, spoken by the same voices with the same
  settings, is the same episode: a rebuild copies it and writes fresh tags and companions
  instead of mixing and encoding it again.
- ``runs/``: what the mix measured of each run of an episode (``polycast.mix.runs``) and the
  MP3 frames it was encoded to. An edited episode shares most of its runs with the one before:
  a rebuild measures and encodes only the runs the edit changed.

Entries are written atomically and checked when read; a missing or damaged one is simply made
again. Nothing here is needed for a correct build, only for a fast one.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from polycast import rundown as rundown_file
from polycast.config import Config
from polycast.encode.formats import AudioFormat
from polycast.errors import OutputError, PolycastError
from polycast.files import atomic_write, write_bytes_atomic
from polycast.inputs import MB, read_bounded
from polycast.mix import MixReport, VoiceLevel
from polycast.models import Article, Rundown, TimedChapter, TimedCue, Timeline
from polycast.speak import Engine, default_cache_dir, unusable
from polycast.speak.runner import audio_keys

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

log = logging.getLogger(__name__)

FORMAT = 1
"""Bump when an entry's layout changes."""


def cache_folder(config: Config) -> Path | None:
    """Return the build's cache folder, or None when the build may not use a cache."""
    cache = config.speak.cache
    if cache is False:
        return None
    return default_cache_dir() if cache is True else Path(cache)


def usable_cache(config: Config) -> tuple[Config, str | None]:
    """Return ``config`` without its cache when its cache folder cannot be used, and why.

    Checked once per build, so an unusable folder (a file, a read-only place) is one notice
    and a build without the cache, not a warning for every entry the build would keep.
    """
    folder = cache_folder(config)
    problem = None if folder is None else unusable(folder)
    if problem is None:
        return config, None
    return replace(config, speak=replace(config.speak, cache=False)), f"{folder} {problem}"


@functools.cache
def code_fingerprint() -> str:
    """Return a hash of polycast's own source files: any change to the code changes it."""
    root = Path(__file__).parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    for package in ("lingua-language-detector", "lameenc", "espeakng-loader", "soxr"):
        try:
            digest.update(f"{package}={metadata.version(package)}".encode())
        except metadata.PackageNotFoundError:
            continue
    return digest.hexdigest()


def _key(*parts: object) -> str:
    recipe = json.dumps([FORMAT, code_fingerprint(), *map(repr, parts)], ensure_ascii=False)
    return hashlib.sha256(recipe.encode("utf-8")).hexdigest()


def _store(path: Path, data: bytes) -> None:
    """Write a cache entry, warning (not failing) when the cache cannot be written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(path, data, durable=False)
    except (OSError, OutputError) as e:
        log.warning("cannot keep %s in the cache: %s", path.name, e)


class RunCache:
    """``runs/``: run measurements and frames, each checked by its own digest when read."""

    def __init__(self, folder: Path) -> None:
        """Keep entries under ``folder/runs``."""
        self._folder = folder / "runs"

    def _path(self, kind: str, key: str) -> Path:
        name = _key(kind, key)
        return self._folder / name[:2] / f"{name}.{kind}"

    def get(self, kind: str, key: str) -> bytes | None:
        """Return what was kept under ``kind`` and ``key``; None if absent or damaged."""
        path = self._path(kind, key)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as e:
            log.warning("cannot read %s from the cache: %s", path.name, e)
            return None
        payload = data[_DIGEST:]
        if data[:_DIGEST] != hashlib.blake2b(payload, digest_size=_DIGEST).digest():
            log.warning("cached %s %s is damaged; making it again", kind, path.name)
            return None
        return payload

    def put(self, kind: str, key: str, data: bytes) -> None:
        """Keep ``data`` (never fails a build: a cache that cannot be written is only slower)."""
        _store(self._path(kind, key), hashlib.blake2b(data, digest_size=_DIGEST).digest() + data)


_DIGEST = 16


def run_cache(config: Config) -> RunCache | None:
    """Return where the build keeps its runs, or None when it may not use a cache."""
    folder = cache_folder(config)
    return None if folder is None else RunCache(folder)


def cached_plan(folder: Path, article: Article, config: Config) -> tuple[str, Rundown | None]:
    """Return the key of ``article``'s plan under ``config``, and the plan if it is kept."""
    key = _key(article, config.plan)
    path = folder / "plans" / key[:2] / f"{key}.toml"
    try:
        return key, rundown_file.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return key, None
    except (OSError, UnicodeDecodeError, PolycastError) as e:
        log.warning("cached plan %s is unreadable (%s); planning again", path, e)
        return key, None


def keep_plan(folder: Path, key: str, rundown: Rundown) -> None:
    """Keep a plan for ``cached_plan`` to find, if a build can use it.

    A plan a build cannot use (an article of emoji only plans to no cue at all) is not kept:
    kept, every later run would find it unreadable, warn, and plan again.
    """
    text = rundown_file.dumps(rundown)
    try:
        rundown_file.loads(text)
    except PolycastError as e:
        log.info("not keeping the plan of %r: %s", rundown.title, e)
        return
    _store(folder / "plans" / key[:2] / f"{key}.toml", text.encode("utf-8"))


def episode_key(rundown: Rundown, audio: Sequence[str], config: Config) -> str:
    """Name an episode by all that shapes its audio.

    Args:
        rundown: every cue, pause, chapter and title, as it will be spoken.
        audio: the cache key of every cue's audio (engine, version, voice, options, text).
        config: the mix and encoder settings; the music files are named by their content.
    """
    cap = int(config.mix.max_music_mb * MB)
    music = [_file_digest(p, cap) for p in (config.mix.sting, config.mix.bed) if p is not None]
    return _key(rundown, list(audio), config.mix, music, config.mp3, config.audio_format)


def _file_digest(path: Path, cap: int) -> str:
    try:
        return hashlib.sha256(
            read_bounded(path, cap, "music", setting="mix.max_music_mb")
        ).hexdigest()
    except PolycastError:
        return f"unreadable {path}"  # the mix will say why; such a build is never kept


@dataclass(frozen=True)
class SavedEpisode:
    """An episode kept by an earlier build: its MP3 audio file and what the build measured."""

    mp3: Path
    """The encoded audio, untagged."""
    timeline: Timeline
    """Its cue and chapter times (the audio, if read, is decoded from ``mp3``)."""
    report: MixReport
    """The loudness and true peak measured when it was mixed."""


def saved_episode(folder: Path, key: str, rundown: Rundown) -> SavedEpisode | None:
    """Return the episode kept under ``key``, or None when there is none (or it is damaged)."""
    base = folder / "episodes" / key[:2] / key
    try:
        meta = json.loads(base.with_suffix(".json").read_text(encoding="utf-8"))
        mp3 = base.with_suffix(".mp3")
        with mp3.open("rb") as stream:
            actual = hashlib.file_digest(stream, "sha256").hexdigest()
        if actual != meta["sha256"]:
            raise ValueError("audio does not match its checksum")
        return SavedEpisode(mp3, _timeline(meta, rundown, mp3), _report(meta["report"]))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, IndexError) as e:
        log.warning("cached episode %s is damaged (%s); building it again", base, e)
        return None


def keep_episode(folder: Path, key: str, mp3: Path, timeline: Timeline, report: MixReport) -> None:
    """Keep an untagged MP3 and its timeline and report for ``saved_episode`` to find."""
    base = folder / "episodes" / key[:2] / key
    digest = hashlib.sha256()
    try:
        base.parent.mkdir(parents=True, exist_ok=True)
        with mp3.open("rb") as source, atomic_write(base.with_suffix(".mp3"), False) as target:
            while chunk := source.read(1 << 20):  # an hour is ~30 MB: never all in memory
                digest.update(chunk)
                target.write(chunk)
    except (OSError, OutputError) as e:
        log.warning("cannot keep the episode in the cache: %s", e)
        return
    meta = {
        "sha256": digest.hexdigest(),
        "length": timeline.length,
        "rate": timeline.rate,
        "channels": timeline.channels,
        "cues": [[c.start, c.end] for c in timeline.cues],
        "chapters": [[c.title, c.start, c.end, c.url] for c in timeline.chapters],
        "report": _report_data(report),
    }
    _store(base.with_suffix(".json"), json.dumps(meta, ensure_ascii=False).encode("utf-8"))


def _timeline(meta: dict[str, object], rundown: Rundown, mp3: Path) -> Timeline:
    """Rebuild a kept timeline around ``rundown``'s cues (raises ValueError when they differ)."""
    cues = [cue for chapter in rundown.chapters for cue in chapter.cues]
    spans = meta["cues"]
    if not isinstance(spans, list) or len(spans) != len(cues):
        raise ValueError("its cues are not the rundown's")
    chapters = meta["chapters"]
    if not isinstance(chapters, list):
        raise ValueError("no chapters")
    length = int(str(meta["length"]))
    channels = int(str(meta["channels"]))
    return Timeline(
        source=_DecodedMp3(mp3, length, channels),
        length=length,
        rate=int(str(meta["rate"])),
        channels=channels,
        cues=tuple(TimedCue(cue, int(s), int(e)) for cue, (s, e) in zip(cues, spans, strict=True)),
        chapters=tuple(TimedChapter(str(t), int(s), int(e), u) for t, s, e, u in chapters),
    )


def _report_data(report: MixReport) -> dict[str, object]:
    fields = ("loudness", "true_peak", "target", "ceiling", "gain_db", "limited")
    data: dict[str, object] = {name: getattr(report, name) for name in fields}
    data["voices"] = [[v.voice, v.loudness, v.gain_db, v.seconds] for v in report.voices]
    return data


def _report(data: dict[str, object]) -> MixReport:
    voices = data.pop("voices")
    if not isinstance(voices, list):
        raise ValueError("no voice levels")
    levels = tuple(VoiceLevel(str(n), float(x), float(g), float(s)) for n, x, g, s in voices)
    return MixReport(**data, voices=levels)  # type: ignore[arg-type]


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


@dataclass(frozen=True)
class EpisodeSlot:
    """Where an episode is kept in the cache, and what an earlier build left there."""

    folder: Path
    """The cache folder."""
    key: str
    """The episode's key (``episode_key``)."""
    saved: SavedEpisode | None
    """The episode as kept, or None."""

    def keeper(self, timeline: Timeline, report: MixReport) -> Callable[[Path], None]:
        """Return what keeps the untagged MP3 of ``timeline`` once it is encoded."""
        return lambda mp3: keep_episode(self.folder, self.key, mp3, timeline, report)


def episode_slot(
    rundown: Rundown, voices: Mapping[str, Engine], config: Config
) -> EpisodeSlot | None:
    """Find the cache slot of the MP3 episode ``rundown`` makes; None without a cache.

    Raises:
        UnsupportedLanguage: a cue's language has no voice.
    """
    folder = cache_folder(config)
    if folder is None or config.audio_format is not AudioFormat.MP3:
        return None
    cues = [cue for chapter in rundown.chapters for cue in chapter.cues]
    key = episode_key(rundown, audio_keys(cues, voices), config)
    return EpisodeSlot(folder, key, saved_episode(folder, key, rundown))
