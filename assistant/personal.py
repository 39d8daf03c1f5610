"""Personalisation for the dialog: the shopper's history profile and the history reranker."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Sequence

from cartwise.db import ORDERS, PurchaseEvent, ShopDatabase
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
        ttl_s: longest a shopper's cached purchases are used (0: read them every time).
        max_users: shoppers whose purchases are cached (least recently used go first).
        relevance_band: only hits scoring at least this share of the best hit's score are reordered by history;
            the rest follow in search order. History and co-purchase terms are on a cosine scale while the
            hybrid score of a weak match is near 0, so without a band a lunch bag bought with the shopper's
            jumbo bags outranked every headphone for "headphones".

    Purchase histories are cached, since reading one every turn would dominate latency, but never go stale:
    an entry is dropped when the database's ``orders`` data version moved (any order written through
    :class:`~cartwise.db.ShopDatabase`, by any process) and after ``ttl_s`` at the latest (orders written
    behind its back).
    """

    def __init__(self, db: ShopDatabase, vectors: ProductVectors, history: HistoryBuilder,
                 reranker: HistoryReranker, ttl_s: float = 30.0, max_users: int = 256,
                 relevance_band: float = 0.5) -> None:
        self.db = db
        self.vectors = vectors
        self.history = history
        self.reranker = reranker
        self.ttl_s = ttl_s
        self.max_users = max_users
        self.relevance_band = relevance_band
        self._cache: OrderedDict[str, tuple[float, int, tuple[PurchaseEvent, ...]]] = OrderedDict()
        self._lock = threading.Lock()

    def _events(self, user_id: str) -> tuple[PurchaseEvent, ...]:
        version = self.db.data_version(ORDERS)
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(user_id)
            if hit is not None and hit[1] == version and now - hit[0] < self.ttl_s:
                self._cache.move_to_end(user_id)
                return hit[2]
        events = tuple(self.db.purchase_history(user_id))
        with self._lock:
            self._cache[user_id] = (now, version, events)
            self._cache.move_to_end(user_id)
            while len(self._cache) > self.max_users:
                self._cache.popitem(last=False)
        return events

    def profile(self, user_id: str | None, viewed_ids: Sequence[str] = ()) -> HistoryProfile:
        events = self._events(user_id) if user_id else ()
        session = [i for i in viewed_ids if i in self.vectors]
        return self.history.build(self.vectors, events=events, session_ids=session, customer_id=user_id)

    def __call__(self, query: str, hits: list[SearchHit], user_id: str | None,
                 viewed_ids: list[str]) -> list[tuple[Product, str]]:
        profile = self.profile(user_id, viewed_ids)
        if profile.is_empty:
            return [(h.product, "") for h in hits]
        floor = self.relevance_band * max(h.score for h in hits)
        known = [h for h in hits if h.product.id in self.vectors and h.score >= floor]
        rest = [(h.product, "") for h in hits if not (h.product.id in self.vectors and h.score >= floor)]
        vecs = self.vectors.embeddings([h.product.id for h in known])
        ranked = self.reranker.rerank(None, [(h.product, h.score, v) for h, v in zip(known, vecs, strict=True)],
                                      profile)
        # Only reasons that speak for an item are shown; "others fit better" explains a demotion, not a pick.
        return [(r.product, r.reason if r.reason and r.rank <= r.base_rank else "") for r in ranked] + rest
