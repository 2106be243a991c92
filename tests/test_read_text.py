from polycast.models import Kind, Post
from polycast.read.text import read_text

POST_LINE = (
    "🇷🇺 “In addition to exercising the combined defense of Belarus.” @StevenHorrell"
    " https://t.co/x — CEPA (@cepa) 9 september 2021"
)
EXAMPLE_SHAPE = f""" date 2021-09 Alexander Loekasjenko (links) en Poetin (rechts). Beeld AFP

Loekasjenko en Poetin maakten donderdag afspraken. De oppositie in Belarus
vreest voor de onafhankelijkheid van het land.

{POST_LINE}

Sneer naar het Westen

Beide landen hebben afspraken gemaakt.
"""


def test_the_example_shape() -> None:
    article = read_text(EXAMPLE_SHAPE)
    kinds = [seg.kind for seg in article.segments]
    assert kinds == [Kind.CAPTION, Kind.PARAGRAPH, Kind.POST, Kind.HEADING, Kind.PARAGRAPH]
    assert article.date == "2021-09"
    assert article.title is None
    caption, para, post, heading, _ = article.segments
    assert caption.text == "Alexander Loekasjenko (links) en Poetin (rechts). Beeld AFP"
    assert caption.spoken is False
    assert para.text.startswith("Loekasjenko en Poetin maakten donderdag afspraken. De oppositie")
    assert "\n" not in para.text  # hard-wrapped prose is one line
    assert heading.text == "Sneer naar het Westen"
    assert post.text == (
        "🇷🇺 “In addition to exercising the combined defense of Belarus.” @StevenHorrell https://t.co/x"
    )
    assert post.post == Post(
        author="CEPA", handle="cepa", date_text="9 september 2021", date="2021-09-09"
    )


def test_a_title_line_followed_by_a_blank_line() -> None:
    article = read_text("Poetin steunt Loekasjenko\n\nDe Russische president sprak.\n")
    assert article.title == "Poetin steunt Loekasjenko"
    assert [s.kind for s in article.segments] == [Kind.TITLE, Kind.PARAGRAPH]


def test_no_title_when_the_first_line_is_a_sentence_or_part_of_a_paragraph() -> None:
    assert read_text("Hij kwam.\n\nZij ook.").title is None
    assert read_text("Korte regel\nmet meer tekst erachter.\n\nTweede.").title is None
    assert read_text("Alleen een regel zonder punt").title is None


def test_the_caption_line_is_never_the_title() -> None:
    article = read_text("De top in Sotsji. Foto ANP\n\nDe presidenten spraken lang.")
    assert article.title is None
    assert article.segments[0].kind is Kind.CAPTION


def test_headings_are_short_unpunctuated_lines() -> None:
    text = "Intro zin.\n\nUniestaat\n\nNog een zin.\n\nDit is een korte zin.\n\nWat nu?"
    kinds = [s.kind for s in read_text(text).segments]
    assert kinds == [Kind.PARAGRAPH, Kind.HEADING, Kind.PARAGRAPH, Kind.PARAGRAPH, Kind.PARAGRAPH]


def test_a_long_unpunctuated_line_is_not_a_heading() -> None:
    line = " ".join(["woord"] * 20)
    assert read_text(f"Zin.\n\n{line}").segments[1].kind is Kind.PARAGRAPH


def test_a_post_keeps_its_lines_and_its_status_link() -> None:
    text = (
        "Eerst tekst.\n\nLine one\nline two https://twitter.com/someone/status/42?s=20"
        " — Some One (@some_one) March 12, 2022"
    )
    post = read_text(text).segments[1]
    assert post.kind is Kind.POST
    assert post.text == "Line one\nline two https://twitter.com/someone/status/42?s=20"
    assert post.post == Post(
        author="Some One",
        handle="some_one",
        date_text="March 12, 2022",
        date="2022-03-12",
        url="https://twitter.com/someone/status/42",
    )


def test_an_attribution_on_its_own_line_joins_the_paragraph_before() -> None:
    text = (
        "Intro.\n\nWe won't stop until everybody is free.\n\n"
        "— Sviatlana (@Tsihanouskaya) 6 september 2021"
    )
    segments = read_text(text).segments
    assert [s.kind for s in segments] == [Kind.PARAGRAPH, Kind.POST]
    assert segments[1].text == "We won't stop until everybody is free."
    assert segments[1].post is not None and segments[1].post.handle == "Tsihanouskaya"


def test_a_dash_and_a_handle_without_a_date_like_ending_is_not_a_post() -> None:
    seg = read_text("Zin.\n\nHij schreef het zelf — Jan (@jan) lachend.").segments[1]
    assert seg.kind is Kind.PARAGRAPH


def test_lists_become_one_list_segment() -> None:
    seg = read_text("Zin.\n\n- appels\n- peren die\n  lekker zijn\n- kersen!").segments[1]
    assert seg.kind is Kind.LIST
    assert seg.text == "appels.\nperen die lekker zijn.\nkersen!"


def test_pelican_style_headers_give_metadata() -> None:
    article = read_text("Title: Een titel\nDate: 2021-09-09\nAuthor: Jan\n\nDe tekst.")
    assert (article.title, article.date, article.author) == ("Een titel", "2021-09-09", "Jan")
    assert [s.kind for s in article.segments] == [Kind.PARAGRAPH]


def test_japanese_title_heading_and_sentences() -> None:
    article = read_text(
        "図書館が新しくなりました\n\n市は発表した。\n\n利用者の声\n\n静かで明るい。"
    )
    assert article.title == "図書館が新しくなりました"
    kinds = [s.kind for s in article.segments]
    assert kinds == [Kind.TITLE, Kind.PARAGRAPH, Kind.HEADING, Kind.PARAGRAPH]


def test_segments_stay_in_reading_order() -> None:
    paragraphs = [f"Alinea nummer {i}." for i in range(50)]
    segments = read_text("\n\n".join(paragraphs)).segments
    assert [s.text for s in segments] == paragraphs
