"""Counting a batch as it goes, and saying it: the bar, a line per article, the summary.

Everything here is words from numbers; the CLI decides where they are printed. The tally keeps
counts, the failures, and one short record per built episode (for the JSON summary), never an
episode's audio.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from polycast.batch.work import Outcome
from polycast.times import clock, seconds_to_ms


@dataclass
class Tally:
    """How far a batch has come."""

    total: int = 0
    """Articles in the batch."""
    built: int = 0
    """Articles built in this run."""
    published: int = 0
    """Episodes published into the feed in this run."""
    skipped: int = 0
    """Articles left as they were: built (and published) before from the same text."""
    seconds: float = 0.0
    """Audio made in this run, in seconds."""
    failures: list[tuple[str, str]] = field(default_factory=list)
    """Each failed article's origin and why."""
    episodes: list[dict[str, Any]] = field(default_factory=list)
    """Each built episode: origin, file, title, duration, whether published."""
    started: float = field(default_factory=time.perf_counter)
    """When the batch started (``time.perf_counter``)."""
    stopped_by: str | None = None
    """The signal that stopped the batch early, or None."""
    notices: dict[str, None] = field(default_factory=dict)
    """What the builds wanted a person to know, each once (in the order first told)."""

    @property
    def failed(self) -> int:
        """Articles that failed."""
        return len(self.failures)

    @property
    def remaining(self) -> int:
        """Articles neither done nor failed yet."""
        return self.total - self.built - self.skipped - self.failed

    def add(self, outcome: Outcome, published: bool = False) -> None:
        """Count one finished article."""
        if outcome.error is not None:
            self.failures.append((outcome.origin, outcome.error))
            return
        self.notices.update(dict.fromkeys(outcome.notices))
        self.built += 1
        self.published += published
        self.seconds += outcome.seconds
        self.episodes.append(
            {
                "source": outcome.origin,
                "episode": outcome.episode,
                "title": outcome.title,
                "duration": round(outcome.seconds, 3),
                "published": published,
            }
        )


def bar(tally: Tally, width: int = 24) -> str:
    """Draw the one-line bar: done, failed, remaining, and the hours of audio made.

    >>> bar(Tally(total=4, built=1, skipped=1, seconds=5400.0), width=8)
    '[####....] 2/4 done, 0 failed, 2 to go, 1.50 h of audio'
    """
    done = tally.built + tally.skipped + tally.failed
    filled = round(width * done / tally.total) if tally.total else width
    return (
        f"[{'#' * filled}{'.' * (width - filled)}] {tally.built + tally.skipped}/{tally.total} "
        f"done, {tally.failed} failed, {tally.remaining} to go, "
        f"{tally.seconds / 3600:.2f} h of audio"
    )


def line(outcome: Outcome, published: bool = False) -> str:
    """Say in one line what became of one article.

    >>> line(Outcome("k", "a.txt", episode="a.mp3", title="A", seconds=61.2, elapsed=2.0))
    'built     a.txt -> a.mp3 (1:01) A'
    >>> line(Outcome("k", "b.txt", error="b.txt: no text"))
    'failed    b.txt: b.txt: no text'
    """
    if outcome.error is not None:
        return f"failed    {outcome.origin}: {outcome.error}"
    verb = "published" if published else "built"
    duration = clock(seconds_to_ms(outcome.seconds))
    return f"{verb:<9} {outcome.origin} -> {outcome.episode} ({duration}) {outcome.title}"


def summary_text(tally: Tally) -> str:
    """Return the summary table a person reads at the end."""
    elapsed = time.perf_counter() - tally.started
    rows = [
        ("articles", f"{tally.total}"),
        ("built", f"{tally.built}"),
        ("published", f"{tally.published}"),
        ("unchanged", f"{tally.skipped} (built before from the same text)"),
        ("failed", f"{tally.failed}"),
        ("audio", f"{clock(seconds_to_ms(tally.seconds))} ({tally.seconds / 3600:.2f} h)"),
        ("took", f"{elapsed:.1f} s"),
    ]
    if tally.stopped_by:
        rows.append(("stopped", f"by {tally.stopped_by}: {tally.remaining} not built"))
    lines = [f"{name:<10}{value}" for name, value in rows]
    lines += [f"  failed  {origin}: {why}" for origin, why in tally.failures]
    return "\n".join(lines)


def summary_dict(tally: Tally) -> dict[str, Any]:
    """Return the summary as plain data; its keys are stable for scripts."""
    return {
        "articles": tally.total,
        "built": tally.built,
        "published": tally.published,
        "unchanged": tally.skipped,
        "failed": [{"source": origin, "error": why} for origin, why in tally.failures],
        "audio_seconds": round(tally.seconds, 3),
        "elapsed": round(time.perf_counter() - tally.started, 3),
        "stopped_by": tally.stopped_by,
        "episodes": tally.episodes,
    }
