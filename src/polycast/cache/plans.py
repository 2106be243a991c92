"""``plans/``: the rundown planned from an article, as ``polycast plan`` writes it (TOML).

Planning loads language models (over a second and ~200 MB in a fresh process); a preview or a
rebuild of an unchanged article does without them.

``segments/``: each segment's plan (its language and cues), so an edited article plans again
only the segments the edit changed: no detection, clean-up or sentence splitting of the rest.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any, TypeVar

from polycast import rundown as rundown_file
from polycast.cache.folder import entry_path, keep_entry, read_entry
from polycast.cache.keys import key
from polycast.errors import PolycastError
from polycast.models import NARRATOR, Article, Cue, Kind, Rundown, Segment
from polycast.plan.settings import PlanSettings

log = logging.getLogger(__name__)
_T = TypeVar("_T")


class PlanCache:
    """Plans of articles, keyed by the article and the plan settings."""

    def __init__(self, folder: Path) -> None:
        """Keep entries under ``folder/plans``."""
        self._folder = folder / "plans"

    def path(self, article: Article, settings: PlanSettings) -> Path:
        """Return where the plan of ``article`` under ``settings`` is kept."""
        return entry_path(self._folder, key("plan", article, settings), ".toml")

    def get(self, article: Article, settings: PlanSettings) -> Rundown | None:
        """Return the kept plan of ``article``, or None (absent, or unreadable: planned again)."""
        path = self.path(article, settings)
        try:
            return rundown_file.loads(read_entry(path).decode("utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, PolycastError) as e:  # UnicodeDecodeError is a ValueError
            log.warning("cached plan %s is unreadable (%s); planning again", path, e)
            return None

    def put(self, article: Article, settings: PlanSettings, rundown: Rundown) -> None:
        """Keep a plan for ``get`` to find, if a build can use it.

        A plan a build cannot use (an article of emoji only plans to no cue at all) is not kept:
        kept, every later run would find it unreadable, warn, and plan again.
        """
        text = rundown_file.dumps(rundown)
        try:
            rundown_file.loads(text)
        except PolycastError as e:
            log.info("not keeping the plan of %r: %s", rundown.title, e)
            return
        keep_entry(self.path(article, settings), text.encode("utf-8"))

    def plan(
        self, article: Article, settings: PlanSettings, make: Callable[[], Rundown]
    ) -> Rundown:
        """Return the kept plan of ``article``, or ``make`` it and keep it."""
        kept = self.get(article, settings)
        if kept is None:
            kept = make()
            self.put(article, settings, kept)
        return kept


class SegmentCache:
    """Plans of segments (``polycast.plan.cues.SegmentPlans``), each keyed by all it depends on.

    That is the segment, the narration language, the plan settings and the languages detection
    chooses from (and, as every key, polycast's code and the language detector's version).
    """

    def __init__(self, folder: Path) -> None:
        """Keep entries under ``folder/segments``."""
        self._folder = folder / "segments"
        self._settings: tuple[PlanSettings, list[str] | None, str] | None = None

    def _path(
        self,
        segment: Segment,
        narration: str,
        settings: PlanSettings,
        languages: Collection[str] | None,
    ) -> Path:
        # In their order: of ``en-us`` and ``en-gb``, the first answers for English.
        names = None if languages is None else list(languages)
        kept = self._settings
        if kept is None or kept[0] is not settings or kept[1] != names:
            # Named once per plan: the settings (a lexicon, say) may be long.
            kept = (settings, names, key("segment settings", settings, names))
            self._settings = kept
        return entry_path(self._folder, key("segment", kept[2], segment, narration), ".json")

    def get(
        self,
        segment: Segment,
        narration: str,
        settings: PlanSettings,
        languages: Collection[str] | None,
    ) -> tuple[str, tuple[Cue, ...]] | None:
        """Return the kept plan of ``segment``, or None (absent, or unreadable: planned again)."""
        path = self._path(segment, narration, settings, languages)
        try:
            return _plan_from_data(json.loads(read_entry(path)))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as e:
            log.warning("cached segment plan %s is unreadable (%s); planning again", path, e)
            return None

    def put(
        self,
        segment: Segment,
        narration: str,
        settings: PlanSettings,
        languages: Collection[str] | None,
        planned: tuple[str, tuple[Cue, ...]],
    ) -> None:
        """Keep the plan of ``segment`` for ``get`` to find."""
        text = json.dumps(_plan_to_data(planned), ensure_ascii=False)
        keep_entry(self._path(segment, narration, settings, languages), text.encode("utf-8"))


def _plan_to_data(planned: tuple[str, tuple[Cue, ...]]) -> dict[str, Any]:
    """Write a segment's plan as JSON data: its language, its cues field by field (no index)."""
    lang, cues = planned
    return {
        "lang": lang,
        "cues": [
            {
                "text": cue.text,
                "lang": cue.lang,
                "kind": cue.kind.value,
                "pause_ms": cue.pause_ms,
                "speaker": cue.speaker,
                "voice": cue.voice,
            }
            for cue in cues
        ],
    }


def _plan_from_data(data: Any) -> tuple[str, tuple[Cue, ...]]:
    """Read what ``_plan_to_data`` wrote.

    Raises:
        ValueError, KeyError, TypeError: the data is not a segment's plan.
    """
    cues = tuple(
        Cue(
            text=_typed(item["text"], str),
            lang=_typed(item["lang"], str),
            kind=Kind(item["kind"]),
            pause_ms=_typed(item["pause_ms"], int),
            speaker=_typed(item.get("speaker", NARRATOR), str),
            voice=None if item["voice"] is None else _typed(item["voice"], str),
        )
        for item in data["cues"]
    )
    return _typed(data["lang"], str), cues


def _typed(value: object, kind: type[_T]) -> _T:
    """Return ``value`` if it is a ``kind`` (a JSON number is no text, nor text a number)."""
    if not isinstance(value, kind) or isinstance(value, bool):
        raise TypeError(f"{value!r} is not a {kind.__name__}")
    return value
