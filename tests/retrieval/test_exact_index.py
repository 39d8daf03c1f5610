"""Dense queries answered from the in-memory vector matrix agree with Chroma's own search."""

from __future__ import annotations

import logging
import time
from decimal import Decimal

import numpy as np
import pytest

from cartwise.models import Product
from retrieval.embeddings import Embedder
from retrieval.product_vectors import ProductVectors
from retrieval.store import ProductStore
from retrieval.types import SearchFilters


@pytest.mark.parametrize(
    "filters",
    [
        None,
        SearchFilters(in_stock=True),
        SearchFilters(price_max=Decimal("3.00")),
        SearchFilters(category="kitchen & baking", in_stock=True),
        SearchFilters(on_offer=True),
        SearchFilters(on_offer=False, in_stock=True),
    ],
)
def test_exact_index_matches_chroma(store: ProductStore, filters: SearchFilters | None) -> None:
    query = "cake stand for afternoon tea"
    from_chroma = {mode: store.search(query, k=5, filters=filters, mode=mode) for mode in ("dense", "hybrid")}
    store.use_exact_index(ProductVectors.from_store(store))
    for mode, expected in from_chroma.items():
        got = store.search(query, k=5, filters=filters, mode=mode)
        assert got and all(filters is None or filters.matches(h.product) for h in got)
        assert [h.product.id for h in got] == [h.product.id for h in expected], mode
        assert [round(h.dense, 4) for h in got] == [round(h.dense, 4) for h in expected], mode
        assert [h.product for h in got] == [h.product for h in expected], mode


def test_a_stale_index_is_not_used(store: ProductStore, caplog: pytest.LogCaptureFixture) -> None:
    """After a re-ingest adds products, queries go to Chroma (and find them) until the index is reloaded."""
    store.use_exact_index(ProductVectors.from_store(store))
    newcomer = Product(id="NEW-1", title="Zeppelin shaped teapot", description="A teapot shaped like an airship.",
                       category="kitchen & baking", price=Decimal("12.50"), stock=3)
    store.upsert([newcomer])
    with caplog.at_level(logging.WARNING, logger="retrieval.store"):
        hits = store.search("zeppelin teapot", k=3, mode="dense")
    assert hits[0].product.id == "NEW-1"
    assert "until it is reloaded" in caplog.text
    store.use_exact_index(ProductVectors.from_store(store))
    assert store.search("zeppelin teapot", k=3, mode="dense")[0].product.id == "NEW-1"


def test_query_cache_returns_the_model_vector_and_forgets_the_oldest(embedder: Embedder) -> None:
    cached = Embedder(embedder.model_path, query_cache_size=2)
    cached._model = embedder.model  # share the loaded weights; the cache is what is under test
    uncached = Embedder(embedder.model_path, query_cache_size=0)
    uncached._model = embedder.model
    first = cached.encode(["blue teapot"])
    assert np.allclose(first, uncached.encode(["blue teapot"]), atol=1e-6)
    first[0, 0] = 42.0  # a caller scribbling on its result must not corrupt the cache
    assert np.allclose(cached.encode(["blue teapot"]), uncached.encode(["blue teapot"]), atol=1e-6)
    cached.encode(["red mug"])
    cached.encode(["green scarf"])
    assert list(cached._query_cache) == ["red mug", "green scarf"]
    cached.clear_cache()
    assert not cached._query_cache


def test_a_small_batch_is_cached_text_by_text_and_encodes_only_what_is_new(embedder: Embedder) -> None:
    """Two texts a turn needs go through the model in one pass; each is then a cache hit on its own."""
    cached = Embedder(embedder.model_path, query_cache_size=8)
    cached._model = embedder.model
    uncached = Embedder(embedder.model_path, query_cache_size=0)
    uncached._model = embedder.model
    texts = ["how long does delivery take?", "whats the weather in paris", "blue teapot"]
    cached.encode(texts[:1])
    passes: list[list[str]] = []
    encode = cached._encode
    cached._encode = lambda t, b, p: passes.append(list(t)) or encode(t, b, p)  # type: ignore[method-assign]
    both = cached.encode(texts)
    assert passes == [texts[1:]]
    for text, vector in zip(texts, both, strict=True):
        assert np.allclose(vector, uncached.encode([text])[0], atol=1e-5)
        assert np.array_equal(cached.encode([text])[0], vector)
    assert passes == [texts[1:]]


def test_a_count_is_trusted_for_its_ttl_and_forgotten_on_own_writes(store: ProductStore, embedder: Embedder) -> None:
    """A serving store asks Chroma for the product count at most once per ``count_ttl_s`` (a turn searches
    several times); another writer's products show up once it has passed, its own writes at once."""
    path = store.location
    reader = ProductStore.open(path, embedder, store.shop, count_ttl_s=3.0)
    reader.use_exact_index(ProductVectors.from_store(reader))
    assert reader.search("teapot", k=3, mode="dense")
    writer = ProductStore.open(path, embedder, store.shop)
    airship = Product(id="NEW-2", title="Airship shaped teapot", description="A teapot shaped like an airship.",
                      category="kitchen & baking", price=Decimal("9.50"), stock=3)
    writer.upsert([airship])
    assert reader.search("airship teapot", k=1, mode="dense")[0].product.id != "NEW-2"  # the index, trusted
    time.sleep(3.1)
    assert reader.search("airship teapot", k=1, mode="dense")[0].product.id == "NEW-2"  # stale: Chroma
    own = Product(id="NEW-3", title="Balloon shaped teapot", description="A teapot shaped like a balloon.",
                  category="kitchen & baking", price=Decimal("9.50"), stock=3)
    reader.use_exact_index(ProductVectors.from_store(reader))
    reader.upsert([own])
    assert reader.search("balloon teapot", k=1, mode="dense")[0].product.id == "NEW-3"


def test_on_offer_keeps_the_products_that_carry_a_discount(store: ProductStore) -> None:
    for mode in ("dense", "hybrid"):
        got = store.search("cake stand", k=10, filters=SearchFilters(on_offer=True), mode=mode)
        assert {h.product.id for h in got} == {"22184", "21843"}, mode
        rest = store.search("cake stand", k=10, filters=SearchFilters(on_offer=False), mode=mode)
        assert rest and not {h.product.id for h in rest} & {"22184", "21843"}, mode
