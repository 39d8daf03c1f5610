"""The assistant at 100k products: ingest time, startup, turn latency and filtered-search latency.

The catalog is the giftshop plus synthetic products generated from its vocabulary by the store benchmark's
generator (``bench/bench_store.py: synthetic_catalog``, fixed seed), so both benchmarks use the same products.
It is ingested into a workdir (kept, so a second run skips the embedding) together with a copy of the giftshop's
orders; then the real 3.7k giftshop assistant (baseline) and the 100k one are loaded in the same process and
play the same scripted conversations (the five turns of ``bench/load.py`` for 20 items), one turn at a time.
Search alone is timed too, unfiltered and with filters of different selectivity, at both sizes.

Usage:
    python bench/bench_100k.py                         # 100k; embedding takes several CPU minutes, once
    python bench/bench_100k.py --size 20000 --workdir var/bench/h20k

Prints one JSON line and a Markdown table.
"""

from __future__ import annotations

import argparse
import importlib.util
import logging
import os
import shutil
import sqlite3
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchlib import emit  # noqa: E402

from cartwise.settings import Settings  # noqa: E402
from retrieval.types import SearchFilters  # noqa: E402

ITEMS = ["lunch bags", "cake stands", "t-light holders", "mugs", "cushion covers", "doormats", "bunting",
         "lanterns", "photo frames", "wall clocks", "jigsaws", "notebooks", "tea towels", "aprons", "paper napkins",
         "gift wrap", "hot water bottles", "alarm clocks", "cake tins", "christmas baubles"]
SCRIPT = ["show me {item}", "cheaper", "tell me about the second one",
          "put together a gift set for a tea party under £{budget}", "what is your returns policy?"]
FILTERS: dict[str, SearchFilters | None] = {
    "none": None,
    "in stock": SearchFilters(in_stock=True),
    "price <= 5, in stock": SearchFilters(price_max=Decimal("5"), in_stock=True),
    "category = bags": SearchFilters(category="bags"),
    "price <= 0.50, category = party": SearchFilters(price_max=Decimal("0.5"), category="party"),
}


def _module(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def pct(samples: list[float]) -> dict[str, float]:
    ms = np.asarray(samples) * 1000
    return {"n": len(samples), "p50_ms": round(float(np.percentile(ms, 50)), 1),
            "p95_ms": round(float(np.percentile(ms, 95)), 1), "p99_ms": round(float(np.percentile(ms, 99)), 1)}


def copy_vectors(source: Path, shop: str, products: list[Any], embedder: Any) -> np.ndarray | None:
    """Vectors of ``products`` from another store of the same synthetic catalog (the store benchmark's), if whole."""
    from retrieval.errors import StoreError
    from retrieval.store import ProductStore

    try:
        other = ProductStore.open(source, embedder, shop)
        if other.count() != len(products):
            return None
        stored = {p.id: p.title for p in other.all_products()}
        if any(stored.get(p.id) != p.title for p in products):
            return None  # another generator or seed: not the same products
        ids = [p.id for p in products]
        return np.concatenate([other.embeddings(ids[i:i + 5000]) for i in range(0, len(ids), 5000)])
    except StoreError:
        return None


def prepare(size: int, workdir: Path, vectors_from: Path | None) -> tuple[Settings, dict[str, Any]]:
    """Build (or reuse) the big shop in ``workdir``; returns its settings and the build timings."""
    from cartwise.db import ShopDatabase
    from composition import ensure_built
    from retrieval.catalog import CatalogReader
    from retrieval.embeddings import Embedder
    from retrieval.store import ProductStore

    real = Settings(shop="giftshop")
    var = workdir / "var"
    shop_var = var / "giftshop"
    shop_var.mkdir(parents=True, exist_ok=True)
    settings = Settings(shop="giftshop", var_dir=var, intent_model_dir=real.intent_model_path)
    timings: dict[str, Any] = {}
    if not (shop_var / "shop.db").is_file():
        with sqlite3.connect(real.shop_var_dir / "shop.db") as source, sqlite3.connect(shop_var / "shop.db") as copy:
            source.backup(copy)
        shutil.copy(real.shop_var_dir / "copurchase.npz", shop_var / "copurchase.npz")

    store_bench = _module(REPO / "bench" / "bench_store.py", "cartwise_bench_store")
    base = CatalogReader().read(CatalogReader.default_path(real)).products
    products = store_bench.synthetic_catalog(base, size)
    # Latency of the model itself: these benchmarks repeat their queries, which the cache would answer.
    embedder = Embedder(settings.embedding_model_path, query_cache_size=0)
    store = ProductStore.from_settings(settings, embedder=embedder, create=True)
    vectors = None
    if vectors_from is not None and store.count() < len(products):
        start = time.perf_counter()
        vectors = copy_vectors(vectors_from, f"synthetic{size // 1000}k", products, embedder)
        timings["vectors_copied_from"] = str(vectors_from) if vectors is not None else None
        timings["vector_read_s"] = round(time.perf_counter() - start, 1)
    start = time.perf_counter()
    report = store.upsert(products, batch_size=256 if vectors is None else 2000, show_progress=True, vectors=vectors)
    timings["store_upsert_s"] = round(time.perf_counter() - start, 1)
    timings["embedded"] = report.added + report.updated
    timings["unchanged"] = report.unchanged
    if report.added + report.updated and vectors is None:
        timings["ingest_products_per_s"] = round((report.added + report.updated) / timings["store_upsert_s"], 1)
    db = ShopDatabase.from_settings(settings)
    if db.product_count() < len(products):
        start = time.perf_counter()
        db.upsert_products(products)
        timings["db_upsert_s"] = round(time.perf_counter() - start, 1)
    start = time.perf_counter()
    ensure_built(settings)  # policies into the new Chroma dir; the rest is found
    timings["ensure_built_s"] = round(time.perf_counter() - start, 1)
    timings["products"] = store.count()
    return settings, timings


def play(bot: Any, label: str) -> dict[str, list[float]]:
    """The scripted conversations, one turn at a time; seconds per step name."""
    steps: dict[str, list[float]] = {}
    for n, item in enumerate(ITEMS):
        session = f"bench100k-{label}-{n}-{time.time_ns()}"
        bot.dialog.shopping.store.embedder.clear_cache()  # only reuse within one conversation counts
        for template in SCRIPT:
            message = template.format(item=item, budget=20 + n)
            start = time.perf_counter()
            bot.respond(message, session_id=session)
            steps.setdefault(template.split()[0], []).append(time.perf_counter() - start)
        bot.delete_history(session)
    return steps


def timed(fn: Callable[[], Any], passes: int) -> list[float]:
    fn()
    out = []
    for _ in range(passes):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def search_latency(store: Any, passes: int) -> dict[str, Any]:
    """Hybrid search (what a turn runs) and the Chroma vector query alone, per filter."""
    queries = [f"{item}" for item in ITEMS]
    qvecs = store.embedder.encode(queries)
    out: dict[str, Any] = {}
    for name, filters in FILTERS.items():
        # The query-vector cache is cleared before each call: this times the embedding too, as a new query pays it.
        hybrid = [s for q in queries
                  for s in timed(lambda q=q, f=filters: (store.embedder.clear_cache(), store.search(q, k=8, filters=f)),
                                 passes)]
        dense = [s for v in qvecs for s in timed(lambda v=v, f=filters: store._dense(v, 50, f), passes)]
        out[name] = {"hybrid": pct(hybrid), "dense_query": pct(dense)}
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--workdir", type=Path, default=REPO / "var" / "bench" / "hardening100k")
    parser.add_argument("--passes", type=int, default=2, help="timed passes per search query")
    parser.add_argument("--vectors-from", type=Path,
                        default=REPO / "var" / "bench" / "store" / "synthetic100k-embedded",
                        help="reuse the vectors of bench_store.py's store of the same catalog instead of embedding "
                        "again (used only if it holds exactly these products)")
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from composition import build_assistant

    load_start = os.getloadavg()
    settings, build = prepare(args.size, args.workdir, args.vectors_from)
    sizes: dict[str, Any] = {}
    for label, shop_settings in (("giftshop 3.7k (baseline)", Settings(shop="giftshop")),
                                 (f"synthetic {args.size // 1000}k", settings)):
        start = time.perf_counter()
        bot = build_assistant(shop_settings, build=False)
        startup = time.perf_counter() - start
        store = bot.dialog.shopping.store
        # The default (vector queries from the in-memory matrix) against every query sent to Chroma.
        variants = [(f"{label}, Chroma only (CARTWISE_EXACT_INDEX=false)", None),
                    (label, bot.dialog.bundles.builder.vectors)]
        for name, exact in variants:
            store.use_exact_index(exact)
            play(bot, "warm")  # first turns build the BM25 index and fill caches
            steps = play(bot, "measured")
            sizes[name] = {"products": store.count(), "startup_s": round(startup, 1),
                           "exact_index": getattr(store, "exact_index", None) is not None,
                           "turn": pct([s for v in steps.values() for s in v]),
                           "per_step_p95_ms": {k: pct(v)["p95_ms"] for k, v in steps.items()},
                           "search": search_latency(store, args.passes)}
        del bot, store
    summary = {"bench": "hardening_100k", "size": args.size, "build": build, "sizes": sizes,
               "loadavg_start": [round(x, 2) for x in load_start],
               "loadavg_end": [round(x, 2) for x in os.getloadavg()]}
    emit(summary, args.json_out)
    print()
    print("| catalog | products | startup s | turn p50 ms | turn p95 ms | turn p99 ms | search p95 / refine p95 ms |")
    print("|---|---|---|---|---|---|---|")
    for label, r in sizes.items():
        t = r["turn"]
        steps = r["per_step_p95_ms"]
        print(f"| {label} | {r['products']:,} | {r['startup_s']} | {t['p50_ms']} | {t['p95_ms']} | {t['p99_ms']} | "
              f"{steps['show']} / {steps['cheaper']} |")
    print()
    print("| filter | " + " | ".join(f"{label}: hybrid p95 / dense p95 ms" for label in sizes) + " |")
    print("|---|" + "---|" * len(sizes))
    for name in FILTERS:
        cells = [f"{r['search'][name]['hybrid']['p95_ms']} / {r['search'][name]['dense_query']['p95_ms']}"
                 for r in sizes.values()]
        print(f"| {name} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
