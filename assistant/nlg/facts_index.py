"""Everything a reply may state, collected from one :class:`ReplyFacts` for the grounding check."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from assistant.facts import ReplyFacts
from assistant.nlg import extract
from cartwise.currency import iso_code
from cartwise.models import Order

_WORD = re.compile(r"[\w'’&-]+")  # noqa: RUF001


def tokens(text: str) -> set[str]:
    """Lower-cased words with a trailing plural "s" dropped (bags ~ bag)."""
    out = set()
    for w in _WORD.findall(text.lower()):
        w = w.strip("'’-")  # noqa: RUF001
        if len(w) > 3 and w.endswith("s"):
            w = w[:-1]
        if w:
            out.add(w)
    return out


@dataclass
class FactIndex:
    """The checkable values in a set of facts.

    Attributes:
        corpus: every fact string, lower-cased and joined (names the reply may quote).
        names: word sets of the titles, categories, options and slot values (for fuzzy name matches).
        money: every amount a reply may state.
        numbers: every other number a reply may state (quantities, counts, list positions, numbers in fact text).
        order_ids: order numbers in the facts (plus any id-like number in fact text, e.g. a ticket).
        statuses: the statuses of the orders in the facts.
        dates: (year, month, day) of the orders and of dates in fact text.
        currency_kind: the ISO code of the shop's currency (None when the currency table lacks it).
        verbatim: fact sentences a reply may quote word for word (policy passages, detail).
        stock_claims: "in stock" / "out of stock" / "sold out" as the products' flags allow.
    """

    corpus: str = ""
    names: list[set[str]] = field(default_factory=list)
    money: set[Decimal] = field(default_factory=set)
    numbers: set[Decimal] = field(default_factory=set)
    order_ids: set[str] = field(default_factory=set)
    statuses: set[str] = field(default_factory=set)
    dates: set[tuple[int | None, int, int]] = field(default_factory=set)
    currency_kind: str | None = None
    verbatim: list[str] = field(default_factory=list)
    stock_claims: set[str] = field(default_factory=set)

    @classmethod
    def build(cls, facts: ReplyFacts) -> FactIndex:
        """Collect the checkable values of ``facts`` (the shopper's own message is not a fact)."""
        index = cls(currency_kind=iso_code(facts.currency))
        names: list[str] = [facts.shop_name, *facts.options, *facts.slots.values(), *facts.relaxed]
        texts: list[str] = [facts.detail, *facts.slots.keys()]
        list_lengths = [len(facts.products), len(facts.options), len(facts.orders), len(facts.passages)]
        for p in facts.products:
            index.stock_claims |= {"in stock"} if p.in_stock else {"out of stock", "sold out"}
            names += [p.title, p.category]
            texts += [p.reason, p.id]
            index.money.add(p.price)
            if p.rating is not None:
                index.numbers.update({Decimal(str(p.rating)), Decimal(5)})  # "4.8 out of 5"
        if facts.bundle is not None:
            b = facts.bundle
            list_lengths.append(len(b.items))
            index.money.add(b.total)
            if b.budget is not None:
                index.money.update({b.budget, abs(b.total - b.budget)})  # "£2.70 over your £15.00 budget"
            texts.append(b.note)
            for item in b.items:
                names += [item.title, item.category]
                texts += [item.reason, item.id]
                index.money.update({item.price, item.line_total})
                index.numbers.add(Decimal(item.quantity))
        for order in [facts.order, *facts.orders]:
            if order is not None:
                list_lengths.append(len(order.lines))
                names += index._add_order(order)
        for passage in facts.passages:
            names.append(passage.source)
            texts.append(passage.text)
            index.verbatim += [s.strip() for s in re.split(r"(?<=[.!?])\s+", passage.text) if len(s.strip()) > 15]
        if facts.detail:
            index.verbatim.append(facts.detail.strip())
        all_text = [t for t in names + texts if t]
        index.corpus = "\n".join(all_text).lower()
        index.names = [tokens(n) for n in names if n and tokens(n)]
        index._add_text_values(all_text, slot_values=list(facts.slots.values()))
        index.numbers.update(Decimal(i) for i in range(max(list_lengths, default=0) + 1))
        index.numbers.update(index.money)
        return index

    def _add_order(self, order: Order) -> list[str]:
        self.order_ids.add(order.id.lower())
        self.statuses.add(order.status.value)
        placed = order.placed_at
        self.dates.add((placed.year, placed.month, placed.day))
        self.numbers.update({Decimal(placed.year), Decimal(placed.month), Decimal(placed.day)})
        self.money.update({order.total, abs(order.total)})
        for line in order.lines:
            self.money.update({line.unit_price, line.line_total, abs(line.unit_price), abs(line.line_total)})
            self.numbers.update({Decimal(line.quantity), Decimal(abs(line.quantity))})
        self.numbers.update(d for d in (extract.to_decimal(x) for x in re.findall(r"\d+", order.id)) if d is not None)
        return [line.title for line in order.lines]

    def _add_text_values(self, texts: list[str], slot_values: list[str]) -> None:
        for text in texts:
            self.money.update(m.value for m in extract.find_money(text))
            self.dates.update((d.year, d.month, d.day) for d in extract.find_dates(text))
            self.order_ids.update(f.raw.lower() for f in extract.find_order_ids(text))
            self.numbers.update(value for _, value in extract.find_numbers(text))
        # A budget slot may be a bare number ("30"): it is still an amount of money the shopper gave.
        for value in slot_values:
            self.money.update(v for _, v in extract.find_numbers(value))

    def known_name(self, phrase: str, min_overlap: float = 1.0, ignore: frozenset[str] = frozenset()) -> bool:
        """True when ``phrase`` is in the fact text or shares most of its words with one fact name.

        Args:
            phrase: the name found in a reply.
            min_overlap: share of the phrase's words (less ``ignore``) that one fact name must contain.
            ignore: everyday words that don't make a name ("try", "the").
        """
        lowered = " ".join(phrase.lower().split())
        if lowered in self.corpus:
            return True
        words = tokens(phrase) - ignore
        if not words:
            return True
        return any(len(words & name) / len(words) >= min_overlap for name in self.names)
