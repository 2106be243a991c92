r"""The article, and only the article, out of a full web page.

A saved news page holds the article among menus, teasers, share buttons, cookie notices and
comments. Telling them apart is what generic extractors are good at, so trafilatura (in its
precision mode) names the page's main text. It flattens what polycast must keep, though: embedded
posts with their author and link, quotes with their speaker, headings, lists, captions. So
polycast walks the page itself and keeps each block that the extractor's text vouches for, and the
posts, quotes, captions and images that sit among those blocks.

Blocks are matched by word shingles (runs of four ``\w+`` tokens, case folded), the way the
article-extraction benchmark compares texts: a block is the article's when most of its shingles
are in the main text. Each matched shingle is used once, so a teaser that repeats the lead is
not read twice. A block shorter than four words (a heading, a line of Japanese) is kept when it
is a line of the main text and sits among or beside kept blocks.
"""

from __future__ import annotations

import copy
import logging
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from lxml.html import HtmlElement

from polycast.models import Kind, Segment

_TOKEN = re.compile(r"\w+")
_EXTRACTOR_LOGGERS = ("trafilatura", "readability", "justext", "htmldate", "courlan")
_CHROME = ("aside", "nav", "footer")
"""Elements trafilatura deletes before its own extractor reads a tree; cut before it starts."""
_SIZE = 4
"""Tokens in a shingle (``_grams`` zips four shifted copies)."""
_KEEP_SHARE = 0.5
"""A block whose shingles are at least this share in the main text is the article's."""
_JUDGED = frozenset({Kind.PARAGRAPH, Kind.HEADING, Kind.LIST, Kind.QUOTE})
"""Kinds judged by their words."""
_AMONG = frozenset(
    {Kind.POST, Kind.QUOTE, Kind.CAPTION, Kind.IMAGE, Kind.TABLE, Kind.CODE, Kind.EMBED}
)
"""Kinds kept beside the article's blocks: extractors drop or flatten them (a quote, too)."""


def words(text: str) -> list[str]:
    r"""Return the ``\w+`` tokens of ``text``, case folded."""
    return _TOKEN.findall(text.casefold())


def _grams(tokens: Sequence[str]) -> Iterable[tuple[str, ...]]:
    """Yield every run of four tokens: shifted copies zipped, not a slice and tuple per run."""
    return zip(tokens, tokens[1:], tokens[2:], tokens[3:], strict=False)  # the last runs end


def shingle_set(text: str) -> set[tuple[str, ...]]:
    """Return the distinct runs of four tokens of ``text`` (none under four tokens)."""
    return set(_grams(words(text)))


@dataclass
class Reference:
    """The main text an extractor found, as shingles to match blocks against."""

    shingles: Counter[tuple[str, ...]]
    """Every run of four tokens, with its count; a match uses one up."""
    short: set[tuple[str, ...]]
    """Every line of one to three tokens, for blocks too short to have a shingle."""

    @classmethod
    def of(cls, text: str) -> Reference:
        """Index ``text``."""
        lines = (tuple(words(line)) for line in text.splitlines())
        short = {line for line in lines if 0 < len(line) < _SIZE}
        return cls(Counter(_grams(words(text))), short)

    def __len__(self) -> int:
        return sum(self.shingles.values())

    def take(self, text: str) -> bool | None:
        """Use up the block's shingles if it is the article's; None for a block under 4 words."""
        tokens = words(text)
        if len(tokens) < _SIZE:
            return None if tokens else False
        grams = list(_grams(tokens))
        found = Counter(grams) & self.shingles
        if sum(found.values()) < _KEEP_SHARE * len(grams):
            return False
        for gram, count in found.items():  # not ``-=``: it rescans the whole reference
            self.shingles[gram] -= count
        return True

    def has_short(self, text: str) -> bool:
        """Tell whether a block of one to three words is a line of the main text."""
        return tuple(words(text)) in self.short


def covered(segments: Sequence[Segment], reference_text: str) -> float:
    """Return the share of the main text's shingles that the spoken segments hold."""
    ref = Counter(_grams(words(reference_text)))
    total = sum(ref.values())
    if not total:
        return 0.0
    spoken = Counter[tuple[str, ...]]()
    for seg in segments:
        if seg.spoken:
            spoken.update(_grams(words(seg.text)))
    return sum((ref & spoken).values()) / total


def keep_main(segments: Sequence[Segment], reference_text: str) -> list[Segment]:
    """Keep the segments that are the article, by the main text an extractor found.

    Args:
        segments: every block of the page (or of its content element), in reading order.
        reference_text: the page's main text as an extractor found it.

    Returns:
        The title, the text blocks the main text vouches for, and the posts, quotes, captions,
        images, tables and embeds beside them.
    """
    ref = Reference.of(reference_text)
    verdicts = [ref.take(seg.text) if seg.kind in _JUDGED else False for seg in segments]
    kept = [i for i, verdict in enumerate(verdicts) if verdict]
    near = _beside_kept(segments, verdicts)
    for i, verdict in enumerate(verdicts):
        if verdict is None:  # a block too short to judge alone: by its words and its place
            placed = not kept or kept[0] < i < kept[-1] or near[i]
            verdicts[i] = placed and ref.has_short(segments[i].text)
    beside = _beside_kept(segments, verdicts)
    return [
        seg
        for seg, verdict, close in zip(segments, verdicts, beside, strict=True)
        if seg.kind is Kind.TITLE or verdict or (close and seg.kind in _AMONG)
    ]


def _beside_kept(segments: Sequence[Segment], verdicts: Sequence[bool | None]) -> list[bool]:
    """Tell, per segment, whether the nearest text block before or after it was kept.

    Posts, quotes and captions belong to the text around them: one that opens or closes the
    article sits beside a kept block on one side only.
    """
    n = len(segments)
    before = [False] * n
    after = [False] * n
    last: bool = False
    for i in range(n):
        before[i] = last
        if segments[i].kind in _JUDGED:
            last = bool(verdicts[i])
    last = False
    for i in reversed(range(n)):
        after[i] = last
        if segments[i].kind in _JUDGED:
            last = bool(verdicts[i])
    return [b or a for b, a in zip(before, after, strict=True)]


def _quiet() -> None:
    """Quieten the extractors' loggers (see ``main_text``).

    Only where one is not quiet yet: setting a level clears every logger's cache, which took a
    millisecond on each page.
    """
    for name in _EXTRACTOR_LOGGERS:
        logger = logging.getLogger(name)
        if logger.level != logging.CRITICAL:
            logger.setLevel(logging.CRITICAL)


def page_tree(html: str) -> HtmlElement | None:
    """Parse a page once, as trafilatura would, for both it and ``read.focus`` (None: not HTML)."""
    import trafilatura  # noqa: PLC0415 (slow import, only for full pages)

    _quiet()
    return trafilatura.load_html(html)


def main_text(page: str | HtmlElement | None) -> str:
    """Return the page's main text as trafilatura finds it ("" if none).

    Precision mode first, since what the listener hears of the page's chrome costs more than a
    line of the article missed; on a page where it finds nothing at all, the default mode.
    A tree (``page_tree``) is left as it was: trafilatura prunes what it is given, so each pass
    gets a copy (``_without_chrome``), which costs a fraction of parsing the page again.

    Its fallback extractors log a warning whenever they give up on a page, which is often and
    harmless here: a user would read it as polycast's own complaint, so their loggers are quiet.
    """
    import trafilatura  # noqa: PLC0415 (slow import, only for full pages)

    if page is None:
        return ""
    _quiet()
    for precise in (True, False):
        found = trafilatura.extract(
            page if isinstance(page, str) else _without_chrome(page),
            favor_precision=precise,
            include_comments=False,
            include_tables=True,
        )
        if found:
            return found
    return ""


def _without_chrome(tree: HtmlElement) -> HtmlElement:
    """Return a copy of the tree without its asides, navigation and footers (their tails kept).

    trafilatura's own extractor never sees them (its cleaning deletes them first), but its
    safety nets (readability, a baseline) and its pruning by class and id run over the whole raw
    tree: on a news page, mostly menus and teasers in those elements. Cut first, the extraction
    of a 1 MB page takes a quarter of the time, and the main text of the benchmark's 91 pages is
    the same to the character.

    They are not copied at all: each stands aside for an empty element of its name (holding its
    tail) while the tree is copied, and is put back after, so the tree is as it was. Copying the
    menus only to free them again took longer than the copy of the rest.

    >>> import lxml.html
    >>> tree = lxml.html.document_fromstring("<p>a</p><aside>b<nav>c</nav></aside>d<footer>e")
    >>> lxml.html.tostring(_without_chrome(tree).find("body")), len(tree.find("body"))
    (b'<body><p>a</p>d</body>', 3)
    """
    chrome = [
        element
        for element in tree.iter(*_CHROME)
        if element.getparent() is not None  # the root has none to drop it from
        and not any(outer.tag in _CHROME for outer in element.iterancestors())
    ]
    stand_ins: list[tuple[HtmlElement, HtmlElement]] = []
    try:
        for element in chrome:
            stand_in = element.makeelement(element.tag)
            stand_in.tail = element.tail
            element.getparent().replace(element, stand_in)  # each keeps its own tail
            stand_ins.append((element, stand_in))
        copied = copy.deepcopy(tree)
    finally:
        for element, stand_in in stand_ins:
            stand_in.getparent().replace(stand_in, element)
    for stand_in in list(copied.iter(*_CHROME)):
        if stand_in.getparent() is not None:
            stand_in.drop_tree()
    return copied
