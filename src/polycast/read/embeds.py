"""Embedded posts and media inside HTML: tweet blockquotes, iframes, videos."""

from __future__ import annotations

from bs4.element import Tag

from polycast.models import Kind, Post, Segment
from polycast.read.dom import attr, classes, inline_text
from polycast.read.posts import normalise_lang, split_attribution, status_url

_TWEET_CLASSES = frozenset({"twitter-tweet", "twitter-video"})


def is_tweet(tag: Tag) -> bool:
    """Tell whether a blockquote is a Twitter/X embed (the markup its embed code pastes)."""
    return not _TWEET_CLASSES.isdisjoint(classes(tag))


def _link(tag: Tag) -> str | None:
    """Return the post's own status link among the embed's links (the one on its date), if any."""
    found = None
    for a in tag.find_all("a", href=True):
        url = status_url(attr(a, "href") or "")
        if url:
            found = url
    return found


def tweet_segment(tag: Tag, inherited_lang: str | None = None) -> Segment | None:
    """Read a ``blockquote.twitter-tweet`` into a post segment.

    The embed holds the post in a ``<p lang>`` (the language the platform guessed: a hint, often
    wrong), then ``&mdash; Name (@handle)`` and a link to the post whose text is the date.

    Args:
        tag: The blockquote.
        inherited_lang: The language an enclosing element declares, used when the embed has none.

    Returns:
        A ``Kind.POST`` segment with its ``Post``; None when the embed holds no text.
    """
    text = inline_text(tag)
    if not text:
        return None
    paragraph = tag.find("p")
    hint_source = paragraph.get("lang") if isinstance(paragraph, Tag) else None
    lang_hint = normalise_lang(
        hint_source if isinstance(hint_source, str) else attr(tag, "lang") or inherited_lang
    )
    url = _link(tag)
    found = split_attribution(text)
    if found is None:
        body = inline_text(paragraph) if isinstance(paragraph, Tag) else text
        return Segment(Kind.POST, body or text, post=Post(url=url), lang_hint=lang_hint)
    post = Post(
        author=found.post.author,
        handle=found.post.handle,
        date_text=found.post.date_text,
        date=found.post.date,
        url=url or found.post.url,
    )
    return Segment(Kind.POST, found.text or text, post=post, lang_hint=lang_hint)


def embed_segment(tag: Tag) -> Segment:
    """Describe an iframe, video or audio player: shown in the segment list, never spoken."""
    label = attr(tag, "title") or attr(tag, "aria-label") or attr(tag, "src") or tag.name or ""
    return Segment(Kind.EMBED, label, spoken=False)
