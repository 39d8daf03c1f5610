"""How often the order-problem reader names the kind of problem a shopper describes.

Reads ``bench/data/problem_reports.yaml`` (kind -> messages) and prints the share read as their kind, by kind, with
every miss.

Usage: python bench/bench_problem_kinds.py [--json-out PATH]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import yaml

from assistant.understanding.understander import ProblemReader
from cartwise.settings import Settings
from retrieval.embeddings import Embedder

DATA = Path(__file__).parent / "data" / "problem_reports.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args()
    reports: dict[str, list[str]] = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    reader = ProblemReader(Embedder.from_settings(Settings()))
    by_kind: dict[str, int] = {}
    misses: list[dict[str, str]] = []
    for kind, messages in reports.items():
        for message in messages:
            read = reader.read(message, remedy=False)
            if read == kind:
                by_kind[kind] = by_kind.get(kind, 0) + 1
            else:
                misses.append({"message": message, "expected": kind, "got": str(read)})
    total = sum(len(m) for m in reports.values())
    result = {"bench": "problem_kinds", "reports": total, "right": sum(by_kind.values()),
              "by_kind": {k: f"{by_kind.get(k, 0)}/{len(m)}" for k, m in reports.items()}, "misses": misses}
    print(f"Problem kinds read right: {result['right']} / {total}")
    print(json.dumps(result))
    if args.json_out:
        args.json_out.write_text(json.dumps(result, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
