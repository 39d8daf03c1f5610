from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError

from assistant.dialog.state import SessionStore
from assistant.reply import BundleItem, ShownBundle, ShownProduct
from assistant.types import DialogState, Slots, StateUpdate
from cartwise.db import make_engine

pytestmark = pytest.mark.no_shop  # reads no built shop: runs while a fresh clone builds them


def shown(*ids: str) -> list[ShownProduct]:
    return [ShownProduct(id=i, title=f"Product {i}", price=Decimal("1.00")) for i in ids]


def store(path: Path) -> SessionStore:
    return SessionStore(make_engine(f"sqlite:///{path / 'shop.db'}")).create_schema()


def test_state_survives_a_new_store_object(tmp_path: Path) -> None:
    bundle = ShownBundle(items=[BundleItem(id="22423", title="Regency Cakestand 3 Tier", price=Decimal("12.75"))],
                         total=Decimal("12.75"))
    state = DialogState(session_id="s1", user_id="17850", turn=3, shown=shown("a", "b"), bundle=bundle,
                        slots=Slots(budget_max=Decimal("20.00")))
    store(tmp_path).save_turn(state, "hello", "hi there", "greeting")
    again = store(tmp_path).load("s1")  # as after a restart
    assert again == state
    assert again is not None and again.bundle is not None and again.bundle.items[0].price == Decimal("12.75")


def test_sessions_are_isolated_and_deletable(tmp_path: Path) -> None:
    s = store(tmp_path)
    s.save_turn(DialogState(session_id="a", shown=shown("1")), "x", "y", "search_product")
    s.save_turn(DialogState(session_id="b", shown=shown("2")), "p", "q", "search_product")
    ticket = s.open_ticket("a", None, "asked for a person")
    assert ticket > 0 and "user: x" in s.tickets("a")[0]["transcript"]
    s.delete("a")
    assert s.load("a") is None and s.transcript("a") == [] and s.tickets("a") == []
    b = s.load("b")
    assert b is not None and b.shown_ids == ["2"] and len(s.transcript("b")) == 2


def test_updates_are_typed_and_applied_whole() -> None:
    state = DialogState(session_id="s", shown=shown("a"), query="teapot")
    update = StateUpdate(query="mug") | StateUpdate(shown=shown("b", "c"))
    new = update.apply(state)
    assert (new.query, new.shown_ids, state.shown_ids) == ("mug", ["b", "c"], ["a"])
    with pytest.raises(ValidationError):
        StateUpdate(shown_ids=["x"])  # type: ignore[call-arg]  # an unknown field is an error, not a no-op


def test_a_state_stored_by_an_older_version_starts_afresh(tmp_path: Path) -> None:
    s = store(tmp_path)
    s.save_turn(DialogState(session_id="old"), "x", "y", "greeting")
    with s.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE dialog_sessions SET state_json = ? WHERE session_id = 'old'",
                             ('{"session_id": "old", "slots": {"product_type": "mug"}}',))
    assert s.load("old") is None
