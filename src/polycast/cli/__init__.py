"""The command line: parse options, call the library, print. Nothing else lives here.

One module per group of commands; importing one registers its commands on ``app``, which
imports it only when one of its commands runs (``polycast.cli.app.COMMANDS`` says which).
"""

from polycast.cli.app import app, handled

__all__ = ["app", "handled"]
