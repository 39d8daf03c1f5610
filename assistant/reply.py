"""What the assistant returns for one turn: the public, stable reply model.

The UI, the embeddable widget, the JSON API, the YAML dialog tests and outside
scripts all read these fields; add fields, never rename or remove them.
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, Field

from cartwise.models import Money


class ShownProduct(BaseModel):
    """A product as shown to the shopper, with why it is shown."""

    id: str
    title: str
    price: Money
    category: str = ""
    reason: str = ""
    in_stock: bool = True
    rating: float | None = None  # out of 5, when the catalog has one


class BundleItem(BaseModel):
    id: str
    title: str
    price: Money
    quantity: int = 1
    category: str = ""
    reason: str = ""

    @property
    def line_total(self) -> Decimal:
        return self.price * self.quantity


class ShownBundle(BaseModel):
    """A set of products that go together, with a total and the budget it was built for."""

    items: list[BundleItem] = Field(default_factory=list)
    total: Money = Decimal("0.00")
    budget: Money | None = None
    within_budget: bool = True
    note: str = ""


class Reply(BaseModel):
    """One assistant turn.

    Attributes:
        text: what the shopper reads.
        intent: the intent label acted on; ``confidence`` its probability.
        products: products shown, best first.
        bundle: the current bundle when this turn built or edited one.
        handoff: True when the conversation was passed to a human.
        options: quick replies (clarifying choices, "did you mean" options).
        slots: what the assistant understood (for shop staff and dialog tests).
        session_id: the conversation this reply belongs to.
    """

    text: str
    intent: str
    confidence: float = 0.0
    products: list[ShownProduct] = Field(default_factory=list)
    bundle: ShownBundle | None = None
    handoff: bool = False
    options: list[str] = Field(default_factory=list)
    slots: dict[str, str] = Field(default_factory=dict)
    session_id: str = ""
    sources: list[str] = Field(default_factory=list)
