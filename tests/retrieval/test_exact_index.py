"""Filtered dense queries answered from the in-memory matrix agree with Chroma's own filtered search."""

from __future__ import annotations

from decimal import Decimal

import pytest

from retrieval.product_vectors import ProductVectors
from retrieval.store import ProductStore
from retrieval.types import SearchFilters


@pytest.mark.parametrize(
    "filters",
    [
        SearchFilters(in_stock=True),
        SearchFilters(price_max=Decimal("3.00")),
        SearchFilters(category="kitchen & baking", in_stock=True),
    ],
)
def test_exact_index_matches_chroma(store: ProductStore, filters: SearchFilters) -> None:
    query = "cake stand for afternoon tea"
    from_chroma = store.search(query, k=5, filters=filters, mode="dense")
    store.use_exact_index(ProductVectors.from_store(store))
    from_matrix = store.search(query, k=5, filters=filters, mode="dense")
    assert from_matrix and all(filters.matches(h.product) for h in from_matrix)
    assert [h.product.id for h in from_matrix] == [h.product.id for h in from_chroma]
    assert [round(h.dense, 4) for h in from_matrix] == [round(h.dense, 4) for h in from_chroma]
