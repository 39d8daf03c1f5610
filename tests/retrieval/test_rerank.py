"""History profiles and the personalised reranker, with the real MiniLM embeddings."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal

import numpy as np
import pytest

from cartwise.db import PurchaseEvent
from cartwise.models import Product
from retrieval.copurchase import CopurchaseMiner
from retrieval.embeddings import Embedder
from retrieval.history import HistoryBuilder, HistoryProfile
from retrieval.product_vectors import ProductVectors
from retrieval.rerank import HistoryReranker, RerankCandidate, RerankExample

pytestmark = pytest.mark.no_shop  # reads no built shop: runs while a fresh clone builds them

TITLES = {
    "LB1": "Lunch Bag Pink Polkadot",
    "LB2": "Lunch Bag Spaceboy Design",
    "LB3": "Lunch Bag Woodland",
    "LB4": "Lunch Bag Black Skull",
    "LB5": "Lunch Bag Red Retrospot",
    "H1": "Jumbo Bag Red Retrospot",
    "H2": "Red Retrospot Cake Stand",
    "H3": "Pack Of 72 Retrospot Cake Cases",
    "H4": "Red Retrospot Tea Cup And Saucer",
    "W1": "Woodland Charlotte Bag",
}
NOW = datetime(2011, 12, 1)


@pytest.fixture(scope="module")
def vectors(embedder: Embedder) -> ProductVectors:
    products = [Product(id=i, title=t, category="bags", price=Decimal("1.65"), stock=10) for i, t in TITLES.items()]
    return ProductVectors.from_embedder(embedder, products)


def buy(pid: str, days_ago: float, qty: int = 1, order: str = "o") -> PurchaseEvent:
    return PurchaseEvent(pid, qty, NOW - timedelta(days=days_ago), f"{order}-{pid}-{days_ago}")


def candidates(pv: ProductVectors, ids: list[str], scores: list[float]) -> list[RerankCandidate]:
    return [RerankCandidate(p, s, v) for p, s, v in zip(pv.get(ids), scores, pv.embeddings(ids), strict=True)]


def retrospot_fan(pv: ProductVectors) -> HistoryProfile:
    events = [buy("H1", 10, 10), buy("H2", 20), buy("H3", 30, 24), buy("H4", 40, 6)]
    return HistoryBuilder(half_life_days=90).build(pv, events, now=NOW, customer_id="c1")


def test_profile_weights_recency_and_quantity(vectors: ProductVectors) -> None:
    builder = HistoryBuilder(half_life_days=30)
    profile = builder.build(vectors, [buy("H1", 0), buy("H2", 30), buy("H3", 0, qty=20)], now=NOW)
    w = {i.product_id: i.weight for i in profile.items}
    assert w["H2"] == pytest.approx(w["H1"] / 2)  # one half-life older counts half
    assert w["H3"] == pytest.approx(1 + np.log(20))  # quantity is log-scaled, not linear
    assert profile.items[0].product_id == "H3"
    assert profile.vector is not None and np.linalg.norm(profile.vector) == pytest.approx(1.0, abs=1e-5)
    session = builder.build(vectors, session_ids=["W1"])
    assert [i.source for i in session.items] == ["session"] and not session.is_empty
    assert builder.build(vectors, []).is_empty


def test_profile_facts_count_shared_title_words(vectors: ProductVectors) -> None:
    profile = retrospot_fan(vectors)
    fact = profile.fact_for(vectors.get(["LB5"])[0])
    assert fact is not None and fact.sentence() in ("you bought 3 Red Retrospot items", "you bought 4 Retrospot items")
    other = profile.fact_for(vectors.get(["LB2"])[0])
    assert other is None or "Retrospot" not in other.label


def test_viewed_items_are_never_called_purchases(vectors: ProductVectors) -> None:
    """A guest who only looked at Retrospot bags gets no "you bought ..." fact or reason."""
    viewed = HistoryBuilder().build(vectors, session_ids=["LB5", "W1", "H1"])
    assert viewed.items and not viewed.facts
    ids = ["LB1", "LB2", "LB3", "LB4", "LB5"]
    ranked = HistoryReranker(lam=1.0, copurchase_weight=0.0).rerank(
        None, candidates(vectors, ids, [0.60, 0.59, 0.58, 0.57, 0.56]), viewed
    )
    reasons = [r.reason for r in ranked if r.reason]
    # "your history" is fair for a session's views; "your <product>" would claim ownership.
    assert reasons and not any("bought" in r or re.search(r"\byour (?!history)", r) for r in reasons), reasons
    assert any("looked at" in r for r in reasons)


def test_rerank_moves_the_product_history_favours(vectors: ProductVectors) -> None:
    ids = ["LB1", "LB2", "LB3", "LB4", "LB5"]  # the Retrospot bag comes last in the plain ranking
    cands = candidates(vectors, ids, [0.60, 0.59, 0.58, 0.57, 0.56])
    ranked = HistoryReranker(lam=1.0, copurchase_weight=0.0).rerank(None, cands, retrospot_fan(vectors))
    assert ranked[0].product.id == "LB5"
    top = ranked[0]
    assert top.base_rank == 5 and top.rank == 1 and top.moved == 4
    assert top.score == pytest.approx(top.base_score + 1.0 * top.history_score)
    assert top.reason is not None and "Retrospot" in top.reason
    assert any(r.moved < 0 and r.reason for r in ranked)


def test_cold_start_returns_the_plain_ranking(vectors: ProductVectors) -> None:
    ids = ["LB3", "LB1", "LB5", "LB2"]
    scores = [0.9, 0.8, 0.7, 0.1]
    cands = candidates(vectors, ids, scores)
    reranker = HistoryReranker(lam=2.0, copurchase_weight=5.0)
    for profile in (None, HistoryProfile(), HistoryBuilder().build(vectors, [])):
        ranked = reranker.rerank(None, cands, profile)
        assert [r.product.id for r in ranked] == ids
        assert [r.score for r in ranked] == scores and [r.base_score for r in ranked] == scores
        assert all(r.reason is None and r.moved == 0 for r in ranked)


def test_copurchase_affinity_lifts_what_is_bought_with_the_history(vectors: ProductVectors) -> None:
    baskets = [(f"o{i}", ["H1", "LB3"]) for i in range(5)] + [(f"p{i}", ["LB1", "LB2"]) for i in range(5)]
    stats = CopurchaseMiner(min_support=2).mine(baskets)
    profile = HistoryBuilder().build(vectors, [buy("H1", 1)], now=NOW)
    cands = candidates(vectors, ["LB1", "LB2", "LB3"], [0.5, 0.5, 0.5])
    ranked = HistoryReranker(lam=0.0, copurchase_weight=1.0, copurchase=stats).rerank(None, cands, profile)
    assert ranked[0].product.id == "LB3" and ranked[0].copurchase_score > 0
    assert ranked[0].reason == "often bought with your Jumbo Bag Red Retrospot (together in 5 orders)"


def test_repeat_purchase_is_explained(vectors: ProductVectors) -> None:
    profile = HistoryBuilder().build(vectors, [buy("LB4", 3, order="a"), buy("LB4", 40, order="b")], now=NOW)
    cands = candidates(vectors, ["LB1", "LB4"], [0.6, 0.5])
    stats = CopurchaseMiner(min_support=1).mine([("x", ["LB4", "H1"])])
    ranked = HistoryReranker(lam=0.0, copurchase_weight=1.0, copurchase=stats).rerank(None, cands, profile)
    assert ranked[0].product.id == "LB4"
    assert ranked[0].reason is not None and ranked[0].reason.startswith("you bought this before (in 2 orders")


def test_fit_tunes_lambda_on_validation_examples(vectors: ProductVectors) -> None:
    profile = retrospot_fan(vectors)
    ids = ["LB1", "LB2", "LB3", "LB4", "LB5"]
    examples = [RerankExample(candidates(vectors, ids, [0.60, 0.59, 0.58, 0.57, 0.56]), profile, "LB5")] * 3
    model = HistoryReranker(lambda_grid=(0.0, 0.5, 2.0), weight_grid=(0.0,)).fit(examples)
    assert model.lambda_ > 0 and model.effective_lambda == model.lambda_
    assert model.grid_scores_[(model.lambda_, 0.0)] == 1.0 and model.grid_scores_[(0.0, 0.0)] < 1.0
    with pytest.raises(ValueError, match="none of the 1 examples"):
        HistoryReranker().fit([RerankExample(candidates(vectors, ids[:2], [0.5, 0.4]), profile, "LB5")])


def test_a_product_like_nothing_in_the_history_is_not_called_similar(vectors: ProductVectors) -> None:
    """A view of the cake stand lifts the Woodland lunch bag over the skull one, but the bag is only 0.46 alike to
    the stand: not "similar to the Red Retrospot Cake Stand you looked at" (with the least similarity at 0, the same
    view says it)."""
    viewed = HistoryBuilder().build(vectors, session_ids=["H2"])
    cands = candidates(vectors, ["LB4", "LB3"], [0.60, 0.599])

    def reason_of_woodland_bag(similar_reason_min: float) -> str:
        ranked = HistoryReranker(lam=1.0, copurchase_weight=0.0, similar_reason_min=similar_reason_min).rerank(
            None, cands, viewed)
        assert ranked[0].product.id == "LB3"
        return ranked[0].reason or ""

    assert "similar to the Red Retrospot Cake Stand" in reason_of_woodland_bag(0.0)
    assert "similar to" not in reason_of_woodland_bag(0.5)
