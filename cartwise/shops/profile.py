"""How a shop presents itself and the numbers its policies promise: name, currency, return windows."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from cartwise.settings import Settings


@dataclass(frozen=True)
class ShopProfile:
    """A shop's identity and the policy numbers the assistant computes with (the policy text is quoted as is).

    Attributes:
        name: the shop's key (``giftshop``).
        display_name: shown in greetings.
        currency: currency symbol.
        today: a fixed "today" for demo data whose orders are years old (None: the real date). The giftshop
            demo's is 2011-12-10, the day after its last order, so order ages read as they would have then.
        return_window_days: days after delivery an item can be returned (returns policy).
        damage_report_days: days after delivery to report an item that arrived broken (returns policy).
        delivery_days: calendar days an order takes to arrive with standard delivery (shipping policy).
    """

    name: str
    display_name: str
    currency: str
    today: date | None = None
    return_window_days: int = 30
    damage_report_days: int = 14
    delivery_days: int = 5

    def current_date(self) -> date:
        return self.today or date.today()


DEMO_SHOPS = {
    "giftshop": ShopProfile("giftshop", "Cartwise Gift Shop", "£", today=date(2011, 12, 10)),
    "electronics": ShopProfile("electronics", "Cartwise Electronics", "$"),
}


def shop_profile(settings: Settings) -> ShopProfile:
    """The demo shop's profile, or one for a custom shop (currency from ``CARTWISE_CURRENCY``)."""
    base = DEMO_SHOPS.get(settings.shop, ShopProfile(settings.shop, settings.shop.replace("_", " ").title(), "£"))
    if settings.currency:
        return replace(base, currency=settings.currency)
    return base
