"""Single-utterance intent latency on this CPU: fine-tuned MiniLM vs baselines, in one run.

Measures p50/p95 wall time of ``IntentClassifier.predict(text)`` (one utterance at a time, as
the dialog calls it) over the float ONNX export and over its int8 copy with the float export deciding where the copy
is unsure (what serving runs, with how many decisions of the splits are the float export's), and compares it with
* sentence-transformers ``encode([text])`` of the base MiniLM (the same network without the
  head: what the centroid baseline pays), and
* TF-IDF + logistic regression ``predict([text])`` (trained on the same split).
These three run interleaved (each utterance goes through all three in turn, with 1 torch
thread), so load from other processes on a shared machine hits them alike; the 1-minute load
average before and after is printed. Besides wall time, the process CPU time per call is
reported (``cpu_*``): with one thread it is the compute an idle core would need, without the
time spent waiting for a core. A second block times ``predict`` with 2 torch threads.

Usage:
    python bench/bench_intent.py [--model var/models/intent] [--n 300]

Prints one JSON line and a Markdown table. Seed 13 picks the utterances (test + held-out).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path


def percentiles(samples_ms: Sequence[float], prefix: str = "") -> dict[str, float]:
    """p50/p95/mean of a list of milliseconds."""
    ordered = sorted(samples_ms)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        f"{prefix}p50_ms": round(statistics.median(ordered), 2),
        f"{prefix}p95_ms": round(p95, 2),
        f"{prefix}mean_ms": round(statistics.fmean(ordered), 2),
    }


def time_interleaved(
    fns: dict[str, Callable[[str], object]], texts: Sequence[str], warmup: int = 10
) -> dict[str, dict[str, float]]:
    """Call every function once per text, in turn (after ``warmup`` texts), and summarise each."""
    for text in texts[:warmup]:
        for fn in fns.values():
            fn(text)
    samples: dict[str, list[float]] = {name: [] for name in fns}
    cpu: dict[str, list[float]] = {name: [] for name in fns}
    for text in texts:
        for name, fn in fns.items():
            started, cpu_started = time.perf_counter(), time.process_time()
            fn(text)
            samples[name].append(1000 * (time.perf_counter() - started))
            cpu[name].append(1000 * (time.process_time() - cpu_started))
    return {name: {**percentiles(samples[name]), **percentiles(cpu[name], "cpu_")} for name in fns}


def main() -> None:
    """Run the benchmark and print the JSON line and Markdown table."""
    import torch
    from sentence_transformers import SentenceTransformer

    from cartwise.settings import Settings
    from finetune.baselines import TfidfBaseline
    from finetune.classifier import IntentClassifier
    from finetune.data import build_intent_dataset
    from finetune.onnx_runtime import INT8_SURE

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, help="intent model directory (default from settings)")
    parser.add_argument("--n", type=int, default=300, help="utterances to time per configuration")
    args = parser.parse_args()

    settings = Settings()
    model_dir = args.model or settings.intent_model_path
    dataset = build_intent_dataset(settings.data_dir / "intents")
    pool = [t for t, _ in dataset.test + dataset.heldout]
    texts = random.Random(13).sample(pool, min(args.n, len(pool)))

    classifier = IntentClassifier.from_pretrained(model_dir, runtime="onnx")
    cascade = IntentClassifier.from_pretrained(model_dir, runtime="onnx-int8")
    # Decisions of the int8 copy with the float export deciding where it is unsure, against the float export alone.
    every = [t for t, _ in dataset.test + dataset.validation + dataset.heldout]
    exact = [p.label for p in classifier.predict_batch(every)]
    agree = sum(a == b.label for a, b in zip(exact, cascade.predict_batch(every), strict=True))
    cascade.quick_sure = 0.0  # the copy alone, for the count; restored before the timing
    agree_quick = sum(a == b.label for a, b in zip(exact, cascade.predict_batch(every), strict=True))
    cascade.quick_sure = INT8_SURE
    encoder = SentenceTransformer(settings.intent_base_model_path, device="cpu")
    tfidf = TfidfBaseline().fit(dataset.train)
    load_before = os.getloadavg()[0]
    torch.set_num_threads(1)
    results = time_interleaved(
        {
            "fine-tuned predict() 1 thread": classifier.predict,
            "fine-tuned predict(), int8 copy first, 1 thread": cascade.predict,
            "sentence-transformers encode([text]) 1 thread": lambda t: encoder.encode([t], show_progress_bar=False),
            "TF-IDF + LogReg predict([text])": lambda t: tfidf.predict([t]),
        },
        texts,
    )
    torch.set_num_threads(2)
    results.update(time_interleaved({"fine-tuned predict() 2 threads": classifier.predict}, texts))
    load_after = os.getloadavg()[0]

    print(
        json.dumps(
            {
                "bench": "intent_latency",
                "n": len(texts),
                "loadavg_1min": [round(load_before, 2), round(load_after, 2)],
                "cpus": os.cpu_count(),
                "results": results,
                "decisions_as_float": {"messages": len(every), "int8_then_float": agree, "int8_alone": agree_quick},
            }
        )
    )
    base = results["sentence-transformers encode([text]) 1 thread"]["p95_ms"]
    print(f"Decisions as the float export's on {len(every)} messages (test, validation, held-out splits): "
          f"int8 copy with the float export where it is unsure {agree}, int8 copy alone {agree_quick}.")
    print("| configuration | p50 ms | p95 ms | mean ms | p95 / ST-encode p95 | CPU p50 ms | CPU p95 ms |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, r in results.items():
        print(
            f"| {name} | {r['p50_ms']:.2f} | {r['p95_ms']:.2f} | {r['mean_ms']:.2f} | {r['p95_ms'] / base:.2f} "
            f"| {r['cpu_p50_ms']:.2f} | {r['cpu_p95_ms']:.2f} |"
        )


if __name__ == "__main__":
    main()
