"""Hostile cases for what polycast writes: episodes, companions, the feed, the show config.

Each case either fails cleanly (see ``Hostile.fails``) or, where the hostile part is a
neighbour (another build, a killed one, a symlink), checks that every byte written is right.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from harness import SHORT, Hostile, partial_files, snapshot
from mutagen.id3 import ID3

import cli_process
from publish_fixtures import make_episode

SHOW = (
    "[show]\n"
    'title = "Polyglot"\ndescription = "d"\nauthor = "a"\nowner_name = "o"\n'
    'owner_email = "o@example.com"\nlanguage = "nl"\ncategory = "News"\n'
    'image_url = "https://example.com/c.jpg"\nbase_url = "https://example.com/p"\n'
    'publish_dir = "site"\n'
)


def episode_case(hostile: Hostile) -> Path:
    """A built-looking episode with its three companions and a show config, in the case folder."""
    hostile.write("podcast.toml", SHOW)
    return make_episode(hostile.root)


def polycast(hostile: Hostile, *args: str) -> subprocess.Popen[str]:
    """Start ``polycast ARGS`` in the case folder without waiting, stderr piped."""
    return cli_process.popen(
        args,
        cwd=hostile.root,
        env=hostile.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


# Publishing


def test_publish_into_proc_says_the_folder_cannot_be_written(hostile: Hostile) -> None:
    episode_case(hostile)
    # The lock used to wait its full minute here; the timeout fails the case long before that.
    line = hostile.fails(
        "publish", "aflevering.mp3", "--feed", "/proc/feed.xml", words=("/proc", "cannot write")
    )
    assert "another publish" not in line


@pytest.mark.parametrize(
    ("suffix", "content", "word"),
    [
        (".chapters.json", '{"version": "1.2.0", "chapters": [', "JSON chapters"),
        (".chapters.json", '{"version": "1.2.0", "chapters": [{"title": "x"}]}', "startTime"),
        (".vtt", "1\n00:00.000 --> 00:01.000\nHallo\n", "WEBVTT"),
        (".srt", "1\nHallo zonder tijden\n\n", "timing line"),
        (".srt", b"1\n00:00:00,000 --> 00:00:01,000\n\xff\xfe\n\n", "UTF-8"),
        (".timeline.svg", '<svg xmlns="http://www.w3.org/2000/svg"><rect></svg>', "not XML"),
        (".timeline.svg", '<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg>&a;</svg>', "timeline picture"),
        (".timeline.svg", "<html><body>not a picture</body></html>", "not <svg>"),
    ],
)
def test_publish_with_a_broken_companion_publishes_nothing(
    hostile: Hostile, suffix: str, content: str | bytes, word: str
) -> None:
    episode_case(hostile)
    hostile.write(f"aflevering{suffix}", content)
    hostile.fails("publish", "aflevering.mp3", words=(f"aflevering{suffix}", word))
    assert not (hostile.root / "site").exists()  # nothing copied, no feed


def test_publish_onto_a_feed_that_is_a_fifo_reads_nothing(hostile: Hostile) -> None:
    episode_case(hostile)
    (hostile.root / "site").mkdir()
    os.mkfifo(hostile.root / "site" / "feed.xml")  # nobody writes it: a plain read would hang
    hostile.fails(
        "publish", "aflevering.mp3", words=("feed.xml", "FIFO"), allow_new=("site/.feed",)
    )


def test_a_show_config_that_is_a_fifo_is_refused(hostile: Hostile) -> None:
    episode_case(hostile)
    (hostile.root / "podcast.toml").unlink()
    os.mkfifo(hostile.root / "podcast.toml")
    hostile.fails("publish", "aflevering.mp3", words=("podcast.toml", "FIFO"))


def test_publish_onto_a_broken_feed_leaves_it_as_it_was(hostile: Hostile) -> None:
    episode_case(hostile)
    hostile.write("site/feed.xml", "<rss><channel><item>")
    hostile.fails(
        "publish", "aflevering.mp3", words=("feed.xml", "left as it was"), allow_new=("site/.feed",)
    )
    assert sorted(p.name for p in (hostile.root / "site").iterdir()) == [
        ".feed.xml.lock",
        "feed.xml",
    ]


def test_publish_of_a_missing_episode(hostile: Hostile) -> None:
    episode_case(hostile)
    hostile.fails("publish", "weg.mp3", words=("weg.mp3", "no such file"))


def test_publish_where_the_feeds_folder_is_a_file(hostile: Hostile) -> None:
    episode_case(hostile)
    hostile.write("blocker", "a file, not a folder")
    hostile.fails("publish", "aflevering.mp3", "--feed", "blocker/feed.xml", words=("blocker",))


def test_a_symlinked_feed_is_updated_through_the_link(hostile: Hostile) -> None:
    episode_case(hostile)
    first = hostile.run("publish", "aflevering.mp3", "--feed", "real/feed.xml")
    assert first.returncode == 0, first.stderr
    target = hostile.root / "real" / "feed.xml"
    link = hostile.root / "feed-link.xml"
    link.symlink_to(Path("real") / "feed.xml")
    make_episode(hostile.root, "tweede", title="Tweede aflevering")
    second = hostile.run("publish", "tweede.mp3", "--feed", "feed-link.xml")
    assert second.returncode == 0, second.stderr
    assert link.is_symlink() and link.resolve() == target.resolve()
    text = target.read_text(encoding="utf-8")
    assert "Tweede aflevering" in text and "Loekasjenko en Poetin" in text
    assert partial_files(hostile.root) == []


# The show config


def test_init_over_an_existing_podcast_toml_refuses(hostile: Hostile) -> None:
    hostile.write("podcast.toml", "# my own show, carefully edited\n")
    hostile.fails("init", words=("podcast.toml", "already exists"))


def _obey_permissions() -> None:  # pragma: no cover -- runs in the child, before its exec
    """Drop CAP_DAC_OVERRIDE from the bounding set: root's exec'd child then obeys folder modes."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


PR_CAPBSET_DROP = 24
CAP_DAC_OVERRIDE = 1


def test_init_into_an_unwritable_folder(hostile: Hostile) -> None:
    hostile.write("article.txt", "kept as it is\n")
    hostile.root.chmod(0o555)
    drop = _obey_permissions if os.geteuid() == 0 else None  # root would write anyway
    try:
        hostile.fails("init", words=("podcast.toml",), preexec_fn=drop)
    finally:
        hostile.root.chmod(0o755)


# Building


def test_build_with_output_under_a_file(hostile: Hostile) -> None:
    hostile.short()
    hostile.write("blocker", "a file, not a folder")
    hostile.fails("build", "short-nl.txt", "-o", "blocker/out", words=("blocker",))


def test_build_into_proc(hostile: Hostile) -> None:
    hostile.short()
    hostile.fails("build", "short-nl.txt", "-o", "/proc/polycast-out", words=("/proc",))


def long_article(hostile: Hostile) -> Path:
    """An article that takes several seconds to speak: the short one, four times over."""
    text = SHORT.read_text(encoding="utf-8")
    return hostile.write("long.txt", "\n\n".join([text] * 4))


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_stop_signal_mid_build_is_a_clean_interrupt(hostile: Hostile, signum: int) -> None:
    long_article(hostile)
    hostile.write("out/long.mp3", b"the previous episode")
    hostile.write("out/long.vtt", "WEBVTT\n\nthe previous transcript\n")
    before = snapshot(hostile.root)
    process = polycast(hostile, "build", "long.txt", "-o", "out")
    assert process.stderr is not None
    seen = ""
    while "speaking" not in seen:  # the progress bar opens once speech is being made
        chunk = process.stderr.readline()
        assert chunk, f"exited before speaking: {seen}"
        seen += chunk
    process.send_signal(signum)
    _, rest = process.communicate(timeout=120)
    err = seen + rest
    assert process.returncode == 128 + signum, err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip() and line.strip() != "speaking"]
    assert lines == ["polycast: interrupted; nothing was written"], err
    assert partial_files(hostile.root) == []
    assert snapshot(hostile.root) == before


def test_a_killed_builds_leftovers_are_removed_by_the_next_build(hostile: Hostile) -> None:
    hostile.short()
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    assert gone.wait() == 0  # its pid now names no process: what a killed build leaves
    stale = [
        hostile.write(f"out/.short-nl.mp3.{gone.pid}.k1ll3d.part", b""),
        hostile.write(f"out/.short-nl.vtt.{gone.pid}.k1ll3d.part", b""),
    ]
    live = hostile.write(f"out/.short-nl.srt.{os.getpid()}.alive.part", b"")
    unrelated = hostile.write(f"out/.other.mp3.{gone.pid}.k1ll3d.part", b"")
    result = hostile.run("build", "short-nl.txt", "-o", "out")
    assert result.returncode == 0, result.stderr
    assert [p.exists() for p in stale] == [False, False]
    assert live.exists() and unrelated.exists()  # a live writer's, and not this build's outputs
    assert (hostile.root / "out" / "short-nl.mp3").stat().st_size > 0


ARTICLES = {
    "a": ("Appels", "Dit artikel gaat over appels uit de boomgaard."),
    "b": ("Peren", "Dit verhaal gaat over peren en bananen op de markt."),
}


def test_concurrent_builds_into_one_output_never_mix_their_files(hostile: Hostile) -> None:
    for folder, (title, body) in ARTICLES.items():
        hostile.write(f"{folder}/x.txt", f"{title}\n\n{body}\n")
    for _ in range(3):
        builds = [polycast(hostile, "build", f"{f}/x.txt", "-o", "out") for f in ARTICLES]
        for build in builds:
            _, err = build.communicate(timeout=300)
            assert build.returncode == 0, err
        out = hostile.root / "out"
        title = str(ID3(out / "x.mp3")["TIT2"])
        word = {"Appels": "appels", "Peren": "peren"}[title]
        chapters = json.loads((out / "x.chapters.json").read_text(encoding="utf-8"))
        assert title in json.dumps(chapters, ensure_ascii=False)
        for companion in ("x.vtt", "x.srt"):
            assert word in (out / companion).read_text(encoding="utf-8"), companion
        assert partial_files(hostile.root) == []


# The cache


@pytest.mark.parametrize("where", ["a-file", "/proc/polycast-cache"])
def test_an_unusable_cache_is_one_notice_and_a_build_without_it(
    hostile: Hostile, where: str
) -> None:
    hostile.short()
    cache = hostile.write("a-file", "not a folder") if where == "a-file" else Path(where)
    hostile.env["POLYCAST_CACHE"] = str(cache)
    result = hostile.run("build", "short-nl.txt", "-o", "out")
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip() not in {"", "speaking"}]
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert lines[0].startswith("polycast: cache folder") and str(cache) in lines[0]
    assert "building without the cache" in lines[0]
    assert f"cache     none: {cache}" in result.stdout
    assert (hostile.root / "out" / "short-nl.mp3").stat().st_size > 0
    if where == "a-file":
        assert cache.read_text(encoding="utf-8") == "not a folder"
