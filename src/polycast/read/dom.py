"""Text out of an HTML tree: what to skip, where lines break, and how whitespace collapses.

Every traversal here is iterative: a malformed page can nest tens of thousands of unclosed
tags, and a recursive walk would die with ``RecursionError`` on it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from bs4.element import CData, NavigableString, PageElement, PreformattedString, Tag

from polycast.read.blocks import strip_templates, tidy

BR = "\x00"
"""Stands for ``<br>`` while whitespace collapses; never in input (binary files are refused)."""

SKIP = frozenset(
    {
        "script", "style", "noscript", "template", "head", "title", "meta", "link", "base",
        "svg", "canvas", "math", "form", "button", "input", "select", "textarea", "option",
        "nav", "aside", "footer", "menu", "dialog", "map", "area", "source", "track", "param",
    }
)  # fmt: skip
"""Elements whose content is never article text."""

INLINE = frozenset(
    {
        "a", "abbr", "b", "bdi", "bdo", "big", "cite", "code", "data", "del", "dfn", "em",
        "font", "i", "ins", "kbd", "label", "mark", "nobr", "q", "rp", "rt", "ruby", "s",
        "samp", "small", "span", "strike", "strong", "sub", "sup", "time", "tt", "u", "var",
        "wbr", "acronym",
    }
)  # fmt: skip
"""Elements that sit inside a line of text; anything else starts a new block."""

_BOILER_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary", "search"})
_BOILER_CLASSES = frozenset(
    {
        "share", "sharing", "share-buttons", "social", "social-share", "breadcrumb",
        "breadcrumbs", "related", "related-posts", "related-articles", "newsletter", "cookie",
        "cookies", "cookie-banner", "advert", "advertisement", "ad", "ads", "promo", "sidebar",
        "comments", "visually-hidden", "sr-only", "screen-reader-text",
    }
)  # fmt: skip
_CONSENT = ("cookie", "consent", "gdpr")
"""Class or id parts of the notices that ask to accept cookies: never the article."""
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")
_EMOJI_ALT = 4
"""An ``<img>`` whose alt is this short and has no letters is an emoji drawn as an image."""


def classes(tag: Tag) -> list[str]:
    """Return the tag's class names, lowercase."""
    value = tag.get("class")
    if isinstance(value, str):
        return value.lower().split()
    return [c.lower() for c in value or []]


def attr(tag: Tag, name: str) -> str | None:
    """Return an attribute as one stripped string (bs4 gives lists for some), or None if empty."""
    value = tag.get(name)
    if isinstance(value, list):
        value = " ".join(value)
    return value.strip() or None if value else None


def is_skipped(tag: Tag) -> bool:
    """Tell whether an element holds no article text: scripts, navigation, boilerplate."""
    return skips(tag.name, tag.attrs)


def skips(name: str, attrs: Mapping[str, object]) -> bool:
    """Tell ``is_skipped`` of any parser's element, by its name and attributes."""
    if name in SKIP:
        return True
    if not attrs:
        return False  # most of an article's elements: every other test reads an attribute

    def value(key: str) -> str:
        found = attrs.get(key)
        return " ".join(found) if isinstance(found, list) else str(found or "")

    if "hidden" in attrs or value("aria-hidden").strip() == "true":
        return True
    if value("role").strip().lower() in _BOILER_ROLES:
        return True
    names = value("class").lower().split()
    if not _BOILER_CLASSES.isdisjoint(names):
        return True
    marks = " ".join([*names, value("id").strip().lower()])
    return any(part in marks for part in _CONSENT)


def is_text(node: PageElement) -> bool:
    """Tell text nodes from comments, doctypes and processing instructions."""
    return isinstance(node, NavigableString) and (
        not isinstance(node, PreformattedString) or isinstance(node, CData)
    )


def emoji_alt(tag: Tag) -> str | None:
    """Return the emoji an ``<img>`` stands for (sites draw emoji as images), if any."""
    alt = attr(tag, "alt")
    if alt and (
        "emoji" in classes(tag) or (len(alt) <= _EMOJI_ALT and not any(c.isalnum() for c in alt))
    ):
        return alt
    return None


def _pieces(tag: Tag, exclude: frozenset[str]) -> Iterator[str]:
    """Yield the text pieces under ``tag`` in order, a space around each nested block."""
    stack: list[tuple[Iterator[PageElement], bool]] = [(iter(tag.children), False)]
    while stack:
        it, block = stack[-1]
        child = next(it, None)
        if child is None:
            stack.pop()
            if block:
                yield " "
            continue
        if is_text(child):
            yield str(child)
        elif isinstance(child, Tag) and child.name not in exclude and not is_skipped(child):
            if child.name == "br":
                yield BR
            elif child.name == "img":
                yield emoji_alt(child) or ""
            else:
                is_block = child.name not in INLINE
                if is_block:
                    yield " "
                stack.append((iter(child.children), is_block))


def clean(raw: str) -> str:
    """Collapse HTML whitespace, turn ``<br>`` into line breaks, drop template tags."""
    text = _HTML_SPACE.sub(" ", raw).replace(BR, "\n")
    return tidy(strip_templates(text))


def inline_text(tag: Tag, exclude: frozenset[str] = frozenset()) -> str:
    """Return the text of ``tag`` as read: ``<br>`` as line breaks, no scripts or markup.

    Args:
        tag: Any element.
        exclude: Names of elements to leave out with their content (nested lists, say).
    """
    return clean("".join(_pieces(tag, exclude)))
