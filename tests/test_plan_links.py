"""Where a post's chapter links: its own link, else its author's profile on the platform it says."""

from __future__ import annotations

import pytest

from polycast.models import Post
from polycast.plan.links import post_link


@pytest.mark.parametrize(
    ("post", "text", "link"),
    [
        (
            Post(handle="cepa", url="https://twitter.com/cepa/status/1"),
            "",
            "https://twitter.com/cepa/status/1",
        ),
        (Post(handle="cepa"), "Zapad. https://t.co/vTcIoMT55Q", "https://twitter.com/cepa"),
        (Post(handle="@JaneDoe"), "Closely. pic.twitter.com/AbC123", "https://twitter.com/JaneDoe"),
        (Post(handle="marieexemple"), "Merci !", "https://twitter.com/marieexemple"),
        (Post(handle="Gargron@Mastodon.Social"), "", "https://mastodon.social/@Gargron"),
        (Post(handle="alice.bsky.social"), "", "https://bsky.app/profile/alice.bsky.social"),
        (
            Post(handle="jay.bsky.team"),
            "bsky.app/profile/jay.bsky.team/post/3k",
            "https://bsky.app/profile/jay.bsky.team",
        ),
        (
            Post(handle="natgeo"),
            "View this post on instagram.com/p/Cx1/",
            "https://www.instagram.com/natgeo/",
        ),
        (Post(handle="jan.de.vries"), "Hallo.", None),  # dotted, no platform said: not Twitter's
        (Post(handle="a_handle_far_too_long_for_twitter"), "", None),
        (Post(author="CEPA"), "pic.twitter.com/x", None),  # no handle: no profile
        (None, "", None),
    ],
)
def test_a_post_links_to_itself_else_to_its_authors_profile(
    post: Post | None, text: str, link: str | None
) -> None:
    assert post_link(post, text) == link


def test_a_handle_is_quoted_into_the_address() -> None:
    assert post_link(Post(handle="a b"), "bsky.app/") == "https://bsky.app/profile/a%20b"
