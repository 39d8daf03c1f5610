"""``cartwise eval intent --clinc``: the CLINC150 benchmark (Larson et al., 2019), time-bounded.

The "full" CLINC150 setting: train on the 15,000 in-scope training utterances plus the 100
``oos`` ones as a 151st class, tune the threshold on ``val`` + ``oos_val``, and report on
``test`` (4,500 in-scope) + ``oos_test`` (1,000): in-scope accuracy and out-of-scope recall,
without and with the threshold, next to the paper's BERT-base figures.

To stay near 10-15 minutes on a shared 2-core CPU the run uses MiniLM-L6 (22.7 M parameters)
instead of the paper's BERT-base (110 M), **2 epochs** (944 steps of 32) at learning rate 3e-4,
max_length 32 (CLINC utterances average 9 words) and the default freezing (word embeddings
and the 2 lowest layers). All 15,100 training utterances are used.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Final

from pydantic import BaseModel, ConfigDict

from finetune.classifier import IntentClassifier
from finetune.data import IntentDataset, hash_examples
from finetune.labels import OUT_OF_SCOPE
from finetune.sources import load_clinc
from finetune.threshold import decide, in_scope_accuracy_and_oos_recall
from finetune.train import TrainConfig, train_intent_model
from finetune.types import LabeledText

if TYPE_CHECKING:
    from cartwise.settings import Settings

logger = logging.getLogger(__name__)

PUBLISHED_BERT: Final = {
    "in_scope_accuracy": 0.969,
    "oos_recall": 0.403,
    "threshold_in_scope_accuracy": 0.962,
    "threshold_oos_recall": 0.523,
}
"""BERT-base, "full" training set, from Larson et al. (2019), Table 2 (plain and with a threshold)."""


class ClincResult(BaseModel):
    """Figures of one CLINC150 run."""

    model_config = ConfigDict(frozen=True)

    in_scope_accuracy: float
    oos_recall: float
    threshold: float
    threshold_in_scope_accuracy: float
    threshold_oos_recall: float
    epochs: int
    max_length: int
    train_examples: int
    train_seconds: float
    total_seconds: float

    def to_markdown(self) -> str:
        """A table of our figures next to the published BERT-base ones."""
        p = PUBLISHED_BERT
        return "\n".join(
            [
                "| CLINC150 (full), test | in-scope accuracy | OOS recall |",
                "|---|---:|---:|",
                f"| MiniLM-L6 fine-tuned here ({self.epochs} epochs, max_length {self.max_length}, "
                f"{self.train_seconds / 60:.1f} min) | {100 * self.in_scope_accuracy:.1f} % "
                f"| {100 * self.oos_recall:.1f} % |",
                f"| same + threshold {self.threshold:.2f} (tuned on val) "
                f"| {100 * self.threshold_in_scope_accuracy:.1f} % "
                f"| {100 * self.threshold_oos_recall:.1f} % |",
                f"| BERT-base, Larson et al. 2019 | {100 * p['in_scope_accuracy']:.1f} % "
                f"| {100 * p['oos_recall']:.1f} % |",
                f"| BERT-base + threshold, Larson et al. 2019 | {100 * p['threshold_in_scope_accuracy']:.1f} % "
                f"| {100 * p['threshold_oos_recall']:.1f} % |",
            ]
        )


def clinc_dataset(clinc_dir: Path, seed: int = 13) -> IntentDataset:
    """CLINC150's own splits as an :class:`IntentDataset` (``oos`` renamed ``out_of_scope``)."""
    raw = load_clinc(clinc_dir)

    def rename(rows: list[LabeledText]) -> list[LabeledText]:
        return [(t, OUT_OF_SCOPE if label == "oos" else label) for t, label in rows]

    train = rename(raw["train"] + raw["oos_train"])
    validation = rename(raw["val"] + raw["oos_val"])
    test = rename(raw["test"] + raw["oos_test"])
    splits = {"train": train, "validation": validation, "test": test}
    return IntentDataset(
        train=train,
        validation=validation,
        test=test,
        heldout=[],
        labels=tuple(sorted({label for _, label in train})),
        data_hash=hash_examples(splits),
        seed=seed,
    )


def run_clinc_benchmark(settings: Settings, out_dir: Path, epochs: int | None = None) -> ClincResult:
    """Fine-tune on CLINC150 train, tune the threshold on val, score test; write ``clinc.json``/``clinc.md``.

    Args:
        settings: Supplies ``data_dir`` and the base model.
        out_dir: Report directory (the trained model is temporary and deleted afterwards).
        epochs: Epochs (default 2).

    Returns:
        The figures.
    """
    started = time.perf_counter()
    dataset = clinc_dataset(settings.data_dir / "intents" / "clinc150")
    config = TrainConfig(epochs=epochs or 2, max_length=32, max_per_intent=10_000)
    out_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="clinc-model-", dir=out_dir))
    try:
        # test left out of training's own scoring: it is predicted once, below
        metadata = train_intent_model(
            dataset.model_copy(update={"test": []}),
            work / "model",
            settings.intent_base_model_path,
            config,
            data_source="clinc150",
        )
        classifier = IntentClassifier.from_pretrained(work / "model")
        texts, gold = [t for t, _ in dataset.test], [label for _, label in dataset.test]
        probs = classifier.predict_proba(texts)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    plain = in_scope_accuracy_and_oos_recall(gold, decide(probs, classifier.labels, 0.0, OUT_OF_SCOPE), OUT_OF_SCOPE)
    tuned = in_scope_accuracy_and_oos_recall(
        gold, decide(probs, classifier.labels, metadata.threshold, OUT_OF_SCOPE), OUT_OF_SCOPE
    )
    result = ClincResult(
        in_scope_accuracy=plain[0],
        oos_recall=plain[1],
        threshold=metadata.threshold,
        threshold_in_scope_accuracy=tuned[0],
        threshold_oos_recall=tuned[1],
        epochs=int(metadata.metrics.get("epochs_run", config.epochs)),
        max_length=config.max_length,
        train_examples=len(dataset.train),
        train_seconds=metadata.train_seconds,
        total_seconds=round(time.perf_counter() - started, 1),
    )
    (out_dir / "clinc.json").write_text(result.model_dump_json(indent=2), encoding="utf-8")
    (out_dir / "clinc.md").write_text(result.to_markdown() + "\n", encoding="utf-8")
    return result
