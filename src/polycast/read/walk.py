"""Walk an HTML tree in reading order and cut it into segments.

Both the HTML reader and the Markdown reader (which renders Markdown to HTML first) use this,
so a list, a quote or a tweet embed reads the same in either format.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from bs4.element import PageElement, Tag

from polycast.models import Kind, Post, Segment
from polycast.read import quotes
from polycast.read.blocks import join_items, merge_lone_attributions, paragraph
from polycast.read.dom import (
    BR,
    INLINE,
    attr,
    clean,
    emoji_alt,
    inline_text,
    is_skipped,
    is_text,
)
from polycast.read.embeds import embed_segment, is_tweet, post_segment
from polycast.read.posts import normalise_lang

_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_LISTS = frozenset({"ul", "ol"})
_ITEM_BREAKS = frozenset({"ul", "ol", "li"})
_EMBEDS = frozenset({"iframe", "video", "audio", "embed", "object"})
_LAYOUT = frozenset({"p", "div", "table", "h1", "h2", "h3", "ul", "ol", "blockquote"})
_TEXT_KINDS = frozenset({Kind.PARAGRAPH, Kind.LIST, Kind.QUOTE, Kind.POST})
_MAX_QUOTE_DEPTH = 8
"""Quotes nest this deep at most before their inner quotes read as plain text (no recursion)."""


def _items(node: Tag) -> list[Tag]:
    """Return the list items directly under ``node``, in order, not those nested in them.

    Lists inside are transparent here, and so is markup around an item; an unclosed ``<li>``
    (which the parser nests in the one before) counts as the next item, as a browser shows it.
    """
    found: list[Tag] = []
    stack: list[Iterator[PageElement]] = [iter(node.children)]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
        elif isinstance(child, Tag) and not is_skipped(child):
            if child.name == "li":
                found.append(child)
            else:
                stack.append(iter(child.children))
    return found


@dataclass(frozen=True)
class Walked:
    """The segments of a tree, and the title its lone leading ``<h1>`` gives, if any."""

    segments: list[Segment]
    """Every block in reading order."""
    title: str | None
    """Text of the ``Kind.TITLE`` segment, when there is one."""


class _Walker:
    """Turns a tree into segments; one instance per tree."""

    def __init__(self, doc_lang: str | None, headers: bool, depth: int = 0) -> None:
        self.doc_lang = doc_lang
        self.headers = headers
        self.depth = depth
        self.segments: list[Segment] = []
        self.levels: dict[int, int] = {}
        self.buf: list[str] = []
        self.buf_has_words = False
        self.pending: list[Segment] = []
        self.langs: list[str | None] = [None]
        self.taken: set[int] = set()  # captions already read as a quote's speaker

    # --- the walk ---------------------------------------------------------------------------

    def run(self, root: Tag) -> list[Segment]:
        """Visit every node under ``root`` once, in document order, without recursion."""
        stack: list[tuple[Iterator[PageElement], bool]] = [(iter(root.children), False)]
        while stack:
            it, block = stack[-1]
            child = next(it, None)
            if child is None:
                stack.pop()
                if block:
                    self.flush()
                    self.langs.pop()
            elif is_text(child):
                self.write(str(child))
            elif isinstance(child, Tag) and not is_skipped(child):
                descend = self.enter(child)
                if descend is not None:
                    if descend:
                        self.flush()
                        self.langs.append(self.lang_of(child))
                    stack.append((iter(child.children), descend))
        self.flush()
        return self.segments

    def enter(self, tag: Tag) -> bool | None:
        """Handle one element; return None if done, else whether it opens a new block."""
        name = tag.name
        if name == "br":
            self.write(BR)
            return None
        if name == "img":
            self.image(tag)
            return None
        handler = _HANDLERS.get(name)
        if handler is not None and not (name == "table" and tag.find(_LAYOUT)):
            self.flush()
            handler(self, tag)
            return None
        return name not in INLINE

    # --- output -----------------------------------------------------------------------------

    def lang_of(self, tag: Tag) -> str | None:
        """Return the language ``tag`` declares, else the one its enclosing blocks declare."""
        return normalise_lang(attr(tag, "lang")) or self.langs[-1]

    def hint(self, lang: str | None) -> str | None:
        """Return a language hint worth passing on: one that differs from the page's."""
        return lang if lang != self.doc_lang else None

    def add(self, seg: Segment | None, level: int | None = None) -> None:
        if seg is not None:
            if level is not None:
                self.levels[len(self.segments)] = level
            self.segments.append(seg)

    def write(self, text: str) -> None:
        """Add text to the paragraph being collected."""
        self.buf.append(text)
        self.buf_has_words = self.buf_has_words or not (text.isspace() or text == BR)

    def flush(self) -> None:
        """End the paragraph being collected, then add the images found inside it."""
        if self.buf:
            text = clean("".join(self.buf))
            self.buf = []
            self.buf_has_words = False
            self.add(paragraph(text, self.hint(self.langs[-1])))
        for seg in self.pending:
            self.add(seg)
        self.pending = []

    def image(self, tag: Tag) -> None:
        """Keep an emoji drawn as an image in the text; show any other image after its paragraph."""
        emoji = emoji_alt(tag)
        if emoji:
            self.write(emoji)
            return
        alt = attr(tag, "alt") or attr(tag, "title")
        if alt:
            self.pending.append(Segment(Kind.IMAGE, clean(alt), spoken=False))
            if not self.buf_has_words:
                self.flush()

    # --- blocks -----------------------------------------------------------------------------

    def heading(self, tag: Tag) -> None:
        text = inline_text(tag)
        if text:
            hint = self.hint(self.lang_of(tag))
            self.add(Segment(Kind.HEADING, text, lang_hint=hint), level=int(tag.name[1]))

    def header(self, tag: Tag) -> None:
        if self.headers:
            for h in tag.find_all(list(_HEADINGS)):
                self.heading(h)

    def listing(self, tag: Tag) -> None:
        items: list[str] = []
        stack: list[Iterator[Tag]] = [iter(_items(tag))]
        while stack:
            li = next(stack[-1], None)
            if li is None:
                stack.pop()
                continue
            items.append(inline_text(li, exclude=_ITEM_BREAKS))
            stack.append(iter(_items(li)))
        text = join_items(items)
        hint = self.hint(self.lang_of(tag))
        self.add(Segment(Kind.LIST, text, lang_hint=hint) if text else None)

    def blockquote(self, tag: Tag) -> None:
        lang = self.lang_of(tag)
        if is_tweet(tag):
            self.add(post_segment(tag, lang))
            return
        if self.depth >= _MAX_QUOTE_DEPTH:  # quotes in quotes in quotes: read as plain text
            self.add(paragraph(inline_text(tag), self.hint(lang)))
            return
        inner = _Walker(self.doc_lang, self.headers, self.depth + 1)
        inner.langs = [lang]
        segments, speaker = quotes.quoted(tag, inner.run, self.taken)
        said_by = Post(author=speaker) if speaker else None
        quote: list[str] = []
        for seg in [*segments, None]:
            if seg is not None and seg.kind in (Kind.PARAGRAPH, Kind.HEADING, Kind.LIST):
                quote.append(seg.text)
                continue
            if quote:
                text = "\n".join(quote)
                self.add(Segment(Kind.QUOTE, text, post=said_by, lang_hint=self.hint(lang)))
                quote = []
            self.add(seg)

    def pre(self, tag: Tag) -> None:
        text = tag.get_text().strip("\n").rstrip()
        self.add(Segment(Kind.CODE, text, spoken=False) if text.strip() else None)

    def table(self, tag: Tag) -> None:
        rows = []
        for tr in tag.find_all("tr"):
            cells = [inline_text(c) for c in tr.find_all(["td", "th"], recursive=False)]
            if any(cells):
                rows.append(" | ".join(cells))
        caption = tag.find("caption")
        if isinstance(caption, Tag) and inline_text(caption):
            rows.insert(0, inline_text(caption))
        self.add(Segment(Kind.TABLE, "\n".join(rows), spoken=False) if rows else None)

    def figcaption(self, tag: Tag) -> None:
        if id(tag) in self.taken:
            return
        text = inline_text(tag)
        self.add(Segment(Kind.CAPTION, text, spoken=False) if text else None)

    def embed(self, tag: Tag) -> None:
        self.add(embed_segment(tag))


_HANDLERS: dict[str, Callable[[_Walker, Tag], None]] = {
    **dict.fromkeys(_HEADINGS, _Walker.heading),
    **dict.fromkeys(_LISTS, _Walker.listing),
    **dict.fromkeys(_EMBEDS, _Walker.embed),
    "header": _Walker.header,
    "blockquote": _Walker.blockquote,
    "pre": _Walker.pre,
    "table": _Walker.table,
    "figcaption": _Walker.figcaption,
    "hr": lambda walker, tag: None,
}


def _promote_title(segments: list[Segment], levels: dict[int, int]) -> str | None:
    """Turn the lone ``<h1>`` into the title when it comes before any text."""
    ones = [i for i, level in levels.items() if level == 1]
    if len(ones) != 1:
        return None
    index = ones[0]
    if any(seg.kind in _TEXT_KINDS for seg in segments[:index]):
        return None
    seg = segments[index]
    segments[index] = Segment(Kind.TITLE, seg.text, lang_hint=seg.lang_hint)
    return seg.text


def walk(root: Tag, doc_lang: str | None = None, headers: bool = True) -> Walked:
    """Cut the tree under ``root`` into segments, in reading order.

    Args:
        root: The element holding the article's body (an ``<article>``, or a whole fragment).
        doc_lang: The page's own language; only differing ``lang`` attributes become hints.
        headers: Whether to keep the headings of ``<header>`` elements (inside an article they
            hold its title; around a whole page, the site's name).

    Returns:
        The segments, and the title when a lone ``<h1>`` leads the text.
    """
    walker = _Walker(doc_lang, headers)
    segments = walker.run(root)
    title = _promote_title(segments, walker.levels)
    return Walked(merge_lone_attributions(segments), title)
