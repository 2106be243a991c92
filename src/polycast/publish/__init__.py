"""Publishing: the show config, the podcast feed, and a local server for the published folder.

Example::

    show = read_show(Path("podcast.toml"))
    publish_episode(Path("output/article.mp3"), show)  # copies files, updates feed.xml
    make_server(show.publish_dir).serve_forever()  # try it in a podcast app
"""

from __future__ import annotations

from polycast.publish.feed import FEED_NAME, PublishReport, publish_episode
from polycast.publish.serve import PublishServer, make_server
from polycast.publish.show import ShowConfig, load_show, read_show, write_template

__all__ = [
    "FEED_NAME",
    "PublishReport",
    "PublishServer",
    "ShowConfig",
    "load_show",
    "make_server",
    "publish_episode",
    "read_show",
    "write_template",
]
