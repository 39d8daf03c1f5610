"""Baselines the fine-tuned model is measured against (in the same run).

* :class:`TfidfBaseline`: word and character n-gram TF-IDF + logistic regression.
* :class:`CentroidBaseline`: nearest label centroid of frozen MiniLM sentence embeddings.

Both follow the fit/predict convention: ``fit`` returns ``self``; ``predict`` before ``fit``
raises :class:`~finetune.errors.NotFittedError`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from finetune.errors import NotFittedError
from finetune.types import LabeledText

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer


def _require_fitted(model: object, attribute: str) -> None:
    if getattr(model, attribute, None) is None:
        raise NotFittedError(f"{type(model).__name__} is not fitted yet; call fit(examples) first")


class TfidfBaseline:
    """TF-IDF (word 1-2 grams + char 2-5 grams) and multinomial logistic regression.

    Args:
        c: Inverse regularisation strength of the logistic regression.
        seed: Random state (used by the solver).
    """

    def __init__(self, c: float = 10.0, seed: int = 13) -> None:
        self.c = c
        self.seed = seed
        self.pipeline_: Any = None

    def fit(self, examples: Sequence[LabeledText]) -> TfidfBaseline:
        """Train on ``(text, label)`` pairs and return ``self``."""
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline, make_union

        features = make_union(
            TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2),
        )
        self.pipeline_ = make_pipeline(features, LogisticRegression(C=self.c, max_iter=2000, random_state=self.seed))
        self.pipeline_.fit([t for t, _ in examples], [label for _, label in examples])
        return self

    def predict(self, texts: Sequence[str]) -> list[str]:
        """Most likely label per text."""
        _require_fitted(self, "pipeline_")
        return [str(label) for label in self.pipeline_.predict(list(texts))]


class CentroidBaseline:
    """Nearest centroid (cosine) over frozen sentence-transformers embeddings.

    Args:
        encoder: A loaded ``SentenceTransformer`` (e.g. the packaged MiniLM).
        batch_size: Encoding batch size.
    """

    def __init__(self, encoder: SentenceTransformer, batch_size: int = 64) -> None:
        self.encoder = encoder
        self.batch_size = batch_size
        self.centroids_: np.ndarray[Any, np.dtype[np.float32]] | None = None
        self.labels_: list[str] = []

    @classmethod
    def from_path(cls, model_path: str) -> CentroidBaseline:
        """Load the sentence-transformers model at ``model_path`` on the CPU."""
        from sentence_transformers import SentenceTransformer

        return cls(SentenceTransformer(model_path, device="cpu"))

    def encode(self, texts: Sequence[str]) -> np.ndarray[Any, np.dtype[np.float32]]:
        """L2-normalised embeddings, one row per text."""
        vectors = self.encoder.encode(
            list(texts), batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False
        )
        return np.asarray(vectors, dtype=np.float32)

    def fit(self, examples: Sequence[LabeledText]) -> CentroidBaseline:
        """Average the embeddings of each label's examples and return ``self``."""
        vectors = self.encode([t for t, _ in examples])
        labels = [label for _, label in examples]
        self.labels_ = sorted(set(labels))
        index = {label: i for i, label in enumerate(self.labels_)}
        sums = np.zeros((len(self.labels_), vectors.shape[1]), dtype=np.float32)
        np.add.at(sums, [index[label] for label in labels], vectors)
        self.centroids_ = sums / np.linalg.norm(sums, axis=1, keepdims=True)
        return self

    def predict(self, texts: Sequence[str]) -> list[str]:
        """Label of the most similar centroid per text."""
        if self.centroids_ is None:
            raise NotFittedError(f"{type(self).__name__} is not fitted yet; call fit(examples) first")
        scores = self.encode(texts) @ self.centroids_.T
        return [self.labels_[i] for i in scores.argmax(axis=1)]
