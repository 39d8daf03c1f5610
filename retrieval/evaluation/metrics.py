"""Ranking metrics shared by the recommendation evaluations."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def rank_of(target: str, ranked: Sequence[str]) -> int | None:
    """1-based position of ``target`` in ``ranked``, or None when absent."""
    try:
        return list(ranked).index(target) + 1
    except ValueError:
        return None


def recall_at(targets: set[str], ranked: Sequence[str], k: int) -> float:
    """Share of ``targets`` found in the first ``k`` of ``ranked``."""
    return len(targets & set(ranked[:k])) / len(targets) if targets else 0.0


def precision_at(targets: set[str], ranked: Sequence[str], k: int) -> float:
    """Hits in the first ``k`` of ``ranked`` divided by ``k`` (short lists are not rewarded)."""
    return len(targets & set(ranked[:k])) / k


def hit_at(targets: set[str], ranked: Sequence[str], k: int) -> float:
    """1.0 when any of ``targets`` is in the first ``k`` of ``ranked``, else 0.0."""
    return 1.0 if targets & set(ranked[:k]) else 0.0


def diversity(vectors: np.ndarray) -> float | None:
    """``1 - mean pairwise cosine`` of unit-length rows; None for fewer than two rows."""
    n = len(vectors)
    if n < 2:
        return None
    sims = vectors @ vectors.T
    mean = (sims.sum() - np.trace(sims)) / (n * (n - 1))
    return float(1.0 - mean)


def mean(values: Sequence[float]) -> float:
    return float(np.mean(values)) if len(values) else 0.0
