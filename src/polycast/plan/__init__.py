"""Plan stage: decide what the episode says, in which language, by whom, in which chapters.

    Article ─plan─▶ Rundown (chapters of cues: one sentence each, with language, speaker, pause)

``plan`` gives every segment a language (``language``), cleans its text for speech (``speech``),
introduces posts in the narration language (``attribution``), splits sentences into cues
(``cues``, ``sentences``), respells words from the show's lexicon (``lexicon``) and groups the
cues into chapters (``chapters``). ``describe`` (in ``views``) shows the same decisions per
segment, for ``polycast segments``.

Names are imported from their modules on first use, so reading ``PlanSettings`` (every command
does) or a plan an earlier build kept loads no part of the planner.
"""

from typing import TYPE_CHECKING

from polycast.lazy import exports

if TYPE_CHECKING:
    from polycast.plan.lexicon import Lexicon
    from polycast.plan.planner import plan
    from polycast.plan.settings import Pauses, PlanSettings
    from polycast.plan.views import SegmentView, describe, segments_document

_WHERE = {
    "Lexicon": "polycast.plan.lexicon",
    "Pauses": "polycast.plan.settings",
    "PlanSettings": "polycast.plan.settings",
    "SegmentView": "polycast.plan.views",
    "describe": "polycast.plan.views",
    "plan": "polycast.plan.planner",
    "segments_document": "polycast.plan.views",
}


__getattr__ = exports(__name__, _WHERE)


__all__ = [
    "Lexicon",
    "Pauses",
    "PlanSettings",
    "SegmentView",
    "describe",
    "plan",
    "segments_document",
]
