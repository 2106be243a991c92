import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from polycast.errors import InputError, PolycastError
from polycast.models import Article, Kind
from polycast.read import Format, read_article


def test_format_from_the_name_and_override() -> None:
    data = b"# Kop\n\nTekst met [link](http://x.nl)."
    assert read_article(data, "a.md").segments[0].kind is Kind.TITLE
    as_text = read_article(data, "a.txt")
    assert [s.text for s in as_text.segments] == ["# Kop", "Tekst met [link](http://x.nl)."]
    assert read_article(data, "a.txt", fmt=Format.MARKDOWN).title == "Kop"


def test_format_from_the_content_without_a_name() -> None:
    assert read_article(b"<p>Hallo <b>wereld</b></p>").segments[0].text == "Hallo wereld"
    assert read_article(b"## Kop\n\nTekst.").segments[0].kind is Kind.HEADING
    assert read_article(b"Kop\n\nTekst.").segments[0].kind is Kind.TITLE


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "a.txt", r"^a\.txt is empty"),
        (b"\n \n", "a.md", "only whitespace"),
        (b"\x00\x01binary", "a.txt", "binary"),
        ("café".encode("latin-1"), "a.txt", "not UTF-8: byte 0xE9 at offset 3"),
        (
            b"<html><head><script>x()</script></head><body><nav>Menu</nav></body></html>",
            "a.html",
            "no text to speak",
        ),
        (b"---\ntitle: Only a title\n---\n", "a.md", "no text to speak"),
        (b"![just an image](a.png)\n\n```\ncode\n```", "a.md", "no text to speak"),
        (b"---\ntitle: [unclosed\n---\nBody", "a.md", r"^a\.md: front matter is not valid YAML"),
    ],
)
def test_bad_inputs_raise_one_line_input_errors(data: bytes, name: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as caught:
        read_article(data, name)
    assert "\n" not in str(caught.value)


def test_the_name_is_optional_in_messages() -> None:
    with pytest.raises(InputError, match=r"^the article is empty"):
        read_article(b"")


PARAGRAPH = (
    "Loekasjenko en Poetin maakten donderdag tijdens hun zesde top dit jaar een groot aantal"
    " afspraken op economisch en financieel terrein, (links) en (rechts).\n\n"
)
POST = "Text of a post https://t.co/x — CEPA (@cepa) 9 september 2021\n\n"
HEADING = "Uniestaat\n\n"


def test_five_megabytes_of_text_read_in_one_pass() -> None:
    unit = PARAGRAPH + POST + HEADING
    count = 5_000_000 // len(unit.encode()) + 1
    article = read_article((unit * count).encode(), "big.txt")
    assert len(article.segments) == 3 * count
    assert article.segments[-2].kind is Kind.POST


def test_a_megabyte_of_markdown_and_of_html() -> None:
    md = "## Kop\n\n" + PARAGRAPH + "- een\n- twee\n\n"
    count = 1_000_000 // len(md.encode()) + 1
    article = read_article((md * count).encode(), "big.md")
    assert len(article.segments) == 3 * count
    html = "<h2>Kop</h2><p>" + PARAGRAPH + "</p><ul><li>een</li><li>twee</li></ul>\n"
    article = read_article((html * count).encode(), "big.html")
    assert len(article.segments) == 3 * count


@pytest.mark.parametrize("trap", ["<!-- x ", "<a x ", "</ x ", "<![CDATA[ x ", "<![ x ", "<? x "])
def test_html_that_never_closes_reads_in_one_pass(trap: str) -> None:
    # html.parser rescans from every opener that never closes; 100,000 of them must not hang.
    article = read_article(("<p>Real text.</p>" + trap * 100_000).encode(), "a.html")
    assert article.segments[0].text == "Real text."


def test_markdown_full_of_half_markup_reads_in_one_pass() -> None:
    article = read_article(("[x](( {{ {% <!-- — (@ " * 50_000).encode(), "a.md")
    assert len(article.segments) == 1


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=400), fmt=st.sampled_from([*Format, None]))
def test_any_bytes_give_an_article_or_an_input_error(data: bytes, fmt: Format | None) -> None:
    try:
        article = read_article(data, "x", fmt)
    except PolycastError as e:
        assert isinstance(e, InputError)
        return
    assert isinstance(article, Article)


MARKUP = st.sampled_from(
    ["<p>", "</p>", "<blockquote class='twitter-tweet'>", "</blockquote>", "<br>", "# ", "\n",
     "\n\n", "- ", "> ", "```", "---\n", "+++\n", "[a](", "))", "<!--", "-->", "{%", "%}",
     "&mdash;", " — ", "(@x) ", "9 september 2021", "<ul><li>", "<table><tr><td>", "<img alt=x>",
     "Title: x\n", "date 2021-09 ", "Beeld AFP", "<pre>", "<h1>", "word ", "Zin. "]
)  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(parts=st.lists(MARKUP | st.text(max_size=8), max_size=40), fmt=st.sampled_from(list(Format)))
def test_any_markup_soup_reads_or_fails_cleanly(parts: list[str], fmt: Format) -> None:
    try:
        article = read_article("".join(parts).encode(), "x", fmt)
    except InputError:
        return
    assert any(s.spoken and s.text.strip() for s in article.segments)
    for seg in article.segments:
        assert (seg.post is not None) == (seg.kind is Kind.POST)
        assert "\x00" not in seg.text
