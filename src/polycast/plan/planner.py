"""``plan``: an article's segments, spoken as cues, in chapters, as one rundown.

It lives apart from the package's ``__init__`` so that reading ``PlanSettings`` (every command
does) or a kept plan loads neither the language detector nor the sentence splitter.
"""

from __future__ import annotations

from collections.abc import Collection

from polycast.models import Article, Rundown
from polycast.plan.chapters import (
    FRAME_CHAPTERS,
    MAX_CHAPTERS,
    chapters,
    episode_title,
    fit_chapters,
    opening_title,
)
from polycast.plan.cues import SegmentPlans, speak_segments
from polycast.plan.settings import PlanSettings


def plan(
    article: Article,
    settings: PlanSettings | None = None,
    languages: Collection[str] | None = None,
    kept: SegmentPlans | None = None,
) -> Rundown:
    """Plan an episode: every sentence of the article as a cue, in chapters.

    Args:
        article: what the reader understood.
        settings: pauses, titles, attribution wording, lexicon; defaults when None.
        languages: the languages the chosen voices speak; detection picks only among these
            (None: a default set of common languages).
        kept: the plans of segments planned before, taken instead of planning them again
            (and where the new ones are kept).

    Returns:
        The rundown; its chapters are never empty. An article with nothing speakable gives a
        rundown with no chapters (the caller decides whether that is an error).
    """
    settings = settings or PlanSettings()
    langs, spoken = speak_segments(article, settings, languages, kept)
    title = episode_title(article.title, settings.title, spoken)
    own = (article.title or settings.title or "").strip() or None
    planned = chapters(
        spoken, opening_title(own, langs.narration), langs.narration, settings.pauses
    )
    return Rundown(
        # Within an ID3 table of contents with room for the show's intro and outro, decided
        # here, before anything is spoken.
        chapters=fit_chapters(planned, MAX_CHAPTERS - FRAME_CHAPTERS),
        title=title,
        language=langs.narration,
        date=article.date,
        author=article.author,
        image=article.image,
    )
