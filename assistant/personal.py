"""Personalisation for the dialog: the shopper's history profile and the history reranker."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from cartwise.db import PurchaseEvent, ShopDatabase
from cartwise.models import Product
from retrieval.history import HistoryBuilder, HistoryProfile
from retrieval.product_vectors import ProductVectors
from retrieval.rerank import HistoryReranker
from retrieval.types import SearchHit


class Personaliser:
    """Builds a shopper's profile (purchases + this conversation) and reranks search hits with it.

    Args:
        db: the orders database (purchase history).
        vectors: every product with its embedding.
        history: weights purchases by recency and quantity.
        reranker: ``sim(U,P) + λ·sim(P,H)`` (+ co-purchase affinity).
    """

    def __init__(self, db: ShopDatabase, vectors: ProductVectors, history: HistoryBuilder,
                 reranker: HistoryReranker) -> None:
        self.db = db
        self.vectors = vectors
        self.history = history
        self.reranker = reranker
        # Purchases don't change during a conversation; re-reading them every turn would dominate latency.
        self._events = lru_cache(maxsize=256)(self._load_events)

    def _load_events(self, user_id: str) -> tuple[PurchaseEvent, ...]:
        return tuple(self.db.purchase_history(user_id))

    def profile(self, user_id: str | None, viewed_ids: Sequence[str] = ()) -> HistoryProfile:
        events = self._events(user_id) if user_id else ()
        session = [i for i in viewed_ids if i in self.vectors]
        return self.history.build(self.vectors, events=events, session_ids=session, customer_id=user_id)

    def __call__(self, query: str, hits: list[SearchHit], user_id: str | None,
                 viewed_ids: list[str]) -> list[tuple[Product, str]]:
        profile = self.profile(user_id, viewed_ids)
        if profile.is_empty:
            return [(h.product, "") for h in hits]
        known = [h for h in hits if h.product.id in self.vectors]
        vecs = self.vectors.embeddings([h.product.id for h in known])
        ranked = self.reranker.rerank(None, [(h.product, h.score, v) for h, v in zip(known, vecs, strict=True)],
                                      profile)
        # Only reasons that speak for an item are shown; "others fit better" explains a demotion, not a pick.
        return [(r.product, r.reason if r.reason and r.rank <= r.base_rank else "") for r in ranked]
