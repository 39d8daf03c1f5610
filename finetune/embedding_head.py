"""A fast intent model: logistic regression on frozen sentence embeddings.

It trains in seconds (one encoding pass over the training and validation texts, then a
scikit-learn ``LogisticRegression`` fit), so a fresh install can answer shoppers at once while
the fine-tuned transformer (:mod:`finetune.train`) trains in the background.

The encoder is the one the product search uses (:class:`retrieval.embeddings.Embedder`, through
the :class:`~finetune.protocols.TextEncoder` protocol), so serving loads one model for both.
Prediction is a matrix product and a softmax in numpy. The decision rule and the threshold
tuning are those of the fine-tuned model (:mod:`finetune.threshold`): the top class when its
probability reaches the threshold tuned on validation, else ``out_of_scope``.

Texts are opaque: the head learns whatever labels and text shapes the dataset holds.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import numpy as np
from pydantic import BaseModel, ConfigDict

from finetune.classifier import MAX_INPUT_CHARS, IntentPrediction, predict_texts
from finetune.errors import NotFittedError, TrainingError
from finetune.labels import OUT_OF_SCOPE
from finetune.metrics import IntentScores, score_predictions
from finetune.protocols import TextEncoder
from finetune.threshold import THRESHOLD_OBJECTIVE, decide, tune_threshold
from finetune.types import LabeledText

HEAD_FILE: Final = "head.npz"
HEAD_METADATA_FILE: Final = "head.json"


class EmbeddingHeadMetadata(BaseModel):
    """What is saved next to a trained head (``head.json``).

    Attributes:
        labels: Class order of the weights' rows.
        encoder_id: The encoder's ``model_id``; a head is only valid with the same encoder.
        threshold: Tuned on validation (see :data:`finetune.threshold.THRESHOLD_OBJECTIVE`).
        threshold_objective: How ``threshold`` was chosen.
        data_hash: The dataset's ``data_hash``.
        c: Inverse regularisation strength of the fit.
        metrics: Validation and test figures measured right after training.
        train_seconds: Encoding plus fitting, wall time.
        created_at: ISO-8601 UTC timestamp.
    """

    model_config = ConfigDict(frozen=True)

    labels: list[str]
    encoder_id: str
    threshold: float
    threshold_objective: str
    data_hash: str
    c: float
    metrics: dict[str, float]
    train_seconds: float
    created_at: str


class EmbeddingHeadClassifier:
    """Logistic regression over frozen, L2-normalised sentence embeddings.

    Args:
        encoder: Encodes texts (e.g. ``retrieval.embeddings.Embedder``); it is never trained.
        c: Inverse regularisation strength (embeddings are unit-length, so a weak penalty fits best).
        max_iter: Solver iterations.
        batch_size: Encoding batch size.
        seed: Solver random state.

    Example:
        >>> head = EmbeddingHeadClassifier(embedder).fit(dataset.train, dataset.validation)  # doctest: +SKIP
        >>> head.predict("where is my parcel?").label  # doctest: +SKIP
        'track_order'
    """

    def __init__(
        self, encoder: TextEncoder, c: float = 20.0, max_iter: int = 2000, batch_size: int = 64, seed: int = 13
    ) -> None:
        self.encoder = encoder
        self.c = c
        self.max_iter = max_iter
        self.batch_size = batch_size
        self.seed = seed
        self.coef_: np.ndarray[Any, np.dtype[np.float32]] | None = None
        self.intercept_: np.ndarray[Any, np.dtype[np.float32]] | None = None
        self.labels_: list[str] = []
        self.threshold_: float = 0.0
        self.train_seconds_: float = 0.0
        self.validation_metrics_: dict[str, float] = {}
        self.metadata_: EmbeddingHeadMetadata | None = None

    # ------------------------------------------------------------------ the IntentModel surface
    @property
    def labels(self) -> list[str]:
        """Class names in output order (after :meth:`fit` or :meth:`load`)."""
        self._require_fitted()
        return self.labels_

    @property
    def threshold(self) -> float:
        """The confidence threshold tuned on validation."""
        self._require_fitted()
        return self.threshold_

    def predict(self, text: str) -> IntentPrediction:
        """Intent of one string (decision rule as :class:`finetune.classifier.IntentClassifier`)."""
        return self.predict_batch([text])[0]

    def predict_batch(self, texts: Sequence[str]) -> list[IntentPrediction]:
        """Intents of several strings, in order; empty ones need no encoding."""
        if isinstance(texts, str):
            raise TypeError("predict_batch expects a list of strings; for one utterance call predict(text)")
        self._require_fitted()
        return predict_texts(texts, self.predict_proba, self.labels_, self.threshold_)

    # ------------------------------------------------------------------ training
    def fit(self, train: Sequence[LabeledText], validation: Sequence[LabeledText]) -> EmbeddingHeadClassifier:
        """Fit the head on ``train`` and tune the threshold on ``validation``; returns ``self``.

        Args:
            train: ``(text, label)`` pairs; every label to be predicted must occur here.
            validation: ``(text, label)`` pairs for the threshold (labels may include ones absent from
                ``train``, e.g. a pure ``out_of_scope`` set; they simply cannot be predicted).

        Raises:
            TrainingError: With fewer than two labels in ``train`` or no validation examples.
        """
        from sklearn.linear_model import LogisticRegression

        labels = sorted({label for _, label in train})
        if len(labels) < 2:
            raise TrainingError(f"the embedding head needs training examples of at least 2 labels; got {labels}")
        if not validation:
            raise TrainingError("the embedding head needs validation examples to tune its threshold; got none")
        started = time.perf_counter()
        x = self._encode([t for t, _ in train])
        model = LogisticRegression(C=self.c, max_iter=self.max_iter, random_state=self.seed)
        model.fit(x, [label for _, label in train])
        order = [list(model.classes_).index(label) for label in labels]
        self.labels_ = labels
        self.coef_ = np.asarray(model.coef_[order], dtype=np.float32)
        self.intercept_ = np.asarray(model.intercept_[order], dtype=np.float32)
        texts, gold = [t for t, _ in validation], [label for _, label in validation]
        probs = self.predict_proba(texts)
        self.threshold_ = tune_threshold(probs, gold, self.labels_, OUT_OF_SCOPE)
        self.validation_metrics_ = _figures(
            score_predictions(texts, gold, decide(probs, self.labels_, self.threshold_, OUT_OF_SCOPE)), "validation"
        )
        self.train_seconds_ = time.perf_counter() - started
        return self

    def score(self, examples: Sequence[LabeledText], prefix: str) -> dict[str, float]:
        """Accuracy, macro-F1 and out-of-scope recall on ``examples`` with the tuned threshold.

        Args:
            examples: ``(text, label)`` pairs.
            prefix: Key prefix, e.g. ``"test"`` gives ``test_accuracy``.
        """
        texts, gold = [t for t, _ in examples], [label for _, label in examples]
        decided = decide(self.predict_proba(texts), self.labels, self.threshold, OUT_OF_SCOPE)
        return _figures(score_predictions(texts, gold, decided), prefix)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray[Any, np.dtype[np.float32]]:
        """Class probabilities, one row per text (columns follow :attr:`labels`)."""
        coef, intercept = self._fitted_weights()
        if not texts:
            return np.zeros((0, len(self.labels_)), dtype=np.float32)
        logits = self._encode([t[:MAX_INPUT_CHARS] for t in texts]) @ coef.T + intercept
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return np.asarray(exp / exp.sum(axis=1, keepdims=True), dtype=np.float32)

    # ------------------------------------------------------------------ saving and loading
    def save(self, out_dir: Path, data_hash: str) -> EmbeddingHeadMetadata:
        """Write the head to ``out_dir`` atomically (a temporary sibling renamed into place).

        Args:
            out_dir: Target directory (replaced if it exists).
            data_hash: The training dataset's ``data_hash``.

        Returns:
            The metadata written to ``head.json``.
        """
        if self.coef_ is None or self.intercept_ is None:
            raise NotFittedError(f"{type(self).__name__} is not fitted yet; call fit(train, validation) first")
        metadata = EmbeddingHeadMetadata(
            labels=self.labels_,
            encoder_id=self.encoder.model_id,
            threshold=self.threshold_,
            threshold_objective=THRESHOLD_OBJECTIVE,
            data_hash=data_hash,
            c=self.c,
            metrics=self.validation_metrics_,
            train_seconds=round(self.train_seconds_, 2),
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        out_dir = Path(out_dir)
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
        try:
            np.savez(work / HEAD_FILE, coef=self.coef_, intercept=self.intercept_)
            (work / HEAD_METADATA_FILE).write_text(metadata.model_dump_json(indent=2), encoding="utf-8")
            old = out_dir.with_name(f".{out_dir.name}.old-{time.monotonic_ns()}")
            if out_dir.exists():
                out_dir.rename(old)
            work.rename(out_dir)
            shutil.rmtree(old, ignore_errors=True)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        self.metadata_ = metadata
        return metadata

    @classmethod
    def load(cls, path: Path, encoder: TextEncoder) -> EmbeddingHeadClassifier:
        """Load a head saved by :meth:`save`, to run on ``encoder``.

        Raises:
            NotFittedError: If ``path`` holds no head, or one trained on another encoder (retrain it).
        """
        meta_path = Path(path) / HEAD_METADATA_FILE
        if not meta_path.is_file() or not (Path(path) / HEAD_FILE).is_file():
            raise NotFittedError(f"no embedding head at {path}; train one with EmbeddingHeadClassifier.fit()")
        metadata = EmbeddingHeadMetadata.model_validate(json.loads(meta_path.read_text(encoding="utf-8")))
        if metadata.encoder_id != encoder.model_id:
            raise NotFittedError(
                f"the embedding head at {path} was trained on encoder {metadata.encoder_id!r}, not "
                f"{encoder.model_id!r}; delete {path} to retrain it on the current encoder"
            )
        with np.load(Path(path) / HEAD_FILE) as arrays:
            coef, intercept = arrays["coef"], arrays["intercept"]
        head = cls(encoder, c=metadata.c)
        head.coef_ = np.asarray(coef, dtype=np.float32)
        head.intercept_ = np.asarray(intercept, dtype=np.float32)
        head.labels_ = list(metadata.labels)
        head.threshold_ = metadata.threshold
        head.metadata_ = metadata
        return head

    # ------------------------------------------------------------------ internals
    def _require_fitted(self) -> None:
        self._fitted_weights()

    def _fitted_weights(self) -> tuple[np.ndarray[Any, np.dtype[np.float32]], np.ndarray[Any, np.dtype[np.float32]]]:
        """``(coef_, intercept_)``, or NotFittedError before :meth:`fit` (or :meth:`load`)."""
        if self.coef_ is None or self.intercept_ is None:
            raise NotFittedError(f"{type(self).__name__} is not fitted yet; call fit(train, validation) first")
        return self.coef_, self.intercept_

    def _encode(self, texts: list[str]) -> np.ndarray[Any, np.dtype[np.float32]]:
        return np.asarray(self.encoder.encode(texts, batch_size=self.batch_size), dtype=np.float32)



def _figures(scores: IntentScores, prefix: str) -> dict[str, float]:
    figures = {f"{prefix}_accuracy": round(scores.accuracy, 4), f"{prefix}_macro_f1": round(scores.macro_f1, 4)}
    if scores.oos_recall == scores.oos_recall:  # not nan
        figures[f"{prefix}_oos_recall"] = round(scores.oos_recall, 4)
    return figures
