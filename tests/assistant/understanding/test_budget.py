from __future__ import annotations

from decimal import Decimal

import pytest

from assistant.understanding.budget import restated_amount


@pytest.mark.parametrize(("text", "amount"), [
    ("we could all chip in, make it 40", Decimal("40.00")),
    ("say 30", Decimal("30.00")),
    ("25 instead", Decimal("25.00")),
    ("make it twenty", Decimal("20.00")),
    ("make it 2 of each", None),  # a count of things, not money
    ("make it 4 mugs", None),
    ("i want 4", None),
])
def test_a_bare_amount_restating_a_budget(text: str, amount: Decimal | None) -> None:
    assert restated_amount(text.replace(",", "").split()) == amount
