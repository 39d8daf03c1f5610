from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from cartwise.db import ShopDatabase, make_engine
from cartwise.models import Product
from cartwise.settings import REPO_ROOT
from cartwise.shops.giftshop import build_giftshop

pytestmark = pytest.mark.no_shop  # reads no built shop: runs while a fresh clone builds them

RAW = REPO_ROOT / "data" / "raw" / "uci-online-retail" / "online_retail_full.parquet"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> ShopDatabase:
    path = tmp_path_factory.mktemp("db") / "shop.db"
    shop = build_giftshop(RAW, max_invoices=400)
    database = ShopDatabase(make_engine(f"sqlite:///{path}")).create_schema()
    database.upsert_products(shop.products)
    database.replace_orders(shop.customers, shop.orders)
    return database


def test_schema_and_counts(db: ShopDatabase) -> None:
    # Invoices whose lines all lack a description are stock adjustments (no customer, price 0): not orders.
    assert 300 < db.order_count() <= 400
    assert db.product_count() > 100


def test_money_round_trips_exactly(db: ShopDatabase) -> None:
    p = Product(id="X1", title="Test", price=Decimal("1799.99"), stock=2)
    db.upsert_products([p])
    assert db.get_products(["X1"])[0].price == Decimal("1799.99")


def test_order_only_for_owner(db: ShopDatabase) -> None:
    order = db.get_order_for("536365", "17850")
    assert order is not None and order.customer_id == "17850"
    assert order.total == sum(line.line_total for line in order.lines)
    assert db.get_order_for("536365", "12583") is None
    assert db.get_order_for("536365", None) is None
    assert db.get_order_for("999999", "17850") is None


def test_sql_fragments_are_just_values(db: ShopDatabase) -> None:
    assert db.get_order_for("536365' OR '1'='1", "17850") is None
    assert db.get_order_for("536365", "17850' OR '1'='1") is None
    assert db.orders_for_customer("x' OR 1=1 --") == []


def test_history_and_baskets(db: ShopDatabase) -> None:
    history = db.purchase_history("17850")
    assert {e.product_id for e in history} >= {"85123A", "71053"}
    assert all(e.quantity > 0 for e in history)
    baskets = dict(db.baskets())
    assert "536365" in baskets and "85123A" in baskets["536365"]
    assert not any(order_id.startswith("C") for order_id in baskets)


def test_sqlite_uses_wal(tmp_path: Path) -> None:
    db = ShopDatabase(make_engine(f"sqlite:///{tmp_path / 'w.db'}")).create_schema()
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        # NORMAL (1): in WAL mode a commit is not fsynced; tests/reliability/test_crash.py kills the app mid-turn
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1


def test_bulk_order_rows_store_what_the_models_store(tmp_path: Path) -> None:
    """The build's bulk path (order_tables + replace_order_rows) writes the same orders as the model path."""
    from cartwise.shops.giftshop import load_invoices, order_tables

    df = load_invoices(RAW, max_invoices=400)
    shop = build_giftshop(RAW, max_invoices=400)
    by_models = ShopDatabase(make_engine(f"sqlite:///{tmp_path / 'models.db'}")).create_schema()
    by_models.replace_orders(shop.customers, shop.orders)
    tables = order_tables(df)
    by_rows = ShopDatabase(make_engine(f"sqlite:///{tmp_path / 'rows.db'}")).create_schema()
    by_rows.replace_order_rows(tables.customers, tables.orders, tables.lines)

    assert by_rows.order_count() == by_models.order_count() == len(shop.orders)
    for order in shop.orders:
        assert by_rows.get_order(order.id) == by_models.get_order(order.id) == order
    assert by_rows.active_customers(50) == by_models.active_customers(50)
    # Replacing again leaves one copy, not two.
    by_rows.replace_order_rows(tables.customers, tables.orders, tables.lines)
    assert by_rows.order_count() == len(shop.orders)
