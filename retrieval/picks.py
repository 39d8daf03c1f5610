"""Recommendations without a query: a shopper's personal picks, and best sellers.

Personal picks follow the seed's score(U,P) + score(U,H) with no request to match: candidates come from what
this shopper bought (co-purchase partners of their purchases, and products close to the products they bought),
ranked by history-weighted affinity, never something they already bought. Each pick carries the fact behind
it ("often bought with the Hand Warmer Union Jack you ordered in December 2010"). A shopper with no history
gets best sellers, which are products bought by the most distinct customers.

Example:
    >>> recommender = PersonalRecommender(vectors, copurchase, popularity)  # doctest: +SKIP
    >>> [p.product.title for p in recommender.recommend(profile, k=3)]  # doctest: +SKIP
    ['Jumbo Bag Red Retrospot', 'Lunch Bag Black Skull', 'Pack Of 72 Retrospot Cake Cases']
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np

from cartwise.models import Product, ProductId
from retrieval.copurchase import CopurchaseStats
from retrieval.history import HistoryItem, HistoryProfile
from retrieval.product_types import title_words
from retrieval.product_vectors import ProductVectors
from retrieval.types import SearchFilters

PickSource = Literal["copurchase", "similar", "popular"]
DEFAULT_SIMILAR_SHARE = 0.8  # chosen on the validation month (docs/benchmarks/recommend.md)
DEFAULT_SIMILAR_WIDTH: float | None = 0.1  # chosen on the validation month (docs/benchmarks/recommend.md)


@dataclass(frozen=True)
class Pick:
    """One recommended product and why."""

    product: Product
    reason: str
    source: PickSource
    score: float = 0.0


def _month(item: HistoryItem) -> str:
    return f" in {item.last_at:%B %Y}" if item.last_at else ""


class PersonalRecommender:
    """Recommends products from a shopper's history, or best sellers for a shopper without one.

    Args:
        vectors: every product with its embedding.
        copurchase: co-purchase statistics (None: similarity only).
        popularity: product id -> distinct customers who bought it.
        similar_share: of the picks, how many come from history similarity rather than co-purchase (0: none
            unless co-purchase runs short; 1: all).
        similar_width: how fast similarity fades with distance from each bought product: a product scores
            ``sum_h w_h exp((cos(p, h) - 1) / width)`` over the history items ``h``, so being close to one
            purchase beats being halfway between many. ``None``: cosine to the history's mean vector instead
            (similar picks alone: validation Recall@10 0.026 vs 0.047 at width 0.1, test 0.024 vs 0.057;
            ``docs/benchmarks/recommend.md``).
    """

    def __init__(self, vectors: ProductVectors, copurchase: CopurchaseStats | None,
                 popularity: Mapping[str, int], similar_share: float = DEFAULT_SIMILAR_SHARE,
                 similar_width: float | None = DEFAULT_SIMILAR_WIDTH) -> None:
        self.vectors = vectors
        self.copurchase = copurchase
        self.popularity = popularity
        self.similar_share = similar_share
        self.similar_width = similar_width

    def best_sellers(self, k: int = 5, among: Collection[ProductId] | None = None,
                     exclude: Collection[ProductId] = ()) -> list[Pick]:
        """The ``k`` products most customers bought (in stock), optionally only ``among`` some ids."""
        pool = among if among is not None else self.popularity.keys()
        ranked = sorted((pid for pid in pool if pid not in exclude and self.popularity.get(pid, 0) > 0),
                        key=lambda pid: (-self.popularity.get(pid, 0), pid))
        picks: list[Pick] = []
        for product in self.vectors.get(ranked[: k * 3]):
            if product.in_stock:
                n = self.popularity.get(product.id, 0)
                picks.append(Pick(product, f"bought by {n} customer{'s' if n != 1 else ''}", "popular", float(n)))
            if len(picks) >= k:
                break
        return picks

    def recommend(self, profile: HistoryProfile, k: int = 5, exclude: Collection[ProductId] = ()) -> list[Pick]:
        """Up to ``k`` picks for ``profile``: co-purchase partners and similar products, none already bought.

        Falls back to best sellers when the profile is empty. Everything the shopper ever bought is left out,
        also purchases beyond the profile's heaviest items (``profile.purchased_ids``).
        """
        bought = set(profile.product_ids) | profile.purchased_ids | set(exclude)
        if profile.is_empty:
            return self.best_sellers(k, exclude=bought)
        by_copurchase = self._copurchase(profile, bought, k * 3)
        by_similarity = self._similar(profile, bought, k * 3)
        # At least one similar pick when the share allows any; a share of 0 means co-purchase first.
        n_similar = min(k, max(1, round(k * self.similar_share))) if by_similarity and self.similar_share > 0 else 0
        picks: list[Pick] = []
        seen_kinds: set[tuple[str, ...]] = set()
        queues = [by_copurchase[: k * 3], by_similarity[: k * 3]]
        quota = [k - n_similar, n_similar]
        for queue, limit in zip(queues, quota, strict=True):
            taken = 0
            for pick in queue:
                kind = tuple(title_words(pick.product.title)[-2:])
                if taken >= limit or any(pick.product.id == p.product.id for p in picks) or kind in seen_kinds:
                    continue
                picks.append(pick)
                seen_kinds.add(kind)
                taken += 1
        if len(picks) < k:  # not enough of either: fill with the rest, then best sellers
            rest = [p for p in [*by_copurchase, *by_similarity] if all(p.product.id != q.product.id for q in picks)]
            picks += rest[: k - len(picks)]
        if len(picks) < k:
            picks += self.best_sellers(k - len(picks), exclude=bought | {p.product.id for p in picks})
        return picks[:k]

    def _copurchase(self, profile: HistoryProfile, bought: set[str], n: int) -> list[Pick]:
        stats = self.copurchase
        if stats is None:
            return []
        weights = profile.weights()
        affinity = stats.affinity(weights)
        # Bought products leave the ranking first, so a long history does not use up the candidates scanned.
        affinity[[stats.position[pid] for pid in bought if pid in stats.position]] = 0.0
        order = np.argsort(-affinity)
        picks: list[Pick] = []
        for j in order[: n * 4]:
            if affinity[j] <= 0:
                break
            pid = str(stats.ids[j])
            if pid in bought or pid not in self.vectors:
                continue
            product = self.vectors.get([pid])[0]
            if not product.in_stock:
                continue
            because = max(profile.items, key=lambda item: weights.get(item.product_id, 0.0)
                          * stats.normalised(item.product_id, pid))
            pair = stats.pair(because.product_id, pid)
            if pair is None or pair.orders < 1:
                continue
            reason = (f"often bought with the {because.title} you ordered{_month(because)} "
                      f"({pair.orders} order{'s' if pair.orders != 1 else ''} had both)")
            picks.append(Pick(product, reason, "copurchase", float(affinity[j])))
            if len(picks) >= n:
                break
        return picks

    def _similar(self, profile: HistoryProfile, bought: set[str], n: int) -> list[Pick]:
        if profile.vector is None or profile.item_vectors is None:
            return []
        mask = self.vectors.mask(SearchFilters(in_stock=True, exclude_ids=frozenset(bought)))
        sims = profile.item_vectors @ self.vectors.vectors.T  # history items x catalog
        if self.similar_width is None:
            scores = self.vectors.vectors @ profile.vector
            credit = sims
        else:
            weights = profile.weights()
            w = np.array([weights[item.product_id] for item in profile.items], dtype=np.float32)
            credit = w[:, None] * np.exp((sims - 1.0) / self.similar_width)
            scores = credit.sum(axis=0)
        picks: list[Pick] = []
        for hit in self.vectors.top(scores, n, mask):
            # The history item that gives this product most of its score is the one the reason names.
            nearest = profile.items[int(np.argmax(credit[:, self.vectors.position[hit.product.id]]))]
            verb = "bought" if nearest.source == "purchase" else "looked at"
            picks.append(Pick(hit.product, f"like the {nearest.title} you {verb}", "similar", hit.score))
        return picks
