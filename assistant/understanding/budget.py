"""Find a shopper's budget in a normalised message: "under £40", "10-20 quid", "预算200".

Rules (documented in the README of the slot extractor too):

* A bare number is never a budget. It needs a currency ("£20", "20 quid",
  "$800", "800 bucks", "100元") or a budget cue ("under 40", "between 10 and 20",
  "max 25", "50 or less").
* "around/about/roughly X" (and "X-ish", "X左右") is the range X ± 20 %.
* A currency amount with no cue ("a £20 gift") is an upper limit.
* Numbers followed by a unit ("30 days", "5 people", "27 inch") are not money;
  nor are amounts in a refund/charge/shipping context ("I was charged £20",
  "free delivery over £50") or years without a currency ("between 2010 and 2015").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from assistant.understanding.tokens import blank
from assistant.understanding.vocab import NUMBER_WORDS, UNIT_WORDS, wordset
from cartwise.currency import CURRENCY_WORDS, to_money

APPROX_MARGIN = Decimal("0.2")
# Words that are money in themselves or name its unit ("a fiver", "20 quid", "2 grand"): the spelling fixer must
# leave them alone ("fiver" is one letter from "five").
MONEY_WORDS = frozenset("fiver fivers tenner tenners quid buck bucks grand pound pounds dollar dollars euro euros "
                        "pence".split())

_UNITS = "one|two|three|four|five|six|seven|eight|nine"
_TEENS = "ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen"
_TENS = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
_SMALL = rf"(?:(?:{_TENS})(?: (?:{_UNITS}))?|{_TEENS}|{_UNITS})"
_WORD_END = r"(?![0-9a-z\u00c0-\u024f])"
_WORDNUM = (
    rf"a fiver|a tenner|fiver|tenner|(?:a|an|{_UNITS}) (?:hundred|thousand)(?: (?:and )?{_SMALL})?"
    rf"|{_SMALL}|(?:a|an|one)(?= grand)"
    # "under a pound", "less than a quid": the article is the amount when a currency word follows it.
    rf"|(?:a|an)(?= (?:pounds?|quid|bucks?|dollars?|euros?){_WORD_END})"
)


def _money(g: str, tail: bool = True) -> str:
    """A money amount with named groups prefixed ``g`` (a pattern may hold two)."""
    return (
        rf"(?:(?P<{g}pre>us\$|£|\$|€|¥|usd|gbp|eur|rmb|cny) ?)?"
        rf"(?:(?P<{g}num>\d{{1,3}}(?:,\d{{3}})+(?:\.\d{{1,2}})?|\d+(?:[.,]\d{{1,2}})?)(?![:/]\d)(?P<{g}k>k)?"
        rf"|(?P<{g}word>{_WORDNUM}){_WORD_END})"
        rf"(?: ?(?P<{g}grand>grand){_WORD_END})?"
        rf"(?: ?(?P<{g}suf>pounds?|quid|gbp|bucks?|dollars?|usd|euros?|eur|pence|p|rmb|yuan|£|\$|€|块钱|块|元|人民币)"
        rf"{_WORD_END})?" + (_WORD_END if tail else "")
    )


_A, _B = _money("a_"), _money("b_")
_START = r"(?<![0-9a-z\u00c0-\u024f.,])"
_UPPER = (
    r"nothing over|nothing above|nothing more than|nothing costing more than|not going over|not spending over"
    r"|for less than|less than|lower than|cheaper than|no more than|not more than|no higher than|not over"
    r"|not above|not exceeding|no greater than|under|below|beneath|maximum of|maximum|max|at most|up to|upto"
    r"|within|spend no more than|spending|spend|afford|capped at|cap of|limit of|limit is|limit"
    r"|budget(?: (?:is|of|was|max|limit|only|just|up to))*|<=|<|≤|不超过|不高于|低于|少于|最多|小于|预算"
)
_LOWER = (
    r"over|above|more than|greater than|at least|minimum of|minimum|min|starting at|starting from"
    r"|upwards of|north of|in excess of|from|>=|>|≥|超过|高于|大于|至少"
)
_LOWER_NEG = r"no less than|not less than|not under|not below|no lower than|no cheaper than"
_APPROX = (
    r"(?:(?:my )?budget (?:is |of )?)?(?:around|about|roughly|approximately|approx\.?|circa|something like"
    r"|somewhere around|in the region of|ballpark|~|预算(?:大概|大约|差不多)|大概|大约|差不多)"
)

# (kind, pattern); applied in order, each match blanked so later patterns can't reuse it.
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(p))
    for kind, p in (
        ("range", rf"{_START}between {_A} ?(?:and|to|&|-) ?{_B}"),
        ("range", rf"{_START}from {_A} ?(?:to|-|till|until|up to) ?{_B}"),
        ("range_dash", rf"{_START}{_A} ?(?:-|to|~|到|至) ?{_B}"),
        ("approx", rf"(?<![0-9a-z])(?:{_APPROX}) ?{_A}"),
        (
            "approx",
            rf"{_START}{_money('a_', tail=False)}(?: |-)?(?:ish|or so|give or take|or thereabouts|左右|上下)"
            rf"{_WORD_END}",
        ),
        ("min", rf"(?<![0-9a-z])(?:{_LOWER_NEG}) ?{_A}"),
        ("max", rf"(?<![0-9a-z])(?:{_UPPER}) ?:? ?{_A}"),
        ("min", rf"(?<![0-9a-z])(?:{_LOWER}) ?{_A}"),
        (
            "max_post",
            rf"{_START}{_A} ?(?:or less|or under|or below|or cheaper|or lower|and under|and below|maximum|max"
            rf"|tops|at most|at the most|limit|budget|total|in total|all in|altogether|以内|以下|之内){_WORD_END}",
        ),
        (
            "min_post",
            rf"{_START}{_A} ?(?:or more|and up|and upwards|and above|and over|plus|or above|or higher|minimum"
            rf"|at least|\+|以上)(?![0-9a-z])",
        ),
        ("bare", rf"{_START}{_A}"),
    )
)

_NEXT_WORD = re.compile(r"\s*([a-z%]+)")
_YEAR = re.compile(r"(19|20)\d\d")
_OLDEST_CHILD = 18  # years: an age bound after "kids", "children"... is at most this
_AGE_BEFORE = re.compile(r"(?:kids|children|child|toddlers?|babies|boys|girls|ages?|aged|teens?)\W*$")
_OF_BEFORE = re.compile(r"[a-z] of\W*$")
_BUDGET_BEFORE = re.compile(r"(?:budget|price|priced|spend|cost|costs|range|pay|paying)\b[^.!?]{0,20}$")
_NOT_A_BUDGET_BEFORE = re.compile(
    r"(?:charged|paid|refund\w*|cost me|spent|billed|deducted|taken|fees?|owe|overcharged|shipping|delivery"
    r"|postage|discount|voucher|coupon|cashback|refunded)\W+(?:[^\W\d]+\W+){0,3}$"
)
_NOT_A_BUDGET_AFTER = wordset(
    """
    off discount voucher coupon refund cashback fee charge deposit back twice extra postage shipping delivery
    credit
"""
)
# After a cue-less-currency amount ("50 or less ..."), the message must go on with
# one of these (or end), else "5 or more mugs" would read as a budget.
_FOLLOW_OK = wordset(
    """
    please pls thanks thank and but or for on if as so would is be i we in with total each budget pounds
"""
)

_NOT_PLURAL_NOUNS = wordset(
    """
    thanks thats whats this does always perhaps unless plus tops gifts presents ideas options things suggestions
    pounds dollars euros bucks cheers guys pls plz hers ours yours theirs each
"""
)


@dataclass(frozen=True)
class Budget:
    """A budget found in a message: limits in ``currency`` (ISO code)."""

    minimum: Decimal | None
    maximum: Decimal | None
    currency: str
    about: Decimal | None = None  # the amount "around X" aims at (the limits are X ± APPROX_MARGIN)


@dataclass(frozen=True)
class _Amount:
    value: Decimal
    currency: str | None  # ISO code when the text named one
    multiplied: bool  # "2k", "2 grand"
    year_like: bool
    article: bool = False  # "a pound": an amount only after a budget cue ("a pound of coffee" weighs)


def _word_value(text: str) -> Decimal:
    if text in ("a fiver", "fiver"):
        return Decimal(5)
    if text in ("a tenner", "tenner"):
        return Decimal(10)
    total, current = 0, 0
    for word in text.split():
        if word in ("a", "an"):
            current = 1
        elif word == "hundred":
            current = max(current, 1) * 100
        elif word == "thousand":
            total, current = (total + max(current, 1)) * 1000, 0
        elif word != "and":
            current += NUMBER_WORDS[word]
    return Decimal(total + current)


def _amount(m: re.Match[str], g: str) -> _Amount | None:
    pre, suf, num, word = m.group(g + "pre"), m.group(g + "suf"), m.group(g + "num"), m.group(g + "word")
    grand = m.group(g + "grand")
    k = m.group(g + "k") if num else None
    if num is not None:
        digits = num.replace(",", "") if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", num) else num.replace(",", ".")
        value = Decimal(digits)
    else:
        value = _word_value(word)
    symbol = pre or suf or ("fiver" if word and word.endswith(("fiver", "tenner")) else None)
    if suf in ("p", "pence"):
        if pre or k or grand or num is None or "." in num or value >= 100:
            return None  # "1080p", "£5p": not pence
        value /= 100
    if word is not None and symbol is None and grand is None:
        return None  # "under five" is an age far more often than a price
    if k or grand:
        value *= 1000
    year_like = num is not None and symbol is None and not (k or grand) and _YEAR.fullmatch(num) is not None
    currency = CURRENCY_WORDS.get(symbol) if symbol else None
    return _Amount(value, currency, bool(k or grand), year_like, article=word in ("a", "an") and not grand)


def _plural_noun(word: str) -> bool:
    return len(word) > 3 and word.endswith("s") and not word.endswith("ss") and word not in _NOT_PLURAL_NOUNS


def _unit_follows(text: str, end: int) -> bool:
    m = _NEXT_WORD.match(text, end)
    return m is not None and (m.group(1) in UNIT_WORDS or m.group(1).startswith("%"))


def _accept(kind: str, m: re.Match[str], text: str, a: _Amount, b: _Amount | None) -> bool:
    named = a.currency is not None or (b is not None and b.currency is not None)
    cue = m.group(0).split(" ", 1)[0]
    before = text[max(0, m.start() - 40) : m.start()]
    if _unit_follows(text, m.end()):
        return False
    # ("2000 max", "1500 tops": a limit said after the amount is as plain as one before it.)
    if not named and (a.year_like or (b is not None and b.year_like)) and kind not in ("max", "min", "max_post"):
        return False
    if not named and kind in ("max", "min", "approx") and _AGE_BEFORE.search(before) and a.value <= _OLDEST_CHILD:
        return False  # "toys for kids under 5": an age; "party bags for 10 kids under 20": no child is 20
    if kind == "range_dash" and not named and not _BUDGET_BEFORE.search(before):
        return False
    if kind == "min" and cue == "from" and not named:
        return False
    if not named and kind in ("max", "min", "approx", "range") and _OF_BEFORE.search(before) \
            and not _BUDGET_BEFORE.search(before):
        return False  # "a pack of more than 6", "a set of at least 4" count what the pack holds
    if not named and kind in ("max", "min", "approx", "range"):
        nxt = _NEXT_WORD.match(text, m.end())
        if nxt and _plural_noun(nxt.group(1)):
            return False  # "at least 6 mugs", "no more than 3 candles" count things
    if kind in ("max_post", "min_post") and not named:
        nxt = _NEXT_WORD.match(text, m.end())
        if nxt and nxt.group(1) not in _FOLLOW_OK:
            return False
    if kind == "bare":
        if not named or a.article:
            return False
        nxt = _NEXT_WORD.match(text, m.end())
        if nxt and nxt.group(1) in _NOT_A_BUDGET_AFTER:
            return False
    return not (kind in ("bare", "min", "max") and _NOT_A_BUDGET_BEFORE.search(before))


def find_budget(text: str, default_currency: str) -> tuple[Budget | None, str]:
    """The budget stated in a normalised message.

    Args:
        text: normalised message text (see :func:`assistant.understanding.tokens.normalize`).
        default_currency: ISO code used when the message names no currency.

    Returns:
        ``(budget or None, text with the budget phrases blanked)``.
    """
    low: Decimal | None = None
    high: Decimal | None = None
    about: Decimal | None = None
    currency: str | None = None
    for kind, pattern in _PATTERNS:
        for m in list(pattern.finditer(text)):
            a = _amount(m, "a_")
            b = _amount(m, "b_") if kind.startswith("range") else None
            if a is None or (kind.startswith("range") and b is None) or not _accept(kind, m, text, a, b):
                continue
            text = blank(text, m.start(), m.end())
            currency = currency or a.currency or (b.currency if b else None)
            lo, hi = _bounds(kind, a, b)
            if kind == "approx" and low is None and high is None:
                about = to_money(a.value)
            low = low if low is not None or lo is None else lo
            high = high if high is not None or hi is None else hi
    if low is None and high is None:
        return None, text
    if low is not None and high is not None and low > high:
        low, high = high, low
    return Budget(low, high, currency or default_currency, about), text



def approx_bounds(amount: Decimal) -> tuple[Decimal, Decimal]:
    """The range an "around ``amount``" budget allows: ``amount`` less and more :data:`APPROX_MARGIN`."""
    return to_money(amount * (1 - APPROX_MARGIN)), to_money(amount * (1 + APPROX_MARGIN))


def _bounds(kind: str, a: _Amount, b: _Amount | None) -> tuple[Decimal | None, Decimal | None]:
    if b is not None:
        first = a.value * 1000 if b.multiplied and not a.multiplied and a.value * 1000 <= b.value else a.value
        lo, hi = sorted((first, b.value))
        return to_money(lo), to_money(hi)
    if kind == "approx":
        return approx_bounds(a.value)
    if kind in ("min", "min_post"):
        return to_money(a.value), None
    return None, to_money(a.value)


# Words a new amount for a standing budget is said after ("make it 40", "say 30") or before ("40 instead").
_RESTATED_AFTER = (("make", "it"), ("make", "that"), ("say",), ("change", "it", "to"), ("up", "to"))
_RESTATED_BEFORE = ("instead", "then", "max", "tops")


def restated_amount(words: Sequence[str]) -> Decimal | None:
    """A bare amount restating a budget already standing ("make it 40", "say 30", "25 instead"), or None.

    Only after a request with a budget is such a number a budget: "make it 4" after a single mug is a count.
    """
    for i, word in enumerate(words):
        value = Decimal(word) if word.isdigit() and len(word) <= 6 else NUMBER_WORDS.get(word)
        if value is None:
            continue
        before, after = tuple(words[max(0, i - 3):i]), words[i + 1:i + 2]
        # The number ends the phrase: "make it 2 of each" counts things, "make it 20" restates the budget.
        if after and after[0] not in _RESTATED_BEFORE:
            continue
        if after or any(before[-len(cue):] == cue for cue in _RESTATED_AFTER):
            return to_money(Decimal(value))
    return None
