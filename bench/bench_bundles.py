"""Bundle building latency on the giftshop, with baselines measured in the same run.

Usage:
    python bench/bench_bundles.py [--requests 300] [--seed 0]

Requests (fixed seed): anchors drawn from products with co-purchase partners, known
themes, and free-text themes (the first use of a text pays for its embedding), each
with a random budget, size and head-count. Baselines: a raw co-purchase top-10
lookup (what the builder starts from) and a plain hybrid store search for the
theme text. Prints one JSON line and a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal

import numpy as np

from cartwise.settings import Settings
from composition import bundle_builder_for
from retrieval.bundle_types import BundleRequest
from retrieval.embeddings import Embedder
from retrieval.store import ProductStore

FREE_TEXT = [
    "present for my gran",
    "something for a gardener",
    "cosy winter evening",
    "girls sleepover",
    "retro kitchen",
    "vintage wedding table",
    "stocking fillers",
    "teacher thank you",
    "new baby",
    "halloween party",
    "summer picnic in the park",
    "a gift for a tea lover",
]


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    arr = np.array(samples_ms)
    return {
        "n": len(samples_ms),
        "p50": float(np.percentile(arr, 50)),
        "p95": float(np.percentile(arr, 95)),
        "p99": float(np.percentile(arr, 99)),
        "mean": float(arr.mean()),
    }


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    settings = Settings(shop="giftshop")
    embedder = Embedder.from_settings(settings)
    store = ProductStore.from_settings(settings, embedder=embedder)
    t0 = time.perf_counter()
    builder = bundle_builder_for(settings, embedder=embedder, store=store)
    load_s = time.perf_counter() - t0
    stats = builder.copurchase
    assert stats is not None, "run `cartwise build-copurchase` first"
    rng = random.Random(args.seed)
    anchors = [p.id for p in builder.vectors.products if p.in_stock and stats.partners(p.id, 1)]
    themes = [t.name for t in builder.rules.themes]
    requests: list[tuple[str, BundleRequest]] = []
    for i in range(args.requests):
        budget = Decimal(rng.randint(300, 6000)) / 100
        common = {"budget": budget, "size": rng.randint(3, 6), "people": rng.choice([None, 2, 4, 6])}
        kind = ("anchor", "theme", "free text")[i % 3]
        if kind == "anchor":
            requests.append((kind, BundleRequest(anchor_id=rng.choice(anchors), **common)))
        elif kind == "theme":
            requests.append((kind, BundleRequest(theme=rng.choice(themes), **common)))
        else:
            requests.append((kind, BundleRequest(theme=rng.choice(FREE_TEXT), **common)))

    store.search("warm up", k=10)
    for _, req in requests[:10]:  # first calls pay for lazy numpy/torch set-up, not per request work
        builder.build(req)
    builder_ms: dict[str, list[float]] = {"anchor": [], "theme": [], "free text": []}
    lookup_ms: list[float] = []
    search_ms: list[float] = []
    budgets_ok = 0
    for kind, req in requests:
        start = time.perf_counter()
        result = builder.build(req)
        builder_ms[kind].append((time.perf_counter() - start) * 1000.0)
        assert req.budget is not None
        budgets_ok += int(result.within_budget and result.total <= req.budget)
        if req.anchor_id:
            lookup_ms.append(timed(lambda req=req: stats.partners(req.anchor_id or "", 10)))
        else:
            search_ms.append(timed(lambda req=req: store.search(req.theme or "", k=10)))
    all_ms = [x for v in builder_ms.values() for x in v]
    report = {
        "bench": "bundles",
        "shop": "giftshop",
        "date": date.today().isoformat(),
        "machine": f"{platform.machine()}, 2-core CPU, 24 GiB, no GPU",
        "seed": args.seed,
        "load_s": round(load_s, 2),
        "builder_all_ms": percentiles(all_ms),
        **{f"builder_{k.replace(' ', '_')}_ms": percentiles(v) for k, v in builder_ms.items()},
        "baseline_copurchase_lookup_ms": percentiles(lookup_ms),
        "baseline_store_search_ms": percentiles(search_ms),
        "within_budget": f"{budgets_ok}/{len(requests)}",
    }
    report["p95_ratio_builder_vs_search"] = round(
        report["builder_all_ms"]["p95"] / report["baseline_store_search_ms"]["p95"], 3
    )
    print(json.dumps(report))
    print()
    print("| what | n | p50 ms | p95 ms | p99 ms | mean ms |")
    print("|---|---|---|---|---|---|")
    for key, label in [
        ("builder_all_ms", "bundle builder, all requests"),
        ("builder_anchor_ms", "bundle builder, anchor"),
        ("builder_theme_ms", "bundle builder, known theme"),
        ("builder_free_text_ms", "bundle builder, free-text theme"),
        ("baseline_copurchase_lookup_ms", "baseline: co-purchase top-10 lookup"),
        ("baseline_store_search_ms", "baseline: hybrid store search (theme text)"),
    ]:
        r = report[key]
        print(f"| {label} | {r['n']} | {r['p50']:.2f} | {r['p95']:.2f} | {r['p99']:.2f} | {r['mean']:.2f} |")
    print(
        f"\nwithin budget: {report['within_budget']}; builder load (vectors, rules, warm-up): {load_s:.1f} s; "
        f"median of all builder calls {statistics.median(all_ms):.2f} ms"
    )


if __name__ == "__main__":
    main()
