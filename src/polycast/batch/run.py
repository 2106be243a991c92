"""Drive a batch: skip what is done, hand the rest to a pool or a cluster, write and publish.

This process is the only one that writes the show's feed and the ledger: a result that comes
back with its files (from a cluster worker) is written into the output folder here, then
published, then recorded, one article at a time as each arrives. So memory holds the articles in
flight, never all of them, and a stop leaves every finished episode kept, published and recorded.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from polycast.batch.ledger import Entry, Ledger, article_digest, settings_digest
from polycast.batch.progress import Tally
from polycast.batch.sources import Job
from polycast.batch.work import Outcome, failed, one_line
from polycast.config import Config
from polycast.errors import OutputError, PolycastError
from polycast.files import staged
from polycast.inputs import read_bounded
from polycast.publish import ShowConfig, publish_episode

Runner = Callable[[Iterable[Job]], Generator[Outcome]]
"""Builds jobs somewhere (local processes, a cluster) and yields each outcome as it arrives."""
Shown = Callable[[Outcome, bool], None]
"""Told of each finished article (and whether it was published), to print its line."""


@dataclass(frozen=True)
class Publisher:
    """Where finished episodes are published: the show, and its feed file."""

    show: ShowConfig
    """The show config."""
    feed: Path | None = None
    """The feed file; None for ``feed.xml`` in the show's publish folder."""


@dataclass(frozen=True)
class Batch:
    """What a batch does with each finished article."""

    config: Config
    """The build settings (a digest of them decides what counts as unchanged)."""
    folder: Path
    """The output folder: the episodes, and the ledger."""
    publisher: Publisher | None = None
    """Publish each episode into this show's feed; None to build only."""
    ship: bool = False
    """Send each article's bytes with its job (to a cluster, whose workers cannot read here)."""


def run_batch(
    batch: Batch, jobs: list[Job], runner: Runner, shown: Shown, tally: Tally | None = None
) -> Tally:
    """Build (and publish) every job that is not done yet; count it in ``tally`` and return it.

    A stop (Ctrl-C, SIGTERM) ends the batch early: what finished is kept, published and
    recorded, and the tally says what stopped it.

    Raises:
        OutputError: the ledger cannot be read or written.
    """
    ledger = Ledger(batch.folder)
    tally = tally or Tally()
    tally.total = len(jobs)
    given: dict[str, tuple[Job, str]] = {}
    todo = _todo(batch, jobs, ledger, tally, given, shown)
    outcomes = runner(todo)
    try:
        with contextlib.closing(outcomes):
            for outcome in outcomes:
                _, known = given.pop(outcome.key, (None, ""))
                _finish(batch, outcome, outcome.digest or known, ledger, tally, shown)
    except KeyboardInterrupt as e:
        signum = getattr(e, "signum", signal.SIGINT)
        tally.stopped_by = signal.Signals(signum).name
        return tally
    for _ in todo:  # jobs the runner never took: each waits in ``given`` too
        pass
    for job, _ in given.values():  # the runner ended without a word of these: never a silent 0
        _finish(batch, failed(job, LOST), "", ledger, tally, shown)
    return tally


LOST = "no outcome came back from the process that built it (not recorded; a rerun builds it)"
"""Why an article failed that the runner ended without reporting: counted, never dropped."""


def _todo(  # noqa: PLR0917 (the batch, its jobs, and where each job's digest and skip go)
    batch: Batch,
    jobs: list[Job],
    ledger: Ledger,
    tally: Tally,
    given: dict[str, tuple[Job, str]],
    shown: Shown,
) -> Iterator[Job]:
    """Yield the jobs still to build, reading each article as it is reached (not all first).

    Each job yielded waits in ``given``, with the digest it is built from, until its outcome
    comes back.
    """
    settings = settings_digest(batch.config)
    for listed in jobs:
        try:
            job, digest = _digested(listed, settings, batch, ledger)
        except PolycastError as e:
            _finish(batch, failed(listed, one_line(e)), "", ledger, tally, shown)
            continue
        if ledger.done(job.key, digest, batch.folder, batch.publisher is not None):
            tally.skipped += 1
            continue
        given[job.key] = (job, digest)
        yield job


def _digested(job: Job, settings: str, batch: Batch, ledger: Ledger) -> tuple[Job, str]:
    """Return the job (with its bytes when shipped) and the digest of what it builds from.

    A page still to fetch has no bytes here: it carries the settings' digest and the digest it
    was last built from, and the process that fetches it tells whether it changed.
    """
    if job.path is not None:
        data = read_bounded(job.path, batch.config.max_article_bytes)
        if batch.ship:
            job = replace(job, data=data, filename=job.path.name, path=None)
    elif job.data is not None:
        data = job.data
    else:
        return replace(
            job,
            basis=settings,
            known=ledger.digest_of(job.key, batch.folder, batch.publisher is not None),
        ), ""
    return job, article_digest(settings, data)


def _finish(  # noqa: PLR0917 (the batch, the outcome, and where it is recorded and told)
    batch: Batch, outcome: Outcome, digest: str, ledger: Ledger, tally: Tally, shown: Shown
) -> None:
    """Write, publish and record one finished article, then count it and tell of it."""
    if outcome.unchanged:
        tally.skipped += 1
        return
    published = False
    if outcome.ok:
        try:
            if outcome.files:
                write_files(batch.folder, outcome.files)
            if batch.publisher is not None:
                publisher = batch.publisher
                publish_episode(batch.folder / outcome.episode, publisher.show, publisher.feed)
                published = True
        except PolycastError as e:
            outcome = replace(outcome, error=f"built, but {one_line(e)}", files=())
        if outcome.ok:
            ledger.record(outcome.key, Entry(digest, outcome.episode, published))
    tally.add(outcome, published)
    shown(replace(outcome, files=()), published)


def write_files(folder: Path, files: tuple[tuple[str, bytes], ...]) -> None:
    """Write an episode's files, sent back by a worker, into ``folder``: all of them or none.

    Raises:
        OutputError: a name is not a plain file name, or a file cannot be written.
    """
    for name, _ in files:
        if Path(name).name != name or name.startswith("."):
            raise OutputError(f"a worker sent a file named {name!r}; nothing was written")
    targets = [folder / name for name, _ in files]
    with staged(targets, lock=folder) as temps:
        for target, (_, data) in zip(targets, files, strict=True):
            with temps[target].open("wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())  # as build's own: the episode survives a power cut
