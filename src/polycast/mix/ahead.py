"""Measure each run's voices while the speech after it is still being made.

espeak-ng speaks one cue at a time, on one core; the other cores would wait for the last cue
before the mix measured anything. But a run ends at a long pause, and once the cue after that
pause is laid in the spool, the run before it is whole: its voices can be measured then, beside
the speech still to come (``Ahead``). After the last cue, only the last run is left to measure.

Only an episode without music is measured ahead: where a run may be cut depends on where the
music plays, and the closing sting's place is known only after the last cue. A run measured
ahead is named by the same key as after the speech (``runs.speech_key``), so the mix takes its
measurement by that key and never measures a run twice; a run the store keeps is taken from the
store, as the mix would have taken it, and its speech is never read.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor

from polycast.mix import runs, voices
from polycast.mix.condition import VoiceKey
from polycast.mix.layout import Placement
from polycast.mix.runs import cached
from polycast.mix.spool import Spool
from polycast.mix.voices import VoiceRun
from polycast.models import RunStore

VoiceRuns = dict[VoiceKey, VoiceRun]


VOICES_IO = (voices.to_bytes, voices.from_bytes)
"""How the store keeps a run's voice measurements."""


class Ahead:
    """Measures each run of speech as soon as the cue after it is laid, on background threads.

    Args:
        spool: the speech, as it is appended.
        placements: every placement laid so far (the list the mix appends to).
        digests: each placement's clip digest, in the same order.
        rate: samples a second.
        store: where earlier builds kept their runs' measurements.
        workers: threads that measure side by side.
    """

    def __init__(  # noqa: PLR0917 (what a run's measurement and its key need)
        self,
        spool: Spool,
        placements: Sequence[Placement],
        digests: Sequence[str],
        rate: int,
        store: RunStore | None,
        workers: int,
    ) -> None:
        self.spool = spool
        self.placements = placements
        self.digests = digests
        self.rate = rate
        self.store = store
        self._pool = ThreadPoolExecutor(max(1, workers), thread_name_prefix="measure")
        self._started: dict[str, Future[VoiceRuns]] = {}
        self._start = 0
        self._first = 0

    def cut(self, index: int, at: int) -> None:
        """Say that placement ``index`` starts a run at ``at``: measure the run before it.

        Call it once placement ``index - 1`` is laid, before placement ``index`` is.
        The run is measured only as the mix would cut it (``runs.spans``, without music).
        """
        if index <= self._first or at <= self._start:
            return
        span = runs.span(self._start, at, self.placements, self._first, index, last=False)
        self._start, self._first = at, index
        key = runs.speech_key(span, self.placements, self.digests, self.rate)
        self.spool.finish()  # what is appended so far becomes readable by the measuring threads
        measure = functools.partial(voices.measure, self.spool, self.placements, span, self.rate)
        started = self._pool.submit(cached, self.store, "voices", key, measure, VOICES_IO)
        self._started[key] = started

    def take(self, key: str) -> VoiceRuns | None:
        """Return the measurement of the run named ``key`` if it was started ahead, else None.

        Raises:
            PolycastError: measuring it failed (the spool could not be read).
        """
        future = self._started.pop(key, None)
        return None if future is None else future.result()

    def close(self) -> None:
        """Stop: cancel what has not started and wait for what has (the spool outlives them)."""
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._started.clear()
