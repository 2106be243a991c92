"""The output set's lock: renames wait while another process holds the folder."""

from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path

from polycast.files import staged


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
