"""Benchmark the product store: ingest throughput and query latency, embedded and server mode.

For each catalog size (the real giftshop, and a synthetic expansion of it to N
products built from giftshop vocabulary with a fixed seed) it measures:

* ingest throughput (products/s) through ``ProductStore.upsert`` (embedding included),
* query latency p50/p95 for dense and hybrid search, unfiltered and filtered,
* the Chroma vector query alone against a brute-force numpy cosine scan over the
  same vectors and filters, timed in the same run (ratio, and recall@10 of the
  HNSW result against the exact one),

in embedded mode (PersistentClient) and server mode (a ``chroma run`` subprocess).

Usage:
    python bench/bench_store.py                       # giftshop + 100k synthetic (slow: embeds 100k)
    python bench/bench_store.py --synthetic 5000      # quick run

Prints one JSON line and a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchlib import emit  # noqa: E402

from cartwise.currency import to_money  # noqa: E402
from cartwise.models import Product  # noqa: E402
from cartwise.settings import Settings  # noqa: E402
from retrieval.catalog import CatalogReader  # noqa: E402
from retrieval.embeddings import Embedder  # noqa: E402
from retrieval.search_quality import QuerySet  # noqa: E402
from retrieval.store import ProductStore  # noqa: E402
from retrieval.types import SearchFilters  # noqa: E402

SEED = 20261127
COLOURS = ["red", "pink", "white", "blue", "green", "ivory", "black", "cream", "gold", "silver", "yellow",
           "purple", "orange", "grey", "mint"]
PATTERNS = ["retrospot", "polkadot", "vintage", "regency", "paisley", "woodland", "spaceboy", "dolly girl",
            "heart", "star", "floral", "gingham", "english rose", "union jack", "skull", "strawberry", "owl",
            "bird", "lace", "doily", "folkart", "sweetheart", "botanical", "alphabet", "circus parade",
            "fairy cake", "magic garden", "pantry", "bakelike", "babushka", "scandinavian", "french chateau",
            "toadstool", "butterfly", "apple", "cherry", "lovebird", "snowflake", "reindeer", "zinc"]
NOUNS = {
    "cake stand": "kitchen & baking", "t-light holder": "candles & lighting", "lunch bag": "bags",
    "jumbo bag": "bags", "mug": "kitchen & baking", "doormat": "signs & wall art", "bunting": "party",
    "lantern": "candles & lighting", "photo frame": "home decor", "wall clock": "signs & wall art",
    "alarm clock": "signs & wall art", "cushion cover": "home decor", "hot water bottle": "kitchen & baking",
    "tea towel": "kitchen & baking", "apron": "kitchen & baking", "oven glove": "kitchen & baking",
    "paper napkins": "party", "paper plates": "party", "cake cases": "party", "gift wrap": "stationery & cards",
    "greeting card": "stationery & cards", "notebook": "stationery & cards", "pencils": "stationery & cards",
    "jigsaw": "toys & games", "skittles": "toys & games", "money box": "gifts & novelties",
    "umbrella": "jewellery & accessories", "planter": "garden & outdoor", "bird feeder": "garden & outdoor",
    "christmas decoration": "christmas", "bauble": "christmas", "candle": "candles & lighting",
    "storage jar": "kitchen & baking", "recipe box": "kitchen & baking", "cake tin": "kitchen & baking",
    "teacup and saucer": "kitchen & baking", "picnic basket": "garden & outdoor", "tote bag": "bags",
    "necklace": "jewellery & accessories", "earrings": "jewellery & accessories",
    "bracelet": "jewellery & accessories", "hair clip": "jewellery & accessories", "garland": "party",
    "light chain": "home decor", "chalkboard": "stationery & cards", "metal sign": "signs & wall art",
    "fridge magnet": "gifts & novelties", "bowl": "kitchen & baking", "egg cup": "kitchen & baking",
    "lunch box": "kitchen & baking", "toy tidy": "storage", "rain mac": "toys & games",
    "knitting kit": "jewellery & accessories", "doorstop": "home decor", "coat hanger": "storage",
    "key ring": "gifts & novelties", "trinket box": "storage", "easter egg basket": "easter",
    "advent calendar": "christmas", "hanging decoration": "home decor",
}
SIZES = ["", "small ", "large ", "set of 3 ", "pack of 12 "]
FILTER = SearchFilters(price_max=Decimal("5.00"), in_stock=True)


def synthetic_catalog(base: list[Product], total: int, seed: int = SEED) -> list[Product]:
    """``base`` plus generated products up to ``total``, titles recombined from giftshop vocabulary."""
    rng = random.Random(seed)
    seen = {p.title.lower() for p in base}
    products = list(base)
    nouns = list(NOUNS)
    while len(products) < total:
        noun = rng.choice(nouns)
        title = f"{rng.choice(SIZES)}{rng.choice(COLOURS)} {rng.choice(PATTERNS)} {noun}".title()
        if title.lower() in seen:
            continue
        seen.add(title.lower())
        category = NOUNS[noun]
        products.append(Product(
            id=f"SYN{len(products):06d}", title=title, category=category,
            description=f"{title}, from our {category} range.",
            price=to_money(Decimal(rng.randrange(20, 3000)) / 100), stock=rng.choice([0, 0, 3, 12, 48, 100]),
        ))
    return products


def percentiles(samples: list[float]) -> dict[str, float]:
    arr = np.asarray(samples) * 1000.0
    return {"p50_ms": round(float(np.percentile(arr, 50)), 2), "p95_ms": round(float(np.percentile(arr, 95)), 2)}


def timed(fn: Callable[[Any], Any], inputs: list[Any], passes: int) -> list[float]:
    fn(inputs[0])  # warm-up
    samples = []
    for _ in range(passes):
        for x in inputs:
            start = time.perf_counter()
            fn(x)
            samples.append(time.perf_counter() - start)
    return samples


def all_vectors(store: ProductStore, ids: list[str], chunk: int = 5000) -> np.ndarray:
    return np.concatenate([store.embeddings(ids[i : i + chunk]) for i in range(0, len(ids), chunk)])


class BruteForce:
    """The baseline: exact cosine over all vectors with a numpy filter mask."""

    def __init__(self, store: ProductStore) -> None:
        products = store.all_products()
        self.ids = np.array([p.id for p in products], dtype=object)
        self.vectors = all_vectors(store, [p.id for p in products])
        self.price = np.array([float(p.price) for p in products])
        self.stock = np.array([p.stock for p in products])

    def search(self, qvec: np.ndarray, k: int, filters: SearchFilters | None) -> list[str]:
        sims = self.vectors @ qvec
        if filters is not None:  # the bench only uses FILTER: price ceiling + in stock
            keep = (self.price <= float(filters.price_max or 1e18)) & (self.stock > 0)
            sims = np.where(keep, sims, -np.inf)
        top = np.argpartition(-sims, k)[:k]
        top = top[np.argsort(-sims[top])]
        return [str(self.ids[i]) for i in top if np.isfinite(sims[i])]


def measure_queries(store: ProductStore, queries: list[str], qvecs: np.ndarray, passes: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    store.search("warm up the lexical index", k=10)
    for label, filters in (("unfiltered", None), ("filtered", FILTER)):
        for mode in ("dense", "hybrid"):
            out[f"{mode}_{label}"] = percentiles(
                timed(lambda q, m=mode, f=filters: store.search(q, k=10, filters=f, mode=m), queries, passes))
    brute = BruteForce(store)
    rows = list(range(len(qvecs)))
    for label, filters in (("unfiltered", None), ("filtered", FILTER)):
        chroma = timed(lambda r, f=filters: store.search_by_vector(qvecs[r], 10, f), rows, passes)
        exact = timed(lambda r, f=filters: brute.search(qvecs[r], 10, f), rows, passes)
        overlap = []
        for r in rows:
            approx = {h.product.id for h in store.search_by_vector(qvecs[r], 10, filters)}
            overlap.append(len(approx & set(brute.search(qvecs[r], 10, filters))) / 10)
        c, e = percentiles(chroma), percentiles(exact)
        out[f"vector_{label}"] = {
            "chroma": c, "numpy": e, "ratio_p50": round(c["p50_ms"] / max(e["p50_ms"], 1e-6), 2),
            "recall_at_10_vs_exact": round(float(np.mean(overlap)), 3),
        }
    return out


@contextmanager
def chroma_server(path: Path) -> Iterator[str]:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    exe = Path(sys.executable).parent / "chroma"
    binary = str(exe) if exe.exists() else shutil.which("chroma")
    if not binary:
        raise SystemExit("chroma CLI not found")
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen([binary, "run", "--path", str(path), "--port", str(port), "--host", "127.0.0.1"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(240):
            try:
                chromadb.HttpClient(host="127.0.0.1", port=port,
                                    settings=ChromaSettings(anonymized_telemetry=False)).heartbeat()
                break
            except Exception:
                time.sleep(0.25)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def bench_size(name: str, products: list[Product], embedder: Embedder, workdir: Path, passes: int,
               queries: list[str], qvecs: np.ndarray, server: bool) -> dict[str, Any]:
    result: dict[str, Any] = {"catalog": name, "products": len(products)}
    store = ProductStore.open(workdir / f"{name}-embedded", embedder, name, create=True)
    report = store.upsert(products, batch_size=256, show_progress=True)
    if report.embedded:
        result["ingest_products_per_s"] = round(report.embedded / report.seconds, 1)
        result["ingest_seconds"] = round(report.seconds, 1)
    else:  # a reused --workdir store: nothing was embedded, so no throughput to report
        result["ingest_products_per_s"] = result["ingest_seconds"] = "reused"
    rerun = store.upsert(products, batch_size=256)
    result["reingest_unchanged_seconds"] = round(rerun.seconds, 2)
    start = time.perf_counter()
    store._snapshot(store.count())  # the lexical index is built lazily on the first hybrid query
    result["bm25_build_seconds"] = round(time.perf_counter() - start, 2)
    result["embedded"] = measure_queries(store, queries, qvecs, passes)
    if server:
        vectors = all_vectors(store, [p.id for p in products])
        with chroma_server(workdir / f"{name}-server") as url:
            remote = ProductStore.connect(url, embedder, name, create=True)
            copy = remote.upsert(products, batch_size=256, vectors=vectors)
            result["server_write_products_per_s"] = round(len(products) / copy.seconds, 1)
            result["server"] = measure_queries(remote, queries, qvecs, passes)
    return result


def markdown(results: list[dict[str, Any]]) -> str:
    lines = ["| catalog | mode | search | unfiltered p50 / p95 ms | filtered p50 / p95 ms |",
             "|---|---|---|---|---|"]
    for r in results:
        for where in ("embedded", "server"):
            if where not in r:
                continue
            m = r[where]
            for kind in ("dense", "hybrid"):
                u, f = m[f"{kind}_unfiltered"], m[f"{kind}_filtered"]
                lines.append(f"| {r['catalog']} ({r['products']:,}) | {where} | {kind} (end to end) | "
                             f"{u['p50_ms']} / {u['p95_ms']} | {f['p50_ms']} / {f['p95_ms']} |")
            for label in ("chroma", "numpy"):
                u, f = m["vector_unfiltered"][label], m["vector_filtered"][label]
                lines.append(f"| {r['catalog']} ({r['products']:,}) | {where} | vector only: {label} | "
                             f"{u['p50_ms']} / {u['p95_ms']} | {f['p50_ms']} / {f['p95_ms']} |")
    lines += ["", "| catalog | ingest products/s (embedding incl.) | ingest s | re-ingest unchanged s | "
              "BM25 build s | server write products/s | chroma/numpy p50 ratio (unfilt., filt.) | "
              "HNSW recall@10 vs exact (unfilt., filt.) |", "|---|---|---|---|---|---|---|---|"]
    for r in results:
        ratios, recalls = [], []
        for where in ("embedded", "server"):
            if where in r:
                m = r[where]
                ratios.append(f"{where}: {m['vector_unfiltered']['ratio_p50']}, {m['vector_filtered']['ratio_p50']}")
                recalls.append(f"{where}: {m['vector_unfiltered']['recall_at_10_vs_exact']}, "
                               f"{m['vector_filtered']['recall_at_10_vs_exact']}")
        lines.append(f"| {r['catalog']} ({r['products']:,}) | {r['ingest_products_per_s']} | {r['ingest_seconds']} | "
                     f"{r['reingest_unchanged_seconds']} | {r['bm25_build_seconds']} | "
                     f"{r.get('server_write_products_per_s', '-')} | {'; '.join(ratios)} | {'; '.join(recalls)} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--synthetic", type=int, default=100_000, help="size of the synthetic catalog (0: skip)")
    parser.add_argument("--passes", type=int, default=3, help="passes over the query set per measurement")
    parser.add_argument("--no-server", action="store_true", help="skip server mode")
    parser.add_argument("--workdir", type=Path,
                        help="where to put the stores; kept, and reused by a later run (default: temporary)")
    parser.add_argument("--json-out", type=Path, help="also write the JSON result here")
    parser.add_argument("--torch-threads", type=int,
                        help="torch intra-op threads (default: torch's choice, one per core); on a shared, "
                        "oversubscribed box 1 thread embeds ~2x faster than 2 spin-waiting OpenMP threads")
    args = parser.parse_args()
    if args.torch_threads:
        import torch

        torch.set_num_threads(args.torch_threads)

    settings = Settings(shop="giftshop")
    # Latency of the model itself: these benchmarks repeat their queries, which the cache would answer.
    embedder = Embedder(settings.embedding_model_path, query_cache_size=0)
    base = CatalogReader().read(CatalogReader.default_path(settings)).products
    queries = [q.query for q in QuerySet.load(REPO / "tests" / "data" / "giftshop_queries.yaml").queries]
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    load = os.getloadavg()
    embedder.encode(["warm up"])  # loads the model outside the timings
    start = time.perf_counter()
    qvecs = embedder.encode(queries)
    query_encode_ms = (time.perf_counter() - start) * 1000 / len(queries)
    encode_single = percentiles(timed(lambda q: embedder.encode([q]), queries, args.passes))

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench-store-"))
    workdir.mkdir(parents=True, exist_ok=True)
    results = [bench_size("giftshop", base, embedder, workdir, args.passes, queries, qvecs, not args.no_server)]
    if args.synthetic:
        products = synthetic_catalog(base, args.synthetic)
        results.append(bench_size(f"synthetic{args.synthetic // 1000}k", products, embedder, workdir, args.passes,
                                  queries, qvecs, not args.no_server))
    summary = {"bench": "store", "queries": len(queries), "passes": args.passes, "torch_threads": args.torch_threads,
               "loadavg_start": [round(x, 2) for x in load], "loadavg_end": [round(x, 2) for x in os.getloadavg()],
               "query_encode_single": encode_single, "query_encode_batched_ms_each": round(query_encode_ms, 2),
               "results": results}
    emit(summary, args.json_out)
    print()
    print(markdown(results))
    print(f"\nquery encoding alone (one query per call): p50 {encode_single['p50_ms']} ms, "
          f"p95 {encode_single['p95_ms']} ms")
    if not args.workdir:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
