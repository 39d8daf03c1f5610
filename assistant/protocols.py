"""What the assistant needs from the parts plugged into it, stated from its side.

The limiter and lock store each have an in-process and a Redis implementation. The intent model, embedder and
vector store are what understanding and the shopping handlers call; the implementations we ship live in
``finetune`` (the intent models) and ``retrieval`` (the sentence embedder and the Chroma product store), and only
the wiring creates them, so serving never imports training code and a shop can plug in its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    import numpy as np

    from cartwise.models import Product
    from retrieval.types import SearchFilters, SearchHit, SearchMode


@runtime_checkable
class Limiter(Protocol):
    """At most ``per_minute`` events per key in any 60 seconds."""

    per_minute: int

    def allow(self, key: str) -> bool:
        """Record one event for ``key``; False (and nothing recorded) when it is over the limit."""
        ...


@runtime_checkable
class LockStore(Protocol):
    """Per-conversation turn locks: first come, first served; another conversation never waits."""

    def lock(self, key: str) -> AbstractContextManager[None]:
        """Hold the lock of conversation ``key`` for the ``with`` block.

        Raises:
            LockError: when the turns ahead of this one did not finish in time.
        """
        ...


class IntentGuess(Protocol):
    """One intent model answer, as understanding reads it (e.g. ``finetune.classifier.IntentPrediction``)."""

    @property
    def label(self) -> str:
        """The decided intent: the top class, or ``out_of_scope`` when unsure."""
        ...

    @property
    def confidence(self) -> float:
        """Probability of the top class."""
        ...

    @property
    def top3(self) -> Sequence[tuple[str, float]]:
        """The three most likely ``(label, probability)`` pairs, best first."""
        ...

    @property
    def is_confident(self) -> bool:
        """Whether ``confidence`` reached the model's threshold."""
        ...


@runtime_checkable
class IntentModel(Protocol):
    """Classifies the text understanding builds (``finetune.context.model_input``) into an intent.

    Shipped implementations: ``finetune.serving.SwappingIntentModel`` (what the wiring serves), wrapping
    ``finetune.classifier.IntentClassifier`` or ``finetune.embedding_head.EmbeddingHeadClassifier``.
    """

    def predict(self, text: str) -> IntentGuess:
        """The intent of one string."""
        ...

    @property
    def threshold(self) -> float:
        """The top probability at or above which a guess is confident."""
        ...


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into unit-length vectors (``retrieval.embeddings.Embedder``)."""

    def encode(self, texts: list[str]) -> np.ndarray[Any, Any]:
        """``(len(texts), dim)`` float32 rows."""
        ...


class VectorReader(Protocol):
    """Reads stored product vectors (the store itself, or its in-memory exact index)."""

    def embeddings(self, ids: Sequence[str]) -> np.ndarray[Any, Any]:
        """Stored unit-length vectors of ``ids``, one row per id in the order asked."""
        ...


@runtime_checkable
class VectorStore(VectorReader, Protocol):
    """The shop's searchable products (``retrieval.store.ProductStore``), as the shopping handlers use them."""

    @property
    def exact_index(self) -> VectorReader | None:
        """An in-memory copy of the vectors to read from when present (faster than the store of record)."""
        ...

    def search(
        self, query: str, k: int = 10, filters: SearchFilters | None = None, mode: SearchMode = "hybrid"
    ) -> list[SearchHit]:
        """The ``k`` best products for ``query`` that satisfy ``filters``."""
        ...

    def search_by_vector(
        self, vector: np.ndarray[Any, Any], k: int = 10, filters: SearchFilters | None = None
    ) -> list[SearchHit]:
        """The ``k`` products closest to ``vector`` that satisfy ``filters``."""
        ...

    def get(self, ids: Sequence[str]) -> list[Product]:
        """The products with these ids that exist (unknown ids are skipped)."""
        ...


__all__ = ["Embedder", "IntentGuess", "IntentModel", "Limiter", "LockStore", "VectorReader", "VectorStore"]
