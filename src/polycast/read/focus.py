"""Cut a full page down to its head and the element that holds its article, before reading it.

Building polycast's tree of a whole page costs far more than the article needs: a news page is
mostly menus, teasers and comments. lxml (C, some fifty times faster) parses the page first, and
the element holding nine tenths of the main text an extractor found (``read.main``) is kept with
the page's head and the body's metadata (JSON-LD, ``<meta>``, author links). polycast then reads
that small page as it would the whole one. When no such element stands out (the text is spread
over the body), or lxml cannot parse the page, the whole page is read.
"""

from __future__ import annotations

from collections.abc import Iterator
from html import escape

import lxml.html
from lxml import etree

from polycast.read.dom import skips
from polycast.read.main import shingle_set

_BLOCKS = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "pre", "td", "th", "dd", "dt", "figcaption"}
)
"""Elements whose whole text is one block; any other element counts only its own text."""
_CONTAINERS = frozenset({"article", "main", "section", "div", "body"})
"""Elements the kept one may be: never a paragraph, and never a part of a quote or a list."""
_UNITS = frozenset({"blockquote", "figure", "table", "ul", "ol", "dl", "pre", "p"})
"""Elements read as one unit (a post, a quote, a list): the kept element is never inside one."""
_SHARE = 0.9
"""The element kept holds at least this share of the matched main text."""
_MATCH = 0.5
"""A block is the article's when this share of its shingles is in the main text."""
_BODY_METADATA = etree.XPath(
    'descendant::script[@type="application/ld+json"] | descendant::meta'
    ' | descendant::time[@datetime] | descendant::link[@rel="canonical"]'
    ' | descendant::*[@rel="author" or @itemprop="author"]'
)
"""What the metadata readers look for in a body, kept beside the article's element; in
document order. Asked of the body, each on its one axis: ``//body//meta`` merges the children
of every node in turn, which takes twice as long on a large page."""


def _own_text(element: lxml.html.HtmlElement) -> str:
    if element.tag in _BLOCKS:
        return str(element.text_content())
    return " ".join([element.text or "", *(child.tail or "" for child in element)])


def _read_elements(body: lxml.html.HtmlElement) -> Iterator[lxml.html.HtmlElement]:
    """Yield the elements under ``body`` (and it) in document order, but those polycast skips.

    A skipped element (a menu, an aside, a cookie wall) and all it holds are passed over without
    a look: their text never counts (the extractor may take a cookie wall), and on a news page
    they are most of the elements. None is yielded when ``body`` or an ancestor is skipped.
    Nor is what a block holds (a paragraph's links and emphasis): the block's ``_own_text`` has
    their text already, and counted again it would weigh twice.
    """
    if any(_skips(e) for e in (body, *body.iterancestors())):
        return
    stack = [body]
    while stack:
        element = stack.pop()
        yield element
        if element.tag in _BLOCKS:
            continue  # its whole text is counted: what it holds would be counted twice
        stack.extend(
            child for child in reversed(element) if isinstance(child.tag, str) and not _skips(child)
        )  # not a comment or processing instruction, not skipped


def _skips(element: lxml.html.HtmlElement) -> bool:
    return skips(str(element.tag), element.attrib)


def _holder(body: lxml.html.HtmlElement, reference: str) -> lxml.html.HtmlElement | None:
    """Return the deepest element holding nine tenths of the body's matched main text."""
    ref = shingle_set(reference)
    held: dict[lxml.html.HtmlElement, int] = {}
    total = 0
    for element in _read_elements(body):
        grams = shingle_set(_own_text(element))
        matched = len(grams & ref)
        if not grams or matched < _MATCH * len(grams):
            continue
        total += matched
        for holder in (element, *element.iterancestors()):
            held[holder] = held.get(holder, 0) + matched
    chain = [element for element, count in held.items() if count >= _SHARE * total]
    if not total or not chain:
        return None
    holder = min(chain, key=lambda element: held[element])  # the deepest holds the least
    while holder.tag not in _CONTAINERS or any(a.tag in _UNITS for a in holder.iterancestors()):
        holder = holder.getparent()
    return holder


def focus(html: str | lxml.html.HtmlElement | None, reference: str) -> str | None:
    """Return the page cut down to its head, body metadata and article's element, or None.

    Args:
        html: a full page, its scripts and styles already cut, or its tree (``main.page_tree``,
            the one parse the extractor's also is), which is only read.
        reference: the page's main text as an extractor found it.
    """
    if html is None:
        return None
    try:
        root = lxml.html.document_fromstring(html) if isinstance(html, str) else html
    except (etree.ParserError, ValueError):  # empty, or an XML declaration in a str
        return None
    body = root.find("body")
    holder = _holder(body, reference) if body is not None and reference else None
    if holder is None or holder is body or holder is root:
        return None
    attrs = "".join(f' {k}="{escape(str(v))}"' for k, v in root.attrib.items())
    head = root.find("head")
    parts = [f"<html{attrs}>"]
    if head is not None:
        parts.append(lxml.html.tostring(head, encoding="unicode", with_tail=False))
    parts.append("<body>")
    parts += [
        lxml.html.tostring(element, encoding="unicode", with_tail=False)
        for element in _BODY_METADATA(body)
        if not any(ancestor is holder for ancestor in element.iterancestors())
    ]
    parts.append(lxml.html.tostring(holder, encoding="unicode", with_tail=False))
    return "".join([*parts, "</body></html>"])
