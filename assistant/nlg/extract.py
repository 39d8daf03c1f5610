"""Find checkable claims in text: amounts of money, order ids, dates, order statuses, numbers, names.

Each ``find_*`` returns the matches with their spans, so the grounding check can
mask what one pattern consumed before the next looks (a price is not also a
stray number).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from cartwise.currency import CURRENCY_WORDS, HUNDREDTHS

_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for m in names
}
_MONTH = r"(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"

_MONEY_PATTERNS = [
    re.compile(rf"(?P<unit>[£$€])\s?(?P<num>{_NUM})"),
    re.compile(rf"\b(?P<unit>GBP|USD|EUR)\s?(?P<num>{_NUM})", re.I),
    re.compile(rf"(?P<num>{_NUM})\s?(?P<unit>GBP|USD|EUR|pounds?|quid|dollars?|euros?|pence|cents?|p)\b", re.I),
]
_ORDER_ID = re.compile(r"(?<![\w.,])[A-Za-z]?\d{6,}(?![\w])")
_DATE_PATTERNS = [
    re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})\b"),
    re.compile(rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mon>{_MONTH})(?:,?\s+(?P<y>\d{{4}}))?\b", re.I),
    re.compile(rf"\b(?P<mon>{_MONTH})\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(?P<y>\d{{4}}))?\b", re.I),
    re.compile(r"\b(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{2,4})\b"),
]
_NUMBER = re.compile(rf"(?<![\w.,])(?:{_NUM})(?![\d])")
STATUS_WORDS = {
    "processing": "processing",
    "processed": "processing",
    "shipped": "shipped",
    "dispatched": "shipped",
    "delivered": "delivered",
    "cancelled": "cancelled",
    "canceled": "cancelled",
    "returned": "returned",
}
_STATUS_CLAIM = re.compile(
    r"\b(?:is|was|has|have|been|now|status(?:\s+is)?:?)\s+(?:(?:still|already|now|just|currently|being)\s+)?"
    r"(?P<status>" + "|".join(STATUS_WORDS) + r")\b|['’]s\s+(?:(?:still|already|now|just|being)\s+)?"  # noqa: RUF001
    r"(?P<status2>" + "|".join(STATUS_WORDS) + r")\b",
    re.I,
)
_HTML = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")
_QUOTED = re.compile(r"“([^”\n]{2,80})”|\"([^\"\n]{2,80})\"|\*\*([^*\n]{2,80})\*\*")


@dataclass(frozen=True)
class Found:
    """One claim found in the text."""

    start: int
    end: int
    raw: str


@dataclass(frozen=True)
class MoneyMention(Found):
    value: Decimal
    kind: str  # GBP / USD / EUR


@dataclass(frozen=True)
class DateMention(Found):
    year: int | None
    month: int
    day: int


def to_decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None


def mask(text: str, spans: list[Found]) -> str:
    """Blank out the spans (same length, so later spans stay valid)."""
    chars = list(text)
    for f in spans:
        chars[f.start : f.end] = " " * (f.end - f.start)
    return "".join(chars)


def find_money(text: str) -> list[MoneyMention]:
    """Every amount of money: "£3.50", "$1,299.99", "GBP 12", "3.50 pounds", "50p"."""
    out: list[MoneyMention] = []
    taken: list[tuple[int, int]] = []
    for pattern in _MONEY_PATTERNS:
        for m in pattern.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            value = to_decimal(m.group("num"))
            if value is None:
                continue
            unit = m.group("unit").lower()
            if unit in HUNDREDTHS:
                value = value / 100
            out.append(MoneyMention(m.start(), m.end(), m.group(0), value, CURRENCY_WORDS[unit]))
            taken.append((m.start(), m.end()))
    return out


def find_dates(text: str) -> list[DateMention]:
    """Dates written as 2011-12-08, 8 December 2011, Dec 8, 2011 or 8/12/2011."""
    out: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    for pattern in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            groups = m.groupdict()
            month = MONTHS[groups["mon"].lower().rstrip(".")] if groups.get("mon") else int(groups["m"])
            year = int(groups["y"]) if groups.get("y") else None
            if year is not None and year < 100:
                year += 2000
            out.append(DateMention(m.start(), m.end(), m.group(0), year, month, int(groups["d"])))
            taken.append((m.start(), m.end()))
    return out


def find_order_ids(text: str) -> list[Found]:
    """Order-number-like tokens: six or more digits, optionally after one letter (C581475)."""
    return [Found(m.start(), m.end(), m.group(0)) for m in _ORDER_ID.finditer(text)]


def find_numbers(text: str) -> list[tuple[Found, Decimal]]:
    """Every remaining number, with its value."""
    out = []
    for m in _NUMBER.finditer(text):
        value = to_decimal(m.group(0))
        if value is not None:
            out.append((Found(m.start(), m.end(), m.group(0)), value))
    return out


def find_status_claims(text: str) -> list[tuple[Found, str]]:
    """ "is shipped", "has been delivered", "status: processing": the claimed order status, normalised."""
    out = []
    for m in _STATUS_CLAIM.finditer(text):
        word = (m.group("status") or m.group("status2")).lower()
        out.append((Found(m.start(), m.end(), m.group(0)), STATUS_WORDS[word]))
    return out


def find_html(text: str) -> list[str]:
    return _HTML.findall(text)


def find_quoted(text: str) -> list[str]:
    """Names the text puts in quotes or bold."""
    return [next(g for g in m.groups() if g) for m in _QUOTED.finditer(text)]


_SENTENCE_END = re.compile(r"[.!?](?=\s|$)|\n")


def sentence_around(text: str, start: int) -> str:
    """The sentence (or line) that contains position ``start`` (decimal points don't end one)."""
    left = 0
    for m in _SENTENCE_END.finditer(text, 0, start):
        left = m.end()
    end = _SENTENCE_END.search(text, start)
    return text[left : end.start() if end else len(text)]
