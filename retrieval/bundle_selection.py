"""Choosing bundle items from scored candidates under an exact Decimal budget.

Greedy by role: roles are visited best candidate first; each role gets its
best-scoring candidate that is not a near-duplicate of an item already chosen
and whose cost still leaves enough budget for the cheapest item of each role
still to fill. A second pass fills leftover slots without that reserve. When
nothing fits at all, the cheapest possible set is returned and marked as over
budget: the result never claims to be within budget when it is not.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np

from cartwise.currency import format_money, to_money
from cartwise.models import Product
from retrieval.product_types import title_stem, title_words

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class SelectionCandidate:
    """A product that may fill ``role``, with its score and quantity; ``payload`` is kept for the caller."""

    row: int
    product: Product
    role: str
    kind: str
    score: float
    quantity: int = 1
    payload: Any = None

    @property
    def cost(self) -> Decimal:
        return to_money(self.product.price * self.quantity)


@dataclass(frozen=True)
class Pick:
    """A chosen candidate; ``cheaper`` is True when a better one of its role was passed over for the budget."""

    candidate: SelectionCandidate
    quantity: int
    cheaper: bool


@dataclass
class SelectionOutcome:
    picks: list[Pick]
    total: Decimal
    budget: Decimal | None
    within_budget: bool
    wanted: int
    cheapest_single: SelectionCandidate | None = None
    budget_limited: bool = False

    def note(self, size: int, currency: str) -> str:
        """One or two sentences on budget use and what could not be met."""

        def m(x: Decimal) -> str:
            return format_money(x, currency)

        chosen = [p for p in self.picks if p.candidate.role != "anchor"]
        if not self.picks:
            return "No products match this request."
        short = ""
        if len(chosen) < size:
            why = "fit the budget" if self.budget_limited else "were found that go together"
            short = f" Only {len(chosen)} of the {size} items {why}."
        if self.budget is None:
            return f"{len(self.picks)} items, {m(self.total)} in total.{short}"
        if not self.within_budget:
            over = to_money(self.total - self.budget)
            text = (
                f"Nothing fits a budget of {m(self.budget)}: the cheapest set I can put together costs "
                f"{m(self.total)} ({m(over)} over)."
            )
            if self.cheapest_single is not None and self.cheapest_single.cost > self.budget:
                text += (
                    f" The cheapest single item, {self.cheapest_single.product.title}, costs "
                    f"{m(self.cheapest_single.cost)}."
                )
            return text
        left = to_money(self.budget - self.total)
        return f"{m(self.total)} of your {m(self.budget)} budget ({m(left)} left).{short}"


class BundleSelector:
    """Picks at most one candidate per role under a budget.

    Args:
        vectors: product embedding rows (candidates refer to them by ``row``).
        duplicate_cosine: candidates more similar than this to a chosen item are skipped.
        allow_similar: allow items of the same role/kind/title stem (only the same product is refused).
    """

    def __init__(self, vectors: np.ndarray, duplicate_cosine: float = 0.9, allow_similar: bool = False) -> None:
        self.vectors = vectors
        self.duplicate_cosine = duplicate_cosine
        self.allow_similar = allow_similar

    def select(
        self,
        candidates: list[SelectionCandidate],
        size: int,
        budget: Decimal | None,
        fixed: list[Pick] | None = None,
        avoid: list[SelectionCandidate] | None = None,
    ) -> SelectionOutcome:
        """Choose up to ``size`` candidates (plus the ``fixed`` picks, which always stay and count toward the budget).

        Args:
            candidates: scored candidates, any order.
            size: number of items wanted besides the fixed ones.
            budget: exact spending limit, or None.
            fixed: picks that must be in the bundle (an included anchor).
            avoid: products the choice must not duplicate (the anchor when it is not included).
        """
        fixed = list(fixed or [])
        by_role: dict[str, list[SelectionCandidate]] = {}
        for c in sorted(candidates, key=lambda c: (-c.score, c.product.id)):
            # With similar items allowed every candidate is its own slot: plain score order.
            by_role.setdefault(f"{c.role}\x00{c.product.id}" if self.allow_similar else c.role, []).append(c)
        roles = sorted(by_role, key=lambda r: (-by_role[r][0].score, r))
        state = _State(self, fixed, avoid or [])
        fixed_cost = sum((p.candidate.cost for p in fixed), ZERO)
        if budget is not None and fixed_cost > budget:
            return self._cheapest_set(state, by_role, roles, size, budget)
        cheapest = {r: min(c.cost for c in cs) for r, cs in by_role.items()}
        for use_reserve in (True, False):
            for i, role in enumerate(roles):
                if state.count >= size:
                    break
                if role in state.roles:
                    continue
                if not use_reserve or budget is None:
                    state.try_role(by_role[role], budget, ZERO)
                    continue
                # Keep enough for the cheapest way to fill the remaining slots from the later roles; when the role
                # does not fit beside all of them, it still comes before them, with room kept for fewer: a
                # better-scoring role (a home office's computer) is never dropped for the count of lesser ones.
                later = sorted(cheapest[r] for r in roles[i + 1 :] if r not in state.roles)
                for slots_left in range(min(size - state.count - 1, len(later)), -1, -1):
                    if state.try_role(by_role[role], budget, sum(later[:slots_left], ZERO)):
                        break
        # Nothing fits at all (and nothing was fixed): show the cheapest set instead, flagged as over budget.
        if budget is not None and state.count == 0 and not fixed and candidates and size > 0:
            return self._cheapest_set(state.reset(), by_role, roles, size, budget)
        total = state.total()
        return SelectionOutcome(
            picks=state.picks,
            total=total,
            budget=budget,
            within_budget=budget is None or total <= budget,
            wanted=size,
            budget_limited=state.passed_over,
        )

    def _cheapest_set(
        self, state: _State, by_role: dict[str, list[SelectionCandidate]], roles: list[str], size: int, budget: Decimal
    ) -> SelectionOutcome:
        for role in roles:
            if state.count >= size:
                break
            for c in sorted(by_role[role], key=lambda c: (c.cost, -c.score)):
                if state.allowed(c):
                    state.add(c, cheaper=False)
                    break
        all_cands = [c for cs in by_role.values() for c in cs]
        cheapest = min(all_cands, key=lambda c: c.cost) if all_cands else None
        total = state.total()
        return SelectionOutcome(
            picks=state.picks,
            total=total,
            budget=budget,
            within_budget=total <= budget,
            wanted=size,
            cheapest_single=cheapest,
        )

    def is_duplicate(self, c: SelectionCandidate, rows: list[int], stems: set[str]) -> bool:
        if self.allow_similar or not rows:
            return False
        if title_stem(c.product.title) in stems:
            return True
        sims = self.vectors[rows] @ self.vectors[c.row]
        return bool((sims > self.duplicate_cosine).any())


class _State:
    """The picks so far and what they rule out."""

    def __init__(self, selector: BundleSelector, fixed: list[Pick], avoid: list[SelectionCandidate]) -> None:
        self.selector = selector
        self.fixed = fixed
        self.avoid = avoid
        self.reset()

    def reset(self) -> _State:
        self.picks: list[Pick] = list(self.fixed)
        blockers = [p.candidate for p in self.fixed] + list(self.avoid)
        self.rows = [c.row for c in blockers]
        self.ids = {c.product.id for c in blockers}
        self.roles: set[str] = {p.candidate.role for p in self.fixed}
        self.kinds: set[str] = {c.kind for c in blockers}
        self.stems = {title_stem(c.product.title) for c in blockers}
        # What the fixed items (the anchor) are called, word by word: "Tea Time Teapot In Gift Box" is a teapot
        # too, even though its own kind reads "gift box".
        self.fixed_words = {_singular(w) for p in self.fixed for w in title_words(p.candidate.product.title)}
        self.count = 0
        self.passed_over = False  # some allowed candidate was skipped for the budget
        return self

    def allowed(self, c: SelectionCandidate) -> bool:
        if c.product.id in self.ids:
            return False
        if not self.selector.allow_similar and (c.role in self.roles or c.kind in self.kinds):
            return False
        head = _singular(c.kind.split()[-1]) if c.kind else ""
        if not self.selector.allow_similar and head and head in self.fixed_words:
            return False
        return not self.selector.is_duplicate(c, self.rows, self.stems)

    def add(self, c: SelectionCandidate, cheaper: bool) -> None:
        self.picks.append(Pick(c, c.quantity, cheaper))
        self.rows.append(c.row)
        self.ids.add(c.product.id)
        self.roles.add(c.role)
        self.kinds.add(c.kind)
        self.stems.add(title_stem(c.product.title))
        self.count += 1

    def total(self) -> Decimal:
        return to_money(sum((p.candidate.cost for p in self.picks), ZERO))

    def try_role(self, cands: list[SelectionCandidate], budget: Decimal | None, reserve: Decimal) -> bool:
        """Add the best allowed candidate that fits with ``reserve`` kept; whether one was added."""
        spent = self.total()
        passed_over = False
        for c in cands:
            if not self.allowed(c):
                continue
            if budget is None or spent + c.cost + reserve <= budget:
                self.add(c, cheaper=passed_over)
                return True
            passed_over = True
            self.passed_over = True
        return False


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word
