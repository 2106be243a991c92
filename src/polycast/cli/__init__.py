"""The command line: parse options, call the library, print. Nothing else lives here.

One module per group of commands; importing one registers its commands on ``app``, which
imports it only when one of its commands runs (``polycast.cli.app.COMMANDS`` says which).
"""

from polycast import heap
from polycast.cli.app import app, handled

__all__ = ["app", "handled", "run"]


def run() -> None:
    """Run ``polycast`` as a process: the ``polycast`` script and ``python -m polycast``.

    The process's allocator is tuned for the mix's blocks, and its objects are left to the exit
    unwalked (``polycast.heap``). Tests call ``app`` in their own process, which neither touches.
    """
    heap.tune_allocator()
    try:
        app(prog_name="polycast")
    finally:
        heap.leave_to_exit()
