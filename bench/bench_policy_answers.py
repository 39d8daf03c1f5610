"""Policy questions through the whole assistant: is the first passage quoted the section that answers?

Each question in ``bench/data/policy_questions.yaml`` ("do you post to australia", "why is there a pending charge on
my card") is sent as a guest's first message to its shop's ``Assistant.respond``. A question is answered when the
reply's first cited source ("(from: <document> § <section>)") is one of the sections listed for it. A reply that
quotes no policy (read as shopping or out of scope with nothing beside it) counts as a miss; every miss is listed
with the intent and the sections cited.

Usage:
    python bench/bench_policy_answers.py [--questions bench/data/policy_questions.yaml] [--json-out F]
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
import uuid
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO))

from benchlib import emit  # noqa: E402

CITED = re.compile(r"\(from: [^)§]*§ ([^)]*)\)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=Path, default=REPO / "bench" / "data" / "policy_questions.yaml")
    parser.add_argument("--label", default="")
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    from cartwise.settings import Settings
    from composition import build_assistant

    questions = yaml.safe_load(args.questions.read_text(encoding="utf-8"))["questions"]
    bots: dict[str, Any] = {}
    answered = 0
    misses: list[dict[str, Any]] = []
    for question in questions:
        shop = question["shop"]
        if shop not in bots:
            bots[shop] = build_assistant(Settings(shop=shop))
        reply = bots[shop].respond(question["message"], session_id=uuid.uuid4().hex)
        cited = CITED.findall(reply.text)
        if cited and cited[0] in question["sections"]:
            answered += 1
        else:
            misses.append({"shop": shop, "message": question["message"], "intent": str(reply.intent),
                           "cited": cited[:2], "expected": question["sections"]})
    print(f"First passage quoted is the answering section: {answered} / {len(questions)}")
    emit({"bench": "policy_answers", "label": args.label, "questions": len(questions), "answered": answered,
          "misses": misses}, args.json_out)


if __name__ == "__main__":
    main()
