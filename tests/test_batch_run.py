"""polycast batch on local processes: each failure its own, a rerun does only what is new."""

from __future__ import annotations

import io
import json
import multiprocessing.forkserver
import signal
import subprocess
import threading
from collections import Counter
from collections.abc import Generator, Iterable
from pathlib import Path
from typing import IO

import psutil
import pytest

import cli_process
from batch_helpers import SENTENCES, articles, feed_guids, polycast, show
from polycast.batch.ledger import LEDGER_NAME, Entry, Ledger
from polycast.batch.pool import start_early
from polycast.batch.run import LOST, Batch, run_batch
from polycast.batch.sources import Job, expand, file_job, listed, longest_first, recorded_names
from polycast.batch.work import Outcome, failed
from polycast.config import Config
from polycast.errors import InputError
from web_server import HANG_S, Route, WebSite, page


def test_a_bad_article_is_its_own_failure_and_a_rerun_retries_only_it(tmp_path: Path) -> None:
    articles(tmp_path / "in", 2)
    bad = tmp_path / "in" / "late.txt"
    bad.write_bytes(b"\x00binary")
    (tmp_path / "in" / "notes.pdf").write_bytes(b"%PDF")  # not an article: not taken
    result = polycast("batch", "in", "-o", "out", "--jobs", "2", "--engine", "espeak", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert sum(line.startswith("built ") and "->" in line for line in lines) == 2
    [failed] = [line for line in lines if line.startswith("failed ") and "late.txt" in line]
    assert "binary" in failed
    out = tmp_path / "out"
    assert sorted(p.name for p in out.glob("*.mp3")) == ["a000.mp3", "a001.mp3"]
    assert not [p for p in out.iterdir() if p.name.endswith(".part")]

    bad.write_text("Bericht laat\n\nNu wel.\n", encoding="utf-8")
    again = polycast("batch", "in", "-o", "out", "--json", "--engine", "espeak", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    summary = json.loads(again.stdout)
    assert [e["episode"] for e in summary["episodes"]] == ["late.mp3"]
    assert summary["unchanged"] == 2


def test_a_batch_from_a_list_builds_the_very_bytes_build_does(tmp_path: Path) -> None:
    [article] = articles(tmp_path, 1)
    one = polycast("build", str(article), "-o", "single", "--engine", "espeak", cwd=tmp_path)
    assert one.returncode == 0, one.stderr
    listing = f"{article.name}\n"
    many = polycast("batch", "-", "-o", "many", "--engine", "espeak", cwd=tmp_path, stdin=listing)
    assert many.returncode == 0, many.stderr
    for suffix in (".mp3", ".vtt", ".srt", ".chapters.json"):
        name = f"a000{suffix}"
        assert (tmp_path / "many" / name).read_bytes() == (tmp_path / "single" / name).read_bytes()


def test_publish_then_rerun_publishes_nothing_and_an_edit_rebuilds_only_it(tmp_path: Path) -> None:
    show(tmp_path)
    paths = articles(tmp_path / "in", 3)
    first = polycast("batch", "in", "--publish", "--json", "--jobs", "1", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    summary = json.loads(first.stdout)
    assert (summary["built"], summary["published"], summary["failed"]) == (3, 3, [])
    feed = tmp_path / "public" / "feed.xml"
    guids = feed_guids(feed)
    assert len(guids) == 3
    before = feed.read_bytes()

    again = polycast("batch", "in", "--publish", "--json", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["unchanged"] == 3
    assert json.loads(again.stdout)["built"] == 0
    assert feed.read_bytes() == before  # not even rewritten

    paths[1].write_text("Bericht 1\n\nDe tekst is veranderd.\n", encoding="utf-8")
    edited = polycast("batch", "in", "--publish", "--json", cwd=tmp_path)
    summary = json.loads(edited.stdout)
    assert [e["source"] for e in summary["episodes"]] == [str(Path("in") / "a001.txt")]
    assert summary["unchanged"] == 2
    assert sorted(feed_guids(feed)) == sorted(guids)  # updated in place, not added


def test_ctrl_c_keeps_and_publishes_what_finished_and_leaves_no_part_file(tmp_path: Path) -> None:
    show(tmp_path)
    articles(tmp_path / "in", 8)
    with (tmp_path / "stderr").open("w+") as errors:
        process = cli_process.popen(
            ["batch", "in", "--publish", "--jobs", "2"],
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )
        try:
            lines = _Lines(process)
            lines.wait_for("published ")  # the first finished article: the batch is under way
            process.send_signal(signal.SIGINT)
            process.wait(HANG_S)
        finally:
            process.kill()
        errors.seek(0)
        err = errors.read()
    assert process.returncode == 130, err
    assert "stopped by SIGINT" in err
    assert "Traceback" not in err, err
    published = [x for x in lines.all() if x.startswith("published ") and "->" in x]
    assert 1 <= len(published) < 8
    feed = tmp_path / "public" / "feed.xml"
    assert len(feed_guids(feed)) == len(published)
    everything = list(tmp_path.rglob("*"))
    assert not [p for p in everything if p.name.endswith(".part")]
    ledger = (tmp_path / "output" / LEDGER_NAME).read_text().splitlines()
    assert len(ledger) == len(published)


def test_the_ledger_ignores_a_line_cut_short_and_the_last_line_wins(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path)
    ledger.record("a", Entry("d1", "a.mp3", published=False))
    ledger.record("a", Entry("d2", "a.mp3", published=True))
    with ledger.path.open("a") as stream:
        stream.write('{"key": "b", "digest": "d3", "epi')  # a crash mid-line
    (tmp_path / "a.mp3").write_bytes(b"x")
    again = Ledger(tmp_path)
    assert again.entries == {"a": Entry("d2", "a.mp3", published=True)}
    assert again.done("a", "d2", tmp_path, publish=True)
    assert not again.done("a", "d1", tmp_path, publish=False)  # another text
    assert not again.done("a", "", tmp_path, publish=False)  # a page not fetched yet
    (tmp_path / "a.mp3").unlink()
    assert not again.done("a", "d2", tmp_path, publish=True)  # the episode is gone


def test_a_list_refuses_a_blank_line_and_keeps_the_order() -> None:
    assert listed(io.StringIO("b.txt\na.txt\n")) == ["b.txt", "a.txt"]
    with pytest.raises(InputError, match="line 2 is blank"):
        listed(io.StringIO("a.txt\n \nb.txt\n"))
    with pytest.raises(InputError, match="empty"):
        listed(io.StringIO(""))


def test_side_by_side_the_longest_articles_start_first(tmp_path: Path) -> None:
    sizes = {"b.md": 10, "a.md": 300, "c.md": 10, "d.md": 90}
    for name, size in sizes.items():
        (tmp_path / name).write_text("x" * size, encoding="utf-8")
    page = Job(key="u", name="u", origin="u", url="https://example.org/u")
    jobs = [file_job(tmp_path / "gone.md"), *(file_job(tmp_path / n) for n in sizes), page]
    names = [job.name for job in longest_first(jobs)]
    assert names == ["u", "a", "d", "b", "c", "gone"]  # equal sizes keep their order


def test_the_fork_server_is_started_before_any_job() -> None:
    start_early()
    # Its pid, not its command line: the child may not have run its own program yet.
    server = multiprocessing.forkserver._forkserver._forkserver_pid  # type: ignore[attr-defined]
    assert server in {p.pid for p in psutil.Process().children()}


def _pages(count: int, held: dict[str, threading.Event]) -> dict[str, Route]:
    """Articles ``/a000``... as pages; a path in ``held`` answers once its event is set."""
    return {
        f"/a{n:03d}": Route(
            page(f"Bericht {n}", f"<p>{SENTENCES[n]}</p>"), hold=held.get(f"/a{n:03d}")
        )
        for n in range(count)
    }


def _asking(client: int, port: int) -> psutil.Process:
    """Return the process under ``client`` whose TCP connection is from ``port``: the asker."""
    tree = psutil.Process(client).children(recursive=True)
    [asker] = [p for p in tree if port in {c.laddr[1] for c in p.net_connections("tcp") if c.laddr}]
    return asker


def _built(lines: list[str]) -> Counter[str]:
    """Count the "built" lines per article."""
    return Counter(x.split()[1] for x in lines if x.startswith("built ") and "->" in x)


def test_a_pool_worker_killed_mid_build_has_its_article_built_again(tmp_path: Path) -> None:
    held = threading.Event()
    with WebSite(_pages(6, {"/a001": held})) as site:
        urls = [site.url(f"/a{n:03d}") for n in range(6)]
        process = cli_process.popen(
            ["batch", *urls, "--jobs", "2", "--engine", "espeak"],
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            [asked] = site.wait_for("/a001")  # a worker is building a001: it waits for its page
            worker = _asking(process.pid, asked.port)
            worker.send_signal(signal.SIGKILL)
            worker.wait(HANG_S)
            held.set()
            out, err = process.communicate(timeout=HANG_S)
        finally:
            held.set()
            process.kill()
        assert len(site.wait_for("/a001", 2)) == 2  # asked again, by a new worker
    assert process.returncode == 0, err
    assert "Traceback" not in err, err
    assert _built(out.splitlines()) == dict.fromkeys(urls, 1)  # each once, none lost
    output = tmp_path / "output"
    assert len(list(output.glob("*.mp3"))) == 6
    assert not [p for p in output.iterdir() if p.name.endswith(".part")]


# --- a page's episode name ----------------------------------------------------------------------

STORY = page("Een verhaal", "<p>Het kabinet overlegt vandaag in Den Haag.</p>")


def test_a_page_is_the_same_episode_whether_build_or_batch_builds_it(tmp_path: Path) -> None:
    with WebSite({"/news/a-story/": Route(STORY)}) as site:
        url = site.url("/news/a-story/")
        one = polycast("build", url, "-o", "single", "--engine", "espeak", cwd=tmp_path)
        assert one.returncode == 0, one.stderr
        many = polycast("batch", url, "-o", "many", "--engine", "espeak", cwd=tmp_path)
        assert many.returncode == 0, many.stderr
    built = sorted(p.name for p in (tmp_path / "single").glob("*.mp3"))
    assert built == ["a-story.mp3"]
    assert sorted(p.name for p in (tmp_path / "many").glob("*.mp3")) == built
    same = (tmp_path / "many" / "a-story.mp3").read_bytes()
    assert same == (tmp_path / "single" / "a-story.mp3").read_bytes()


def test_pages_of_one_name_in_one_batch_are_told_apart_and_a_file_keeps_its_name(
    tmp_path: Path,
) -> None:
    story = tmp_path / "a-story.txt"
    story.write_text("Een verhaal\n\nHet overleg gaat morgen verder.\n", encoding="utf-8")
    one, two = "https://a.example/news/a-story/", "https://b.example/a-story"
    jobs = expand([one, two, one, str(story)], io.StringIO())
    names = [job.name for job in jobs]
    assert names == ["a-story-88726d29", "a-story-0a970f33", "a-story"]
    assert [job.name for job in expand([two], io.StringIO())] == ["a-story"]


def test_a_page_keeps_the_name_an_earlier_batch_built_it_as(tmp_path: Path) -> None:
    """An episode's GUID comes from its name: a page built again must keep it, not add one."""
    out = tmp_path / "out"
    with WebSite({"/news/a-story/": Route(STORY)}) as site:
        url = site.url("/news/a-story/")
        out.mkdir()
        Ledger(out).record(url, Entry("an older build", "a-story-0123abcd.mp3", False))
        again = polycast("batch", url, "-o", "out", "--engine", "espeak", cwd=tmp_path)
        assert again.returncode == 0, again.stderr
    assert sorted(p.name for p in out.glob("*.mp3")) == ["a-story-0123abcd.mp3"]
    article = tmp_path / "a-story.txt"
    article.write_text("Een verhaal\n\nHet overleg gaat morgen verder.\n", encoding="utf-8")
    jobs = expand([url, str(article)], io.StringIO())
    file_key = str(article.resolve())
    kept = recorded_names(jobs, {url: "a-story-0123abcd.mp3", file_key: "other.mp3"})
    assert [job.name for job in kept] == ["a-story-0123abcd", "a-story"]  # a file: its own
    taken = recorded_names(jobs, {url: "a-story.mp3"})  # the file has that name now
    assert taken == jobs


class _Lines:
    """A process's stdout, read line by line as it comes, for a test to wait for a line."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        self._said = threading.Condition()
        self._reader = threading.Thread(target=self._read, args=(process.stdout,), daemon=True)
        self._reader.start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            with self._said:
                self.lines.append(line)
                self._said.notify_all()

    def wait_for(self, text: str) -> None:
        with self._said:
            assert self._said.wait_for(lambda: any(text in x for x in self.lines), HANG_S)

    def all(self) -> list[str]:
        self._reader.join(HANG_S)
        return self.lines


def _waiting(process: psutil.Process) -> None:
    """Wait until ``process`` sleeps in a system call: a worker with nothing to do, waiting."""
    while process.status() != psutil.STATUS_SLEEPING:
        threading.Event().wait(0.01)  # between two looks at its state, not a guess at a time


def test_a_pool_worker_killed_while_idle_leaves_no_batch_waiting_for_ever(tmp_path: Path) -> None:
    """The idle worker dies holding the lock of the pool's queue that the other one needs next.

    The pool then ends the other worker (SIGTERM); it must end, not go on to wait on that lock.
    """
    held = threading.Event()
    with WebSite(_pages(2, {"/a000": held})) as site:
        urls = [site.url(f"/a{n:03d}") for n in range(2)]
        with (tmp_path / "stderr").open("w+") as err:
            process = cli_process.popen(
                ["batch", *urls, "--jobs", "2", "--engine", "espeak"],
                cwd=tmp_path,
                stdout=subprocess.PIPE,
                stderr=err,
                text=True,
            )
            try:
                lines = _Lines(process)
                [asked] = site.wait_for("/a000")
                busy = _asking(process.pid, asked.port)
                lines.wait_for("/a001 ")  # the other worker built a001: it waits for more work
                workers = psutil.Process(process.pid).children(recursive=True)
                [idle] = [p for p in workers if p.ppid() == busy.ppid() and p.pid != busy.pid]
                _waiting(idle)
                idle.send_signal(signal.SIGKILL)
                held.set()
                process.wait(HANG_S)
            finally:
                held.set()
                process.kill()
            err.seek(0)
            stderr = err.read()
        assert len(site.wait_for("/a000", 2)) == 2
    assert process.returncode == 0, stderr
    assert _built(lines.all()) == dict.fromkeys(urls, 1)


def test_an_article_the_runner_never_reports_fails_the_batch(tmp_path: Path) -> None:
    jobs = [file_job(path) for path in articles(tmp_path / "in", 4)]

    def runner(todo: Iterable[Job]) -> Generator[Outcome]:
        taken = iter(todo)
        first, _, third = next(taken), next(taken), next(taken)  # the fourth is never taken
        yield failed(first, "unreadable")
        yield failed(third, "unreadable")  # the second is taken, and never reported

    (tmp_path / "out").mkdir()
    shown: list[Outcome] = []
    tally = run_batch(Batch(Config(), tmp_path / "out"), jobs, runner, lambda o, _: shown.append(o))
    assert tally.remaining == 0
    lost = [origin for origin, why in tally.failures if why == LOST]
    assert lost == [jobs[1].origin, jobs[3].origin]
    assert [o.origin for o in shown if o.error == LOST] == lost  # each told, in its own line
