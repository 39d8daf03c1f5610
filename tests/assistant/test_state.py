from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from assistant.reply import BundleItem, ShownBundle
from assistant.state import DialogState, SessionStore
from cartwise.db import make_engine


def store(path: Path) -> SessionStore:
    return SessionStore(make_engine(f"sqlite:///{path / 'shop.db'}")).create_schema()


def test_state_survives_a_new_store_object(tmp_path: Path) -> None:
    bundle = ShownBundle(items=[BundleItem(id="22423", title="Regency Cakestand 3 Tier", price=Decimal("12.75"))],
                         total=Decimal("12.75"))
    state = DialogState(session_id="s1", user_id="17850", turn=3, shown_ids=["a", "b"], bundle=bundle,
                        slots={"budget_max": "20.00"})
    store(tmp_path).save_turn(state, "hello", "hi there", "greeting")
    again = store(tmp_path).load("s1")  # as after a restart
    assert again == state
    assert again is not None and again.bundle is not None and again.bundle.items[0].price == Decimal("12.75")


def test_sessions_are_isolated_and_deletable(tmp_path: Path) -> None:
    s = store(tmp_path)
    s.save_turn(DialogState(session_id="a", shown_ids=["1"]), "x", "y", "search_product")
    s.save_turn(DialogState(session_id="b", shown_ids=["2"]), "p", "q", "search_product")
    ticket = s.open_ticket("a", None, "asked for a person")
    assert ticket > 0 and "user: x" in s.tickets("a")[0]["transcript"]
    s.delete("a")
    assert s.load("a") is None and s.transcript("a") == [] and s.tickets("a") == []
    b = s.load("b")
    assert b is not None and b.shown_ids == ["2"] and len(s.transcript("b")) == 2
