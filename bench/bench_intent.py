"""Single-utterance intent latency on this CPU: fine-tuned MiniLM vs baselines, in one run.

Measures p50/p95 wall time of ``IntentClassifier.predict(text)`` (one utterance at a time, as
the dialog calls it) with 1 and 2 torch threads, and compares it with
* TF-IDF + logistic regression ``predict([text])`` (trained on the same split), and
* sentence-transformers ``encode([text])`` of the base MiniLM (what the centroid baseline pays).

Usage:
    python bench/bench_intent.py [--model var/models/intent] [--n 300]

Prints one JSON line and a Markdown table. Seed 13 picks the utterances (test + held-out).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path


def percentiles(samples_ms: Sequence[float]) -> dict[str, float]:
    """p50/p95/mean of a list of milliseconds."""
    ordered = sorted(samples_ms)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "p50_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(p95, 2),
        "mean_ms": round(statistics.fmean(ordered), 2),
    }


def time_calls(fn: Callable[[str], object], texts: Sequence[str], warmup: int = 10) -> dict[str, float]:
    """Call ``fn`` once per text (after ``warmup`` calls) and summarise the latencies."""
    for text in texts[:warmup]:
        fn(text)
    samples = []
    for text in texts:
        started = time.perf_counter()
        fn(text)
        samples.append(1000 * (time.perf_counter() - started))
    return percentiles(samples)


def main() -> None:
    """Run the benchmark and print the JSON line and Markdown table."""
    import torch
    from sentence_transformers import SentenceTransformer

    from cartwise.settings import Settings
    from finetune.baselines import TfidfBaseline
    from finetune.classifier import IntentClassifier
    from finetune.data import build_intent_dataset

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, help="intent model directory (default from settings)")
    parser.add_argument("--n", type=int, default=300, help="utterances to time per configuration")
    args = parser.parse_args()

    settings = Settings()
    model_dir = args.model or settings.intent_model_path
    dataset = build_intent_dataset(settings.data_dir / "intents")
    pool = [t for t, _ in dataset.test + dataset.heldout]
    texts = random.Random(13).sample(pool, min(args.n, len(pool)))

    results: dict[str, dict[str, float]] = {}
    classifier = IntentClassifier.from_pretrained(model_dir)
    for threads in (1, 2):
        torch.set_num_threads(threads)
        results[f"fine-tuned predict() {threads} thread(s)"] = time_calls(classifier.predict, texts)

    torch.set_num_threads(1)
    encoder = SentenceTransformer(settings.intent_base_model_path, device="cpu")
    results["sentence-transformers encode([text]) 1 thread"] = time_calls(
        lambda t: encoder.encode([t], show_progress_bar=False), texts
    )
    tfidf = TfidfBaseline().fit(dataset.train)
    results["TF-IDF + LogReg predict([text])"] = time_calls(lambda t: tfidf.predict([t]), texts)

    print(json.dumps({"bench": "intent_latency", "n": len(texts), "results": results}))
    base = results["sentence-transformers encode([text]) 1 thread"]["p95_ms"]
    print("| configuration | p50 ms | p95 ms | mean ms | p95 / ST-encode p95 |")
    print("|---|---:|---:|---:|---:|")
    for name, r in results.items():
        print(f"| {name} | {r['p50_ms']:.2f} | {r['p95_ms']:.2f} | {r['mean_ms']:.2f} | {r['p95_ms'] / base:.2f} |")


if __name__ == "__main__":
    main()
