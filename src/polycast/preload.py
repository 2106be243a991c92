"""Import the audio stages' libraries on a second thread while the planner loads its models.

A cold build plans before it speaks, and planning spends most of its time in lingua loading its
language models, which runs without the GIL: one core works while the other waits. The speak,
mix and encode stages then import numpy, soxr, soundfile and LAME (about a tenth of a second)
before the first sentence is spoken. Started when a plan must be made, those imports run in the
planner's shadow instead.

Nothing waits for them: a stage imports what it needs as it always does (waiting, if that module
is being imported here, for the import to end), and a module that fails to import here fails
again there, where the error is reported.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Sequence

AUDIO = (
    "numpy",
    "soxr",
    "soundfile",
    "lameenc",
    "polycast.speak.espeak",
    "polycast.mix.mixer",
    "polycast.encode.parallel",
    "polycast.encode.tag",
)
"""What a build imports to speak, mix, encode and tag, in the order it needs them.

The tagger (mutagen) is imported only where an episode is tagged, which an unchanged rebuild
does not do; a build that plans will tag, and importing it here takes it off the write stage."""


def audio_stages() -> threading.Thread:
    """Start importing ``AUDIO`` on a daemon thread, and return the thread."""
    thread = threading.Thread(target=import_all, args=(AUDIO,), name="preload", daemon=True)
    thread.start()
    return thread


def import_all(names: Sequence[str]) -> None:
    """Import ``names`` in order, stopping quietly at the first that fails.

    >>> import_all(["json", "no_such_module_here", "tabnanny"])
    >>> import sys; "json" in sys.modules and "tabnanny" not in sys.modules
    True
    """
    for name in names:
        try:
            importlib.import_module(name)
        except Exception:  # the stage that needs it imports it again, and says why it fails
            return
