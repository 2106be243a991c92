"""What a served file's headers say: its type, the byte range asked for, and whether it changed.

Podcast apps seek in an episode with HTTP Range requests (single ranges are answered; several in
one request get the whole file, as RFC 9110 allows), expect their own types for chapters and
transcripts, and poll the feed every so often: with ``ETag`` and ``Last-Modified`` they ask
"changed since?", and an unchanged feed costs a header instead of the whole file. A file served
as it is on disk gets an ETag from its size and modification time (no read needed); a file
rewritten for the client gets one from the bytes it is sent as, since the same file reads
differently at different addresses.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC
from email.utils import parsedate_to_datetime
from pathlib import Path

_TYPES = {
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".xml": "application/rss+xml; charset=utf-8",
    ".rss": "application/rss+xml; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".vtt": "text/vtt; charset=utf-8",
    ".srt": "application/x-subrip; charset=utf-8",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}
_RANGE = re.compile(r"bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*")


def file_etag(size: int, mtime_ns: int) -> str:
    """Return a strong ETag for a file as it is on disk: its size and modification time.

    >>> file_etag(10240, 1_700_000_000_000_000_000)
    '"2800-17979cfe362a0000"'
    """
    return f'"{size:x}-{mtime_ns:x}"'


def content_etag(data: bytes) -> str:
    """Return a strong ETag for bytes sent as they are here: a hash of them.

    >>> content_etag(b"<rss/>")
    '"b8a3805e669decf7180d8c7f"'
    """
    return f'"{hashlib.sha256(data).hexdigest()[:24]}"'


def not_modified(
    if_none_match: str | None, if_modified_since: str | None, etag: str, mtime: float
) -> bool:
    """Whether a GET or HEAD with these headers is answered 304 Not Modified (RFC 9110 13.2.2).

    ``If-None-Match`` decides when present (weakly compared, ``*`` matches any); otherwise an
    ``If-Modified-Since`` date at or after the file's modification time (whole seconds, as
    ``Last-Modified`` says it) does. A date that does not parse is ignored.

    >>> not_modified('W/"x", "a-0"', None, '"a-0"', 5.0), not_modified('"b"', None, '"a"', 5.0)
    (True, False)
    >>> since = "Thu, 01 Jan 1970 00:00:05 GMT"
    >>> not_modified(None, since, '"a"', 5.9), not_modified(None, since, '"a"', 6.0)
    (True, False)
    >>> not_modified('"b"', since, '"a"', 5.0), not_modified(None, "yesterday", '"a"', 5.0)
    (False, False)
    """
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or etag.removeprefix("W/") in tags
    if if_modified_since is None:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError, IndexError, OverflowError):
        return False
    if since.tzinfo is None:  # "-0000": HTTP dates are GMT all the same
        since = since.replace(tzinfo=UTC)
    return int(mtime) <= since.timestamp()


def content_type(name: str) -> str:
    """Return the Content-Type for a published file name.

    >>> content_type("a.chapters.json"), content_type("a.MP3"), content_type("a.bin")
    ('application/json+chapters', 'audio/mpeg', 'application/octet-stream')
    """
    lower = name.lower()
    if lower.endswith(".chapters.json"):
        return "application/json+chapters"
    return _TYPES.get(Path(lower).suffix, "application/octet-stream")


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """Parse a single-range ``Range`` header into ``(first, last)`` inclusive byte offsets.

    Returns None when the whole file should be sent instead (no header, a syntax this server
    ignores, or several ranges).

    Raises:
        ValueError: the range is well-formed but unsatisfiable (answer 416).

    >>> byte_range("bytes=0-99", 1000), byte_range("bytes=900-", 1000)
    ((0, 99), (900, 999))
    >>> byte_range("bytes=-10", 1000)
    (990, 999)
    >>> byte_range("bytes=990-5000", 1000), byte_range("bytes=0-1,5-6", 1000)
    ((990, 999), None)
    >>> byte_range("bytes=1000-", 1000)
    Traceback (most recent call last):
    ValueError: range starts past the end
    """
    match = _RANGE.fullmatch(header.strip()) if header else None
    if match is None:
        return None
    first_text, last_text = match.groups()
    if not first_text:
        if not last_text:
            return None
        suffix = int(last_text)
        if suffix == 0 or size == 0:
            raise ValueError("empty suffix range")
        return max(size - suffix, 0), size - 1
    first = int(first_text)
    last = int(last_text) if last_text else None
    if last is not None and last < first:
        return None
    if first >= size:
        raise ValueError("range starts past the end")
    return first, size - 1 if last is None else min(last, size - 1)
