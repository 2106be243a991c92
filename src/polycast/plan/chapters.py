"""Group cues into chapters, set the pauses at chapter ends, and choose the episode title.

Chapters follow the article's shape:

- The opening section (everything before the first heading) is the first chapter, titled with
  the episode's title when the article or the show gives one, else "Inleiding"/"Introduction"
  in the narration language (a title made from the lead sentence would only repeat it).
- Each embedded post is a chapter of its own, titled "Author (@handle)", linking to the post,
  or to its author's profile when the article does not link the post (``links``).
- Each heading starts a chapter titled with the heading, which is spoken as its first cue.
- Narration that continues a section after a post opens a new chapter with the section's title.

Pauses at chapter ends: ``post`` before and after a post, ``chapter`` at any other break and
after the last cue of the episode.
"""

from __future__ import annotations

import dataclasses
import heapq
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from polycast.models import Chapter, Cue, Kind, Post
from polycast.plan.attribution import base_language, clean_name
from polycast.plan.links import post_link
from polycast.plan.settings import Pauses

if TYPE_CHECKING:
    from polycast.plan.cues import Spoken

OPENING = {"nl": "Inleiding", "en": "Introduction", "de": "Einleitung", "fr": "Introduction"} | {
    "es": "Introducción",
    "it": "Introduzione",
    "ja": "はじめに",
}
POST = {"nl": "Bericht", "en": "Post", "de": "Beitrag", "fr": "Publication", "ja": "投稿"}
TITLE_CHARS = 60
"""Longest title made from the lead sentence, cut on a word boundary."""
MAX_CHAPTERS = 255
"""Most chapters an episode has: an ID3 table of contents (CTOC) counts its entries in a byte."""
FRAME_CHAPTERS = 2
"""Chapters a build may add around a plan (the show's intro and outro)."""


@dataclass
class _Draft:
    title: str
    url: str | None = None
    is_post: bool = False
    cues: list[Cue] = field(default_factory=list)


def opening_title(own_title: str | None, lang: str) -> str:
    """Title of the first chapter: the article's or show's title, else "Introduction"."""
    return own_title or OPENING.get(base_language(lang), "Intro")


def post_title(post: Post | None, lang: str) -> str:
    """Title of a post's chapter: "CEPA (@cepa)", "CEPA", "@cepa", or "Post"."""
    post = post or Post()
    name = clean_name(post.author)
    handle = f"@{post.handle.lstrip('@')}" if post.handle else None
    if name and handle:
        return f"{name} ({handle})"
    return name or handle or POST.get(base_language(lang), "Post")


def chapters(
    spoken: Sequence[Spoken], opening: str, lang: str, pauses: Pauses
) -> tuple[Chapter, ...]:
    """Group the cues of every segment into chapters, in order (see the module docstring).

    Args:
        spoken: every segment's cues, in article order.
        opening: title of the opening chapter.
        lang: narration language (the fallback title of a nameless post).
        pauses: the ``post`` and ``chapter`` pauses are set at chapter ends.
    """
    drafts: list[_Draft] = [_Draft(opening)]
    section = opening
    for item in spoken:
        if not item.cues:
            continue
        kind = item.segment.kind
        if kind is Kind.POST:
            post = item.segment.post
            link = post_link(post, item.segment.text)
            drafts.append(_Draft(post_title(post, lang), link, True))
        elif kind is Kind.HEADING:
            section = _heading_title(item)
            drafts.append(_Draft(section))
        elif drafts[-1].is_post:
            drafts.append(_Draft(section))
        drafts[-1].cues.extend(item.cues)
    kept = [d for d in drafts if d.cues]
    for i, draft in enumerate(kept):
        after = kept[i + 1] if i + 1 < len(kept) else None
        near_post = draft.is_post or (after is not None and after.is_post)
        pause = pauses.post if near_post and after is not None else pauses.chapter
        draft.cues[-1] = dataclasses.replace(draft.cues[-1], pause_ms=pause)
    return tuple(Chapter(d.title, tuple(d.cues), d.url) for d in kept)


def _heading_title(item: Spoken) -> str:
    """Title a chapter with its heading as written (not respelled by the lexicon), on one line."""
    title = re.sub(r"\s+", " ", item.segment.text).strip(" #")
    return title or item.speech


def episode_title(own: str | None, show: str | None, spoken: Sequence[Spoken]) -> str:
    """Choose the episode title: the article's, else the show's, else the lead, shortened."""
    for title in (own, show):
        if title and title.strip():
            return re.sub(r"\s+", " ", title).strip()
    lead = next(
        (s for s in spoken if s.cues and s.segment.kind is Kind.PARAGRAPH),
        next((s for s in spoken if s.cues), None),
    )
    if lead is None:
        return "Untitled"
    from polycast.plan import sentences, speech  # noqa: PLC0415 (fitting a kept plan needs neither)

    # The lead as cleaned for speech, before the lexicon respells anything for the voice.
    first = sentences.split(speech.clean(lead.segment.text, lead.lang), lead.lang)
    return shorten(first[0] if first else lead.cues[0].text)


def shorten(sentence: str, limit: int = TITLE_CHARS) -> str:
    """Cut a sentence to at most ``limit`` characters on a word boundary, marking the cut.

    >>> shorten("Loekasjenko en Poetin maakten donderdag tijdens hun zesde top dit jaar afspraken.")
    'Loekasjenko en Poetin maakten donderdag tijdens hun zesde…'
    >>> shorten("Short and sweet.")
    'Short and sweet'
    """
    sentence = sentence.strip()
    if len(sentence) <= limit:
        return sentence.rstrip(".!?;:, ")
    cut = sentence[: limit + 1]
    cut = cut[: cut.rfind(" ")] if " " in cut else cut[:limit]
    return cut.rstrip(".!?;:,-– ") + "…"


def fit_chapters(chapters: Sequence[Chapter], limit: int = MAX_CHAPTERS) -> tuple[Chapter, ...]:
    """Merge neighbouring chapters until at most ``limit`` remain, the shortest pairs first.

    An ID3 table of contents (CTOC) counts its entries in one byte: 255 at most. The chapter
    addendum allows nested tables (a top-level CTOC whose entries are sub-CTOCs), but players
    are written for the one flat, top-level, ordered CTOC that Forecast and Auphonic write:
    BookPlayer lists chapters only from a table of contents and takes its count byte as the
    number of chapters (TortugaPower/BookPlayer#1022: 256 chapters show as none), and no podcast
    app is known to walk a nested table. A flat table of at most 255 CHAPs is what every reader
    handles, and a list of 600 marks would not help a listener scrolling it on a phone anyway.
    So a long article keeps one flat table and loses its smallest marks: the neighbours with
    the least text between them merge first (ties: the earliest), so the chapters stay even.
    A merged chapter keeps its first chapter's title, link and start; no cue, pause or sentence
    changes, and the chapters JSON and transcripts follow the same list.
    """
    if len(chapters) <= limit:
        return tuple(chapters)
    groups = [[c] for c in chapters]
    size = [sum(len(cue.text) for cue in c.cues) for c in chapters]
    after = [*range(1, len(chapters)), -1]
    before = [-1, *range(len(chapters) - 1)]
    heap = [(size[i] + size[i + 1], i, i + 1) for i in range(len(chapters) - 1)]
    heapq.heapify(heap)
    merges = len(chapters) - max(1, limit)
    while merges:
        total, i, j = heapq.heappop(heap)
        if not groups[i] or not groups[j] or after[i] != j or total != size[i] + size[j]:
            continue  # a stale pair: one side has grown or gone since it was pushed
        groups[i] += groups[j]
        groups[j] = []
        size[i] = total
        after[i] = after[j]
        if after[j] != -1:
            before[after[j]] = i
            heapq.heappush(heap, (size[i] + size[after[i]], i, after[i]))
        if before[i] != -1:
            heapq.heappush(heap, (size[before[i]] + size[i], before[i], i))
        merges -= 1
    return tuple(
        Chapter(g[0].title, tuple(cue for c in g for cue in c.cues), g[0].url) for g in groups if g
    )
