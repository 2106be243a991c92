"""What polycast understood of an article, segment by segment (``polycast segments``).

The JSON form is stable (golden tests compare it byte for byte)::

    {"title": ..., "date": ..., "language": ...,
     "segments": [{"index", "kind", "lang", "spoken", "text", "speech",
                   "author", "handle", "url", "date"}, ...]}

``speech`` is what the voices will say (a post's narrated attribution first), ``null`` for a
segment that is not spoken. It shows how a post's tail is read (``polycast.plan.tails``): trailing
hashtags dropped, trailing mentions as a credit in the post's language ("With Steven Horrell.").
``author``, ``handle``, ``url`` and ``date`` are ``null`` except on posts; a quote that names its
speaker has that name as ``author``. A post's ``url`` is the link its chapter shows: the post's own
(status) link when the article gives one, else its author's profile on the platform
(``https://twitter.com/cepa``, see ``links``), ``null`` when neither is known.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from polycast.models import NARRATOR, Article, Kind, Rundown
from polycast.plan.chapters import episode_title
from polycast.plan.cues import Spoken, speak_segments
from polycast.plan.links import post_link
from polycast.plan.settings import PlanSettings


@dataclass(frozen=True)
class SegmentView:
    """One segment as planned."""

    index: int
    """Position in the article."""
    kind: Kind
    """What the segment is."""
    lang: str
    """Language it is spoken in."""
    spoken: bool
    """Whether it is read aloud."""
    text: str
    """The segment as written (markup removed)."""
    speech: str | None
    """What the voices say for it, sentences joined by spaces; None when not spoken."""
    author: str | None = None
    """A post's author as written, or the speaker a quote names."""
    handle: str | None = None
    """A post's handle, without ``@``."""
    url: str | None = None
    """A post's own link, else its author's profile (what its chapter links to)."""
    date: str | None = None
    """A post's date as ISO 8601, else as written."""

    def to_json(self) -> dict[str, Any]:
        """Return the view as a JSON object with every key, in a fixed order."""
        return {
            "index": self.index,
            "kind": self.kind.value,
            "lang": self.lang,
            "spoken": self.spoken,
            "text": self.text,
            "speech": self.speech,
            "author": self.author,
            "handle": self.handle,
            "url": self.url,
            "date": self.date,
        }


def describe(
    article: Article, settings: PlanSettings | None = None, languages: Collection[str] | None = None
) -> list[SegmentView]:
    """Plan ``article`` and report, per segment, its language and what will be said.

    Args:
        article: what the reader understood.
        settings: as for ``plan``; defaults when None.
        languages: what the chosen voices speak (see ``plan``).
    """
    _, spoken = speak_segments(article, settings or PlanSettings(), languages)
    return [_view(item) for item in spoken]


def segments_document(
    article: Article, settings: PlanSettings | None = None, languages: Collection[str] | None = None
) -> dict[str, Any]:
    """Build the ``polycast segments --json`` document: title, date, language, segments."""
    settings = settings or PlanSettings()
    langs, spoken = speak_segments(article, settings, languages)
    return {
        "title": episode_title(article.title, settings.title, spoken),
        "date": article.date,
        "language": langs.narration,
        "segments": [_view(item).to_json() for item in spoken],
    }


def rundown_document(rundown: Rundown) -> dict[str, Any]:
    """Build the ``segments`` document of a rundown: its cues, numbered in speaking order.

    A rundown has no article behind it; each cue stands for the segment it says (``text`` and
    ``speech`` are both the cue's words, ``author`` its speaker when not the narrator).
    """
    cues = [cue for chapter in rundown.chapters for cue in chapter.cues]
    views = [
        SegmentView(
            index=i,
            kind=cue.kind,
            lang=cue.lang,
            spoken=True,
            text=cue.text,
            speech=cue.text,
            author=None if cue.speaker == NARRATOR else cue.speaker,
        )
        for i, cue in enumerate(cues)
    ]
    return {
        "title": rundown.title,
        "date": rundown.date,
        "language": rundown.language,
        "segments": [view.to_json() for view in views],
    }


def dumps(document: dict[str, Any]) -> str:
    """Serialise a segments document the one stable way: UTF-8 text, two-space indent."""
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _view(item: Spoken) -> SegmentView:
    segment, post = item.segment, item.segment.post
    return SegmentView(
        index=item.index,
        kind=segment.kind,
        lang=item.lang,
        spoken=segment.spoken,
        text=segment.text,
        speech=item.speech if segment.spoken else None,
        author=post.author if post else None,
        handle=post.handle if post else None,
        url=post_link(post, segment.text) if post else None,
        date=(post.date or post.date_text) if post else None,
    )
