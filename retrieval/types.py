"""Value objects exchanged by the ``retrieval`` package and its callers."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from cartwise.models import Money, Product, ProductId

SearchMode = Literal["hybrid", "dense", "lexical"]
FusionMethod = Literal["convex", "rrf"]


class RowError(BaseModel):
    """One catalog row that was rejected.

    Attributes:
        line: 1-based line number in the source file where the row starts.
        id: the row's id when one could be read, else ``None``.
        reason: what was wrong with the row, with the value received.
    """

    model_config = ConfigDict(frozen=True)

    line: int
    id: str | None = None
    reason: str


class CatalogReadResult(BaseModel):
    """What :class:`retrieval.catalog.CatalogReader` produced from one file."""

    model_config = ConfigDict(frozen=True)

    products: list[Product]
    errors: list[RowError] = Field(default_factory=list)

    @property
    def rows_read(self) -> int:
        return len(self.products) + len(self.errors)


class IngestReport(BaseModel):
    """Outcome of :meth:`retrieval.store.ProductStore.upsert`."""

    model_config = ConfigDict(frozen=True)

    received: int
    added: int
    updated: int
    unchanged: int
    deleted: int = 0
    seconds: float = 0.0

    @property
    def embedded(self) -> int:
        return self.added + self.updated


class SearchFilters(BaseModel):
    """Structured constraints every search hit must satisfy.

    All fields are optional and combined with AND. ``category`` and
    ``categories`` (and ``brand`` and ``brands``) are exact matches; ``price_min``/``price_max`` are inclusive.
    """

    model_config = ConfigDict(frozen=True)

    price_min: Money | None = Field(None, ge=0)
    price_max: Money | None = Field(None, ge=0)
    category: str | None = None
    categories: tuple[str, ...] | None = None
    in_stock: bool | None = None
    brand: str | None = None
    brands: tuple[str, ...] | None = None
    on_offer: bool | None = None  # the product carries a discount (its ``discount`` text is not empty)
    exclude_ids: frozenset[ProductId] = frozenset()

    @model_validator(mode="after")
    def _check_range(self) -> SearchFilters:
        if self.price_min is not None and self.price_max is not None and self.price_min > self.price_max:
            raise ValueError(
                f"price_min {self.price_min} is above price_max {self.price_max}; swap them or drop one"
            )
        if self.categories is not None and not self.categories:
            raise ValueError("categories is an empty list; pass None to allow every category")
        if self.brands is not None and not self.brands:
            raise ValueError("brands is an empty list; pass None to allow every brand")
        return self

    def is_empty(self) -> bool:
        return self.to_where() is None and not self.exclude_ids

    def matches(self, product: Product) -> bool:
        """Whether ``product`` satisfies every constraint (the Python twin of :meth:`to_where`)."""
        if product.id in self.exclude_ids:
            return False
        if self.price_min is not None and product.price < self.price_min:
            return False
        if self.price_max is not None and product.price > self.price_max:
            return False
        if self.category is not None and product.category != self.category:
            return False
        if self.categories is not None and product.category not in self.categories:
            return False
        if self.in_stock is not None and product.in_stock != self.in_stock:
            return False
        if self.brands is not None and product.brand not in self.brands:
            return False
        if self.on_offer is not None and bool(product.discount) != self.on_offer:
            return False
        return self.brand is None or product.brand == self.brand

    def to_where(self) -> dict[str, Any] | None:
        """The Chroma ``where`` clause for these filters, or ``None`` when there is nothing to filter.

        Chroma rejects an ``$and`` with fewer than two members, so a single
        condition is returned bare.
        """
        conds: list[dict[str, Any]] = []
        if self.price_min is not None:
            conds.append({"price": {"$gte": _as_float(self.price_min)}})
        if self.price_max is not None:
            conds.append({"price": {"$lte": _as_float(self.price_max)}})
        if self.category is not None:
            conds.append({"category": {"$eq": self.category}})
        if self.categories is not None:
            conds.append({"category": {"$in": list(self.categories)}})
        if self.in_stock is not None:
            conds.append({"in_stock": {"$eq": self.in_stock}})
        if self.brand is not None:
            conds.append({"brand": {"$eq": self.brand}})
        if self.brands is not None:
            conds.append({"brand": {"$in": list(self.brands)}})
        if self.on_offer is not None:
            conds.append({"discount": {"$ne": ""} if self.on_offer else {"$eq": ""}})
        if self.exclude_ids:
            conds.append({"product_id": {"$nin": sorted(self.exclude_ids)}})
        if not conds:
            return None
        if len(conds) == 1:
            return conds[0]
        return {"$and": conds}


def _as_float(value: Decimal) -> float:
    return float(value)


class SearchHit(BaseModel):
    """One ranked search result.

    Attributes:
        product: the matching product.
        score: the final ranking score (higher is better; scale depends on the mode).
        dense: cosine similarity between query and product embeddings (0 when not computed).
        lexical: BM25 score of the product for the query (0 when no query term matched).
    """

    model_config = ConfigDict(frozen=True)

    product: Product
    score: float
    dense: float = 0.0
    lexical: float = 0.0
