"""Personal picks without a query: does :class:`~retrieval.picks.PersonalRecommender` find what a returning
customer buys next for the first time?

For customers with at least ``min_orders`` orders before a held-out month who bought at least one product in
that month they had never bought before, the history is their purchases before the month and the truth is those
new-to-them products (picks never repeat a purchase). Everything a method knows (the profile, co-purchase
statistics, popularity, raw co-occurrence counts) comes from orders placed before the month: :class:`KnownBefore`
holds it. Stock is ignored for every method, as in the bought-together evaluation: today's stock says nothing
about last year's months.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pydantic import BaseModel
from sqlalchemy import func, select

from cartwise.db import OrderLineRow, OrderRow, ShopDatabase
from cartwise.models import OrderStatus
from retrieval.copurchase import CopurchaseMiner, CopurchaseStats
from retrieval.evaluation.baskets import RawCooccurrence
from retrieval.evaluation.metrics import hit_at, mean, precision_at, recall_at
from retrieval.evaluation.personalisation import TimeSplit
from retrieval.history import HistoryProfile
from retrieval.picks import DEFAULT_SIMILAR_SHARE, DEFAULT_SIMILAR_WIDTH, PersonalRecommender
from retrieval.product_vectors import ProductVectors

K = 10


class PicksCase(BaseModel):
    """One customer of a held-out month.

    Attributes:
        customer_id: the customer.
        prior_orders: their orders placed before the month.
        bought: every distinct product they bought before the month.
        new: the truth, distinct catalog products bought in the month and never before.
    """

    customer_id: str
    prior_orders: int
    bought: list[str]
    new: list[str]


Method = Callable[[PicksCase, HistoryProfile], list[str]]


@dataclass(frozen=True)
class KnownBefore:
    """What the methods may know when a held-out month starts, mined only from the orders placed before it."""

    split: TimeSplit
    copurchase: CopurchaseStats
    popularity: dict[str, int]
    raw: RawCooccurrence

    @classmethod
    def mine(cls, db: ShopDatabase, split: TimeSplit, miner: CopurchaseMiner) -> KnownBefore:
        """Co-purchase statistics, distinct-customer popularity and raw co-occurrence counts before ``split``."""
        baskets = list(db.baskets(before=split.start))
        return cls(split, miner.mine(baskets), db.product_popularity(before=split.start), RawCooccurrence(baskets))


def _bought(db: ShopDatabase, customers: set[str], start: object, end: object | None) -> dict[str, set[str]]:
    q = (
        select(OrderRow.customer_id, OrderLineRow.product_id)
        .join(OrderLineRow, OrderLineRow.order_id == OrderRow.id)
        .where(
            OrderRow.status != OrderStatus.cancelled.value,
            OrderLineRow.quantity > 0,
            OrderRow.customer_id.is_not(None),
        )
        .distinct()
    )
    q = (
        q.where(OrderRow.placed_at < start)
        if end is None
        else q.where(OrderRow.placed_at >= start, OrderRow.placed_at < end)
    )
    out: dict[str, set[str]] = defaultdict(set)
    with db.engine.connect() as conn:
        for customer, product in conn.execute(q):
            if str(customer) in customers:
                out[str(customer)].add(str(product))
    return out


def sample_customers(
    db: ShopDatabase, split: TimeSplit, pv: ProductVectors, n: int, seed: int, min_orders: int = 3
) -> list[PicksCase]:
    """Up to ``n`` customers (fixed ``seed``) with ``min_orders``+ orders before ``split`` and at least one
    catalog product in it that they had not bought before; sorted by customer id."""
    prior_q = (
        select(OrderRow.customer_id, func.count(OrderRow.id))
        .where(
            OrderRow.placed_at < split.start,
            OrderRow.customer_id.is_not(None),
            OrderRow.status != OrderStatus.cancelled.value,
        )
        .group_by(OrderRow.customer_id)
        .having(func.count(OrderRow.id) >= min_orders)
    )
    with db.engine.connect() as conn:
        prior = {str(c): int(k) for c, k in conn.execute(prior_q)}
    before = _bought(db, set(prior), split.start, None)
    during = _bought(db, set(prior), split.start, split.end)
    cases = []
    for customer in sorted(during):
        new = sorted(p for p in during[customer] - before[customer] if p in pv)
        if new:
            cases.append(
                PicksCase(customer_id=customer, prior_orders=prior[customer], bought=sorted(before[customer]), new=new)
            )
    chosen = random.Random(seed).sample(cases, min(n, len(cases)))
    return sorted(chosen, key=lambda c: c.customer_id)


def picks_of(model: PersonalRecommender, k: int = K) -> Method:
    """``model.recommend`` as a method: the ids of its picks for the profile."""
    return lambda case, profile: [p.product.id for p in model.recommend(profile, k)]


def methods(
    known: KnownBefore,
    pv: ProductVectors,
    similar_share: float = DEFAULT_SIMILAR_SHARE,
    similar_width: float | None = DEFAULT_SIMILAR_WIDTH,
    k: int = K,
) -> dict[str, Method]:
    """The methods compared, each ``(case, profile) -> up to k product ids``.

    The two baselines exclude everything the customer ever bought (``case.bought``); the recommender sees only
    the profile, as in the assistant. ``similar_width`` is the per-bought-product width of the recommender's
    similar picks (``None``: the mean history vector); the mean-vector variants are always reported beside it.
    """
    popularity, stats = known.popularity, known.copurchase
    recommender = PersonalRecommender(pv, stats, popularity, similar_share=similar_share, similar_width=similar_width)
    mean_vector = PersonalRecommender(pv, stats, popularity, similar_share=similar_share, similar_width=None)

    def profile_items_only(case: PicksCase, profile: HistoryProfile) -> list[str]:
        # As before commit 0372372, only the profile's (at most 200) items are known as bought.
        return [
            p.product.id for p in mean_vector.recommend(profile.model_copy(update={"purchased_ids": frozenset()}), k)
        ]

    def width_name(width: float | None) -> str:
        return "mean history vector" if width is None else f"per bought product, width {width:g}"

    out: dict[str, Method] = {
        "popularity (best sellers not yet bought)": lambda case, _: [
            p.product.id for p in recommender.best_sellers(k, exclude=set(case.bought))
        ],
        "co-occurrence of the history (raw counts)": lambda case, _: known.raw.top_for_history(case.bought, k),
        "picks: co-purchase only": picks_of(
            PersonalRecommender(pv, stats, popularity, similar_share=0.0, similar_width=similar_width), k
        ),
        "picks: similarity only, mean history vector": picks_of(
            PersonalRecommender(pv, None, popularity, similar_share=1.0, similar_width=None), k
        ),
    }
    if similar_width is not None:
        out[f"picks: similarity only, {width_name(similar_width)}"] = picks_of(
            PersonalRecommender(pv, None, popularity, similar_share=1.0, similar_width=similar_width), k
        )
    out[f"PersonalRecommender (similar_share {similar_share:g}), mean history vector, only the profile's items "
        "excluded (before 0372372)"] = profile_items_only
    if similar_width is not None:
        out[f"PersonalRecommender (similar_share {similar_share:g}), mean history vector"] = picks_of(mean_vector, k)
    out[f"PersonalRecommender (similar_share {similar_share:g}), {width_name(similar_width)}"] = picks_of(
        recommender, k
    )
    return out


def evaluate(
    cases: Sequence[PicksCase],
    profiles: Sequence[HistoryProfile],
    methods: dict[str, Method],
    catalog_size: int,
    k: int = K,
) -> dict[str, dict[str, float]]:
    """Recall/Precision/HitRate@k (means over customers), catalog coverage (share of the catalog recommended to
    anyone), the share of picks the customer had already bought, and the mean list length, per method."""
    out: dict[str, dict[str, float]] = {}
    for name, method in methods.items():
        recall, precision, hits, repeats, length = [], [], [], [], []
        seen: set[str] = set()
        for case, profile in zip(cases, profiles, strict=True):
            ranked = method(case, profile)[:k]
            truth, bought = set(case.new), set(case.bought)
            recall.append(recall_at(truth, ranked, k))
            precision.append(precision_at(truth, ranked, k))
            hits.append(hit_at(truth, ranked, k))
            repeats.append(sum(p in bought for p in ranked) / max(len(ranked), 1))
            length.append(len(ranked))
            seen.update(ranked)
        out[name] = {
            f"recall@{k}": mean(recall),
            f"precision@{k}": mean(precision),
            f"hit@{k}": mean(hits),
            "coverage": len(seen) / max(catalog_size, 1),
            "already_bought": mean(repeats),
            "mean_items": mean(length),
        }
    return out


def stock_ignored(pv: ProductVectors) -> ProductVectors:
    """The same catalog and vectors with every product in stock (the evaluation ignores today's stock)."""
    products = [p if p.in_stock else p.model_copy(update={"stock": 1}) for p in pv.products]
    return ProductVectors(products, pv.vectors)
