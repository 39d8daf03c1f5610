"""Describing words after "something" (``ShoppingAdvisor.find(describing=...)``) on the real electronics shop: the
products whose titles print them come first, alone when there are a few, and never required when there are not."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from assistant.types import DialogState, Slots


def test_products_printing_a_describing_word_come_first_and_alone_when_there_are_a_few(
        shop_assistant: Any) -> None:
    shopping = shop_assistant("electronics").dialog.shopping
    slots = Slots(budget_max=Decimal("200"))
    state = DialogState(session_id="describing")
    plain = shopping.find("gaming monitors", slots, False, state, None)
    described = shopping.find("gaming monitors", slots, False, state, None, describing=["curved"])
    titles = [p.title for p, _ in described.ranked]
    assert any("Curved" not in p.title for p, _ in plain.ranked[:5])  # the words alone leave flat ones in
    assert len(titles) >= 3 and all("Curved" in t for t in titles), titles
    # One title printing the word makes no list by itself: it comes first, the rest follow it.
    gifts = shop_assistant("giftshop").dialog.shopping
    ribbons = gifts.find("christmas ribbons", Slots(), False, state, None, describing=["elegant"])
    printing = [p.title for p, _ in ribbons.ranked if "Elegant" in p.title]
    assert len(printing) < 3 and ribbons.ranked[0][0].title in printing and len(ribbons.ranked) > 3


@pytest.mark.parametrize(("words", "text", "printed"), [
    (["noise", "cancelling"], "Sony WH1000XM5 Wireless Noise-Canceling Over-the-Ear Headphones", True),
    (["canceling"], "Beats Studio Buds + True Wireless Noise Cancelling Earbuds", True),
    (["travelling"], "Travel Mug", False),  # another word, not another spelling
    (["ram"], "Kitchen Scales 500 gram", False),
])
def test_a_doubled_consonant_in_either_spelling(words: list[str], text: str, printed: bool) -> None:
    from assistant.dialog.handlers.shopping import _words_pattern

    assert bool(_words_pattern(words, from_start=True).search(text)) is printed
