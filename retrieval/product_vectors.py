"""All of a shop's products and their embeddings in memory, for ranking and bundle building.

Bundle building looks at hundreds of candidates per request (co-purchase
partners, several sub-queries); a matrix product over a few thousand rows takes
well under a millisecond, a Chroma round trip several. The matrix is loaded once
from the :class:`~retrieval.store.ProductStore` (or computed with an
:class:`~retrieval.embeddings.Embedder` for tests and custom catalogs).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from cartwise.models import Product
from retrieval.errors import RetrievalError
from retrieval.types import SearchFilters, SearchHit

if TYPE_CHECKING:
    from retrieval.embeddings import Embedder
    from retrieval.store import ProductStore


class ProductVectors:
    """Products with unit-length embedding rows, searchable by vector.

    Args:
        products: the products (unique ids).
        vectors: ``(len(products), dim)`` unit-length rows, aligned with ``products``.

    Example:
        >>> pv = ProductVectors.from_embedder(embedder, products)   # doctest: +SKIP
        >>> pv.search_by_vector(embedder.encode(["teapot"])[0], k=3)  # doctest: +SKIP
    """

    def __init__(self, products: Sequence[Product], vectors: np.ndarray) -> None:
        self.products = list(products)
        self.vectors = np.asarray(vectors, dtype=np.float32)
        if self.vectors.ndim != 2 or len(self.vectors) != len(self.products):
            raise ValueError(
                f"vectors must be a ({len(self.products)}, dim) matrix aligned with products; got {self.vectors.shape}"
            )
        self.position = {p.id: i for i, p in enumerate(self.products)}
        if len(self.position) != len(self.products):
            raise ValueError("duplicate product ids in ProductVectors; deduplicate the catalog first")
        self.prices = np.array([float(p.price) for p in self.products], dtype=np.float64)
        self.categories = np.array([p.category for p in self.products], dtype=object)
        self.in_stock = np.array([p.in_stock for p in self.products], dtype=bool)
        self.on_offer = np.array([bool(p.discount) for p in self.products], dtype=bool)
        self.titles_lower = [p.title.lower() for p in self.products]

    @classmethod
    def from_store(cls, store: ProductStore) -> ProductVectors:
        """Read every product and its stored vector from the store (no re-embedding)."""
        products = sorted(store.all_products(), key=lambda p: p.id)
        return cls(products, store.embeddings([p.id for p in products]))

    @classmethod
    def from_embedder(cls, embedder: Embedder, products: Sequence[Product], batch_size: int = 64) -> ProductVectors:
        """Embed ``products`` (their :meth:`Product.document`) with ``embedder``."""
        return cls(products, embedder.encode([p.document() for p in products], batch_size=batch_size))

    def __len__(self) -> int:
        return len(self.products)

    def __contains__(self, product_id: object) -> bool:
        return product_id in self.position

    def get(self, ids: Sequence[str]) -> list[Product]:
        """Products for ``ids`` in the order asked; unknown ids are left out."""
        return [self.products[self.position[i]] for i in ids if i in self.position]

    def embeddings(self, ids: Sequence[str]) -> np.ndarray:
        """Vectors of ``ids``, one row per id.

        Raises:
            RetrievalError: if an id is unknown.
        """
        missing = [i for i in ids if i not in self.position]
        if missing:
            raise RetrievalError(f"product ids not in the catalog: {missing[:10]}; re-run `cartwise ingest`")
        return self.vectors[[self.position[i] for i in ids]]

    def mask(self, filters: SearchFilters | None) -> np.ndarray:
        """Boolean row mask of the products that satisfy ``filters``."""
        keep = np.ones(len(self.products), dtype=bool)
        if filters is None:
            return keep
        if filters.price_min is not None:
            keep &= self.prices >= float(filters.price_min)
        if filters.price_max is not None:
            keep &= self.prices <= float(filters.price_max)
        if filters.category is not None:
            keep &= self.categories == filters.category
        if filters.categories is not None:
            keep &= np.isin(self.categories, list(filters.categories))
        if filters.in_stock is not None:
            keep &= self.in_stock == filters.in_stock
        if filters.on_offer is not None:
            keep &= self.on_offer == filters.on_offer
        if filters.brand is not None:
            keep &= np.array([p.brand == filters.brand for p in self.products], dtype=bool)
        if filters.brands is not None:
            keep &= np.array([p.brand in filters.brands for p in self.products], dtype=bool)
        for pid in filters.exclude_ids:
            if pid in self.position:
                keep[self.position[pid]] = False
        return keep

    def search_by_vector(
        self, vector: np.ndarray, k: int = 10, filters: SearchFilters | None = None
    ) -> list[SearchHit]:
        """The ``k`` products most similar to ``vector`` (cosine) that satisfy ``filters``, best first."""
        sims = self.vectors @ np.asarray(vector, dtype=np.float32)
        return self.top(sims, k, self.mask(filters))

    def top(self, scores: np.ndarray, k: int, mask: np.ndarray | None = None) -> list[SearchHit]:
        """The ``k`` best rows by ``scores`` (restricted to ``mask``) as hits; ties broken by id."""
        scores = np.asarray(scores, dtype=np.float64)
        rows = np.flatnonzero(mask) if mask is not None else np.arange(len(scores))
        if len(rows) == 0 or k < 1:
            return []
        if len(rows) > k:
            part = np.argpartition(-scores[rows], k - 1)[:k]
            rows = rows[part]
        ordered = sorted(rows.tolist(), key=lambda r: (-scores[r], self.products[r].id))
        return [SearchHit(product=self.products[r], score=float(scores[r]), dense=float(scores[r])) for r in ordered]
