"""What the browser tests share: the show they publish, the server, and a watched page.

Chromium is the operating system's (Debian's ``chromium`` package, found by path), driven by
Playwright for Python; Playwright's own browser download is never used. A machine without
Chromium fails these tests, saying how to install it: a check that only runs where a tool
happens to be installed silently vanishes.

The show is built for real: two articles spoken by espeak-ng, published with ``polycast
publish`` into a folder that ``polycast serve`` answers for on 127.0.0.1. Every page a test
opens is watched: a console error, an uncaught exception or a failed request fails the test,
and any request that would leave 127.0.0.1 is refused (and so fails too): the pages must work
with no network.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import struct
import subprocess
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

import cli_process

if TYPE_CHECKING:
    from playwright.sync_api import Page

DATA = Path(__file__).parents[1] / "data"
HANG_S = 120.0
"""Longest a step may take before it is taken to hang: a guard, never a speed check."""
PAGE_WAIT_S = 30.0
"""Longest a page step (a load, a click, a wait for the player) may take: a guard, not a check."""
INSTALL = "apt-get install chromium"
SHOW = """[show]
title = "Polycast Proefshow"
description = "Nieuws in de taal van wie het zegt."
author = "Redactie"
owner_name = "Redactie"
owner_email = "redactie@example.com"
language = "nl"
category = "News"
image_url = "https://example.com/podcast/cover.png"
base_url = "https://example.com/podcast"
publish_dir = "public"
"""


def find_chromium(fallback: Path = Path("/usr/bin/chromium")) -> str:
    """Return the path of the system's Chromium, or fail the test saying how to install it.

    It fails under CI as anywhere else: .ci/run installs Chromium, so there a missing one means
    that step broke, and nowhere may the browser tests quietly not run.
    """
    found = shutil.which("chromium") or (str(fallback) if os.access(fallback, os.X_OK) else None)
    if found is None:
        where = "CI must install it first (.ci/run does)" if os.environ.get("CI") else "as root"
        pytest.fail(
            f"Chromium not found: the browser tests run in Debian's chromium; {INSTALL} "
            f"({where}). Playwright's own browser download is not used.",
            pytrace=False,
        )
    return found


def png(size: int = 64) -> bytes:
    """A square PNG of one colour: the show's artwork, made here rather than shipped."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\x2a\x6f\x97" * size for _ in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def polycast(*args: str, cwd: Path) -> str:
    """Run a polycast command to completion; fail with its stderr if it does not succeed."""
    done = cli_process.run(
        args,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=HANG_S * 5,
        check=False,
    )
    assert done.returncode == 0, f"polycast {' '.join(args)}: {done.stderr}"
    return done.stdout


@dataclass
class Site:
    """A published show being served."""

    url: str
    """Where ``polycast serve`` answers, ending in a slash."""
    folder: Path
    """The publish folder it serves."""
    episodes: dict[str, dict[str, Any]]
    """Each episode's stem and its chapters JSON, as the build wrote it."""


@contextmanager
def serving(root: Path) -> Iterator[str]:
    """Run ``polycast serve --port 0`` in ``root``; yield its URL; stop it with Ctrl-C.

    It must stop cleanly, having logged one access line per request and no traceback.
    """
    process = cli_process.popen(
        ["serve", "--port", "0"],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = re.search(r"at (http://127\.0\.0\.1:\d+/)", line)
        assert match, line + (process.stderr.read() if process.stderr else "")
        yield match[1]
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=HANG_S)
    finally:
        process.kill()
        process.wait()
    assert process.returncode == 0 and out == "stopped\n", err
    assert "Traceback" not in err, err
    assert all(re.fullmatch(r"127\.0\.0\.1 \S+ \S+ \d{3} \d+", x) for x in err.splitlines()), err


@dataclass
class Watched:
    """A browser page, and everything that went wrong on it."""

    page: Page
    problems: list[str] = field(default_factory=list)
    """Console errors, uncaught exceptions, failed requests and refused outside requests."""

    def assert_clean(self) -> None:
        """Fail if anything went wrong on the page so far."""
        assert self.problems == []
