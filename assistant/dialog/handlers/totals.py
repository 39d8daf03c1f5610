"""What several products on the screen come to together ("how much for the first and second together", "whats the
total if i get 2 of those"), from the catalog's own prices: each line, then the sum."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from assistant.types import ShownProduct
from cartwise.models import Product


def priced_together(products: Sequence[Product], quantity: int, currency: str) -> tuple[list[ShownProduct], str]:
    """Each product with its line (``quantity`` of it when there is one product, one of each when there are
    several), and the sentence saying what they come to; a sold-out product is priced but said to be out of
    stock, so the total is never of something that cannot be bought without saying so."""
    count = max(1, quantity) if len(products) == 1 else 1
    shown: list[ShownProduct] = []
    total = Decimal("0")
    for p in products:
        line = p.price * count
        total += line
        priced = f"{count} × {currency}{p.price:.2f} = {currency}{line:.2f}" if count > 1 else ""  # noqa: RUF001
        shown.append(ShownProduct(id=p.id, title=p.title, price=p.price, category=p.category, in_stock=p.in_stock,
                                  rating=p.rating, reason="; ".join(x for x in (priced, "" if p.stock else
                                                                                "out of stock") if x)))
    if len(products) == 1:
        detail = (f"{count} × {products[0].title} at {currency}{products[0].price:.2f} each come to "  # noqa: RUF001
                  f"{currency}{total:.2f}.")
    else:
        detail = f"Bought together, one of each, these {len(products)} come to {currency}{total:.2f}."
    sold_out = sum(1 for p in products if not p.stock)
    if sold_out:
        detail += (" One of them is" if sold_out == 1 else f" {sold_out} of them are") + " out of stock at the moment."
    return shown, detail
