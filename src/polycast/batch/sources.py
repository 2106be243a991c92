"""What a batch builds: every article a person names, as ``Job``s, checked before any work.

A source is an article file, a folder (its article files, not its subfolders), an http(s) URL,
or ``-``: a list on standard input, one file or URL a line. Everything wrong with the list
itself (a missing file, a folder with no articles, a blank line, two articles that would make
the same episode) stops the batch before anything is built; what is wrong with one article
(it cannot be read, spoken or published) is that article's failure alone, found when it is built.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TextIO

from polycast.config import CONFIG_NAME
from polycast.errors import InputError
from polycast.fetch import is_url
from polycast.fetch.names import url_slug

ARTICLE_SUFFIXES = (".txt", ".md", ".html", ".htm", ".toml")
"""The files a folder's articles are taken from."""

LIST_CAP = 10_000_000
"""The longest list read from standard input: some hundred thousand paths."""


@dataclass(frozen=True)
class Job:
    """One article to build: where it comes from, and what its episode is called."""

    key: str
    """What the batch's ledger knows it by: the item's GUID, the URL, or the file's path."""
    name: str
    """The episode's file name without suffix (a rundown may name its own)."""
    origin: str
    """What a person named: the path, the URL, or the feed item's link, for the lines printed."""
    path: Path | None = None
    """The article file, when it is one on this machine."""
    data: bytes | None = None
    """The article itself, when it is not a file here (a feed item's full text, or a file's
    bytes sent to a cluster worker)."""
    filename: str = ""
    """The name ``data`` is read under: its suffix tells the reader the format."""
    url: str | None = None
    """A web page to fetch and read, when there is no text yet."""
    basis: str = ""
    """For a page still to fetch: the digest of the batch's settings, which the process that
    fetches it digests the page with (see ``ledger.article_digest``)."""
    known: str = ""
    """For a page still to fetch: the digest it was last built (and published) from; a page
    fetched with the same digest is not built again."""


def url_name(url: str) -> str:
    """Name an episode after a URL or GUID: its last path part, slugged, and a short hash of all.

    The hash keeps two sites' ``/index.html`` apart; the same URL is the same name every run.
    ``follow`` names its items so (their episodes' feed GUIDs come from these names, so they
    must never change); a page named in a batch is named as ``build`` names it (``page_name``).

    >>> url_name("https://example.com/2021/09/loekasjenko-poetin.html")
    'loekasjenko-poetin-8bf04510'
    """
    digest = _digest(url)
    parts = [p for p in re.split(r"[/?#:=&]+", url.rstrip("/")) if p]
    last = re.sub(r"\.(?:html?|php|aspx?)$", "", parts[-1] if parts else "", flags=re.I)
    slug = re.sub(r"[^a-z0-9]+", "-", last.casefold()).strip("-")[:60].strip("-")
    return f"{slug}-{digest}" if slug else f"item-{digest}"


def _digest(url: str) -> str:
    """Return a short hash of ``url``: what tells apart two pages of the same name."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:8]


def page_name(url: str) -> str:
    """Name a page's episode as ``polycast build`` names it: after its address's slug.

    An address with no slug (``/p/123456``) is named by ``build`` after the page's title, which
    is not known before the page is fetched; a batch names it after its address (``url_name``).

    >>> page_name("https://example.com/news/a-story/")
    'a-story'
    >>> page_name("https://example.com/p/123456")
    '123456-2d275d2c'
    """
    return url_slug(url) or url_name(url)


def folder_jobs(folder: Path) -> list[Job]:
    """Return a job for each article file in ``folder``, by name.

    Raises:
        InputError: the folder cannot be listed, or holds no article files.
    """
    try:
        files = sorted(p for p in folder.iterdir() if _article_name(p.name))
    except OSError as e:
        raise InputError(f"{folder}: cannot list the folder: {e.strerror or e}") from e
    found = [p for p in files if p.is_file()]
    if not found:
        kinds = " ".join(ARTICLE_SUFFIXES)
        raise InputError(f"{folder}: no articles in this folder (files ending {kinds})")
    return [file_job(p) for p in found]


def _article_name(name: str) -> bool:
    """Say whether a file in a folder is taken as an article: not hidden, not the show config.

    >>> [n for n in ("a.md", ".b.md", "podcast.toml", "c.TOML", "d.mp3") if _article_name(n)]
    ['a.md', 'c.TOML']
    """
    suffix = Path(name).suffix.lower()
    return suffix in ARTICLE_SUFFIXES and not name.startswith(".") and name != CONFIG_NAME


def file_job(path: Path) -> Job:
    """Return the job for one article file."""
    return Job(key=str(path.resolve()), name=path.stem, origin=str(path), path=path)


def listed(stream: TextIO, where: str = "-") -> list[str]:
    """Read a list of sources, one a line; a blank line is refused, not skipped.

    A blank line in a generated list is most often a name that came out empty: building the rest
    as if nothing was missing would hide it.

    Raises:
        InputError: a blank line, a list over ``LIST_CAP``, or no line at all.
    """
    text = stream.read(LIST_CAP + 1)
    if len(text) > LIST_CAP:
        raise InputError(f"{where}: the list is over {LIST_CAP} characters")
    lines = text.splitlines()
    for number, line in enumerate(lines, 1):
        if not line.strip():
            raise InputError(f"{where}: line {number} is blank; give one file or URL a line")
    if not lines:
        raise InputError(f"{where}: the list is empty; give one file or URL a line")
    return [line.strip() for line in lines]


def expand(sources: Sequence[str], stdin: TextIO) -> list[Job]:
    """Turn the sources a person named into jobs, in order, each article once.

    Raises:
        InputError: a source is missing, a folder holds no articles, the list on standard input
            has a blank line, or two articles would make the same episode.
    """
    jobs: list[Job] = []
    for source in sources:
        jobs.extend(_jobs_of(source, stdin))
    return unique(_apart(jobs))


def _jobs_of(source: str, stdin: TextIO) -> list[Job]:
    if source == "-":
        return [j for line in listed(stdin) if line != "-" for j in _jobs_of(line, stdin)]
    if is_url(source):
        return [Job(key=source, name=page_name(source), origin=source, url=source)]
    path = Path(source)
    if path.is_dir():
        return folder_jobs(path)
    if not path.exists():
        raise InputError(f"{source}: no such file or folder")
    return [file_job(path)]


def _apart(jobs: list[Job]) -> list[Job]:
    """Add a short hash of its address to a page's name that another article of the batch has.

    Two sites' ``/news/a-story/`` would otherwise be one episode; every page of such a name
    gets the hash (whichever came first), and a file keeps its own name.
    """
    keys: dict[str, set[str]] = {}
    for job in jobs:
        keys.setdefault(job.name, set()).add(job.key)
    return [
        replace(job, name=f"{job.name}-{_digest(job.url)}")
        if job.url is not None and len(keys[job.name]) > 1
        else job
        for job in jobs
    ]


def recorded_names(jobs: Sequence[Job], episodes: Mapping[str, str]) -> list[Job]:
    """Keep a page's episode under the name an earlier batch built it as (its ledger's).

    An episode's feed GUID comes from its file name, so a page built again (changed, or by a
    newer polycast that names pages otherwise) must keep its name to update its item rather
    than add a second one. A name another article of this batch has is not taken back.

    Args:
        jobs: The batch's jobs.
        episodes: The episode file name each key was last built as (the ledger's).
    """
    taken = {job.name for job in jobs}
    kept = []
    for job in jobs:
        episode = episodes.get(job.key)
        name = Path(episode).name.partition(".")[0] if episode else job.name
        if job.url is not None and name and name != job.name and name not in taken:
            taken.add(name)
            job = replace(job, name=name)  # noqa: PLW2901 -- the job, renamed
        kept.append(job)
    return kept


def unique(jobs: Iterable[Job]) -> list[Job]:
    """Drop repeats of the same article; refuse two articles that would make one episode.

    Raises:
        InputError: two different articles share an episode name.
    """
    seen: dict[str, Job] = {}
    by_name: dict[str, Job] = {}
    for job in jobs:
        if job.key in seen:
            continue
        other = by_name.get(job.name)
        if other is not None:
            raise InputError(
                f"{other.origin} and {job.origin} would both be episode {job.name!r}; rename one"
            )
        seen[job.key] = by_name[job.name] = job
    return list(seen.values())


def longest_first(jobs: Sequence[Job]) -> list[Job]:
    """Order jobs for builds side by side: pages still to fetch, then the longest articles first.

    A batch ends when its last build does. Started in the order given, a long article that comes
    last keeps one process busy while the others have nothing left; longest first, the last to
    start are the shortest, so every process finishes at about the same time. A page still to
    fetch has no length yet and waits on the network: it goes first. Equal lengths keep their
    order; a file that cannot be looked at goes last (its read fails at once, as its own failure).

    >>> jobs = [Job("a", "a", "a", data=b"x"), Job("u", "u", "u", url="https://x.org/u"),
    ...         Job("b", "b", "b", data=b"xyz"), Job("c", "c", "c", data=b"z")]
    >>> [job.key for job in longest_first(jobs)]
    ['u', 'b', 'a', 'c']
    """
    return sorted(jobs, key=_length, reverse=True)  # a stable sort, reversed or not


def _length(job: Job) -> float:
    """Return the bytes ``job`` builds from, as far as is known without reading it."""
    if job.data is not None:
        return len(job.data)
    if job.path is not None:
        try:
            return job.path.stat().st_size
        except OSError:
            return -1
    return math.inf
