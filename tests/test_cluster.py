"""polycast batch on a real Dask cluster: a scheduler and two workers started here as processes.

The cluster is started once for the module (each process start costs seconds): ``dask
scheduler`` and two single-threaded ``dask worker`` processes without a nanny, so killing a
worker's process kills the worker, and Dask must run its task elsewhere.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

import polycast as polycast_package
from batch_helpers import articles, feed_guids, polycast, show
from polycast.batch.cluster import build_remote
from polycast.batch.sources import file_job
from polycast.config import Config

if TYPE_CHECKING:  # distributed is imported where a cluster starts: half a second to collect
    from distributed import Client

HANG_S = 120.0
"""A guard against a hang, not a speed check."""


class LocalCluster:
    """The scheduler's address, a client for the test to ask it, and every process started.

    A test that starts another worker adds it to ``processes``, so the fixture stops it too.
    """

    def __init__(self, address: str, client: Client, processes: list[subprocess.Popen[bytes]]):
        self.address = address
        self.client = client
        self.processes = processes


def _dask(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    dask = Path(sys.executable).with_name("dask")
    return subprocess.Popen(
        [str(dask), *args, "--no-dashboard"],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCluster]:
    """A Dask scheduler and two single-threaded workers on 127.0.0.1, shared by the module."""
    folder = tmp_path_factory.mktemp("cluster")
    env = {**os.environ, "POLYCAST_CACHE": str(folder / "worker-cache")}
    file = folder / "scheduler.json"
    scheduler = _dask(
        "scheduler",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--scheduler-file",
        str(file),
        cwd=folder,
        env=env,
    )
    processes = [scheduler]
    try:
        from distributed import Client  # while the scheduler starts

        client = Client(scheduler_file=str(file), timeout=HANG_S)
        address = str(client.scheduler.address)
        for name in ("w1", "w2"):
            processes.append(
                _dask(
                    "worker",
                    address,
                    "--nthreads",
                    "1",
                    "--no-nanny",
                    "--name",
                    name,
                    cwd=folder,
                    env=env,
                )
            )
        client.wait_for_workers(2, timeout=HANG_S)
        yield LocalCluster(address, client, processes)
        client.close()
    finally:
        for process in reversed(processes):  # the workers the tests added are in this list too
            process.kill()
            process.wait(HANG_S)


def test_a_worker_of_another_version_builds_nothing(tmp_path: Path) -> None:
    [article] = articles(tmp_path, 1)
    outcome = build_remote(file_job(article), Config(), "0.0.0")
    assert outcome.error is not None
    assert "0.0.0" in outcome.error
    assert not list(tmp_path.glob("*.mp3"))


def test_the_cluster_builds_the_very_bytes_build_does(
    tmp_path: Path, cluster: LocalCluster
) -> None:
    [article] = articles(tmp_path, 1)
    one = polycast("build", article.name, "-o", "single", "--engine", "espeak", cwd=tmp_path)
    assert one.returncode == 0, one.stderr
    remote = polycast(
        "batch",
        article.name,
        "-o",
        "remote",
        "--engine",
        "espeak",
        "--cluster",
        cluster.address,
        cwd=tmp_path,
    )
    assert remote.returncode == 0, remote.stderr
    for suffix in (".mp3", ".vtt", ".chapters.json"):
        name = f"a000{suffix}"
        assert (tmp_path / "remote" / name).read_bytes() == (
            tmp_path / "single" / name
        ).read_bytes()


def _kill_a_busy_worker(cluster: LocalCluster, stop: threading.Event) -> str:
    """Wait until a worker is building a task, then SIGKILL its process; return its address."""
    pids: dict[str, int] = cluster.client.run(os.getpid)
    while not stop.is_set():
        busy = [w for w, keys in cluster.client.processing().items() if keys]
        if busy:
            os.kill(pids[busy[0]], signal.SIGKILL)
            return busy[0]
        stop.wait(0.02)  # between two questions to the scheduler, not a guess at a time
    raise AssertionError("no worker ever took a task")


def test_a_worker_killed_mid_batch_and_the_batch_still_completes(
    tmp_path: Path, cluster: LocalCluster
) -> None:
    show(tmp_path)
    articles(tmp_path / "in", 6)
    healthy = polycast("batch", "in", "-o", "first", "--cluster", cluster.address, cwd=tmp_path)
    assert healthy.returncode == 0, healthy.stderr

    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "polycast",
            "batch",
            "in",
            "--publish",
            "--json",
            "--cluster",
            cluster.address,
            "--config",
            "podcast.toml",
        ],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    stop = threading.Event()
    try:
        killed = _kill_a_busy_worker(cluster, stop)
        out, err = process.communicate(timeout=HANG_S)
    finally:
        stop.set()
        process.kill()
    assert process.returncode == 0, err
    summary = json.loads(out)
    assert (summary["built"], summary["published"], summary["failed"]) == (6, 6, [])
    assert killed not in cluster.client.scheduler_info()["workers"]
    assert len(feed_guids(tmp_path / "public" / "feed.xml")) == 6
    for episode in sorted((tmp_path / "first").glob("*.mp3")):
        assert (tmp_path / "output" / episode.name).read_bytes() == episode.read_bytes()


def test_an_article_that_cannot_be_built_fails_alone_and_the_command_exits_1(
    tmp_path: Path, cluster: LocalCluster
) -> None:
    """The command's end on a cluster (its summary, its exit code) with one failure among builds."""
    articles(tmp_path / "in", 2)
    (tmp_path / "in" / "blank.txt").write_text("   \n\n  \n", encoding="utf-8")
    result = polycast("batch", "in", "--json", "--cluster", cluster.address, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    summary = json.loads(result.stdout)
    assert summary["built"] == 2
    assert [failure["source"] for failure in summary["failed"]] == ["in/blank.txt"]
    assert "only whitespace" in summary["failed"][0]["error"]
    assert sorted(p.name for p in (tmp_path / "output").glob("*.mp3")) == ["a000.mp3", "a001.mp3"]
    assert "Traceback" not in result.stderr


def test_connecting_refuses_a_worker_with_another_polycast(
    tmp_path: Path, cluster: LocalCluster
) -> None:
    """Last in the module: the worker it adds would refuse every task of the tests above."""
    real = Path(polycast_package.__file__).parent
    fake = tmp_path / "fake" / "polycast"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text(f'__version__ = "0.0.0"\n__path__.append({str(real)!r})\n')
    env = {**os.environ, "PYTHONPATH": str(fake.parent)}
    worker = _dask("worker", cluster.address, "--nthreads", "1", "--no-nanny", "--name", "old",
                   cwd=tmp_path, env=env)  # fmt: skip
    cluster.processes.append(worker)
    workers = len(cluster.client.scheduler_info()["workers"])
    cluster.client.wait_for_workers(workers + 1, timeout=HANG_S)
    articles(tmp_path, 1)
    result = polycast("batch", "a000.txt", "--cluster", cluster.address, cwd=tmp_path)
    assert result.returncode == 1
    assert "has polycast 0.0.0" in result.stderr
    assert not (tmp_path / "output").exists()
