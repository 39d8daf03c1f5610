"""``cartwise eval intent``: the fine-tuned model against two baselines, like ``rasa test nlu``.

On the test split and on the hand-written held-out set it measures, for each model:
accuracy, macro-F1, in-scope accuracy and out-of-scope recall (CLINC150's two figures).
Models: the fine-tuned classifier with its tuned threshold, the same without a threshold
(argmax), TF-IDF + logistic regression, and nearest centroid on frozen MiniLM embeddings.
Both baselines are trained on the same training split in the same run.

Written to the output directory: ``report.json``, ``report.md`` (summary + per-intent tables),
``errors_<split>.json`` and ``confusion_<split>.png`` for the fine-tuned model.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from finetune.baselines import CentroidBaseline, TfidfBaseline
from finetune.classifier import IntentClassifier
from finetune.data import IntentDataset, build_intent_dataset, dataset_from_examples, load_labeled_file
from finetune.labels import OUT_OF_SCOPE
from finetune.metadata import IntentModelMetadata
from finetune.metrics import score_predictions
from finetune.report import IntentReport, ModelRun, plot_confusion, write_report
from finetune.threshold import decide

if TYPE_CHECKING:
    from cartwise.settings import Settings

logger = logging.getLogger(__name__)

FINETUNED = "fine-tuned MiniLM"
FINETUNED_ARGMAX = "fine-tuned MiniLM (no threshold)"
TFIDF = "TF-IDF + LogReg"
CENTROID = "MiniLM centroid"


class IntentEvaluator:
    """Evaluate a trained intent model and the baselines on the same data.

    Args:
        classifier: The fine-tuned model.
        dataset: The splits it was trained on (rebuilt with the same seed; the hash is checked).
        encoder_path: Sentence-transformers directory for the centroid baseline.
        model_dir: Recorded in the report.
    """

    def __init__(self, classifier: IntentClassifier, dataset: IntentDataset, encoder_path: str, model_dir: str) -> None:
        self.classifier = classifier
        self.dataset = dataset
        self.encoder_path = encoder_path
        self.model_dir = model_dir

    @classmethod
    def from_settings(cls, settings: Settings, model_dir: Path | None = None) -> IntentEvaluator:
        """Load the model (default ``settings.intent_model_path``) and rebuild its dataset.

        Raises:
            NotFittedError: If there is no model (run ``cartwise train-intent``).
        """
        path = model_dir or settings.intent_model_path
        metadata = IntentModelMetadata.load(path)
        classifier = IntentClassifier.from_pretrained(path, runtime=settings.intent_runtime)
        seed = int(metadata.hyperparameters.get("seed") or 13)
        max_per_intent = int(metadata.hyperparameters.get("max_per_intent") or 120)
        if metadata.data_source == "builtin":
            dataset = build_intent_dataset(settings.data_dir / "intents", seed=seed, max_per_intent=max_per_intent)
        else:
            examples = load_labeled_file(Path(metadata.data_source))
            dataset = dataset_from_examples(examples, seed=seed, max_per_intent=max_per_intent)
        if dataset.data_hash != metadata.data_hash:
            logger.warning(
                "data changed since the model was trained (hash %s, model saw %s): test figures may include "
                "examples the model trained on; retrain with `cartwise train-intent`",
                dataset.data_hash[:12],
                metadata.data_hash[:12],
            )
        return cls(classifier, dataset, settings.intent_base_model_path, str(path))

    def run(self, out_dir: Path) -> IntentReport:
        """Train the baselines, score all models and write the report files.

        Args:
            out_dir: Report directory (created if missing).

        Returns:
            The report (also written as ``out_dir/report.json``).
        """
        seconds: dict[str, float] = {}
        started = time.perf_counter()
        tfidf = TfidfBaseline().fit(self.dataset.train)
        seconds["fit_tfidf"] = time.perf_counter() - started
        started = time.perf_counter()
        centroid = CentroidBaseline.from_path(self.encoder_path).fit(self.dataset.train)
        seconds["fit_centroid"] = time.perf_counter() - started

        runs: list[ModelRun] = []
        splits = [(name, getattr(self.dataset, name)) for name in ("test", "heldout")]
        for split, examples in splits:
            if not examples:
                continue
            texts, gold = [t for t, _ in examples], [label for _, label in examples]
            started = time.perf_counter()
            probs = self.classifier.predict_proba(texts)
            seconds[f"predict_finetuned_{split}"] = time.perf_counter() - started
            labels = self.classifier.labels
            decided = decide(probs, labels, self.classifier.threshold, OUT_OF_SCOPE)
            predictions = {
                FINETUNED: decided,
                FINETUNED_ARGMAX: decide(probs, labels, 0.0, OUT_OF_SCOPE),
                TFIDF: tfidf.predict(texts),
                CENTROID: centroid.predict(texts),
            }
            for model, predicted in predictions.items():
                runs.append(ModelRun(model=model, split=split, scores=score_predictions(texts, gold, predicted)))
            present = [label for label in labels if label in set(gold) | set(decided)]
            plot_confusion(
                gold, decided, present, f"{FINETUNED} on {split} (n={len(gold)})", out_dir / f"confusion_{split}.png"
            )
        report = IntentReport(
            model_dir=self.model_dir,
            data_hash=self.dataset.data_hash,
            threshold=self.classifier.threshold,
            runs=runs,
            seconds={k: round(v, 2) for k, v in seconds.items()},
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        write_report(report, out_dir, primary_model=FINETUNED)
        return report
