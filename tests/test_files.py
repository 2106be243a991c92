"""The output set's lock: renames wait while another process holds the folder."""

from __future__ import annotations

import fcntl
import os
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from polycast.batch.overwrite import refuse_overwrites
from polycast.batch.run import Batch, Publisher, write_files
from polycast.batch.sources import Job
from polycast.config import Config
from polycast.errors import OutputError
from polycast.files import lock_path, staged
from polycast.publish import publish_episode
from publish_fixtures import make_episode, show


def waiting_on(folder: Path) -> bool:
    """Say whether this process waits for a flock on ``folder`` (a ``->`` line in /proc/locks)."""
    inode = f":{folder.stat().st_ino} "
    lines = Path("/proc/locks").read_text(encoding="ascii").splitlines()
    return any("->" in line and f" {os.getpid()} " in line and inode in line for line in lines)


def test_renames_wait_for_the_writer_holding_the_folder(tmp_path: Path) -> None:
    targets = [tmp_path / "x.mp3", tmp_path / "x.vtt"]
    finished = threading.Event()

    def write() -> None:
        with staged(targets, lock=tmp_path) as temps:
            for temp in temps.values():
                temp.write_text("B", encoding="utf-8")
        finished.set()

    holder = os.open(tmp_path, os.O_RDONLY)  # another build, renaming its own set
    fcntl.flock(holder, fcntl.LOCK_EX)
    writer = threading.Thread(target=write)
    try:
        writer.start()
        while not finished.is_set() and not waiting_on(tmp_path):
            finished.wait(0.01)  # until the writer either finishes or queues for the lock
        assert not finished.is_set(), "renamed while another writer held the folder"
        assert [t.exists() for t in targets] == [False, False]
    finally:
        os.close(holder)
        writer.join()
    assert [t.read_text(encoding="utf-8") for t in targets] == ["B", "B"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.mp3", "x.vtt"]


def test_the_lock_a_publish_takes_is_the_one_a_batch_keeps_its_articles_off(
    tmp_path: Path,
) -> None:
    shown = show(tmp_path)
    publish_episode(make_episode(tmp_path), shown, now=datetime(2026, 1, 1, tzinfo=UTC))
    feed = shown.publish_dir / "feed.xml"
    hidden = [p for p in shown.publish_dir.iterdir() if p.name.startswith(".")]
    assert hidden == [lock_path(feed)]
    article = Job(key="lock", name="lock", origin="lock", path=lock_path(feed))
    batch = Batch(Config(), tmp_path / "out", Publisher(shown))
    with pytest.raises(OutputError, match=r"this output is the input .*\.feed\.xml\.lock"):
        refuse_overwrites(batch, [article], [])


def test_a_workers_episode_is_synced_before_it_replaces_the_last_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a Dask worker sent is on the disk, not only in the page cache, once it is in place."""
    synced: list[str] = []
    real = os.fsync

    def noting(fd: int) -> None:
        synced.append(str(Path(f"/proc/self/fd/{fd}").readlink()))
        real(fd)

    (tmp_path / "a.mp3").write_bytes(b"old episode")
    monkeypatch.setattr(os, "fsync", noting)
    write_files(tmp_path, (("a.mp3", b"new episode"), ("a.vtt", b"WEBVTT\n")))
    assert (tmp_path / "a.mp3").read_bytes() == b"new episode"
    assert len(synced) == 2 and all(".part" in name for name in synced)


@pytest.mark.parametrize("at", [1, 2])
def test_ctrl_c_as_a_temporary_file_is_made_leaves_none_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, at: int
) -> None:
    """Ctrl-C may land the moment the file exists: it is known by then, and removed."""
    targets = [tmp_path / "a.mp3", tmp_path / "a.vtt"]
    made = 0
    close = os.close

    def interrupted(fd: int) -> None:  # the temporary file exists; its descriptor closes next
        nonlocal made
        made += 1
        close(fd)
        if made == at:
            raise KeyboardInterrupt

    monkeypatch.setattr("polycast.files.os.close", interrupted)
    with pytest.raises(KeyboardInterrupt), staged(targets):
        pass
    assert made == at
    assert list(tmp_path.iterdir()) == []
