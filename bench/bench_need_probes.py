"""Need statements through the whole assistant: read as shopping, and answered with the right kind of thing.

Each probe in ``bench/data/need_probes.yaml`` ("my mug leaves rings on the coffee table", "film myself skiing") is
sent as a guest's first message to its shop's ``Assistant.respond``. Reports, per shop: how many the assistant
answers as out of scope (the intent model's reading a need as off-topic), how many show a relevant product among the
first five (a title containing one of the probe's keywords; a set is judged by its items), and the mean share of
relevant products among the five (P@5). Every miss is listed with the intent and the first titles shown.

Usage:
    python bench/bench_need_probes.py [--probes bench/data/need_probes.yaml] [--json-out F]
"""

from __future__ import annotations

import argparse
import logging
import sys
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO))

from benchlib import emit, shown_items  # noqa: E402

SHOWN = 5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--probes", type=Path, default=REPO / "bench" / "data" / "need_probes.yaml")
    parser.add_argument("--label", default="")
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    from cartwise.settings import Settings
    from composition import build_assistant

    probes = yaml.safe_load(args.probes.read_text(encoding="utf-8"))["probes"]
    by_shop: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for probe in probes:
        by_shop[probe["shop"]].append(probe)
    shops: dict[str, dict[str, Any]] = {}
    misses: list[dict[str, Any]] = []
    for shop, rows in by_shop.items():
        bot = build_assistant(Settings(shop=shop))
        out_of_scope = hits = 0
        precision = 0.0
        for probe in rows:
            reply = bot.respond(probe["message"], session_id=uuid.uuid4().hex)
            titles = [item.title for item in shown_items(reply)]
            relevant = [any(k in t.lower() for k in probe["relevant"]) for t in titles[:SHOWN]]
            out_of_scope += reply.intent == "out_of_scope"
            hits += any(relevant)
            precision += sum(relevant) / SHOWN
            if not any(relevant):
                misses.append({"shop": shop, "message": probe["message"], "intent": str(reply.intent),
                               "shown": titles[:3]})
        shops[shop] = {"probes": len(rows), "out_of_scope": out_of_scope, "relevant_in_five": hits,
                       "p_at_5": round(precision / len(rows), 3)}
    print("| shop | probes | read as out of scope | a relevant product in the five shown | P@5 |\n"
          "|---|---|---|---|---|")
    for shop, r in shops.items():
        print(f"| {shop} | {r['probes']} | {r['out_of_scope']} | {r['relevant_in_five']} | {r['p_at_5']} |")
    emit({"bench": "need_probes", "label": args.label, "shops": shops,
          "out_of_scope": sum(r["out_of_scope"] for r in shops.values()),
          "relevant_in_five": sum(r["relevant_in_five"] for r in shops.values()),
          "probes": sum(r["probes"] for r in shops.values()), "misses": misses}, args.json_out)


if __name__ == "__main__":
    main()
