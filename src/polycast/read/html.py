"""HTML articles: a saved page or a fragment, read as far as it goes.

The article body is the largest ``<article>`` (or ``<main>``, else ``<body>``) without the
navigation, headers, footers, asides and scripts around it. Metadata come from the places
publishers put them: ``<html lang>``, Open Graph and ``article:`` meta tags, JSON-LD, ``<time>``.
``html.parser`` accepts any tag soup, so a broken page yields what it holds, never a traceback.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Iterator

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning
from bs4.element import Tag
from bs4.exceptions import ParserRejectedMarkup

from polycast.errors import InputError
from polycast.models import Article
from polycast.read.blocks import has_speech
from polycast.read.dates import normalise_date
from polycast.read.dom import attr, inline_text
from polycast.read.focus import focus
from polycast.read.image import is_article, lead_image
from polycast.read.main import main_text, page_tree
from polycast.read.page import drop_inert, is_page, page_segments
from polycast.read.posts import normalise_lang
from polycast.read.walk import walk

_DATE_KEYS = (
    "article:published_time", "datepublished", "date", "pubdate", "publishdate",
    "dc.date", "dc.date.issued", "dcterms.date", "dcterms.created", "citation_publication_date",
    "parsely-pub-date", "sailthru.date", "og:article:published_time",
)  # fmt: skip
_AUTHOR_KEYS = ("author", "article:author", "dc.creator", "dcterms.creator", "citation_author")
_TAG_START = re.compile(r"<[A-Za-z/!?]")
_MARKED_SECTION = re.compile(r"<!\[(?!CDATA\[)")
_RAW_TEXT_END = re.compile(r"</(?:script|style)", re.IGNORECASE)
_PAGE = re.compile(r"<(?:html|body)\b", re.IGNORECASE)
_MAX_ARTICLES = 50
"""A page with more ``<article>`` elements is a listing; the first ones are enough to choose."""
_MAIN_SHARE = 0.5
"""An ``<article>`` with less than this share of ``<main>``'s text is a teaser, not the body."""


def _escape_unclosed(text: str, opener: str, closer: str) -> str:
    """Escape every ``opener`` after the last ``closer``: none of them can ever close."""
    last = text.rfind(closer)
    start = last + len(closer) if last >= 0 else 0
    if opener not in text[start:]:
        return text
    return text[:start] + text[start:].replace(opener, "&lt;" + opener[1:])


def defuse(text: str) -> str:
    """Settle markup that never closes the way a browser does, so parsing stays linear.

    ``html.parser`` rescans the rest of the document from every ``<`` whose tag, comment or
    CDATA section never ends: a few thousand of them take minutes. A browser hides a comment
    that never closes up to the end of the file (unless the opener sits in a script, where it
    is no comment) and drops a tag cut off by the end; a lone
    ``<`` after the last tag is text. A marked section other than CDATA (``<![x``), which makes
    the parser raise, becomes text as well.

    >>> defuse("<p>a</p><!-- never closed"), defuse("<p>a</p> 1 < 2 <b cut")
    ('<p>a</p>', '<p>a</p> 1 &lt; 2 ')
    """
    last = text.rfind("-->")
    cut = text.find("<!--", last + 3 if last >= 0 else 0)
    if cut >= 0:
        if _RAW_TEXT_END.search(text, cut):  # the opener may sit in a script: keep what follows
            text = text[:cut] + text[cut:].replace("<!--", "&lt;!--")
        else:
            text = text[:cut]
    last_gt = text.rfind(">")
    tail = text[last_gt + 1 :]
    if "<" in tail:
        cut_tag = _TAG_START.search(tail)
        tail = tail[: cut_tag.start()] if cut_tag else tail
        text = text[: last_gt + 1] + tail.replace("<", "&lt;")
    text = _escape_unclosed(text, "<![CDATA[", "]]>")
    return _MARKED_SECTION.sub("&lt;![", text)


def parse(text: str) -> BeautifulSoup:
    """Parse HTML leniently, in time linear in its length.

    Raises:
        InputError: the parser gave up on the markup.
    """
    try:
        with warnings.catch_warnings():
            # An article that is one short line (a URL, a file name) is still an article: bs4's
            # guess that it was meant as a path would print a paragraph on stderr.
            warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
            return BeautifulSoup(defuse(text), "html.parser")
    except (ParserRejectedMarkup, AssertionError) as e:
        raise InputError(f"HTML could not be parsed: {e}") from e


def _metas(soup: BeautifulSoup) -> dict[str, str]:
    """Every ``<meta>`` content by its lowercased name, property or itemprop (first one wins)."""
    found: dict[str, str] = {}
    for tag in soup.find_all("meta"):
        content = attr(tag, "content")
        for key in ("name", "property", "itemprop", "http-equiv"):
            name = attr(tag, key)
            if name and content:
                found.setdefault(name.lower(), content)
    return found


def _json_ld(soup: BeautifulSoup) -> Iterator[dict[str, object]]:
    """Yield the top-level objects (and ``@graph`` members) of the page's JSON-LD blocks."""
    for tag in soup.find_all("script", attrs={"type": "application/ld+json"}):
        try:
            data = json.loads(tag.get_text())
        except ValueError:
            continue
        items = data if isinstance(data, list) else [data]
        for item in items:
            if isinstance(item, dict):
                yield item
                graph = item.get("@graph")
                if isinstance(graph, list):
                    yield from (g for g in graph if isinstance(g, dict))


def _ld_author(value: object) -> str | None:
    if isinstance(value, list):
        names = [_ld_author(v) for v in value]
        return ", ".join(n for n in names if n) or None
    if isinstance(value, dict):
        value = value.get("name")
    return value.strip() or None if isinstance(value, str) else None


def _date(metas: dict[str, str], ld: list[dict[str, object]], root: Tag) -> str | None:
    candidates: list[object] = [item.get("datePublished") for item in ld if is_article(item)]
    candidates += [metas.get(key) for key in _DATE_KEYS]
    candidates += [item.get("datePublished") for item in ld]
    time = root.find("time", attrs={"datetime": True})
    if isinstance(time, Tag):
        candidates.append(attr(time, "datetime"))
    for value in candidates:
        date = normalise_date(value) if value else None
        if date:
            return date
    return None


def _author(metas: dict[str, str], ld: list[dict[str, object]], soup: BeautifulSoup) -> str | None:
    for item in ld:
        name = _ld_author(item.get("author")) if is_article(item) else None
        if name:
            return name
    for key in _AUTHOR_KEYS:
        value = metas.get(key)
        if value and "://" not in value:
            return value
    for item in ld:
        name = _ld_author(item.get("author"))
        if name:
            return name
    tag = soup.find(_names_author)
    return inline_text(tag) or None if isinstance(tag, Tag) else None


def _names_author(tag: Tag) -> bool:
    """Tell ``[rel~=author]`` or ``[itemprop=author]``: a plain test, thrice a CSS search's pace."""
    return "author" in (attr(tag, "rel") or "").split() or attr(tag, "itemprop") == "author"


def _language(
    soup: BeautifulSoup, metas: dict[str, str], ld: list[dict[str, object]]
) -> str | None:
    """Return the language the article object, Open Graph, ``<html lang>`` or a header says."""
    html = soup.find("html")
    declared = attr(html, "lang") or attr(html, "xml:lang") if isinstance(html, Tag) else None
    said = [item.get("inLanguage") for item in ld if is_article(item)]
    said += [metas.get("og:locale"), declared, metas.get("content-language")]
    return next((lang for value in said if (lang := _lang(value))), None)


def _lang(value: object) -> str | None:
    return normalise_lang(value) if isinstance(value, str) else None


def _title(metas: dict[str, str], ld: list[dict[str, object]]) -> str | None:
    """Return the article object's headline, else the Open Graph title."""
    said = [item.get("headline") for item in ld if is_article(item)] + [metas.get("og:title")]
    return next((v for v in said if isinstance(v, str) and v.strip()), None)


def _page_title(soup: BeautifulSoup) -> str | None:
    """Return the ``<title>``, without the " | Site name" most sites append."""
    title = soup.find("title")
    if not isinstance(title, Tag):
        return None
    text = " ".join(title.get_text().split())
    return text.split(" | ")[0].strip() or None


def _landmarks(soup: BeautifulSoup) -> tuple[Tag | None, list[Tag]]:
    """Return the first ``<main>`` (else the first ``role=main``) and the first ``<article>``s.

    One pass over the tree: a search per landmark costs each a whole walk of a large page.
    """
    main: Tag | None = None
    role_main: Tag | None = None
    articles: list[Tag] = []
    for node in soup.descendants:
        if not isinstance(node, Tag):
            continue
        if node.name == "main":
            main = node if main is None else main
        elif node.name == "article" and len(articles) < _MAX_ARTICLES:
            articles.append(node)
        if role_main is None and node.get("role") == "main":
            role_main = node
    return (role_main if main is None else main), articles


def content_root(soup: BeautifulSoup) -> Tag:
    """Find the article's element: the largest ``<article>``, else ``<main>``, else all."""
    main, articles = _landmarks(soup)
    if articles:
        best = max(articles, key=lambda a: len(a.get_text()))
        if not isinstance(main, Tag) or len(best.get_text()) >= _MAIN_SHARE * len(main.get_text()):
            return best
    if isinstance(main, Tag):
        return main
    body = soup.find("body")
    return body if isinstance(body, Tag) else soup


def read_html(text: str) -> Article:
    """Read an HTML page or fragment.

    Args:
        text: The HTML, decoded.

    Returns:
        The article body as segments (of a full page, only its main content); title, date,
        author, language and lead image from the page's metadata, most trusted first: the
        JSON-LD article object (``NewsArticle``, ``BlogPosting``...), Open Graph and other
        ``<meta>`` tags, ``<html lang>``; then a lone leading ``<h1>`` or the ``<title>``.

    Raises:
        InputError: the markup could not be parsed at all.
    """
    if _PAGE.search(text) is None:
        return _read(text, None)
    text = drop_inert(text)
    tree = page_tree(text)
    reference = main_text(tree)
    focused = focus(tree, reference)
    if focused is not None:
        article = _read(focused, reference)
        if has_speech(article.segments):
            return article
    return _read(text, reference)


def _read(text: str, reference: str | None) -> Article:
    """Read a fragment (``reference`` None) or a page whose main text is ``reference``."""
    soup = parse(text)
    metas = _metas(soup)
    ld = list(_json_ld(soup))
    language = _language(soup, metas, ld)
    root = content_root(soup)
    walked = walk(root, doc_lang=language, headers=root.name in ("article", "main"))
    segments = walked.segments
    if reference is not None and is_page(soup):
        segments = page_segments(reference, soup, (root, segments), language, ld)
    title = _title(metas, ld) or walked.title or _page_title(soup)
    return Article(
        segments=tuple(segments),
        title=" ".join(title.split()) if title else None,
        date=_date(metas, ld, root),
        author=_author(metas, ld, soup),
        language=language,
        image=lead_image(soup, metas, ld, root),
    )
