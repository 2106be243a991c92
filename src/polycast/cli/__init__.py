"""The command line: parse options, call the library, print. Nothing else lives here.

One module per group of commands; importing them registers their commands on ``app``.
"""

from polycast.cli import article_commands, episode_commands, feed_commands
from polycast.cli.app import app, handled

__all__ = ["app", "article_commands", "episode_commands", "feed_commands", "handled"]
