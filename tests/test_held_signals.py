"""Stop signals held while C code calls back into Python, then handed on."""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest

from polycast.speak.held_signals import held


def test_ctrl_c_is_noted_inside_and_raised_after_the_block() -> None:
    inside = []
    with pytest.raises(KeyboardInterrupt), held() as state:
        signal.raise_signal(signal.SIGINT)
        inside.append(state.signum)  # reached: nothing was raised inside
    assert inside == [signal.SIGINT]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_no_signal_no_effect_and_handlers_restored() -> None:
    before = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    with held() as state:
        pass
    assert state.signum is None
    assert {s: signal.getsignal(s) for s in before} == before


def test_a_held_sigterm_with_the_default_action_still_ends_the_process() -> None:
    code = (
        "import signal\n"
        "from polycast.speak.held_signals import held\n"
        "with held():\n"
        "    signal.raise_signal(signal.SIGTERM)\n"
        "    print('held', flush=True)\n"
        "print('survived', flush=True)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert (done.returncode, done.stdout) == (-signal.SIGTERM, "held\n")
