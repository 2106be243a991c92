"""Who said a quote: the speaker a blockquote names, so that the episode can say it too.

Pages and posts name a quote's speaker in a few set ways, all read here:

- HTML: a ``<footer>`` or a ``<cite>`` inside the ``<blockquote>`` ("— Charles de Gaulle"), or the
  ``<figcaption>`` of the ``<figure>`` around it;
- Markdown and plain HTML: a last line that starts with a dash (``> — Charles de Gaulle``), on a
  line of its own or after the quote's last sentence.

What follows the name after a comma or in brackets is the source, not the speaker ("— Charles de
Gaulle, Mémoires de guerre" -> "Charles de Gaulle"). A line too long or too wordy for a name is
left in the quote as text.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

from bs4.element import Tag

from polycast.models import Kind, Segment
from polycast.read.dom import inline_text

_SPEAKER_TAGS = frozenset({"footer", "cite"})
_DASH = r"(?:—|–|―|--)"
_OPENING_DASH = re.compile(rf"^\s*{_DASH}\s*")
_DASH_LINE = re.compile(
    # A dash at the start of a line, or after the quote's last sentence and its closing quote.
    rf"(?:^|(?<=[.!?…\"'”’»)])[ \t]+){_DASH}[ \t]*(?P<name>[^—–―\n]{{1,120}})\Z",
    re.MULTILINE,
)
_MAX_NAME_WORDS = 8
_MAX_NAME_CHARS = 80


def speaker_element(quote: Tag) -> Tag | None:
    """Return the element that names ``quote``'s speaker, if it has one.

    A ``<footer>`` or ``<cite>`` child of the blockquote (the last one), else a ``<figcaption>``
    after the blockquote in the ``<figure>`` around it.
    """
    found = None
    for child in quote.children:
        if isinstance(child, Tag) and child.name in _SPEAKER_TAGS:
            found = child
    if found is not None:
        return found
    parent = quote.parent
    if isinstance(parent, Tag) and parent.name == "figure":
        for sibling in quote.next_siblings:
            if isinstance(sibling, Tag) and sibling.name == "figcaption":
                return sibling
    return None


def speaker_name(attribution: str) -> str | None:
    """Read a speaker's name from an attribution; None when it does not look like a name.

    >>> speaker_name("— Charles de Gaulle, Mémoires de guerre"), speaker_name("Mark Twain (1835)")
    ('Charles de Gaulle', 'Mark Twain')
    >>> speaker_name("— and then everything we had built in those years fell apart again")
    """
    name = _OPENING_DASH.sub("", attribution)
    name = re.split(r"[,(\[]", name, maxsplit=1)[0].strip().rstrip(".")
    words = name.split()
    if not words or len(words) > _MAX_NAME_WORDS or len(name) > _MAX_NAME_CHARS:
        return None
    if not any(c.isalpha() for c in name) or re.search(r"[!?:;…]", name):
        return None
    return name


def split_speaker(text: str) -> tuple[str, str | None]:
    r"""Split a quote's text from a closing "— Name" line; the name is None when there is none.

    >>> split_speaker("Vive la France ! — Charles de Gaulle")
    ('Vive la France !', 'Charles de Gaulle')
    >>> split_speaker("Een zin.\n— Multatuli"), split_speaker("Wij gingen — zonder haast — weg.")
    (('Een zin.', 'Multatuli'), ('Wij gingen — zonder haast — weg.', None))
    """
    match = _DASH_LINE.search(text, max(0, len(text) - 200))
    name = speaker_name(match["name"]) if match else None
    if match is None or name is None:
        return text, None
    return text[: match.start()].rstrip(), name


def quoted(
    tag: Tag, run: Callable[[Tag], list[Segment]], taken: set[int]
) -> tuple[list[Segment], str | None]:
    """Walk a blockquote's blocks with ``run`` and find who said them (None if it names nobody).

    Args:
        tag: the blockquote.
        run: the walker that cuts its content into segments.
        taken: ids of elements the caller must not read again; a figure's caption that named
            the speaker is added, so it is not shown a second time as a caption.
    """
    element = speaker_element(tag)
    speaker = speaker_name(inline_text(element)) if element is not None else None
    if element is not None and speaker:
        if element.parent is tag:
            element.extract()  # a cite would otherwise be read as the quote's last words
        else:
            taken.add(id(element))
    segments = run(tag)
    last = segments[-1] if segments else None
    if speaker is None and last is not None and last.kind is Kind.PARAGRAPH:
        text, speaker = split_speaker(last.text)
        if speaker:
            segments[-1:] = [dataclasses.replace(last, text=text)] if text else []
    return segments, speaker
