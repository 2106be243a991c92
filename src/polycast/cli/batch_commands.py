"""Commands for many articles at once: batch and follow."""

from __future__ import annotations

import json
import logging
import signal
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from polycast import cores
from polycast.batch import progress
from polycast.batch.ledger import Ledger
from polycast.batch.overwrite import refuse_overwrites
from polycast.batch.pool import default_jobs
from polycast.batch.run import Batch, Publisher, Runner, run_batch
from polycast.batch.sources import Job, expand, longest_first, recorded_names, unique
from polycast.batch.work import Outcome
from polycast.cli.app import app
from polycast.cli.options import ConfigOption, EngineOption, settings_from
from polycast.config import CONFIG_NAME, Config
from polycast.publish import read_show
from polycast.write import prepare_folder

OutputOption = Annotated[
    Path, typer.Option("--output", "-o", help="The folder the episodes are written to.")
]
PublishOption = Annotated[
    bool, typer.Option("--publish", help="Publish each finished episode into the show's feed.")
]
FeedOption = Annotated[
    Path | None,
    typer.Option(help="The feed to publish into.", show_default="publish_dir/feed.xml"),
]
JobsOption = Annotated[
    int | None,
    typer.Option(
        min=1,
        max=256,
        help="The most cores the batch uses: as many articles are built side by side (each on "
        "its part of the cores), so 1 builds one at a time on one core.",
        show_default="every core",
    ),
]
ClusterOption = Annotated[
    str | None,
    typer.Option(
        help="Build on this Dask scheduler (tcp://host:8786) instead of local processes.",
        show_default="[batch] cluster in podcast.toml, else local",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")]

log = logging.getLogger(__name__)


@app.command()
def batch(
    sources: Annotated[
        list[str],
        typer.Argument(
            help="Article files, folders (their .txt .md .html .htm .toml files), URLs, or - "
            "for a list on stdin, one a line.",
        ),
    ],
    output: OutputOption = Path("output"),
    publish: PublishOption = False,
    feed: FeedOption = None,
    config: ConfigOption = None,
    jobs: JobsOption = None,
    cluster: ClusterOption = None,
    engine: EngineOption = None,
    as_json: JsonOption = False,
) -> None:
    """Build many articles at once, each as build would, on local processes or a Dask cluster.

    One article that fails is reported and the others go on; the exit code is 1 when any
    failed, and a rerun builds only what failed, changed or is new.
    """
    settings = settings_from(config, engine=engine)
    done = Ledger(output).entries  # a page keeps the name an earlier batch built it as
    work = recorded_names(expand(sources, sys.stdin), {k: e.episode for k, e in done.items()})
    _run(work, settings, config, output, publish, feed, jobs, cluster, as_json)


@app.command()
def follow(
    site: Annotated[
        str,
        typer.Argument(
            help="A site's feed (RSS, Atom, JSON Feed) or an OPML list of feeds: a URL or a file.",
        ),
    ],
    output: OutputOption = Path("output"),
    publish: Annotated[
        bool,
        typer.Option("--publish/--no-publish", help="Publish each episode into the show's feed."),
    ] = True,
    feed: FeedOption = None,
    config: ConfigOption = None,
    jobs: JobsOption = None,
    cluster: ClusterOption = None,
    engine: EngineOption = None,
    as_json: JsonOption = False,
    since: Annotated[
        datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="Only items published on or after this day."),
    ] = None,
    limit: Annotated[
        int | None, typer.Option(min=1, help="Only the newest N items (after --since).")
    ] = None,
) -> None:
    """Build and publish each new or changed item of a site's feed (RSS, Atom, JSON, OPML).

    An item carrying its full text is read from the feed; any other is fetched from its link.
    A rerun publishes nothing twice; an item whose text changed is rebuilt and updated in place.
    """
    from polycast.batch.follow import chosen, item_job, read_site  # noqa: PLC0415

    settings = settings_from(config, engine=engine)
    found, files = read_site(site, settings.fetch_timeout, settings.max_follow_bytes)
    items = chosen(found, since and since.date(), limit)
    work = unique(item_job(item) for item in items)
    _run(work, settings, config, output, publish, feed, jobs, cluster, as_json, files)


def _run(
    work: list[Job],
    settings: Config,
    config: Path | None,
    output: Path,
    publish: bool,
    feed: Path | None,
    jobs: int | None,
    cluster: str | None,
    as_json: bool,
    read: Sequence[Path] = (),
) -> None:
    """Check the outputs and the cluster, run the batch, print its summary, set the exit code.

    ``read`` names the files the batch reads besides its articles and config (a site's feed).
    """
    shown = config or Path(CONFIG_NAME)
    publisher = Publisher(read_show(shown), feed) if publish else None
    address = cluster or settings.batch.cluster
    shape = Batch(settings, output, publisher, ship=address is not None)
    refuse_overwrites(shape, work, [shown, *read])
    if address is not None:
        from polycast.batch.cluster import Cluster  # noqa: PLC0415 (Dask: only when asked)

        with Cluster(address, settings.batch) as remote:  # its ~60,000 objects: polycast.heap
            prepare_folder(output)
            _report(shape, longest_first(work), remote.runner(settings), as_json)
        return
    processes, each = cores.split(jobs or default_jobs(), len(work))  # no idle process started
    machine = cores.count()
    log.info(
        "building %d at a time, each on %d of %d cores", processes, min(each, machine), machine
    )
    from polycast.batch.pool import run_inline, run_local, start_early  # noqa: PLC0415

    if processes > 1:
        start_early()  # its imports overlap the ordering and the first reads below
    prepare_folder(output)
    if processes == 1:
        _report(shape, work, lambda todo: run_inline(todo, settings, output, each), as_json)
    else:
        work = longest_first(work)
        _report(
            shape, work, lambda todo: run_local(todo, settings, output, processes, each), as_json
        )


def _report(shape: Batch, work: list[Job], runner: Runner, as_json: bool) -> None:
    view = _View(as_json)
    tally = run_batch(shape, work, runner, view.show, view.tally)
    view.close()
    if as_json:
        typer.echo(json.dumps(progress.summary_dict(tally), ensure_ascii=False, indent=2))
    else:
        typer.echo(progress.summary_text(tally))
    for notice in tally.notices:
        typer.echo(f"polycast: {notice}", err=True)
    if tally.stopped_by is not None:
        typer.echo(f"polycast: stopped by {tally.stopped_by}; finished episodes kept", err=True)
        raise typer.Exit(128 + signal.Signals[tally.stopped_by].value)
    if tally.failed:
        raise typer.Exit(1)


class _View:
    """The bar on a terminal's stderr, and a line per finished article."""

    def __init__(self, as_json: bool) -> None:
        self.lines = sys.stderr if as_json else sys.stdout
        self.live = sys.stderr.isatty()
        self.tally = progress.Tally()

    def show(self, outcome: Outcome, published: bool) -> None:
        """Print the article's line above the bar, and draw the bar again."""
        self.close()
        print(progress.line(outcome, published), file=self.lines, flush=True)
        if self.live:
            sys.stderr.write(progress.bar(self.tally))
            sys.stderr.flush()

    def close(self) -> None:
        """Clear the bar, so the next line starts clean."""
        if self.live:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()
