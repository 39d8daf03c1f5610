"""Combining dense and lexical scores into one hybrid ranking."""

from __future__ import annotations

import numpy as np

RRF_K = 60  # the usual reciprocal-rank-fusion constant


def pin(scores: dict[str, float], pinned: list[str]) -> dict[str, float]:
    """Scores with the ``pinned`` ids moved above every other, in the order given (a stock code in the query)."""
    if not pinned:
        return scores
    top = max(scores.values(), default=0.0)
    pinned_scores = {i: top + len(pinned) - n for n, i in enumerate(pinned)}
    return {**scores, **pinned_scores}


def fuse_convex(ids: list[str], dense: dict[str, float], lexical: dict[str, float], alpha: float) -> dict[str, float]:
    """Blend ``alpha * dense + (1 - alpha) * lexical`` after normalising each over the candidates.

    Dense similarities are min-max scaled to [0, 1]; BM25 scores are divided by
    their maximum (0 stays 0: no keyword match earns no lexical credit).
    """
    d = np.array([dense[i] for i in ids], dtype=np.float64)
    lx = np.array([lexical.get(i, 0.0) for i in ids], dtype=np.float64)
    if d.size == 0:
        return {}
    span = float(d.max() - d.min())
    d_norm = (d - d.min()) / span if span > 0 else np.ones_like(d)
    l_norm = lx / lx.max() if lx.max() > 0 else np.zeros_like(lx)
    blend = alpha * d_norm + (1.0 - alpha) * l_norm
    return {i: float(v) for i, v in zip(ids, blend, strict=True)}


def fuse_rrf(ids: list[str], dense: dict[str, float], lexical: dict[str, float]) -> dict[str, float]:
    """Reciprocal-rank fusion: ``sum 1 / (60 + rank)`` over the dense and (matching) lexical rankings."""
    fused = dict.fromkeys(ids, 0.0)
    for rank, i in enumerate(sorted(ids, key=lambda i: -dense[i]), start=1):
        fused[i] += 1.0 / (RRF_K + rank)
    matched = [i for i in ids if lexical.get(i, 0.0) > 0]
    for rank, i in enumerate(sorted(matched, key=lambda i: -lexical[i]), start=1):
        fused[i] += 1.0 / (RRF_K + rank)
    return fused
