from polycast.models import Kind
from polycast.read.markdown import read_markdown, straighten


def kinds(text: str) -> list[Kind]:
    return [seg.kind for seg in read_markdown(text).segments]


def texts(text: str) -> list[str]:
    return [seg.text for seg in read_markdown(text).segments]


def test_headings_with_and_without_a_space() -> None:
    article = read_markdown("Intro.\n\n## Section\n\ntext\n\n###Tight one\n\nmore")
    assert [(s.kind, s.text) for s in article.segments] == [
        (Kind.PARAGRAPH, "Intro."),
        (Kind.HEADING, "Section"),
        (Kind.PARAGRAPH, "text"),
        (Kind.HEADING, "Tight one"),
        (Kind.PARAGRAPH, "more"),
    ]


def test_a_hashtag_line_inside_a_paragraph_stays_text() -> None:
    assert kinds("Some words\n#hashtag at the start of a line.") == [Kind.PARAGRAPH]
    assert kinds("Intro.\n\n#one #two") == [Kind.PARAGRAPH, Kind.PARAGRAPH]


def test_a_lone_leading_h1_is_the_title() -> None:
    article = read_markdown("# The Title\n\nBody text.\n\n## Part\n\nMore.")
    assert article.title == "The Title"
    assert kinds("# The Title\n\nBody text.")[0] is Kind.TITLE


def test_several_h1_are_sections_not_a_title() -> None:
    article = read_markdown("# One\n\nBody.\n\n# Two\n\nMore.")
    assert article.title is None
    assert [s.kind for s in article.segments].count(Kind.HEADING) == 2


def test_front_matter_title_wins_over_the_h1() -> None:
    article = read_markdown("---\ntitle: Meta title\n---\n\n# Body title\n\nText.")
    assert article.title == "Meta title"
    assert article.segments[0].kind is Kind.TITLE


def test_links_keep_their_text_only_including_pelican_and_broken_ones() -> None:
    text = (
        "My [sabbatical]({filename}/Sabbatical.md) and the [New York Times]((http://nyt.com/x?_r=1),"
        " [Vox](http://vox.com/a), <https://example.org> and [ref][r].\n\n[r]: http://ref.org"
    )
    assert texts(text) == [
        "My sabbatical and the New York Times, Vox, https://example.org and ref."
    ]


def test_lists_are_one_segment_of_sentences_nested_items_included() -> None:
    seg = read_markdown("* JHU\n* INSPIRE\n  1. one\n  2. two?\n* Last Days of Classes ").segments[
        0
    ]
    assert seg.kind is Kind.LIST
    assert seg.text == "JHU.\nINSPIRE.\none.\ntwo?\nLast Days of Classes."


def test_block_quotes_are_quotes() -> None:
    segments = read_markdown(
        "> Ein Fluss ist keine Leitung.\n> Zweite Zeile.\n>\n> Absatz."
    ).segments
    assert [(s.kind, s.text) for s in segments] == [
        (Kind.QUOTE, "Ein Fluss ist keine Leitung. Zweite Zeile.\nAbsatz.")
    ]


def test_images_code_and_tables_are_not_spoken() -> None:
    text = (
        "Intro.\n\n![A chart of 2016](chart.png)\n\n```\nx = 1\n```\n\n    y = 2\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n"
    )
    segments = read_markdown(text).segments
    assert [(s.kind, s.spoken, s.text) for s in segments] == [
        (Kind.PARAGRAPH, True, "Intro."),
        (Kind.IMAGE, False, "A chart of 2016"),
        (Kind.CODE, False, "x = 1"),
        (Kind.CODE, False, "y = 2"),
        (Kind.TABLE, False, "a | b\n1 | 2"),
    ]


def test_comments_more_markers_and_template_tags_are_dropped() -> None:
    text = (
        "Intro {{ page.title }}.\n\n<!--more-->\n\n{% include toc.html %}\n\n"
        "<!-- a note\nover lines -->\n\nEnd {% raw %}here{% endraw %}."
    )
    assert texts(text) == ["Intro .", "End here."]


def test_template_code_blocks_become_code() -> None:
    text = "Before.\n\n{% highlight python %}\nprint('hi')\n{% endhighlight %}\n\nAfter."
    segments = read_markdown(text).segments
    assert [(s.kind, s.text) for s in segments] == [
        (Kind.PARAGRAPH, "Before."),
        (Kind.CODE, "print('hi')"),
        (Kind.PARAGRAPH, "After."),
    ]


def test_hugo_shortcodes_for_media_are_not_spoken() -> None:
    text = (
        '{{< figure src="a.jpg" caption="On the quay." alt="Bags" >}}\n\n'
        "{{< youtube abc >}}\n\nText."
    )
    segments = read_markdown(text).segments
    assert [(s.kind, s.spoken, s.text) for s in segments] == [
        (Kind.IMAGE, False, "Bags"),
        (Kind.CAPTION, False, "On the quay."),
        (Kind.EMBED, False, "youtube abc"),
        (Kind.PARAGRAPH, True, "Text."),
    ]


def test_inline_html_and_html_blocks_read_like_html() -> None:
    text = (
        'Led by the <a href = "https://lab.example/"> Land Lab</a> in Berlin.\n\n'
        '<div class="progress">\n  <div class="bar" style="width: 10%"></div>\n</div>\n\n'
        '<iframe src="//embed.example/player"></iframe>\n\n'
        "<p>\n\nA paragraph after a stray tag.\n\n<p>An <em>HTML</em> paragraph.</p>"
    )
    segments = read_markdown(text).segments
    assert [(s.kind, s.text) for s in segments] == [
        (Kind.PARAGRAPH, "Led by the Land Lab in Berlin."),
        (Kind.EMBED, "//embed.example/player"),
        (Kind.PARAGRAPH, "A paragraph after a stray tag."),
        (Kind.PARAGRAPH, "An HTML paragraph."),
    ]


def test_a_tweet_embed_interrupting_a_paragraph_is_a_post() -> None:
    text = (
        "André David kept track of the citations\n"
        '<blockquote class="twitter-tweet" data-lang="en"><p lang="en" dir="ltr">'
        '<a href="https://twitter.com/hashtag/Run2Seminar?src=hash">#Run2Seminar</a> 1st (only?)'
        " anniversary.<br>- Inflationary Xmas.</p>&mdash; André David (@DrAndreDavid) "
        '<a href="https://twitter.com/DrAndreDavid/status/809410781242683392">December 15, 2016</a>'
        '</blockquote> <script async src="//platform.twitter.com/widgets.js"></script>\n'
    )
    para, post = read_markdown(text).segments
    assert para.text == "André David kept track of the citations"
    assert post.kind is Kind.POST
    assert post.text == "#Run2Seminar 1st (only?) anniversary.\n- Inflationary Xmas."
    assert post.lang_hint == "en"
    assert post.post is not None
    assert (post.post.author, post.post.handle) == ("André David", "DrAndreDavid")
    assert (post.post.date_text, post.post.date) == ("December 15, 2016", "2016-12-15")
    assert post.post.url == "https://twitter.com/DrAndreDavid/status/809410781242683392"


def test_fenced_code_is_never_straightened() -> None:
    source = "```\n##not a heading\n[x]((y)\n{{< figure >}}\n```\n##Heading"
    assert straighten(source) == "```\n##not a heading\n[x]((y)\n{{< figure >}}\n```\n## Heading"
