"""Search quality of dense, lexical and hybrid retrieval on the labelled giftshop queries.

Builds (or reuses) an embedded product store of the giftshop catalog and reports
nDCG@10, Recall@10 (relevant found / min(10, |relevant|)) and MRR for each mode,
for both hybrid fusions (convex blend at several alphas, reciprocal-rank fusion),
overall and per query kind.

Usage:
    python bench/bench_search_quality.py [--workdir DIR]

Prints one JSON line and a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from cartwise.settings import Settings  # noqa: E402
from retrieval.catalog import CatalogReader  # noqa: E402
from retrieval.embeddings import Embedder  # noqa: E402
from retrieval.search_quality import QualityReport, QuerySet, evaluate  # noqa: E402
from retrieval.store import ProductStore  # noqa: E402
from retrieval.types import SearchMode  # noqa: E402

QUERIES = REPO / "tests" / "data" / "giftshop_queries.yaml"


def by_kind(report: QualityReport, queries: QuerySet) -> dict[str, float]:
    kinds: dict[str, list[float]] = {}
    for q in queries.queries:
        kinds.setdefault(q.kind, []).append(report.per_query_ndcg[q.query])
    return {kind: round(sum(v) / len(v), 3) for kind, v in sorted(kinds.items())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workdir", type=Path, help="store directory to build or reuse (default: temporary)")
    parser.add_argument("--alphas", default="0.3,0.5,0.7,0.8,0.9", help="convex-fusion dense weights to try")
    args = parser.parse_args()

    settings = Settings(shop="giftshop")
    queries = QuerySet.load(QUERIES)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench-quality-"))
    store = ProductStore.open(workdir / "chroma", Embedder.from_settings(settings), "giftshop", create=True)
    store.upsert(CatalogReader().read(CatalogReader.default_path(settings)).products, batch_size=256)

    configs: list[tuple[str, SearchMode, str, float]] = [("dense", "dense", "convex", 0.0),
                                                        ("lexical (BM25)", "lexical", "convex", 0.0)]
    configs += [(f"hybrid convex alpha={a}", "hybrid", "convex", float(a)) for a in args.alphas.split(",")]
    configs += [("hybrid RRF (k=60)", "hybrid", "rrf", 0.0)]
    rows: list[dict[str, Any]] = []
    for label, mode, fusion, alpha in configs:
        store.fusion, store.alpha = fusion, alpha  # type: ignore[assignment]
        start = time.perf_counter()
        report = evaluate(store, queries, mode, k=10, label=label)
        rows.append({"config": label, "ndcg@10": round(report.ndcg, 3), "recall@10": round(report.recall, 3),
                     "mrr": round(report.mrr, 3), "ndcg_by_kind": by_kind(report, queries),
                     "ms_per_query": round((time.perf_counter() - start) * 1000 / len(queries.queries), 1)})
    print(json.dumps({"bench": "search_quality", "queries": len(queries.queries), "products": store.count(),
                      "default_alpha": settings.hybrid_alpha, "results": rows}))
    print()
    kinds = sorted(rows[0]["ndcg_by_kind"])
    print("| config | nDCG@10 | Recall@10 | MRR | " + " | ".join(f"nDCG@10 {k}" for k in kinds) + " |")
    print("|---|---|---|---|" + "---|" * len(kinds))
    for r in rows:
        print(f"| {r['config']} | {r['ndcg@10']} | {r['recall@10']} | {r['mrr']} | "
              + " | ".join(str(r["ndcg_by_kind"][k]) for k in kinds) + " |")
    if not args.workdir:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
