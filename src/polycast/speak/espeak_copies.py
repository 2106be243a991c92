"""Copies of libespeak-ng, each loaded from its own file, so threads speak side by side.

The library keeps its state in static variables: one loaded copy can speak one utterance at a
time. The dynamic loader gives a second ``dlopen`` of the same file the same copy, but a copy of
the file (an anonymous in-memory file, ``memfd_create``) is a library of its own, with statics of
its own: each thread that speaks takes a copy no other thread is using. ctypes lets go of the
GIL while C runs, so two copies speak on two cores, and each still gives the same bytes (every
utterance loads its copy afresh, with a fixed seed, as before).

Loading, initialising and unloading stay one at a time (``_LOADING``): ``espeak_Initialize`` sets
the process's locale, which no two threads may do at once. Where anonymous files are missing
(not Linux), there is one copy and threads take turns.
"""

from __future__ import annotations

import ctypes
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from polycast.errors import EngineError
from polycast.speak.espeak_c import Callback, close, declare
from polycast.speak.held_signals import Held, held

if TYPE_CHECKING:
    import numpy as np

_AUDIO_OUTPUT_SYNCHRONOUS = 2
_INITIALIZE_DONT_EXIT = 0x8000
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
_PARAM_RATE = 1
_PARAM_PITCH = 3
_SEED = 1
_BUFFER_MS = 1000
"""Audio per callback. The default, 60 ms, took the GIL ~4,000 times for four minutes of speech,
each a handover between threads; a second's buffer is still a few milliseconds of work, so a
stop signal is still noticed at once. The samples are the same."""
MAX_LIBRARY_BYTES = 64 << 20
"""The library file is read whole to copy it: espeak-ng's is under 1 MB."""

_LOADING = threading.Lock()
"""Held while any copy loads, initialises or unloads (the locale is the process's)."""


class Copy:
    """One copy of the library, from one file: one utterance at a time, each loaded afresh."""

    def __init__(self, path: str, data: Path) -> None:
        """Use the library at ``path`` with its voice data in ``data``."""
        self.path = path
        self.data = data
        self.rate = 0
        """Samples a second, known once the copy has been initialised."""
        self._pcm = bytearray()
        self._interrupt: BaseException | None = None
        """An exception raised inside the callback (Ctrl-C), for ``speak`` to raise again."""
        self._held: Held | None = None
        """Signals held while espeak speaks, for the callback to stop early on."""
        self._callback = Callback(self._collect)  # kept referenced: the library calls it later

    def open(self) -> ctypes.CDLL:
        """Load and initialise a pristine copy of the library, seeded the same every time.

        Raises:
            EngineError: it cannot be loaded or started.
        """
        with _LOADING:
            try:
                lib = ctypes.CDLL(self.path)
            except OSError as e:
                raise EngineError(
                    f"cannot load espeak-ng from {self.path}: {e}; reinstall polycast"
                ) from e
            declare(lib)
            data = str(self.data).encode()
            rate = int(
                lib.espeak_Initialize(
                    _AUDIO_OUTPUT_SYNCHRONOUS, _BUFFER_MS, data, _INITIALIZE_DONT_EXIT
                )
            )
            if rate <= 0:
                close(lib)
                raise EngineError(f"espeak-ng failed to start with its data in {self.data}")
            self.rate = rate
            lib.espeak_ng_SetRandSeed(_SEED)  # espeak_Initialize seeds it from the clock
            lib.espeak_SetSynthCallback(self._callback)
            return lib

    def close(self, lib: ctypes.CDLL) -> None:
        """Unload ``lib``, so the next ``open`` starts from scratch."""
        with _LOADING:
            close(lib)

    def _collect(self, wav: ctypes.Array[ctypes.c_short], count: int, events: int) -> int:
        """Keep a block of samples; end the synthesis early once a stop signal has come.

        Signals are held while espeak runs (``held_signals``): one raised in here would be printed
        and swallowed by ctypes. Any other exception is kept for ``speak`` to raise.
        """
        try:
            if self._held is not None and self._held.signum is not None:
                return 1  # abort: speak hands the signal on once espeak has returned
            if count > 0 and wav:
                self._pcm += ctypes.string_at(wav, count * 2)
            return 0  # carry on
        except BaseException as e:  # re-raised by speak, outside the callback
            self._interrupt = e
            return 1

    def speak(self, text: str, voice: str, rate: int, pitch: int) -> np.ndarray:
        """Speak ``text`` with ``voice`` and return int16 samples (no other thread uses this copy).

        Raises:
            EngineError: the library failed, or has no voice named ``voice``.
        """
        import numpy as np  # noqa: PLC0415 (slow import, only when speaking)

        lib = self.open()
        try:
            with _LOADING:  # loads the voice's files and dictionary
                chosen = lib.espeak_SetVoiceByName(voice.encode())
            if chosen != 0:
                raise EngineError(f"espeak-ng has no voice '{voice}'; `polycast voices` lists them")
            lib.espeak_SetParameter(_PARAM_RATE, rate, 0)
            lib.espeak_SetParameter(_PARAM_PITCH, pitch, 0)
            data = text.replace("\0", " ").encode("utf-8") + b"\0"
            self._pcm = bytearray()
            with held() as self._held:
                status = lib.espeak_Synth(
                    data, len(data), 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None
                )
            if self._interrupt is not None:
                interrupt, self._interrupt = self._interrupt, None
                raise interrupt
            if status != 0:
                raise EngineError(
                    f"espeak-ng failed to speak with voice '{voice}' (status {status})"
                )
            samples = np.frombuffer(bytes(self._pcm), dtype=np.int16)
        finally:
            self._pcm, self._held = bytearray(), None
            self.close(lib)
        return samples


class Copies:
    """The copies of the library this process has made; a thread takes a free one to speak.

    The first copy is the installed file itself; each further one, made when every copy is in
    use, is an anonymous in-memory file holding the same bytes (kept open for the process's life).
    """

    def __init__(self, path: str, data: Path) -> None:
        """Start with the installed library at ``path`` (voice data in ``data``)."""
        self.path = path
        self.data = data
        self.made = 1
        """Copies made so far."""
        self._free = [Copy(path, data)]
        self._available = threading.Condition()
        self._copyable = hasattr(os, "memfd_create") and Path("/proc/self/fd").is_dir()

    def take(self) -> Copy:
        """Return a copy no other thread is using: a free one, a new one, or the next freed."""
        with self._available:
            while not self._free:
                made = self._copy() if self._copyable else None
                if made is not None:
                    self.made += 1
                    return made
                self._available.wait()
            return self._free.pop()

    def give(self, copy: Copy) -> None:
        """Hand ``copy`` back for the next thread that speaks."""
        with self._available:
            self._free.append(copy)
            self._available.notify()

    def _copy(self) -> Copy | None:
        """Make another copy of the library in an anonymous file; None if it cannot be made."""
        try:
            with open(self.path, "rb") as stream:  # noqa: PTH123 (a file read once, by its fd)
                blob = stream.read(MAX_LIBRARY_BYTES + 1)
            if len(blob) > MAX_LIBRARY_BYTES:
                self._copyable = False
                return None
            fd = os.memfd_create("polycast-espeak", os.MFD_CLOEXEC)
            with os.fdopen(os.dup(fd), "wb") as out:
                out.write(blob)
        except OSError:
            self._copyable = False  # threads take turns on the copies there are
            return None
        return Copy(f"/proc/self/fd/{fd}", self.data)
