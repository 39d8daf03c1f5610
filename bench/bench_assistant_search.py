"""Search through the whole assistant vs the plain hybrid search it wraps, on labelled giftshop queries.

Each labelled query is sent as a guest's first message to ``Assistant.respond`` (a fresh session) and,
in the same run, to ``ProductStore.search(query, k=5)`` twice: as is ("plain"), and with the in-stock filter
the assistant always applies ("plain in stock": a shopper is never offered a sold-out product, while the
labels were made without regard to stock, so plain search scores sold-out products the assistant cannot
show). All rankings are judged with the same labels; a reply that is a set (a bundle) is judged by its
items. Reports P@5 (relevant among the 5 shown), hits@5 (queries with a relevant item in the 5) and the
ratio assistant / each baseline per query set.

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

from benchlib import emit, shown_items  # noqa: E402

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
    from retrieval.types import SearchFilters

    bot = build_assistant(Settings(shop="giftshop"))
    store = bot.dialog.shopping.store
    kinds = None if args.kinds == "all" else set(args.kinds.split(","))
    results: dict[str, Any] = {}
    misses: list[dict[str, Any]] = []
    for path in args.sets:
        queries = [q for q in QuerySet.load(path).queries if kinds is None or q.kind in kinds]
        rows = {"assistant": [], "plain": [], "plain in stock": []}  # type: dict[str, list[float]]
        hits = {"assistant": 0, "plain": 0, "plain in stock": 0}
        for q in queries:
            relevant = set(q.relevant)
            reply = bot.respond(q.query, session_id=f"bench-search-{uuid.uuid4().hex}", user_id=None)
            # A reply that is a set shows its items: they are what the shopper sees (products first, when both).
            shown = [item.id for item in shown_items(reply)]
            got = {"assistant": shown,
                   "plain": [h.product.id for h in store.search(q.query, k=SHOWN)],
                   "plain in stock": [h.product.id for h in store.search(q.query, k=SHOWN,
                                                                          filters=SearchFilters(in_stock=True))]}
            for name, ids in got.items():
                p = precision(ids, relevant)
                rows[name].append(p)
                hits[name] += p > 0
            if precision(got["assistant"], relevant) < max(precision(got[b], relevant) for b in ("plain",
                                                                                                 "plain in stock")):
                misses.append({"query": q.query, "assistant": round(precision(got["assistant"], relevant), 2),
                               "plain": round(precision(got["plain"], relevant), 2),
                               "plain_in_stock": round(precision(got["plain in stock"], relevant), 2),
                               "shown": shown[:SHOWN], "reply": reply.text[:120]})
        n = len(queries)
        p_a, p_p, p_s = (sum(rows[b]) / n for b in ("assistant", "plain", "plain in stock"))
        results[path.name] = {"queries": n, "assistant_p5": round(p_a, 3), "plain_p5": round(p_p, 3),
                              "ratio": round(p_a / p_p, 3) if p_p else None,
                              "plain_in_stock_p5": round(p_s, 3),
                              "ratio_in_stock": round(p_a / p_s, 3) if p_s else None,
                              "assistant_hits5": hits["assistant"], "plain_hits5": hits["plain"],
                              "plain_in_stock_hits5": hits["plain in stock"]}
    emit({"bench": "assistant_search", "label": args.label, "kinds": args.kinds, "sets": results,
          "worse_than_plain": misses}, args.json_out)


if __name__ == "__main__":
    main()
