"""``polycast preview``: choose a part of an article (or a line of text) and speak it plainly.

A preview is a short episode of one segment, one chapter or one line, without intro, outro or
music, written as an MP3 only (no companions). It takes what it can from the cache like a build.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from polycast import pipeline, write
from polycast.cache import Cache
from polycast.config import Config
from polycast.encode.formats import AudioFormat, mix_for
from polycast.errors import InputError
from polycast.models import Article, Chapter, Kind, Rundown, Segment, Timeline
from polycast.plan import PlanSettings
from polycast.sources import Source
from polycast.speak import prepare_voices
from polycast.speak.runner import audio_keys


def text_language(text: str, settings: PlanSettings) -> tuple[str, str]:
    """Tell the language of a ``--text`` line given without ``--lang``, as the planner would.

    The planner's detector decides; a line too short (or too ambiguous) for it is read in the
    narration language the planner falls back to (``[plan] default_language``).

    Returns:
        The language, and a notice that says how it was chosen.
    """
    from polycast.plan.language import Detector, narration_language  # noqa: PLC0415 (lingua)

    detector = Detector()
    found = detector.detect(text)
    if found is not None:
        code, confidence = found
        return code, f"--text is in {code} (detected, {confidence:.0%} sure); --lang overrides"
    line = Article(segments=(Segment(Kind.PARAGRAPH, text),))
    code = narration_language(line, settings, detector)
    return code, (
        f"--text is too short to tell its language: read in {code}, the default narration "
        "language ([plan] default_language); --lang overrides"
    )


def choose_part(  # noqa: PLR0917 (one parameter per way to choose)
    source: Source | None,
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
        from polycast.plan import plan  # noqa: PLC0415 (the planner: a segment's plan is kept)

        line = Article(segments=(Segment(Kind.PARAGRAPH, text, lang=lang),), language=lang)
        return plan(line, replace(config.plan, title="preview"))
    if source is None:
        raise InputError("give an article with a segment or --chapter, or --text")
    rundown, article = pipeline.load_rundown(source, config)
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


def speak_part(rundown: Rundown, config: Config, mp3: Path) -> tuple[Timeline, tuple[str, ...]]:
    """Speak ``rundown`` plainly (no intro, outro or music) into ``mp3``.

    Returns:
        The timeline written, and the notices of the voice choice (a fallback language, say).
    """
    write.prepare_folder(mp3.parent)
    plain = replace(config, mix=replace(config.mix, intro=False, outro=False, sting=None, bed=None))
    plain = replace(plain, audio_format=AudioFormat.MP3, mix=mix_for(AudioFormat.MP3, plain.mix))
    cache = Cache.of(plain.speak.cache)
    voices = prepare_voices(rundown, plain.speak)
    episode = cache.episode(rundown, audio_keys(pipeline.cues_of(rundown), voices), plain)
    timeline, report = pipeline.speak_and_mix(rundown, voices, cache, episode, plain)
    info = pipeline.episode_info(rundown, plain)
    pipeline.write_outputs(timeline, report, info, mp3, plain, episode, companions=False)
    return timeline, (*cache.notices, *voices.notices)
