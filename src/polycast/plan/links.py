"""Where a post's chapter links: the post itself, else its author's profile on the platform.

An article often quotes a post without linking to it: a flattened tweet ends "— CEPA (@cepa)
9 september 2021" and nothing else. Its chapter (a CHAP frame's WXXX, the chapters JSON ``url``)
then links to the author's profile, so a listener can still find the post. The platform is the
one the post says: its link's host, traces in its text (``pic.twitter.com/``, ``t.co/``,
``bsky.app/``, ``instagram.com/``), a Mastodon handle's instance (``user@instance``) or a
Bluesky handle's domain; a plain handle with nothing else said is Twitter's, whose embed code
prints the "— Name (@handle) date" line. A post without a handle, or whose platform has no
profile address known here, links nowhere.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from polycast.models import Post
from polycast.plan.attribution import platform

PROFILES = {
    "Twitter": "https://twitter.com/{}",
    "X": "https://x.com/{}",
    "Bluesky": "https://bsky.app/profile/{}",
    "Instagram": "https://www.instagram.com/{}/",
    "Threads": "https://www.threads.net/@{}",
    "TikTok": "https://www.tiktok.com/@{}",
    "YouTube": "https://www.youtube.com/@{}",
}
"""A profile's address per platform, for a handle without ``@``."""

_TRACES = (
    (re.compile(r"\bbsky\.app/", re.IGNORECASE), "Bluesky"),
    (re.compile(r"\binstagram\.com/", re.IGNORECASE), "Instagram"),
    (re.compile(r"\bthreads\.net/", re.IGNORECASE), "Threads"),
)
_TWITTER_HANDLE = re.compile(r"[A-Za-z0-9_]{1,15}")
_MASTODON = re.compile(r"(?P<user>[A-Za-z0-9_.]+)@(?P<host>[\w-]+(?:\.[\w-]+)+)")


def post_link(post: Post | None, text: str = "") -> str | None:
    """Return the link a post's chapter shows: its own, else its author's profile, else None.

    Args:
        post: the post's attribution.
        text: the post's words as written (links in them may say the platform).

    >>> post_link(Post(handle="cepa"), "Zapad starts. https://t.co/vTcIoMT55Q")
    'https://twitter.com/cepa'
    >>> post_link(Post(handle="cepa", url="https://twitter.com/cepa/status/1"))
    'https://twitter.com/cepa/status/1'
    >>> post_link(Post(handle="Gargron@mastodon.social"))
    'https://mastodon.social/@Gargron'
    >>> post_link(Post(handle="jay.bsky.team"), "https://bsky.app/profile/jay.bsky.team/post/1")
    'https://bsky.app/profile/jay.bsky.team'
    """
    if post is None:
        return None
    if post.url:
        return post.url
    handle = (post.handle or "").strip().lstrip("@")
    if not handle:
        return None
    mastodon = _MASTODON.fullmatch(handle)
    if mastodon:
        return f"https://{mastodon['host'].lower()}/@{quote(mastodon['user'])}"
    where = _platform(post, handle, text)
    form = PROFILES.get(where or "")
    return form.format(quote(handle, safe="._-")) if form else None


def _platform(post: Post, handle: str, text: str) -> str | None:
    """Name the post's platform from what it says, else Twitter for a Twitter-shaped handle."""
    said = platform(post, text) or next((name for rx, name in _TRACES if rx.search(text)), None)
    if said is not None:
        return said
    if handle.lower().endswith(".bsky.social"):
        return "Bluesky"
    return "Twitter" if _TWITTER_HANDLE.fullmatch(handle) else None
