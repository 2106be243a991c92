"""The whole job, stage by stage: read, plan, speak, mix, encode and tag, companions.

Each stage lives in its own module; this one only calls them in order and keeps file I/O at the
edges: it reads the source file, and writes every output to a temporary file that is renamed into
place only when all of them are complete.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from polycast import companions as companion_files
from polycast import reuse, write
from polycast import rundown as rundown_file
from polycast.config import MAX_ARTICLE_MB, Config, without_placeholder
from polycast.encode.formats import AudioFormat, mix_for
from polycast.errors import ConfigError, InputError
from polycast.frame import add_frame
from polycast.inputs import MB, check_size, read_bounded, refuse_overwrite
from polycast.mix import MixReport, check_music
from polycast.models import Article, Chapter, EpisodeInfo, Kind, Rundown, Segment, Timeline
from polycast.plan import plan
from polycast.plan.chapters import FRAME_CHAPTERS, MAX_CHAPTERS, fit_chapters
from polycast.read import read_article
from polycast.speak import SpeakPlan, prepare_voices, speak

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


def read_source(path: Path, cap: int = int(MAX_ARTICLE_MB * MB)) -> bytes:
    """Read an input file of at most ``cap`` bytes, failing with one clear ``InputError``.

    Missing, a directory, a FIFO or device, too large, unreadable: each says so in one line.
    """
    return read_bounded(path, cap, "article")


def load_source(path: Path, config: Config) -> Article | Rundown:
    """Read an article, or a rundown when the file is one (by its name or its content).

    Raises:
        InputError: the file is missing, unreadable, too large, or holds no article.
    """
    data = read_source(path, config.max_article_bytes)
    text = _rundown_text(path, data)
    if text is not None:
        return rundown_file.loads(text, str(path))
    return read_article(data, path.name, config.format)


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


def load_article(path: Path, config: Config) -> Article:
    """Read an article file (.txt, .md, .html), in the config's input format if it names one.

    Raises:
        InputError: the file is missing, unreadable, or holds no article.
    """
    return read_article(read_source(path, config.max_article_bytes), path.name, config.format)


def load_rundown(path: Path, config: Config) -> tuple[Rundown, Article | None]:
    """Read an article and plan it, or read a hand-edited rundown as it is."""
    source = load_source(path, config)
    if isinstance(source, Rundown):
        return source, None
    return _plan(source, config), source


def check_paths(source: Path | None, outputs: Sequence[Path], config: Config) -> None:
    """Before any work: refuse an output that is an input, and an input that cannot be read.

    Every command that writes (build, preview, plan -o) calls this first, so a refused run
    reads nothing, writes nothing and leaves the input as it was.

    Raises:
        OutputError: an output is the article (or the sting or bed), even through a link.
        InputError: the article is not a regular file, or is over ``max_article_mb``.
    """
    refuse_overwrite(outputs, [source, config.mix.sting, config.mix.bed])
    if source is not None:
        check_size(source, config.max_article_bytes, "article", InputError, "input.max_article_mb")


def _plan(article: Article, config: Config) -> Rundown:
    """Plan ``article``, or take the plan an earlier build made of it from the cache."""
    folder = reuse.cache_folder(config)
    if folder is None:
        return plan(article, config.plan, languages=None)
    key, kept = reuse.cached_plan(folder, article, config)
    if kept is None:
        kept = plan(article, config.plan, languages=None)
        reuse.keep_plan(folder, key, kept)
    return kept


def output_path(source: Path, out: Path | None, suffix: str = ".mp3") -> Path:
    """Where the episode goes: ``out`` if it names a file, else ``<out or output/>/<stem><suffix>``.

    Raises:
        ConfigError: ``out`` names an episode file of another format than ``suffix``.
    """
    if out is not None and out.suffix.lower() in {f.suffix for f in AudioFormat}:
        if out.suffix.lower() != suffix:
            raise ConfigError(f"{out}: the audio format is {suffix[1:]}; name a {suffix} file")
        return out
    folder = out if out is not None else Path("output")
    return folder / f"{source.stem}{suffix}"


def episode_info(rundown: Rundown, config: Config) -> EpisodeInfo:
    """Say what the tags hold: the rundown's title, date, language; author and show from config."""
    return EpisodeInfo(
        title=rundown.title,
        language=rundown.language,
        date=rundown.date,
        author=config.author or rundown.author,
        album=config.show_name,
    )


def build(
    source: Path,
    config: Config,
    out: Path | None = None,
    progress: Progress | None = None,
    start: Start | None = None,
) -> BuildResult:
    """Build the episode for ``source`` (an article or a rundown .toml) and its companions.

    Raises:
        PolycastError: any expected failure; nothing is left half-written.
    """
    started = time.perf_counter()
    config, unnamed = without_placeholder(config)
    config = replace(config, mix=mix_for(config.audio_format, config.mix))
    config, uncached = reuse.usable_cache(config)
    mp3 = output_path(source, out, config.audio_format.suffix)
    check_paths(source, (mp3, *companion_paths(mp3)), config)
    check_music(config.mix)
    write.prepare_folder(mp3.parent)
    rundown, _ = load_rundown(source, config)
    # A hand-edited rundown may hold more chapters than an ID3 table of contents: fit it (with
    # room for the intro and outro) before anything is spoken.
    limit = MAX_CHAPTERS - FRAME_CHAPTERS
    rundown = replace(rundown, chapters=fit_chapters(rundown.chapters, limit))
    rundown = add_frame(rundown, config.show_name, config.mix)
    timeline, report, voices, slot = render(rundown, config, progress, start)
    written = write_outputs(timeline, episode_info(rundown, config), mp3, config, slot, report)
    return BuildResult(
        mp3=mp3,
        companions=written,
        seconds=timeline.seconds,
        chapters=tuple((c.title, c.start / timeline.rate) for c in timeline.chapters),
        cues=len(timeline.cues),
        elapsed=time.perf_counter() - started,
        mix=report,
        voices=voices.describe(),
        notices=(*_cache_notice(uncached), *unnamed, *voices.notices),
        audio_format=config.audio_format,
        title=rundown.title,
        uncached=uncached,
    )


def _cache_notice(uncached: str | None) -> tuple[str, ...]:
    return () if uncached is None else (f"cache folder {uncached}; building without the cache",)


def render(
    rundown: Rundown, config: Config, progress: Progress | None = None, start: Start | None = None
) -> tuple[Timeline, MixReport, SpeakPlan, reuse.EpisodeSlot | None]:
    """Speak every cue of ``rundown`` and mix the speech, or take the same episode from cache.

    Returns:
        The timeline, its loudness report, the voices, and the cache slot for the episode.
    """
    voices = prepare_voices(rundown, config.speak)
    slot = reuse.episode_slot(rundown, voices, config)
    if slot is not None and slot.saved is not None:  # an unchanged episode: no speech, no mix
        _skip(len(slot.saved.timeline.cues), progress, start)
        return slot.saved.timeline, slot.saved.report, voices, slot
    timeline, report = speak_and_mix(rundown, voices, config, progress, start)
    return timeline, report, voices, slot


def speak_and_mix(
    rundown: Rundown,
    voices: SpeakPlan,
    config: Config,
    progress: Progress | None = None,
    start: Start | None = None,
) -> tuple[Timeline, MixReport]:
    """Speak every cue of ``rundown`` with ``voices`` and mix the speech into a timeline."""
    from polycast.mix import mix  # noqa: PLC0415 (slow import, only when audio is mixed)

    cues = [cue for chapter in rundown.chapters for cue in chapter.cues]
    if start is not None:
        start(len(cues))
    clips = speak(cues, voices, cache=voices.cache, workers=voices.workers, progress=progress)
    store = reuse.run_cache(config)
    return mix(rundown, clips, config.mix, store=store, workers=write.encode_workers())


def _skip(cues: int, progress: Progress | None, start: Start | None) -> None:
    """Tell the progress callbacks that all ``cues`` are done at once (a kept episode)."""
    if start is not None:
        start(cues)
    if progress is not None and cues:
        progress(cues)


def preview_rundown(  # noqa: PLR0917 (one parameter per way to choose)
    source: Path | None,
    config: Config,
    segment: int | None = None,
    chapter: str | None = None,
    text: str | None = None,
    lang: str | None = None,
) -> Rundown:
    """Choose the part of an article (or a line of text) that ``polycast preview`` speaks.

    Raises:
        InputError: no such segment or chapter, or the segment is not spoken.
    """
    if text is not None:
        line = Article(segments=(Segment(Kind.PARAGRAPH, text, lang=lang),), language=lang)
        return plan(line, replace(config.plan, title="preview"))
    if source is None:
        raise InputError("give an article with a segment or --chapter, or --text")
    rundown, article = load_rundown(source, config)
    if chapter is not None:
        chosen = [c for c in rundown.chapters if c.title.casefold() == chapter.casefold()]
        if not chosen:
            titles = "; ".join(dict.fromkeys(c.title for c in rundown.chapters))
            raise InputError(f"no chapter titled {chapter!r}; chapters: {titles}")
        return replace(rundown, chapters=tuple(chosen))
    cues = tuple(c for ch in rundown.chapters for c in ch.cues if c.segment == segment)
    if not cues:
        raise InputError(_no_segment(segment, article))
    return replace(rundown, chapters=(Chapter(title=f"segment {segment}", cues=cues),))


def _no_segment(segment: int | None, article: Article | None) -> str:
    """Say why no cue comes from ``segment``: out of range, not spoken, or not in the rundown."""
    if article is not None and segment is not None:
        count = len(article.segments)
        if not 0 <= segment < count:
            return f"segment {segment} does not exist: the article has segments 0 to {count - 1}"
        kind = article.segments[segment].kind.value
        return f"segment {segment} ({kind}) is not spoken; see 'polycast segments'"
    return f"no cue of the rundown comes from segment {segment}; see its 'segment' keys"


def preview(rundown: Rundown, config: Config, mp3: Path) -> tuple[Timeline, tuple[str, ...]]:
    """Speak ``rundown`` plainly (no intro, outro or music) into ``mp3``.

    Returns:
        The timeline written, and the notices of the voice choice (a fallback language, say).
    """
    write.prepare_folder(mp3.parent)
    plain = replace(config, mix=replace(config.mix, intro=False, outro=False, sting=None, bed=None))
    plain = replace(plain, audio_format=AudioFormat.MP3, mix=mix_for(AudioFormat.MP3, plain.mix))
    timeline, report, voices, slot = render(rundown, plain)
    write_outputs(
        timeline, episode_info(rundown, plain), mp3, plain, slot, report, companions=False
    )
    return timeline, voices.notices


def companion_paths(mp3: Path) -> tuple[Path, Path, Path]:
    """Name the chapters JSON, WebVTT and SRT files that go beside the episode ``mp3``."""
    return mp3.with_suffix(".chapters.json"), mp3.with_suffix(".vtt"), mp3.with_suffix(".srt")


def _companions(timeline: Timeline, info: EpisodeInfo, mp3: Path) -> dict[Path, str]:
    """Render the chapters JSON and transcripts that go beside an episode."""
    chapters, vtt, srt = companion_paths(mp3)
    return {
        chapters: companion_files.chapters_json(timeline, info),
        vtt: companion_files.webvtt(timeline),
        srt: companion_files.srt(timeline),
    }


def write_outputs(  # noqa: PLR0917 (the episode, and what the cache holds of it)
    timeline: Timeline,
    info: EpisodeInfo,
    mp3: Path,
    config: Config,
    slot: reuse.EpisodeSlot | None = None,
    report: MixReport | None = None,
    *,
    companions: bool = True,
) -> tuple[Path, ...]:
    """Write the episode (MP3 or Opus) and, unless told not to, its companions, all or nothing.

    With a cache ``slot``, a kept MP3 is copied instead of encoded, and a new one is kept
    (with ``report``) for the next build.
    """
    texts = _companions(timeline, info, mp3) if companions else {}
    if config.audio_format is AudioFormat.OPUS:
        write.write_opus_episode(timeline, info, mp3, config.opus, texts)
    elif slot is not None and slot.saved is not None:
        write.write_episode(timeline, info, mp3, config.mp3, texts, encoded=slot.saved.mp3)
    else:
        keep = slot.keeper(timeline, report) if slot is not None and report is not None else None
        runs = reuse.run_cache(config)
        write.write_episode(timeline, info, mp3, config.mp3, texts, on_encoded=keep, store=runs)
    return tuple(texts)
