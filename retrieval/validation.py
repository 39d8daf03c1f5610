"""Turning one raw catalog row into a validated :class:`~cartwise.models.Product`.

Rows come from CSV or JSONL files written by people and scrapers, so every
field is cleaned (control characters removed, whitespace collapsed) and checked
(required, numeric, length) before it becomes a product. HTML is kept as plain
text: it is escaped where it is displayed.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
from decimal import Decimal
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, ValidationError

from cartwise.currency import to_money
from cartwise.models import Product
from retrieval.errors import CatalogError

# Longest accepted value per field, in characters after cleaning (the shop database's column sizes).
MAX_LENGTHS: dict[str, int] = {
    "id": 64,
    "title": 300,
    "description": 5000,
    "category": 100,
    "brand": 100,
    "image_url": 500,
    "discount": 100,
}
MAX_PRICE = Decimal("1000000000")
# Share of unprintable characters above which a field is taken for binary junk, not text.
MAX_GARBAGE_SHARE = 0.2

_WHITESPACE = re.compile(r"\s+")


class RowRejected(ValueError):
    """Raised by :class:`ProductRowParser` for a row that cannot become a product.

    Args:
        reason: what was wrong, with the value received.
        product_id: the row's id when it could be read.
    """

    def __init__(self, reason: str, product_id: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.product_id = product_id


def clean_text(value: object) -> str:
    """Return ``value`` as one line of text: control characters dropped, whitespace collapsed."""
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    text = str(value)
    # Cc/Cf (controls, zero-width and BOM marks) carry no meaning in a product field.
    text = "".join(" " if unicodedata.category(ch) in ("Cc", "Cf") else ch for ch in text)
    return _WHITESPACE.sub(" ", text).strip()


def garbage_share(text: str) -> float:
    """Share of characters in ``text`` that are undecodable bytes, replacement marks or controls."""
    if not text:
        return 0.0
    bad = sum(1 for ch in text if _is_garbage(ch))
    return bad / len(text)


def _is_garbage(ch: str) -> bool:
    if ch in "\t\n\r":
        return False
    # Lone surrogates are the bytes that were not valid UTF-8 (read with errors="surrogateescape").
    return ch == "\ufffd" or unicodedata.category(ch) in ("Cc", "Cs", "Co")


class ColumnMapping(BaseModel):
    """Which source column holds each :class:`~cartwise.models.Product` field.

    Defaults are the canonical column names. ``id``, ``title`` and ``price``
    must be present in the file; the other columns may be absent, in which case
    the field takes its default.

    Example:
        >>> ColumnMapping.parse("id=StockCode,title=Description").id
        'StockCode'
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    REQUIRED: ClassVar[tuple[str, ...]] = ("id", "title", "price")

    id: str = "id"
    title: str = "title"
    description: str = "description"
    category: str = "category"
    price: str = "price"
    stock: str = "stock"
    brand: str = "brand"
    image_url: str = "image_url"
    rating: str = "rating"
    discount: str = "discount"

    @classmethod
    def parse(cls, spec: str | None) -> ColumnMapping:
        """Parse ``"field=Column,field=Column"`` (as given to ``cartwise ingest --map``).

        Raises:
            CatalogError: for a malformed pair or an unknown field name.
        """
        if not spec or not spec.strip():
            return cls()
        pairs: dict[str, str] = {}
        for part in spec.split(","):
            if not part.strip():
                continue
            field, sep, column = part.partition("=")
            if not sep or not field.strip() or not column.strip():
                raise CatalogError(f"bad --map entry {part!r}: expected field=Column, e.g. id=StockCode")
            pairs[field.strip()] = column.strip()
        unknown = sorted(set(pairs) - set(cls.model_fields))
        if unknown:
            raise CatalogError(f"unknown field(s) in --map: {unknown}; known fields: {sorted(cls.model_fields)}")
        return cls(**pairs)

    def resolve(self, header: list[str]) -> dict[str, str]:
        """Map each product field to a column present in ``header``.

        Returns:
            ``{field: column}`` for every field whose column exists.

        Raises:
            CatalogError: when a required column, or a column named explicitly, is missing.
        """
        present = set(header)
        resolved: dict[str, str] = {}
        for field in type(self).model_fields:
            column = getattr(self, field)
            if column in present:
                resolved[field] = column
            elif field in self.REQUIRED or field in self.model_fields_set:
                raise CatalogError(
                    f"column {column!r} for field {field!r} not found; columns in the file: {header}. "
                    f"Pass --map {field}=<column> to name the right one"
                )
        return resolved


class ProductRowParser:
    """Validates one raw row (``{column: value}``) into a :class:`Product`.

    Args:
        columns: ``{field: column}`` as returned by :meth:`ColumnMapping.resolve`.
    """

    def __init__(self, columns: Mapping[str, str]) -> None:
        self.columns = dict(columns)

    def parse(self, row: Mapping[str, object]) -> Product:
        """Build a product from ``row``.

        Raises:
            RowRejected: with the reason when any field is invalid.
        """
        raw = {field: row.get(column) for field, column in self.columns.items()}
        product_id = clean_text(raw.get("id")) or None
        safe_id = product_id if product_id and garbage_share(str(raw.get("id"))) == 0 else None
        for field, value in raw.items():
            if isinstance(value, str) and garbage_share(value) > MAX_GARBAGE_SHARE:
                raise RowRejected(f"{field} looks like binary data, not text: {value[:40]!r}", safe_id)
            if isinstance(value, str) and any("\udc80" <= ch <= "\udcff" for ch in value):
                raise RowRejected(
                    f"{field} contains bytes that are not valid UTF-8: {value[:40]!r} (save the file as UTF-8)", safe_id
                )
        if product_id is None:
            raise RowRejected("missing id", None)
        fields: dict[str, object] = {"id": product_id}
        for field in ("title", "description", "category", "brand", "image_url", "discount"):
            if field in raw:
                fields[field] = clean_text(raw[field])
        for field, text in fields.items():
            limit = MAX_LENGTHS[field]
            if isinstance(text, str) and len(text) > limit:
                raise RowRejected(f"{field} is {len(text)} characters, over the {limit} limit", product_id)
        if not fields.get("title"):
            raise RowRejected("missing title", product_id)
        fields["price"] = _parse_price(raw.get("price"), product_id)
        if "stock" in raw:
            fields["stock"] = _parse_stock(raw["stock"], product_id)
        if "rating" in raw:
            fields["rating"] = _parse_rating(raw["rating"], product_id)
        try:
            return Product.model_validate(fields)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise RowRejected(f"{where}: {first['msg']} (got {first.get('input')!r})", product_id) from exc


def _parse_price(value: object, product_id: str) -> Decimal:
    text = clean_text(value)
    if not text:
        raise RowRejected("missing price", product_id)
    try:
        price = to_money(text)
    except (ValueError, ArithmeticError):
        raise RowRejected(f"price is not a number: {text[:40]!r}", product_id) from None
    if price < 0:
        raise RowRejected(f"price is negative: {text!r}", product_id)
    if price > MAX_PRICE:
        raise RowRejected(f"price {text!r} is above the {MAX_PRICE} limit", product_id)
    return price


def _parse_stock(value: object, product_id: str) -> int:
    text = clean_text(value)
    if not text:
        return 0
    try:
        number = float(text.replace(",", ""))
    except ValueError:
        raise RowRejected(f"stock is not a number: {text[:40]!r}", product_id) from None
    if not math.isfinite(number) or number != int(number):
        raise RowRejected(f"stock is not a whole number: {text!r}", product_id)
    if number < 0:
        raise RowRejected(f"stock is negative: {text!r}", product_id)
    return int(number)


def _parse_rating(value: object, product_id: str) -> float | None:
    text = clean_text(value)
    if not text:
        return None
    try:
        rating = float(text)
    except ValueError:
        raise RowRejected(f"rating is not a number: {text[:40]!r}", product_id) from None
    if not math.isfinite(rating):
        raise RowRejected(f"rating is not a finite number: {text!r}", product_id)
    return rating
