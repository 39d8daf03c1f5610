"""Data models shared across packages (products, customers, orders, money).

Money is always :class:`decimal.Decimal` with two places: budgets and bundle
totals must add up exactly.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

from cartwise.currency import to_money

ProductId = str
CustomerId = str
MAX_CUSTOMER_ID_CHARS = 32  # the customers/orders id columns (cartwise.db)
OrderId = str

# Serialised as a string so JSON never rounds money through a float.
Money = Annotated[Decimal, PlainSerializer(lambda d: f"{d:.2f}", return_type=str, when_used="json")]


class Product(BaseModel):
    """A product as the whole system sees it."""

    model_config = ConfigDict(frozen=True)

    id: ProductId
    title: str
    description: str = ""
    category: str = ""
    price: Money
    stock: int = Field(0, ge=0)
    brand: str = ""
    image_url: str = ""
    rating: float | None = None
    discount: str = ""

    @property
    def in_stock(self) -> bool:
        return self.stock > 0

    def document(self) -> str:
        """The text that gets embedded and indexed lexically."""
        parts = [self.title, self.category, self.brand, self.description]
        return ". ".join(p for p in parts if p)


class OrderStatus(str, Enum):
    processing = "processing"
    shipped = "shipped"
    delivered = "delivered"
    cancelled = "cancelled"
    returned = "returned"


class OrderLine(BaseModel):
    product_id: ProductId
    title: str
    quantity: int
    unit_price: Money

    @property
    def line_total(self) -> Decimal:
        return to_money(self.unit_price * self.quantity)


class Order(BaseModel):
    id: OrderId
    customer_id: CustomerId | None
    placed_at: datetime
    status: OrderStatus
    country: str = ""
    lines: list[OrderLine] = Field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return to_money(sum((line.line_total for line in self.lines), Decimal(0)))


class Customer(BaseModel):
    id: CustomerId
    name: str
    country: str = ""
