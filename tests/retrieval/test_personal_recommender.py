"""Personal picks and best sellers on the real giftshop (``var/giftshop``: orders, Chroma, co-purchase), and the
split of their evaluation (``cartwise eval recommend --picks``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cartwise.db import OrderLineRow, OrderRow, ShopDatabase, make_engine
from cartwise.models import Customer, Order, OrderLine, OrderStatus, Product
from cartwise.settings import Settings
from retrieval.copurchase import CopurchaseMiner, CopurchaseStats
from retrieval.embeddings import Embedder
from retrieval.evaluation import picks as picks_eval
from retrieval.evaluation.recommend import TEST
from retrieval.history import HistoryBuilder, HistoryProfile
from retrieval.picks import PersonalRecommender
from retrieval.product_vectors import ProductVectors
from retrieval.store import ProductStore

COPURCHASE_REASON = re.compile(r"often bought with the (.+) you ordered in (\w+ \d{4}) \((\d+) orders? had both\)")
SIMILAR_REASON = re.compile(r"like the (.+) you (bought|looked at)")


@dataclass(frozen=True)
class Giftshop:
    settings: Settings
    db: ShopDatabase
    vectors: ProductVectors
    copurchase: CopurchaseStats
    recommender: PersonalRecommender
    history: HistoryBuilder

    def profile(self, customer_id: str) -> HistoryProfile:
        return self.history.for_customer(self.db, self.vectors, customer_id)

    def bought(self, customer_id: str) -> set[str]:
        return {e.product_id for e in self.db.purchase_history(customer_id)}


@pytest.fixture(scope="module")
def giftshop(embedder: Embedder) -> Giftshop:
    settings = Settings(shop="giftshop")
    if not (settings.shop_var_dir / "shop.db").is_file():
        pytest.fail(f"{settings.shop_var_dir} has no shop.db: run `cartwise build` (or copy a built var/)")
    db = ShopDatabase.from_settings(settings)
    vectors = ProductVectors.from_store(ProductStore.from_settings(settings, embedder=embedder))
    copurchase = CopurchaseStats.from_settings(settings)
    recommender = PersonalRecommender(vectors, copurchase, db.product_popularity())
    return Giftshop(settings, db, vectors, copurchase, recommender, HistoryBuilder.from_settings(settings))


@pytest.fixture(scope="module")
def customers(giftshop: Giftshop) -> list[str]:
    """The 8 customers with the most orders and 8 with exactly 3, so long and short histories both appear."""
    busiest = [c.id for c in giftshop.db.active_customers(limit=8)]
    q = (
        select(OrderRow.customer_id)
        .where(OrderRow.customer_id.is_not(None), OrderRow.status != OrderStatus.cancelled.value)
        .group_by(OrderRow.customer_id)
        .having(func.count(OrderRow.id) == 3)
        .order_by(OrderRow.customer_id)
        .limit(8)
    )
    with giftshop.db.engine.connect() as conn:
        few = [str(c) for (c,) in conn.execute(q)]
    return busiest + few


def test_picks_never_repeat_a_purchase(giftshop: Giftshop, customers: list[str]) -> None:
    longer_than_profile = 0
    for customer in customers:
        profile = giftshop.profile(customer)
        bought = giftshop.bought(customer)
        longer_than_profile += len(bought) > len(profile.items)
        shown = [p.product.id for p in giftshop.recommender.recommend(profile, k=3)]
        picks = giftshop.recommender.recommend(profile, k=10, exclude=shown)
        assert len(picks) == 10, customer
        ids = [p.product.id for p in picks]
        assert not set(ids) & bought, f"customer {customer} is offered products they bought: {set(ids) & bought}"
        assert not set(ids) & set(shown), "excluded products came back"
        assert len(set(ids)) == len(ids)
    # The busiest customers bought more products than a profile keeps (200): the exclusion must reach them too.
    assert longer_than_profile >= 4


def test_an_empty_profile_gets_best_sellers(giftshop: Giftshop) -> None:
    profile = giftshop.profile("no-such-customer")
    assert profile.is_empty
    picks = giftshop.recommender.recommend(profile, k=5)
    assert [p.product.id for p in picks] == [p.product.id for p in giftshop.recommender.best_sellers(5)]
    popularity = giftshop.recommender.popularity
    counts = [popularity[p.product.id] for p in picks]
    assert counts == sorted(counts, reverse=True) and counts[0] == max(popularity.values())
    for pick, n in zip(picks, counts, strict=True):
        assert pick.source == "popular" and pick.reason == f"bought by {n} customers"


def test_each_pick_names_the_purchase_behind_it(giftshop: Giftshop, customers: list[str]) -> None:
    sources: set[str] = set()
    for customer in customers:
        profile = giftshop.profile(customer)
        by_title = {item.title: item for item in profile.items}
        for pick in giftshop.recommender.recommend(profile, k=10):
            sources.add(pick.source)
            if pick.source == "copurchase":
                match = COPURCHASE_REASON.fullmatch(pick.reason)
                assert match, pick.reason
                item = by_title[match.group(1)]
                assert item.last_at is not None and f"{item.last_at:%B %Y}" == match.group(2)
                pair = giftshop.copurchase.pair(item.product_id, pick.product.id)
                assert pair is not None and pair.orders == int(match.group(3)), pick.reason
            elif pick.source == "similar":
                match = SIMILAR_REASON.fullmatch(pick.reason)
                assert match and match.group(1) in by_title and match.group(2) == "bought", pick.reason
            else:  # a best seller fills in only when both sources run short
                assert pick.source == "popular" and pick.reason.startswith("bought by ")
    assert {"copurchase", "similar"} <= sources


def test_best_sellers_count_customers_not_units_or_cancelled_orders(tmp_path: Path, embedder: Embedder) -> None:
    settings = Settings(var_dir=tmp_path, shop="tiny")
    db = ShopDatabase(make_engine(settings.database_url_resolved)).create_schema()
    n = iter(range(1000))

    def order(customer: str, product: str, quantity: int = 1, status: OrderStatus = OrderStatus.delivered) -> Order:
        line = OrderLine(product_id=product, title=product, quantity=quantity, unit_price=Decimal("1.00"))
        return Order(
            id=f"o{next(n)}", customer_id=customer, placed_at=datetime(2011, 5, 1), status=status, lines=[line]
        )

    orders = [order("c1", "bulk", 80_000)]  # one wholesale order
    orders += [order(c, "mug") for c in ("c2", "c3", "c4")]
    orders += [order(c, "mug") for c in ("c2", "c2")]  # repeat orders of one customer count once
    orders += [order(c, "lamp", status=OrderStatus.cancelled) for c in ("c5", "c6", "c7", "c8")]
    orders += [order("c9", "lamp"), order("c1", "bulk", 5, OrderStatus.cancelled)]
    db.replace_orders([Customer(id=f"c{i}", name=f"C{i}") for i in range(1, 10)], orders)

    popularity = db.product_popularity()
    assert popularity == {"bulk": 1, "mug": 3, "lamp": 1}
    products = [
        Product(id=p, title=t, price=Decimal("1.00"), stock=5)
        for p, t in (("bulk", "Paper Craft Little Birdie"), ("mug", "Tea Mug"), ("lamp", "Table Lamp"))
    ]
    recommender = PersonalRecommender(ProductVectors.from_embedder(embedder, products), None, popularity)
    assert [p.product.id for p in recommender.best_sellers(3)] == ["mug", "bulk", "lamp"]
    assert [p.reason for p in recommender.best_sellers(1)] == ["bought by 3 customers"]


def test_the_giftshop_80995_unit_order_is_no_best_seller(giftshop: Giftshop) -> None:
    largest = (
        select(OrderLineRow.product_id, OrderLineRow.quantity)
        .join(OrderRow, OrderRow.id == OrderLineRow.order_id)
        .where(OrderRow.status != OrderStatus.cancelled.value)
        .order_by(OrderLineRow.quantity.desc())
        .limit(1)
    )
    with giftshop.db.engine.connect() as conn:
        product_id, quantity = conn.execute(largest).one()
    assert quantity >= 80_000  # Paper Craft, Little Birdie: one customer, one order
    assert giftshop.recommender.popularity[product_id] == 1
    assert product_id not in {p.product.id for p in giftshop.recommender.best_sellers(100)}


@pytest.fixture(scope="module")
def test_month(giftshop: Giftshop) -> tuple[picks_eval.KnownBefore, list[picks_eval.PicksCase]]:
    known = picks_eval.KnownBefore.mine(giftshop.db, TEST, CopurchaseMiner.from_settings(giftshop.settings))
    return known, picks_eval.sample_customers(giftshop.db, TEST, giftshop.vectors, 25, seed=0)


def test_the_evaluation_split_keeps_the_test_month_out(
    giftshop: Giftshop, test_month: tuple[picks_eval.KnownBefore, list[picks_eval.PicksCase]]
) -> None:
    known, cases = test_month
    first_sold = (
        select(OrderLineRow.product_id)
        .join(OrderRow, OrderRow.id == OrderLineRow.order_id)
        .where(OrderRow.status != OrderStatus.cancelled.value, OrderLineRow.quantity > 0)
        .group_by(OrderLineRow.product_id)
        .having(func.min(OrderRow.placed_at) >= TEST.start, func.min(OrderRow.placed_at) < TEST.end)
    )
    with giftshop.db.engine.connect() as conn:
        new_in_test_month = {str(p) for (p,) in conn.execute(first_sold)}
    assert len(new_in_test_month) >= 10
    # Products first sold in the test month are unknown to everything the methods learn from.
    assert not new_in_test_month & set(known.popularity)
    assert not new_in_test_month & set(known.copurchase.position)
    assert not new_in_test_month & set(known.raw.position)
    assert known.popularity == giftshop.db.product_popularity(before=TEST.start)

    assert len(cases) == 25
    for case in cases:
        before = {e.product_id for e in giftshop.db.purchase_history(case.customer_id, before=TEST.start)}
        during = {
            e.product_id
            for e in giftshop.db.purchase_history(case.customer_id, before=TEST.end)
            if e.placed_at >= TEST.start
        }
        assert set(case.bought) == before and case.prior_orders >= 3
        assert case.new and set(case.new) <= during - before
        profile = giftshop.history.for_customer(giftshop.db, giftshop.vectors, case.customer_id, before=TEST.start)
        assert all(item.last_at is not None and item.last_at < TEST.start for item in profile.items)
        assert profile.purchased_ids == before


def test_the_evaluation_scores_a_known_answer(
    giftshop: Giftshop, test_month: tuple[picks_eval.KnownBefore, list[picks_eval.PicksCase]]
) -> None:
    _, cases = test_month
    profiles = [HistoryProfile() for _ in cases]
    lists = {c.customer_id: [*c.new[:4], *c.bought[:6]] for c in cases}  # 4 right, then repeats
    oracle = {"known": lambda case, _: lists[case.customer_id]}
    scores = picks_eval.evaluate(cases, profiles, oracle, catalog_size=len(giftshop.vectors))["known"]
    assert scores["hit@10"] == 1.0
    assert scores["recall@10"] == pytest.approx(sum(min(len(c.new), 4) / len(c.new) for c in cases) / len(cases))
    assert scores["precision@10"] == pytest.approx(sum(min(len(c.new), 4) / 10 for c in cases) / len(cases))
    assert scores["already_bought"] == pytest.approx(
        sum(min(len(c.bought), 6) / len(lists[c.customer_id]) for c in cases) / len(cases)
    )
    assert scores["coverage"] == pytest.approx(len({p for ids in lists.values() for p in ids}) / len(giftshop.vectors))
