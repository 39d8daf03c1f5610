"""``cartwise`` subcommands contributed by the ``finetune`` package.

* ``cartwise train-intent [--data FILE] [--out DIR] [--epochs N] [--max-per-intent N]``
* ``cartwise eval intent [--out DIR] [--model DIR] [--clinc]``

``eval`` is shared: this module creates the ``eval`` parser and its sub-subparsers
(``dest="eval_target"``) and keeps the sub-subparsers action on the parser as
``_cartwise_targets``, so another package adds its own target with::

    eval_parser = sub.choices["eval"]
    target = eval_parser._cartwise_targets.add_parser("recommend", help="...")
    target.set_defaults(func=run_eval_recommend)

(``app.build_parser`` registers ``finetune`` before ``assistant``; a package registered earlier
than ``finetune`` should create ``eval`` the same way; :func:`eval_targets` does either.)
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    from cartwise.settings import Settings

logger = logging.getLogger(__name__)

# A string: argparse._SubParsersAction is not subscriptable at run time on Python 3.11.
SubParsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def eval_targets(sub: SubParsers) -> SubParsers:
    """The ``eval`` command's sub-subparsers, creating ``eval`` if no package has yet.

    Args:
        sub: The top-level ``cartwise`` subparsers.

    Returns:
        The action to call ``add_parser(target)`` on.
    """
    existing = sub.choices.get("eval")
    if existing is not None:
        targets: SubParsers = getattr(existing, "_cartwise_targets")  # noqa: B009  # set below, untyped
        return targets
    eval_parser = sub.add_parser("eval", help="evaluate a component and write a report")
    targets = eval_parser.add_subparsers(dest="eval_target", required=True, metavar="TARGET")
    eval_parser._cartwise_targets = targets  # type: ignore[attr-defined]  # the documented registry
    return targets


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``train-intent`` and ``eval intent`` to the ``cartwise`` parser."""
    train = sub.add_parser(
        "train-intent",
        help="fine-tune the intent classifier (default data: data/intents; ~5 min on 2 CPU cores)",
        description="Fine-tune MiniLM into the intent classifier and save it to the intent model directory.",
    )
    train.add_argument("--data", type=Path, help="a shop's own examples: .csv (text,label) or .jsonl")
    train.add_argument(
        "--out", type=Path, help="model directory (default: CARTWISE_INTENT_MODEL_DIR or var/models/intent)"
    )
    train.add_argument("--epochs", type=int, help="maximum epochs (default 3; early stopping may end sooner)")
    train.add_argument("--max-per-intent", type=int, help="cap on training examples per intent (default 120)")
    train.add_argument("--seed", type=int, default=13)
    train.set_defaults(func=_run_train)

    intent = eval_targets(sub).add_parser(
        "intent",
        help="evaluate the intent model against TF-IDF and embedding-centroid baselines",
        description="Write a report (JSON, Markdown, confusion matrix, errors) on the test and held-out sets.",
    )
    intent.add_argument("--model", type=Path, help="model directory (default: the settings' intent model path)")
    intent.add_argument("--out", type=Path, help="report directory (default var/reports/intent)")
    intent.add_argument(
        "--clinc",
        action="store_true",
        help="CLINC150 benchmark instead: train on its train split (time-bounded), "
        "report in-scope accuracy and OOS recall",
    )
    intent.add_argument("--epochs", type=int, help="--clinc only: epochs (default 2)")
    intent.set_defaults(func=_run_eval)


def _run_train(args: argparse.Namespace, settings: Settings) -> int:
    from finetune.errors import FinetuneError

    try:
        return _train(args, settings)
    except FinetuneError as exc:
        print(f"cartwise train-intent: error: {exc}", file=sys.stderr)
        return 2


def _train(args: argparse.Namespace, settings: Settings) -> int:
    from finetune.data import build_intent_dataset, dataset_from_examples, load_labeled_file
    from finetune.train import TrainConfig, train_intent_model

    overrides: dict[str, Any] = {"seed": args.seed}
    if args.epochs is not None:
        overrides["epochs"] = args.epochs
    if args.max_per_intent is not None:
        overrides["max_per_intent"] = args.max_per_intent
    config = TrainConfig(**overrides)
    if args.data:
        dataset = dataset_from_examples(
            load_labeled_file(args.data), seed=config.seed, max_per_intent=config.max_per_intent
        )
        source = str(args.data)
    else:
        dataset = build_intent_dataset(
            settings.data_dir / "intents", seed=config.seed, max_per_intent=config.max_per_intent
        )
        source = "builtin"
    out = args.out or settings.intent_model_path
    print(f"training on {len(dataset.train)} examples, {len(dataset.labels)} intents (data {dataset.data_hash[:12]})")
    metadata = train_intent_model(dataset, out, settings.intent_base_model_path, config, data_source=source)
    print(f"saved {out}: {metadata.train_seconds:.0f} s training, threshold {metadata.threshold:.2f}")
    for key, value in metadata.metrics.items():
        print(f"  {key}: {value}")
    return 0


def _run_eval(args: argparse.Namespace, settings: Settings) -> int:
    from finetune.errors import FinetuneError

    try:
        return _eval(args, settings)
    except FinetuneError as exc:
        print(f"cartwise eval intent: error: {exc}", file=sys.stderr)
        return 2


def _eval(args: argparse.Namespace, settings: Settings) -> int:
    import torch

    from cartwise.cpu import free_cores

    torch.set_num_threads(free_cores())
    out = args.out or (settings.var_dir / "reports" / "intent")
    if args.clinc:
        from finetune.clinc import run_clinc_benchmark

        clinc = run_clinc_benchmark(settings, out / "clinc", epochs=args.epochs)
        print(clinc.to_markdown())
        return 0
    from finetune.evaluate import IntentEvaluator

    report = IntentEvaluator.from_settings(settings, model_dir=args.model).run(out)
    print(report.summary_markdown())
    print(f"report written to {out}")
    return 0
