"""Budget adherence: generated themed and anchored requests with budgets, checked with exact Decimals."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from decimal import Decimal

from pydantic import BaseModel

from cartwise.currency import to_money
from retrieval.bundle_types import BundleRequest, BundleResult
from retrieval.bundles import BundleBuilder
from retrieval.evaluation.metrics import mean

FREE_TEXT = {
    "giftshop": [
        "a present for my gran",
        "something for a gardener",
        "cosy winter evening",
        "girls sleepover",
        "retro kitchen",
        "vintage wedding table",
        "stocking fillers",
        "teacher thank you",
    ],
    "electronics": [
        "a present for my dad who likes photography",
        "upgrade my tv room",
        "streaming setup",
        "work calls from the kitchen",
        "music in every room",
        "a gift for a teenager",
    ],
}


class BudgetCheck(BaseModel):
    """Outcome of one generated request."""

    shop: str
    request: str
    budget: Decimal
    total: Decimal
    within_budget: bool
    items: int
    size: int
    violation: bool  # claimed within budget but total > budget: must never happen
    honest_flag: bool  # when flagged over budget: every item (or the included anchor) alone costs more


def generate_requests(builder: BundleBuilder, shop: str, n: int, seed: int) -> list[BundleRequest]:
    """``n`` requests: known themes, free-text themes and anchors, with log-uniform budgets around the shop's prices.

    Budgets range from about a tenth to ten times the price of ``size`` median products, so some
    cannot be met at all (the builder must say so) and some leave money over.
    """
    rng = random.Random(seed)
    products = [p for p in builder.vectors.products if p.in_stock]
    prices = sorted(float(p.price) for p in products)
    median = prices[len(prices) // 2]
    themes = [name for t in builder.rules.themes for name in t.names()[:2]]
    shop_free = FREE_TEXT.get(shop, FREE_TEXT["giftshop"])
    requests = []
    for _ in range(n):
        size = rng.randint(2, 6)
        budget = to_money(median * size * math.exp(rng.uniform(math.log(0.1), math.log(10.0))))
        people = rng.choice([None, None, 2, 4, 6, 8])
        kind = rng.random()
        if kind < 0.4 and themes:
            requests.append(BundleRequest(theme=rng.choice(themes), budget=budget, size=size, people=people))
        elif kind < 0.6:
            requests.append(BundleRequest(theme=rng.choice(shop_free), budget=budget, size=size, people=people))
        else:
            anchor = rng.choice(products)
            requests.append(
                BundleRequest(
                    anchor_id=anchor.id, budget=budget, size=size, people=people, include_anchor=rng.random() < 0.3
                )
            )
    return requests


def check(builder: BundleBuilder, requests: Sequence[BundleRequest], shop: str) -> list[BudgetCheck]:
    """Build every request and check its total against its budget with exact Decimal arithmetic."""
    out = []
    for req in requests:
        if req.budget is None:
            raise ValueError(f"a budget check needs a budget; request {req.theme or req.anchor_id!r} has none")
        result = builder.build(req)
        total = to_money(sum((i.line_total for i in result.items), Decimal(0)))
        out.append(
            BudgetCheck(
                shop=shop,
                request=req.theme or f"anchor {req.anchor_id}",
                budget=req.budget,
                total=total,
                within_budget=result.within_budget,
                items=len(result.items),
                size=req.size or builder.size,
                violation=(result.within_budget and total > req.budget) or total != result.total,
                honest_flag=result.within_budget or _flag_is_honest(result, req.budget),
            )
        )
    return out


def summarise(checks: Sequence[BudgetCheck]) -> dict[str, float]:
    """Shares and means over the checks (per shop or all together)."""
    flagged = [c for c in checks if not c.within_budget]
    within = [c for c in checks if c.within_budget and not c.violation]
    feasible = len(checks) - len(flagged)
    return {
        "requests": float(len(checks)),
        "within_budget_share_of_feasible": len(within) / feasible if feasible else 1.0,
        "violations": float(sum(c.violation for c in checks)),
        "flagged_impossible": float(len(flagged)),
        "flags_honest_share": mean([1.0 if c.honest_flag else 0.0 for c in flagged]) if flagged else 1.0,
        "mean_budget_use": mean([float(c.total / c.budget) for c in within if c.budget > 0]),
        "mean_items_per_requested": mean([c.items / c.size for c in within]),
    }


def _flag_is_honest(result: BundleResult, budget: Decimal) -> bool:
    # A flag is honest when no single proposed item (or the included anchor) fits the budget on its own.
    if result.total <= budget:
        return False
    return all(item.line_total > budget for item in result.items) or any(
        item.source == "anchor" and item.line_total > budget for item in result.items
    )
