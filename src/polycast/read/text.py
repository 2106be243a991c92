"""Plain-text articles: paragraphs separated by blank lines, as copied from a web page.

The shape is the one a browser's "copy" gives of a news article (see
``tests/data/articles/loekasjenko-poetin-2021-09.txt``): an optional first line with the date and
the lead photo's caption, paragraphs, short unpunctuated lines as section headings, and embedded
posts flattened to their text followed by ``— Name (@handle) date``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from polycast.models import Article, Kind, Segment
from polycast.read.blocks import ends_sentence, join_items, merge_lone_attributions, paragraph
from polycast.read.dates import normalise_date
from polycast.read.meta import Meta, parse_headers
from polycast.read.posts import split_attribution

_DATE_LINE = re.compile(
    r"\s*date\s*:?\s+(\d{4}-\d{2}(?:-\d{2})?)(?![\d-])\s*(.*)", re.IGNORECASE | re.DOTALL
)
_CREDIT = re.compile(
    r"(?:^|[\s.)])(?:Beeld|Foto|Fotografie|Illustratie|Photo|Image|Picture|Credit|Bild|Imagen)"
    r"\s*:?\s+\S[^\n.!?]{0,60}$"
)
_LIST_ITEM = re.compile(r"\s{0,3}(?:[-*+•·]|\d{1,3}[.)])\s+(\S.*)")
_HEADING_MAX_CHARS = 80
_HEADING_MAX_WORDS = 12
_TITLE_MAX_CHARS = 200
_CAPTION_MAX_CHARS = 400


def _paragraphs(text: str) -> Iterator[list[str]]:
    """Yield paragraphs as lists of lines; blank (whitespace-only) lines separate them."""
    block: list[str] = []
    for line in text.split("\n"):
        if line.strip():
            block.append(line.rstrip())
        elif block:
            yield block
            block = []
    if block:
        yield block


def is_caption(text: str) -> bool:
    """Tell whether a short block ends in a photo credit ("… (rechts). Beeld AFP").

    >>> is_caption("Poetin (rechts). Beeld AFP"), is_caption("Hij keek naar de foto van AFP.")
    (True, False)
    """
    return len(text) <= _CAPTION_MAX_CHARS and bool(_CREDIT.search(text[-80:]))


def _is_heading(lines: list[str]) -> bool:
    """Tell a section heading: one short line with a letter and no end punctuation."""
    if len(lines) != 1:
        return False
    line = lines[0].strip()
    return (
        len(line) <= _HEADING_MAX_CHARS
        and len(line.split()) <= _HEADING_MAX_WORDS
        and any(c.isalpha() for c in line)
        and not ends_sentence(line)
        and line[-1] not in ",–—-"
        and not _LIST_ITEM.fullmatch(line)
        and "://" not in line
        and split_attribution(line) is None
    )


def _is_title(lines: list[str]) -> bool:
    """Tell a title: one line with a letter, not ending like a sentence ("?" and "!" are fine)."""
    if len(lines) != 1:
        return False
    line = lines[0].strip()
    return (
        len(line) <= _TITLE_MAX_CHARS
        and any(c.isalpha() for c in line)
        and line.rstrip("\"'”’»)")[-1:] not in tuple(".,;:…。")
        and not is_caption(line)
        and split_attribution(line) is None
    )


def _list_items(lines: list[str]) -> list[str] | None:
    """Return the items of a paragraph that is a list (each starts with a marker), else None."""
    if not _LIST_ITEM.fullmatch(lines[0]):
        return None
    items: list[str] = []
    for line in lines:
        m = _LIST_ITEM.fullmatch(line)
        if m:
            items.append(m[1].strip())
        else:
            items[-1] += " " + line.strip()
    return items if len(items) > 1 else None


def _block(lines: list[str]) -> Segment | None:
    """Classify one paragraph of lines."""
    text = "\n".join(line.strip() for line in lines)
    if is_caption(" ".join(lines)):
        return Segment(Kind.CAPTION, " ".join(text.split()), spoken=False)
    if _is_heading(lines):
        return Segment(Kind.HEADING, text)
    items = _list_items(lines)
    if items:
        return Segment(Kind.LIST, join_items(items))
    seg = paragraph(text)
    if seg is not None and seg.kind is Kind.PARAGRAPH:
        # Hard-wrapped prose: line ends are layout, not meaning. Posts keep their lines.
        return Segment(Kind.PARAGRAPH, " ".join(seg.text.split()))
    return seg


def _opening(blocks: list[list[str]]) -> tuple[Meta, list[Segment], int]:
    """Read what can open a plain-text article: headers, a date line with a caption, a title.

    Returns:
        The metadata found, the segments it yields, and how many paragraphs it used.
    """
    first = blocks[0]
    headers = parse_headers(first)
    if headers is not None:
        return headers, [], 1
    m = _DATE_LINE.fullmatch(first[0])
    if m:
        rest = " ".join([m[2], *first[1:]]).strip()
        segments = [Segment(Kind.CAPTION, rest, spoken=False)] if rest else []
        return Meta(date=normalise_date(m[1])), segments, 1
    if len(blocks) > 1 and _is_title(first):
        title = first[0].strip()
        return Meta(title=title), [Segment(Kind.TITLE, title)], 1
    return Meta(), [], 0


def read_text(text: str) -> Article:
    r"""Read a plain-text article.

    Args:
        text: The article, decoded, with ``\n`` line ends.

    Returns:
        The article; its title only when the first line is a title on its own, its date from a
        ``date YYYY-MM[-DD]`` first line or ``Date:`` header.
    """
    blocks = list(_paragraphs(text))
    if not blocks:
        return Article(segments=())
    meta, segments, used = _opening(blocks)
    for lines in blocks[used:]:
        seg = _block(lines)
        if seg is not None:
            segments.append(seg)
    return Article(
        segments=tuple(merge_lone_attributions(segments)),
        title=meta.title,
        date=meta.date,
        author=meta.author,
        language=meta.language,
    )
