"""Embedded posts and media inside HTML: post blockquotes, iframes, videos.

The embed codes of Twitter/X and Bluesky paste the same shape: the post's words in a ``<p lang>``,
then ``&mdash; Name (@handle)`` and a link to the post on its date. Instagram's pastes the caption
(when it gives one), "A post shared by Name (@handle)" and a ``<time>``. Mastodon's (its "Embed"
dialog and oEmbed since 4.3) only says "Post by @user@host" and links to the post, for a script
to draw the rest; older code is an ``<iframe class="mastodon-embed">``. Both are shown, not
spoken. A Mastodon blockquote that does hold the post's words (pasted as Twitter's code pastes
them) is read as a post like the others.
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
_MASTODON_CHROME = re.compile(
    r"Post by @(?P<handle>[\w.]{1,60}@[\w-]+(?:\.[\w-]+)+)|View on Mastodon", re.IGNORECASE
)
"""What Mastodon's embed code prints around the post's link, and a script replaces."""
_MASTODON_STATUS = re.compile(
    r"https?://(?P<host>[\w-]+(?:\.[\w-]+)+)/@(?P<user>[\w.]{1,60}(?:@[\w-]+(?:\.[\w-]+)+)?)"
    r"/\d{1,25}"
)
"""A Mastodon post's own address, ``https://HOST/@user/ID`` (its embed adds ``/embed``)."""


def is_tweet(tag: Tag) -> bool:
    """Tell whether a blockquote is a post's embed code: Twitter/X, Bluesky, Instagram, Mastodon."""
    return not _POST_CLASSES.isdisjoint(classes(tag))


def post_segment(tag: Tag, inherited_lang: str | None = None) -> Segment | None:
    """Read an embedded post's blockquote, whichever platform's embed code pasted it."""
    names = classes(tag)
    if _INSTAGRAM in names:
        return _instagram(tag, inherited_lang)
    if _MASTODON in names:
        return _mastodon(tag, inherited_lang)
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


def _mastodon(tag: Tag, inherited_lang: str | None) -> Segment:
    """Read Mastodon's embed: a post when it holds the post's words, else shown, never spoken.

    Its own code's "Post by @user@host" and "View on Mastodon" are left out of the words; what
    remains is read as Twitter's code is, ``— Name (@user@host) date`` naming who and when.
    """
    said = inline_text(tag)
    chrome = next((m["handle"] for m in _MASTODON_CHROME.finditer(said) if m["handle"]), None)
    lines = (" ".join(line.split()) for line in _MASTODON_CHROME.sub(" ", said).splitlines())
    words = "\n".join(line for line in lines if line)
    url = _mastodon_url(attr(tag, "data-embed-url")) or _mastodon_url(_link_to_status(tag))
    found = split_attribution(words) if words else None
    attributed = found.post if found is not None else Post()
    time = tag.find("time")
    when = time if isinstance(time, Tag) else None
    post = Post(
        author=attributed.author,
        handle=attributed.handle or chrome or _mastodon_handle(url),
        date_text=attributed.date_text or (inline_text(when) or None if when else None),
        date=attributed.date or (normalise_date(attr(when, "datetime")) if when else None),
        url=url,
    )
    if not words or (found is not None and not found.text):
        return _mastodon_shown(post)
    paragraph = tag.find("p", lang=True)
    hint = attr(paragraph, "lang") if isinstance(paragraph, Tag) else None
    lang = normalise_lang(hint or attr(tag, "lang") or inherited_lang)
    return Segment(Kind.POST, found.text if found else words, post=post, lang_hint=lang)


def _mastodon_shown(post: Post) -> Segment:
    """Describe a Mastodon embed that holds no words of the post: shown, never spoken."""
    label = f"Mastodon post by @{post.handle}" if post.handle else "Mastodon post"
    return Segment(Kind.EMBED, label, post=post, spoken=False)


def _mastodon_url(address: str | None) -> str | None:
    """Return a Mastodon post's own address from it or its embed's, without ``/embed``.

    >>> _mastodon_url("https://mastodon.social/@jane/1130/embed?x=1")
    'https://mastodon.social/@jane/1130'
    """
    found = _MASTODON_STATUS.match(address or "")
    return found[0] if found else None


def _mastodon_handle(url: str | None) -> str | None:
    """Return the ``user@host`` handle a Mastodon post's address names.

    >>> _mastodon_handle("https://mastodon.social/@jane/1130")
    'jane@mastodon.social'
    """
    found = _MASTODON_STATUS.match(url or "")
    if found is None:
        return None
    user = found["user"]
    return user if "@" in user else f"{user}@{found['host']}"


def _link_to_status(tag: Tag) -> str | None:
    """Return the first link in ``tag`` to a Mastodon post, if any."""
    for a in tag.find_all("a", href=True):
        href = attr(a, "href") or ""
        if _MASTODON_STATUS.match(href):
            return href
    return None


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
    """Describe an iframe, video or audio player: shown in the segment list, never spoken.

    A Mastodon post's iframe (its older embed code) keeps the post's address and handle.
    """
    src = attr(tag, "src") or ""
    if tag.name == "iframe" and (_MASTODON in classes(tag) or src.endswith("/embed")):
        url = _mastodon_url(src)
        if url is not None:
            return _mastodon_shown(Post(handle=_mastodon_handle(url), url=url))
    label = attr(tag, "title") or attr(tag, "aria-label") or attr(tag, "src") or tag.name or ""
    return Segment(Kind.EMBED, label, spoken=False)
