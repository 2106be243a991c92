"""The whole job, stage by stage: read, plan, frame, speak, mix, write.

Each stage lives in its own module; ``build`` only calls them in order, hands them the build's
``Cache``, and keeps file I/O at the edges: it reads the source file, and writes every output to
a temporary file that is renamed into place only when all of them are complete.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from polycast import companions as companion_files
from polycast import preload, timeline_svg, write
from polycast import rundown as rundown_file
from polycast.cache import Cache
from polycast.cache.episodes import EpisodeSlot, SavedEpisode
from polycast.config import Config, without_placeholder
from polycast.encode.formats import AudioFormat, mix_for
from polycast.errors import ConfigError, InputError
from polycast.frame import add_frame
from polycast.inputs import check_size, refuse_overwrite
from polycast.mix import MixReport, check_music
from polycast.models import Article, Clip, Cue, EpisodeInfo, KeptClip, Rundown, Timeline
from polycast.plan.chapters import FRAME_CHAPTERS, MAX_CHAPTERS, fit_chapters
from polycast.read import read_article
from polycast.sources import Source, source_bytes, source_file, source_notices, source_stem, take
from polycast.speak import SpeakPlan, prepare_voices
from polycast.speak.runner import audio_keys, speak_kept

Progress = Callable[[int], None]
"""Called with the number of cues just finished, as speech is made."""
Start = Callable[[int], None]
"""Called once with the number of cues, before any speech is made."""


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
    audio_format: AudioFormat = AudioFormat.MP3
    """The format of the episode file (``mp3`` holds its path whatever the format)."""
    title: str = ""
    """The episode's title, as tagged."""
    uncached: str | None = None
    """Why the build ran without the cache, when its cache folder could not be used."""


def load_source(source: Source, config: Config) -> Article | Rundown:
    """Read an article (a file, a saved page or a fetched one), or a rundown when it is one.

    Raises:
        InputError: the file is missing, unreadable, too large, or holds no article.
    """
    data, name, fmt = source_bytes(source, config)
    if isinstance(source, Path):  # a rundown is a file, by its name or its content
        path = source.with_name(name)
        text = _rundown_text(path, data)
        if text is not None:
            return rundown_file.loads(text, str(path))
    return read_article(data, name, fmt)


def _rundown_text(path: Path, data: bytes) -> str | None:
    """Return the text of a rundown: a ``.toml`` file, or any file whose content is one."""
    toml = path.suffix.lower() == ".toml"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        if not toml:
            return None
        raise InputError(f"{path}: a rundown must be UTF-8 ({e.reason} at byte {e.start})") from e
    return text if toml or rundown_file.is_rundown(text) else None


def load_rundown(
    source: Source, config: Config, cache: Cache | None = None
) -> tuple[Rundown, Article | None]:
    """Read an article and plan it, or read a hand-edited rundown as it is.

    Without a ``cache``, the one ``config`` asks for is used.
    """
    cache = Cache.of(config.speak.cache) if cache is None else cache
    loaded = load_source(source, config)
    return plan_source(loaded, config, cache), (loaded if isinstance(loaded, Article) else None)


def check_paths(source: Source | None, outputs: Sequence[Path], config: Config) -> None:
    """Before any work: refuse an output that is an input, and an input that cannot be read.

    Every command that writes (build, preview, plan -o) calls this first, so a refused run
    reads nothing, writes nothing and leaves the input as it was.

    Raises:
        OutputError: an output is the article (or the sting, bed, config or lexicon file),
            even through a link.
        InputError: the article is not a regular file, or is over ``max_article_mb``.
    """
    path = source_file(source)
    refuse_overwrite(outputs, [path, config.mix.sting, config.mix.bed, *config.read_from])
    if path is not None:
        check_size(path, config.max_article_bytes, "article", InputError, "input.max_article_mb")


def plan_source(
    source: Article | Rundown,
    config: Config,
    cache: Cache,
    beside: Callable[[], object] | None = None,
) -> Rundown:
    """Plan an article, or take the plan an earlier build made of it; a rundown is its own plan.

    ``beside`` is called when a plan must be made, just before the planner starts: a build
    imports the audio stages' libraries then, while the planner loads its models (``preload``).
    """
    if isinstance(source, Rundown):
        return source
    if cache.plans is None:
        return _plan(source, config, cache, beside)
    return cache.plans.plan(source, config.plan, lambda: _plan(source, config, cache, beside))


def _plan(
    article: Article, config: Config, cache: Cache, beside: Callable[[], object] | None
) -> Rundown:
    """Plan ``article``: the planner (its language models) loads only when no plan is kept.

    Segments an earlier build planned (an edit leaves most as they were) are taken as kept.
    """
    from polycast.plan import plan  # noqa: PLC0415 (see the docstring)

    if beside is not None:
        beside()
    return plan(article, config.plan, languages=None, kept=cache.segments)


def frame(rundown: Rundown, config: Config) -> Rundown:
    """Fit the chapters to an ID3 table of contents, then add the spoken intro and outro.

    A hand-edited rundown may hold more chapters than a table of contents: it is fitted (with
    room for the intro and outro) before anything is spoken.
    """
    limit = MAX_CHAPTERS - FRAME_CHAPTERS
    rundown = replace(rundown, chapters=fit_chapters(rundown.chapters, limit))
    return add_frame(rundown, config.show_name, config.mix)


def output_path(
    source: Source, out: Path | None, suffix: str = ".mp3", name: str | None = None
) -> Path:
    """Where the episode goes: ``out`` if it names a file, else ``<out or output/>/<name><suffix>``.

    The ``name`` is a rundown's (the article it was planned from); without one, the source's stem
    (``.html.gz`` off), or a web page's slug or title.

    Raises:
        ConfigError: ``out`` names an episode file of another format than ``suffix``.
    """
    if out is not None and out.suffix.lower() in {f.suffix for f in AudioFormat}:
        if out.suffix.lower() != suffix:
            raise ConfigError(f"{out}: the audio format is {suffix[1:]}; name a {suffix} file")
        return out
    folder = out if out is not None else Path("output")
    return folder / f"{name or source_stem(source)}{suffix}"


def episode_info(rundown: Rundown, config: Config) -> EpisodeInfo:
    """Say what the tags hold: the rundown's title, date, language, author, image; the show's name.

    The artist is the episode's: ``--author`` when given, else the article's own author, and
    only for an article that names none the show's author (which is the feed's, not the item's).
    """
    return EpisodeInfo(
        title=rundown.title,
        language=rundown.language,
        date=rundown.date,
        author=config.author or rundown.author or config.show_author,
        album=config.show_name,
        image=rundown.image,
    )


def build(
    source: Path | str | Source,
    config: Config,
    out: Path | None = None,
    progress: Progress | None = None,
    start: Start | None = None,
) -> BuildResult:
    """Build the episode for ``source`` (an article, a rundown .toml, or a page's address).

    A web page is fetched first (or revalidated, from the cache), once: it names the episode.

    Raises:
        PolycastError: any expected failure; nothing is left half-written.
    """
    started = time.perf_counter()
    config, unnamed = without_placeholder(config)
    config = replace(config, mix=mix_for(config.audio_format, config.mix))
    cache = Cache.of(config.speak.cache)
    source = take(source, config, cache)
    mp3 = checked_output(source, out, config)
    article = load_source(source, config)
    if isinstance(article, Rundown) and article.name is not None:
        mp3 = checked_output(source, out, config, article.name)  # the article's episode again
    rundown = plan_source(article, config, cache, beside=preload.audio_stages)
    rundown = frame(rundown, config)
    voices = prepare_voices(rundown, config.speak)
    episode = cache.episode(rundown, audio_keys(cues_of(rundown), voices), config)
    timeline, report = speak_and_mix(rundown, voices, cache, episode, config, progress, start)
    report = timeline_svg.with_loudness(timeline, report)
    written = write_outputs(timeline, report, episode_info(rundown, config), mp3, config, episode)
    return BuildResult(
        mp3=mp3,
        companions=written,
        seconds=timeline.seconds,
        chapters=tuple((c.title, c.start / timeline.rate) for c in timeline.chapters),
        cues=len(timeline.cues),
        elapsed=time.perf_counter() - started,
        mix=report,
        voices=voices.describe(),
        notices=(*source_notices(source), *cache.notices, *unnamed, *voices.notices),
        audio_format=config.audio_format,
        title=rundown.title,
        uncached=cache.unusable,
    )


def checked_output(
    source: Source, out: Path | None, config: Config, name: str | None = None
) -> Path:
    """Name the episode file and check, before any work, that the build can read and write.

    Raises:
        PolycastError: an output is an input, the source or the music cannot be read, or the
            output folder cannot be written.
    """
    mp3 = output_path(source, out, config.audio_format.suffix, name)
    check_paths(source, (mp3, *companion_paths(mp3)), config)
    check_music(config.mix)
    write.prepare_folder(mp3.parent)
    return mp3


def speak_and_mix(  # noqa: PLR0917 (the stages' inputs, and the two progress callbacks)
    rundown: Rundown,
    voices: SpeakPlan,
    cache: Cache,
    episode: EpisodeSlot,
    config: Config,
    progress: Progress | None = None,
    start: Start | None = None,
) -> tuple[Timeline, MixReport]:
    """Speak every cue and mix the speech, or take the episode an earlier build kept.

    An unchanged episode (same cues, voices and settings) is neither spoken nor mixed: its kept
    MP3 is copied by ``write_outputs``, and the mix stage (numpy, the filters) is never loaded.
    """
    if episode.saved is not None:
        return take_saved(episode.saved, progress, start)
    from polycast.encode.ahead import AheadFrames  # noqa: PLC0415 (slow imports, only when
    from polycast.mix import mix  # noqa: PLC0415 (audio is mixed)

    clips = speak_cues(rundown, voices, cache, progress, start)
    workers, store = write.encode_workers(), episode.runs
    if store is None or config.audio_format is not AudioFormat.MP3:
        return mix(rundown, clips, config.mix, store=store, workers=workers)
    with AheadFrames(config.mp3, store, workers) as frames:  # LAME beside the final render
        return mix(rundown, clips, config.mix, store=store, workers=workers, frames=frames)


def cues_of(rundown: Rundown) -> list[Cue]:
    """Return every cue of ``rundown``, in order."""
    return [cue for chapter in rundown.chapters for cue in chapter.cues]


def speak_cues(
    rundown: Rundown,
    voices: SpeakPlan,
    cache: Cache,
    progress: Progress | None = None,
    start: Start | None = None,
) -> Iterator[Clip | KeptClip]:
    """Speak every cue of ``rundown`` with ``voices``, from the cache's cue audio where it can.

    Cached audio comes undecoded: the mix decodes only the clips of the runs it mixes again.
    """
    cues = cues_of(rundown)
    if start is not None:
        start(len(cues))
    return speak_kept(cues, voices, cache=cache.clips, workers=voices.workers, progress=progress)


def take_saved(
    episode: SavedEpisode, progress: Progress | None = None, start: Start | None = None
) -> tuple[Timeline, MixReport]:
    """Take a kept episode's timeline and report, telling the progress all its cues are done."""
    cues = len(episode.timeline.cues)
    if start is not None:
        start(cues)
    if progress is not None and cues:
        progress(cues)
    return episode.timeline, episode.report


def companion_paths(mp3: Path) -> tuple[Path, Path, Path, Path]:
    """Name the chapters JSON, WebVTT, SRT and timeline picture that go beside ``mp3``."""
    return (
        mp3.with_suffix(".chapters.json"),
        mp3.with_suffix(".vtt"),
        mp3.with_suffix(".srt"),
        mp3.with_suffix(".timeline.svg"),
    )


def _companions(
    timeline: Timeline, info: EpisodeInfo, mp3: Path, report: MixReport
) -> dict[Path, str]:
    """Render the chapters JSON, transcripts and timeline picture that go beside an episode."""
    chapters, vtt, srt, svg = companion_paths(mp3)
    return {
        chapters: companion_files.chapters_json(timeline, info),
        vtt: companion_files.webvtt(timeline),
        srt: companion_files.srt(timeline),
        svg: timeline_svg.timeline_svg(timeline, info, report.target, report.short_term),
    }


def write_outputs(  # noqa: PLR0917 (the episode, what it says, where, and its cache slot)
    timeline: Timeline,
    report: MixReport,
    info: EpisodeInfo,
    mp3: Path,
    config: Config,
    episode: EpisodeSlot,
    *,
    companions: bool = True,
) -> tuple[Path, ...]:
    """Write the episode (MP3 or Opus) and, unless told not to, its companions, all or nothing.

    The ``episode`` slot decides what the cache gives and keeps: a kept MP3 is copied instead of
    encoded (and, if its tags are the same too, instead of tagged), a new one is kept (with
    ``report``) for the next build, and runs' frames are reused.
    """
    texts = _companions(timeline, info, mp3, report) if companions else {}
    if config.audio_format is AudioFormat.OPUS:
        write.write_opus_episode(timeline, info, mp3, config.opus, texts)
        return tuple(texts)
    tagged = episode.tagged(info, timeline)
    write.write_episode(
        timeline,
        info,
        mp3,
        config.mp3,
        texts,
        encoded=episode.mp3,
        on_encoded=episode.keeper(timeline, report),
        store=episode.runs,
        tagged=tagged,
        on_tagged=None if tagged is not None else episode.tag_keeper(info, timeline),
    )
    return tuple(texts)
