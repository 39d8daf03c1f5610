"""The Chroma product store: upsert, exact round trip, filters, hybrid search, persistence, server mode, errors."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from chromadb.api.client import SharedSystemClient

from cartwise.models import Product
from cartwise.settings import REPO_ROOT, Settings
from retrieval.embeddings import ChromaEmbeddingFunction, Embedder
from retrieval.errors import StoreError
from retrieval.fusion import fuse_convex, fuse_rrf
from retrieval.lexical import Bm25Index, tokenize
from retrieval.search_quality import ndcg_at_k, recall_at_k
from retrieval.store import ProductStore
from retrieval.types import SearchFilters

pytestmark = pytest.mark.no_shop  # reads no built shop: runs while a fresh clone builds them

MODES = ("dense", "lexical", "hybrid")


# --------------------------------------------------------------------------- embeddings
def test_embedder_returns_unit_float32_vectors(embedder: Embedder) -> None:
    vectors = embedder.encode(["red cake stand", "white heart lantern", "red cake stand"])
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert np.allclose(vectors[0], vectors[2], atol=1e-6)
    assert embedder.encode([]).shape == (0, 384)


def test_chroma_adapter_embeds_with_our_model_and_round_trips_its_config(embedder: Embedder) -> None:
    ef = ChromaEmbeddingFunction(embedder)
    [vec] = ef(["cake stand"])
    assert np.allclose(vec, embedder.encode(["cake stand"])[0], atol=1e-6)
    rebuilt = ChromaEmbeddingFunction.build_from_config(ef.get_config())
    assert rebuilt.embedder.model_path == embedder.model_path
    assert not ef.is_legacy() and ef.default_space() == "cosine"


# --------------------------------------------------------------------------- lexical
def test_tokenize_keeps_codes_folds_plurals_and_joins_compounds() -> None:
    assert tokenize("Regency Cake Stands, 85123A") == [
        "regency", "cake", "stand", "85123a", "regencycake", "cakestand"
    ]
    assert "cakestand" in tokenize("regency cakestand")
    assert tokenize("the candles for me") == ["candle"]
    # A model code's letters and number match typed apart or together; a longer word and a number stay apart.
    assert "xb33" in tokenize("Sony XB-33 Speaker") and "xb33" in tokenize("sony xb33")
    assert not any(t.startswith("series") and t != "series" for t in tokenize("Apple Watch Series 9"))


def test_a_gift_that_describes_nothing_after_it_is_no_keyword() -> None:
    # "a gift for someone who loves music" ranked gift cards and Hearts Gift Tape first for its "gift".
    assert tokenize("a gift for someone who loves music") == tokenize("a for someone who loves music")
    assert tokenize("christmas presents") == tokenize("christmas")
    # Before the thing it names, it is part of the name, in a title and in a request alike.
    assert "gift" in tokenize("Hearts Gift Tape") and "giftcard" in tokenize("a gift card for my nephew")


def test_a_requests_personal_pronouns_match_no_title() -> None:
    # "something she can use at her desk" ranked "Metal Sign Her Dinner Is Served" first for its "her".
    assert tokenize("something she can use at her desk") == ["can", "use", "desk", "canuse", "usedesk"]
    index = Bm25Index.build(["Metal Sign Her Dinner Is Served", "Six Drawer Office Desk Tidy"])
    assert [row for row, _ in index.top("something she can use at her desk", 5)] == [1]


def test_bm25_matches_the_textbook_formula() -> None:
    docs = ["red cake stand", "red red mug", "blue lantern with a long description text"]
    index = Bm25Index.build(docs, k1=1.2, b=0.75)
    tokens = [tokenize(d) for d in docs]
    avg = sum(map(len, tokens)) / len(tokens)

    def expected(term: str, doc: list[str]) -> float:
        n = sum(term in t for t in tokens)
        idf = np.log(1 + (len(docs) - n + 0.5) / (n + 0.5))
        tf = doc.count(term)
        return float(idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * len(doc) / avg)))

    scores = index.scores("red mug")
    assert set(tokenize("red mug")) == {"red", "mug", "redmug"}
    for row, doc in enumerate(tokens):
        want = sum(expected(term, doc) for term in ("red", "mug", "redmug"))
        assert scores[row] == pytest.approx(want, rel=1e-5)
    assert [row for row, _ in index.top("red mug", 5)] == [1, 0]
    red = index.scores("red")
    assert index.top("red", 5, mask=np.array([False, True, True])) == [(1, pytest.approx(float(red[1]), rel=1e-5))]
    assert index.top("nothing matches", 5) == []


def test_fusions_rank_products_found_by_both_first() -> None:
    ids = ["both", "dense", "lex"]
    dense = {"both": 0.9, "dense": 0.8, "lex": 0.1}
    lexical = {"both": 5.0, "dense": 0.0, "lex": 6.0}
    convex = fuse_convex(ids, dense, lexical, alpha=0.5)
    assert max(convex, key=convex.__getitem__) == "both"
    rrf = fuse_rrf(ids, dense, lexical)
    assert max(rrf, key=rrf.__getitem__) == "both"
    only_dense = fuse_convex(ids, dense, lexical, alpha=1.0)
    assert (only_dense["both"], only_dense["lex"]) == (1.0, 0.0)


# --------------------------------------------------------------------------- filters
def test_filters_build_valid_chroma_where_clauses() -> None:
    assert SearchFilters().to_where() is None
    assert SearchFilters(price_max=Decimal("10")).to_where() == {"price": {"$lte": 10.0}}
    where = SearchFilters(price_min=1, price_max=5, categories=("a", "b"), in_stock=True, brand="X").to_where()
    assert where == {"$and": [
        {"price": {"$gte": 1.0}}, {"price": {"$lte": 5.0}}, {"category": {"$in": ["a", "b"]}},
        {"in_stock": {"$eq": True}}, {"brand": {"$eq": "X"}},
    ]}
    with pytest.raises(ValueError, match="price_min"):
        SearchFilters(price_min=5, price_max=1)
    with pytest.raises(ValueError, match="empty"):
        SearchFilters(categories=())


def _case_id(filters: SearchFilters) -> str:
    """The filters as JSON, sets sorted: a test id must be the same in every process (pytest-xdist's workers
    each collect the suite, and a frozenset's order changes with the string hash seed)."""
    fields = filters.model_dump(mode="json", exclude_defaults=True)
    return json.dumps({k: sorted(v) if isinstance(v, list) else v for k, v in fields.items()}, sort_keys=True)


FILTER_CASES = [
    SearchFilters(price_max=Decimal("3.00")),
    SearchFilters(price_min=Decimal("2.08"), price_max=Decimal("4.25")),
    SearchFilters(category="kitchen & baking"),
    SearchFilters(categories=("bags", "party")),
    SearchFilters(in_stock=True),
    SearchFilters(in_stock=False),
    SearchFilters(brand="Retrospot"),
    SearchFilters(in_stock=True, price_max=Decimal("5"), category="candles & lighting"),
    SearchFilters(exclude_ids=frozenset({"22423", "21843", "85123A"})),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("filters", FILTER_CASES, ids=lambda f: _case_id(f))
def test_every_hit_satisfies_the_filters(shared_store: ProductStore, filters: SearchFilters, mode: str) -> None:
    expected = {p.id for p in shared_store.all_products() if filters.matches(p)}
    found: set[str] = set()
    for query in ("red cake stand", "heart t-light holder", "retrospot bag", "85123A", "christmas"):
        hits = shared_store.search(query, k=30, filters=filters, mode=mode)  # type: ignore[arg-type]
        assert all(filters.matches(h.product) for h in hits), [h.product.id for h in hits]
        found |= {h.product.id for h in hits}
    assert found and found <= expected
    if mode == "dense":  # dense ranks everything that passes the filter
        assert found == expected


def test_price_boundaries_are_inclusive(shared_store: ProductStore) -> None:
    hits = shared_store.search("bag", k=30, filters=SearchFilters(price_min=Decimal("2.08"), price_max=Decimal("2.08")))
    assert {h.product.id for h in hits} == {"85099B", "20712", "23084"}


# --------------------------------------------------------------------------- search quality on the small store
def test_stock_codes_and_exact_names_come_first(shared_store: ProductStore) -> None:
    for mode in ("lexical", "hybrid"):
        assert shared_store.search("85123A", k=3, mode=mode)[0].product.id == "85123A"  # type: ignore[arg-type]
        assert shared_store.search("85099b", k=3, mode=mode)[0].product.id == "85099B"  # type: ignore[arg-type]
    assert shared_store.search("regency cakestand", k=3)[0].product.id == "22423"
    assert shared_store.search("White Hanging Heart T-Light Holder", k=3)[0].product.id == "85123A"
    # A pinned code still obeys the filters.
    hits = shared_store.search("85123A", k=3, filters=SearchFilters(in_stock=False))
    assert all(h.product.id != "85123A" for h in hits)


def test_natural_queries_find_the_right_kind_of_product(shared_store: ProductStore) -> None:
    top = [h.product.id for h in shared_store.search("cake stand for afternoon tea", k=4)]
    assert set(top) <= {"22423", "22184", "22182", "37446", "21843"}
    hits = shared_store.search("flags to hang at a garden party", k=3)
    assert "47566" in [h.product.id for h in hits]
    hybrid = shared_store.search("regency cakestand", k=5)
    assert hybrid[0].dense > 0 and hybrid[0].lexical > 0 and hybrid[0].score >= hybrid[-1].score


def test_empty_query_and_bad_mode(shared_store: ProductStore) -> None:
    assert shared_store.search("   ") == []
    with pytest.raises(ValueError, match="unknown search mode"):
        shared_store.search("mug", mode="fuzzy")  # type: ignore[arg-type]


def test_search_by_vector_and_stored_embeddings(shared_store: ProductStore, embedder: Embedder) -> None:
    ids = ["22423", "85123A", "20725"]
    vectors = shared_store.embeddings(ids)
    assert vectors.shape == (3, 384)
    products = shared_store.get(ids)
    alone = embedder.encode([p.document() for p in products])
    # Ingest embeds in batches (bfloat16 autocast where the CPU has it), a 3-text call in float32: the same
    # vectors up to rounding (docs/benchmarks/install.md: cosine >= 0.9999 over the whole catalog).
    assert np.allclose(vectors, alone, atol=2e-3)
    assert (vectors * alone).sum(axis=1).min() > 0.9995
    hits = shared_store.search_by_vector(vectors[0], k=3, filters=SearchFilters(exclude_ids=frozenset({"22423"})))
    assert len(hits) == 3 and "22423" not in {h.product.id for h in hits}
    assert hits[0].score == pytest.approx(hits[0].dense)
    with pytest.raises(StoreError, match="not in the store"):
        shared_store.embeddings(["22423", "NOPE"])


# --------------------------------------------------------------------------- writing
def test_round_trip_is_exact(store: ProductStore, small_catalog: list[Product]) -> None:
    assert store.count() == len(small_catalog)
    ids = [p.id for p in reversed(small_catalog)] + ["missing-id"]
    assert store.get(ids) == list(reversed(small_catalog))
    assert sorted(store.all_products(), key=lambda p: p.id) == sorted(small_catalog, key=lambda p: p.id)
    [regency] = store.get(["22423"])
    assert regency.price == Decimal("12.75") and regency.rating == 4.5


def test_upsert_is_idempotent_and_only_reembeds_changes(store: ProductStore, small_catalog: list[Product]) -> None:
    again = store.upsert(small_catalog)
    assert (again.added, again.updated, again.unchanged) == (0, 0, len(small_catalog))
    assert store.count() == len(small_catalog)
    changed = [p.model_copy(update={"price": Decimal("99.99")}) if p.id == "22423" else p for p in small_catalog]
    report = store.upsert(changed)
    assert (report.added, report.updated, report.unchanged) == (0, 1, len(small_catalog) - 1)
    assert store.get(["22423"])[0].price == Decimal("99.99")
    assert store.search("regency cakestand", k=1, filters=SearchFilters(price_min=50))[0].product.id == "22423"
    with pytest.raises(ValueError, match="duplicate product ids"):
        store.upsert([small_catalog[0], small_catalog[0]])


def test_upsert_with_precomputed_vectors_copies_a_store(
    store: ProductStore, tmp_path: Path, embedder: Embedder, small_catalog: list[Product]
) -> None:
    ids = [p.id for p in small_catalog]
    copy = ProductStore.open(tmp_path / "copy", embedder, "copy", create=True)
    report = copy.upsert(small_catalog, vectors=store.embeddings(ids))
    assert report.added == len(small_catalog)
    assert np.allclose(copy.embeddings(ids), store.embeddings(ids))
    assert [h.product.id for h in copy.search("hanging heart")] == [h.product.id for h in store.search("hanging heart")]
    with pytest.raises(ValueError, match="one row per product"):
        copy.upsert(small_catalog, vectors=store.embeddings(ids[:3]))


def test_interrupted_ingest_resumes_without_duplicates(empty_store: ProductStore, small_catalog: list[Product]) -> None:
    empty_store.upsert(small_catalog[:10], batch_size=4)  # as if the first batches were written before a crash
    report = empty_store.upsert(small_catalog, batch_size=4)
    assert (report.added, report.unchanged) == (len(small_catalog) - 10, 10)
    assert empty_store.count() == len(small_catalog) == len(set(empty_store.all_ids()))


def test_upsert_embeds_by_length_and_reports_progress(
    empty_store: ProductStore, small_catalog: list[Product]
) -> None:
    """Products go through the model shortest document first, each batch written and counted once."""
    seen: list[int] = []
    empty_store.upsert(small_catalog[:6], batch_size=4)
    calls: list[list[str]] = []
    encode = empty_store.embedder.encode

    def spy(texts: list[str], batch_size: int = 64, show_progress: bool = False) -> np.ndarray:
        calls.append(list(texts))
        return encode(texts, batch_size, show_progress)

    empty_store.embedder.encode = spy  # type: ignore[method-assign]  # records the real calls
    try:
        report = empty_store.upsert(small_catalog, batch_size=4, on_progress=seen.append)
    finally:
        del empty_store.embedder.encode
    assert seen[0] == 6 and sum(seen) == len(small_catalog)  # the unchanged first, then one count per batch
    assert report.added == len(small_catalog) - 6
    texts = [t for call in calls for t in call]
    assert [len(t) for t in texts] == sorted(len(t) for t in texts)
    assert sorted(texts) == sorted(p.document() for p in small_catalog[6:])
    assert all(len(call) <= 4 for call in calls)


def test_prune_deletes_products_gone_from_the_catalog(store: ProductStore, small_catalog: list[Product]) -> None:
    assert store.prune([p.id for p in small_catalog[2:]]) == 2
    assert store.count() == len(small_catalog) - 2
    assert store.get([small_catalog[0].id]) == []
    assert all(h.product.id != small_catalog[0].id for h in store.search(small_catalog[0].title, mode="lexical"))


def test_store_persists_across_reopening(tmp_path: Path, embedder: Embedder, small_catalog: list[Product]) -> None:
    path = tmp_path / "chroma"
    ProductStore.open(path, embedder, "persist", create=True).upsert(small_catalog)
    SharedSystemClient.clear_system_cache()  # drop the in-process client so the reopen reads the files
    reopened = ProductStore.open(path, embedder, "persist")
    assert reopened.count() == len(small_catalog)
    assert reopened.search("85123A", k=1)[0].product.id == "85123A"
    assert reopened.get(["22423"]) == [p for p in small_catalog if p.id == "22423"]


# --------------------------------------------------------------------------- errors
def test_missing_store_says_to_run_ingest(tmp_path: Path, embedder: Embedder) -> None:
    with pytest.raises(StoreError, match=r"no product store at .* run `cartwise ingest --shop ghost`"):
        ProductStore.open(tmp_path / "absent", embedder, "ghost")
    (tmp_path / "empty").mkdir()
    store = ProductStore.open(tmp_path / "empty", embedder, "ghost")
    with pytest.raises(StoreError, match="no products for shop 'ghost'"):
        store.search("mug")
    with pytest.raises(StoreError, match="no product store"):
        ProductStore.from_settings(Settings(var_dir=tmp_path / "var", shop="ghost"), embedder=embedder)


def test_corrupted_store_gives_a_store_error(tmp_path: Path, embedder: Embedder, small_catalog: list[Product]) -> None:
    path = tmp_path / "chroma"
    ProductStore.open(path, embedder, "broken", create=True).upsert(small_catalog[:3])
    SharedSystemClient.clear_system_cache()
    (path / "chroma.sqlite3").write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match=r"corrupted or unreadable .* delete .* re-run `cartwise ingest"):
        ProductStore.open(path, embedder, "broken").count()
    SharedSystemClient.clear_system_cache()
    afile = tmp_path / "a-file"
    afile.write_text("x")
    with pytest.raises(StoreError, match="is a file"):
        ProductStore.open(afile, embedder, "broken", create=True)


def test_unreachable_server_is_a_store_error(embedder: Embedder) -> None:
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(StoreError, match="cannot reach the Chroma server"):
        ProductStore.connect(f"http://127.0.0.1:{port}", embedder, "giftshop")


# --------------------------------------------------------------------------- server mode
def test_server_mode_ingest_and_search(chroma_server: str, embedder: Embedder, small_catalog: list[Product]) -> None:
    settings = Settings(chroma_url=chroma_server, shop="served")
    store = ProductStore.from_settings(settings, embedder=embedder, create=True)
    report = store.upsert(small_catalog, batch_size=10)
    assert report.added == len(small_catalog) and store.count() == len(small_catalog)
    assert store.upsert(small_catalog).unchanged == len(small_catalog)
    reader = ProductStore.from_settings(settings, embedder=embedder)
    assert reader.search("85123A", k=1)[0].product.id == "85123A"
    filters = SearchFilters(price_max=Decimal("3"), in_stock=True)
    hits = reader.search("hanging heart", k=10, filters=filters)
    assert hits and all(filters.matches(h.product) for h in hits)
    assert reader.get(["22423"]) == [p for p in small_catalog if p.id == "22423"]


# --------------------------------------------------------------------------- real kill, real catalog
@pytest.mark.slow
def test_killed_ingest_process_resumes(tmp_path: Path, embedder: Embedder) -> None:
    path = tmp_path / "chroma"
    script = textwrap.dedent(f"""
        from decimal import Decimal
        from cartwise.models import Product
        from retrieval.embeddings import Embedder
        from retrieval.store import ProductStore
        products = [Product(id=f"P{{i:04d}}", title=f"Product number {{i}} mug", price=Decimal(i)) for i in range(400)]
        store = ProductStore.open({str(path)!r}, Embedder({embedder.model_path!r}), "killed", create=True)
        store.upsert(products, batch_size=8, show_progress=True)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=REPO_ROOT, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    deadline = time.monotonic() + 120
    for line in iter(proc.stderr.readline, ""):  # tqdm redraws with \r; a few batches in, kill it
        if ("embedding products" in line and "/400" in line and " 0/400" not in line) or time.monotonic() > deadline:
            break
    time.sleep(1.0)
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate()  # waits and closes the stderr pipe
    products = [Product(id=f"P{i:04d}", title=f"Product number {i} mug", price=Decimal(i)) for i in range(400)]
    store = ProductStore.open(path, embedder, "killed", create=True)
    done_before = store.count()
    assert 0 < done_before < 400
    report = store.upsert(products, batch_size=64)
    assert report.unchanged == done_before and report.added == 400 - done_before
    assert store.count() == 400 == len(set(store.all_ids()))


def test_metrics_on_hand_computed_rankings() -> None:
    assert ndcg_at_k(["a", "b", "c"], {"a"}, 10) == 1.0
    assert ndcg_at_k(["x", "a"], {"a"}, 10) == pytest.approx(1 / np.log2(3))
    assert ndcg_at_k(["x", "y"], {"a"}, 10) == 0.0
    assert recall_at_k(["a", "x", "b"], {"a", "b", "c"}, 2) == 0.5
