"""Where syntheses run: in this process, in threads, or in worker processes, as an engine allows.

Network engines wait, so they get threads (more than there are cores). Engines that compute
outside the GIL (onnxruntime, espeak-ng on copies of its library) get a thread per core. The rest
(a plug-in engine that holds the GIL or keeps global state) get worker processes, each loading its
own copy of the engine; those take a fraction of a second to start, so a small job is spoken in
this process instead: in one background thread when more than one core may be used (the caller
conditions and mixes each clip while the next is being spoken), else inline.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass

from polycast import cores
from polycast.models import Clip
from polycast.speak.base import Concurrency, Engine, concurrency_of

log = logging.getLogger(__name__)

NETWORK_THREADS = 8
"""Threads for a network engine unless ``workers`` is given; the engine caps its own requests."""
PROCESS_MIN_JOBS = 600
"""Fewer syntheses than this for a process engine run in-process: starting workers costs ~0.5 s,
and a cue takes a few milliseconds (espeak-ng's did, when it ran in processes: ``scripts/
bench_speak.py``), so below this it never pays. One background thread speaking while the mix
conditions the clips before (``Pools.submit``) was as fast as two workers up to an hour of speech
(~600 cues), and faster below."""
AHEAD_PER_WORKER = 4
"""Cues in flight per worker: enough to keep every worker busy, few enough to bound memory."""

NETWORK = "network"
"""The executor kind of network engines: threads, sized apart from the CPU-bound ones."""


@dataclass(frozen=True)
class Job:
    """One synthesis, named by the cache key of its audio."""

    key: str
    """Cache key: identical keys are synthesised once."""
    slot: str
    """The key of its engine in the ``engines`` mapping."""
    text: str
    """What to say."""
    lang: str
    """Language to say it in."""
    voice: str | None
    """Voice asked for, if any."""


def default_workers() -> int:
    """Return the CPU cores this process may use (within its limit, in a batch)."""
    return cores.available()


def executor_kind(engine: Engine) -> object:
    """Say which executor runs ``engine``: ``NETWORK``, or a ``Concurrency``."""
    return NETWORK if getattr(engine, "network", False) else concurrency_of(engine)


_WORKER_ENGINES: Mapping[str, Engine] = {}


def _start_worker(engines: Mapping[str, Engine]) -> None:
    """Keep this worker process's own copies of the engines (each loads its library itself)."""
    global _WORKER_ENGINES  # noqa: PLW0603 -- one set of engines per worker process
    _WORKER_ENGINES = engines


def _synthesize_in_worker(slot: str, text: str, lang: str, voice: str | None) -> Clip:
    return _WORKER_ENGINES[slot].synthesize(text, lang, voice)


class Pools:
    """Executors made on first need, one per kind, closed by ``close``.

    Args:
        engines: The engine per language slot.
        workers: Syntheses at once; None for one per core (network engines: at least 8).
        process_jobs: How many syntheses the process-run engines will do (decides whether
            starting worker processes pays).
    """

    def __init__(
        self, engines: Mapping[str, Engine], workers: int | None, process_jobs: int
    ) -> None:
        self.engines = engines
        used = cores.threads(workers)  # never past the batch's limit on this process's cores
        self.cores = used
        self.sizes: dict[object, int] = {
            NETWORK: workers or max(used, NETWORK_THREADS),  # waiting takes no core
            Concurrency.THREADS: used,
            Concurrency.PROCESSES: used if process_jobs >= PROCESS_MIN_JOBS else 1,
        }
        self.kinds = {slot: executor_kind(engine) for slot, engine in engines.items()}
        self.executors: dict[object, Executor] = {}

    @property
    def ahead(self) -> int:
        """How many cues to keep in flight ahead of the one being consumed."""
        used = {self.sizes[kind] for kind in self.kinds.values()} or {1}
        return AHEAD_PER_WORKER * max(used)

    def submit(self, job: Job) -> Future[Clip]:
        """Start ``job``; with one worker it runs now, here, and the future is already done.

        A process-run engine with too few jobs for worker processes runs in one thread (never
        two at once), when the caller may use more than one core.
        """
        kind = self.kinds[job.slot]
        executor = self._executor(kind)
        engine = self.engines[job.slot]
        if executor is None:
            return _run_inline(engine, job)
        if kind is Concurrency.PROCESSES and self.sizes[kind] > 1:
            return executor.submit(_synthesize_in_worker, job.slot, job.text, job.lang, job.voice)
        return executor.submit(engine.synthesize, job.text, job.lang, job.voice)

    def _executor(self, kind: object) -> Executor | None:
        size = self.sizes[kind]
        if size <= 1:
            if kind is not Concurrency.PROCESSES or self.cores <= 1:
                return None
            if kind not in self.executors:
                log.info("speaking in 1 thread beside the mix")
                self.executors[kind] = ThreadPoolExecutor(1, thread_name_prefix="speak")
            return self.executors[kind]
        if kind not in self.executors:
            if kind is Concurrency.PROCESSES:
                own = {s: e for s, e in self.engines.items() if self.kinds[s] is kind}
                if not _picklable(own):
                    self.sizes[kind] = 1
                    return None
                log.info("speaking in %d worker processes", size)
                self.executors[kind] = _process_pool(size, own)
            else:
                log.info("speaking in %d threads", size)
                self.executors[kind] = ThreadPoolExecutor(size, thread_name_prefix="speak")
        return self.executors[kind]

    def close(self) -> None:
        """Cancel what has not started and let the workers stop after what has.

        Not waiting matters after a failure or Ctrl-C: a network engine may be deep in retries.
        """
        for executor in self.executors.values():
            executor.shutdown(wait=False, cancel_futures=True)


def _run_inline(engine: Engine, job: Job) -> Future[Clip]:
    future: Future[Clip] = Future()
    try:
        future.set_result(engine.synthesize(job.text, job.lang, job.voice))
    except Exception as e:  # handed to the consumer exactly as a worker's would be
        future.set_exception(e)
    return future


def _picklable(engines: Mapping[str, Engine]) -> bool:
    import pickle  # noqa: PLC0415 (only when worker processes are asked for)

    try:
        pickle.dumps(engines)
    except (pickle.PicklingError, TypeError, AttributeError) as e:
        log.warning("engines cannot be sent to worker processes (%s); speaking in-process", e)
        return False
    return True


def _process_pool(size: int, engines: Mapping[str, Engine]) -> Executor:
    """Start ``size`` worker processes, each holding its own copy of ``engines``.

    multiprocessing is imported here: a build whose speech is all cached, or spoken by threads,
    never loads it.
    """
    import multiprocessing  # noqa: PLC0415 (see the docstring)
    from concurrent.futures import ProcessPoolExecutor  # noqa: PLC0415

    return ProcessPoolExecutor(
        size,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start_worker,
        initargs=(engines,),
    )
