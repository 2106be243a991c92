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

from polycast.batch.sources import Job
from polycast.config import Config
from polycast.errors import InputError, PolycastError
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
    from polycast import pipeline  # noqa: PLC0415 (the whole pipeline: only where audio is made)

    try:
        with _source_file(job, config) as path:
            result = pipeline.build(path, config, folder)
    except Exception as e:  # one article's failure, whatever it is, is its own
        if not isinstance(e, PolycastError):
            log.exception("building %s", job.origin)
        return failed(job, one_line(e))
    return Outcome(
        key=job.key,
        origin=job.origin,
        episode=result.mp3.name,
        title=result.title,
        seconds=result.seconds,
        elapsed=result.elapsed,
        notices=result.notices,
    )


@contextlib.contextmanager
def _source_file(job: Job, config: Config) -> Iterator[Path]:
    """Give the build a file to read: the job's own, or its text in a temporary folder.

    The temporary file is named after the episode, so the build names the episode as the job
    does; it lives outside the output folder, so it can never be taken for an output.
    """
    if job.data is None and job.url is not None:
        fetched = _fetch(job, config)
        job = replace(job, data=fetched[0], filename=fetched[1])
    if job.data is None:
        if job.path is None:
            raise InputError(f"{job.origin}: nothing to read")
        yield job.path
        return
    suffix = Path(job.filename).suffix or ".html"
    with tempfile.TemporaryDirectory(prefix="polycast-batch-") as temp:
        path = Path(temp) / f"{job.name}{suffix}"
        write_bytes_atomic(path, job.data, durable=False)
        yield path


def _fetch(job: Job, config: Config) -> tuple[bytes, str]:
    """Fetch the job's page: its bytes, and a file name whose suffix tells its format.

    Raises:
        InputError: the page cannot be fetched, or this polycast cannot read URLs.
    """
    raise InputError(f"{job.origin}: needs URL reading, which this polycast does not have yet")
