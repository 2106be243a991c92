from polycast.models import Kind, Post
from polycast.read.html import read_html


def pairs(html: str) -> list[tuple[Kind, str]]:
    return [(seg.kind, seg.text) for seg in read_html(html).segments]


PAGE = """<!DOCTYPE html><html lang="nl-NL"><head>
<title>Vispassage open | Voorbeeldkrant</title>
<meta name="author" content="Anne">
<meta property="article:published_time" content="2022-03-12T09:15:00+01:00">
<script>var x = "<p>not text</p>";</script><style>p { color: red }</style>
</head><body>
<header><h1>Voorbeeldkrant</h1><nav><a href="/">Home</a></nav></header>
<div class="cookie-banner">Wij gebruiken cookies.</div>
<main><article>
<header><h1>Vispassage open</h1><p class="byline">Door Anne</p></header>
<p>Eerste alinea.</p>
<blockquote class="twitter-tweet" data-lang="nl"><p lang="nl" dir="ltr">Proud to see it open!
<br>Eels first. <a href="https://t.co/Zz">https://t.co/Zz</a></p>&mdash; Dr. Jane Example
(@janeexample) <a href="https://x.com/janeexample/status/150?ref_src=twsrc%5Etfw">12 maart 2022</a>
</blockquote><script async src="https://platform.twitter.com/widgets.js"></script>
<footer>Tags: natuur</footer>
</article><section class="related"><h2>Meer nieuws</h2></section></main>
<aside><p>Populair</p></aside><footer><p>© 2022</p></footer></body></html>"""


def test_page_body_without_boilerplate_and_its_metadata() -> None:
    article = read_html(PAGE)
    assert (article.title, article.date, article.author, article.language) == (
        "Vispassage open",
        "2022-03-12",
        "Anne",
        "nl",
    )
    assert [s.kind for s in article.segments] == [Kind.TITLE, Kind.PARAGRAPH, Kind.POST]


def test_tweet_embed_is_a_post_whose_wrong_lang_is_only_a_hint() -> None:
    post = read_html(PAGE).segments[2]
    assert post.text == "Proud to see it open!\nEels first. https://t.co/Zz"
    assert post.lang_hint == "nl"
    assert post.lang is None
    assert post.post == Post(
        author="Dr. Jane Example",
        handle="janeexample",
        date_text="12 maart 2022",
        date="2022-03-12",
        url="https://x.com/janeexample/status/150",
    )


def test_a_fragment_reads_without_html_or_body() -> None:
    assert pairs("<h2>Kop</h2><p>Tekst <b>vet</b>.</p>") == [
        (Kind.HEADING, "Kop"),
        (Kind.PARAGRAPH, "Tekst vet."),
    ]


def test_without_article_or_main_the_body_minus_boilerplate() -> None:
    html = (
        "<body><header><h1>Site</h1></header><nav>Menu</nav><div><p>Real text.</p></div>"
        "<footer>Footer</footer></body>"
    )
    assert pairs(html) == [(Kind.PARAGRAPH, "Real text.")]


def test_the_largest_article_is_the_body() -> None:
    html = (
        "<article><p>Teaser.</p></article>"
        "<article><p>The long real story, with words.</p></article>"
    )
    assert pairs(html) == [(Kind.PARAGRAPH, "The long real story, with words.")]


def test_not_well_formed_html_is_read_as_far_as_it_goes() -> None:
    html = (
        "<p>Unclosed <b>bold <i>italic<p>Next</div></span><ul><li>one<li>two</ul><p>Last &amp; end"
    )
    assert pairs(html) == [
        (Kind.PARAGRAPH, "Unclosed bold italic"),
        (Kind.PARAGRAPH, "Next"),
        (Kind.LIST, "one.\ntwo."),
        (Kind.PARAGRAPH, "Last & end"),
    ]


def test_text_and_blocks_mixed_in_one_container() -> None:
    html = "<div>Loose text<p>A paragraph</p>more loose text<br>on two lines</div>"
    assert pairs(html) == [
        (Kind.PARAGRAPH, "Loose text"),
        (Kind.PARAGRAPH, "A paragraph"),
        (Kind.PARAGRAPH, "more loose text\non two lines"),
    ]


def test_figures_tables_code_and_iframes_are_not_spoken() -> None:
    html = (
        '<figure><img src="a.jpg" alt="A weir"><figcaption>The weir. Photo: X</figcaption></figure>'
        "<table><caption>Costs</caption><tr><th>Year</th><th>€</th></tr><tr><td>2021</td><td>2,4</td></tr></table>"
        "<pre><code>x = 1\n  y = 2\n</code></pre>"
        '<iframe src="https://video.example/x" title="Video of the weir"></iframe>'
        '<video src="v.mp4"></video>'
    )
    segments = read_html(html).segments
    assert [(s.kind, s.spoken, s.text) for s in segments] == [
        (Kind.IMAGE, False, "A weir"),
        (Kind.CAPTION, False, "The weir. Photo: X"),
        (Kind.TABLE, False, "Costs\nYear | €\n2021 | 2,4"),
        (Kind.CODE, False, "x = 1\n  y = 2"),
        (Kind.EMBED, False, "Video of the weir"),
        (Kind.EMBED, False, "v.mp4"),
    ]


def test_a_layout_table_is_read_as_text() -> None:
    html = "<table><tr><td><h2>Kop</h2><p>Tekst in een opmaaktabel.</p></td></tr></table>"
    assert pairs(html) == [(Kind.HEADING, "Kop"), (Kind.PARAGRAPH, "Tekst in een opmaaktabel.")]


def test_images_inside_a_paragraph_follow_it_and_emoji_images_stay_in_the_text() -> None:
    html = (
        '<p>Look <img class="emoji" alt="🚲" src="e.png"> here <img src="a.jpg" alt="A bike">'
        " and there.</p>"
    )
    assert pairs(html) == [(Kind.PARAGRAPH, "Look 🚲 here and there."), (Kind.IMAGE, "A bike")]


def test_hidden_and_aria_hidden_content_is_skipped() -> None:
    html = '<p>Seen.</p><p hidden>Hidden.</p><div aria-hidden="true">Also hidden.</div>'
    assert pairs(html) == [(Kind.PARAGRAPH, "Seen.")]


def test_quotes_and_a_lang_attribute_that_differs_from_the_page() -> None:
    html = (
        '<html lang="en"><body><p>Intro.</p><blockquote lang="de"><p>Ein Fluss.</p>'
        '<p>Zweiter Satz.</p></blockquote><p lang="en">Back.</p></body></html>'
    )
    segments = read_html(html).segments
    assert [(s.kind, s.text, s.lang_hint) for s in segments] == [
        (Kind.PARAGRAPH, "Intro.", None),
        (Kind.QUOTE, "Ein Fluss.\nZweiter Satz.", "de"),
        (Kind.PARAGRAPH, "Back.", None),
    ]


def test_metadata_from_json_ld_time_and_og_locale() -> None:
    html = (
        '<html><head><meta property="og:locale" content="fr_FR">'
        '<script type="application/ld+json">{"@graph": [{"@type": "NewsArticle",'
        ' "author": [{"name": "Marie"}, {"name": "Luc"}]}]}</script>'
        "<title>Le titre - Site</title></head>"
        '<body><article><p>Texte. <time datetime="2022-03-12T10:00">12 mars</time></p>'
        "</article></body></html>"
    )
    article = read_html(html)
    assert (article.title, article.date, article.author, article.language) == (
        "Le titre - Site",
        "2022-03-12",
        "Marie, Luc",
        "fr",
    )


def test_a_tweet_without_the_usual_attribution_still_is_a_post() -> None:
    html = '<blockquote class="twitter-tweet"><p lang="und">Just words</p></blockquote>'
    (post,) = read_html(html).segments
    assert (post.kind, post.text, post.lang_hint, post.post) == (
        Kind.POST,
        "Just words",
        None,
        Post(),
    )


def test_deeply_nested_markup_does_not_recurse() -> None:
    html = "<div>" * 20000 + "<blockquote>" * 2000 + "deep text" + "<ul><li>" * 2000 + "item"
    (quote,) = read_html(html).segments
    assert quote.kind is Kind.QUOTE
    assert quote.text.split() == ["deep", "text", "item"]  # past 8 levels, quotes read as text
    (listing,) = read_html("<ul><li>" * 5000 + "item").segments
    assert (listing.kind, listing.text) == (Kind.LIST, "item.")


def test_a_comment_that_never_closes_hides_the_rest_but_not_after_a_script() -> None:
    assert pairs("<p>Shown.</p><!-- cut off <p>hidden</p>") == [(Kind.PARAGRAPH, "Shown.")]
    html = "<p>One.</p><script>if (a <!--b) {}</script><p>Two.</p>"
    assert pairs(html) == [(Kind.PARAGRAPH, "One."), (Kind.PARAGRAPH, "Two.")]


def test_a_tag_cut_off_at_the_end_is_dropped_and_a_lone_angle_is_text() -> None:
    assert pairs("<p>1 < 2 and 3 > 2</p> 5 < 6 <a href='x") == [
        (Kind.PARAGRAPH, "1 < 2 and 3 > 2"),
        (Kind.PARAGRAPH, "5 < 6"),
    ]
