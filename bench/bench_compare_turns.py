"""Turn latency of two checkouts of Cartwise, measured in one run: did a change make turns slower?

Runs ``bench/bench_turns.py`` of each checkout in turn (before, after, before, after, ...), each in its own
process with that checkout first on ``PYTHONPATH`` and its own built ``var/``, so the drifting load of a shared
machine hits both alike. Reports, per shop, the median over the rounds of each checkout's turn p95 and of its
turn p95 / plain search p95 (plain search timed in the same process), and the after / before ratio of both.

Usage:
    python bench/bench_compare_turns.py --before /path/to/old/checkout --after . [--runs 3] [--markdown F]

The "before" checkout needs its own ``var/`` (copy the after one's: the built artefacts are the same).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def run_once(checkout: Path, shop: str, rounds: int) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": f"{checkout}{os.pathsep}{checkout / 'bench'}", "HF_HUB_OFFLINE": "1"}
    done = subprocess.run([sys.executable, "bench/bench_turns.py", "--shop", shop, "--rounds", str(rounds)],
                          cwd=checkout, env=env, capture_output=True, text=True, check=True)
    line = next(x for x in done.stdout.splitlines() if x.startswith("{"))
    result: dict[str, Any] = json.loads(line)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", type=Path, required=True)
    parser.add_argument("--after", type=Path, default=Path("."))
    parser.add_argument("--shops", nargs="+", default=["giftshop", "electronics"])
    parser.add_argument("--runs", type=int, default=3, help="alternating runs of each checkout per shop")
    parser.add_argument("--rounds", type=int, default=3, help="bench_turns.py --rounds")
    parser.add_argument("--markdown", type=Path)
    args = parser.parse_args()
    checkouts = {"before": args.before.resolve(), "after": args.after.resolve()}
    runs: dict[str, dict[str, list[dict[str, Any]]]] = {s: {k: [] for k in checkouts} for s in args.shops}
    for shop in args.shops:
        for i in range(args.runs):
            for label, checkout in checkouts.items():
                result = run_once(checkout, shop, args.rounds)
                runs[shop][label].append(result)
                print(json.dumps({"shop": shop, "run": i + 1, "checkout": label, **result}), flush=True)
    rows = []
    for shop, by in runs.items():
        p95 = {k: statistics.median(r["p95_ms"] for r in v) for k, v in by.items()}
        ratio = {k: statistics.median(r["p95_ratio_vs_search"] for r in v) for k, v in by.items()}
        rows.append({"shop": shop, "p95_before": p95["before"], "p95_after": p95["after"],
                     "p95_after_over_before": round(p95["after"] / p95["before"], 2),
                     "vs_search_before": ratio["before"], "vs_search_after": ratio["after"],
                     "loads": [r["load_avg"] for v in by.values() for r in v]})
    print(json.dumps({"bench": "compare_turns", "runs": args.runs, "rows": rows}))
    if args.markdown:
        lines = [f"Command: `python bench/bench_compare_turns.py --before {args.before} --after {args.after} "
                 f"--runs {args.runs}`; {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
                 f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC.", "",
                 "| shop | turn p95 before ms | after ms | after / before | turn / search before | after | loads |",
                 "|---|---|---|---|---|---|---|"]
        lines += [f"| {r['shop']} | {r['p95_before']} | {r['p95_after']} | **{r['p95_after_over_before']}** | "
                  f"{r['vs_search_before']} | {r['vs_search_after']} | {min(r['loads'])}-{max(r['loads'])} |"
                  for r in rows]
        args.markdown.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
