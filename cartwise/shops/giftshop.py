"""Build the giftshop demo shop from UCI Online Retail (CC BY 4.0).

The dataset has invoices only, so the catalog, stock and order status are
derived from them; every rule is documented here and in ``data/shops/README.md``:

* catalog: one product per real stock code (5 digits + optional letters);
  non-products (postage, manual adjustments, bank charges, damages notes) are dropped;
  title = the most frequent description, price = median positive unit price.
* stock: the dataset records no stock. A product not sold in the last 120 days
  before the dataset's "today" counts as out of stock (0); otherwise a month's
  supply at its recent sales rate.
* order status relative to ``DATASET_TODAY`` (the day after the last invoice):
  cancellation invoices ("C…") are ``cancelled``; orders placed on the last day
  are ``processing``; within 4 days ``shipped``; older ones ``delivered``.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cartwise.currency import to_money
from cartwise.models import Customer, Order, OrderLine, OrderStatus, Product
from cartwise.shops.taxonomy import GiftshopCategoriser

logger = logging.getLogger(__name__)

DATASET_TODAY = datetime(2011, 12, 10)
PRODUCT_CODE = r"^\d{5}[A-Za-z]{0,2}$"
NON_PRODUCT_WORDS = re.compile(
    r"POSTAGE|MANUAL|BANK CHARGE|CRUSHED|DAMAGE|AMAZON|CARRIAGE|SAMPLES|DISCOUNT|ADJUST|FOUND|CHECK|WRONG|"
    r"MISSING|LOST|FAULTY|BROKEN|\?|THROWN|SOLD AS|MIXED UP|DOTCOM|INCORRECT|WET|MOULDY|SMASHED|UNSALEABLE",
)
PROCESSING_DAYS = 1
SHIPPED_DAYS = 4
OUT_OF_STOCK_AFTER_DAYS = 120


@dataclass(frozen=True)
class ShopData:
    products: list[Product]
    customers: list[Customer]
    orders: list[Order]


def readable_title(description: str) -> str:
    """'WHITE HANGING HEART T-LIGHT HOLDER' -> 'White Hanging Heart T-Light Holder'."""
    text = " ".join(description.split())
    return re.sub(r"[A-Za-z]+('[A-Za-z])?", lambda m: m.group(0).capitalize(), text.lower())


def load_raw(path: Path) -> pd.DataFrame:
    df = pd.read_parquet(path)
    df["StockCode"] = df["StockCode"].astype(str).str.strip().str.upper()
    df["Description"] = df["Description"].astype("string").str.strip()
    return df


def order_status(invoice: str, placed_at: datetime, today: datetime = DATASET_TODAY) -> OrderStatus:
    if invoice.startswith("C"):
        return OrderStatus.cancelled
    age = today - placed_at
    if age < timedelta(days=PROCESSING_DAYS):
        return OrderStatus.processing
    if age < timedelta(days=SHIPPED_DAYS):
        return OrderStatus.shipped
    return OrderStatus.delivered


def build_catalog(df: pd.DataFrame, today: datetime = DATASET_TODAY) -> list[Product]:
    sales = df[df["StockCode"].str.match(PRODUCT_CODE) & (df["Quantity"] > 0) & (df["UnitPrice"] > 0)]
    sales = sales[sales["Description"].notna()]
    sales = sales[~sales["Description"].str.upper().str.contains(NON_PRODUCT_WORDS)]
    sales = sales[sales["Description"].str.upper() == sales["Description"]]  # lowercase ones are stock notes
    categoriser = GiftshopCategoriser()
    recent = sales[sales["InvoiceDate"] >= today - timedelta(days=90)]
    recent_units = recent.groupby("StockCode")["Quantity"].sum()
    grouped = sales.groupby("StockCode").agg(
        description=("Description", lambda s: s.mode().iloc[0]),
        price=("UnitPrice", "median"),
        last_sold=("InvoiceDate", "max"),
        pack=("Quantity", "median"),
        orders=("InvoiceNo", "nunique"),
    )
    products = []
    for code, row in grouped.iterrows():
        title = readable_title(str(row["description"]))
        category = categoriser.categorise(str(row["description"]))
        days_idle = (today - row["last_sold"]).days
        stock = 0 if days_idle > OUT_OF_STOCK_AFTER_DAYS else max(1, int(recent_units.get(code, 0) / 3))
        pack = int(row["pack"])
        description = f"{title}, from our {category} range. Customers usually order {pack} at a time."
        products.append(Product(
            id=str(code), title=title, description=description, category=category,
            price=to_money(row["price"]), stock=stock,
        ))
    logger.info("giftshop catalog: %d products", len(products))
    return products


@dataclass(frozen=True)
class OrderTables:
    """Customers, orders and order lines as rows ready for a bulk insert (:meth:`ShopDatabase.replace_order_rows`).

    Built column-wise with pandas: one Python object per row would cost ~45 s for the 541,909
    invoice lines; these tables take about 2 s. Lines are in the order the models of
    :func:`build_orders` list them (invoices by first appearance, lines as in the file).
    """

    customers: list[dict[str, Any]]
    orders: list[dict[str, Any]]
    lines: list[dict[str, Any]]


def order_tables(df: pd.DataFrame, today: datetime = DATASET_TODAY) -> OrderTables:
    """The rows of every customer, order and order line in ``df`` (rules in the module docstring)."""
    df = df[df["Description"].notna()].copy()
    df["Quantity"] = df["Quantity"].abs()
    customers_df = df[df["CustomerID"].notna()].groupby("CustomerID")["Country"].agg(lambda s: s.mode().iloc[0])
    customers = [{"id": str(int(cid)), "name": f"Customer {int(cid)}", "country": str(country)}
                 for cid, country in customers_df.items()]
    df["_order"] = pd.factorize(df["InvoiceNo"])[0]
    df = df.sort_values("_order", kind="stable")
    first = df.drop_duplicates("_order")
    invoice = first["InvoiceNo"].astype(str)
    age = today - first["InvoiceDate"]
    status = np.select(
        [invoice.str.startswith("C").to_numpy(), (age < timedelta(days=PROCESSING_DAYS)).to_numpy(),
         (age < timedelta(days=SHIPPED_DAYS)).to_numpy()],
        [OrderStatus.cancelled.value, OrderStatus.processing.value, OrderStatus.shipped.value],
        default=OrderStatus.delivered.value,
    )
    customer = [None if pd.isna(c) else str(int(c)) for c in first["CustomerID"]]
    orders = [
        {"id": i, "customer_id": c, "placed_at": t, "status": str(st), "country": str(country)}
        for i, c, t, st, country in zip(
            invoice, customer, first["InvoiceDate"].dt.to_pydatetime(), status, first["Country"], strict=True
        )
    ]
    titles = {d: readable_title(str(d)) for d in df["Description"].unique()}
    prices = df["UnitPrice"].map(to_money)
    lines = [
        {"order_id": o, "product_id": p, "title": titles[d], "quantity": int(q), "unit_price": u}
        for o, p, d, q, u in zip(
            df["InvoiceNo"].astype(str), df["StockCode"].astype(str), df["Description"], df["Quantity"], prices,
            strict=True,
        )
    ]
    return OrderTables(customers=customers, orders=orders, lines=lines)


def build_orders(df: pd.DataFrame, today: datetime = DATASET_TODAY) -> tuple[list[Customer], list[Order]]:
    """Customers and orders as models (from :func:`order_tables`, so both follow the same rules)."""
    tables = order_tables(df, today)
    customers = [Customer(**row) for row in tables.customers]
    lines: dict[str, list[OrderLine]] = {}
    for row in tables.lines:
        lines.setdefault(row["order_id"], []).append(OrderLine(
            product_id=row["product_id"], title=row["title"], quantity=row["quantity"], unit_price=row["unit_price"],
        ))
    orders = [Order(**row, lines=lines[row["id"]]) for row in tables.orders]
    logger.info("giftshop orders: %d orders, %d customers", len(orders), len(customers))
    return customers, orders


def load_invoices(raw_path: Path, max_invoices: int | None = None) -> pd.DataFrame:
    """The raw invoice lines (``max_invoices`` keeps the first N invoices, for tests)."""
    df = load_raw(raw_path)
    if max_invoices is not None:
        keep = df["InvoiceNo"].drop_duplicates().iloc[:max_invoices]
        df = df[df["InvoiceNo"].isin(keep)]
    return df


def build_giftshop(raw_path: Path, max_invoices: int | None = None) -> ShopData:
    """Catalog, customers and orders from the raw parquet (``max_invoices`` keeps the first N, for tests)."""
    df = load_invoices(raw_path, max_invoices)
    customers, orders = build_orders(df)
    return ShopData(products=build_catalog(df), customers=customers, orders=orders)
