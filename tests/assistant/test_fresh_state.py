"""Nothing stale, nothing lost, on the real giftshop assistant: a hand-off ticket holds the whole conversation
including the turn that triggered it, an order placed after start-up shapes the very next turn, and a re-ingest
reaches the in-memory product data without a restart."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import text

from assistant.dialog.state import SessionStore
from assistant.types import DialogState
from cartwise.db import ShopDatabase, make_engine
from cartwise.models import Customer, Order, OrderLine, OrderStatus


def test_reserved_ticket_gets_the_transcript_of_the_turn_that_triggered_it(tmp_path: Any) -> None:
    store = SessionStore(make_engine(f"sqlite:///{tmp_path / 's.db'}")).create_schema()
    store.save_turn(DialogState(session_id="a", turn=1), "show me mugs", "here are mugs", "search_product")
    ticket = store.reserve_ticket("a", None, "asked for a person")
    assert store.tickets("a")[0]["status"] == "reserved"
    store.save_turn(DialogState(session_id="a", turn=2), "a person please", f"ticket #{ticket}", "contact_human_agent")
    [saved] = store.tickets("a")
    assert saved["id"] == ticket and saved["status"] == "open"
    assert saved["transcript"].splitlines() == ["user: show me mugs", "assistant: here are mugs",
                                                "user: a person please", f"assistant: ticket #{ticket}"]
    store.save_turn(DialogState(session_id="a", turn=3), "thanks", "bye", "thanks")
    assert store.tickets("a")[0]["transcript"] == saved["transcript"]  # an open ticket is not rewritten


def test_handoff_ticket_holds_the_whole_conversation(giftshop_bot: Any) -> None:
    session = f"ticket-{uuid.uuid4().hex[:10]}"
    try:
        first = giftshop_bot.respond("show me lunch bags", session_id=session)
        handoff = giftshop_bot.respond("I want to talk to a human", session_id=session)
        assert handoff.handoff, handoff.text
        [ticket] = giftshop_bot.dialog.sessions.tickets(session)
        assert f"#{ticket['id']}" in handoff.text
        lines = ticket["transcript"].splitlines()
        assert lines[0] == "user: show me lunch bags" and lines[1].startswith("assistant: ")
        assert first.text.splitlines()[0] in ticket["transcript"]
        # The message that triggered the hand-off and the reply announcing it are in the ticket.
        assert "user: I want to talk to a human" in lines
        assert handoff.text.splitlines()[0] in ticket["transcript"] and ticket["status"] == "open"
    finally:
        giftshop_bot.delete_history(session)


@pytest.fixture
def new_customer(giftshop_bot: Any) -> Iterator[str]:
    """A customer with no orders yet; their orders and the customer are removed afterwards."""
    customer = f"T{uuid.uuid4().hex[:10]}"
    yield customer
    engine = giftshop_bot.db.engine
    with engine.begin() as conn:
        ids = [r[0] for r in conn.execute(text("SELECT id FROM orders WHERE customer_id = :c"), {"c": customer})]
        for order_id in ids:
            conn.execute(text("DELETE FROM order_lines WHERE order_id = :o"), {"o": order_id})
            conn.execute(text("DELETE FROM orders WHERE id = :o"), {"o": order_id})
        conn.execute(text("DELETE FROM customers WHERE id = :c"), {"c": customer})


def test_an_order_placed_now_is_seen_by_the_next_turn(giftshop_bot: Any, new_customer: str) -> None:
    bot, sessions = giftshop_bot, [f"fresh-{uuid.uuid4().hex[:8]}" for _ in range(2)]
    try:
        before = bot.respond("show me lunch bags", session_id=sessions[0], user_id=new_customer)
        assert before.products and not any("bought" in p.reason for p in before.products)
        bought = before.products[-1]
        # Placed through the shop database (any process could do this), after the shopper's history was cached.
        db = ShopDatabase(bot.db.engine)
        db.add_order(Order(id=f"W{uuid.uuid4().hex[:9]}", customer_id=new_customer, placed_at=datetime.now(),
                           status=OrderStatus.processing,
                           lines=[OrderLine(product_id=bought.id, title=bought.title, quantity=2,
                                            unit_price=bought.price)]),
                     customer=Customer(id=new_customer, name="Test Shopper"))
        after = bot.respond("show me lunch bags", session_id=sessions[1], user_id=new_customer)
        reasons = {p.id: p.reason for p in after.products}
        assert "you bought this before (once" in reasons.get(bought.id, ""), (bought.id, reasons)
    finally:
        for s in sessions:
            bot.delete_history(s)


def test_orders_data_version_moves_with_every_order_write(tmp_path: Any) -> None:
    db = ShopDatabase(make_engine(f"sqlite:///{tmp_path / 'v.db'}")).create_schema()
    assert db.data_version() == 0
    db.replace_orders([Customer(id="1", name="A")], [])
    line = OrderLine(product_id="P1", title="Mug", quantity=1, unit_price="2.50")
    db.add_order(Order(id="O1", customer_id="1", placed_at=datetime(2026, 1, 1), status=OrderStatus.delivered,
                       lines=[line]))
    assert db.data_version() == 2 and [e.product_id for e in db.purchase_history("1")] == ["P1"]


@pytest.mark.slow
def test_a_reingest_that_keeps_the_product_count_is_picked_up_without_a_restart(giftshop_bot: Any) -> None:
    """A re-ingest that changes a price but not the number of products (which the old staleness check missed):
    the next turns reload the in-memory product data in the background, and then quote the new price."""
    from retrieval.store import ProductStore

    bot, session = giftshop_bot, f"reingest-{uuid.uuid4().hex[:8]}"
    watcher, every = bot.watcher, bot.watcher.every_s
    first = bot.respond("show me lunch bags", session_id=session)
    target = bot.dialog.shopping.store.get([first.products[0].id])[0]
    changed = target.model_copy(update={"price": target.price + Decimal("0.37")})
    store = ProductStore.from_settings(bot.settings, embedder=bot.dialog.shopping.store.embedder, create=True)
    db = ShopDatabase.from_settings(bot.settings)
    old_dialog = bot.dialog
    watcher.every_s = 0.0
    try:
        store.upsert([changed])  # what `cartwise ingest` does: the product store first, then the database
        db.upsert_products([changed])
        bot.respond("hello", session_id=session)  # notices the change and starts the reload
        watcher.wait(300)
        assert bot.dialog is not old_dialog and watcher.reloads_ >= 1
        again = bot.respond("show me lunch bags", session_id=f"{session}-2")
        prices = {p.id: p.price for p in again.products}
        assert prices.get(target.id) == changed.price, (target.id, target.price, prices)
    finally:
        store.upsert([target])
        db.upsert_products([target])
        bot.respond("hello", session_id=session)
        watcher.wait(300)
        watcher.every_s = every
        for s in (session, f"{session}-2"):
            bot.delete_history(s)
