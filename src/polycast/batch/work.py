"""Build one job, whole, in whichever process runs it: a local pool's worker or a Dask worker.

A failure is returned, not raised: one article that cannot be read, spoken or written is that
article's line in the summary, and the batch goes on. Only a stop (Ctrl-C, SIGTERM) unwinds.
"""

from __future__ import annotations

import contextlib
import logging
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from polycast.batch.ledger import article_digest
from polycast.batch.sources import Job
from polycast.config import Config
from polycast.errors import InputError, PolycastError
from polycast.fetch import Page
from polycast.files import write_bytes_atomic

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """What became of one job."""

    key: str
    """The job's ledger key."""
    origin: str
    """What a person named, for the line printed."""
    episode: str = ""
    """The episode's file name (``name.mp3``), when it was built."""
    title: str = ""
    """The episode's title."""
    seconds: float = 0.0
    """The episode's duration."""
    elapsed: float = 0.0
    """How long the build took."""
    error: str | None = None
    """Why it failed, in one line; None when it was built."""
    files: tuple[tuple[str, bytes], ...] = ()
    """The episode's and its companions' names and bytes, when built away from the output folder
    (on a cluster worker): the client writes them."""
    notices: tuple[str, ...] = ()
    """What the build wanted a person to know."""
    digest: str = ""
    """The digest of a page fetched for the build (the client knows every other's)."""
    unchanged: bool = False
    """True when the fetched page is the one built before: nothing was built."""

    @property
    def ok(self) -> bool:
        """Whether the episode was built."""
        return self.error is None


def failed(job: Job, reason: str) -> Outcome:
    """Return the outcome of a job that could not be built, for ``reason``."""
    return Outcome(key=job.key, origin=job.origin, error=reason)


def one_line(error: BaseException) -> str:
    """Say an error in one line (a message with line breaks would break the summary's lines)."""
    text = " ".join(str(error).split())
    return text if isinstance(error, PolycastError) else f"{type(error).__name__}: {text}"


def build_job(job: Job, config: Config, folder: Path) -> Outcome:
    """Build ``job`` into ``folder`` as ``polycast build`` would; a failure is the outcome's.

    Anything but a stop is caught: an unexpected error in one article is reported with its
    type, and the other articles go on.
    """
    try:
        return _build(job, config, folder)
    except Exception as e:  # one article's failure, whatever it is, is its own
        if not isinstance(e, PolycastError):
            log.exception("building %s", job.origin)
        return failed(job, one_line(e))


def _build(job: Job, config: Config, folder: Path) -> Outcome:
    """Build ``job``; a page still to fetch is fetched first, and not built when unchanged."""
    from polycast import pipeline  # noqa: PLC0415 (the whole pipeline: only where audio is made)

    digest = ""
    if job.url is not None and job.data is None:
        page = _fetched(job, config)
        digest = article_digest(job.basis, page.data)
        if digest == job.known:
            return Outcome(key=job.key, origin=job.origin, digest=digest, unchanged=True)
        result = pipeline.build(replace(page, name=job.name), config, folder)
    else:
        with _source(job) as source:
            result = pipeline.build(source, config, folder)
    return Outcome(
        key=job.key,
        origin=job.origin,
        episode=result.mp3.name,
        title=result.title,
        seconds=result.seconds,
        elapsed=result.elapsed,
        notices=result.notices,
        digest=digest,
    )


@contextlib.contextmanager
def _source(job: Job) -> Iterator[Path | Page]:
    """Give the build what to read: the job's file, its page, or its text in a temporary file.

    A page (fetched, or a feed item's full text found at its link) is named after the job, so
    the episode is the job's; a file's bytes sent here from elsewhere are written to a temporary
    folder outside the output folder, under the file's own name, and read from there.
    """
    if job.url is not None and job.data is not None:
        url = job.url
        yield Page(url=url, final_url=url, data=job.data, content_type="text/html", name=job.name)
        return
    if job.data is None:
        if job.path is None:
            raise InputError(f"{job.origin}: nothing to read (no text and no link)")
        yield job.path
        return
    with tempfile.TemporaryDirectory(prefix="polycast-batch-") as temp:
        path = Path(temp) / (job.filename or f"{job.name}.txt")
        write_bytes_atomic(path, job.data, durable=False)
        yield path


def _fetched(job: Job, config: Config) -> Page:
    """Fetch the job's page (asking the site whether the kept copy changed, when there is one).

    Raises:
        FetchError: the page cannot be fetched.
    """
    from polycast.cache import Cache  # noqa: PLC0415 (where the fetched page is kept)
    from polycast.fetch import fetch_page  # noqa: PLC0415 (httpx loads only to fetch)

    return fetch_page(
        job.url or "",
        cache=Cache.of(config.speak.cache),
        max_bytes=config.max_article_bytes,
        timeout=config.fetch_timeout,
    )
