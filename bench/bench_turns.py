"""Turn latency of ``Assistant.respond`` with the template generator, on a demo shop.

Replays scripted conversations (search, refine, reference, bundle, edit, order, policy, small talk)
and reports p50/p95 per turn, with a plain ``ProductStore.search`` timed in the same run as the baseline.

Usage: python bench/bench_turns.py [--shop giftshop] [--rounds 5] [--write docs/benchmarks/assistant.md]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from benchlib import nearest_rank

from assistant import Assistant
from cartwise.settings import Settings

CONVERSATIONS = {
    "giftshop": [
        ("17850", ["hi", "I'm looking for a lunch bag", "cheaper", "in pink", "the second one",
                   "tea party bundle under £20", "add some bunting to the bundle", "remove the bunting",
                   "where is my order 536365?", "what is your returns policy?", "thanks"]),
        (None, ["I need a gift for my mum under £20", "show me cake stands", "compare the first and second",
                "what goes with the regency cakestand 3 tier? bundle under £25", "make it cheaper",
                "how long does delivery take?", "what's the weather in Paris?"]),
    ],
    "electronics": [
        (None, ["a 65 inch tv under $1000", "cheaper", "the first one", "home office bundle under $800",
                "can I return a TV if I don't like it?", "which payment methods do you accept?"]),
    ],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shop", default="giftshop")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--write", type=Path)
    args = parser.parse_args()
    settings = Settings(shop=args.shop, generator="template")
    bot = Assistant.from_settings(settings, build=False)
    store = bot.dialog.shopping.store
    turns: list[float] = []
    baseline: list[float] = []
    by_intent: dict[str, list[float]] = {}
    bot.respond("hello", session_id="warm-up")  # first call pays lazy loads (BM25 snapshot)
    for r in range(args.rounds):
        for user, messages in CONVERSATIONS[args.shop]:
            session = f"bench-{r}-{uuid.uuid4().hex[:6]}"
            for message in messages:
                t = time.perf_counter()
                reply = bot.respond(message, session_id=session, user_id=user)
                ms = 1000 * (time.perf_counter() - t)
                turns.append(ms)
                by_intent.setdefault(reply.intent, []).append(ms)
                t = time.perf_counter()
                store.search(message, k=15)
                baseline.append(1000 * (time.perf_counter() - t))
    result = {
        "shop": args.shop, "turns": len(turns), "p50_ms": round(nearest_rank(turns, 0.5), 1), "p95_ms": round(nearest_rank(turns, 0.95), 1),
        "search_p50_ms": round(nearest_rank(baseline, 0.5), 1), "search_p95_ms": round(nearest_rank(baseline, 0.95), 1),
        "load_avg": round(os.getloadavg()[0], 2),
    }
    result["p95_ratio_vs_search"] = round(result["p95_ms"] / result["search_p95_ms"], 2)
    print(json.dumps(result))
    rows = "\n".join(f"| {k} | {len(v)} | {statistics.median(v):.1f} | {nearest_rank(v, 0.95):.1f} |"
                     for k, v in sorted(by_intent.items()))
    md = f"""# Assistant turn latency (template generator)

Command: `python bench/bench_turns.py --shop {args.shop} --rounds {args.rounds}`.
Machine: {platform.machine()}, 2-core CPU, 24 GiB, no GPU; 1-minute load average during the run
{result['load_avg']} (other jobs were running, so these are upper bounds). Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.

| measure | p50 ms | p95 ms |
|---|---:|---:|
| `Assistant.respond` turn ({len(turns)} turns) | {result['p50_ms']} | {result['p95_ms']} |
| baseline: one `ProductStore.search` (hybrid, k=15) on the same messages | {result['search_p50_ms']} | {result['search_p95_ms']} |

Turn p95 / search p95 = **{result['p95_ratio_vs_search']}**. Goal: turn p95 ≤ 60 ms on giftshop.

| intent | turns | p50 ms | p95 ms |
|---|---:|---:|---:|
{rows}
"""
    print(md)
    if args.write:
        args.write.write_text(md, encoding="utf-8")


if __name__ == "__main__":
    main()
