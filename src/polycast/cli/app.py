"""The Typer application, its global options, and where expected failures become one line."""

from __future__ import annotations

import contextlib
import difflib
import importlib
import logging
import os
import signal
import sys
import threading
from collections.abc import Iterator
from types import FrameType
from typing import Annotated, Any, NamedTuple

import typer
import typer.core
import typer.main
from typer import _click as click  # the click Typer runs on (its own copy)
from typer._click.exceptions import ClickException, UsageError
from typer.exceptions import Abort

from polycast import __version__
from polycast.errors import PolycastError

# numpy's OpenBLAS starts a thread per core, and after each matrix product (the loudness filters
# use them) lets it spin before it sleeps: ~0.1 s of CPU for nothing in every build or preview, on
# a core polycast's own threads want (the mix and the encoder already work side by side). Set
# before numpy loads, which polycast does only to make audio; a person's own setting is kept.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


class Listed(NamedTuple):
    """Where a command lives and what ``polycast --help`` says of it, known without importing it."""

    module: str
    """The module under ``polycast.cli`` whose import registers the command."""
    summary: str
    """The first line of the command's help (a test checks the two agree)."""


COMMANDS: dict[str, Listed] = {
    "build": Listed(
        "episode_commands",
        "Build the episode: MP3 with chapters, chapters JSON and transcripts, in output/.",
    ),
    "preview": Listed(
        "episode_commands",
        "Speak one segment, one chapter or one line, quickly (from cache when it can).",
    ),
    "segments": Listed(
        "article_commands",
        "Show what polycast understood: each segment's kind, language and what will be said.",
    ),
    "plan": Listed(
        "article_commands",
        "Write the editable rundown: every sentence, its language, voice and pause, by chapter.",
    ),
    "voices": Listed(
        "article_commands",
        "List the engines and voices this machine has, per language; * marks the defaults.",
    ),
    "batch": Listed(
        "batch_commands",
        "Build many articles at once, each as build would, on local processes or a Dask cluster.",
    ),
    "follow": Listed(
        "batch_commands",
        "Build and publish each new or changed item of a site's feed (RSS, Atom, JSON, OPML).",
    ),
    "init": Listed(
        "feed_commands",
        "Write a commented podcast.toml here: the show your podcast feed describes.",
    ),
    "publish": Listed(
        "feed_commands",
        "Add EPISODE to the podcast feed, or update it, and copy its files to the publish folder.",
    ),
    "serve": Listed(
        "feed_commands",
        "Serve the published folder over HTTP, to try the feed in a podcast app. Ctrl-C stops.",
    ),
}
"""Every command, in the order of the job (build first), as ``--help`` lists them."""


class _Lazy(typer.core.TyperGroup):
    """Import a command's module only when that command runs (or shows its own help).

    Every command imports what its work needs (numpy, the language models, the encoder), which
    takes far longer than the command line itself; ``--version`` and ``--help`` need none of it,
    and ``build`` needs nothing of ``publish``. The listing comes from ``COMMANDS``, and is plain
    text: the boxed help of each command is worth loading ``rich`` for, the list is not.
    """

    def list_commands(self, ctx: Any) -> list[str]:
        """Return the command names, in the job's order."""
        return list(COMMANDS)

    def get_command(self, ctx: Any, cmd_name: str) -> click.Command | None:
        """Return the command, importing its module the first time it is asked for.

        Only the command asked for is made: Typer reads every option's annotations to make one
        (a few milliseconds for ``build``), which a ``preview`` has no use for.
        """
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            importlib.import_module(f"polycast.cli.{COMMANDS[cmd_name].module}")
            for info in app.registered_commands:
                if _name(info) != cmd_name:
                    continue
                command = typer.main.get_command_from_info(
                    info,
                    pretty_exceptions_short=app.pretty_exceptions_short,
                    rich_markup_mode=app.rich_markup_mode,
                )
                self.commands.setdefault(command.name or "", command)
        return self.commands.get(cmd_name)

    def resolve_command(
        self, ctx: Any, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        """Resolve as Typer does, suggesting a near command name among all, loaded or not."""
        try:
            return super().resolve_command(ctx, args)
        except UsageError as e:
            near = difflib.get_close_matches(args[0], COMMANDS) if args else []
            if near and "Did you mean" not in e.message:
                e.message = f"{e.message.rstrip('.')}. Did you mean {near[0]!r}?"
            raise

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        """Print the help for ``polycast`` alone (Typer prints it only when rich renders it)."""
        if not args and self.no_args_is_help and not ctx.resilient_parsing:
            typer.echo(ctx.get_help())
            ctx.exit(2)
        result: list[str] = super().parse_args(ctx, args)
        return result

    def invoke(self, ctx: Any) -> Any:
        """Run the command inside ``handled``: the one place failures become one line."""
        with handled():
            return super().invoke(ctx)

    def main(  # type: ignore[override]
        self, args: Any = None, prog_name: Any = None, standalone_mode: bool = True, **extra: Any
    ) -> Any:
        """Run the command line; a usage error is one line on stderr and exit 2, as any error is.

        Click prints the usage, a hint and the error over four lines; a script reading stderr,
        and a person, want what went wrong and where to look, on one.
        """
        if not standalone_mode:
            return super().main(args, prog_name, standalone_mode=False, **extra)
        try:
            code = super().main(args, prog_name, standalone_mode=False, **extra)
        except ClickException as e:
            typer.echo(usage_line(e), err=True)
            sys.exit(e.exit_code)
        except Abort:
            typer.echo("polycast: interrupted; nothing was written", err=True)
            sys.exit(130)
        sys.exit(code if isinstance(code, int) else 0)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        """Write the plain help (no ``rich``: it takes longer to import than the rest)."""
        click.Command.format_help(self, ctx, formatter)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        """List the commands from ``COMMANDS``, importing none of them."""
        with formatter.section("Commands"):
            formatter.write_dl([(name, listed.summary) for name, listed in COMMANDS.items()])


app = typer.Typer(
    cls=_Lazy,
    help="Turn an article into a podcast episode: every quoted voice in its own language.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain help: Rich markup would eat bracketed words ([opus], [plan.lexicon]) and show
    # every flag as taking a <bool>.
    rich_markup_mode=None,
)


def _name(info: typer.models.CommandInfo) -> str:
    """Return the name a registered command is called by, as Typer names it."""
    if info.name:
        return info.name
    return typer.main.get_command_name(getattr(info.callback, "__name__", ""))


def usage_line(error: ClickException) -> str:
    """Say a usage error in one line, naming the command and where its help is.

    >>> usage_line(UsageError("No such command 'bild'."))
    "polycast: error: No such command 'bild'. (see 'polycast --help')"
    """
    ctx = getattr(error, "ctx", None)
    path = ctx.command_path if ctx is not None else "polycast"
    message = " ".join(error.format_message().split())
    hint = f" (see '{path} --help')" if isinstance(error, UsageError) else ""
    return f"polycast: error: {message}{hint}"


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


# Commands are registered in the modules COMMANDS names; the group runs each inside handled().
