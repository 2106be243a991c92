"""Before a batch builds anything: refuse it when one of its outputs would replace an input.

Each build checks its own article against its own episode, but a batch writes more than any one
build: every article's episode and companions, the ledger, and when it publishes, the feed, the
copies in the publish folder and the show's pages (``index.html``, ``<episode>.html``, script and
style). What it reads is more too: every article, the show config, the music, a followed site's
feed. An article named like another's companion (``a.chapters.json``), an article in the publish
folder named like an episode's page (``a.html``) or the show page, a ``--feed`` that is one of
the articles, or a show feed that is the very site feed being followed would each be destroyed
part way through; so they are all held against each other once, before the first build.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from polycast.batch.ledger import LEDGER_NAME
from polycast.batch.run import Batch, Publisher
from polycast.batch.sources import Job
from polycast.files import lock_path
from polycast.inputs import refuse_overwrite
from polycast.publish import FEED_NAME
from polycast.publish.site import ASSETS, INDEX


def refuse_overwrites(batch: Batch, jobs: Sequence[Job], read: Iterable[Path]) -> None:
    """Refuse the batch if any file it would write is one it reads (the same file, or a link to it).

    Args:
        batch: where the episodes go, and the show they are published into.
        jobs: the articles (their files are inputs; their names make the outputs' names).
        read: the other files the batch reads: the show config, a followed site's feed files.

    Raises:
        OutputError: an output is one of the inputs; nothing was read into a build or written.
    """
    inputs = [*read, batch.config.mix.sting, batch.config.mix.bed, *batch.config.read_from]
    inputs.extend(job.path for job in jobs if job.path is not None)
    suffix = batch.config.audio_format.suffix
    built = [batch.folder / LEDGER_NAME, *_episodes(batch.folder, jobs, suffix)]
    if batch.publisher is None:
        refuse_overwrite(built, inputs)
        return
    feed = feed_path(batch.publisher)
    refuse_overwrite([feed, *_published(batch.publisher, jobs, suffix)], inputs)
    refuse_overwrite(built, [*inputs, feed])  # the feed is read and kept: it is an input too


def feed_path(publisher: Publisher) -> Path:
    """Return the feed file a publisher writes: its own, else ``feed.xml`` in the publish folder."""
    return publisher.feed or publisher.show.publish_dir / FEED_NAME


def _episodes(folder: Path, jobs: Sequence[Job], suffix: str) -> Iterator[Path]:
    """Yield each job's episode and companion files in ``folder``."""
    from polycast.pipeline import companion_paths  # noqa: PLC0415 (loaded by the build anyway)

    for job in jobs:
        audio = folder / f"{job.name}{suffix}"
        yield audio
        yield from companion_paths(audio)


def _published(publisher: Publisher, jobs: Sequence[Job], suffix: str) -> Iterator[Path]:
    """Yield what publishing writes beside the feed: its lock, copies, pages, script and style."""
    feed = feed_path(publisher)
    yield lock_path(feed)
    folder = publisher.show.publish_dir
    yield from (folder / name for name in (INDEX, *ASSETS))
    for path in _episodes(folder, jobs, suffix):
        yield path
        if path.suffix == suffix:
            yield path.with_suffix(".html")
