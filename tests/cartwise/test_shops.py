from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from cartwise.currency import to_money
from cartwise.models import OrderStatus
from cartwise.settings import REPO_ROOT
from cartwise.shops.electronics import build_electronics, parse_price, parse_rating
from cartwise.shops.giftshop import DATASET_TODAY, build_giftshop, order_status, readable_title
from cartwise.shops.taxonomy import GiftshopCategoriser

pytestmark = pytest.mark.no_shop  # reads no built shop: runs while a fresh clone builds them

RAW = REPO_ROOT / "data" / "raw" / "uci-online-retail" / "online_retail_full.parquet"


@pytest.fixture(scope="module")
def small_shop():  # the first 300 invoices of December 2010
    return build_giftshop(RAW, max_invoices=300)


def test_catalog_drops_non_products_and_keeps_real_codes(small_shop) -> None:
    ids = {p.id for p in small_shop.products}
    assert "85123A" in ids
    assert not ids & {"POST", "M", "DOT", "BANK CHARGES", "C2"}
    heart = next(p for p in small_shop.products if p.id == "85123A")
    assert heart.title == "White Hanging Heart T-Light Holder"
    assert heart.category == "candles & lighting"
    assert heart.price > 0


def test_orders_keep_lines_customers_and_cancellations(small_shop) -> None:
    orders = {o.id: o for o in small_shop.orders}
    first = orders["536365"]
    assert first.customer_id == "17850"
    assert first.lines[0].product_id == "85123A" and first.lines[0].quantity == 6
    assert first.lines[0].unit_price == Decimal("2.55")
    assert first.status is OrderStatus.delivered
    cancelled = [o for o in small_shop.orders if o.id.startswith("C")]
    assert cancelled and all(o.status is OrderStatus.cancelled for o in cancelled)
    assert all(line.quantity > 0 for o in cancelled for line in o.lines)


@pytest.mark.parametrize(
    ("invoice", "placed", "status"),
    [
        ("581587", datetime(2011, 12, 9, 12, 50), OrderStatus.processing),
        ("581000", datetime(2011, 12, 7, 10, 0), OrderStatus.shipped),
        ("570000", datetime(2011, 10, 7, 10, 0), OrderStatus.delivered),
        ("C581000", datetime(2011, 12, 9, 10, 0), OrderStatus.cancelled),
    ],
)
def test_order_status_relative_to_dataset_today(invoice: str, placed: datetime, status: OrderStatus) -> None:
    assert order_status(invoice, placed, DATASET_TODAY) is status


@pytest.mark.parametrize(
    ("description", "category"),
    [
        ("REGENCY CAKESTAND 3 TIER", "kitchen & baking"),
        ("LUNCH BAG RED RETROSPOT", "bags"),
        ("PAPER CHAIN KIT 50'S CHRISTMAS", "christmas"),
        ("WHITE METAL LANTERN", "candles & lighting"),
        ("VINTAGE SNAP CARDS", "stationery & cards"),
        ("STRING OF HEARTS", "home decor"),  # RING must not fire inside STRING
    ],
)
def test_taxonomy(description: str, category: str) -> None:
    assert GiftshopCategoriser().categorise(description) == category


def test_readable_title() -> None:
    assert readable_title("JUMBO  BAG RED RETROSPOT ") == "Jumbo Bag Red Retrospot"


def test_electronics_parsing() -> None:
    assert parse_price("$1,799.99 ") == "1,799.99"
    assert to_money(parse_price("$299.99through-$449.99")) == Decimal("299.99")
    assert parse_rating("Rated 4.8 out of 5 stars based on 125 reviews.") == 4.8
    assert parse_rating(float("nan")) is None
    products = build_electronics()
    assert len(products) == len({p.title for p in products}) == 552
    assert all(p.price > 0 for p in products)
    assert {p.brand for p in products if p.title.startswith(("MacBook", "iPad"))} == {"Apple"}


def test_shipped_catalogs_match_builders(tmp_path: Path) -> None:
    # The committed catalog CSVs are what the builders produce (nobody edited them by hand).
    from cartwise.shops.catalog_csv import write_catalog_csv

    out = tmp_path / "electronics.csv"
    write_catalog_csv(build_electronics(), out)
    assert out.read_text(encoding="utf-8") == (REPO_ROOT / "data/shops/electronics/catalog.csv").read_text(
        encoding="utf-8")
