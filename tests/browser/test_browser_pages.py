"""The show and episode pages in real headless Chromium, served by ``polycast serve``.

Each test opens pages as a listener would and fails on any console error, uncaught exception or
failed request (``conftest.Watched``). The page contract: the show page lists the episodes
newest first; an episode page's chapter buttons and cues seek the player; while it plays, the
current chapter and cue carry ``aria-current="true"``; a post's chapter links to the post.
"""

from __future__ import annotations

import http.client
import urllib.request
import xml.etree.ElementTree as ET
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

import pytest
from browsing import HANG_S, Site, Watched

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

TOLERANCE_S = 0.1


def shot(page: Page, folder: Path, name: str) -> None:
    """Save a screenshot of the whole page under the test's folder, and check it is a PNG."""
    path = folder / f"{name}.png"
    page.screenshot(path=path, full_page=True)
    assert path.read_bytes().startswith(b"\x89PNG")


STYLED = """() => {
    const links = [...document.querySelectorAll('link[rel="stylesheet"]')];
    const taken = link => {
        try { return link.sheet !== null && link.sheet.cssRules.length > 0; }
        catch { return false; }  // a refused sheet's rules cannot even be read
    };
    return links.length > 0 && links.every(taken);
}"""
"""Whether every stylesheet the page links to was taken (one of the wrong type is ignored)."""


def visit(page: Page, path: str) -> None:
    """Open ``path`` on the served show; fail at once if it is not there, or not styled."""
    response = page.goto(path)  # returns once the page has loaded, stylesheets and all
    assert response is not None and response.status == 200, (
        f"{path}: {response and response.status}"
    )
    assert page.evaluate(STYLED), f"{path}: a stylesheet was not applied"


def open_episode(watched: Watched, stem: str) -> Page:
    """Open an episode page, muted, once its player knows the episode's duration."""
    page = watched.page
    visit(page, f"{stem}.html")
    page.wait_for_function("player.readyState >= 1")  # HAVE_METADATA
    page.evaluate("player.muted = true")
    return page


SEEKED = """
    window.seekedTo = undefined;
    const note = () => { window.seekedTo = player.currentTime };
    player.addEventListener('seeked', note, {once: true});
"""
"""Note where the player's next seek lands, in ``window.seekedTo``."""


def seek_by_click(page: Page, target: Locator) -> float:
    """Click ``target`` and return where the player's seek took it (read at its seeked event)."""
    page.evaluate(SEEKED)
    target.click()
    page.wait_for_function("window.seekedTo !== undefined")
    return float(page.evaluate("window.seekedTo"))


def test_the_show_page_lists_the_episodes_newest_first(
    watched: Watched, site: Site, tmp_path: Path
) -> None:
    page = watched.page
    visit(page, "/")
    assert page.locator("main h1").inner_text().strip() == "Polycast Proefshow"
    assert page.locator("#subscribe").get_attribute("href") == "feed.xml"
    port = urlsplit(site.url).port
    app = page.locator("#open-in-app").get_attribute("href")
    assert app == f"podcast://127.0.0.1:{port}/feed.xml"  # the served address, not base_url
    links = page.locator("#episodes li a.episode")
    assert links.evaluate_all("links => links.map(a => a.getAttribute('href'))") == [
        "short-nl.html",
        "kabinet.html",
    ]
    times = page.locator("#episodes li time").evaluate_all(
        "times => times.map(t => t.getAttribute('datetime'))"
    )
    assert len(times) == 2 and times == sorted(times, reverse=True), times
    page.wait_for_load_state("networkidle")
    shot(page, tmp_path, "index")
    links.nth(1).click()
    page.wait_for_url("**/kabinet.html")
    assert page.locator("h1").inner_text().strip() == "Kabinet overlegt over de begroting"
    watched.assert_clean()


def test_clicking_the_third_chapter_seeks_the_player_there(
    watched: Watched, site: Site, tmp_path: Path
) -> None:
    page = open_episode(watched, "kabinet")
    chapters = site.episodes["kabinet"]["chapters"]
    buttons = page.locator("#chapters li button.seek")
    assert buttons.count() == len(chapters) >= 3
    third = buttons.nth(2)
    start = float(third.get_attribute("data-start") or "nan")
    assert start == pytest.approx(chapters[2]["startTime"], abs=0.001)
    assert third.inner_text().strip() == chapters[2]["title"]
    assert seek_by_click(page, third) == pytest.approx(start, abs=TOLERANCE_S)
    page.evaluate("player.pause()")
    shot(page, tmp_path, "kabinet")
    watched.assert_clean()


def test_clicking_a_cue_seeks_the_player_to_it(watched: Watched) -> None:
    page = open_episode(watched, "kabinet")
    cue = page.locator("#transcript p.cue").nth(4)
    start = float(cue.get_attribute("data-start") or "nan")
    assert cue.locator("span.speaker").inner_text().strip()
    assert seek_by_click(page, cue) == pytest.approx(start, abs=TOLERANCE_S)
    page.evaluate("player.pause()")
    watched.assert_clean()


def test_playing_marks_the_current_cue_and_chapter(watched: Watched, site: Site) -> None:
    page = open_episode(watched, "kabinet")
    third = site.episodes["kabinet"]["chapters"][2]
    spans = page.locator("#transcript p.cue").evaluate_all(
        "cues => cues.map(c => [+c.dataset.start, +c.dataset.end])"
    )
    start = next(a for a, b in spans if a >= third["startTime"] and b - a > 1.0)
    chapter = page.locator("#chapters li button.seek").nth(2).get_attribute("data-start")
    page.evaluate(f"player.currentTime = {start + 0.05}; player.play()")
    marked = f"""() => {{
        const cues = [...document.querySelectorAll('#transcript p.cue[aria-current="true"]')];
        const chapters = [...document.querySelectorAll('#chapters li[aria-current="true"]')];
        return !player.paused && player.currentTime > {start + 0.05}
            && cues.length === 1 && +cues[0].dataset.start === {start}
            && chapters.length === 1
            && chapters[0].querySelector('.seek').dataset.start === '{chapter}';
    }}"""
    page.wait_for_function(marked)  # checked at each frame as it plays: a timeupdate marks them
    page.evaluate("player.pause()")
    current = page.locator('#chapters li[aria-current="true"] .seek').inner_text()
    assert current.strip() == third["title"]
    assert page.locator('#transcript [aria-current="true"]').count() == 1
    watched.assert_clean()


def test_a_post_chapter_links_to_the_post(watched: Watched, site: Site) -> None:
    page = open_episode(watched, "kabinet")
    chapters = site.episodes["kabinet"]["chapters"]
    posts = [c for c in chapters if c.get("url")]
    assert posts, chapters
    items = page.locator("#chapters li")
    for n, chapter in enumerate(chapters):
        link = items.nth(n).locator("a.post")
        if chapter.get("url"):
            assert link.get_attribute("href") == chapter["url"]
        else:
            assert link.count() == 0
    watched.assert_clean()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", ["/", "kabinet.html", "short-nl.html"])
def test_the_pages_pass_an_accessibility_check(
    watched: Watched, path: str, scheme: Literal["light", "dark"], tmp_path: Path
) -> None:
    """axe-core (the copy bundled in axe-playwright-python) finds nothing serious or critical.

    In the reader's light and dark preference both, as the colours (and their contrast) differ.
    """
    page = watched.page
    page.emulate_media(color_scheme=scheme)
    visit(page, path)
    page.wait_for_load_state("networkidle")
    script = resources.files("axe_playwright_python").joinpath("axe.min.js").read_text("utf-8")
    page.evaluate(script)
    results: dict[str, Any] = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    grave = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert grave == []
    shot(page, tmp_path, f"{Path(path).stem or 'index'}-{scheme}")
    watched.assert_clean()


def test_the_keyboard_reaches_and_works_the_chapters_and_cues(watched: Watched) -> None:
    page = open_episode(watched, "kabinet")
    third = page.locator("#chapters li button.seek").nth(2)
    for _ in range(40):  # Tab through the page from its top until the third chapter has focus
        page.keyboard.press("Tab")
        if third.evaluate("button => button === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the third chapter's button")
    start = float(third.get_attribute("data-start") or "nan")
    assert seek_by_key(page, "Enter") == pytest.approx(start, abs=TOLERANCE_S)
    cue = page.locator("#transcript p.cue").nth(3)
    cue.focus()
    start = float(cue.get_attribute("data-start") or "nan")
    assert seek_by_key(page, " ") == pytest.approx(start, abs=TOLERANCE_S)
    page.evaluate("player.pause()")
    watched.assert_clean()


def seek_by_key(page: Page, key: str) -> float:
    """Press ``key`` on what has focus and return where the player's seek took it."""
    page.evaluate(SEEKED)
    page.keyboard.press(key)
    page.wait_for_function("window.seekedTo !== undefined")
    return float(page.evaluate("window.seekedTo"))


def test_the_served_feed_points_at_the_served_address(site: Site) -> None:
    for host in ("127.0.0.1", "localhost"):  # the address the client used, whichever it was
        base = site.url.replace("127.0.0.1", host)
        with urllib.request.urlopen(f"{base}feed.xml", timeout=HANG_S) as answer:
            feed = ET.fromstring(answer.read())
        enclosures = [e.get("url") or "" for e in feed.iter("enclosure")]
        assert len(enclosures) == 2
        for url in enclosures:
            assert url.startswith(base), url
            parts = urlsplit(url)
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=HANG_S)
            try:
                connection.request("GET", parts.path, headers={"Range": "bytes=100-199"})
                response = connection.getresponse()
                body = response.read()
            finally:
                connection.close()
            on_disk = (site.folder / Path(parts.path).name).read_bytes()
            assert response.status == 206 and body == on_disk[100:200]
            assert response.getheader("Content-Range") == f"bytes 100-199/{len(on_disk)}"
