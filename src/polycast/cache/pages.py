"""``pages/``: web pages as last fetched, with the validators that ask whether they changed.

A rebuild from a URL asks the site "changed since?" (``If-None-Match``/``If-Modified-Since``)
and, on ``304 Not Modified``, reads the page from here. An entry is keyed by the address asked
for alone, not by polycast's code: a page is the site's, whatever polycast version fetched it.
An entry is one file: a line of JSON (address, type, validators, the body's length and SHA-256),
then the body; one that does not check out is simply fetched again.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path

from polycast.cache.folder import entry_path, keep_entry
from polycast.cache.keys import FORMAT
from polycast.errors import PolycastError
from polycast.inputs import read_bounded

log = logging.getLogger(__name__)

_HEADER_CAP = 64_000
"""Room for the entry's JSON line on top of the page: addresses and validators, a few hundred B."""


@dataclass(frozen=True)
class KeptPage:
    """A page as the cache keeps it."""

    url: str
    """The address asked for (the entry's key)."""
    final_url: str
    """The address that answered, after redirects."""
    content_type: str
    """The ``Content-Type`` header as sent ("" when none)."""
    etag: str | None
    """The ``ETag`` the page came with, for ``If-None-Match``."""
    last_modified: str | None
    """The ``Last-Modified`` it came with, for ``If-Modified-Since``."""
    data: bytes
    """The page, decompressed, as the reader takes it."""
    fetched: str | None = None
    """When it was fetched, an ISO 8601 UTC time; None in an entry kept before it was recorded."""

    def to_data(self) -> bytes:
        """Return the entry's bytes: the JSON line, then the page."""
        head = {
            "url": self.url,
            "final_url": self.final_url,
            "content_type": self.content_type,
            "etag": self.etag,
            "last_modified": self.last_modified,
            "length": len(self.data),
            "sha256": hashlib.sha256(self.data).hexdigest(),
            "fetched": self.fetched,
        }
        return json.dumps(head, ensure_ascii=True).encode("ascii") + b"\n" + self.data

    @classmethod
    def from_data(cls, raw: bytes) -> KeptPage:
        """Read an entry's bytes back.

        Raises:
            ValueError: the entry is damaged (its JSON, its length or its hash do not agree).
        """
        line, _, data = raw.partition(b"\n")
        head = json.loads(line)
        if len(data) != head["length"] or hashlib.sha256(data).hexdigest() != head["sha256"]:
            raise ValueError("the page does not match its length or hash")
        return cls(
            url=str(head["url"]),
            final_url=str(head["final_url"]),
            content_type=str(head["content_type"]),
            etag=head["etag"],
            last_modified=head["last_modified"],
            data=data,
            fetched=head.get("fetched"),
        )

    @property
    def validators(self) -> dict[str, str]:
        """The headers that ask the site whether this copy is still current."""
        found = {"If-None-Match": self.etag, "If-Modified-Since": self.last_modified}
        return {name: value for name, value in found.items() if value}


def page_key(url: str) -> str:
    """Return the key of the page at ``url``: a hash of the entry format and the address.

    >>> page_key("https://example.org/a") != page_key("https://example.org/b")
    True
    """
    text = json.dumps([FORMAT, "page", url], ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class PageCache:
    """Pages by the address asked for."""

    def __init__(self, folder: Path) -> None:
        """Keep entries under ``folder/pages``."""
        self._folder = folder / "pages"

    def path(self, url: str) -> Path:
        """Return where the page at ``url`` is kept."""
        return entry_path(self._folder, page_key(url), ".page")

    def get(self, url: str, max_bytes: int) -> KeptPage | None:
        """Return the kept page at ``url`` (at most ``max_bytes``), or None: absent or damaged."""
        path = self.path(url)
        if not path.is_file():
            return None
        try:
            kept = KeptPage.from_data(read_bounded(path, max_bytes + _HEADER_CAP, "cached page"))
        except (PolycastError, ValueError, KeyError, TypeError) as e:
            log.warning("cached page %s is unreadable (%s); fetching it again", path, e)
            return None
        if kept.url != url or len(kept.data) > max_bytes:
            return None
        return kept

    def put(self, page: KeptPage) -> None:
        """Keep ``page`` for the next build to revalidate."""
        keep_entry(self.path(page.url), page.to_data())
