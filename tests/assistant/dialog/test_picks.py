"""Personal picks without a query (``assistant/dialog/handlers/picks.py``) on the real giftshop: "something new
I haven't bought before" is never something the shopper bought, whatever the size of their history."""

from __future__ import annotations

import uuid
from typing import Any

import pytest


@pytest.mark.parametrize(
    "customer",
    [
        pytest.param("14520", id="3-products"),
        pytest.param("14298", id="wholesale-884-products"),
        pytest.param("12748", id="wholesale-1768-products"),
    ],
)
def test_something_new_is_never_something_already_bought(giftshop_bot: Any, customer: str) -> None:
    bought = {e.product_id for e in giftshop_bot.db.purchase_history(customer)}
    assert bought, f"customer {customer} needs purchases in var/giftshop/shop.db"
    session = f"picks-{uuid.uuid4().hex[:12]}"
    try:
        reply = giftshop_bot.respond(
            "recommend me something new I haven't bought before", session_id=session, user_id=customer
        )
    finally:
        giftshop_bot.delete_history(session)
    assert reply.intent == "recommend_for_me" and len(reply.products) >= 3, reply.text
    again = [f"{p.id} {p.title}" for p in reply.products if p.id in bought]
    assert not again, f"customer {customer} already bought {again}"
    assert all(p.reason for p in reply.products), reply.text
