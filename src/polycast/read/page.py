"""A full web page's article: the blocks polycast reads there, narrowed to the main content.

A fragment (no ``<html>`` or ``<body>``) is all article and is read whole. A page is walked from
its content element (``<article>``, ``<main>``), or from ``<body>`` when that element misses much
of the main text an extractor finds, and then only the article's blocks are kept
(``read.main``).

Some pages hold no article text in their markup: a script draws it, and the text sits only in
the JSON-LD ``articleBody`` the publisher gives search engines, or in the ``<noscript>`` version
for browsers without scripts. Those are read, in that order, when the markup has nothing to say.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from bs4 import BeautifulSoup
from bs4.element import Tag

from polycast.models import Kind, Segment
from polycast.read.blocks import has_speech, paragraph
from polycast.read.image import is_article
from polycast.read.main import covered, keep_main
from polycast.read.walk import walk

_INERT = re.compile(r"<!--|<(script|style)\b", re.IGNORECASE)
_INERT_END = {name: re.compile(rf"</{name}\s*>", re.IGNORECASE) for name in ("script", "style")}
_WALK_BODY = 0.9
"""When the content element holds less than this share of the main text, walk the body."""


def drop_inert(text: str) -> str:
    """Cut a page's scripts (but its JSON-LD), styles and comments, in one linear pass.

    They hold most of a real page's bytes (61% on the benchmark's pages) and none of its text,
    so parsing and extracting the rest is faster. Each is cut to its end as a browser reads it;
    the first that never ends stops the cutting, and ``defuse`` settles it.

    >>> drop_inert('<p>a</p><script>x="</p>"</script><!-- c --><style>p{}</style><p>b')
    '<p>a</p><p>b'
    """
    out: list[str] = []
    pos = 0
    while (found := _INERT.search(text, pos)) is not None:
        name = (found[1] or "").lower()
        if name:
            tag_end = text.find(">", found.end())
            if tag_end < 0:
                break
            keep = name == "script" and "ld+json" in text[found.end() : tag_end].lower()
            close = _INERT_END[name].search(text, tag_end)
            end = close.end() if close else -1
        else:
            keep, end = False, text.find("-->", found.end())
            end = end + 3 if end >= 0 else -1
        if end < 0:
            break
        out.append(text[pos:end] if keep else text[pos : found.start()])
        pos = end
    out.append(text[pos:])
    return "".join(out)


def is_page(soup: BeautifulSoup) -> bool:
    """Tell a full page (it has ``<html>`` or ``<body>``) from a fragment of one."""
    return soup.find(["html", "body"]) is not None


def page_segments(
    reference: str,
    soup: BeautifulSoup,
    walked: tuple[Tag, list[Segment]],
    language: str | None,
    ld: Sequence[Mapping[str, object]] = (),
) -> list[Segment]:
    """Narrow the walked blocks of a full page to its article.

    Args:
        reference: the page's main text as an extractor found it (``main.main_text``).
        soup: the parsed page.
        walked: its content element and the blocks walked from it.
        language: the page's declared language.
        ld: the page's JSON-LD objects.
    """
    kept = _main_blocks(reference, soup, walked, language)
    if has_speech(kept):
        return kept
    titles = [seg for seg in kept if seg.kind is Kind.TITLE]
    return titles + (_ld_body(ld, language) or _noscript(soup, language))


def _ld_body(ld: Sequence[Mapping[str, object]], language: str | None) -> list[Segment]:
    """Read the ``articleBody`` of the page's article object: HTML, or text by lines."""
    for item in ld:
        body = item.get("articleBody") if is_article(item) else None
        if not isinstance(body, str) or not body.strip():
            continue
        if "<" in body:
            from polycast.read.html import parse  # noqa: PLC0415 (html imports this module)

            return walk(parse(body), doc_lang=language).segments
        found = (paragraph(line.strip()) for line in body.splitlines())
        return [seg for seg in found if seg is not None]
    return []


def _noscript(soup: BeautifulSoup, language: str | None) -> list[Segment]:
    """Read the ``<noscript>`` elements of the body, the page as a browser without scripts shows."""
    body = soup.find("body")
    if not isinstance(body, Tag):
        return []
    segments: list[Segment] = []
    for tag in body.find_all("noscript"):
        segments += walk(tag, doc_lang=language, headers=True).segments
    return segments


def _main_blocks(
    reference: str, soup: BeautifulSoup, walked: tuple[Tag, list[Segment]], language: str | None
) -> list[Segment]:
    root, segments = walked
    if not reference:
        return segments
    body = soup.find("body")
    if isinstance(body, Tag) and _body_adds(body, root):
        share = covered(segments, reference)
        if share < _WALK_BODY:
            whole = walk(body, doc_lang=language, headers=True).segments
            if covered(whole, reference) > share:
                segments = whole
    return keep_main(segments, reference)


def _body_adds(body: Tag, root: Tag) -> bool:
    """Tell whether walking the body could find more than walking the content element did.

    It cannot when the element was walked with its headers and the body holds no text outside
    it, as on a page ``read.focus`` cut down: a second walk of the same blocks is then skipped.
    """
    if body is root:
        return False
    if root.name not in ("article", "main"):
        return True  # the element was walked without its <header>s; the body keeps them
    outside = len("".join(body.get_text().split())) - len("".join(root.get_text().split()))
    return outside > 0
