from __future__ import annotations

from decimal import Decimal

import pytest

from assistant.types import QuantityChange
from assistant.understanding.multiples import quantity_change


@pytest.mark.parametrize(("text", "expected"), [
    ("make it 2 of each", QuantityChange(each=2)),
    ("two of each please", QuantityChange(each=2)),
    ("3 of everything", QuantityChange(each=3)),
    ("double the quantities", QuantityChange(factor=Decimal(2))),
    ("can i get the same again but only half as many", QuantityChange(factor=Decimal("0.5"))),
    ("three times as many", QuantityChange(factor=Decimal(3))),
])
def test_a_change_to_every_quantity(text: str, expected: QuantityChange) -> None:
    assert quantity_change(text.split()) == expected


@pytest.mark.parametrize("text", ["a double bed throw", "half price teapots", "add 2 mugs", "each one is lovely",
                                  "twice a week"])
def test_no_change_to_quantities(text: str) -> None:
    # A double bed and half price are things and prices; a count of one thing changes that thing only.
    assert quantity_change(text.split()) is None

