"""Requests and results of the bundle builder (pydantic models at the package boundary)."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from cartwise.currency import to_money
from cartwise.models import Money, Product, ProductId
from retrieval.history import HistoryProfile

BundleSource = Literal["anchor", "copurchase", "rule", "theme", "search", "similar"]


class BundleRequest(BaseModel):
    """What the shopper asked a bundle for.

    Give an ``anchor_id`` ("what goes with this cake stand"), a ``theme`` ("tea party"), or both.

    Attributes:
        anchor_id: the product the bundle is built around.
        theme: an occasion or free text ("kids birthday", "home office").
        budget: the most the bundle may cost (exact money), or None for no limit.
        size: number of items wanted (default: ``settings.bundle_size``).
        people: how many people it is for ("for four"): per-person items get that quantity.
        include_anchor: the anchor is part of the bundle (its price counts toward the budget).
        allow_similar: allow several items of the same kind (e.g. lunch bags in different patterns).
        in_stock_only: leave out products that are out of stock.
        exclude_ids: products never to propose (already in the basket, rejected).
        profile: the shopper's history, to prefer what they like.
    """

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    anchor_id: ProductId | None = None
    theme: str | None = Field(default=None, max_length=200)
    budget: Money | None = Field(default=None, ge=0)
    size: int | None = Field(default=None, ge=1, le=20)
    people: int | None = Field(default=None, ge=1, le=100)
    include_anchor: bool = False
    allow_similar: bool = False
    in_stock_only: bool = True
    exclude_ids: frozenset[ProductId] = frozenset()
    profile: HistoryProfile | None = None

    @model_validator(mode="after")
    def _needs_anchor_or_theme(self) -> BundleRequest:
        if not self.anchor_id and not (self.theme and self.theme.strip()):
            raise ValueError("a bundle needs an anchor_id (a product to build around) or a theme (e.g. 'tea party')")
        return self


class BundleItem(BaseModel):
    """One product in a bundle.

    Attributes:
        product: the product.
        quantity: how many (more than 1 for per-person items).
        role: the slot it fills ("teapot", "monitor"); at most one item per role.
        reason: why it is in the bundle, from the data ("bought together with ... in 212 orders").
        source: where the suggestion came from.
    """

    model_config = ConfigDict(frozen=True)

    product: Product
    quantity: int = Field(1, ge=1)
    role: str
    reason: str
    source: BundleSource

    @property
    def line_total(self) -> Decimal:
        return to_money(self.product.price * self.quantity)


class BundleResult(BaseModel):
    """A bundle: items, exact total and whether it respects the budget.

    Attributes:
        items: the products, in the order they were chosen (the anchor first when included).
        total: exact sum of ``price * quantity``.
        budget: the budget asked for, or None.
        within_budget: False only when no set fits the budget; then ``items`` is the cheapest set found.
        note: one or two sentences for the shopper (budget use, what could not be met).
        anchor: the anchor product, when the request had one.
        theme: the known theme that was used ("tea party"), or the free text searched, or None.
    """

    model_config = ConfigDict(frozen=True)

    items: list[BundleItem]
    total: Money
    budget: Money | None = None
    within_budget: bool = True
    note: str = ""
    anchor: Product | None = None
    theme: str | None = None

    @property
    def remaining(self) -> Decimal | None:
        return None if self.budget is None else to_money(self.budget - self.total)
