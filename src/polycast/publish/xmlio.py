"""Reading and writing feed XML without losing what other tools put in it.

An existing feed is the user's data. It is parsed with defusedxml (no DTD entities, no external
references, so nothing is fetched), keeping comments and processing instructions and recording
which prefix each namespace had. It is written back by ``serialize``, which declares every
namespace once on the root under its original prefix, so elements from namespaces polycast does
not know come back as they were, instead of as ``ns0:``-prefixed clones.

``serialize`` also guarantees well-formed output for any text: it escapes ``&``, ``<``, ``>``
(so ``]]>`` cannot appear), quotes, and carriage returns, and drops the few characters XML 1.0
cannot represent at all (NUL and other C0 controls, lone surrogates, U+FFFE, U+FFFF).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from typing import Any

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from polycast.errors import FeedError

XML_NS = "http://www.w3.org/XML/1998/namespace"
ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST_NS = "https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md"
"""The Podcasting 2.0 namespace URI written: every client must treat it as identical to
``https://podcastindex.org/namespace/1.0``, and older parsers (podcastparser) only know this one."""
PODCAST_NS_NEW = "https://podcastindex.org/namespace/1.0"
ATOM_NS = "http://www.w3.org/2005/Atom"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"

PREFERRED_PREFIXES: Mapping[str, str] = {
    ITUNES_NS: "itunes",
    PODCAST_NS: "podcast",
    PODCAST_NS_NEW: "podcast",
    ATOM_NS: "atom",
    CONTENT_NS: "content",
}

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    r"""Drop the characters XML 1.0 cannot carry, even escaped.

    >>> xml_safe("a\x00b\x1fc\ufffed\U0001F600")
    'abcd😀'
    """
    return _NOT_XML.sub("", text)


class _Builder(ET.TreeBuilder):
    """A tree builder that also records the namespace prefixes the document declares."""

    def __init__(self) -> None:
        super().__init__(insert_comments=True, insert_pis=True)
        self.prefixes: dict[str, str] = {}

    def start_ns(self, prefix: str, uri: str) -> None:
        """Remember the first prefix declared for each namespace URI."""
        self.prefixes.setdefault(uri, prefix)


def parse_feed(data: bytes) -> tuple[ET.Element, dict[str, str]]:
    """Parse feed XML safely.

    Args:
        data: the feed file's bytes.

    Returns:
        The root element and a map of namespace URI to the prefix the document used for it.

    Raises:
        FeedError: the bytes are not well-formed XML, or use DTD entities or external references.
    """
    builder = _Builder()
    parser = DefusedXMLParser(target=builder)
    try:
        parser.feed(data)
        root: ET.Element = parser.close()
    except ET.ParseError as e:
        raise FeedError(f"not well-formed XML ({e})") from e
    except DefusedXmlException as e:
        raise FeedError(
            f"refused to parse: it uses DTD entities or external references ({e})"
        ) from e
    return root, builder.prefixes


def _split(name: str) -> tuple[str | None, str]:
    """Split a Clark name ``{uri}local`` into its URI (None if none) and local name."""
    if name.startswith("{"):
        uri, local = name[1:].split("}", 1)
        return uri, local
    return None, name


def _walk(element: ET.Element) -> Iterator[ET.Element]:
    """Yield ``element`` and every descendant element, skipping comments and PIs."""
    for node in element.iter():
        if isinstance(node.tag, str):
            yield node


def _prefix_map(root: ET.Element, known: Mapping[str, str]) -> dict[str, str]:
    """Give every namespace in the tree (and every one the source declared) a distinct prefix."""
    uris = dict.fromkeys(known)
    for node in _walk(root):
        for name in (node.tag, *node.attrib):
            uri, _ = _split(name)
            if uri is not None and uri != XML_NS:
                uris.setdefault(uri)
    chosen: dict[str, str] = {}
    taken: set[str] = {"xml", "xmlns"}
    for uri in uris:
        wanted = known.get(uri) or PREFERRED_PREFIXES.get(uri) or "ns"
        prefix, n = wanted, 0
        while not prefix or prefix in taken:
            n += 1
            prefix = f"{wanted or 'ns'}{n}"
        taken.add(prefix)
        chosen[uri] = prefix
    return chosen


def _escape_text(text: str) -> str:
    text = xml_safe(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("\r", "&#13;")


def _escape_attr(text: str) -> str:
    text = _escape_text(text).replace('"', "&quot;")
    return text.replace("\n", "&#10;").replace("\t", "&#9;")


class _Writer:
    """Serialises a tree with one fixed namespace-to-prefix map."""

    def __init__(self, prefixes: Mapping[str, str]) -> None:
        self.prefixes = prefixes
        self.out: list[str] = []

    def name(self, clark: str) -> str:
        uri, local = _split(clark)
        if uri is None:
            return local
        return f"{'xml' if uri == XML_NS else self.prefixes[uri]}:{local}"

    def element(self, node: ET.Element, declarations: str = "") -> None:
        tag: Any = node.tag
        if tag is ET.Comment:
            self.out.append(f"<!--{xml_safe(node.text or '')}-->")
        elif tag is ET.ProcessingInstruction:
            self.out.append(f"<?{xml_safe(node.text or '')}?>")
        else:
            name = self.name(tag)
            attrs = "".join(f' {self.name(k)}="{_escape_attr(v)}"' for k, v in node.attrib.items())
            text = _escape_text(node.text or "")
            if text or len(node):
                self.out.append(f"<{name}{declarations}{attrs}>{text}")
                for child in node:
                    self.element(child)
                self.out.append(f"</{name}>")
            else:
                self.out.append(f"<{name}{declarations}{attrs}/>")
        if node.tail:
            self.out.append(_escape_text(node.tail))


def serialize(root: ET.Element, known_prefixes: Mapping[str, str] | None = None) -> bytes:
    """Write a tree as indented UTF-8 XML with every namespace declared once on the root.

    Args:
        root: the document's root element; it is re-indented in place (whitespace between
            elements only: no element's own text changes).
        known_prefixes: namespace URI -> prefix to keep (as returned by ``parse_feed``).

    Returns:
        The document, with an XML declaration, ending in a newline.
    """
    ET.indent(root, space="  ")
    prefixes = _prefix_map(root, known_prefixes or {})
    declarations = "".join(f' xmlns:{p}="{_escape_attr(u)}"' for u, p in prefixes.items())
    writer = _Writer(prefixes)
    writer.element(root, declarations)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + "".join(writer.out) + "\n").encode()
