"""Per-turn correctness on the held-out conversations (``tests/heldout/``), never tuned on.

Plays every YAML conversation in the given folders through ``Assistant.respond`` (a fresh session each)
and counts a turn as correct when every expectation of that step holds. Conversations go on after a
failed turn, as a shopper's would. Prints one JSON line (rates per folder and every failed turn) and,
with ``--markdown``, a table and the failure list for ``docs/benchmarks/``.

Usage:
    python bench/bench_heldout.py tests/heldout/understanding tests/heldout/needs [--json-out F] [--markdown F]
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))

from benchlib import emit  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--json-out", type=Path)
    parser.add_argument("--markdown", type=Path, help="write the table and the failure list here")
    parser.add_argument("--label", default="", help="name of the code version measured (e.g. a commit)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    from assistant.testing.runner import DialogRunner, find_dialogs, load_dialog
    from cartwise.settings import Settings
    from composition import build_assistant

    bots: dict[str, Any] = {}

    def bot_for(shop: str) -> Any:
        if shop not in bots:
            bots[shop] = build_assistant(Settings(shop=shop))
        return bots[shop]

    runner = DialogRunner(bot_for, "giftshop")
    per_folder: dict[str, dict[str, int]] = {}
    failures: list[dict[str, Any]] = []
    started = time.perf_counter()
    for folder in args.folders:
        counts = per_folder.setdefault(folder.name, {"turns": 0, "passed": 0, "conversations": 0})
        for path in find_dialogs([folder]):
            dialog = load_dialog(path)
            result = runner.run(dialog, path.relative_to(REPO) if path.is_absolute() else path)
            counts["conversations"] += 1
            for step in result.steps:
                counts["turns"] += 1
                counts["passed"] += step.passed
                if not step.passed:
                    failures.append(_failure(path, step))
            # A dialog that raised stops early: its remaining steps count as failed turns.
            missing = len(dialog.steps) - len(result.steps)
            counts["turns"] += missing
    total = sum(c["turns"] for c in per_folder.values())
    passed = sum(c["passed"] for c in per_folder.values())
    summary = {
        "bench": "heldout_turns", "label": args.label, "turns": total, "passed": passed,
        "rate": round(passed / total, 4) if total else 0.0,
        "folders": {k: {**v, "rate": round(v["passed"] / v["turns"], 4) if v["turns"] else 0.0}
                    for k, v in per_folder.items()},
        "seconds": round(time.perf_counter() - started, 1), "failures": failures,
    }
    emit(summary, args.json_out)
    if args.markdown:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(markdown(summary, _short))


def _short(text: str, n: int = 140) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 3] + "..."


def _failure(path: Path, step: Any) -> dict[str, Any]:
    checks = [f"{c.check}: expected {c.expected}; got {_short(c.got, 160)}" for c in step.checks if not c.passed]
    if step.error:
        checks.append(f"raised {step.error}")
    reply = step.reply
    return {"file": path.name, "step": step.index, "user": step.user, "as_user": step.as_user,
            "intent": reply.intent if reply else None, "reply": _short(reply.text, 200) if reply else "",
            "failed": checks}


def markdown(summary: dict[str, Any], short: Callable[[str, int], str]) -> str:
    lines = [f"Held-out turns ({summary['label'] or 'this run'}): **{summary['passed']} / {summary['turns']}** "
             f"correct ({summary['rate']:.1%}).", "", "| folder | conversations | turns | correct | rate |",
             "|---|---|---|---|---|"]
    for name, c in summary["folders"].items():
        lines.append(f"| {name} | {c['conversations']} | {c['turns']} | {c['passed']} | {c['rate']:.1%} |")
    lines += ["", "Failed turns:", ""]
    for f in summary["failures"]:
        who = f"customer {f['as_user']}" if f["as_user"] else "guest"
        lines.append(f"- `{f['file']}` step {f['step']} ({who}) “{short(f['user'], 80)}” → {f['intent']}: "
                     + "; ".join(short(c, 160) for c in f["failed"]))
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
