"""Stop signals held off while C code calls back into Python.

Python runs a signal handler at the next bytecode, and inside a ctypes callback that is the
callback itself: the ``KeyboardInterrupt`` it raises is printed and swallowed by ctypes, and the
C call goes on as if nothing happened (a build would ignore Ctrl-C while espeak speaks). While a
block runs under ``held``, Ctrl-C, SIGTERM and SIGHUP only note themselves; the callback asks
``Held.signum`` and ends the C call early; when the block ends the previous handlers are back and
the noted signal is handed to them, so it takes the path it takes anywhere else (the clean
"interrupted" exit, or the default action).
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType

_SIGNALS = tuple(getattr(signal, n) for n in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, n))


class Held:
    """The first stop signal that arrived while held, if any."""

    def __init__(self) -> None:
        """Start with no signal noted."""
        self.signum: int | None = None
        """The signal to hand on when the block ends; None while none came."""

    def note(self, signum: int, frame: FrameType | None) -> None:
        """Note a signal (the handler while held): nothing is raised inside C's callbacks."""
        if self.signum is None:
            self.signum = signum


@contextlib.contextmanager
def held() -> Iterator[Held]:
    """Hold stop signals for the block (in the main thread; elsewhere Python runs no handlers)."""
    state = Held()
    if threading.current_thread() is not threading.main_thread():
        yield state
        return
    previous = {signum: signal.getsignal(signum) for signum in _SIGNALS}
    for signum in _SIGNALS:
        signal.signal(signum, state.note)
    try:
        yield state
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, signal.SIG_DFL if handler is None else handler)
        if state.signum is not None:
            _deliver(state.signum, previous[state.signum])


def _deliver(signum: int, handler: object) -> None:
    """Hand a held signal to the handler it would have met: raise, or take the default action."""
    if callable(handler):
        handler(signum, None)
    elif handler in (signal.SIG_DFL, None):
        signal.raise_signal(signum)
