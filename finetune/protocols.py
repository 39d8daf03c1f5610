"""The interface every intent model serves through.

Serving (``composition.py``) only needs this surface, so the fine-tuned transformer
(:class:`finetune.classifier.IntentClassifier`), the fast head on frozen sentence embeddings
(:class:`finetune.embedding_head.EmbeddingHeadClassifier`) and the swapping wrapper that serves
one and then the other (:class:`finetune.serving.SwappingIntentModel`) are interchangeable.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    import numpy as np

    from finetune.classifier import IntentPrediction


@runtime_checkable
class IntentModel(Protocol):
    """Classifies one string into one of :attr:`labels` (or ``out_of_scope`` when unsure).

    The string is whatever serving passes (a message, or context and message joined); an
    implementation treats it as opaque text and knows no label by name.
    """

    @property
    def labels(self) -> list[str]:
        """Class names in output order."""
        ...

    @property
    def threshold(self) -> float:
        """Minimum top probability for a confident answer."""
        ...

    def predict(self, text: str) -> IntentPrediction:
        """Intent of one string."""
        ...

    def predict_batch(self, texts: Sequence[str]) -> list[IntentPrediction]:
        """Intents of several strings, in order."""
        ...


@runtime_checkable
class TextEncoder(Protocol):
    """Turns texts into L2-normalised vectors, e.g. :class:`retrieval.embeddings.Embedder`.

    The embedding head classifies with the same encoder the product search uses, so one loaded
    model serves both.
    """

    @property
    def model_id(self) -> str:
        """A short, machine-independent name of the model (recorded with what was trained on it)."""
        ...

    def encode(self, texts: list[str], batch_size: int = 64, show_progress: bool = False) -> np.ndarray[Any, Any]:
        """``(len(texts), dim)`` float32 rows of unit length."""
        ...
