"""A full web page's article: the blocks polycast reads there, narrowed to the main content.

A fragment (no ``<html>`` or ``<body>``) is all article and is read whole. A page is walked from
its content element (``<article>``, ``<main>``), or from ``<body>`` when that element misses much
of the main text an extractor finds, and then only the article's blocks are kept
(``read.main``).
"""

from __future__ import annotations

from bs4 import BeautifulSoup
from bs4.element import Tag

from polycast.models import Segment
from polycast.read.main import covered, keep_main, main_text
from polycast.read.walk import walk

_WALK_BODY = 0.9
"""When the content element holds less than this share of the main text, walk the body."""


def is_page(soup: BeautifulSoup) -> bool:
    """Tell a full page (it has ``<html>`` or ``<body>``) from a fragment of one."""
    return soup.find(["html", "body"]) is not None


def page_segments(
    html: str, soup: BeautifulSoup, segments: list[Segment], language: str | None
) -> list[Segment]:
    """Narrow the walked blocks of a full page to its article.

    Args:
        html: the page as text, for the extractor.
        soup: the parsed page.
        segments: the blocks walked from its content element.
        language: the page's declared language.
    """
    reference = main_text(html)
    if not reference:
        return segments
    share = covered(segments, reference)
    body = soup.find("body")
    if share < _WALK_BODY and isinstance(body, Tag):
        whole = walk(body, doc_lang=language, headers=True).segments
        whole_share = covered(whole, reference)
        if whole_share > share:
            segments, share = whole, whole_share
    return keep_main(segments, reference)
