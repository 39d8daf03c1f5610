"""Owner only, on every path that reads orders: purchase history, "have I ordered X", reorder, problem orders
(with and without an order id) and personal picks.

Two real giftshop customers with no product in common: A (14520: Jumbo Bag Red Retrospot, Popcorn Holder,
Doormat Red Retrospot in orders 544606 and 581222) and B (17436: coffee mugs and a washing-up brush in orders
551202 and 581358). Whatever A or a guest asks, and whoever used the session before, a reply's text, products
and bundle hold nothing of B's (order ids, titles, products), reasons cite only the shopper's own purchases,
and a hand-off ticket holds only the conversation of the person who asked for it.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

A, B = "14520", "17436"
# "often bought with the Jumbo Bag Red Retrospot you ordered …", "like the Popcorn Holder you bought"
_CITED = re.compile(r"(?:with|like) the (.+?) you (?:ordered|bought|looked at)")


@dataclass(frozen=True)
class Holdings:
    """What one customer has on record: order ids, product ids and titles (order lines and catalog)."""

    customer: str
    orders: tuple[str, ...]  # newest first
    product_ids: frozenset[str]
    titles: frozenset[str]

    @property
    def order_ids(self) -> frozenset[str]:
        return frozenset(self.orders)

    @property
    def last_order(self) -> str:
        return self.orders[0]


def holdings(bot: Any, customer: str) -> Holdings:
    orders = bot.db.orders_for_customer(customer, limit=100)
    lines = [line for o in orders for line in o.lines]
    ids = frozenset(line.product_id for line in lines)
    titles = {line.title for line in lines} | {p.title for p in bot.db.get_products(sorted(ids))}
    return Holdings(customer=customer, orders=tuple(o.id for o in orders), product_ids=ids, titles=frozenset(titles))


@pytest.fixture(scope="module")
def owners(giftshop_bot: Any) -> dict[str, Holdings]:
    a, b = holdings(giftshop_bot, A), holdings(giftshop_bot, B)
    assert len(a.order_ids) >= 2 and len(b.order_ids) >= 2, "both customers need orders in var/giftshop/shop.db"
    assert not a.product_ids & b.product_ids, "A and B must have no product in common"
    assert not {t.casefold() for t in a.titles} & {t.casefold() for t in b.titles}
    return {A: a, B: b}


@pytest.fixture
def session(giftshop_bot: Any) -> Iterator[str]:
    s = f"owner-only-{uuid.uuid4().hex[:12]}"
    yield s
    giftshop_bot.delete_history(s)


def leaks(reply: Any, other: Holdings, echoed: frozenset[str] = frozenset(), catalog: bool = False) -> list[str]:
    """What of ``other``'s shows in the reply.

    Args:
        reply: the assistant's reply.
        other: the customer whose orders must not show.
        echoed: titles the shopper typed, which the reply may repeat.
        catalog: the reply lists catalog products (picks, best sellers): one of ``other``'s products may be
            among them on its own merits, so only order ids and reasons are checked.
    """
    text = reply.text.casefold()
    found = [f"order id {o} in the text" for o in sorted(other.order_ids) if o in reply.text]
    if not catalog:
        found += [f"title {t!r} in the text" for t in sorted(other.titles - echoed) if t.casefold() in text]
        shown = {p.id for p in reply.products} | ({i.id for i in reply.bundle.items} if reply.bundle else set())
        found += [f"product {pid} shown" for pid in sorted(shown & other.product_ids)]
    reasons = [p.reason for p in reply.products] + ([i.reason for i in reply.bundle.items] if reply.bundle else [])
    found += [f"reason {r!r} names order {o}" for r in reasons for o in other.order_ids if o in r]
    return found


def foreign_citations(reply: Any, own: Holdings | None) -> list[str]:
    """Reasons that cite a purchase ("… you ordered", "… you bought") not on the shopper's own record."""
    mine = {t.casefold() for t in own.titles} if own else set()
    cited = [m.group(1) for p in reply.products for m in _CITED.finditer(p.reason)]
    return [c for c in cited if c.casefold() not in mine]


def say(bot: Any, session: str, user: str | None, message: str) -> Any:
    return bot.respond(message, session_id=session, user_id=user)


def rendered_transcript(bot: Any, session: str) -> str:
    return "\n".join(f"{m['role']}: {m['text']}" for m in bot.transcript(session))


# Each message asks, as A or as a guest, about B's orders or products, or about "my" orders with no id.
# {b_order}: B's latest order; {b_title}: one of B's products, named by the shopper.
ASKS_ABOUT_B = [
    pytest.param("have I ordered the {b_title} before?", id="have-i-ordered-b-product"),
    pytest.param("what did I buy last time?", id="history"),
    pytest.param("order {b_order} again please", id="reorder-b-order"),
    pytest.param("order the same again", id="reorder-last"),
    pytest.param("order {b_order} arrived broken", id="problem-b-order"),
    pytest.param("an item is missing from order {b_order}", id="problem-missing-b-order"),
    pytest.param("my last order arrived broken", id="problem-no-id"),
    pytest.param("when will my order arrive", id="arrival-no-id"),
    pytest.param("recommend me something new I haven't bought before", id="personal-picks"),
]


@pytest.mark.parametrize("user", [A, None], ids=["customer-A", "guest"])
@pytest.mark.parametrize("template", ASKS_ABOUT_B)
def test_nothing_of_another_customer_on_any_order_path(
    giftshop_bot: Any, owners: dict[str, Holdings], session: str, user: str | None, template: str
) -> None:
    b = owners[B]
    b_title = "London Bus Coffee Mug"
    assert b_title in b.titles
    message = template.format(b_order=b.last_order, b_title=b_title)
    others = [b] if user == A else [owners[A], b]  # a guest sees nobody's orders
    echoed = frozenset({b_title}) if "{b_title}" in template else frozenset()
    # Picks, and the shop's products of the kind the shopper names ("No: I don't see it in your orders. Here is what
    # we have now:" lists coffee mugs, whoever bought them): catalog lists, checked for order ids and reasons.
    catalog = "recommend" in template or "{b_title}" in template
    own = owners[user] if user else None

    # The question, "yes" to whatever was offered, then a person: every reply and the ticket are checked.
    for text in (message, "yes", "I'd like to talk to a person"):
        reply = say(giftshop_bot, session, user, text)
        for other in others:
            found = leaks(reply, other, echoed, catalog=catalog and text == message)
            assert not found, (text, reply.text, found)
        assert not foreign_citations(reply, own), (text, reply.text, foreign_citations(reply, own))
        if echoed and text == message:
            assert "you ordered" not in reply.text.casefold(), f"{user} never bought it: {reply.text}"
        if user is None and text == message and not catalog:
            assert "sign in" in reply.text.casefold(), reply.text

    tickets = giftshop_bot.dialog.sessions.tickets(session)
    assert tickets, "asking for a person opens a ticket"
    assert tickets[-1]["transcript"] == rendered_transcript(giftshop_bot, session)


def test_reorder_bundles_only_the_shoppers_own_order(
    giftshop_bot: Any, owners: dict[str, Holdings], session: str
) -> None:
    a, b = owners[A], owners[B]
    reply = say(giftshop_bot, session, A, "order the same again")
    assert reply.bundle is not None and reply.bundle.items, reply.text
    assert {i.id for i in reply.bundle.items} <= a.product_ids
    assert a.last_order in reply.text and not leaks(reply, b)
    reply = say(giftshop_bot, session, A, f"order {b.last_order} again")
    assert reply.bundle is None or {i.id for i in reply.bundle.items} <= a.product_ids, reply.text
    assert not leaks(reply, b)


def test_personal_picks_cite_only_the_shoppers_own_purchases(
    giftshop_bot: Any, owners: dict[str, Holdings], session: str
) -> None:
    for user in (A, B):
        s = f"{session}-{user}"
        reply = say(giftshop_bot, s, user, "anything new you'd suggest for me?")
        giftshop_bot.delete_history(s)
        cited = [m.group(1) for p in reply.products for m in _CITED.finditer(p.reason)]
        assert cited, f"personal picks for {user} carry reasons from their history: {reply.text}"
        assert not foreign_citations(reply, owners[user]), (user, reply.text)
        other = owners[B if user == A else A]
        assert foreign_citations(reply, other), "the check tells one customer's history from the other's"


# B uses the session first and sees their own order and picks; then the session continues as someone else.
B_TURNS = [
    "have I ordered the London Bus Coffee Mug before?",
    "recommend me something new",
    "order {b_order} arrived broken",
]
NEXT_TURNS = [
    "yes",
    "what was in it?",
    "why did you pick these?",
    "order the same again",
    "it arrived broken",
    "what did I buy last time?",
    "I want to speak to a person",
]


@pytest.mark.parametrize("next_user", [A, None], ids=["then-customer-A", "then-guest"])
def test_switching_the_signed_in_user_leaves_nothing_of_the_first(
    giftshop_bot: Any, owners: dict[str, Holdings], session: str, next_user: str | None
) -> None:
    b = owners[B]
    b_messages = [t.format(b_order=b.last_order) for t in B_TURNS]
    b_replies = [say(giftshop_bot, session, B, m) for m in b_messages]
    assert b.last_order in b_replies[0].text, "B sees their own order (the test needs B's data on screen)"
    assert leaks(b_replies[0], b), "the leak check finds B's order in B's own reply"
    assert b_replies[2].options, "B is offered a person for the broken order"

    own = owners[next_user] if next_user else None
    for text in NEXT_TURNS:
        reply = say(giftshop_bot, session, next_user, text)
        assert not leaks(reply, b), (text, reply.text, leaks(reply, b))
        assert not foreign_citations(reply, own), (text, reply.text)
        if reply.bundle is not None:
            assert own is not None and {i.id for i in reply.bundle.items} <= own.product_ids, (text, reply.text)

    tickets = giftshop_bot.dialog.sessions.tickets(session)
    assert tickets, "asking for a person opens a ticket"
    transcript = tickets[-1]["transcript"]
    assert NEXT_TURNS[-1] in transcript and NEXT_TURNS[1] in transcript
    for m in b_messages:
        assert m not in transcript, f"the ticket holds the previous user's message {m!r}"
    for o in sorted(b.order_ids):
        assert o not in transcript, f"the ticket holds the previous user's order {o}"
    for t in sorted(b.titles):
        assert t.casefold() not in transcript.casefold(), f"the ticket holds the previous user's product {t!r}"
