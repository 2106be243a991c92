"""Let ``python -m polycast`` run the CLI."""

from polycast.cli import app

app(prog_name="polycast")
