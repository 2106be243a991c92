"""Embedded posts and media inside HTML: post blockquotes, iframes, videos.

The embed codes of Twitter/X and Bluesky paste the same shape: the post's words in a ``<p lang>``,
then ``&mdash; Name (@handle)`` and a link to the post on its date. Instagram's pastes the caption
(when it gives one), "A post shared by Name (@handle)" and a ``<time>``; Mastodon's only names the
post's author and links to it (a script draws the rest), so it is shown, not spoken.
"""

from __future__ import annotations

import re

from bs4.element import Tag

from polycast.models import Kind, Post, Segment
from polycast.read.dates import normalise_date
from polycast.read.dom import attr, classes, inline_text
from polycast.read.posts import normalise_lang, split_attribution, status_url

_TWEET_CLASSES = frozenset({"twitter-tweet", "twitter-video", "bluesky-embed"})
_INSTAGRAM = "instagram-media"
_MASTODON = "mastodon-embed"
_POST_CLASSES = _TWEET_CLASSES | {_INSTAGRAM, _MASTODON}
_SHARED_BY = re.compile(
    r"A post shared by\s*(?P<author>[^()\n]{0,120}?)\s*\(@(?P<handle>[\w.]{1,40})\)"
)
_INSTAGRAM_CHROME = re.compile(r"View this (?:post|profile) on Instagram", re.IGNORECASE)
_MASTODON_HANDLE = re.compile(r"@(?P<handle>[\w.]{1,60}@[\w-]+(?:\.[\w-]+)+)")


def is_tweet(tag: Tag) -> bool:
    """Tell whether a blockquote is a post's embed code: Twitter/X, Bluesky, Instagram, Mastodon."""
    return not _POST_CLASSES.isdisjoint(classes(tag))


def post_segment(tag: Tag, inherited_lang: str | None = None) -> Segment | None:
    """Read an embedded post's blockquote, whichever platform's embed code pasted it."""
    names = classes(tag)
    if _INSTAGRAM in names:
        return _instagram(tag, inherited_lang)
    if _MASTODON in names:
        return _mastodon(tag)
    return tweet_segment(tag, inherited_lang)


def _instagram(tag: Tag, inherited_lang: str | None) -> Segment | None:
    """Read Instagram's embed: its caption is the post, "A post shared by" its attribution."""
    words: list[str] = []
    shared = None
    for p in tag.find_all("p"):
        text = inline_text(p)
        found = _SHARED_BY.search(text)
        if found:
            shared = found
        elif text and not _INSTAGRAM_CHROME.fullmatch(text):
            words.append(text)
    time = tag.find("time")
    when = time if isinstance(time, Tag) else None
    post = Post(
        author=shared["author"].strip() or None if shared else None,
        handle=shared["handle"] if shared else None,
        date_text=inline_text(when) or None if when else None,
        date=normalise_date(attr(when, "datetime")) if when else None,
        url=status_url(attr(tag, "data-instgrm-permalink") or "") or _link(tag),
    )
    if not words:
        by = f" by {post.author}" if post.author else ""
        return Segment(Kind.EMBED, f"Instagram post{by}", post=post, spoken=False)
    lang = normalise_lang(attr(tag, "lang") or inherited_lang)
    return Segment(Kind.POST, "\n".join(words), post=post, lang_hint=lang)


def _mastodon(tag: Tag) -> Segment:
    """Describe Mastodon's embed, which holds no words of the post: shown, never spoken."""
    handle = _MASTODON_HANDLE.search(inline_text(tag))
    url = (attr(tag, "data-embed-url") or "").removesuffix("/embed") or None
    post = Post(handle=handle["handle"] if handle else None, url=url)
    label = f"Mastodon post by @{post.handle}" if post.handle else "Mastodon post"
    return Segment(Kind.EMBED, label, post=post, spoken=False)


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
