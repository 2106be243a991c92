"""Build jobs on a pool of local processes, each article whole in one process.

At most two jobs per process are in flight, so a list of a hundred thousand articles is never
all queued at once, and each result is handed on as it arrives. The workers share the audio
cache: its writes are atomic and content-addressed, so two processes writing one entry write
the same bytes.

Ctrl-C reaches the whole process group; the workers ignore it and the client decides: it
cancels what has not started, and stops the builds in progress with SIGTERM, which a worker
turns into the same clean unwinding (its temporary files removed, no output half-written) before
it exits.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver
import os
import signal
from collections.abc import Generator, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, CancelledError, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from types import FrameType

from polycast import cores
from polycast.batch.sources import Job
from polycast.batch.work import Outcome, build_job, failed, one_line
from polycast.config import Config

IN_FLIGHT = 2
"""Jobs queued per process: one building, one ready to start."""


def default_jobs() -> int:
    """Return the cores a batch uses by default: every one this process may run on."""
    return cores.count()


_building = False
"""In a worker: whether a build is in progress (SIGTERM unwinds it before the worker exits)."""
_stopping = False
"""In a worker: whether SIGTERM came; the worker exits as soon as its build has unwound."""


def _stop(signum: int, frame: FrameType | None) -> None:
    """End this worker: unwind the build in progress, as Ctrl-C would, then exit.

    A worker always ends on SIGTERM. The client sends it to stop a batch; the pool sends it to
    the workers left when one of them died, whose death may have left a lock of the pool's
    queues held for ever: a worker that went on to its next job would wait on that lock, and
    the client, waiting for the worker to end, with it.
    """
    global _stopping  # noqa: PLW0603 (the worker process's one state, set by this handler)
    if not _building:
        os._exit(128 + signum)  # between builds: nothing to clean up
    if not _stopping:
        _stopping = True
        raise KeyboardInterrupt


def _build(job: Job, config: Config, folder: Path) -> Outcome:
    """Build ``job`` in a worker, saying a build is in progress while it runs."""
    global _building  # noqa: PLW0603 (the worker process's one state, read by its signal handler)
    try:
        _building = True
        return build_job(job, config, folder)
    finally:
        _building = False
        if _stopping:  # the build has unwound; its outcome goes nowhere: the pool is ending
            os._exit(128 + signal.SIGTERM)


def _worker_start(each: int) -> None:
    """In a worker: leave Ctrl-C to the client; make SIGTERM a clean end; use ``each`` cores."""
    cores.limit(each)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _stop)


def run_local(
    jobs: Iterable[Job], config: Config, folder: Path, processes: int, each: int
) -> Generator[Outcome]:
    """Build every job in ``processes`` local processes; yield each outcome as it arrives.

    Each process's threads (speech, mix, encoders) use at most ``each`` cores (``cores.split``).

    Each worker writes its episode into ``folder`` itself (atomically, under the folder's lock).
    A worker process that dies (killed, out of memory) breaks the pool: a new one is started and
    the articles that were in flight are built again, each at most ``ATTEMPTS`` times in all.
    Closing the iterator early (Ctrl-C in the client) cancels the rest and stops the workers.
    """
    pool = _Pool(processes, each, config, folder)
    finished = False
    try:
        for job in jobs:
            pool.submit(job)
            while len(pool.pending) >= IN_FLIGHT * processes:
                yield from pool.collect()
        while pool.pending:
            yield from pool.collect()
        finished = True
    finally:
        if not finished:
            _stop_workers(pool.executor)
        pool.executor.shutdown(wait=True, cancel_futures=True)


ATTEMPTS = 2
"""Times an article is built when its worker process dies under it (as Dask allows failures)."""


class _Pool:
    """A process pool that starts again when a worker dies, and the jobs it had in flight.

    Every job submitted stays in ``pending`` until ``collect`` has yielded its outcome or queued
    it again: a job is never dropped, whatever the pool did with its future.
    """

    def __init__(self, processes: int, each: int, config: Config, folder: Path) -> None:
        self.processes = processes
        self.each = each
        self.config = config
        self.folder = folder
        self.executor = self._start()
        self.pending: dict[Future[Outcome], Job] = {}
        """Each job not collected yet, by its future (of this pool or of one that broke)."""
        self.current: set[Future[Outcome]] = set()
        """The futures of ``executor``, the pool running now, not collected yet."""
        self.attempts: dict[str, int] = {}

    def _start(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            self.processes,
            mp_context=_context(),
            initializer=_worker_start,
            initargs=(self.each,),
        )

    def submit(self, job: Job) -> None:
        """Queue ``job``, starting a new pool first if the current one broke."""
        self.attempts[job.key] = self.attempts.get(job.key, 0) + 1
        try:
            future = self.executor.submit(_build, job, self.config, self.folder)
        except BrokenProcessPool:
            self._restart()
            future = self.executor.submit(_build, job, self.config, self.folder)
        self.pending[future] = job
        self.current.add(future)

    def _restart(self) -> None:
        """Put a new pool in place of the one that broke; queue again the jobs it lost.

        Shutting the broken pool down waits for its manager thread, which marks each job the
        pool knew of as broken. A job it did not know of (submitted as it broke) or cancelled
        would never finish, and ``wait`` never returns a cancelled future: it is queued again
        here, as if its worker had died.
        """
        self.executor.shutdown(wait=True, cancel_futures=True)
        lost = [f for f in self.current if f.cancelled() or not f.done()]
        self.current = set()
        self.executor = self._start()
        for future in lost:
            self._again(self.pending.pop(future), "its process pool broke before it ran")

    def collect(self) -> Iterator[Outcome]:
        """Wait for at least one job to finish; yield the outcomes of all that have."""
        done, _ = wait(self.pending, return_when=FIRST_COMPLETED)
        for future in done:
            job = self.pending.pop(future, None)
            if job is None:
                continue  # queued again by a restart earlier in this loop
            error = CancelledError("cancelled") if future.cancelled() else future.exception()
            if isinstance(error, BrokenProcessPool | CancelledError) and future in self.current:
                self._restart()  # the pool running now broke: its other jobs are lost too
            self.current.discard(future)
            if error is None:
                self.attempts.pop(job.key, None)
                yield future.result()
            else:
                self._again(job, one_line(error))

    def _again(self, job: Job, why: str) -> None:
        """Queue ``job`` again after its worker died (maybe for another article), or fail it.

        A job failed here still goes through ``pending``, as a finished future, so ``collect``
        yields its outcome like any other.
        """
        if self.attempts[job.key] < ATTEMPTS:
            self.submit(job)
            return
        self.attempts.pop(job.key, None)
        decided: Future[Outcome] = Future()
        decided.set_result(failed(job, f"its worker process died {ATTEMPTS} times: {why}"))
        self.pending[decided] = job


def run_inline(jobs: Iterable[Job], config: Config, folder: Path, each: int) -> Generator[Outcome]:
    """Build every job in this process, one after another, its threads on ``each`` cores.

    No process is started, so a batch of one article costs what ``build`` does (with every core,
    the default); Ctrl-C unwinds the build in progress as it does a ``build``. The limit holds
    while the builds run and is lifted when the batch ends.
    """
    with cores.limited(each):
        for job in jobs:
            yield build_job(job, config, folder)


def _context() -> multiprocessing.context.BaseContext:
    """Start workers from a fork server that has imported the pipeline once for all of them.

    Forking the client itself is unsafe once it runs threads; spawning imports the pipeline
    (numpy, the language models: a second or two) in every worker again.
    """
    if os.name != "posix":
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["polycast.pipeline"])
    return context


def start_early() -> None:
    """Start the fork server now, so it imports the pipeline while this process goes on.

    Otherwise the pool starts it with its first job and waits there until it is ready.
    """
    if os.name == "posix":
        _context()
        multiprocessing.forkserver.ensure_running()


def _stop_workers(executor: ProcessPoolExecutor) -> None:
    """Cancel what has not started, and ask every worker to stop cleanly (SIGTERM)."""
    executor.shutdown(wait=False, cancel_futures=True)
    for child in multiprocessing.active_children():
        if child.pid is not None:
            try:
                os.kill(child.pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
