"""Write a list of products as a catalog CSV in Cartwise's canonical columns."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from cartwise.models import Product

CATALOG_COLUMNS = (
    "id", "title", "description", "category", "price", "stock", "brand", "image_url", "rating", "discount"
)


def write_catalog_csv(products: Sequence[Product], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(CATALOG_COLUMNS)
        for p in products:
            writer.writerow([p.id, p.title, p.description, p.category, f"{p.price:.2f}", p.stock, p.brand,
                             p.image_url, "" if p.rating is None else p.rating, p.discount])
    tmp.replace(path)
