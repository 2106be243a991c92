"""polycast: turn an article into a podcast episode, every quoted voice in its own language."""

__version__ = "0.1.0"
"""The version, here so the package's metadata and ``polycast --version`` read the same one."""
