"""Search quality on a labelled query set: nDCG@k and Recall@k.

The query set is YAML (``tests/data/giftshop_queries.yaml``)::

    shop: giftshop
    queries:
      - query: cake stand for afternoon tea
        kind: natural
        relevant: ["21843", "22055", ...]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import yaml
from pydantic import BaseModel, ConfigDict, Field

from retrieval.errors import RetrievalError
from retrieval.types import SearchMode

if TYPE_CHECKING:
    from retrieval.store import ProductStore


class LabelledQuery(BaseModel):
    """One query with the ids judged relevant to it."""

    model_config = ConfigDict(frozen=True)

    query: str
    kind: str = "natural"
    judged_by: str = ""
    relevant: list[str] = Field(min_length=1)


class QuerySet(BaseModel):
    """A shop's labelled queries."""

    model_config = ConfigDict(frozen=True)

    shop: str
    queries: list[LabelledQuery] = Field(min_length=1)

    @classmethod
    def load(cls, path: str | Path) -> QuerySet:
        """Read a query set YAML file.

        Raises:
            RetrievalError: if the file is missing or not a valid query set.
        """
        path = Path(path)
        try:
            return cls.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
        except (OSError, yaml.YAMLError, ValueError) as exc:
            raise RetrievalError(f"cannot load the query set {path}: {exc}") from exc


class QualityReport(BaseModel):
    """Mean metrics of one search configuration over a query set."""

    model_config = ConfigDict(frozen=True)

    label: str
    k: int
    ndcg: float
    recall: float
    mrr: float
    per_query_ndcg: dict[str, float]


def ndcg_at_k(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    """Binary-relevance nDCG@k (1.0 when the first ``min(k, |relevant|)`` hits are all relevant)."""
    dcg = sum(1.0 / math.log2(rank + 2) for rank, i in enumerate(ranked[:k]) if i in relevant)
    ideal = sum(1.0 / math.log2(rank + 2) for rank in range(min(k, len(relevant))))
    return dcg / ideal if ideal else 0.0


def recall_at_k(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    """Share of the relevant ids found in the top ``k``, out of at most ``k`` findable."""
    if not relevant:
        return 0.0
    return len(set(ranked[:k]) & relevant) / min(k, len(relevant))


def reciprocal_rank(ranked: Sequence[str], relevant: set[str]) -> float:
    return next((1.0 / (rank + 1) for rank, i in enumerate(ranked) if i in relevant), 0.0)


def evaluate(store: ProductStore, queries: QuerySet, mode: SearchMode, k: int = 10, label: str = "") -> QualityReport:
    """Run every query through ``store.search`` and average the metrics.

    Recall@k is capped by ``k`` (a query with 40 relevant products scores 1.0
    when all 10 hits are relevant), so it measures precision of the page shown.
    """
    ndcgs: dict[str, float] = {}
    recalls: list[float] = []
    rrs: list[float] = []
    for item in queries.queries:
        ranked = [hit.product.id for hit in store.search(item.query, k=k, mode=mode)]
        relevant = set(item.relevant)
        ndcgs[item.query] = ndcg_at_k(ranked, relevant, k)
        recalls.append(recall_at_k(ranked, relevant, k))
        rrs.append(reciprocal_rank(ranked, relevant))
    n = len(queries.queries)
    return QualityReport(
        label=label or mode,
        k=k,
        ndcg=sum(ndcgs.values()) / n,
        recall=sum(recalls) / n,
        mrr=sum(rrs) / n,
        per_query_ndcg=ndcgs,
    )
