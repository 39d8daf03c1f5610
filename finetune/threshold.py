"""Turn class probabilities into decisions, and tune the out-of-scope confidence threshold."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

THRESHOLD_GRID = tuple(round(0.05 * i, 2) for i in range(20))
"""Candidate thresholds 0.00, 0.05, ..., 0.95."""

THRESHOLD_OBJECTIVE = "max macro-F1 on validation (below threshold -> out_of_scope); ties -> higher threshold"


def decide(
    probs: np.ndarray[Any, np.dtype[np.floating[Any]]], labels: Sequence[str], threshold: float, oos_label: str
) -> list[str]:
    """Argmax label per row, replaced by ``oos_label`` when its probability is below ``threshold``.

    Args:
        probs: ``(n, len(labels))`` probabilities.
        labels: Class names in column order.
        threshold: Minimum top probability for a confident answer.
        oos_label: The fallback label.

    Returns:
        One decided label per row.
    """
    best = probs.argmax(axis=1)
    top = probs.max(axis=1)
    return [labels[i] if p >= threshold else oos_label for i, p in zip(best, top, strict=True)]


def in_scope_accuracy_and_oos_recall(
    gold: Sequence[str], predicted: Sequence[str], oos_label: str
) -> tuple[float, float]:
    """The two CLINC150 headline figures.

    Args:
        gold: True labels.
        predicted: Decided labels.
        oos_label: The out-of-scope label.

    Returns:
        ``(accuracy over in-scope examples, recall of the out-of-scope class)``; a figure is
        ``nan`` when its subset is empty.
    """
    pairs = list(zip(gold, predicted, strict=True))
    in_scope = [g == p for g, p in pairs if g != oos_label]
    oos = [p == oos_label for g, p in pairs if g == oos_label]
    return (
        float(np.mean(in_scope)) if in_scope else float("nan"),
        float(np.mean(oos)) if oos else float("nan"),
    )


def tune_threshold(
    probs: np.ndarray[Any, np.dtype[np.floating[Any]]],
    gold: Sequence[str],
    labels: Sequence[str],
    oos_label: str,
    grid: Sequence[float] = THRESHOLD_GRID,
) -> float:
    """Pick the threshold with the best macro-F1 on ``gold`` when unsure answers become ``oos_label``.

    Macro-F1 weighs ``out_of_scope`` like any other intent: a higher threshold raises its
    recall but costs recall on every in-scope intent. (CLINC150's mean of in-scope accuracy
    and OOS recall would weigh one class as much as the other 35 together.)

    Args:
        probs: Validation probabilities.
        gold: Validation labels.
        labels: Class names in column order.
        oos_label: The out-of-scope label.
        grid: Candidate thresholds.

    Returns:
        The best threshold (the highest among equally good ones, to favour caution).
    """
    from sklearn.metrics import f1_score

    present = sorted(set(gold))
    best_threshold, best_score = 0.0, -1.0
    for threshold in grid:
        predicted = decide(probs, labels, threshold, oos_label)
        score = float(f1_score(gold, predicted, labels=present, average="macro", zero_division=0))
        if score >= best_score - 1e-9:
            best_threshold, best_score = threshold, max(score, best_score)
    return float(best_threshold)
