"""Building from a web page's address and from a saved page, end to end, on a local site."""

from __future__ import annotations

import gzip
import json
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from id3_reader import read_tag
from polycast.cli import app
from web_server import Route, WebSite, page, refused_port

runner = CliRunner()
STORY = page(
    "A day at the sea",
    "<figure><img src='/img/lead.jpg' alt='The beach'><figcaption>The beach</figcaption></figure>"
    "<p>The waves were high and the wind was cold that morning.</p>"
    "<p>We walked along the beach for an hour, and nobody said a word.</p>",
)


@pytest.fixture(autouse=True)
def no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reach 127.0.0.1 directly, whatever proxies the machine's environment names."""
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.slow
def test_a_page_builds_an_mp3_named_after_its_slug_with_its_lead_image(
    tmp_path: Path, ffprobe: str
) -> None:
    routes = {"/news/2026/a-day-at-the-sea/": Route(STORY, headers={"ETag": '"one"'})}
    with WebSite(routes) as site:
        url = site.url("/news/2026/a-day-at-the-sea/")
        first = runner.invoke(app, ["build", url, "--engine", "espeak", "-o", str(tmp_path)])
        again = runner.invoke(app, ["build", url, "--engine", "espeak", "-o", str(tmp_path)])
    assert first.exit_code == 0, first.output
    assert again.exit_code == 0, again.output
    mp3 = tmp_path / "a-day-at-the-sea.mp3"
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".mp3") == [mp3.name]
    probe = subprocess.run(
        [ffprobe, "-v", "error", "-show_format", "-of", "json", str(mp3)],
        capture_output=True,
        text=True,
        check=True,
    )
    found = json.loads(probe.stdout)["format"]
    assert found["format_name"] == "mp3" and float(found["duration"]) > 2
    pictures = read_tag(mp3.read_bytes()).all("APIC")
    assert len(pictures) == 1 and site.url("/img/lead.jpg").encode() in pictures[0].body
    assert site.statuses("/news/2026/a-day-at-the-sea/") == [200, 304]  # fetched once per build


def test_a_rundown_planned_from_a_page_keeps_the_pages_name(tmp_path: Path) -> None:
    with WebSite({"/p/48213": Route(STORY)}) as site:
        result = runner.invoke(app, ["plan", site.url("/p/48213"), "-o", str(tmp_path / "r.toml")])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "r.toml").read_text(encoding="utf-8")
    assert 'name = "a-day-at-the-sea"' in text  # no slug in /p/48213: the title names it
    assert 'title = "A day at the sea"' in text


@pytest.mark.parametrize("name", ["saved.html", "saved.htm", "saved.html.gz"])
def test_a_saved_page_reads_as_its_page(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(gzip.compress(STORY) if name.endswith(".gz") else STORY)
    result = runner.invoke(app, ["segments", str(path), "--json"])
    assert result.exit_code == 0, result.output
    said = [item["text"] for item in json.loads(result.stdout)["segments"]]
    assert "We walked along the beach for an hour, and nobody said a word." in said
    assert "Home" not in said and "Copyright" not in said


@pytest.mark.slow
def test_a_site_gone_offline_builds_from_the_kept_copy_and_says_so(tmp_path: Path) -> None:
    with WebSite({"/news/a-day-at-the-sea/": Route(STORY, headers={"ETag": '"one"'})}) as site:
        url = site.url("/news/a-day-at-the-sea/")
        first = runner.invoke(app, ["build", url, "--engine", "espeak", "-o", str(tmp_path)])
    assert first.exit_code == 0, first.output
    assert "unreachable" not in first.stderr
    mp3 = tmp_path / "a-day-at-the-sea.mp3"
    mp3.unlink()
    with refused_port(site.port):
        again = runner.invoke(app, ["build", url, "--engine", "espeak", "-o", str(tmp_path)])
        gone = runner.invoke(app, ["build", site.url("/never-fetched"), "-o", str(tmp_path)])
    assert again.exit_code == 0, again.output
    told = [line for line in again.stderr.splitlines() if "unreachable" in line]
    assert len(told) == 1, again.stderr
    assert told[0].startswith(f"polycast: {url}: unreachable (connection refused); building from")
    assert mp3.is_file()
    assert gone.exit_code == 1 and "refused" in gone.stderr  # no kept copy: it fails as before
    assert site.statuses("/news/a-day-at-the-sea/") == [200]


def test_segments_of_a_site_gone_offline_read_the_kept_copy_and_say_so() -> None:
    with WebSite({"/p/a-day": Route(STORY, headers={"ETag": '"one"'})}) as site:
        first = runner.invoke(app, ["segments", site.url("/p/a-day"), "--json"])
    with refused_port(site.port):
        again = runner.invoke(app, ["segments", site.url("/p/a-day"), "--json"])
    assert first.exit_code == 0 and again.exit_code == 0, again.output
    assert json.loads(again.stdout) == json.loads(first.stdout)
    assert again.stderr.count("unreachable (connection refused)") == 1, again.stderr
