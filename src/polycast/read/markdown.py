"""Markdown articles: front matter, CommonMark with tables, and the HTML people mix in.

The Markdown is rendered to HTML by markdown-it and then read by the same tree walker as an
HTML page, so a tweet embed, an iframe or a ``<p>`` pasted into a post reads exactly as it
would on a web page. Before rendering, a few habits of real sources are straightened out:
headings written without a space (``##Results``), links with a doubled parenthesis
(``[x]((http://…)``), and static-site template tags (Jekyll ``{% highlight %}``, Hugo
``{{< tweet >}}``/``{{< figure >}}``).
"""

from __future__ import annotations

import functools
import html
import re

from markdown_it import MarkdownIt

from polycast.models import Article
from polycast.read.blocks import ends_sentence
from polycast.read.html import parse
from polycast.read.meta import split_front_matter
from polycast.read.walk import walk

_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_TIGHT_HEADING = re.compile(r"(#{1,6})([^\s#][^#]{0,100})")
_CODE_OPEN = re.compile(r"\s*(?:\{%-?\s*highlight\b.*%\}|\{\{[<%]\s*highlight\b.*[>%]\}\})\s*")
_CODE_CLOSE = re.compile(r"\s*(?:\{%-?\s*endhighlight\s*-?%\}|\{\{[<%]\s*/highlight\s*[>%]\}\})\s*")
_COMMENT = {"{% comment %}": "<!--", "{% endcomment %}": "-->"}
_SHORTCODE = re.compile(r"\s*\{\{[<%]\s*(\w+)\s*(.*?)\s*/?[>%]\}\}\s*")
_EMBED_SHORTCODES = frozenset({"tweet", "x", "youtube", "vimeo", "instagram", "gist", "mastodon"})
_ARG = re.compile(r"""(\w+)=(?:"([^"]*)"|'([^']*)'|(\S+))""")


@functools.cache
def _renderer() -> MarkdownIt:
    """CommonMark with raw HTML passed through, plus tables and strikethrough (built once)."""
    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


def _shortcode(line: str) -> str | None:
    """HTML for a whole-line Hugo shortcode that shows media; None for any other line."""
    m = _SHORTCODE.fullmatch(line)
    if not m:
        return None
    name, rest = m[1].lower(), m[2]
    args = {a[1].lower(): a[2] or a[3] or a[4] or "" for a in _ARG.finditer(rest)}
    if name == "figure":
        alt = html.escape(args.get("alt") or args.get("title") or "")
        caption = html.escape(args.get("caption") or "")
        caption_html = f"<figcaption>{caption}</figcaption>" if caption else ""
        return f'<figure><img alt="{alt}">{caption_html}</figure>'
    if name in _EMBED_SHORTCODES:
        return f'<iframe title="{html.escape(f"{name} {rest}".strip())}"></iframe>'
    return None


def _straighten(line: str, after_blank: bool) -> str:
    """Fix one line outside code: template comments, shortcodes, tight headings, links."""
    comment = _COMMENT.get(line.strip())
    if comment:
        return comment
    embed = _shortcode(line)
    if embed:
        return embed
    tight = _TIGHT_HEADING.fullmatch(line.rstrip())
    if after_blank and tight and not ends_sentence(tight[2]):
        return f"{tight[1]} {tight[2]}"
    return line.replace("]((", "](")


def _closes(line: str, fence: str) -> bool:
    """Tell whether ``line`` closes a code fence opened with ``fence``."""
    m = _FENCE.match(line)
    return bool(
        m and m[1][0] == fence[0] and len(m[1]) >= len(fence) and not line[m.end() :].strip()
    )


def straighten(body: str) -> str:
    r"""Repair the habits of real Markdown sources before rendering (one pass, line by line).

    >>> straighten("##Results\n\nSee [it]((http://x.org).")
    '## Results\n\nSee [it](http://x.org).'
    """
    out: list[str] = []
    fence: str | None = None  # the open code fence, or "{%" inside a template's code block
    after_block = True  # a heading can start here: after a blank line or a code block
    for raw in body.split("\n"):
        line, was_fence = raw, fence
        if fence is None:
            m = _FENCE.match(raw)
            if m:
                fence = m[1]
            elif _CODE_OPEN.fullmatch(raw):
                line, fence = "```", "{%"
            else:
                line = _straighten(raw, after_block)
        elif fence == "{%":
            if _CODE_CLOSE.fullmatch(raw):
                line, fence = "```", None
        elif _closes(raw, fence):
            fence = None
        out.append(line)
        after_block = not line.strip() or (was_fence is not None and fence is None)
    return "\n".join(out)


def read_markdown(text: str) -> Article:
    r"""Read a Markdown article with optional YAML, TOML or Pelican-style metadata.

    Args:
        text: The article, decoded, with ``\n`` line ends.

    Returns:
        The article; title from the metadata, else a lone leading ``#`` heading.

    Raises:
        InputError: the front matter does not parse.
    """
    meta, body = split_front_matter(text)
    soup = parse(_renderer().render(straighten(body)))
    walked = walk(soup, doc_lang=meta.language, headers=True)
    return Article(
        segments=tuple(walked.segments),
        title=meta.title or walked.title,
        date=meta.date,
        author=meta.author,
        language=meta.language,
        image=meta.image,
    )
