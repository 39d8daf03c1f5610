"""Does history reranking find what returning customers actually bought next?

For a sample of (customer, product) purchases in a held-out month, the query is
the product's type words ("lunch bag"); the store returns candidates; we compare
where the bought product lands with the plain ranking, a popularity ranking of
the same candidates, and the history reranker (history = purchases before the month).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import select
from tqdm import tqdm

from cartwise.db import OrderLineRow, OrderRow, ShopDatabase
from cartwise.models import OrderStatus
from retrieval.copurchase import CopurchaseStats
from retrieval.evaluation.metrics import mean, rank_of
from retrieval.history import HistoryBuilder, HistoryProfile
from retrieval.product_types import query_words
from retrieval.product_vectors import ProductVectors
from retrieval.rerank import HistoryReranker, RerankCandidate, RerankExample
from retrieval.types import SearchHit

Search = Callable[[str, int], list[SearchHit]]


@dataclass(frozen=True)
class TimeSplit:
    """Held-out window ``[start, end)``; everything the models know comes from before ``start``."""

    name: str
    start: datetime
    end: datetime


class PurchaseCase(BaseModel):
    """One held-out purchase: who bought what, and the query standing for it."""

    customer_id: str
    product_id: str
    query: str
    repeat: bool


def sample_cases(db: ShopDatabase, split: TimeSplit, pv: ProductVectors, n: int, seed: int) -> list[PurchaseCase]:
    """``n`` distinct (customer, product) purchases in the split by customers who had bought before it."""
    returning = (
        select(OrderRow.customer_id)
        .distinct()
        .where(
            OrderRow.placed_at < split.start,
            OrderRow.customer_id.is_not(None),
            OrderRow.status != OrderStatus.cancelled.value,
        )
    )
    q = (
        select(OrderRow.customer_id, OrderLineRow.product_id)
        .join(OrderLineRow, OrderLineRow.order_id == OrderRow.id)
        .where(
            OrderRow.placed_at >= split.start,
            OrderRow.placed_at < split.end,
            OrderRow.status != OrderStatus.cancelled.value,
            OrderLineRow.quantity > 0,
            OrderRow.customer_id.in_(returning),
        )
        .distinct()
        .order_by(OrderRow.customer_id, OrderLineRow.product_id)
    )
    with db.engine.connect() as conn:
        pairs = [(str(c), str(p)) for c, p in conn.execute(q) if p in pv]
    rng = random.Random(seed)
    chosen = rng.sample(pairs, min(n, len(pairs)))
    cases = []
    for customer, product_id in chosen:
        product = pv.get([product_id])[0]
        bought_before = any(e.product_id == product_id for e in db.purchase_history(customer, before=split.start))
        cases.append(
            PurchaseCase(
                customer_id=customer,
                product_id=product_id,
                query=query_words(product.title, product.category),
                repeat=bought_before,
            )
        )
    return cases


class PersonalisationRun:
    """Candidates, profiles and rankings for the cases of one split.

    Args:
        db: the shop database.
        pv: products and vectors.
        search: ``(query, k) -> hits`` (the real store's hybrid search).
        history: builds profiles.
        k_candidates: candidates retrieved per query (the reranker's pool).
    """

    def __init__(
        self, db: ShopDatabase, pv: ProductVectors, search: Search, history: HistoryBuilder, k_candidates: int = 50
    ) -> None:
        self.db = db
        self.pv = pv
        self.search = search
        self.history = history
        self.k_candidates = k_candidates
        self._hits: dict[str, list[SearchHit]] = {}
        self._profiles: dict[tuple[str, datetime], HistoryProfile] = {}

    def candidates(self, query: str) -> list[RerankCandidate]:
        if query not in self._hits:
            self._hits[query] = self.search(query, self.k_candidates)
        hits = self._hits[query]
        vecs = self.pv.embeddings([h.product.id for h in hits])
        return [RerankCandidate(h.product, h.score, v) for h, v in zip(hits, vecs, strict=True)]

    def profile(self, customer_id: str, before: datetime) -> HistoryProfile:
        key = (customer_id, before)
        if key not in self._profiles:
            self._profiles[key] = self.history.for_customer(self.db, self.pv, customer_id, before=before)
        return self._profiles[key]

    def examples(self, cases: Sequence[PurchaseCase], split: TimeSplit, progress: bool = True) -> list[RerankExample]:
        return [
            RerankExample(self.candidates(c.query), self.profile(c.customer_id, split.start), c.product_id)
            for c in tqdm(cases, desc=f"cases {split.name}", unit="case", disable=not progress)
        ]


def evaluate(
    examples: Sequence[RerankExample],
    cases: Sequence[PurchaseCase],
    rankers: dict[str, Callable[[RerankExample], list[str]]],
    k: int = 10,
) -> dict[str, dict[str, float]]:
    """Recall@k and MRR@k of each ranker over all cases, and separately over first-time and repeat purchases."""
    out: dict[str, dict[str, float]] = {}
    subsets: dict[str, Callable[[PurchaseCase], bool]] = {
        "all": lambda c: True,
        "new": lambda c: not c.repeat,
        "repeat": lambda c: c.repeat,
    }
    for name, ranker in rankers.items():
        ranks = [rank_of(ex.target_id, ranker(ex)) for ex in examples]
        row: dict[str, float] = {}
        for subset, keep in subsets.items():
            rs = [r for r, c in zip(ranks, cases, strict=True) if keep(c)]
            row[f"recall@{k}_{subset}"] = mean([1.0 if r is not None and r <= k else 0.0 for r in rs])
            row[f"mrr@{k}_{subset}"] = mean([1.0 / r if r is not None and r <= k else 0.0 for r in rs])
            row[f"n_{subset}"] = float(len(rs))
        out[name] = row
    return out


def rankers(
    stats: CopurchaseStats, history_only: HistoryReranker, full: HistoryReranker
) -> dict[str, Callable[[RerankExample], list[str]]]:
    """The rankings compared: plain search order, popularity, and the history reranker with and without co-purchase."""

    def plain(ex: RerankExample) -> list[str]:
        return [c.product.id for c in _cands(ex)]

    def popularity(ex: RerankExample) -> list[str]:
        cands = _cands(ex)
        order = sorted(range(len(cands)), key=lambda i: (-stats.item_count(cands[i].product.id), i))
        return [cands[i].product.id for i in order]

    def rerank_with(model: HistoryReranker) -> Callable[[RerankExample], list[str]]:
        return lambda ex: [r.product.id for r in model.rerank(None, ex.candidates, ex.profile, explain=False)]

    return {
        "search (no rerank)": plain,
        "popularity": popularity,
        "history rerank (λ only)": rerank_with(history_only),
        "history rerank (λ + co-purchase)": rerank_with(full),
    }


def _cands(ex: RerankExample) -> list[RerankCandidate]:
    return [c if isinstance(c, RerankCandidate) else RerankCandidate(*c) for c in ex.candidates]
