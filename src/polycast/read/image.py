"""An article's lead image: the picture its publisher shows with it, as an absolute URL.

Publishers name it in several places, most deliberate first: the JSON-LD ``image`` of the
article object, the ``og:image``/``twitter:image`` meta tags, then the first ``<figure><img>`` of
the body. Only an absolute http(s) URL is kept: a relative one is resolved against the page's
own address (``og:url`` or ``<link rel=canonical>``) when it gives one, else dropped, since a
feed's reader has no base to resolve it against. The image is never fetched.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

if TYPE_CHECKING:  # bs4 takes longer to import than a plain-text article takes to read
    from bs4 import BeautifulSoup
    from bs4.element import Tag

_ARTICLE_TYPES = {
    "article", "newsarticle", "blogposting", "reportagenewsarticle", "report", "liveblogposting",
    "analysisnewsarticle", "opinionnewsarticle", "reviewnewsarticle", "techarticle", "posting",
}  # fmt: skip
_META_KEYS = (
    "og:image",
    "og:image:url",
    "og:image:secure_url",
    "twitter:image",
    "twitter:image:src",
)
_MAX_URL = 2048
"""Longer "URLs" are data or tracking blobs, not an address a podcast app would fetch."""


def absolute_url(value: object, base: str | None = None) -> str | None:
    """Return ``value`` as an absolute http(s) URL, resolved against ``base``; else None.

    >>> absolute_url("/img/a.jpg", "https://example.org/news/1")
    'https://example.org/img/a.jpg'
    >>> absolute_url("/img/a.jpg") is None
    True
    >>> absolute_url("data:image/png;base64,AAAA", "https://example.org/") is None
    True
    """
    if not isinstance(value, str):
        return None
    url = value.strip()
    if not url or len(url) > _MAX_URL or any(c.isspace() or ord(c) < 0x20 for c in url):
        return None
    if base and _is_http(base) and not urlsplit(url).scheme:
        url = urljoin(base, url)
    return url if _is_http(url) else None


def _is_http(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def _ld_image(value: object) -> object:
    """Return a JSON-LD ``image``'s first candidate: a string, an object's url, a list's first."""
    if isinstance(value, list):
        return next((found for v in value if (found := _ld_image(v))), None)
    if isinstance(value, Mapping):
        return value.get("url") or value.get("contentUrl")
    return value


def is_article(item: Mapping[str, object]) -> bool:
    """Tell a JSON-LD article object (``NewsArticle``, ``BlogPosting``...) from the rest."""
    kind = item.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return any(isinstance(k, str) and k.lower() in _ARTICLE_TYPES for k in kinds)


def page_base(soup: BeautifulSoup, metas: Mapping[str, str]) -> str | None:
    """Return the page's own address, from ``og:url`` or ``<link rel=canonical>``, when absolute."""
    from bs4.element import Tag  # noqa: PLC0415 (only HTML pages reach here)

    from polycast.read.dom import attr  # noqa: PLC0415 (same)

    link = soup.find("link", attrs={"rel": "canonical", "href": True})
    for value in (metas.get("og:url"), attr(link, "href") if isinstance(link, Tag) else None):
        url = absolute_url(value)
        if url:
            return url
    return None


def _candidates(
    metas: Mapping[str, str], ld: Sequence[Mapping[str, object]], root: Tag
) -> Iterator[object]:
    """Yield the lead image's candidates, most deliberate first; the body is searched last."""
    from bs4.element import Tag  # noqa: PLC0415 (only HTML pages reach here)

    from polycast.read.dom import attr  # noqa: PLC0415 (same)

    yield from (_ld_image(item.get("image")) for item in ld if is_article(item))
    yield from (metas.get(key) for key in _META_KEYS)
    img = root.select_one("figure img[src]")
    if isinstance(img, Tag):
        yield attr(img, "src")


def lead_image(
    soup: BeautifulSoup, metas: Mapping[str, str], ld: Sequence[Mapping[str, object]], root: Tag
) -> str | None:
    """Find an HTML article's lead image; None when it names none that can be addressed.

    Args:
        soup: the whole page.
        metas: its ``<meta>`` contents by lowercased name or property.
        ld: its JSON-LD objects.
        root: the article body's element.
    """
    base: list[str | None] = []  # the page's address, looked for once a relative URL needs it
    for value in _candidates(metas, ld, root):
        url = absolute_url(value)
        if url is None and isinstance(value, str) and value.strip():
            base = base or [page_base(soup, metas)]
            url = absolute_url(value, base[0])
        if url:
            return url
    return None


def front_matter_image(value: object) -> str | None:
    """Return the image a front matter key names: a string, or a mapping's image, src or url.

    Front matter gives no page address, so a relative path (a site-local image) is dropped.
    """
    if isinstance(value, Mapping):
        value = value.get("image") or value.get("src") or value.get("url")
    if isinstance(value, list):
        value = value[0] if value else None
    return absolute_url(value)
