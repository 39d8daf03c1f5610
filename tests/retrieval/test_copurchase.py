"""Co-purchase statistics on hand-made baskets whose counts are known."""

from __future__ import annotations

import math
from datetime import datetime
from decimal import Decimal

import numpy as np
import pytest

from cartwise.db import ShopDatabase, make_engine
from cartwise.models import Customer, Order, OrderLine, OrderStatus
from cartwise.settings import Settings
from retrieval.copurchase import CopurchaseError, CopurchaseMiner, CopurchaseStats, build_copurchase

pytestmark = pytest.mark.no_shop  # reads no built shop: runs while a fresh clone builds them

# a-b together in 3 orders (one of them 4 items big), a-c in 2, b-c in 1, d alone.
BASKETS = [
    ("o1", ["a", "b"]),
    ("o2", ["a", "b", "c", "e"]),
    ("o3", ["a", "b"]),
    ("o4", ["a", "c"]),
    ("o5", ["d"]),
    ("o6", ["a", "a", "b"]),  # a repeated line counts once
]


def test_counts_weights_and_partner_order() -> None:
    stats = CopurchaseMiner(min_support=1).mine(BASKETS)
    ab = stats.pair("a", "b")
    assert ab is not None and ab.orders == 4
    # 1 + 1/3 + 1 + 1: every basket spreads one unit over its partners.
    assert ab.weight == pytest.approx(1 + 1 / 3 + 1 + 1)
    ac = stats.pair("a", "c")
    assert ac is not None and ac.orders == 2 and ac.weight == pytest.approx(1 / 3 + 1)
    bc, cb = stats.pair("b", "c"), stats.pair("c", "b")
    assert bc is not None and cb is not None and bc.orders == cb.orders == 1  # looked up from either side
    assert stats.pair("a", "d") is None
    assert [p.partner_id for p in stats.partners("a")] == ["b", "c", "e"]
    assert stats.item_count("a") == 5 and stats.item_count("d") == 1 and stats.item_count("zzz") == 0
    assert stats.n_baskets == 6


def test_lift_and_npmi_match_their_definitions() -> None:
    stats = CopurchaseMiner(min_support=1).mine(BASKETS)
    ab = stats.pair("a", "b")
    assert ab is not None
    n, na, nb, nab = 6, 5, 4, 4
    lift = (nab / n) / ((na / n) * (nb / n))
    assert ab.lift == pytest.approx(lift, rel=1e-5)
    assert ab.npmi == pytest.approx(math.log(lift) / -math.log(nab / n), rel=1e-5)


def test_min_support_and_top_k_prune_pairs() -> None:
    stats = CopurchaseMiner(min_support=2).mine(BASKETS)
    assert stats.pair("b", "c") is None  # only one order
    assert stats.pair("a", "c") is not None
    top1 = CopurchaseMiner(min_support=1, top_k=1).mine(BASKETS)
    assert [p.partner_id for p in top1.partners("a", k=10)] == ["b"]
    with pytest.raises(ValueError, match="min_support"):
        CopurchaseMiner(min_support=0).mine(BASKETS)


def test_affinity_is_history_weighted_and_normalised() -> None:
    stats = CopurchaseMiner(min_support=1).mine(BASKETS)
    aff = stats.affinity({"b": 1.0})
    a = stats.position["a"]
    expected = stats.pair("a", "b").weight / np.sqrt(stats.item_weight[a] * stats.item_weight[stats.position["b"]])  # type: ignore[union-attr]
    assert aff[a] == pytest.approx(expected, rel=1e-5)
    assert aff[stats.position["d"]] == 0.0
    assert stats.normalised("a", "b") == pytest.approx(expected, rel=1e-5)


def test_save_and_load_round_trip(tmp_path: pytest.TempPathFactory) -> None:
    stats = CopurchaseMiner(min_support=1).mine(BASKETS, meta={"shop": "test"})
    path = stats.save(tmp_path / "cp.npz")  # type: ignore[operator]
    loaded = CopurchaseStats.load(path)
    assert loaded.pair("a", "b") == stats.pair("a", "b")
    assert loaded.meta["shop"] == "test" and loaded.n_baskets == 6
    with pytest.raises(CopurchaseError, match="build-copurchase"):
        CopurchaseStats.load(tmp_path / "missing.npz")  # type: ignore[operator]


def test_build_from_database_respects_the_time_split(tmp_path: pytest.TempPathFactory) -> None:
    settings = Settings(var_dir=tmp_path, shop="tiny")  # type: ignore[arg-type]
    db = ShopDatabase(make_engine(settings.database_url_resolved)).create_schema()

    def order(oid: str, day: int, items: list[str], status: OrderStatus = OrderStatus.delivered) -> Order:
        lines = [OrderLine(product_id=i, title=i, quantity=1, unit_price=Decimal("1.00")) for i in items]
        return Order(id=oid, customer_id="c1", placed_at=datetime(2011, 1, day), status=status, lines=lines)

    db.replace_orders(
        [Customer(id="c1", name="C")],
        [
            order("1", 1, ["x", "y"]),
            order("2", 2, ["x", "y"]),
            order("3", 3, ["x", "y"]),
            order("4", 20, ["x", "z"]),
            order("5", 21, ["x", "z"]),
            order("6", 22, ["x", "z"]),
            order("7", 4, ["x", "y"], OrderStatus.cancelled),
        ],
    )
    everything = build_copurchase(settings, db=db, show_progress=False)
    assert (settings.shop_var_dir / "copurchase.npz").is_file()
    assert everything.pair("x", "y").orders == 3 and everything.pair("x", "z").orders == 3  # type: ignore[union-attr]
    early = build_copurchase(settings, db=db, before=datetime(2011, 1, 10), show_progress=False)
    assert early.pair("x", "y") is not None and early.pair("x", "z") is None
