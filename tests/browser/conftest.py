"""The browser tests' harness: a published show served by ``polycast serve``, and real Chromium.

Chromium is the operating system's (Debian's ``chromium`` package, found by path), driven by
Playwright for Python; Playwright's own browser download is never used. A machine without
Chromium fails these tests, saying how to install it (``browsing.find_chromium``).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from browsing import (
    DATA,
    PAGE_WAIT_S,
    SHOW,
    Site,
    Watched,
    find_chromium,
    png,
    polycast,
    serving,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Request, Response, Route


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """Build two episodes, publish them, and serve the folder on 127.0.0.1 at a free port."""
    root = tmp_path_factory.mktemp("show")
    (root / "podcast.toml").write_text(SHOW, encoding="utf-8")
    shutil.copy(DATA / "browser" / "kabinet.md", root)  # four chapters, the second a post's
    shutil.copy(DATA / "cli" / "short-nl.txt", root)
    (root / "public").mkdir()
    (root / "public" / "cover.png").write_bytes(png())
    episodes = {}
    for article in ("kabinet.md", "short-nl.txt"):  # the undated one is dated now: newest
        polycast("build", article, "-o", "output", cwd=root)
        stem = Path(article).stem
        polycast("publish", f"output/{stem}.mp3", cwd=root)
        chapters = (root / "output" / f"{stem}.chapters.json").read_text(encoding="utf-8")
        episodes[stem] = json.loads(chapters)
    with serving(root) as url:
        yield Site(url, root / "public", episodes)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless Chromium from the system, allowed to play audio without a click."""
    executable = find_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable,
            headless=True,
            args=["--autoplay-policy=no-user-gesture-required"],
        )
        yield launched
        launched.close()


@pytest.fixture
def watched(browser: Browser, site: Site) -> Iterator[Watched]:
    """A fresh page that records every console error and failed request, and has no network.

    A failed request is one the browser gave up on, or one answered with an error status.
    """
    context = browser.new_context(base_url=site.url, viewport={"width": 1024, "height": 800})
    page = context.new_page()
    page.set_default_timeout(PAGE_WAIT_S * 1000)
    watched = Watched(page)

    def local_only(route: Route) -> None:
        if route.request.url.startswith(site.url):
            route.continue_()
        else:
            watched.problems.append(f"outside request: {route.request.url}")
            route.abort()

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            watched.problems.append(f"console: {message.text} at {message.location}")

    def failed(request: Request) -> None:
        # A media element cancels its own download once it has what it wants (the metadata, for
        # preload="metadata"; a seek starts another range): Chromium reports that as aborted.
        if request.resource_type != "media" or request.failure != "net::ERR_ABORTED":
            watched.problems.append(f"request failed: {request.url} ({request.failure})")

    def answered(response: Response) -> None:
        if response.status >= 400:
            watched.problems.append(f"{response.status} for {response.url}")

    context.route("**/*", local_only)
    page.on("console", console)
    page.on("pageerror", lambda error: watched.problems.append(f"page error: {error}"))
    page.on("requestfailed", failed)
    page.on("response", answered)
    yield watched
    context.close()
