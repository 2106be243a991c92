"""Commands for the feed: init, publish, serve."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated

import typer

from polycast.cli.app import app
from polycast.publish import make_server, publish_episode, read_show, write_template
from polycast.publish.rebase import PLACEHOLDER_BASE_URL
from polycast.publish.serve import access
from polycast.publish.show import DEFAULT_PUBLISH_DIR


@app.command()
def init(
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite an existing podcast.toml.")
    ] = False,
) -> None:
    """Write a commented podcast.toml here: the show your podcast feed describes."""
    path = Path("podcast.toml")
    write_template(path, force=force)
    typer.echo(f"wrote {path}; edit it, then: polycast publish output/EPISODE.mp3")


@app.command()
def publish(
    episode: Annotated[
        Path,
        typer.Argument(
            help="The episode MP3 a build wrote; its .chapters.json, .vtt and .srt go along.",
        ),
    ],
    feed: Annotated[
        Path | None,
        typer.Option(
            help="The feed file to create or update.", show_default="publish_dir/feed.xml"
        ),
    ] = None,
    config: Annotated[
        Path, typer.Option(help="The show config (polycast init writes one).")
    ] = Path("podcast.toml"),
) -> None:
    """Add EPISODE to the podcast feed, or update it, and copy its files to the publish folder."""
    report = publish_episode(episode, read_show(config), feed)
    action = "updated" if report.updated else "added"
    count = f"{report.items} episode{'' if report.items == 1 else 's'}"
    typer.echo(f"{action} {report.title!r} in {report.feed} ({count}): {report.url}")


@app.command()
def serve(
    folder: Annotated[
        Path | None,
        typer.Argument(
            help="The folder to serve.",
            show_default="publish_dir from --config, else output/public",
        ),
    ] = None,
    port: Annotated[
        int, typer.Option(min=0, max=65535, help="Port to listen on (0: any free one).")
    ] = 8000,
    host: Annotated[
        str, typer.Option(help="Address to listen on; 0.0.0.0 lets other devices in.")
    ] = "127.0.0.1",
    config: Annotated[
        Path, typer.Option(help="The show config whose publish_dir is served.")
    ] = Path("podcast.toml"),
    idle_timeout: Annotated[
        float,
        typer.Option(help="Seconds a connection may take to send its request before it is closed."),
    ] = 10.0,
    base_url: Annotated[
        str | None,
        typer.Option(
            help="The URL the served feed and pages point at, instead of the show's base_url.",
            show_default="the address each client reached the server at",
        ),
    ] = None,
) -> None:
    """Serve the published folder over HTTP, to try the feed in a podcast app. Ctrl-C stops.

    The feed and pages are sent with the show's base_url replaced by the address they were
    fetched from, so an app on another device can subscribe and play. One line per request is
    logged on stderr.
    """
    show = read_show(config) if config.exists() else None
    if folder is None:
        folder = show.publish_dir if show else DEFAULT_PUBLISH_DIR
    configured = show.base_url if show else PLACEHOLDER_BASE_URL
    server = make_server(
        folder, host, port, idle_timeout=idle_timeout, base_url=base_url, configured_base=configured
    )
    _log_requests()
    typer.echo(f"serving {folder} at {server.url}  (feed: {server.url}feed.xml)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        typer.echo("stopped")
    finally:
        server.server_close()


def _log_requests() -> None:
    """Show serve's access log, one plain line per request, on stderr."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    access.addHandler(handler)
    access.setLevel(logging.INFO)
    access.propagate = False
