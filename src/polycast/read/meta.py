"""Article metadata from the headers static-site sources put above the text.

Three shapes are common: YAML front matter between ``---`` lines (Jekyll, Hugo), TOML between
``+++`` lines (Hugo), and Pelican's or MultiMarkdown's ``Key: value`` lines up to the first
blank line. Only title, date, author(s), language and the lead image matter here; other keys are
ignored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from polycast.errors import InputError
from polycast.read.dates import normalise_date
from polycast.read.image import front_matter_image
from polycast.read.posts import normalise_lang

_KEYS = {
    "title": "title",
    "date": "date",
    "published": "date",
    "pubdate": "date",
    "publishdate": "date",
    "published_at": "date",
    "created": "date",
    "author": "author",
    "authors": "author",
    "by": "author",
    "lang": "language",
    "language": "language",
    "locale": "language",
    "image": "image",
    "cover": "image",
    "featured_image": "image",
    "og_image": "image",
}
_HEADER_LINE = re.compile(r"([A-Za-z][A-Za-z0-9_ -]{0,30}):(?:\s+(.*))?")
_MAX_HEADER = 65536
"""Front matter is short; a "closing" delimiter further away is a thematic break, not an end."""


@dataclass(frozen=True)
class Meta:
    """What an article's headers say about it."""

    title: str | None = None
    """The title."""
    date: str | None = None
    """Publication date, ISO 8601."""
    author: str | None = None
    """Author names, comma-separated."""
    language: str | None = None
    """Primary language code."""
    image: str | None = None
    """The lead image, an absolute http(s) URL (a site-relative path has no base here)."""


def _text(value: object) -> str | None:
    """Return a scalar as a one-line string; None for nested structures or empty values."""
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        text = " ".join(str(value).split())
        return text or None
    return None


def _authors(value: object) -> str | None:
    if isinstance(value, list | tuple):
        names = [_authors(item) for item in value]
        return ", ".join(n for n in names if n) or None
    if isinstance(value, Mapping):
        return _text(value.get("name"))
    return _text(value)


def meta_from_mapping(data: Mapping[Any, Any]) -> Meta:
    """Pick title, date, author, language and image out of front matter, whatever the key case."""
    found: dict[str, object] = {}
    for key, value in data.items():
        field = _KEYS.get(str(key).strip().lower())
        if field and field not in found:
            found[field] = value
    return Meta(
        title=_text(found.get("title")),
        date=normalise_date(found.get("date")),
        author=_authors(found.get("author")),
        language=normalise_lang(_text(found.get("language"))),
        image=front_matter_image(found.get("image")),
    )


def parse_headers(lines: list[str]) -> Meta | None:
    """Read Pelican or MultiMarkdown ``Key: value`` lines; None if they are not such headers.

    Every line must be ``Key: value`` (or an indented continuation) and a title or a date must
    be among them, so that a first paragraph such as "Note: this is old" stays text.
    """
    data: dict[str, str] = {}
    last = None
    for line in lines:
        if line[:1] in (" ", "\t") and last:
            data[last] += " " + line.strip()
            continue
        m = _HEADER_LINE.fullmatch(line.rstrip())
        if not m:
            return None
        last = m[1].strip().lower()
        data[last] = (m[2] or "").strip()
    if not {"title", "date"} & data.keys():
        return None
    return meta_from_mapping(data)


def _closing(lines: list[str], fence: str) -> int | None:
    """Index of the line closing front matter opened by ``fence`` on line 0, if any."""
    size = 0
    ends = ("---", "...") if fence == "---" else (fence,)
    for i, line in enumerate(lines[1:], start=1):
        if line.rstrip() in ends:
            return i
        size += len(line) + 1
        if size > _MAX_HEADER:
            return None
    return None


def split_front_matter(text: str) -> tuple[Meta, str]:
    """Separate an article's metadata header from its body.

    Args:
        text: A Markdown (or plain-text) article.

    Returns:
        The metadata (empty if there is no header) and the body after the header.

    Raises:
        InputError: YAML or TOML front matter that does not parse (with its line number).
    """
    head, _, _ = text[: _MAX_HEADER + 1024].partition("\n\n")
    first = text.split("\n", 1)[0].rstrip()
    if first in ("---", "+++"):
        lines = text.split("\n", 2000)
        end = _closing(lines, first)
        if end is not None:
            body = "\n".join(lines[end + 1 :])
            block = "\n".join(lines[1:end])
            parsed = _load_yaml(block) if first == "---" else _load_toml(block)
            if parsed is not None:
                return meta_from_mapping(parsed), body
    headers = parse_headers(head.split("\n")) if head.strip() else None
    if headers is not None:
        return headers, text[len(head) :]
    return Meta(), text


def _load_yaml(block: str) -> Mapping[Any, Any] | None:
    import yaml  # noqa: PLC0415 (slow import, only when an article has front matter)

    try:
        data = yaml.safe_load(block)
    except yaml.YAMLError as e:
        if not re.match(r"\s*[\w-]+\s*:", block):
            return None  # a thematic break and a setext heading, not front matter
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark is not None else ""
        problem = getattr(e, "problem", None) or "cannot be parsed"
        raise InputError(f"front matter is not valid YAML{where}: {problem}") from e
    return data if isinstance(data, dict) else None


def _load_toml(block: str) -> Mapping[Any, Any] | None:
    import tomllib  # noqa: PLC0415 (only for TOML front matter: most articles have none)

    try:
        return tomllib.loads(block)
    except tomllib.TOMLDecodeError as e:
        # Count lines from the file's start, as an editor shows them (the +++ line is line 1).
        message = re.sub(r"line (\d+)", lambda m: f"line {int(m[1]) + 1}", str(e))
        raise InputError(f"front matter is not valid TOML: {message}") from e
