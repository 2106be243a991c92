"""Encode each run of the final mix as soon as it is rendered, while the mix renders the next.

The mix renders and measures every run of its final output before it can report the episode's
loudness; the encoder then read the whole output back. Run by run, the two need not wait for each
other: once a run is rendered its stretches can be encoded (LAME runs outside the GIL) beside the
rendering of the runs after it. ``AheadFrames`` encodes them on threads of its own, into the run
store under the very keys ``parallel_frames`` looks for, so the encode stage finds every frame
kept and only joins them. A run whose frames the store keeps costs one look-up.

Should the mix render again at another gain (heavy limiting), the frames made first are kept
under the first gain's keys and never used for this episode: correct, only wasted.
"""

from __future__ import annotations

import functools
import threading
from concurrent.futures import Future, ThreadPoolExecutor, wait
from types import TracebackType

from polycast.encode.mp3 import Mp3Settings, encode_frames, pcm_blocks
from polycast.encode.parallel import Stretches, keep_stretch, run_jobs
from polycast.models import RunStore, Timeline


class AheadFrames:
    """Encodes runs into ``store`` as the mix renders them (``polycast.models.RunFrames``).

    Args:
        settings: the MP3 settings the episode is encoded with.
        store: the run store the encode stage takes frames from.
        workers: encoder threads; the same number the encode stage cuts the timeline for.
    """

    def __init__(self, settings: Mp3Settings, store: RunStore, workers: int) -> None:
        self.settings = settings
        self.store = store
        self.workers = max(1, workers)
        self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="mp3-ahead")
        self._started: list[Future[None]] = []
        self._lock = threading.Lock()
        """The mix's threads hand runs over side by side."""
        self._planned: tuple[Timeline, Stretches] | None = None

    def start(self, timeline: Timeline, index: int) -> None:
        """Begin encoding run ``index`` of ``timeline``, a stretch a thread.

        The timeline is cut into stretches once, on its first run: cutting it again for every
        run would cost an hour-long episode's hundreds of runs time in the square of their count.
        """
        settings, rate, channels = self.settings, timeline.rate, timeline.channels
        encoder = functools.partial(encode_frames, settings=settings, rate=rate, channels=channels)
        salt = settings.salt(rate, channels)
        with self._lock:
            if self._planned is None or self._planned[0] is not timeline:
                settings.check(rate, channels)
                self._planned = (timeline, run_jobs(timeline, self.workers))
            for job in self._planned[1][index]:
                self._started.append(
                    self._pool.submit(
                        keep_stretch, timeline, job, encoder, pcm_blocks, self.store, salt
                    )
                )

    def wait(self) -> None:
        """Wait for every run begun; raise the first failure (EncodeError, OutputError)."""
        with self._lock:
            started, self._started = self._started, []
        wait(started)
        for future in started:
            future.result()

    def cancel(self) -> None:
        """Drop what has not begun; wait for what has, whatever became of it."""
        with self._lock:
            started, self._started = self._started, []
        for future in started:
            future.cancel()
        wait(started)

    def __enter__(self) -> AheadFrames:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        """Stop the threads, cancelling what has not begun."""
        self.cancel()
        self._pool.shutdown(wait=True, cancel_futures=True)
