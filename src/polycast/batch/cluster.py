"""Build jobs as tasks on an existing Dask distributed cluster; the client alone writes.

Connecting checks, before any work, that the address is a Dask scheduler, that it has a worker,
and that every worker runs this very polycast version (a task checks again, for a worker that
joins later). Each task builds one article, whole, in a temporary folder on its worker and sends
back the episode's files; the client writes them into the output folder and publishes them, so
the feed has one writer. A worker that dies mid-task has its task run again elsewhere (Dask's
own rescheduling); one that keeps killing workers ends as that article's failure.
"""

from __future__ import annotations

import socket
import tempfile
import uuid
from collections.abc import Generator, Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from polycast import __version__, cores
from polycast.batch.settings import BatchSettings
from polycast.batch.sources import Job
from polycast.batch.work import Outcome, build_job, failed, one_line
from polycast.config import Config
from polycast.errors import ClusterError

IN_FLIGHT = 2
"""Tasks queued per worker thread: one building, one ready to start."""


def worker_version() -> str:
    """Return the polycast version of the process this runs in (a worker)."""
    return __version__


def build_remote(job: Job, config: Config, version: str) -> Outcome:
    """On a worker: build ``job`` in a temporary folder and return the episode's files.

    A worker whose polycast is not the client's builds nothing: the episode would differ from
    what this version makes, silently.
    """
    if version != __version__:
        return failed(job, f"a worker has polycast {__version__}, this is {version}")
    cores.alone()
    with tempfile.TemporaryDirectory(prefix="polycast-task-") as temp:
        folder = Path(temp)
        outcome = build_job(job, config, folder)
        if not outcome.ok:
            return outcome
        files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
        return replace(outcome, files=tuple((p.name, p.read_bytes()) for p in files))


def probe(address: str, timeout: float) -> None:
    """Check that a Dask scheduler answers at a ``tcp://`` address, before Dask is loaded.

    A Dask server speaks first: on every new connection it sends a handshake naming its
    ``pickle-protocol``. Anything else there (a web server, a silent port) is refused in one
    clear line, instead of Dask's own confusion (it reads "HTTP/1.1" as a frame length).

    Raises:
        ClusterError: the address is malformed, refuses, or answers as something else.
    """
    scheme, _, rest = address.rpartition("://")
    if scheme not in ("", "tcp"):
        return  # tls://, ucx://, ...: left to Dask
    host, _, port = rest.rpartition(":")
    if not host or not port.isdigit():
        raise ClusterError(f"{address}: not a scheduler address; give tcp://HOST:PORT")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout) as conn:
            conn.settimeout(timeout)
            said = conn.recv(512)
    except TimeoutError as e:
        raise ClusterError(
            f"{address}: nothing a Dask scheduler would say came within {timeout:g} s; "
            "is it a Dask scheduler's address?"
        ) from e
    except OSError as e:
        raise ClusterError(f"{address}: cannot connect: {e.strerror or e}") from e
    if b"pickle-protocol" not in said:
        raise ClusterError(f"{address}: something answers there, but it is not a Dask scheduler")


class Cluster:
    """A connection to a Dask scheduler, checked and ready for a batch's tasks."""

    def __init__(self, address: str, settings: BatchSettings) -> None:
        self.address = address
        """The scheduler's address."""
        self.settings = settings
        """The ``[batch]`` settings: the workers' cache, the connect timeout."""
        self.client: Any = None
        """The Dask client, while connected."""

    def __enter__(self) -> Cluster:
        """Connect, wait for a worker, and check every worker's polycast version.

        Raises:
            ClusterError: Dask is not installed, the address is unreachable or not a Dask
                scheduler, no worker joins in time, or a worker runs another polycast.
        """
        probe(self.address, self.settings.connect_timeout)
        try:
            from distributed import Client  # noqa: PLC0415 (Dask: only for a cluster)
        except ImportError as e:
            raise ClusterError(
                "--cluster needs Dask's distributed package: pip install 'polycast[cluster]'"
            ) from e
        timeout = self.settings.connect_timeout
        try:
            self.client = Client(self.address, timeout=timeout, set_as_default=False)
        except Exception as e:  # distributed raises OSError, TimeoutError, ValueError, ...
            raise ClusterError(
                f"{self.address}: no Dask scheduler answered within {timeout:g} s ({one_line(e)})"
            ) from e
        try:
            self._check(timeout)
        except BaseException:
            self.client.close()
            raise
        return self

    def _check(self, timeout: float) -> None:
        """Wait for a worker; refuse workers whose polycast is not this one."""
        try:
            self.client.wait_for_workers(1, timeout=timeout)
        except Exception as e:
            raise ClusterError(
                f"{self.address}: the scheduler has no worker after {timeout:g} s; start one "
                f"with: dask worker {self.address}"
            ) from e
        try:
            versions: dict[str, str] = self.client.run(worker_version)
        except Exception as e:
            raise ClusterError(
                f"{self.address}: a worker cannot run polycast ({one_line(e)}); install "
                f"polycast {__version__} on every worker"
            ) from e
        for worker, version in sorted(versions.items()):
            if version != __version__:
                raise ClusterError(
                    f"worker {worker} has polycast {version}, this is {__version__}; install "
                    "the same version on every worker"
                )

    def __exit__(self, *exc: object) -> None:
        """Close the connection (tasks still queued are cancelled with it)."""
        if self.client is not None:
            self.client.close()
            self.client = None

    def threads(self) -> int:
        """Return the number of task threads the cluster has now."""
        workers = self.client.scheduler_info().get("workers", {})
        return max(1, sum(int(w.get("nthreads", 1)) for w in workers.values()))

    def runner(self, config: Config) -> Any:
        """Return the batch's runner: builds each job as a task, yields each outcome."""
        cache = self.settings.worker_cache or True
        remote = replace(config, speak=replace(config.speak, cache=cache))
        return lambda jobs: self.run(jobs, remote)

    def run(self, jobs: Iterable[Job], config: Config) -> Generator[Outcome]:
        """Submit each job as a task, at most ``IN_FLIGHT`` per worker thread; yield outcomes.

        Closing the iterator early cancels the tasks still queued or running.
        """
        from distributed import as_completed  # noqa: PLC0415

        limit = IN_FLIGHT * self.threads()
        done = as_completed(loop=self.client.loop)
        pending: dict[str, Job] = {}
        futures: list[Any] = []
        try:
            for job in jobs:
                future = self.client.submit(
                    build_remote, job, config, __version__, key=f"polycast-{uuid.uuid4()}"
                )
                pending[future.key] = job
                futures.append(future)
                done.add(future)
                while len(pending) >= limit:
                    yield _outcome(next(done), pending, futures)
            while pending:
                yield _outcome(next(done), pending, futures)
        finally:
            if futures:
                self.client.cancel(futures)


def _outcome(future: Any, pending: dict[str, Job], futures: list[Any]) -> Outcome:
    """Return a finished task's outcome (its failure, when the task itself failed)."""
    job = pending.pop(future.key)
    futures.remove(future)
    try:
        result: Outcome = future.result()
    except Exception as e:  # a task that killed its workers, or could not be sent
        return failed(job, f"its task failed on the cluster: {one_line(e)}")
    return result
