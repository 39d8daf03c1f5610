"""Redact personal data from text before it is stored or logged.

E-mail addresses, phone numbers, payment card numbers (only digit runs that
pass the Luhn check, so order ids and stock codes survive) and street
addresses are replaced by placeholders.
"""

from __future__ import annotations

import re

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_CARD = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")
_PHONE = re.compile(r"(?<![\w+])\+?\(?\d[\d ().-]{7,16}\d(?![\w])")
_STREET = re.compile(
    r"\b\d{1,5}[a-zA-Z]?\s+(?:[A-Z][a-z]+\s+){1,4}"
    r"(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Dr|Close|Way|Court|Ct|Place|Pl|Boulevard|Blvd|Terrace|Crescent|Gardens)\b\.?"
)


def luhn_ok(digits: str) -> bool:
    total, parity = 0, len(digits) % 2
    for i, ch in enumerate(digits):
        d = int(ch)
        if i % 2 == parity:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _card(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    return "[card]" if 13 <= len(digits) <= 19 and luhn_ok(digits) else match.group(0)


def _phone(match: re.Match[str]) -> str:
    # 9-13 digits written as a phone number: leading + or 0, or grouped with separators.
    raw = match.group(0)
    digits = re.sub(r"\D", "", raw)
    looks_dialled = raw.startswith(("+", "0", "(")) or bool(re.search(r"\d[ .-]\d", raw))
    return "[phone]" if 9 <= len(digits) <= 13 and looks_dialled else raw


def has_card_number(text: str) -> bool:
    """True when ``text`` holds a digit run that passes the Luhn check (a payment card number)."""
    return any(_card(m) == "[card]" for m in _CARD.finditer(text))


def redact(text: str) -> str:
    """Return ``text`` with personal data replaced.

    Example:
        >>> redact("mail me at jo@example.com, card 4111 1111 1111 1111")
        'mail me at [email], card [card]'
    """
    text = _EMAIL.sub("[email]", text)
    text = _CARD.sub(_card, text)
    text = _STREET.sub("[address]", text)
    text = _PHONE.sub(_phone, text)
    return text
