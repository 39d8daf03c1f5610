"""Personalised reranking of search candidates by a shopper's history.

``score(P) = base(U, P) + λ · cos(P, H) + w · copurchase(P, H)`` where ``base`` is
the search score of product ``P`` for query ``U``, ``H`` the history profile
vector and ``copurchase`` the history-weighted co-purchase affinity between
``P`` and the history items. Without history the plain ranking comes back
unchanged. λ and ``w`` come from settings or are tuned by :meth:`HistoryReranker.fit`
on a validation split.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from pydantic import BaseModel, ConfigDict

from cartwise.models import Product
from retrieval.history import HistoryProfile

if TYPE_CHECKING:
    from cartwise.settings import Settings
    from retrieval.copurchase import CopurchaseStats

logger = logging.getLogger(__name__)

DEFAULT_LAMBDA_GRID = (0.0, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0)
DEFAULT_WEIGHT_GRID = (0.0, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0)


@dataclass(frozen=True)
class RerankCandidate:
    """A search hit to rerank: the product, its search score and its embedding."""

    product: Product
    dense_score: float
    vector: np.ndarray


CandidateLike = RerankCandidate | tuple[Product, float, np.ndarray]


class RankedProduct(BaseModel):
    """A reranked product with the parts of its score and why it moved.

    Attributes:
        product: the product.
        score: final score (``base_score + λ·history_score + w·copurchase_score``).
        base_score: the search score it came with.
        history_score: cosine similarity to the history profile.
        copurchase_score: co-purchase affinity with the history items.
        base_rank: 1-based position before reranking.
        rank: 1-based position after reranking.
        reason: why it moved, in words built from the data; None when it did not move for a history reason.
    """

    model_config = ConfigDict(frozen=True)

    product: Product
    score: float
    base_score: float
    history_score: float = 0.0
    copurchase_score: float = 0.0
    base_rank: int
    rank: int
    reason: str | None = None

    @property
    def moved(self) -> int:
        """Places gained (positive) or lost (negative) by reranking."""
        return self.base_rank - self.rank


@dataclass(frozen=True)
class RerankExample:
    """One validation case for :meth:`HistoryReranker.fit`: candidates, the shopper's profile and what they bought."""

    candidates: Sequence[CandidateLike]
    profile: HistoryProfile
    target_id: str


class HistoryReranker:
    """Reranks search candidates with the shopper's history.

    Args:
        lam: weight λ of ``cos(P, H)`` (used until :meth:`fit` sets ``lambda_``).
        copurchase_weight: weight of the co-purchase affinity (until :meth:`fit` sets ``copurchase_weight_``).
        copurchase: co-purchase statistics; without them the co-purchase term is 0.
        lambda_grid: λ values tried by :meth:`fit`.
        weight_grid: co-purchase weights tried by :meth:`fit`.
        k: cut-off of the metric :meth:`fit` maximises (MRR@k).
        similar_reason_min: least cosine of a product to one in the history for its reason to call it similar.

    Example:
        >>> ranked = HistoryReranker(lam=1.0).rerank(qvec, candidates, profile)  # doctest: +SKIP
        >>> ranked[0].reason  # doctest: +SKIP
        'you bought 6 Red Retrospot items'
    """

    def __init__(
        self,
        lam: float = 1.5,
        copurchase_weight: float = 8.0,
        copurchase: CopurchaseStats | None = None,
        lambda_grid: Sequence[float] = DEFAULT_LAMBDA_GRID,
        weight_grid: Sequence[float] = DEFAULT_WEIGHT_GRID,
        k: int = 10,
        similar_reason_min: float = 0.5,
    ) -> None:
        self.lam = lam
        self.similar_reason_min = similar_reason_min
        self.copurchase_weight = copurchase_weight
        self.copurchase = copurchase
        self.lambda_grid = lambda_grid
        self.weight_grid = weight_grid
        self.k = k

    @classmethod
    def from_settings(cls, settings: Settings, copurchase: CopurchaseStats | None = None) -> HistoryReranker:
        return cls(
            lam=settings.rerank_lambda, copurchase_weight=settings.rerank_copurchase_weight, copurchase=copurchase,
            similar_reason_min=settings.similar_reason_min,
        )

    @property
    def effective_lambda(self) -> float:
        return float(getattr(self, "lambda_", self.lam))

    @property
    def effective_copurchase_weight(self) -> float:
        return float(getattr(self, "copurchase_weight_", self.copurchase_weight))

    # ------------------------------------------------------------------ fitting
    def fit(self, examples: Sequence[RerankExample]) -> HistoryReranker:
        """Grid-search λ and the co-purchase weight for the best MRR@k on ``examples``.

        Sets ``lambda_``, ``copurchase_weight_`` and ``grid_scores_`` (``{(λ, w): MRR}``).

        Raises:
            ValueError: if no example has its target among its candidates.
        """
        parts = [self._parts(ex.candidates, ex.profile) for ex in examples]
        usable = [
            (base, hist, co, [c.product.id for c in cands].index(ex.target_id))
            for ex, (cands, base, hist, co) in zip(examples, parts, strict=True)
            if ex.target_id in {c.product.id for c in cands}
        ]
        if not usable:
            raise ValueError(
                f"none of the {len(examples)} examples has its target among its candidates; "
                "retrieve more candidates per query"
            )
        scores: dict[tuple[float, float], float] = {}
        weights = self.weight_grid if self.copurchase is not None else (0.0,)
        for lam, w in itertools.product(self.lambda_grid, weights):
            rr = 0.0
            for base, hist, co, target in usable:
                total = base + lam * hist + w * co
                rank = int((total > total[target]).sum()) + 1
                rr += 1.0 / rank if rank <= self.k else 0.0
            scores[(float(lam), float(w))] = rr / len(examples)
        # Prefer the smallest weights among equally good settings: the least personalisation that helps.
        best = max(scores, key=lambda key: (round(scores[key], 6), -key[0], -key[1]))
        self.lambda_, self.copurchase_weight_ = best
        self.grid_scores_ = scores
        logger.info(
            "rerank fit on %d examples: lambda=%.2f copurchase_weight=%.2f MRR@%d=%.4f",
            len(usable),
            best[0],
            best[1],
            self.k,
            scores[best],
        )
        return self

    # ------------------------------------------------------------------ ranking
    def rerank(
        self,
        query_vec: np.ndarray | None,
        candidates: Sequence[CandidateLike],
        profile: HistoryProfile | None,
        explain: bool = True,
    ) -> list[RankedProduct]:
        """Rerank ``candidates`` (given best first) for the shopper ``profile``.

        Args:
            query_vec: the query embedding; used as the base score (cosine) only for candidates whose
                ``dense_score`` is NaN.
            candidates: ``RerankCandidate`` or ``(product, score, vector)`` tuples, best first.
            profile: the shopper's history; None or empty gives the plain ranking.
            explain: write a reason for each product (off for bulk evaluation).

        Returns:
            Ranked products, best first.
        """
        cands, base, hist, co = self._parts(candidates, profile, query_vec)
        if profile is None or profile.is_empty or not cands:
            return [
                RankedProduct(product=c.product, score=float(b), base_score=float(b), base_rank=i + 1, rank=i + 1)
                for i, (c, b) in enumerate(zip(cands, base, strict=True))
            ]
        lam, w = self.effective_lambda, self.effective_copurchase_weight
        total = base + lam * hist + w * co
        order = sorted(range(len(cands)), key=lambda i: (-total[i], i))
        explainer = _Explainer(profile, self.copurchase, self.similar_reason_min) if explain else None
        mean_hist = float(hist.mean())
        out: list[RankedProduct] = []
        for rank, i in enumerate(order, start=1):
            moved = (i + 1) - rank
            reason = explainer.reason(cands[i], moved, lam * (hist[i] - mean_hist), w * co[i]) if explainer else None
            out.append(
                RankedProduct(
                    product=cands[i].product,
                    score=float(total[i]),
                    base_score=float(base[i]),
                    history_score=float(hist[i]),
                    copurchase_score=float(co[i]),
                    base_rank=i + 1,
                    rank=rank,
                    reason=reason,
                )
            )
        return out

    def _parts(
        self, candidates: Sequence[CandidateLike], profile: HistoryProfile | None, query_vec: np.ndarray | None = None
    ) -> tuple[list[RerankCandidate], np.ndarray, np.ndarray, np.ndarray]:
        cands = [c if isinstance(c, RerankCandidate) else RerankCandidate(*c) for c in candidates]
        base = np.array([c.dense_score for c in cands], dtype=np.float64)
        if query_vec is not None and np.isnan(base).any():
            q = np.asarray(query_vec, dtype=np.float64)
            for i, c in enumerate(cands):
                if np.isnan(base[i]):
                    base[i] = float(np.asarray(c.vector, dtype=np.float64) @ q)
        zeros = np.zeros(len(cands))
        if profile is None or profile.is_empty or not cands or profile.vector is None:
            return cands, base, zeros, zeros
        vecs = np.stack([np.asarray(c.vector, dtype=np.float64) for c in cands])
        norms = np.linalg.norm(vecs, axis=1)
        hist = vecs @ profile.vector.astype(np.float64) / np.where(norms > 0, norms, 1.0)
        co = zeros
        if self.copurchase is not None:
            co = copurchase_affinity(profile, self.copurchase, [c.product.id for c in cands])
        return cands, base, hist, co


def copurchase_affinity(profile: HistoryProfile, stats: CopurchaseStats, product_ids: Sequence[str]) -> np.ndarray:
    """Co-purchase affinity of each of ``product_ids`` with the history (history-weighted, see
    :meth:`CopurchaseStats.affinity`).

    A history item counts as perfectly co-purchased with itself (affinity 1), as in item-based
    collaborative filtering, so products the shopper buys again rank up too.
    """
    weights = profile.weights()
    dense = stats.affinity(weights)
    out = np.zeros(len(product_ids))
    for n, pid in enumerate(product_ids):
        i = stats.position.get(pid)
        out[n] = (dense[i] if i is not None else 0.0) + weights.get(pid, 0.0)
    return out


class _Explainer:
    """Turns score parts into one true sentence about the shopper's history."""

    def __init__(self, profile: HistoryProfile, stats: CopurchaseStats | None, similar_min: float = 0.5) -> None:
        self.profile = profile
        self.stats = stats
        self.similar_min = similar_min
        self.weights = profile.weights()
        self.titles = {i.product_id: i.title for i in profile.items}

    def reason(self, cand: RerankCandidate, moved: int, hist_gain: float, co_gain: float) -> str | None:
        if moved < 0:
            return "other products match your history more closely"
        item = self.profile.item(cand.product.id)
        if moved == 0 and item is None:
            return None
        if item is not None:
            if item.source == "session":
                return "you looked at this earlier in this conversation"
            when = f", last on {item.last_at:%d %b %Y}" if item.last_at else ""
            times = "once" if item.orders == 1 else f"in {item.orders} orders"
            return f"you bought this before ({times}{when})"
        partner = self._strongest_partner(cand.product.id) if co_gain > max(hist_gain, 0.0) else None
        if partner is not None and self.stats is not None:
            pair = self.stats.pair(cand.product.id, partner)
            together = f" (together in {pair.orders} orders)" if pair else ""
            seen = self.profile.item(partner)
            title = self.titles.get(partner, partner)
            if seen is not None and seen.source == "session":
                return f"often bought with the {title} you looked at{together}"
            return f"often bought with your {title}{together}"
        fact = self.profile.fact_for(cand.product)
        if fact is not None and fact.count >= 2:
            return fact.sentence()
        return self._most_similar(cand)

    def _strongest_partner(self, product_id: str) -> str | None:
        if self.stats is None:
            return None
        stats = self.stats
        scored = [(w * stats.normalised(h, product_id), h) for h, w in self.weights.items() if h != product_id]
        best = max(scored, default=(0.0, ""))
        return best[1] if best[0] > 0 else None

    def _most_similar(self, cand: RerankCandidate) -> str | None:
        vecs = self.profile.item_vectors
        if vecs is None or not len(vecs):
            return None
        sims = vecs @ np.asarray(cand.vector, dtype=np.float32)
        best = int(np.argmax(sims))
        if sims[best] < self.similar_min:
            # Moved up by the history as a whole, like nothing in it: "similar to the Dell XPS Tower you looked
            # at" was said of a TV.
            return None
        item = self.profile.items[best]
        if item.source == "session":
            return f"similar to the {item.title} you looked at"
        return f"similar to your {item.title}"
