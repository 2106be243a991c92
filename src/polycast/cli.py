"""The command line: parse options, call the library, print. Nothing else lives here."""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from polycast import __version__

app = typer.Typer(
    help="Turn an article into a podcast episode: every quoted voice in its own language.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
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


# Commands are registered below, one function each.
