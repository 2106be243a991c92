"""The Typer application, its global options, and where expected failures become one line."""

from __future__ import annotations

import contextlib
import logging
import signal
import sys
import threading
from collections.abc import Iterator
from types import FrameType
from typing import Annotated, Any

import typer

from polycast import __version__
from polycast.errors import PolycastError


class _InJobOrder(typer.core.TyperGroup):
    """List commands in the order of the job (build first), not in the order of the code."""

    ORDER = ("build", "preview", "segments", "plan", "voices", "init", "publish", "serve")

    def list_commands(self, ctx: Any) -> list[str]:
        """Return the command names, the job's own first."""
        names: list[str] = super().list_commands(ctx)
        rank = {name: i for i, name in enumerate(self.ORDER)}
        return sorted(names, key=lambda name: (rank.get(name, len(rank)), name))


app = typer.Typer(
    cls=_InJobOrder,
    help="Turn an article into a podcast episode: every quoted voice in its own language.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain help: Rich markup would eat bracketed words ([opus], [plan.lexicon]) and show
    # every flag as taking a <bool>.
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"polycast {__version__}")
        raise typer.Exit


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log what happens.")] = False,
) -> None:
    """Turn an article into a podcast episode: every quoted voice in its own language."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(message)s"
    )


class Interrupted(KeyboardInterrupt):
    """A stop signal other than Ctrl-C (SIGTERM, SIGHUP), taking Ctrl-C's clean path out."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum
        """The signal that stopped the command."""


_STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)
)


def _stop(signum: int, frame: FrameType | None) -> None:
    """Unwind the command as Ctrl-C does; a repeat is ignored so the clean-up can finish."""
    for other in _STOP_SIGNALS:
        signal.signal(other, signal.SIG_IGN)
    raise Interrupted(signum)


@contextlib.contextmanager
def _stop_signals() -> Iterator[None]:
    """Treat SIGTERM and SIGHUP like Ctrl-C for the block (in the main thread; else no change).

    Their default is to die on the spot, leaving temporary files; unwinding instead runs every
    ``finally`` that removes them, as Ctrl-C does.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.signal(signum, _stop) for signum in _STOP_SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextlib.contextmanager
def handled() -> Iterator[None]:
    """Turn expected failures into one line on stderr and exit 1; a stop into exit 128+signal.

    Every command body runs inside this, so a user never sees a traceback for a known failure.
    Ctrl-C exits 130, SIGTERM 143 and SIGHUP 129, each after the same one line.
    """
    try:
        with _stop_signals():
            yield
    except PolycastError as e:
        typer.echo(f"polycast: error: {e}", err=True)
        raise typer.Exit(1) from None
    except KeyboardInterrupt as e:
        typer.echo("polycast: interrupted; nothing was written", err=True)
        signum = e.signum if isinstance(e, Interrupted) else signal.SIGINT
        raise typer.Exit(128 + signum) from None
    except BrokenPipeError:
        sys.stderr.close()
        raise typer.Exit(1) from None


# Commands are registered below, one function each; each runs its body `with handled():`.
