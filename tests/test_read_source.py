import codecs

import pytest

from polycast.errors import InputError
from polycast.read.source import Format, decode, detect_format


def test_plain_utf8_decodes_and_normalises_line_ends() -> None:
    assert decode("één\r\ntwee\rdrie".encode()) == "één\ntwee\ndrie"


@pytest.mark.parametrize(
    ("bom", "codec"),
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
    ],
)
def test_byte_order_marks_are_honoured_and_removed(bom: bytes, codec: str) -> None:
    text = "Poetin zei: ‘behoorlijk verbeterd’ 🇷🇺"
    assert decode(bom + text.encode(codec)) == text


def test_empty_file_is_refused() -> None:
    with pytest.raises(InputError, match=r"x\.txt is empty \(0 bytes\)"):
        decode(b"", "x.txt")


def test_whitespace_only_is_refused() -> None:
    with pytest.raises(InputError, match="only whitespace"):
        decode(b" \n\t\r\n  ", "x.txt")


def test_latin1_names_the_failing_offset_and_suggests_converting() -> None:
    data = "Tot tevredenheid van Loekasjenko, financiële".encode("latin-1")
    with pytest.raises(InputError) as caught:
        decode(data, "old.txt")
    message = str(caught.value)
    assert "not UTF-8" in message
    assert f"offset {data.index(0xEB)}" in message
    assert "0xEB" in message
    assert "iconv" in message
    assert "\n" not in message


def test_utf16_without_bom_is_recognised() -> None:
    with pytest.raises(InputError, match="UTF-16 without a byte-order mark"):
        decode("Some article text here".encode("utf-16-le"), "word.txt")


def test_nul_bytes_mean_binary() -> None:
    with pytest.raises(InputError, match=r"binary \(a NUL byte at offset 3\)"):
        decode(b"abc\x00\x01\x02\xff" * 10, "x.bin")


@pytest.mark.parametrize(
    ("head", "what"),
    [(b"%PDF-1.7\n", "PDF"), (b"PK\x03\x04", "ZIP"), (b"\x89PNG\r\n\x1a\n", "PNG")],
)
def test_known_binary_formats_are_named(head: bytes, what: str) -> None:
    with pytest.raises(InputError, match=what):
        decode(head + bytes(range(256)), "article.txt")


def test_a_nul_character_inside_utf16_is_refused() -> None:
    with pytest.raises(InputError, match="NUL character at position 2"):
        decode(codecs.BOM_UTF16_LE + "ab\x00c".encode("utf-16-le"), "x.txt")


def test_mostly_control_characters_mean_binary() -> None:
    with pytest.raises(InputError, match="looks binary"):
        decode(bytes(range(1, 32)) * 20, "x.txt")


def test_a_few_control_characters_are_tolerated() -> None:
    assert (
        decode(b"Tekst met een \x07bel en \x1b escape.") == "Tekst met een \x07bel en \x1b escape."
    )


def test_html_declaring_another_charset_is_decoded_with_it() -> None:
    page = '<html><head><meta charset="windows-1252"></head><body><p>café</p></body></html>'
    assert "café" in decode(page.encode("cp1252"), "page.html")


def test_text_with_a_charset_declaration_is_still_utf8_only() -> None:
    data = '<meta charset="windows-1252"> café'.encode("cp1252")
    with pytest.raises(InputError, match="not UTF-8"):
        decode(data, "x.txt", Format.TEXT)


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("a.txt", Format.TEXT),
        ("dir/a.MD", Format.MARKDOWN),
        ("a.markdown", Format.MARKDOWN),
        ("a.htm", Format.HTML),
        ("/x/y/a.html", Format.HTML),
    ],
)
def test_extension_decides(name: str, fmt: Format) -> None:
    assert detect_format("<html><p>x</p></html>\n# heading", name) is fmt


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        ("<!DOCTYPE html><html><body><p>x</p></body></html>", Format.HTML),
        ("\n  <article><p>x</p></article>", Format.HTML),
        ("<!-- saved --><p>fragment</p>", Format.HTML),
        ("---\ntitle: x\n---\n\ntext", Format.MARKDOWN),
        ("+++\ntitle = 'x'\n+++\n\ntext", Format.MARKDOWN),
        ("Intro\n\n## Section\n\ntext", Format.MARKDOWN),
        ("See [the paper](http://x.org).", Format.MARKDOWN),
        (" date 2021-09 Caption. Beeld AFP\n\nParagraph (links).", Format.TEXT),
        ("Just words.\n\nMore words.", Format.TEXT),
    ],
)
def test_content_decides_without_a_known_extension(text: str, fmt: Format) -> None:
    assert detect_format(text, None) is fmt
    assert detect_format(text, "article.unknown") is fmt
