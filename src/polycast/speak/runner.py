"""Speak every cue of an episode: from cache where possible, in parallel, yielded in cue order.

Clips come out one per cue, in order, lazily: only a bounded window of cues ahead of the one
being consumed is in flight or held, so the mixer can take an hour of speech one clip at a time.
Each distinct (voice, text) is synthesised once per episode; a clip needed again later is kept,
or, when the cache holds it, dropped and read back then. Where the syntheses run (threads or
worker processes) is ``pools``' business.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, BrokenExecutor, Future, wait

from polycast.cache.speech import ClipCache, cache_key
from polycast.errors import EngineError, OutputError, PolycastError, UnsupportedLanguage
from polycast.models import Clip, Cue, KeptClip
from polycast.speak.base import Concurrency, Engine, match_language
from polycast.speak.choose import SpeakPlan
from polycast.speak.pools import Job, Pools, executor_kind

log = logging.getLogger(__name__)

Progress = Callable[[int], None]
"""Called with the number of cues just finished."""


def _plan_jobs(cues: Sequence[Cue], engines: Mapping[str, Engine]) -> list[Job]:
    """Give every cue its engine and cache key, failing before any speech on a missing language.

    Raises:
        UnsupportedLanguage: a cue's language has no engine in ``engines``.
    """
    identities: dict[tuple[str, str, str | None], str] = {}
    jobs = []
    for index, cue in enumerate(cues):
        slot = match_language(cue.lang, engines)
        if slot is None:
            raise UnsupportedLanguage(
                f"cue {index} ({cue.text[:30]!r}) is in '{cue.lang}', but no engine was chosen "
                f"for it; engines were chosen for {', '.join(sorted(engines)) or 'no language'}"
            )
        which = (slot, cue.lang, cue.voice)
        if which not in identities:
            identities[which] = engines[slot].identity(cue.lang, cue.voice)
        key = cache_key(identities[which], cue.lang, cue.text, cue.voice)
        jobs.append(Job(key, slot, cue.text, cue.lang, cue.voice))
    return jobs


class _Run:
    """The state of one ``speak`` call: the window of cues in flight and the clips held."""

    def __init__(
        self,
        jobs: list[Job],
        cache: ClipCache | None,
        pools: Pools,
        progress: Progress | None,
        kept: bool = False,
    ) -> None:
        self.jobs = jobs
        self.cache = cache
        self.pools = pools
        self.progress = progress
        self.kept = kept
        """Give cached clips as the cache keeps them (``KeptClip``), undecoded."""
        self.entered = 0
        self.ready: dict[str, Clip | KeptClip] = {}
        self.cached: set[str] = set()
        self.in_flight: dict[str, Future[Clip]] = {}
        self.pending: dict[Future[Clip], Job] = {}
        self.waiting: dict[str, int] = {}
        """Cues in the window per key in flight: reported done when their key finishes."""
        self.next_use = _next_uses(jobs)

    def fill(self, stop: int) -> None:
        """Let cues up to ``stop`` into the window: read from cache, or start their synthesis."""
        while self.entered < min(stop, len(self.jobs)):
            self._enter(self.jobs[self.entered])
            self.entered += 1
        for future in [f for f in self.pending if f.done()]:
            self._finish(future)

    def _enter(self, job: Job) -> None:
        key = job.key
        if key in self.ready:
            self._report(1)
            return
        if key in self.in_flight:
            self.waiting[key] += 1
            return
        clip = self._cached(key)
        if clip is not None:
            self.ready[key] = clip
            self.cached.add(key)
            self._report(1)
            return
        future = self.pools.submit(job)
        self.in_flight[key] = future
        self.pending[future] = job
        self.waiting[key] = 1

    def _cached(self, key: str) -> Clip | KeptClip | None:
        if self.cache is None:
            return None
        return self.cache.kept(key) if self.kept else self.cache.get(key)

    def clip(self, index: int) -> Clip | KeptClip:
        """Return cue ``index``'s clip, finishing others as they complete while waiting for it.

        Raises:
            PolycastError: the engine failed on this cue (or on another that finished first).
        """
        key = self.jobs[index].key
        while key not in self.ready:
            done, _ = wait(self.pending, return_when=FIRST_COMPLETED)
            for future in done:
                self._finish(future)
        return self.ready[key]

    def _finish(self, future: Future[Clip]) -> None:
        job = self.pending.pop(future)
        key = job.key
        del self.in_flight[key]
        try:
            clip = future.result()
        except EngineError as e:
            raise EngineError(f"{e} ({self._done()})") from e
        except PolycastError:
            raise
        except BrokenExecutor as e:  # only a process pool breaks: its threads have no initializer
            raise EngineError(
                "a speech worker process died; if speak() runs from a script, guard it with "
                "`if __name__ == '__main__':` (worker processes import it), or pass workers=1"
            ) from e
        except Exception as e:  # a plug-in engine's own error: still one line for the user
            name = self.pools.engines[job.slot].name
            raise EngineError(f"engine {name} failed on {job.text[:40]!r}: {e}") from e
        self.ready[key] = self._store(key, clip)
        self._report(self.waiting.pop(key))

    def _done(self) -> str:
        """Say how far the run got, so a failure message tells what a rerun will not redo."""
        total = len({job.key for job in self.jobs})
        if self.cache is None:
            return f"{len(self.ready)} of {total} sentences were done; nothing is cached"
        return f"{len(self.cached)} of {total} sentences are done and cached"

    def _store(self, key: str, clip: Clip) -> Clip | KeptClip:
        """Keep a clip just spoken; return it, or as kept when ``kept`` asks (its name known)."""
        if self.cache is None:
            return clip
        try:
            kept = self.cache.put(key, clip)
        except OutputError as e:
            log.warning("%s; going on without the cache", e)
            self.cache = None
            return clip
        self.cached.add(key)
        return kept if self.kept else clip

    def release(self, index: int) -> None:
        """Forget cue ``index``'s clip unless a later cue needs it and the cache cannot give it."""
        key = self.jobs[index].key
        later = self.next_use[index]
        if later is None or (later >= self.entered and key in self.cached):
            self.ready.pop(key, None)

    def _report(self, count: int) -> None:
        if self.progress is not None and count:
            self.progress(count)


def _next_uses(jobs: list[Job]) -> list[int | None]:
    """For each cue, the index of the next cue with the same key (None if it is the last)."""
    following: dict[str, int] = {}
    result: list[int | None] = [None] * len(jobs)
    for index in range(len(jobs) - 1, -1, -1):
        result[index] = following.get(jobs[index].key)
        following[jobs[index].key] = index
    return result


def audio_keys(cues: Sequence[Cue], engines: Mapping[str, Engine]) -> list[str]:
    """Name the audio ``speak`` would give each cue (its cache key), without speaking.

    Raises:
        UnsupportedLanguage: a cue's language has no engine.
    """
    if isinstance(engines, SpeakPlan):
        cues = engines.as_spoken(cues)
    return [job.key for job in _plan_jobs(cues, engines)]


def speak(
    cues: Sequence[Cue],
    engines: Mapping[str, Engine],
    cache: ClipCache | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
) -> Iterator[Clip]:
    """Speak ``cues`` and yield one clip per cue, in cue order, as they become ready.

    Args:
        cues: What to say, in episode order.
        engines: The engine per language code (a ``SpeakPlan`` from ``choose_engines``, whose
            fallback language then reads the cues of a language no voice speaks).
        cache: Where finished audio is kept and looked up; None to synthesise everything.
        workers: Syntheses at once; default one per core (network engines: at least 8).
        progress: Called with the number of cues just finished (cache hits included) as they
            finish; the numbers add up to ``len(cues)``.

    Returns:
        A lazy iterator; a bounded window of cues is synthesised ahead of the one consumed.

    Raises:
        UnsupportedLanguage: a cue's language has no engine (raised here, before any speech).
        EngineError: an engine failed (raised while iterating; finished cues are in the cache).
    """
    run = _start(cues, engines, cache, workers, progress, kept=False)
    return (clip.open() if isinstance(clip, KeptClip) else clip for clip in _clips(run))


def speak_kept(
    cues: Sequence[Cue],
    engines: Mapping[str, Engine],
    cache: ClipCache | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
) -> Iterator[Clip | KeptClip]:
    """Speak ``cues`` like ``speak``, but give every clip the cache holds as it keeps it.

    A cached clip is read and checked, not decoded: the mix decodes it only if it mixes its run
    again. A clip just spoken comes as kept too (with its samples at hand), so the mix can note
    its name for the next build; without a cache, clips come as ``speak`` gives them.

    Raises:
        UnsupportedLanguage: a cue's language has no engine (raised here, before any speech).
        EngineError: an engine failed (raised while iterating; finished cues are in the cache).
    """
    return _clips(_start(cues, engines, cache, workers, progress, kept=True))


def _start(
    cues: Sequence[Cue],
    engines: Mapping[str, Engine],
    cache: ClipCache | None,
    workers: int | None,
    progress: Progress | None,
    *,
    kept: bool,
) -> _Run:
    """Plan the jobs (failing on a missing language before any speech) and make the run."""
    if isinstance(engines, SpeakPlan):
        cues = engines.as_spoken(cues)  # languages with no voice: read in the fallback's
    jobs = _plan_jobs(cues, engines)
    in_processes = {s for s, e in engines.items() if executor_kind(e) is Concurrency.PROCESSES}
    unique = {job.key: job.slot for job in jobs}
    process_jobs = sum(
        1
        for key, slot in unique.items()
        if slot in in_processes and (cache is None or key not in cache)
    )
    return _Run(jobs, cache, Pools(engines, workers, process_jobs), progress, kept)


def _clips(run: _Run) -> Iterator[Clip | KeptClip]:
    try:
        for index in range(len(run.jobs)):
            run.fill(index + run.pools.ahead)
            yield run.clip(index)
            run.release(index)
    finally:
        run.pools.close()
