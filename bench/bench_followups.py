"""Follow-up understanding on held-out turns: the intent read from a message *and* the screen it was sent from.

Reads ``tests/heldout/followups.csv`` (``context,message,intent``, written without seeing the code or the
training data) and, for each row, shows the message to the giftshop assistant's :class:`Understander` with a
screen of that kind (a list of products, one product, a bundle, an order, a clarifying question, a policy
answer, or nothing). Reports accuracy overall and per context, the model alone (its raw top intent) and the
full understanding (model + the overrides it keeps), and every miss.

Usage:
    python bench/bench_followups.py [--csv tests/heldout/followups.csv] [--json-out F]
"""

from __future__ import annotations

import argparse
import csv
import logging
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))

from benchlib import emit  # noqa: E402


def screens() -> dict[str, Any]:
    from assistant.reply import BundleItem, ShownProduct
    from assistant.understanding import Screen
    from finetune.context import TurnContext

    products = [ShownProduct(id=i, title=t, price=Decimal(p)) for i, t, p in [
        ("85099B", "Jumbo Bag Red Retrospot", "2.08"), ("20725", "Lunch Bag Red Retrospot", "1.65"),
        ("22386", "Jumbo Bag Pink Polkadot", "2.08"), ("21931", "Jumbo Storage Bag Suki", "2.08"),
        ("22411", "Jumbo Shopper Vintage Red Paisley", "2.08")]]
    bundle = [BundleItem(id=p.id, title=p.title, price=p.price) for p in products[:3]]
    return {
        "none": Screen(),
        "products": Screen(context=TurnContext.products, products=products, focus_id="85099B", query="bag"),
        "product": Screen(context=TurnContext.product, products=products, focus_id="85099B", query="bag"),
        "bundle": Screen(context=TurnContext.bundle, products=products, bundle=bundle),
        "order": Screen(context=TurnContext.order, order_id="536365"),
        "clarify": Screen(context=TurnContext.clarify),
        "policy": Screen(context=TurnContext.policy),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--csv", type=Path, default=REPO / "tests" / "heldout" / "followups.csv")
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    from cartwise.settings import Settings
    from composition import build_assistant
    from finetune.context import model_input

    bot = build_assistant(Settings(shop="giftshop"))
    reader = bot.dialog.understander
    by_context = screens()
    rows = list(csv.DictReader(args.csv.open(encoding="utf-8")))
    hits: dict[str, dict[str, list[bool]]] = {"model": defaultdict(list), "understanding": defaultdict(list)}
    misses: list[dict[str, str]] = []
    for row in rows:
        screen = by_context[row["context"]]
        raw = reader.model.predict(model_input(row["message"], screen.context)).top3[0][0]
        decided = reader.understand(row["message"], screen).intent
        hits["model"][row["context"]].append(raw == row["intent"])
        hits["understanding"][row["context"]].append(decided == row["intent"])
        if decided != row["intent"]:
            misses.append({"context": row["context"], "message": row["message"], "expected": row["intent"],
                           "got": decided})
    summary: dict[str, Any] = {"bench": "followup_intents", "rows": len(rows)}
    for name, table in hits.items():
        every = [h for v in table.values() for h in v]
        summary[name] = {"accuracy": round(sum(every) / len(every), 4),
                         "by_context": {c: round(sum(v) / len(v), 3) for c, v in sorted(table.items())}}
    summary["misses"] = misses
    emit(summary, args.json_out)


if __name__ == "__main__":
    main()
