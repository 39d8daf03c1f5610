"""Search through the whole assistant vs the plain hybrid search it wraps, on labelled giftshop queries.

Each labelled query is sent as a guest's first message to ``Assistant.respond`` (a fresh session) and,
in the same run, to ``ProductStore.search(query, k=5)``; both rankings are judged with the same labels.
Reports P@5 (relevant among the 5 shown), hits@5 (queries with a relevant item in the 5) and the ratio
assistant / plain per query set.

Usage:
    python bench/bench_assistant_search.py [--sets tests/data/giftshop_queries.yaml ...] [--json-out F]
"""

from __future__ import annotations

import argparse
import logging
import sys
import uuid
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO))

from benchlib import emit  # noqa: E402

DEFAULT_SETS = [REPO / "tests" / "data" / "giftshop_queries.yaml", REPO / "tests" / "heldout" /
                "giftshop_natural_queries.yaml"]
SHOWN = 5


def precision(ids: list[str], relevant: set[str]) -> float:
    return sum(1 for i in ids[:SHOWN] if i in relevant) / SHOWN


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", nargs="+", type=Path, default=DEFAULT_SETS)
    parser.add_argument("--kinds", default="natural", help="query kinds to include (comma list, or 'all')")
    parser.add_argument("--json-out", type=Path)
    parser.add_argument("--label", default="")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    from cartwise.settings import Settings
    from composition import build_assistant
    from retrieval.search_quality import QuerySet

    bot = build_assistant(Settings(shop="giftshop"))
    store = bot.dialog.shopping.store
    kinds = None if args.kinds == "all" else set(args.kinds.split(","))
    results: dict[str, Any] = {}
    misses: list[dict[str, Any]] = []
    for path in args.sets:
        queries = [q for q in QuerySet.load(path).queries if kinds is None or q.kind in kinds]
        rows = {"assistant": [], "plain": []}  # type: dict[str, list[float]]
        hits = {"assistant": 0, "plain": 0}
        for q in queries:
            relevant = set(q.relevant)
            reply = bot.respond(q.query, session_id=f"bench-search-{uuid.uuid4().hex}", user_id=None)
            got = {"assistant": [p.id for p in reply.products],
                   "plain": [h.product.id for h in store.search(q.query, k=SHOWN)]}
            for name, ids in got.items():
                p = precision(ids, relevant)
                rows[name].append(p)
                hits[name] += p > 0
            if precision(got["assistant"], relevant) < precision(got["plain"], relevant):
                misses.append({"query": q.query, "assistant": round(precision(got["assistant"], relevant), 2),
                               "plain": round(precision(got["plain"], relevant), 2),
                               "shown": [p.title for p in reply.products][:SHOWN], "reply": reply.text[:120]})
        n = len(queries)
        p_a, p_p = sum(rows["assistant"]) / n, sum(rows["plain"]) / n
        results[path.name] = {"queries": n, "assistant_p5": round(p_a, 3), "plain_p5": round(p_p, 3),
                              "ratio": round(p_a / p_p, 3) if p_p else None,
                              "assistant_hits5": hits["assistant"], "plain_hits5": hits["plain"]}
    emit({"bench": "assistant_search", "label": args.label, "kinds": args.kinds, "sets": results,
          "worse_than_plain": misses}, args.json_out)


if __name__ == "__main__":
    main()
