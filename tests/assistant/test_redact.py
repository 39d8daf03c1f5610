from __future__ import annotations

import pytest

from assistant.redact import luhn_ok, redact

pytestmark = pytest.mark.no_shop  # reads no built shop: runs while a fresh clone builds them


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("write to jo.smith+shop@example.co.uk please", "write to [email] please"),
        ("my card is 4111 1111 1111 1111", "my card is [card]"),
        ("card 5500-0000-0000-0004 expired", "card [card] expired"),
        ("call me on 07700 900123", "call me on [phone]"),
        ("or +44 20 7946 0958 after six", "or [phone] after six"),
        ("I live at 221B Baker Street, London", "I live at [address], London"),
        ("ship to 10 Downing St.", "ship to [address]"),
    ],
)
def test_personal_data_is_redacted(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "where is order 536365?",  # an order id is not personal data
        "stock code 85123A",
        "between 10 and 20 pounds",
        "4111111111111112 is not a valid card",  # fails the Luhn check
        "I want 12 mugs for 2011",
    ],
)
def test_shop_facts_survive(text: str) -> None:
    assert redact(text) == text


def test_luhn() -> None:
    assert luhn_ok("4111111111111111")
    assert not luhn_ok("4111111111111112")
