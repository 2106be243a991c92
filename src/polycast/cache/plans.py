"""``plans/``: the rundown planned from an article, as ``polycast plan`` writes it (TOML).

Planning loads language models (over a second and ~200 MB in a fresh process); a preview or a
rebuild of an unchanged article does without them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from polycast import rundown as rundown_file
from polycast.cache.folder import entry_path, keep_entry
from polycast.cache.keys import key
from polycast.errors import PolycastError
from polycast.models import Article, Rundown
from polycast.plan.settings import PlanSettings

log = logging.getLogger(__name__)


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
            return rundown_file.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError, PolycastError) as e:
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
