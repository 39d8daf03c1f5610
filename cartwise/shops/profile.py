"""How a shop presents itself: display name and currency."""

from __future__ import annotations

from dataclasses import dataclass

from cartwise.settings import Settings


@dataclass(frozen=True)
class ShopProfile:
    name: str
    display_name: str
    currency: str


DEMO_SHOPS = {
    "giftshop": ShopProfile("giftshop", "Cartwise Gift Shop", "£"),
    "electronics": ShopProfile("electronics", "Cartwise Electronics", "$"),
}


def shop_profile(settings: Settings) -> ShopProfile:
    """The demo shop's profile, or one for a custom shop (currency from ``CARTWISE_CURRENCY``)."""
    base = DEMO_SHOPS.get(settings.shop, ShopProfile(settings.shop, settings.shop.replace("_", " ").title(), "£"))
    if settings.currency:
        return ShopProfile(base.name, base.display_name, settings.currency)
    return base
