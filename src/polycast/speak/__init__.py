"""Speak stage: turn cues into audio clips through interchangeable voice engines."""

from polycast.speak.base import Engine

__all__ = ["Engine"]
