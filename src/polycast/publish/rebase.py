"""Point a served feed and its pages at the address they were fetched from.

A feed names its episodes with absolute URLs under the show's ``base_url``, which until the show
has a real host is the placeholder ``https://example.com/podcast``: served as it is, no app on
the network could play an episode. So ``serve`` rewrites that base, in the feed and the pages,
to the address the client used to reach the server (its ``Host`` header, scheme http), or to the
``--base-url`` it was given. The ``Host`` header is the client's to write: only a plain host name
or address with an optional port is taken; anything else gets the server's own address, so a
request cannot put markup into the feed.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

PLACEHOLDER_BASE_URL = "https://example.com/podcast"
"""The ``base_url`` that ``polycast init`` writes into ``podcast.toml``."""

REWRITTEN_SUFFIXES = (".xml", ".rss", ".html")
"""Files served with the base URL rewritten: the feed and the pages."""

_HOST = re.compile(
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}"
    r"[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]{2,45}\])(?::[0-9]{1,5})?"
)
_SCHEMES = (b"https", b"http", b"podcast")
"""Schemes a base URL is found under: the page's "open in podcast app" link uses podcast://."""


def served_base(host_header: str | None, fallback: str) -> str:
    """Return ``http://HOST`` for the client's ``Host`` header, or ``fallback`` if it is not one.

    >>> served_base("192.168.1.5:8000", "http://127.0.0.1:8000/")
    'http://192.168.1.5:8000'
    >>> served_base('x"><script>', "http://127.0.0.1:8000/"), served_base(None, "http://h/")
    ('http://127.0.0.1:8000', 'http://h')
    """
    if host_header is not None and _HOST.fullmatch(host_header.strip()):
        return f"http://{host_header.strip()}"
    return fallback.rstrip("/")


class Rebaser:
    """Rewrites one configured base URL, under any of its schemes, to another base."""

    def __init__(self, configured: str) -> None:
        """Find ``configured`` (an absolute http(s) URL) whatever its scheme says."""
        parts = urlsplit(configured)
        place = (parts.netloc + parts.path.rstrip("/")).encode()
        schemes = b"|".join(_SCHEMES)
        # The base ends where the next character cannot go on its last name: "/podcast" is not
        # the start of "/podcasts", nor "example.com" of "example.com.evil" or "example.com:81".
        self._pattern = re.compile(
            rb"(?<![A-Za-z0-9+.-])(" + schemes + rb")://" + re.escape(place) + rb"(?![\w.~%:-])"
        )

    def rewrite(self, data: bytes, base: str) -> bytes:
        """Return ``data`` with every URL under the configured base moved under ``base``.

        >>> rebaser = Rebaser("https://example.com/podcast/")
        >>> rebaser.rewrite(b'<a href="https://example.com/podcast/a.mp3">', "http://h:8")
        b'<a href="http://h:8/a.mp3">'
        >>> rebaser.rewrite(b"podcast://example.com/podcast/feed.xml", "http://h:8/p/")
        b'podcast://h:8/p/feed.xml'
        >>> rebaser.rewrite(b"https://example.com/podcasts https://example.com/podcast", "http://h")
        b'https://example.com/podcasts http://h'
        """
        target = urlsplit(base)
        place = (target.netloc + target.path.rstrip("/")).encode()
        http = f"{target.scheme}://".encode() + place
        podcast = b"podcast://" + place
        return self._pattern.sub(lambda m: podcast if m[1] == b"podcast" else http, data)
