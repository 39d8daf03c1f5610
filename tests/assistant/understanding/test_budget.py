from __future__ import annotations

from decimal import Decimal

import pytest

from assistant.understanding.budget import find_budget, restated_amount


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


@pytest.mark.parametrize("text", ["a laptop and a mouse, 900 total", "900 in total for everything", "900 all in"])
def test_an_amount_before_total_is_the_most_to_spend(text: str) -> None:
    budget, _ = find_budget(text, "USD")
    assert budget is not None and budget.maximum == Decimal("900.00")
    assert find_budget("what is the total", "USD")[0] is None


@pytest.mark.parametrize("text", ["set up a home cinema for me, 2000 max", "a gaming pc, 2000 tops", "max 2000"])
def test_a_limit_like_a_year_is_a_budget_with_its_cue_on_either_side(text: str) -> None:
    budget, _ = find_budget(text, "USD")
    assert budget is not None and budget.maximum == Decimal("2000.00")
    assert find_budget("what did i buy in 2010", "USD")[0] is None  # a year, no limit said
