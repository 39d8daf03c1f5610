"""What a title says a product is: the kind a phrase of it ends in."""

from __future__ import annotations

import pytest

from assistant.understanding.catalog import ends_in, is_a

pytestmark = pytest.mark.no_shop  # reads no built shop: runs while a fresh clone builds them


@pytest.mark.parametrize(
    ("title", "word", "ends", "mentions"),
    [
        ('Samsung 58" Class - TU690T Series - 4K UHD LED LCD TV', "tv", True, True),
        ("Handy Premier - TV Mounting Service with In-wall Wire Concealment", "tv", False, True),
        ("Dairy Maid Traditional Teapot", "teapot", True, True),
        ("Tea Time Teapot In Gift Box", "teapot", True, True),  # the phrase before "in" ends in it
        ("Card Wedding Day", "card", False, True),  # the kind first: mentioned, not ended in
        ("Backbone One - PlayStation Edition Mobile Gaming Controller for iPhone", "iphone", False, False),
        # What comes with the product is not what it is.
        ("AirPods Pro (2nd generation) with MagSafe Case (USB-C)", "case", False, False),
        ("Klipsch GIG XXL Portable Wireless Party Speaker with Mic", "speaker", True, True),
        # An "&" or "and" after one word joins it to the next: one phrase; after a phrase, a second thing.
        ("Bowers & Wilkins Px7 S2 Headphones", "headphones", True, True),
        ("Gin And Tonic Mug", "mug", True, True),
        ("Green Regency Teacup And Saucer", "teacup", True, True),
        ("Green Regency Teacup And Saucer", "saucer", False, True),
    ],
)
def test_a_title_ends_in_what_it_is(title: str, word: str, ends: bool, mentions: bool) -> None:
    assert (ends_in(title, word), is_a(title, word)) == (ends, mentions)
