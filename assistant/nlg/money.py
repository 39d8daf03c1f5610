"""Money and date formatting shared by the templates, the prompt and the grounding check."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from cartwise.models import to_money


def format_money(amount: Decimal | float | int | str, currency: str) -> str:
    """Format an amount with the shop's currency and two decimals.

    Args:
        amount: the amount (anything :func:`cartwise.models.to_money` accepts).
        currency: a symbol ("£", "$", "€") or an ISO code ("GBP").

    Returns:
        "£3.50", "$1,299.99" or "GBP 3.50" for a code.
    """
    value = to_money(amount)
    number = f"{value:,.2f}"
    if currency.isalpha() and len(currency) > 1:
        return f"{currency} {number}"
    return f"{currency}{number}"


def format_date(when: datetime | date) -> str:
    """A date the way replies show it: "9 December 2011"."""
    return f"{when.day} {when:%B %Y}"
