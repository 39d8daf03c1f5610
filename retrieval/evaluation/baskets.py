"""Frequently bought together: given one item of a held-out order, find the order's other items.

Compares the bundle builder with raw co-occurrence counts and popularity, all
learned from orders before the held-out month. Besides Recall@5/@10 and
precision@10 it reports catalog coverage (share of products that ever appear in
a recommendation) and intra-list diversity (1 - mean pairwise cosine).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Collection, Iterable, Sequence

import numpy as np
from pydantic import BaseModel
from scipy import sparse
from sqlalchemy import select

from cartwise.db import OrderRow, ShopDatabase
from retrieval.bundle_types import BundleRequest
from retrieval.bundles import BundleBuilder
from retrieval.copurchase import CopurchaseStats
from retrieval.evaluation.metrics import diversity, mean, precision_at, recall_at
from retrieval.evaluation.personalisation import TimeSplit
from retrieval.history import HistoryBuilder, HistoryProfile
from retrieval.product_vectors import ProductVectors

Recommender = Callable[["BasketCase"], list[str]]


class BasketCase(BaseModel):
    """One held-out order: the item shown (anchor) and the other items bought with it."""

    order_id: str
    customer_id: str | None
    anchor_id: str
    others: list[str]


def sample_baskets(
    db: ShopDatabase, split: TimeSplit, pv: ProductVectors, n: int, seed: int, max_items: int = 60
) -> list[BasketCase]:
    """``n`` held-out orders with 2..``max_items`` distinct catalog products, one random anchor each.

    Wholesale orders above ``max_items`` lines are left out: "the other 300 items" is not a bundle.
    """
    with db.engine.connect() as conn:
        owner = {
            str(o): c
            for o, c in conn.execute(
                select(OrderRow.id, OrderRow.customer_id).where(
                    OrderRow.placed_at >= split.start, OrderRow.placed_at < split.end
                )
            )
        }
    baskets = [(o, [p for p in items if p in pv]) for o, items in db.baskets(before=split.end, after=split.start)]
    baskets = [(o, items) for o, items in baskets if 2 <= len(items) <= max_items]
    rng = random.Random(seed)
    cases = []
    for order_id, items in rng.sample(baskets, min(n, len(baskets))):
        anchor = rng.choice(items)
        cases.append(
            BasketCase(
                order_id=order_id,
                customer_id=owner.get(order_id),
                anchor_id=anchor,
                others=[p for p in items if p != anchor],
            )
        )
    return cases


class RawCooccurrence:
    """The plain baseline: partners ranked by the number of orders they share with the anchor."""

    def __init__(self, baskets: Iterable[tuple[str, list[str]]]) -> None:
        position: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        n = 0
        for _order, items in baskets:
            for pid in dict.fromkeys(items):
                rows.append(n)
                cols.append(position.setdefault(pid, len(position)))
            n += 1
        matrix = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, len(position)))
        self.counts = (matrix.T @ matrix).tocsr()
        self.ids = list(position)
        self.position = position

    def top(self, anchor: str, k: int) -> list[str]:
        i = self.position.get(anchor)
        if i is None:
            return []
        row = self.counts.getrow(i)
        pairs = [(c, j) for j, c in zip(row.indices.tolist(), row.data.tolist(), strict=True) if j != i]
        pairs.sort(key=lambda cj: (-cj[0], self.ids[cj[1]]))
        return [self.ids[j] for _, j in pairs[:k]]

    def top_for_history(self, history: Collection[str], k: int, exclude: Collection[str] = ()) -> list[str]:
        """The ``k`` products sharing the most orders with the ``history`` products (counts summed), none of
        ``history`` or ``exclude``; ties broken by id."""
        rows = [self.position[p] for p in dict.fromkeys(history) if p in self.position]
        if not rows:
            return []
        scores = np.asarray(self.counts[rows].sum(axis=0)).ravel()
        for pid in (*history, *exclude):
            i = self.position.get(pid)
            if i is not None:
                scores[i] = 0.0
        found = np.flatnonzero(scores > 0).tolist()
        found.sort(key=lambda j: (-scores[j], self.ids[j]))
        return [self.ids[j] for j in found[:k]]


def recommenders(
    stats: CopurchaseStats,
    raw: RawCooccurrence,
    builder: BundleBuilder,
    profile: Callable[[str | None], HistoryProfile | None],
    k: int = 10,
) -> dict[str, Recommender]:
    """The methods compared, each ``case -> up to k product ids``."""
    popular = [str(stats.ids[i]) for i in np.argsort(-stats.item_orders, kind="stable")[: k + 1]]

    def build(case: BasketCase, allow_similar: bool, history: bool) -> list[str]:
        request = BundleRequest(
            anchor_id=case.anchor_id,
            size=k,
            in_stock_only=False,
            allow_similar=allow_similar,
            profile=profile(case.customer_id) if history else None,
        )
        return [item.product.id for item in builder.build(request).items]

    return {
        "popularity": lambda c: [p for p in popular if p != c.anchor_id][:k],
        "raw co-occurrence count": lambda c: raw.top(c.anchor_id, k),
        "co-purchase weight (ours, no builder)": lambda c: [p.partner_id for p in stats.partners(c.anchor_id, k)],
        "bundle builder": lambda c: build(c, allow_similar=False, history=False),
        "bundle builder + history": lambda c: build(c, allow_similar=False, history=True),
        "bundle builder, similar allowed": lambda c: build(c, allow_similar=True, history=False),
        "bundle builder, similar allowed + history": lambda c: build(c, allow_similar=True, history=True),
    }


def evaluate(
    cases: Sequence[BasketCase], methods: dict[str, Recommender], pv: ProductVectors, catalog_size: int
) -> dict[str, dict[str, float]]:
    """Recall@5/@10, precision@10, coverage, diversity and mean list length of each method."""
    out: dict[str, dict[str, float]] = {}
    for name, method in methods.items():
        r5, r10, p10, div, length = [], [], [], [], []
        seen: set[str] = set()
        for case in cases:
            ranked = [p for p in method(case) if p in pv]
            targets = set(case.others)
            r5.append(recall_at(targets, ranked, 5))
            r10.append(recall_at(targets, ranked, 10))
            p10.append(precision_at(targets, ranked, 10))
            seen.update(ranked)
            length.append(len(ranked))
            d = diversity(pv.embeddings(ranked[:10])) if ranked else None
            if d is not None:
                div.append(d)
        out[name] = {
            "recall@5": mean(r5),
            "recall@10": mean(r10),
            "precision@10": mean(p10),
            "coverage": len(seen) / max(catalog_size, 1),
            "diversity": mean(div),
            "mean_items": mean(length),
        }
    return out


def profile_lookup(
    db: ShopDatabase, pv: ProductVectors, history: HistoryBuilder, split: TimeSplit
) -> Callable[[str | None], HistoryProfile | None]:
    """Cached ``customer id -> profile from purchases before the split`` (None for guests)."""
    cache: dict[str, HistoryProfile] = {}

    def lookup(customer_id: str | None) -> HistoryProfile | None:
        if not customer_id:
            return None
        if customer_id not in cache:
            cache[customer_id] = history.for_customer(db, pv, customer_id, before=split.start)
        return cache[customer_id]

    return lookup
