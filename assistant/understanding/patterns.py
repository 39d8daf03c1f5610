"""Order ids, measured sizes and quantities in a normalised message.

Order ids and measurements are read first and blanked, so "invoice 536365" or
"27 inch" is never taken for a budget or a quantity.
"""

from __future__ import annotations

import re
from collections.abc import Sequence, Set

from assistant.understanding.tokens import Token, blank
from assistant.understanding.vocab import COUNT_NOUNS, NUMBER_WORDS, PEOPLE_NOUNS, UNIT_WORDS, wordset

# The largest "for N" read as a head count when no word for people follows ("a tea party for 12"): above it,
# "a laptop for 800" names a price, not 800 people.
MAX_BARE_HEAD_COUNT = 100

# "order 536365", "invoice no. C536379", "my order number is 12345678": 5-15 digits after the word.
_ORDER_CUE = re.compile(
    r"(?<![0-9a-z])(?:order|invoice|purchase|receipt|transaction|inv)s?"
    r"(?:\W{0,3}(?:number|num|no|nr|id|ref|reference|code|is|was)(?![0-9a-z])){0,3}\W{0,3}"
    r"(?P<id>c?\d{5,15})(?![0-9a-z])"
)
_ORDER_HASH = re.compile(r"(?<![0-9a-z&])# ?(?P<id>c?\d{5,15})(?![0-9a-z])")
# The giftshop's invoice numbers: six digits starting with 5, "C" for a cancellation.
_ORDER_BARE = re.compile(
    r"(?<![0-9a-z£$€¥.,#])(?P<id>c?5\d{5})"
    r"(?![0-9a-z]|[.,]\d| ?(?:pounds?|quid|bucks?|dollars?|euros?|gbp|usd|eur|元|块|£|\$|€)(?![a-z]))"
)

_MEASURE = re.compile(
    r"(?<![0-9a-z.,£$€¥])(?P<n>\d{1,3}(?:\.\d{1,2})?)"
    r"(?:(?: ?- ?| )?(?P<u>inches|inch|cm|mm|\"|'')|(?P<attached>in))(?![0-9a-z])"
)
# Specs that are neither sizes nor prices ("16gb", "rtx 4060", "1080p"): kept out of budgets and counts, and
# searched with as written.
_SPEC = re.compile(
    r"(?<![0-9a-z.,£$€¥])\d+(?:\.\d+)?(?: ?(?:gb|tb|mb|ghz|mhz|hz|mah|mp|megapixels?|watts?|volts?|fps|nits|dpi"
    r"|ppi|bit|kg|lbs?|oz|ml|litres?|liters?|ft|feet|foot|metres?|meters?|ch|channels?|cores?|pieces?|pcs)|(?:g|l|m|v|w))"
    r"(?![0-9a-z])|(?<![0-9a-z.,])\d{3,4}p(?![0-9a-z])|(?<![0-9a-z])(?:rtx|gtx|rx|i[3579]|ryzen) ?\d{1,5}[a-z]{0,2}"
)
_STOCK_CODE = re.compile(
    r"(?<![0-9a-z])\d{5}[a-z]{1,3}(?![0-9a-z])|(?:stock code|sku|item code|product code)\W{0,3}\w+"
)


def find_order_id(text: str) -> tuple[str | None, str]:
    """The first order/invoice number in ``text`` (upper-cased "C" kept) and the text with every one blanked."""
    found: list[tuple[int, str]] = []
    for pattern in (_ORDER_CUE, _ORDER_HASH, _ORDER_BARE):
        for m in list(pattern.finditer(text)):
            found.append((m.start("id"), m.group("id").upper()))
            text = blank(text, m.start(), m.end())
    return (min(found)[1] if found else None), text


def find_measures(text: str) -> tuple[str | None, str, tuple[tuple[str, int], ...]]:
    """A measured size ("27 inch", "30 cm"), the text with measurements, specs and stock codes blanked, and the
    specs as written ("rtx 4060", "16gb") with where each starts: a shopper searches by them, asks whether a
    product has one ("does it have 5g"), and no budget or count may read them."""
    size = None
    for m in list(_MEASURE.finditer(text)):
        unit = m.group("u") or m.group("attached")
        unit = "inch" if unit in ("inches", "inch", '"', "''", "in") else unit
        size = size or f"{m.group('n')} {unit}"
        text = blank(text, m.start(), m.end())
    specs: list[tuple[str, int]] = []
    for pattern in (_SPEC, _STOCK_CODE):
        for m in list(pattern.finditer(text)):
            if pattern is _SPEC:
                specs.append((m.group(0), m.start()))
            text = blank(text, m.start(), m.end())
    return size, text, tuple(specs)


_QTY_PREV_OK = frozenset(
    """
    i we want wants need needs buy get order take have of for about around approximately roughly some like the these
    those with and or add me us please to x just only all any another more extra additional them purchase grab send
    ship gift find show see looking recommend suggest pick choose needed require bought ordered make it would id ill
    can could should is are be there maybe perhaps exactly least want got
""".split()
)
_PEOPLE_GROUP = frozenset({"family", "group", "party", "table", "team", "household"})
_AFTER_PEOPLE_OK = frozenset(
    """
    under below over around about with at and or please pls in on from this next for who that guests people persons
    adults of us but so under budget max
""".split()
)
_SKIP_PREV = wordset(
    """
    number no option item choice result page step version model series gen generation size top pick # year day
    chapter room
"""
)
_NOT_NOUN = wordset(
    """
    thanks this is was has its thats whats does as us yes plus less always perhaps his hers ours yours theirs
    please pounds dollars bucks euros quid tops pls cheers
"""
)
_BETWEEN_STOP = wordset(
    """
    and or of the for to in on at with under over from by is are a an per than please
"""
)


_TIMES = re.compile(r"x(\d{1,4})|(\d{1,4})x")


def _count_at(words: Sequence[str], i: int) -> tuple[int, int, bool] | None:
    """``(value, tokens used, explicit)`` when a count starts at ``words[i]``; explicit for "x6", "a dozen"."""
    w = words[i]
    nxt = words[i + 1] if i + 1 < len(words) else ""
    if w == "half" and nxt == "a" and i + 2 < len(words) and words[i + 2] == "dozen":
        return 6, 3, True
    if w == "a" and nxt == "dozen":
        return 12, 2, True
    if w == "dozen" and (i == 0 or words[i - 1] not in ("a", "half")):
        return 12, 1, True
    if w == "a" and nxt == "couple" and i + 2 < len(words) and words[i + 2] == "of":
        return 2, 3, False
    if w.isdigit() and len(w) <= 4 and not re.fullmatch(r"(19|20)\d\d", w):
        value = int(w)
        return (value, 1, False) if value > 0 else None
    if w in NUMBER_WORDS:
        if NUMBER_WORDS[w] >= 20 and NUMBER_WORDS.get(nxt, 10) < 10:
            return NUMBER_WORDS[w] + NUMBER_WORDS[nxt], 2, False
        return NUMBER_WORDS[w], 1, False
    m = _TIMES.fullmatch(w)
    if m:
        value = int(m.group(1) or m.group(2))
        return (value, 1, True) if value > 0 else None  # "x0" is no count (and Slots.quantity must be >= 1)
    return None


def _is_noun(words: Sequence[str], k: int, product_starts: Set[int]) -> bool:
    w = words[k]
    pair = f"{w} {words[k + 1]}" if k + 1 < len(words) else ""
    if k in product_starts or w in COUNT_NOUNS or w in PEOPLE_NOUNS or pair in COUNT_NOUNS or pair in PEOPLE_NOUNS:
        return True
    return (
        len(w) > 3
        and w.isalpha()
        and w.endswith("s")
        and not w.endswith("ss")
        and w not in UNIT_WORDS
        and w not in _NOT_NOUN
    )


def find_quantity(tokens: Sequence[Token], product_starts: Set[int]) -> int | None:
    """How many items (or people) the shopper wants: "6 mugs", "for four", "a dozen", "qty 3".

    Args:
        tokens: tokens of the message after budgets, order ids and sizes were blanked.
        product_starts: indices of tokens where a product phrase starts.

    Returns:
        The first count found, or None.
    """
    words = [t.text for t in tokens]
    for i in range(len(words)):
        count = _count_at(words, i)
        if count is None:
            continue
        value, used, explicit = count
        j = i + used
        prev = words[i - 1] if i > 0 else ""
        nxt = words[j] if j < len(words) else ""
        if prev in _SKIP_PREV or (prev == "." and i > 1 and words[i - 2] == "no"):
            continue
        if words[i] == "one" and nxt in ("of", "more", "day", ""):
            continue
        if explicit or prev in ("qty", "quantity"):
            return value
        if (nxt in UNIT_WORDS and nxt not in PEOPLE_NOUNS) or (
            nxt in ("/", ":", ".", ",") and j + 1 < len(words) and words[j + 1].isdigit()
        ):
            continue  # "5 years", "12/03/2019", "8:30"
        people_cue = prev == "for" or (prev == "of" and i > 1 and words[i - 2] in _PEOPLE_GROUP)
        if people_cue and nxt not in PEOPLE_NOUNS and value > MAX_BARE_HEAD_COUNT:
            continue  # "a laptop for 800": a price, not 800 people
        if people_cue and (not nxt or not nxt.isalnum() or nxt in _AFTER_PEOPLE_OK or nxt in PEOPLE_NOUNS):
            return value
        if prev and prev not in _QTY_PREV_OK and prev.isalnum():
            continue  # "rtx 4070", "iphone 15": model numbers
        for k in range(j, min(j + 3, len(words))):
            if _is_noun(words, k, product_starts):
                return value
            if not words[k].isalpha() or words[k] in _BETWEEN_STOP:
                break
        if prev in ("take", "buy", "order", "get", "need", "want", "grab", "add") and (
            not nxt or not nxt.isalnum() or nxt in ("please", "pls", "of", "thanks", "then", "more")
        ):
            return value
    return None
