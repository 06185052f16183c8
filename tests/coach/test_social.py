"""social.bare_link: "never just post a link. Post a short note… with your take on it"."""

import pytest

from .spec import fired

SOCIAL = "social"


@pytest.mark.parametrize(
    "post",
    [
        "https://hbr.org/2024/05/why-sales-talent-is-scarce",
        "Great read! https://hbr.org/2024/05/why-sales-talent-is-scarce #sales #hiring",
        "Worth a look → www.example.com/report @dana",
    ],
)
def test_it_flags_a_link_with_no_note(post):
    assert "social.bare_link" in fired(post, subject=None, kind=SOCIAL)


@pytest.mark.parametrize(
    "post",
    [
        "Most sales hiring advice misses the point: the talent exists, it just doesn't want the title. "
        "https://hbr.org/2024/05/why-sales-talent-is-scarce",
        "We stopped calling the role 'sales' and applications tripled. Here's what we learned about titles.",
        "Three things I learned running our first Reno pilot: start small, measure ramp, share the numbers weekly. "
        "https://acme.com/blog/reno",
    ],
)
def test_it_allows_a_post_with_a_take(post):
    assert "social.bare_link" not in fired(post, subject=None, kind=SOCIAL)


def test_it_only_applies_to_social_posts():
    assert "social.bare_link" not in fired("https://acme.com/report", kind="drip")
