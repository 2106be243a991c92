"""The build summary a person reads (or a script parses with ``--json``)."""

from __future__ import annotations

import json
from typing import Any

from polycast.pipeline import BuildResult
from polycast.times import clock, seconds_to_ms


def summary_dict(result: BuildResult) -> dict[str, Any]:
    """Return the summary as plain data; its keys are stable for scripts."""
    return {
        "title": result.title,
        "mp3": str(result.mp3),
        "format": result.audio_format.value,
        "companions": [str(p) for p in result.companions],
        "duration": round(result.seconds, 3),
        "chapters": [{"title": t, "start": round(s, 3)} for t, s in result.chapters],
        "cues": result.cues,
        "voices": result.voices,
        "loudness": round(result.mix.loudness, 2),
        "true_peak": round(result.mix.true_peak, 2),
        "elapsed": round(result.elapsed, 3),
        "notices": list(result.notices),
    }


def summary_json(result: BuildResult) -> str:
    """Return the summary as indented JSON."""
    return json.dumps(summary_dict(result), ensure_ascii=False, indent=2)


def summary_text(result: BuildResult) -> str:
    """Return the summary as a few aligned lines."""
    speed = result.seconds / result.elapsed if result.elapsed > 0 else 0.0
    lines = [
        f"episode   {result.mp3} ({clock(seconds_to_ms(result.seconds))}, {result.cues} sentences)",
        f"title     {result.title}",
        f"also      {', '.join(p.name for p in result.companions)}",
        f"chapters  {len(result.chapters)}",
        *(f"  {clock(seconds_to_ms(start)):>7}  {title}" for title, start in result.chapters),
        "voices    " + ", ".join(f"{lang}: {v}" for lang, v in sorted(result.voices.items())),
        f"loudness  {result.mix.summary()}",
        f"took      {result.elapsed:.1f} s ({speed:.0f}x real time)",
    ]
    if result.uncached is not None:
        lines.append(f"cache     none: {result.uncached}")
    return "\n".join(lines)
