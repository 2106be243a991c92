"""Small helpers every reader shares to turn blocks of text into segments."""

from __future__ import annotations

import re

from polycast.models import Kind, Segment
from polycast.read.posts import split_attribution

_SENTENCE_END = ".!?…:;。！？"
_CLOSERS = "\"'”’»)]】」』"
_TEMPLATE_TAGS = (("{%", "%}"), ("{{", "}}"))


def ends_sentence(text: str) -> bool:
    """Tell whether ``text`` ends in sentence punctuation, closing quotes or brackets aside.

    >>> ends_sentence("Hij zei: ‘Ja.’"), ends_sentence("Uniestaat"), ends_sentence("終わり。")
    (True, False, True)
    """
    stripped = text.rstrip().rstrip(_CLOSERS)
    return bool(stripped) and stripped[-1] in _SENTENCE_END


def join_items(items: list[str]) -> str:
    r"""Join list items into sentences, one a line, adding a full stop where an item has none.

    The planner speaks sentence by sentence; an item without end punctuation would run into the
    next one.

    >>> join_items(["JHU", "INSPIRE", "Done!"])
    'JHU.\nINSPIRE.\nDone!'
    """
    return "\n".join(item if ends_sentence(item) else item + "." for item in items if item)


def strip_templates(text: str) -> str:
    """Remove template tags (``{% … %}``, ``{{ … }}``) that static-site sources leave in text.

    Scans with ``str.find`` so that an unclosed tag costs one pass, never a quadratic search.

    >>> strip_templates("A {% include x.html %}B {{< tweet 1 >}}C {{ unclosed")
    'A B C {{ unclosed'
    """
    for opener, closer in _TEMPLATE_TAGS:
        if opener not in text:
            continue
        parts: list[str] = []
        pos = 0
        while (start := text.find(opener, pos)) >= 0:
            end = text.find(closer, start + len(opener))
            if end < 0:
                break
            parts.append(text[pos:start])
            pos = end + len(closer)
        parts.append(text[pos:])
        text = "".join(parts)
    return text


def tidy(text: str) -> str:
    """Collapse runs of spaces, trim each line, and allow at most one empty line in a row."""
    text = re.sub(r"[ \t\f\v]+", " ", text)
    text = re.sub(r" ?\n ?", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def paragraph(text: str, lang_hint: str | None = None) -> Segment | None:
    """Make a paragraph segment, or a post when it ends in an attribution line; None if empty.

    Args:
        text: The paragraph as written, markup removed.
        lang_hint: A language the source claims for it.
    """
    text = tidy(text)
    if not text:
        return None
    found = split_attribution(text)
    if found and found.text:
        return Segment(Kind.POST, found.text, post=found.post, lang_hint=lang_hint)
    return Segment(Kind.PARAGRAPH, text, lang_hint=lang_hint)


def merge_lone_attributions(segments: list[Segment]) -> list[Segment]:
    """Join an attribution that stands alone to the paragraph before it, making it a post.

    Some copies put ``— Name (@handle) date`` on a paragraph of its own after the post's text.
    """
    out: list[Segment] = []
    for seg in segments:
        lone = seg.kind is Kind.PARAGRAPH and split_attribution(seg.text)
        if lone and not lone.text and out and out[-1].kind is Kind.PARAGRAPH:
            prev = out.pop()
            out.append(Segment(Kind.POST, prev.text, post=lone.post, lang_hint=prev.lang_hint))
        else:
            out.append(seg)
    return out


def has_speech(segments: list[Segment] | tuple[Segment, ...]) -> bool:
    """Tell whether at least one segment will be spoken and has words."""
    return any(seg.spoken and seg.text.strip() for seg in segments)
