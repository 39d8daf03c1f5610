"""The one currency table: which ISO code a symbol, code or word names, and money parsed from and written as text.

A shop states its currency (symbol and ISO code) in its profile (:mod:`cartwise.shops.profile`); the budget
reader, the grounding check, the catalog reader and the reply templates all look codes up here.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from types import MappingProxyType

CENT = Decimal("0.01")

# Symbol -> ISO code. A symbol shared by several currencies ($) means the one the demo shops and shoppers mean.
SYMBOL_CODES = MappingProxyType({"£": "GBP", "$": "USD", "€": "EUR", "¥": "CNY"})

# Every symbol, code and word that names a currency in a shopper's message or a reply (lower case) -> ISO code.
# "p"/"pence"/"cent(s)" are hundredths (HUNDREDTHS); "fiver"/"tenner" are amounts that name their currency.
CURRENCY_WORDS = MappingProxyType({
    **SYMBOL_CODES,
    "us$": "USD",
    **{code.lower(): code for code in SYMBOL_CODES.values()},
    "rmb": "CNY",
    **dict.fromkeys(("pound", "pounds", "quid", "pence", "p", "fiver", "tenner"), "GBP"),
    **dict.fromkeys(("buck", "bucks", "dollar", "dollars", "cent", "cents"), "USD"),
    **dict.fromkeys(("euro", "euros"), "EUR"),
    **dict.fromkeys(("元", "块", "块钱", "yuan", "人民币"), "CNY"),
})
HUNDREDTHS = frozenset({"p", "pence", "cent", "cents"})

# What a price in a catalog file may carry around its number ("$1,799.99", "GBP 3.50").
_PRICE_MARKS = (*SYMBOL_CODES, *SYMBOL_CODES.values())


def iso_code(currency: str) -> str | None:
    """The ISO code of a currency symbol or code ("£" -> "GBP", "EUR" -> "EUR"); None for one not in the table.

    Example:
        >>> iso_code("€"), iso_code("USD"), iso_code("₹")
        ('EUR', 'USD', None)
    """
    currency = currency.strip()
    if currency in SYMBOL_CODES:
        return SYMBOL_CODES[currency]
    return currency if currency in SYMBOL_CODES.values() else None


def to_money(value: object) -> Decimal:
    """Parse ``value`` (number or text like "$1,799.99" / "£3.50") to a 2-place Decimal.

    Raises:
        ValueError: if it is not a number.
    """
    if isinstance(value, Decimal):
        d = value
    elif isinstance(value, (int, float)):
        d = Decimal(str(value))
    else:
        text = str(value).strip().replace(",", "")
        for mark in _PRICE_MARKS:
            text = text.replace(mark, "")
        try:
            d = Decimal(text.strip())
        except ArithmeticError as exc:
            raise ValueError(f"not a price: {value!r}") from exc
    if not d.is_finite():
        raise ValueError(f"not a finite price: {value!r}")
    return d.quantize(CENT, rounding=ROUND_HALF_UP)


def format_money(amount: Decimal | float | int | str, currency: str) -> str:
    """Format an amount with the shop's currency and two decimals.

    Args:
        amount: the amount (anything :func:`to_money` accepts).
        currency: a symbol ("£", "$", "€") or an ISO code ("GBP").

    Returns:
        "£3.50", "$1,299.99" or "GBP 3.50" for a code.
    """
    number = f"{to_money(amount):,.2f}"
    if currency.isalpha() and len(currency) > 1:
        return f"{currency} {number}"
    return f"{currency}{number}"
