"""A shopper's history as a profile: weighted items, a taste vector and citable facts.

History = past purchases (from the orders database) plus products viewed or
chosen in the current conversation. Each purchase counts ``0.5 ** (age /
half_life)`` times ``1 + ln(quantity)``; the profile vector is the weighted mean
of the items' embeddings. Facts ("you bought 6 Red Retrospot items") are counted
from the titles and categories of the history items, so every explanation built
from them is true of the data.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Literal, Protocol

import numpy as np
from pydantic import BaseModel, ConfigDict

from cartwise.models import Product
from retrieval.product_types import title_words

if TYPE_CHECKING:
    from cartwise.db import PurchaseEvent, ShopDatabase
    from cartwise.settings import Settings

# Words too generic to make a fact of ("you bought 12 Set items").
_FACT_STOPWORDS = frozenset(
    "set of pack and with in the a w s for new small large mini medium big box bag card cards design assorted "
    "asstd colour colours".split()
)


class ProductSource(Protocol):
    """What the history and bundle code needs from a product store (``ProductStore`` satisfies it)."""

    def get(self, ids: Sequence[str]) -> list[Product]: ...

    def embeddings(self, ids: Sequence[str]) -> np.ndarray: ...


class HistoryItem(BaseModel):
    """One product in a shopper's history, with its weight in the profile."""

    model_config = ConfigDict(frozen=True)

    product_id: str
    title: str
    category: str = ""
    weight: float
    quantity: int = 0
    orders: int = 0
    last_at: datetime | None = None
    source: Literal["purchase", "session"] = "purchase"


class HistoryFact(BaseModel):
    """A countable fact about the history, used to explain a ranking ("you bought 6 Red Retrospot items").

    Attributes:
        label: the words shared by the items, title-cased ("Red Retrospot"), or a category name.
        kind: ``"words"`` (shared title words) or ``"category"``.
        count: number of distinct history products that carry the label.
        product_ids: those products.
    """

    model_config = ConfigDict(frozen=True)

    label: str
    kind: Literal["words", "category"]
    count: int
    product_ids: tuple[str, ...]

    def sentence(self) -> str:
        noun = "item" if self.count == 1 else "items"
        return f"you bought {self.count} {self.label} {noun}"


class HistoryProfile(BaseModel):
    """A shopper's weighted history.

    Attributes:
        customer_id: whose history (None for a guest with only session items).
        items: history items, heaviest first.
        vector: unit-length weighted mean of the items' embeddings (None when empty).
        item_vectors: the items' embeddings, one row per item (None when empty).
        facts: facts about the history, most items first.
        purchased_ids: every product the customer bought, also those beyond ``max_items`` or no longer in the
            catalog (what recommendations must not repeat).
    """

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    customer_id: str | None = None
    items: list[HistoryItem] = []
    purchased_ids: frozenset[str] = frozenset()
    vector: np.ndarray | None = None
    item_vectors: np.ndarray | None = None
    facts: list[HistoryFact] = []

    @property
    def is_empty(self) -> bool:
        return not self.items or self.vector is None

    @property
    def product_ids(self) -> list[str]:
        return [i.product_id for i in self.items]

    def weights(self) -> dict[str, float]:
        """``{product id: weight}`` normalised to sum to 1."""
        total = sum(i.weight for i in self.items) or 1.0
        return {i.product_id: i.weight / total for i in self.items}

    def item(self, product_id: str) -> HistoryItem | None:
        return next((i for i in self.items if i.product_id == product_id), None)

    def fact_for(self, product: Product) -> HistoryFact | None:
        """The strongest fact that also describes ``product`` (shared title words first, then its category)."""
        words = title_words(product.title)
        phrases = {" ".join(words[i : i + 2]) for i in range(len(words) - 1)} | set(words)
        # A two-word phrase ("red retrospot") says more than one word ("red") at a similar count.
        matching = [f for f in self.facts if f.kind == "words" and f.label.lower() in phrases]
        if matching:
            return max(matching, key=lambda f: (f.count * (1.5 if " " in f.label else 1.0), f.label))
        return next((f for f in self.facts if f.kind == "category" and f.label == product.category), None)


class HistoryBuilder:
    """Builds a :class:`HistoryProfile` from purchase events and session product ids.

    Args:
        half_life_days: a purchase this many days old counts half as much as one made now.
        max_items: keep only the heaviest items (wholesale customers have thousands).
        session_weight: weight of a product viewed or chosen in this conversation (a purchase made now,
            quantity 1, weighs 1).
    """

    def __init__(self, half_life_days: float = 90.0, max_items: int = 200, session_weight: float = 1.0) -> None:
        self.half_life_days = half_life_days
        self.max_items = max_items
        self.session_weight = session_weight

    @classmethod
    def from_settings(cls, settings: Settings) -> HistoryBuilder:
        return cls(half_life_days=settings.history_half_life_days)

    def build(
        self,
        source: ProductSource,
        events: Sequence[PurchaseEvent] = (),
        session_ids: Sequence[str] = (),
        now: datetime | None = None,
        customer_id: str | None = None,
    ) -> HistoryProfile:
        """Weight the events and session items and summarise them.

        Args:
            source: gives the products and their embeddings.
            events: past purchases.
            session_ids: products viewed or chosen in this conversation.
            now: the moment recency is measured from (default: the newest purchase, so an old dataset
                still gets relative weights).
            customer_id: recorded on the profile.

        Returns:
            The profile; empty (``is_empty``) when there is no history.
        """
        if self.half_life_days <= 0:
            raise ValueError(f"half_life_days must be > 0; got {self.half_life_days}")
        ref = now or max((e.placed_at for e in events), default=None)
        weight: dict[str, float] = defaultdict(float)
        quantity: dict[str, int] = defaultdict(int)
        orders: dict[str, set[str]] = defaultdict(set)
        last: dict[str, datetime] = {}
        for e in events:
            age = max((ref - e.placed_at).total_seconds() / 86400.0, 0.0) if ref else 0.0
            weight[e.product_id] += 0.5 ** (age / self.half_life_days) * (1.0 + math.log(max(e.quantity, 1)))
            quantity[e.product_id] += e.quantity
            orders[e.product_id].add(e.order_id)
            if e.product_id not in last or e.placed_at > last[e.product_id]:
                last[e.product_id] = e.placed_at
        session = list(dict.fromkeys(session_ids))
        for pid in session:
            weight[pid] += self.session_weight
        ranked = sorted(weight, key=lambda p: (-weight[p], p))[: self.max_items]
        products = {p.id: p for p in source.get(ranked)}
        ranked = [p for p in ranked if p in products]  # products no longer in the catalog carry no vector
        purchased = frozenset(quantity)
        if not ranked:
            return HistoryProfile(customer_id=customer_id, purchased_ids=purchased)
        items = [
            HistoryItem(
                product_id=p,
                title=products[p].title,
                category=products[p].category,
                weight=weight[p],
                quantity=quantity.get(p, 0),
                orders=len(orders.get(p, ())),
                last_at=last.get(p),
                source="purchase" if p in quantity else "session",
            )
            for p in ranked
        ]
        vectors = source.embeddings(ranked)
        w = np.array([i.weight for i in items], dtype=np.float64)
        mean = (vectors.astype(np.float64) * w[:, None]).sum(axis=0)
        norm = float(np.linalg.norm(mean))
        vector = (mean / norm).astype(np.float32) if norm > 0 else None
        return HistoryProfile(
            customer_id=customer_id,
            items=items,
            vector=vector,
            item_vectors=vectors,
            facts=_facts(items),
            purchased_ids=purchased,
        )

    def for_customer(
        self,
        db: ShopDatabase,
        source: ProductSource,
        customer_id: str | None,
        before: datetime | None = None,
        session_ids: Sequence[str] = (),
        now: datetime | None = None,
    ) -> HistoryProfile:
        """The profile of ``customer_id`` from the orders database (purchases before ``before``) plus the session."""
        events = db.purchase_history(customer_id, before=before) if customer_id else []
        return self.build(source, events, session_ids, now=now or before, customer_id=customer_id)


def _facts(items: list[HistoryItem]) -> list[HistoryFact]:
    by_phrase: dict[str, set[str]] = defaultdict(set)
    by_category: dict[str, set[str]] = defaultdict(set)
    # Facts read "you bought ...": products only looked at in this conversation do not count.
    for item in (i for i in items if i.source == "purchase"):
        words = title_words(item.title)
        for i, w in enumerate(words):
            if w not in _FACT_STOPWORDS and len(w) > 2:
                by_phrase[w].add(item.product_id)
            if i + 1 < len(words) and w not in _FACT_STOPWORDS and words[i + 1] not in _FACT_STOPWORDS:
                by_phrase[f"{w} {words[i + 1]}"].add(item.product_id)
        if item.category:
            by_category[item.category].add(item.product_id)
    # Facts about a single item say nothing a "similar to your X" reason would not.
    facts = [
        HistoryFact(label=phrase.title(), kind="words", count=len(ids), product_ids=tuple(sorted(ids)))
        for phrase, ids in by_phrase.items()
        if len(ids) >= 2
    ]
    facts += [
        HistoryFact(label=cat, kind="category", count=len(ids), product_ids=tuple(sorted(ids)))
        for cat, ids in by_category.items()
    ]
    return sorted(facts, key=lambda f: (-f.count, f.kind, f.label))
