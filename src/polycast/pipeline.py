"""The whole job, stage by stage: read, plan, speak, mix, encode and tag, companions.

Each stage lives in its own module; this one only calls them in order and keeps file I/O at the
edges: it reads the source file, and writes every output to a temporary file that is renamed into
place only when all of them are complete.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from polycast import companions, episode, rundown_file
from polycast.config import Config
from polycast.errors import InputError
from polycast.frame import add_frame
from polycast.mix import MixReport, mix
from polycast.models import Article, EpisodeInfo, Rundown, Timeline
from polycast.plan import plan
from polycast.read import read_article
from polycast.speak import SpeakPlan, prepare_voices, speak

Progress = Callable[[int], None]


@dataclass(frozen=True)
class BuildResult:
    """What a build wrote and measured, for the summary a person reads."""

    mp3: Path
    """The episode."""
    companions: tuple[Path, ...]
    """Chapters JSON and transcripts beside it."""
    seconds: float
    """Duration of the episode."""
    chapters: tuple[tuple[str, float], ...]
    """Each chapter's title and start in seconds."""
    cues: int
    """Number of utterances spoken."""
    elapsed: float
    """Wall-clock time of the build."""
    mix: MixReport
    """Measured loudness and true peak."""
    voices: dict[str, str] = field(default_factory=dict)
    """Engine and voice used per language."""
    notices: tuple[str, ...] = ()
    """Things the user should know (an engine fallback, say)."""


def read_source(path: Path) -> bytes:
    """Read an input file, turning every way it can fail into one clear ``InputError``."""
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a directory, not an article")
    try:
        return path.read_bytes()
    except OSError as e:
        raise InputError(f"{path}: cannot read: {e.strerror or e}") from e


def load_rundown(path: Path, config: Config) -> tuple[Rundown, Article | None]:
    """Read an article and plan it, or read a hand-edited rundown as it is."""
    data = read_source(path)
    if path.suffix.lower() == ".toml":
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as e:
            raise InputError(f"{path}: a rundown must be UTF-8 ({e.reason} at byte {e.start})") from e
        return rundown_file.loads(text), None
    article = read_article(data, path.name, config.format)
    return plan(article, config.plan, languages=None), article


def output_path(source: Path, out: Path | None) -> Path:
    """Where the episode goes: ``out`` if it names an .mp3, else ``<out or output/>/<stem>.mp3``."""
    if out is not None and out.suffix.lower() == ".mp3":
        return out
    folder = out if out is not None else Path("output")
    return folder / f"{source.stem}.mp3"


def episode_info(rundown: Rundown, config: Config) -> EpisodeInfo:
    """What the tags say: the rundown's title, date and language; author and show from config."""
    return EpisodeInfo(
        title=rundown.title,
        language=rundown.language,
        date=rundown.date,
        author=config.author or rundown.author,
        album=config.album,
    )


def build(
    source: Path, config: Config, out: Path | None = None, progress: Progress | None = None
) -> BuildResult:
    """Build the episode for ``source`` (an article or a rundown .toml) and its companions.

    Raises:
        PolycastError: any expected failure; nothing is left half-written.
    """
    started = time.perf_counter()
    rundown, _ = load_rundown(source, config)
    rundown = add_frame(rundown, config.show_name, config.mix)
    voices: SpeakPlan = prepare_voices(rundown, config.speak)
    cues = [cue for chapter in rundown.chapters for cue in chapter.cues]
    clips = speak(cues, voices, progress=progress)
    timeline, report = mix(rundown, clips, config.mix)
    mp3 = output_path(source, out)
    written = write_outputs(timeline, episode_info(rundown, config), mp3, config)
    return BuildResult(
        mp3=mp3,
        companions=written,
        seconds=timeline.seconds,
        chapters=tuple((c.title, c.start / timeline.rate) for c in timeline.chapters),
        cues=len(cues),
        elapsed=time.perf_counter() - started,
        mix=report,
        voices=voices.describe(),
        notices=voices.notices,
    )


def write_outputs(
    timeline: Timeline, info: EpisodeInfo, mp3: Path, config: Config
) -> tuple[Path, ...]:
    """Write the MP3 and its companions, all or nothing."""
    texts = {
        mp3.with_suffix(".chapters.json"): companions.chapters_json(timeline, info),
        mp3.with_suffix(".vtt"): companions.webvtt(timeline),
        mp3.with_suffix(".srt"): companions.srt(timeline),
    }
    episode.write_episode(timeline, info, mp3, config.mp3, texts)
    return tuple(texts)
