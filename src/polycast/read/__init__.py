"""The read stage: an article's bytes in, an ``Article`` of ordered segments out.

Three readers share one contract: plain text (``read.text``), Markdown with front matter and
HTML inside (``read.markdown``), and HTML pages or fragments (``read.html``). The caller does
the file I/O and passes bytes, so the stage works as well on an upload or a pipe as on a file.

Every segment keeps its text as written, markup removed: links keep their words and lose their
targets, but URLs written in the text stay (the planner removes them from speech). A title
found in the body (a plain-text title line, a lone leading ``#``/``<h1>``) is the first segment,
``Kind.TITLE``, and also ``Article.title``; a title from metadata is ``Article.title`` only.
"""

from __future__ import annotations

import logging

from polycast.errors import InputError
from polycast.models import Article
from polycast.read.blocks import has_speech
from polycast.read.source import Format, decode, detect_format
from polycast.read.text import read_text

__all__ = ["Format", "detect_format", "read_article"]

log = logging.getLogger(__name__)


def _parse(text: str, fmt: Format) -> Article:
    if fmt is Format.TEXT:
        return read_text(text)
    if fmt is Format.MARKDOWN:
        from polycast.read.markdown import read_markdown  # noqa: PLC0415 (markdown-it loads lazily)

        return read_markdown(text)
    from polycast.read.html import read_html  # noqa: PLC0415 (bs4 loads lazily)

    return read_html(text)


def _why_empty(label: str, fmt: Format) -> str:
    """Say what an article with nothing to speak holds, and what to check, for a file or a page.

    >>> _why_empty("https://example.org/", Format.HTML).endswith("the article's own page?")
    True
    """
    if label.startswith(("http://", "https://")):
        return "(only a cookie notice, menus, markup or scripts); is it the article's own page?"
    return f"(only markup, metadata, images or code); is it the right file, and is it {fmt.value}?"


def read_article(data: bytes, name: str | None = None, fmt: Format | None = None) -> Article:
    """Read an article from its bytes.

    Args:
        data: The file's content: UTF-8, or UTF-8/UTF-16/UTF-32 with a byte-order mark.
        name: The file name or path, used to tell the format by its extension and in messages.
        fmt: The format, overriding the extension and the content.

    Returns:
        The article: title, date, author and language where the source says them, and every
        block in reading order.

    Raises:
        InputError: the data is empty, binary, not UTF-8, has broken front matter, or holds
            no text to speak (only markup, images or code).
    """
    text = decode(data, name, fmt)
    fmt = fmt or detect_format(text, name)
    label = name or "the article"
    try:
        article = _parse(text, fmt)
    except InputError as e:
        raise InputError(f"{label}: {e}") from e
    if not has_speech(article.segments):
        raise InputError(f"{label} holds no text to speak {_why_empty(label, fmt)}")
    log.info("read %s as %s: %d segments", label, fmt.value, len(article.segments))
    return article
