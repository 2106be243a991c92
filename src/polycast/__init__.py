"""polycast: turn an article into a podcast episode, every quoted voice in its own language."""

from importlib.metadata import version

__version__ = version("polycast")
