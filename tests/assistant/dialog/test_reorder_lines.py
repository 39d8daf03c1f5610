"""The lines of a past order that ordering it again leaves out (``assistant/dialog/handlers/bundles.py``): those
the message turns down ("the same as last time but without the hand warmers")."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assistant.dialog.handlers.bundles import _turned_down
from cartwise.models import OrderLine

pytestmark = pytest.mark.no_shop  # reads no built shop: runs while a fresh clone builds them


def _line(title: str) -> OrderLine:
    return OrderLine(product_id=title[:5], title=title, quantity=1, unit_price=Decimal("1.00"))


def test_the_lines_an_order_again_leaves_out() -> None:
    lines = [_line("Hand Warmer Union Jack"), _line("Hand Cream Lavender"), _line("Pantry Mug")]
    # Every word turned down names the line ("hand warmers": not the hand cream) ...
    assert [x.title for x in _turned_down(lines, ("hand", "warmers"))] == ["Hand Warmer Union Jack"]
    # ... else any of them does ("without the mugs and candles").
    assert [x.title for x in _turned_down(lines, ("mugs", "candles"))] == ["Pantry Mug"]
    assert _turned_down(lines, ()) == []
