"""Helpers for the batch, follow and cluster tests: short articles, a show, polycast run."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import cli_process

SHOW = """\
[show]
title = "Test Show"
description = "Articles read aloud."
author = "Jane Doe"
owner_name = "Jane Doe"
owner_email = "jane@example.com"
language = "nl"
category = "News"
image_url = "https://example.com/cover.jpg"
base_url = "https://example.com/pod/"
publish_dir = "public"

[speak]
engine = "espeak"
"""

SENTENCES = (
    "Het kabinet overlegt vandaag in Den Haag.",
    "The cabinet meets today in The Hague.",
    "De minister was kort van stof.",
    "The talks go on tomorrow.",
    "Het overleg gaat morgen verder.",
    "Rain is expected in the north.",
)


def articles(folder: Path, count: int, prefix: str = "a") -> list[Path]:
    """Write ``count`` short articles (one sentence and a numbered title) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(count):
        path = folder / f"{prefix}{n:03d}.txt"
        path.write_text(f"Bericht {n}\n\n{SENTENCES[n % len(SENTENCES)]}\n", encoding="utf-8")
        paths.append(path)
    return paths


def show(folder: Path) -> Path:
    """Write the test show's podcast.toml into ``folder``."""
    path = folder / "podcast.toml"
    path.write_text(SHOW, encoding="utf-8")
    return path


def polycast(
    *args: str, cwd: Path, stdin: str | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run ``polycast ARGS`` in a process of its own in ``cwd``, as a person's shell would."""
    return cli_process.run(
        args,
        capture_output=True,
        text=True,
        cwd=cwd,
        input=stdin,
        timeout=timeout,
        env={**os.environ, "NO_COLOR": "1"},
        check=False,
    )


def feed_guids(feed: Path) -> list[str]:
    """The GUIDs of a feed's items, in order (read with feedparser, not polycast)."""
    import feedparser

    parsed = feedparser.parse(feed.read_bytes())
    return [entry.id for entry in parsed.entries]
