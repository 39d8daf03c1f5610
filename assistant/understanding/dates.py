"""When an order was placed, as a message says it: "on 9 november", "the 28th of november", "yesterday",
"last week". A small parser (as Rasa keeps Duckling for dates); the year and "today" are the shop's to supply.

Example:
    >>> placed, rest = find_order_date("where's the one i placed on the 9th of november?")
    >>> placed, rest.count("\\x1f") > 0
    (OrderDate(month=11, day=9, days_ago=None), True)
    >>> from datetime import date
    >>> find_order_date("i ordered it yesterday")[0].span(date(2011, 12, 9))
    (datetime.date(2011, 12, 8), datetime.date(2011, 12, 8))
"""

from __future__ import annotations

import re

from assistant.types import RELATIVE_DAYS, OrderDate
from assistant.understanding.catalog import words_of
from assistant.understanding.tokens import blank
from assistant.understanding.vocab import ORDER_WORDS, SPENDING_WORDS

_MONTHS = {m: i for i, names in enumerate((
    "january jan", "february feb", "march mar", "april apr", "may", "june jun", "july jul", "august aug",
    "september sep sept", "october oct", "november nov", "december dec"), start=1) for m in names.split()}
_MONTH = "(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")[a-z]*\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_DAY_MONTH = re.compile(rf"\b(?:the\s+)?{_DAY}\s+(?:of\s+)?{_MONTH}(?![a-z])")
_MONTH_DAY = re.compile(rf"\b{_MONTH}\s+(?:the\s+)?{_DAY}\b")
# A month alone is a date only after a word placing something in time ("the one from january", "back in march"):
# "january sale" or "may i" are not.
_IN_MONTH = re.compile(r"\b(?:in|from|during)\s+(?P<month>" + "|".join(
    m for m in _MONTHS if len(m) > 3 or m == "may") + r")\b")
# Grammar words that may follow a month that dates the order ("from january and ...", "in march i think"); any
# other word makes the month a description ("in march colours"), unless the message speaks of an order.
_CLAUSE_GOES_ON = frozenset("and or but i we you it that this was were is did do from to for with when please then "
                            "last".split())
# In a message that speaks of an order, a month's full name dates it wherever it stands: "my june order", "june's
# delivery", "the order i placed in october never came" ("may" stays a verb there: "may i return my order").
_NAMED_MONTH = re.compile(r"\b(?P<month>" + "|".join(m for m in _MONTHS if len(m) > 3) + r")s?\b")
# A year after a date ("9 november 2010", "december 2010"), or placing an order alone ("my orders from 2011").
_YEAR_AFTER = re.compile(r"^,?\s*(?P<year>(?:19|20)\d\d)\b")
_IN_YEAR = re.compile(r"\b(?:in|from|during|of|since)\s+(?P<year>(?:19|20)\d\d)\b")
# Or before the orders it dates ("my 2010 orders", "the 2011 purchases"), as a month's name may ("my june order").
_YEAR_BEFORE = re.compile(r"\b(?P<year>(?:19|20)\d\d)\s+(?P<next>[a-z]+)")
# "this year", "last year": in a message about orders or spending ("how much have i spent this year").
_YEAR_BACK = re.compile(r"\b(?P<which>this|last)\s+year\b")
# "what did i buy last christmas": the orders of the latest Christmas past (in a message about orders or spending;
# "christmas" alone is a range of things the shop sells).
# ("last christmas", "christmas last year", "last year at christmas", "over xmas last year".)
_LAST_CHRISTMAS = re.compile(r"\b(?:last\s+(?:christmas|xmas)|(?:christmas|xmas)\s+(?:of\s+)?last\s+year|"
                             r"last\s+year\s+(?:at|for|over|around)\s+(?:christmas|xmas))\b")
_RELATIVE_RE = re.compile(r"\b(?P<phrase>" + "|".join(
    re.escape(p) for p in sorted(RELATIVE_DAYS, key=len, reverse=True)) + r")\b")


def find_order_date(text: str) -> tuple[OrderDate | None, str]:
    """The first date ``text`` gives (lower-case, normalised) and the text with every date blanked.

    A day needs its month ("the 9th" alone is a position in a list, not a date); a month alone needs a word
    placing the order in it ("in march", "from january"); "may" is a month only beside a day number or "in".
    """
    found: list[tuple[int, OrderDate]] = []

    def add(start: int, end: int, month: int, day: int | None = None) -> None:
        nonlocal text
        year = _YEAR_AFTER.match(text[end:])
        found.append((start, OrderDate(month=month, day=day, year=int(year.group("year")) if year else None)))
        text = blank(text, start, end + (year.end() if year else 0))

    for pattern in (_DAY_MONTH, _MONTH_DAY):
        for m in list(pattern.finditer(text)):
            day = int(m.group("day"))
            if 1 <= day <= 31:
                add(m.start(), m.end(), _MONTHS[m.group("month")], day)
    said = set(words_of(text))
    of_an_order = not said.isdisjoint(ORDER_WORDS)
    for m in list(_IN_MONTH.finditer(text)):
        following = text[m.end():].split(maxsplit=1)
        if following and following[0].isalpha() and following[0] not in _CLAUSE_GOES_ON and not of_an_order:
            continue  # "in march colours": the month describes a thing, not when it was ordered
        add(m.start(), m.end(), _MONTHS[m.group("month")])
    for m in list(_NAMED_MONTH.finditer(text)) if of_an_order else []:
        add(m.start("month"), m.end("month"), _MONTHS[m.group("month")])
    for m in list(_IN_YEAR.finditer(text)) if of_an_order else []:
        found.append((m.start(), OrderDate(year=int(m.group("year")))))
        text = blank(text, m.start(), m.end())
    for m in list(_YEAR_BEFORE.finditer(text)):
        if m.group("next") in ORDER_WORDS:
            found.append((m.start(), OrderDate(year=int(m.group("year")))))
            text = blank(text, m.start(), m.end("year"))
    for m in list(_LAST_CHRISTMAS.finditer(text)) if of_an_order or not said.isdisjoint(SPENDING_WORDS) else []:
        found.append((m.start(), OrderDate(last_christmas=True)))
        text = blank(text, m.start(), m.end())
    for m in list(_YEAR_BACK.finditer(text)) if of_an_order or not said.isdisjoint(SPENDING_WORDS) else []:
        found.append((m.start(), OrderDate(years_back=0 if m.group("which") == "this" else 1)))
        text = blank(text, m.start(), m.end())
    for m in list(_RELATIVE_RE.finditer(text)):
        found.append((m.start(), OrderDate(days_ago=RELATIVE_DAYS[m.group("phrase")])))
        text = blank(text, m.start(), m.end())
    return (min(found, key=lambda f: f[0])[1] if found else None), text
