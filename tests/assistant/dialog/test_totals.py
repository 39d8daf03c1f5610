"""What several products come to together (``assistant/dialog/handlers/totals.py``), from their own prices."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assistant.dialog.handlers.totals import priced_together
from cartwise.models import Product

pytestmark = pytest.mark.no_shop  # reads no built shop: runs while a fresh clone builds them


def _product(pid: str, price: str, stock: int = 5) -> Product:
    return Product(id=pid, title=f"Thing {pid}", description="", category="party", price=Decimal(price), stock=stock)


def test_one_of_each_adds_up_their_prices() -> None:
    shown, detail = priced_together([_product("a", "2.95"), _product("b", "5.45")], 1, "£")
    assert detail == "Bought together, one of each, these 2 come to £8.40."
    assert [p.id for p in shown] == ["a", "b"] and all(not p.reason for p in shown)


def test_a_count_of_one_product_multiplies_its_price() -> None:
    shown, detail = priced_together([_product("a", "2.95")], 3, "£")
    assert detail == "3 × Thing a at £2.95 each come to £8.85."  # noqa: RUF001
    assert shown[0].reason == "3 × £2.95 = £8.85"  # noqa: RUF001


def test_a_count_with_several_products_is_not_applied_to_each() -> None:
    # "2 of those" with two shown picks two of them; it is no "2 of each".
    _, detail = priced_together([_product("a", "1.00"), _product("b", "2.00")], 2, "£")
    assert detail.endswith("come to £3.00.")


def test_a_sold_out_product_is_said_to_be_out_of_stock() -> None:
    shown, detail = priced_together([_product("a", "1.00"), _product("b", "2.00", stock=0)], 1, "$")
    assert detail == "Bought together, one of each, these 2 come to $3.00. One of them is out of stock at the moment."
    assert shown[1].reason == "out of stock"

