"""From one segment to its cues: language runs, clean-up, attribution, sentences, lexicon.

Every spoken segment becomes a ``Spoken``: its cues in order (one per sentence), each with its
language, kind, segment index and speaker, and pauses for a segment standing alone (sentence,
paragraph, heading, attribution). The chapter builder later lengthens the pause at chapter ends.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Protocol

from polycast.models import NARRATOR, Article, Cue, Kind, Post, Segment
from polycast.plan import sentences, speech, tails
from polycast.plan.attribution import (
    attribution,
    clean_name,
    quoted_by,
    speaker_name,
    split_handle,
)
from polycast.plan.language import (
    Detector,
    Languages,
    narration_language,
    segment_language,
    split_quotes,
)
from polycast.plan.settings import PlanSettings

_HEADINGS = {Kind.HEADING, Kind.TITLE}
_NARRATION = {Kind.TITLE, Kind.HEADING, Kind.PARAGRAPH, Kind.LIST, Kind.CAPTION}
UNNAMED = "unknown"
"""Speaker of a post that names no author or handle (for transcript voice tags)."""


@dataclass(frozen=True)
class Spoken:
    """What one segment says."""

    index: int
    """The segment's index in the article."""
    segment: Segment
    """The segment itself."""
    lang: str
    """The segment's language."""
    cues: tuple[Cue, ...]
    """Its cues in order; empty when nothing speakable is left after clean-up."""

    @property
    def speech(self) -> str:
        """Everything the segment says, as one line (for ``polycast segments``)."""
        said = ""
        for cue in self.cues:
            # Chinese and Japanese sentences follow each other without a space.
            joint = "" if not said or said.endswith(("。", "！", "？")) else " "
            said += joint + cue.text
        return said


class SegmentPlans(Protocol):
    """Where the plans of segments an earlier build planned are kept (``polycast.cache.plans``).

    A segment's plan is its language and its cues; it depends on the segment, the narration
    language, the settings and the languages detection chooses from, and on nothing else in
    the article, so an edited article plans again only the segments the edit changed.
    """

    def get(
        self,
        segment: Segment,
        narration: str,
        settings: PlanSettings,
        languages: Collection[str] | None,
    ) -> tuple[str, tuple[Cue, ...]] | None:
        """Return a kept plan of ``segment`` (its cues' ``segment`` index unset), or None."""
        ...

    def put(
        self,
        segment: Segment,
        narration: str,
        settings: PlanSettings,
        languages: Collection[str] | None,
        planned: tuple[str, tuple[Cue, ...]],
    ) -> None:
        """Keep the plan of ``segment`` for ``get`` to find."""
        ...


def speak_segments(
    article: Article,
    settings: PlanSettings,
    languages: Collection[str] | None = None,
    kept: SegmentPlans | None = None,
) -> tuple[Languages, Sequence[Spoken]]:
    """Decide every segment's language and cues (the shared first half of plan and describe).

    The narration language is decided first, from the whole article; then each segment is
    planned, or its plan taken from ``kept``.
    """
    detector = Detector(languages)
    narration = narration_language(article, settings, detector)
    spoken = []
    for index, segment in enumerate(article.segments):
        found = None if kept is None else kept.get(segment, narration, settings, languages)
        if found is not None:
            lang, cues = found
            cues = tuple(dataclasses.replace(cue, segment=index) for cue in cues)
            spoken.append(Spoken(index, segment, lang, cues))
            continue
        lang = segment_language(segment, narration, settings, detector)
        planned = segment_cues(
            index, segment, lang=lang, narration=narration, settings=settings, detector=detector
        )
        if kept is not None:
            kept.put(segment, narration, settings, languages, (lang, planned.cues))
        spoken.append(planned)
    return Languages(narration, tuple(item.lang for item in spoken)), spoken


def segment_cues(
    index: int,
    segment: Segment,
    *,
    lang: str,
    narration: str,
    settings: PlanSettings,
    detector: Detector,
) -> Spoken:
    """Turn one segment into its cues.

    Args:
        index: the segment's position in the article.
        segment: the segment.
        lang: the segment's language (see ``language.assign``).
        narration: the article's language, spoken by the narrator (post attributions).
        settings: pauses, attribution templates and the lexicon.
        detector: for long quoted passages in another language inside narration.
    """
    if not segment.spoken:
        return Spoken(index, segment, lang, ())
    text = segment.text
    if segment.kind is Kind.POST:
        text = tails.read_tail(speech.strip_byline(text), lang)
    if segment.kind in _NARRATION:
        runs = split_quotes(text, lang, settings, detector)
    else:
        runs = [(text, lang)]
    cues = _sentence_cues(index, segment, runs, settings)
    quoted = segment.kind is Kind.QUOTE and bool(clean_name((segment.post or Post()).author))
    if cues and (segment.kind is Kind.POST or quoted):
        intro = _attribution_cue(index, segment, text, narration, settings)
        cues[:0] = [intro] if intro.text else []
    return Spoken(index, segment, lang, tuple(cues))


def _sentence_cues(
    index: int, segment: Segment, runs: Sequence[tuple[str, str]], settings: PlanSettings
) -> list[Cue]:
    """One cue per sentence of each language run, cleaned and respelled, with its pause."""
    speaker = NARRATOR
    post = segment.post or Post()
    if segment.kind is Kind.POST:
        speaker = clean_name(post.author) or split_handle(post.handle or "") or UNNAMED
    elif segment.kind is Kind.QUOTE:
        speaker = clean_name(post.author) or NARRATOR  # a quote that names its speaker
    cues = [
        Cue(
            text=sentence,
            lang=run_lang,
            kind=segment.kind,
            segment=index,
            pause_ms=settings.pauses.sentence,
            speaker=speaker,
        )
        for run_text, run_lang in runs
        for sentence in _sentences(run_text, run_lang, settings)
    ]
    if cues:
        pauses = settings.pauses
        last = pauses.heading if segment.kind in _HEADINGS else pauses.paragraph
        cues[-1] = dataclasses.replace(cues[-1], pause_ms=last)
    return cues


def _sentences(text: str, lang: str, settings: PlanSettings) -> list[str]:
    """Return a run's sentences as the voice gets them: cleaned, split, respelled."""
    cleaned = speech.clean(text, lang)
    return settings.lexicon.respell_sentences(cleaned, sentences.split(cleaned, lang), lang)


def _attribution_cue(
    index: int, segment: Segment, text: str, narration: str, settings: PlanSettings
) -> Cue:
    post = segment.post or Post()
    name = speaker_name(post, narration)
    if segment.kind is Kind.QUOTE:
        said = quoted_by(name, narration, settings.attribution)
    else:
        said = attribution(post, narration, name, text, settings.attribution)
    said = speech.clean(said, narration)
    return Cue(
        text=settings.lexicon.apply(said, narration),
        lang=narration,
        kind=segment.kind,
        segment=index,
        pause_ms=settings.pauses.attribution,
    )
