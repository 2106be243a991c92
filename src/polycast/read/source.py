"""From the bytes of a file to text a reader can parse: encoding, sanity checks, format.

People feed polycast whatever they have: a UTF-8 export, a UTF-16 file from Word's "save as
text", a PDF by mistake. Each of those gets a one-line ``InputError`` that says what is wrong
and what to do, instead of a traceback from deep inside a parser.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from enum import Enum
from pathlib import PurePath

from polycast.errors import InputError


class Format(Enum):
    """The source formats polycast reads."""

    TEXT = "text"
    MARKDOWN = "markdown"
    HTML = "html"


_EXTENSIONS = {
    ".txt": Format.TEXT,
    ".text": Format.TEXT,
    ".md": Format.MARKDOWN,
    ".markdown": Format.MARKDOWN,
    ".mdown": Format.MARKDOWN,
    ".mkd": Format.MARKDOWN,
    ".mkdn": Format.MARKDOWN,
    ".html": Format.HTML,
    ".htm": Format.HTML,
    ".xhtml": Format.HTML,
}

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

_SIGNATURES = (
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (a .docx, .odt or .epub?)"),
    (b"\xd0\xcf\x11\xe0", "an old Office document (.doc?)"),
    (b"{\\rtf", "an RTF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"ID3", "an MP3 file"),
    (b"\x1f\x8b", "a gzip archive"),
)

_SNIFF = 4096
"""How much of the start of a file the checks look at; enough to judge, cheap on 5 MB."""

_HTML_START = re.compile(r"\s*(?:<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>])", re.I)
_HTML_BLOCK = re.compile(
    r"\s*(?:<!--[\s\S]*?-->\s*)*<(?:article|main|div|p|section|h[1-6]|blockquote)[\s>]", re.I
)
_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?([A-Za-z0-9_.:-]{1,40})""", re.I)
_MARKDOWN_HINT = re.compile(
    r"^(?:#{1,6}\s|```|~~~|[-*+]\s+\S|>\s|---\s*$|\+\+\+\s*$)|\]\(|!\[", re.M
)


def _label(name: str | None) -> str:
    return name or "the article"


def _binary_check(data: bytes, name: str | None) -> None:
    """Refuse files that are not text at all, naming what they probably are."""
    head = data[:_SNIFF]
    for magic, what in _SIGNATURES:
        if head.startswith(magic):
            raise InputError(
                f"{_label(name)} is {what}, not text; export it as text, Markdown or HTML"
            )
    nul = data.find(b"\x00")
    if nul >= 0 and _looks_utf16(head):
        raise InputError(
            f"{_label(name)} looks like UTF-16 without a byte-order mark; save it as UTF-8"
        )
    if nul >= 0:
        raise InputError(
            f"{_label(name)} is binary (a NUL byte at offset {nul}), not text; "
            "export it as UTF-8 text, Markdown or HTML"
        )


def _looks_utf16(head: bytes) -> bool:
    """Tell whether every other byte is NUL, as in ASCII-range text stored as UTF-16."""
    if len(head) < 8:
        return False
    even, odd = head[0::2].count(0) / len(head[0::2]), head[1::2].count(0) / len(head[1::2])
    return (even > 0.4 and odd < 0.05) or (odd > 0.4 and even < 0.05)


def _declared_charset(data: bytes) -> str | None:
    """Return the charset an HTML page declares in a ``<meta>`` near its start, if a known codec."""
    m = _CHARSET.search(data[:_SNIFF])
    if not m:
        return None
    try:
        return codecs.lookup(m[1].decode("ascii")).name
    except LookupError:
        return None


def _utf8_error(data: bytes, name: str | None, e: UnicodeDecodeError) -> InputError:
    byte = data[e.start]
    return InputError(
        f"{_label(name)} is not UTF-8: byte 0x{byte:02X} at offset {e.start} does not decode "
        "(probably Latin-1 or Windows-1252); convert it, e.g. iconv -f windows-1252 -t utf-8"
    )


def decode(data: bytes, name: str | None = None, fmt: Format | None = None) -> str:
    r"""Decode an article's bytes: UTF-8, or UTF-8/UTF-16/UTF-32 with a byte-order mark.

    An HTML page that declares another charset in a ``<meta>`` is decoded with that charset.

    Args:
        data: The file's bytes.
        name: The file's name, for messages and to tell HTML by its extension.
        fmt: The format, when already known.

    Returns:
        The text, without a byte-order mark, line ends as ``\n``.

    Raises:
        InputError: the file is empty, binary, not UTF-8, or holds only whitespace.
    """
    if not data:
        raise InputError(f"{_label(name)} is empty (0 bytes); there is nothing to read")
    text = _decode_bytes(data, name, fmt)
    nul = text.find("\x00")
    if nul >= 0:
        raise InputError(f"{_label(name)} holds a NUL character at position {nul}; it is not text")
    if not text.strip():
        raise InputError(f"{_label(name)} holds only whitespace; there is nothing to read")
    _control_check(text, name)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _decode_bytes(data: bytes, name: str | None, fmt: Format | None) -> str:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec).lstrip("\ufeff")
            except UnicodeDecodeError as e:
                raise InputError(
                    f"{_label(name)} starts with a {codec.upper()} byte-order mark but byte "
                    f"offset {e.start} does not decode; the file is damaged or mislabelled"
                ) from e
    _binary_check(data, name)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        charset = _declared_charset(data) if fmt in (None, Format.HTML) else None
        if charset and charset != "utf-8":
            return data.decode(charset, errors="replace")
        raise _utf8_error(data, name, e) from e


def _control_check(text: str, name: str | None) -> None:
    """Refuse text that is mostly control characters: a binary file that happened to decode."""
    head = text[:_SNIFF]
    controls = sum(
        1 for c in head if c not in "\t\n\r\f\v" and unicodedata.category(c) in ("Cc", "Cs")
    )
    if controls > max(8, len(head) // 20):
        raise InputError(
            f"{_label(name)} looks binary ({controls} control characters in its first "
            f"{len(head)}); export it as UTF-8 text, Markdown or HTML"
        )


def detect_format(text: str, name: str | None = None) -> Format:
    """Tell the format from the file name's extension, else from the content.

    Args:
        text: The decoded article.
        name: A file name or path, or None.

    Returns:
        HTML for a page or a fragment starting with a block tag; Markdown when front matter,
        headings, fences or links show; plain text otherwise.
    """
    if name:
        found = _EXTENSIONS.get(PurePath(name).suffix.lower())
        if found:
            return found
    head = text[:_SNIFF]
    if _HTML_START.match(head) or _HTML_BLOCK.match(head):
        return Format.HTML
    if _MARKDOWN_HINT.search(head):
        return Format.MARKDOWN
    return Format.TEXT
