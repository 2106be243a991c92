"""Full web pages: only the article is read, with its posts, quotes and captions kept."""

from __future__ import annotations

import json

import lxml.html
import pytest

from polycast.errors import InputError
from polycast.models import Kind, Post, Segment
from polycast.read import read_article
from polycast.read.focus import focus
from polycast.read.html import read_html
from polycast.read.main import keep_main, main_text, page_tree

LEAD = (
    "The river board opened a fish pass beside the weir on Saturday, two hundred metres of "
    "shallow steps where the current is weak enough for eels to climb."
)
SECOND = (
    "Building it took a year and a half and cost 2.4 million euros, most of it paid by the "
    "province and the rest by a European fund for rivers."
)
THIRD = "The board will count for two years how many fish use the pass on their way upstream."
TEASERS = "".join(
    f'<li><a href="/n/{i}">Council votes on the new budget for the harbour, part {i}</a></li>'
    for i in range(12)
)
PAGE = f"""<!DOCTYPE html><html lang="en"><head><title>Fish pass opens | Daily Example</title>
<meta property="og:title" content="Fish pass opens at the weir"></head><body>
<div class="topbar"><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></div>
<div id="consent-wall"><p>We and our 412 partners store and access information on your device.
Accept all cookies to continue reading this website.</p></div>
<div class="layout"><div class="col-main">
<h1>Fish pass opens at the weir</h1>
<p>{LEAD}</p>
<figure><img src="/p.jpg" alt="The pass"><figcaption>The pass from above.</figcaption></figure>
<p>{SECOND}</p>
<blockquote><p>Within an hour the first eels went up the steps, which is what we hoped.</p>
<footer>— <cite>Jane Example</cite>, ecologist</footer></blockquote>
<p>{THIRD}</p>
<blockquote class="twitter-tweet"><p lang="en" dir="ltr">Proud to see the fish pass open today,
the first eels went up within the hour!</p>&mdash; Jane Example (@janeexample)
<a href="https://twitter.com/janeexample/status/1502600000000000000">March 12, 2022</a>
</blockquote></div>
<div class="col-side"><h3>Most read</h3><ul>{TEASERS}</ul></div></div>
<div class="comments-area"><h3>12 comments</h3><p>Great news, about time somebody did this for
the eels in our river, well done to everyone involved!</p></div>
<div class="bottom">Copyright 2022 Daily Example. All rights reserved. Terms. Privacy.</div>
</body></html>"""


def _spoken(segments: tuple[Segment, ...] | list[Segment]) -> str:
    return "\n".join(s.text for s in segments if s.spoken and s.kind is not Kind.TITLE)


def test_a_page_reads_its_article_and_not_what_surrounds_it() -> None:
    article = read_html(PAGE)
    said = _spoken(article.segments)
    for part in (LEAD, SECOND, THIRD, "first eels went up the steps", "Proud to see"):
        assert part in said
    for chrome in ("Home", "cookies", "Council votes", "Most read", "Great news", "Copyright"):
        assert chrome not in said
    assert article.title == "Fish pass opens at the weir"


def test_a_page_keeps_its_post_quote_speaker_and_caption() -> None:
    segments = read_html(PAGE).segments
    post = next(s for s in segments if s.kind is Kind.POST)
    assert post.post is not None
    assert (post.post.author, post.post.handle, post.post.date) == (
        "Jane Example",
        "janeexample",
        "2022-03-12",
    )
    assert post.post.url == "https://twitter.com/janeexample/status/1502600000000000000"
    quote = next(s for s in segments if s.kind is Kind.QUOTE)
    assert quote.post == Post(author="Jane Example")
    caption = next(s for s in segments if s.kind is Kind.CAPTION)
    assert (caption.text, caption.spoken) == ("The pass from above.", False)


def _page(head: str, body: str) -> bytes:
    return f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>".encode()


def test_a_page_whose_text_is_only_in_json_ld_reads_its_article_body() -> None:
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": "Fish pass opens",
        "articleBody": f"{LEAD}\n\n{SECOND}",
    }
    head = f'<script type="application/ld+json">{json.dumps(ld)}</script>'
    article = read_article(_page(head, '<div id="app"></div><script>render()</script>'), "a.html")
    assert [(s.kind, s.text) for s in article.segments] == [
        (Kind.PARAGRAPH, LEAD),
        (Kind.PARAGRAPH, SECOND),
    ]


def test_a_page_whose_text_is_only_in_noscript_reads_it() -> None:
    body = (
        f'<div id="app"></div><noscript><article><p>{LEAD}</p><p>{THIRD}</p></article></noscript>'
    )
    article = read_article(_page("<title>Fish</title>", body), "a.html")
    assert _spoken(article.segments) == f"{LEAD}\n{THIRD}"


@pytest.mark.parametrize(
    "body",
    [
        '<nav><a href="/">Home</a> <a href="/news">News</a></nav>',
        '<div class="cookie-wall"><h2>We value your privacy</h2><p>We and our partners use '
        "cookies to store and access information on your device. Accept all to continue.</p>"
        "<button>Accept all</button></div>",
    ],
)
def test_a_page_of_only_menus_or_a_cookie_wall_has_no_text_to_speak(body: str) -> None:
    with pytest.raises(InputError, match="no text to speak"):
        read_article(_page("<title>Example</title>", body), "a.html")


def _para(text: str) -> Segment:
    return Segment(Kind.PARAGRAPH, text)


def test_a_block_the_main_text_repeats_is_kept_once() -> None:
    teaser, menu = _para(LEAD), _para("Home News Sport Weather and more sections")
    kept = keep_main([teaser, menu, _para(LEAD), _para(SECOND)], f"{LEAD}\n{SECOND}")
    assert [s.text for s in kept] == [LEAD, SECOND]


def test_short_blocks_and_posts_are_kept_beside_the_article_only() -> None:
    post = Segment(Kind.POST, "A post the extractor dropped", post=Post(handle="x"))
    segments = [
        _para("Share"),
        _para(LEAD),
        Segment(Kind.HEADING, "Costs"),
        _para(SECOND),
        post,
        _para("Related: other stories you may like to read today"),
        Segment(Kind.POST, "A post far from the article"),
    ]
    kept = keep_main(segments, f"Share this.\n{LEAD}\nCosts\n{SECOND}")
    assert [s.text for s in kept] == [LEAD, "Costs", SECOND, post.text]


def test_metadata_trusts_json_ld_then_open_graph_then_html_lang() -> None:
    ld = {
        "@type": "BlogPosting",
        "headline": "The headline",
        "author": [{"@type": "Person", "name": "Ana"}, {"name": "Rui"}],
        "datePublished": "2021-05-04T10:00:00Z",
        "inLanguage": "pt-BR",
        "image": {"url": "https://example.org/lead.jpg"},
    }
    head = (
        '<meta property="og:title" content="The OG title">'
        '<meta property="og:locale" content="es_ES"><meta name="author" content="Site Staff">'
        '<meta property="article:published_time" content="2020-01-01">'
        '<meta property="og:image" content="https://example.org/og.jpg">'
        '<script type="application/ld+json">{"@type": "WebSite", "name": "Site"}</script>'
        f'<script type="application/ld+json">{json.dumps(ld)}</script>'
    )
    page = f'<html lang="en"><head>{head}</head><body><p>{LEAD}</p></body></html>'
    article = read_html(page)
    assert (article.title, article.author, article.date, article.language, article.image) == (
        "The headline",
        "Ana, Rui",
        "2021-05-04",
        "pt",
        "https://example.org/lead.jpg",
    )
    without_ld = read_html(page.replace(json.dumps(ld), "{}"))
    assert (without_ld.title, without_ld.language, without_ld.date) == (
        "The OG title",
        "es",
        "2020-01-01",
    )


def test_the_extractor_s_warnings_do_not_reach_the_user(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("WARNING")
    html = "<body><nav>Menu</nav><div><p>Real text.</p></div><footer>Footer</footer></body>"
    assert [s.text for s in read_html(html).segments] == ["Real text."]
    assert [r.getMessage() for r in caplog.records] == []


BLUESKY = (
    '<blockquote class="bluesky-embed" data-bluesky-uri="at://did:plc:abc/app.bsky.feed.post/3kx">'
    '<p lang="en">The eels are already climbing it.</p>&mdash; Jane Example (<a href="https://'
    'bsky.app/profile/did:plc:abc?ref_src=embed">@jane.bsky.social</a>) <a href="https://bsky.app'
    '/profile/did:plc:abc/post/3kx?ref_src=embed">March 12, 2024 at 10:00 AM</a></blockquote>'
)
INSTAGRAM = (
    '<blockquote class="instagram-media" data-instgrm-permalink="https://www.instagram.com/p/B4a/'
    '?utm_source=ig_embed"><div><a href="https://www.instagram.com/p/B4a/">View this post on '
    'Instagram</a><p><a href="https://www.instagram.com/p/B4a/">The first eels this morning!</a>'
    '</p><p>A post shared by <a href="https://www.instagram.com/janeexample/"> Jane Example</a> '
    '(@janeexample) on <time datetime="2019-11-18T15:30:00+00:00">Nov 18, 2019 at 7:30am PST'
    "</time></p></div></blockquote>"
)
MASTODON = (
    '<blockquote class="mastodon-embed" data-embed-url="https://mastodon.social/@jane/1130/embed">'
    '<a href="https://mastodon.social/@jane/1130"><div>Post by @jane@mastodon.social</div>'
    "<div>View on Mastodon</div></a></blockquote>"
)
MASTODON_POST = (
    '<blockquote class="mastodon-embed" data-embed-url="https://mastodon.nl/@jan/1131/embed">'
    '<p lang="nl">De eerste palingen zijn er.</p>&mdash; Jan Voorbeeld (@jan@mastodon.nl) '
    '<a href="https://mastodon.nl/@jan/1131">12 maart 2024</a></blockquote>'
    '<script async src="https://mastodon.nl/embed.js"></script>'
)
MASTODON_IFRAME = (
    '<iframe src="https://mastodon.social/@jane/1132/embed" class="mastodon-embed" width="400">'
    '</iframe><script src="https://mastodon.social/embed.js" async="async"></script>'
)


@pytest.mark.parametrize(
    ("embed", "kind", "text", "post"),
    [
        (
            BLUESKY,
            Kind.POST,
            "The eels are already climbing it.",
            Post(
                author="Jane Example",
                handle="jane.bsky.social",
                date_text="March 12, 2024 at 10:00 AM",
                date="2024-03-12",
                url="https://bsky.app/profile/did:plc:abc/post/3kx",
            ),
        ),
        (
            INSTAGRAM,
            Kind.POST,
            "The first eels this morning!",
            Post(
                author="Jane Example",
                handle="janeexample",
                date_text="Nov 18, 2019 at 7:30am PST",
                date="2019-11-18",
                url="https://instagram.com/p/B4a",
            ),
        ),
        (
            MASTODON,
            Kind.EMBED,
            "Mastodon post by @jane@mastodon.social",
            Post(handle="jane@mastodon.social", url="https://mastodon.social/@jane/1130"),
        ),
        (
            MASTODON_POST,
            Kind.POST,
            "De eerste palingen zijn er.",
            Post(
                author="Jan Voorbeeld",
                handle="jan@mastodon.nl",
                date_text="12 maart 2024",
                date="2024-03-12",
                url="https://mastodon.nl/@jan/1131",
            ),
        ),
        (
            MASTODON_IFRAME,
            Kind.EMBED,
            "Mastodon post by @jane@mastodon.social",
            Post(handle="jane@mastodon.social", url="https://mastodon.social/@jane/1132"),
        ),
    ],
    ids=["bluesky", "instagram", "mastodon", "mastodon-with-words", "mastodon-iframe"],
)
def test_embedded_posts_of_every_platform_are_kept_on_a_page(
    embed: str, kind: Kind, text: str, post: Post
) -> None:
    page = PAGE.replace(f"<p>{THIRD}</p>", f"<p>{THIRD}</p>{embed}")
    found = [s for s in read_html(page).segments if s.kind is kind and s.post == post]
    assert [s.text for s in found] == [text]


def test_a_page_is_cut_to_its_head_metadata_and_article_element_before_reading() -> None:
    ld = '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "H"}</script>'
    page = PAGE.replace("<h1>Fish pass", f"{ld}<h1>Fish pass").replace(
        '<div class="col-main">', '<div class="col-main" lang="en-GB">'
    )
    reference = f"{LEAD}\n{SECOND}\n{THIRD}"
    cut = focus(page, reference)
    assert cut is not None
    assert cut.startswith('<html lang="en"><head><title>Fish pass opens | Daily Example</title>')
    assert '<div class="col-main" lang="en-GB">' in cut
    assert ld in cut
    for chrome in ("Most read", "Great news", "consent-wall", "Copyright"):
        assert chrome not in cut
    assert _spoken(read_html(page).segments) == _spoken(read_html(cut).segments)


def test_a_page_whose_text_is_spread_is_not_cut_and_a_cookie_wall_s_text_does_not_count() -> None:
    spread = f"<html><body><div><p>{LEAD}</p></div><div><p>{SECOND}</p></div></body></html>"
    assert focus(spread, f"{LEAD}\n{SECOND}") is None
    wall = f'<div class="cookie-notice"><div><p>{SECOND}</p></div></div>'
    page = (
        f"<html><body>{wall}<div><div id='a'><p>{LEAD}</p><p>{THIRD}</p></div></div></body></html>"
    )
    cut = focus(page, f"{SECOND}\n{LEAD}\n{THIRD}")
    assert cut is not None
    assert '<div id="a">' in cut
    assert "cookie" not in cut


def test_a_mastodon_post_with_its_words_is_spoken_in_its_own_language() -> None:
    page = PAGE.replace(f"<p>{THIRD}</p>", f"<p>{THIRD}</p>{MASTODON_POST}")
    (post,) = [s for s in read_html(page).segments if s.kind is Kind.POST and s.lang_hint == "nl"]
    assert post.spoken and post.text == "De eerste palingen zijn er."


def test_mastodon_s_own_embed_code_has_no_words_and_stays_silent() -> None:
    """Its "Post by @user@host" and "View on Mastodon" are the code's, not the post's."""
    page = PAGE.replace(f"<p>{THIRD}</p>", f"<p>{THIRD}</p>{MASTODON}{MASTODON_IFRAME}")
    segments = read_html(page).segments
    assert not any("Mastodon" in s.text for s in segments if s.spoken)
    assert [s.kind for s in segments if s.post and "mastodon" in (s.post.url or "")] == [
        Kind.EMBED,
        Kind.EMBED,
    ]


def test_the_main_text_leaves_out_asides_and_leaves_the_page_s_tree_as_it_was() -> None:
    aside = "<aside><h3>Read next</h3><p>The harbour council votes on a budget.</p></aside>"
    page = PAGE.replace(f"<p>{SECOND}</p>", f"<p>{SECOND}</p>{aside} and a tail.")
    tree = page_tree(page.replace("<body>", "<body><nav><a href='/'>Home</a></nav>"))
    assert tree is not None
    before = lxml.html.tostring(tree)
    text = main_text(tree)
    assert LEAD in text and SECOND in text and THIRD in text
    assert "harbour council" not in text and "Home" not in text
    assert lxml.html.tostring(tree) == before
