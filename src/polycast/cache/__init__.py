"""What a build keeps for the next one, behind one object the stages are handed.

A build makes one ``Cache`` from its settings; the stages compute, and the cache decides whether
to ask them. Every entry is keyed by a hash of named fields (``keys``), polycast's own source code
included for all but cue audio, so a new or edited polycast never reuses what an older one made.
The cache folder holds:

- cue audio (``speech``): one FLAC entry per sentence, voice and engine version;
- ``plans/`` (``plans``): the rundown planned from an article;
- ``segments/`` (``segments``): each segment's plan, for an edited article;
- ``episodes/`` (``episodes``): an encoded episode, with its times and loudness;
- ``runs/`` (``runs``): each run's measurements and MP3 frames, and each cached clip's length
  once trimmed and resampled, for a rebuild after an edit;
- ``pages/`` (``pages``): web pages by address, with their ETag and Last-Modified.

Entries are written atomically and checked when read; a missing or damaged one is simply made
again. Nothing here is needed for a correct build, only for a fast one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from polycast.cache.folder import default_cache_dir, folder_of, unusable
from polycast.cache.keys import code_fingerprint
from polycast.cache.runs import RunCache
from polycast.cache.speech import ClipCache, cache_key

if TYPE_CHECKING:
    from polycast.cache.episodes import EpisodeSlot
    from polycast.cache.pages import PageCache
    from polycast.cache.plans import PlanCache, SegmentCache
    from polycast.config import Config
    from polycast.models import Rundown

__all__ = [
    "Cache",
    "ClipCache",
    "RunCache",
    "cache_key",
    "code_fingerprint",
    "default_cache_dir",
    "unusable",
]


@dataclass(frozen=True)
class Cache:
    """The cache of one build: its folder, or none, and a part for each kind of entry.

    Importing this package is light (the speak stage imports it for its cue audio): the plan and
    episode parts import what planning and mixing need only when a build asks for them.
    """

    folder: Path | None = None
    """Where entries are kept; None: the build keeps nothing and finds nothing."""
    unusable: str | None = None
    """Why the configured folder is not used (``<folder> is not a folder``), or None."""

    @classmethod
    def of(cls, setting: bool | Path) -> Cache:
        """Make the cache a ``speak.cache`` setting asks for: True, a folder, or False.

        True is the default folder (``default_cache_dir``); False is no cache at all. The folder
        is checked once, here: an unusable one (a file, a read-only place) makes a cache of no
        folder that says why, one notice rather than a warning for every entry.
        """
        folder = folder_of(setting)
        if folder is None:
            return cls()
        problem = unusable(folder)
        return cls(folder) if problem is None else cls(None, f"{folder} {problem}")

    @property
    def notices(self) -> tuple[str, ...]:
        """Say, once, that the build runs without its cache, and why."""
        if self.unusable is None:
            return ()
        return (f"cache folder {self.unusable}; building without the cache",)

    @property
    def clips(self) -> ClipCache | None:
        """Cue audio, for the speak stage."""
        return None if self.folder is None else ClipCache(self.folder)

    @property
    def runs(self) -> RunCache | None:
        """Runs' measurements and frames, for the mix and the encoder."""
        return None if self.folder is None else RunCache(self.folder)

    @property
    def plans(self) -> PlanCache | None:
        """Plans of articles, for the plan stage."""
        from polycast.cache.plans import PlanCache  # noqa: PLC0415 -- see the class docstring

        return None if self.folder is None else PlanCache(self.folder)

    @property
    def segments(self) -> SegmentCache | None:
        """Plans of segments, for the plan stage when the article changed."""
        from polycast.cache.plans import SegmentCache  # noqa: PLC0415 -- see the class docstring

        return None if self.folder is None else SegmentCache(self.folder)

    @property
    def pages(self) -> PageCache | None:
        """Web pages as last fetched, for a conditional request on the next build."""
        from polycast.cache.pages import PageCache  # noqa: PLC0415 -- see the class docstring

        return None if self.folder is None else PageCache(self.folder)

    def episode(self, rundown: Rundown, audio: Sequence[str], config: Config) -> EpisodeSlot:
        """Find what the cache holds of the MP3 episode ``rundown`` makes with ``config``.

        Args:
            rundown: the episode, framed, as it will be spoken.
            audio: the cache key of every cue's audio (``polycast.speak.runner.audio_keys``).
            config: the build's settings.
        """
        from polycast.cache.episodes import EpisodeCache, EpisodeSlot, episode_key  # noqa: PLC0415
        from polycast.encode.formats import AudioFormat  # noqa: PLC0415

        if self.folder is None or config.audio_format is not AudioFormat.MP3:
            return EpisodeSlot(runs=self.runs)
        episodes = EpisodeCache(self.folder)
        name = episode_key(rundown, audio, config)
        return EpisodeSlot(episodes, name, episodes.saved(name, rundown), self.runs)
