"""How a :class:`~cartwise.models.Product` is stored in Chroma metadata and rebuilt exactly."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any

from cartwise.models import Product


def content_hash(product: Product, model_id: str) -> str:
    """Fingerprint of everything that decides a product's stored record and vector."""
    payload = f"{model_id}\n{product.model_dump_json()}"
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]


def product_metadata(product: Product, model_id: str) -> dict[str, str | int | float | bool]:
    """The Chroma metadata for ``product`` (filterable fields plus what rebuilds it exactly)."""
    meta: dict[str, str | int | float | bool] = {
        "product_id": product.id,
        "title": product.title,
        "description": product.description,
        "category": product.category,
        "price": float(product.price),
        "price_str": f"{product.price:.2f}",
        "stock": product.stock,
        "in_stock": product.in_stock,
        "brand": product.brand,
        "image_url": product.image_url,
        "discount": product.discount,
        "content_hash": content_hash(product, model_id),
    }
    if product.rating is not None:  # Chroma metadata cannot hold None
        meta["rating"] = product.rating
    return meta


def product_from_metadata(product_id: str, meta: dict[str, Any]) -> Product:
    """Rebuild the exact :class:`Product` stored by :func:`product_metadata`."""
    return Product(
        id=product_id,
        title=str(meta["title"]),
        description=str(meta.get("description", "")),
        category=str(meta.get("category", "")),
        price=Decimal(str(meta["price_str"])),
        stock=int(meta.get("stock", 0)),
        brand=str(meta.get("brand", "")),
        image_url=str(meta.get("image_url", "")),
        rating=float(meta["rating"]) if meta.get("rating") is not None else None,
        discount=str(meta.get("discount", "")),
    )
