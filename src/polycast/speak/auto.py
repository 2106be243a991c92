"""``engine = "auto"``: the most natural voice this machine can use now, chosen per language.

The order, best first: an installed (or configured) Piper voice for the language, neural and
offline; then an online neural voice whose endpoint answers a short probe, edge before gTTS
(each engine probed at most once per build, and only when a language needs it); then espeak-ng,
always there. An engine that is not registered (edge before its module is installed) is skipped.
The choice is made once per language, before any speech, so a voice never changes mid-episode.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from polycast.errors import PolycastError
from polycast.speak.base import Engine, answers, match_language
from polycast.speak.named import is_piper_file
from polycast.speak.registry import engine_names

log = logging.getLogger(__name__)

ORDER = ("piper", "edge", "gtts", "espeak")
"""The engines ``auto`` tries for a language, best first."""
ONLINE = frozenset({"edge", "gtts"})
"""The engines that need their endpoint to answer a probe first."""


@dataclass(frozen=True)
class Step:
    """One engine of the order, for one language: whether auto can take it, and why."""

    engine: str
    """The engine's registry name."""
    usable: bool | None
    """True when it speaks the language now; None when it was not probed (not asked to)."""
    why: str
    """A few words: ``voice en_US-joe-medium``, ``answers``, ``did not answer within 2 s``."""


class AutoChooser:
    """Walks the order for each language, making and probing each engine at most once.

    Args:
        make: Returns the engine of a name (made once by the caller, with its options).
        timeout: Seconds a probe waits for an endpoint.
        probe: Whether to probe online engines at all (``polycast voices`` without auto does not).
    """

    def __init__(self, make: Callable[[str], Engine], timeout: float, probe: bool = True) -> None:
        self.make = make
        self.timeout = timeout
        self.probe = probe
        self.registered = set(engine_names())
        self._answers: dict[str, tuple[bool | None, str]] = {}

    def steps(
        self, lang: str, stop: bool = True, named: Mapping[str, str] | None = None
    ) -> list[Step]:
        """Return the order's steps for ``lang``, to the first usable one (all if not ``stop``).

        ``named`` maps engines to the voice their options name for ``lang``: these are tried
        first, in the order's order, as a voice named for a language wins over the order.
        """
        named = named or {}
        first = sorted(named, key=lambda n: ORDER.index(n) if n in ORDER else len(ORDER))
        found = []
        for name in dict.fromkeys([*first, *ORDER]):
            if name not in self.registered:
                continue
            step = self._step(name, lang, named.get(name))
            found.append(step)
            if step.usable and stop:
                break
        return found

    def choose(self, lang: str) -> Engine | None:
        """Return the engine auto takes for ``lang``; None when no engine of the order speaks it."""
        steps = self.steps(lang)
        if steps and steps[-1].usable:
            return self.make(steps[-1].engine)
        return None

    def _step(self, name: str, lang: str, named: str | None = None) -> Step:
        try:
            engine = self.make(name)
            voices = engine.voices()
        except PolycastError as e:
            return Step(name, False, f"cannot be used ({e})")
        code = match_language(lang, voices)
        if code is None:
            return Step(name, False, f"no voice for {lang}")
        listed = voices[code][0] if voices[code] else code
        voice = named if named and not is_piper_file(named) else listed  # a file: its voice's name
        if name not in ONLINE:
            return Step(name, True, f"voice {voice}")
        usable, why = self._reached(name, engine)
        return Step(name, usable, why if usable is not True else f"answers, voice {voice}")

    def _reached(self, name: str, engine: Engine) -> tuple[bool | None, str]:
        """Probe an online engine once: (answers, why)."""
        if name not in self._answers:
            if not self.probe:
                self._answers[name] = (None, "not probed")
            elif answers(engine, self.timeout):
                self._answers[name] = (True, "answers")
            else:
                self._answers[name] = (False, f"did not answer within {self.timeout:g} s")
            log.info("%s: %s", name, self._answers[name][1])
        return self._answers[name]


def describe_choice(chosen: dict[str, list[Step]]) -> str:
    """Say in one line what auto chose for each language, and why it passed others over.

    >>> describe_choice({"en": [Step("piper", True, "voice en_US-joe-medium")],
    ...                  "nl": [Step("gtts", False, "did not answer within 2 s"),
    ...                         Step("espeak", True, "voice nl")]})
    'auto chose: en piper (voice en_US-joe-medium); nl espeak (gtts did not answer within 2 s)'
    """
    parts = []
    for lang, steps in chosen.items():
        last = steps[-1]
        passed = [
            f"{s.engine} {s.why}"
            for s in steps[:-1]
            if s.engine in ONLINE and not s.why.startswith("no voice")
        ]
        why = ", ".join(passed) if passed and last.engine not in ONLINE else last.why
        parts.append(f"{lang} {last.engine} ({why})")
    return "auto chose: " + "; ".join(parts)
