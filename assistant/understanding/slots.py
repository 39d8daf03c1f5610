"""Slot extraction: the attributes a shopper's message states (budget, colour, size, brand, people, ...).

Only closed-class words and numbers are read here (as Rasa keeps Duckling for numbers and money): what the
shopper wants to buy is left to retrieval over the catalog, and which of the shop's categories the message
names is read from the catalog's own category names (:mod:`assistant.understanding.catalog`). Deterministic
and well under a millisecond for a typical message; only the first ``max_chars`` characters are read.

Example:
    >>> reading = SlotExtractor("£").read("A red lunch bag for my mum under £15, order 536365")
    >>> s = reading.slots
    >>> (s.colour, s.recipient, str(s.budget_max), s.order_id, reading.residual)
    ('red', 'mum', '15.00', '536365', 'a red lunch bag for my mum ,')
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Collection, Sequence, Set
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

from assistant.errors import SlotInputError, VocabularyError
from assistant.types import Slots
from assistant.understanding.budget import find_budget
from assistant.understanding.content import FUNCTION_WORDS, GIFT_WORDS, age_positions
from assistant.understanding.dates import find_order_date
from assistant.understanding.ordinals import find_reference
from assistant.understanding.patterns import find_measures, find_order_id, find_quantity
from assistant.understanding.references import SIZE_CHOICE
from assistant.understanding.tables import VocabularyTables, negated_terms
from assistant.understanding.tokens import BLANK, TermMatch, Token, normalize, tokenize
from assistant.understanding.vocab import AGE_UNITS, BARE_RECIPIENTS, SIZE_ENDS, WEAK_OCCASIONS
from cartwise.currency import iso_code


def _ends_sentence(tokens: Sequence[Token], i: int) -> bool:
    """A "?", "!" or a full stop before a space ends a sentence: what follows starts a new noun phrase ("do you
    have mugs? a big one" asks for mugs), so the residual keeps it as a clause break (";")."""
    text = tokens[i].text
    if text in ("?", "!"):
        return True
    return text == "." and (i + 1 == len(tokens) or tokens[i + 1].start > tokens[i].end)


def _without_stray_breaks(words: Sequence[str]) -> list[str]:
    """The words without a clause break at either end or right after another break."""
    out: list[str] = []
    for w in words:
        if w == ";" and (not out or out[-1] in ",;:-"):
            continue
        out.append(w)
    while out and out[-1] == ";":
        out.pop()
    return out


@dataclass(frozen=True)
class SlotReading:
    """What :meth:`SlotExtractor.read` found in one message.

    Attributes:
        slots: the attributes it states (categories are left to the catalog).
        residual: the normalised message with order ids, budgets, measures and price words taken out:
            the words retrieval searches with.
        negated_words: words inside a negation's scope ("no mugs" -> ("mugs",)).
        words: every word of the normalised message, for what points at the screen ("the two cheapest").
        specs: specifications as written ("rtx 4060", "16gb"), taken out of the residual so that no budget or
            count reads them, to be searched with.
        recipient_words: the words that named the recipient ("teenager" for the recipient "teen"): who a present
            is for, never a thing the shop could lack.
        occasion_words: the words that named the occasion ("bday" for "birthday").
        occasion_is_person: whether those words name a person too ("new baby": the baby), whom a present is for.
        asked: the residual with the specs back where they were ("does it have 5g"): what a question about a
            product's property is read from.
    """

    slots: Slots
    residual: str
    negated_words: tuple[str, ...] = ()
    words: tuple[str, ...] = ()
    specs: tuple[str, ...] = ()
    recipient_words: tuple[str, ...] = ()
    occasion_words: tuple[str, ...] = ()
    asked: str = ""
    occasion_is_person: bool = False


class SlotExtractor:
    """Reads :class:`Slots` from a shopper's message.

    Args:
        currency_symbol: the shop's currency ("£", "$", "€" or an ISO code; its profile's), used when a budget
            names none.
        brands: brand names as the catalog spells them; matched case-insensitively as whole words.
        max_chars: only this many leading characters of a message are read.
        product_words: words the catalog's titles print (singular, lower case): a count before one of them is a
            quantity ("one mug"); without them only plural nouns are counted ("3 mugs").

    Example:
        >>> SlotExtractor("£").extract("for my boss, between 10 and 20 quid").model_dump(exclude_defaults=True)
        {'budget_min': Decimal('10.00'), 'budget_max': Decimal('20.00'), 'currency': 'GBP', 'recipient': 'boss'}
    """

    def __init__(self, currency_symbol: str, brands: Sequence[str] = (), max_chars: int = 2000,
                 product_words: Collection[str] = frozenset()) -> None:
        self.brands = brands
        self.currency_symbol = currency_symbol
        self.max_chars = max_chars
        self.product_words = product_words

    @cached_property
    def tables_(self) -> VocabularyTables:
        """The compiled vocabulary (built, and validated, on first use)."""
        if not isinstance(self.max_chars, int) or self.max_chars < 1:
            raise VocabularyError(f"max_chars must be a positive int; got {self.max_chars!r}.")
        # A brand spelled like a function word ("My") can't be told from the word; retrieval still finds it.
        brands = self.brands if isinstance(self.brands, str) else [b for b in self.brands
                                                                   if b.lower() not in FUNCTION_WORDS]
        return VocabularyTables.build(brands)

    @property
    def default_currency(self) -> str:
        return iso_code(self.currency_symbol) or self.currency_symbol.upper()

    def extract(self, text: str) -> Slots:
        """The slots stated in one message (see :meth:`read` for the rest of what is read)."""
        return self.read(text).slots

    def read(self, text: str) -> SlotReading:
        """The slots stated in one message, and the words left for retrieval.

        Args:
            text: the shopper's message (any length; only ``max_chars`` are read).

        Returns:
            :class:`SlotReading`; empty slots when the message states nothing.

        Raises:
            SlotInputError: when ``text`` is not a string.
        """
        if not isinstance(text, str):
            raise SlotInputError(
                f"read() needs the message as a str; got {type(text).__name__} {text!r:.60}. Pass the user's text."
            )
        tables = self.tables_
        common = tables.common
        t = normalize(text, self.max_chars)
        if not t:
            return SlotReading(Slots(), "")
        order_id, t = find_order_id(t)
        placed, t = find_order_date(t)
        t = with_elided_occasion(t)
        measure, t, placed_specs = find_measures(t)
        specs = tuple(spec for spec, _ in placed_specs)
        budget, t = find_budget(t, self.default_currency)
        tokens = tokenize(t)  # "4k" stays: it is what a "4k tv" is searched by, no budget or count

        words = [tok.text for tok in tokens]
        age = _age_said(words)
        not_product = {i for m in common.non_product.find(tokens, words=words) for i in range(m.first, m.last)}
        negated, exclude = negated_terms(tokens, tables, not_product)
        occasions = common.occasions.find(tokens, skip=negated, words=words)
        picked = _pick_occasion(occasions, words)
        occasion = picked.value if picked else None
        occasion_tokens = {i for m in occasions for i in range(m.first, m.last)}
        recipient_hits = common.recipients.find(tokens, words=words)
        recipients = [
            m
            for m in recipient_hits
            if _recipient_ok(m, words, occasion_tokens) and not occasion_tokens.intersection(range(m.first, m.last))
            and not _turned_down(m, words)
        ]
        # "my son's teacher", "my wifes sister": the first person owns the second, who is the one it is for
        # (or owns an occasion that is a person: "my friends new baby"; at "my sons birthday" the son stays).
        people = [*recipients, *(o for o in occasions if any(o.first <= h.first < o.last for h in recipient_hits))]
        # The person ruled out ("not for my mum but for my dad") is no search word, and things for them are not wanted.
        turned_down = [m for m in recipient_hits if _turned_down(m, words)]
        exclude = (*exclude, *(w for m in turned_down for w in words[m.first:m.last] if w not in exclude))
        owners = [m for m in recipients if words[m.last - 1].endswith("s") and any(n.first == m.last for n in people)]
        recipients = [m for m in recipients if m not in owners]
        # Nor is the owner searched for: "sons" would find children's things for the teacher.
        owner_tokens = {i for m in [*owners, *turned_down] for i in range(m.first, m.last)}
        not_colour = {i for m in common.not_colour.find(tokens, words=words) for i in range(m.first, m.last)}
        colours = common.colours.find(tokens, skip=negated | occasion_tokens | not_colour, limit=1, words=words)
        recipient_starts = {m.first for m in recipient_hits}
        # "how big is it" asks the size of a thing, not for a large one.
        sizes = [m for m in common.sizes.find(tokens, skip=negated, words=words) if m.last not in recipient_starts
                 and not (m.first and words[m.first - 1] == "how")]
        if not sizes and not measure:
            # "nothing too big", "not too small": a size ruled out asks for the other end of the scale.
            ruled_out = common.sizes.find(tokens, skip=set(range(len(tokens))) - negated, words=words)
            sizes = [replace(m, value="large" if SIZE_ENDS[str(m.value)] == "small" else "small")
                     for m in ruled_out[:1] if str(m.value) in SIZE_ENDS]
        brands = tables.brands.find(tokens, skip=negated | not_product, words=words)
        prices = common.price_words.find(tokens, skip=not_product, limit=1, words=words)
        ordinals = [(m.first, m.last, m.value) for m in common.ordinals.find(tokens, words=words)]
        ref_index, ref_text = find_reference(tokens, ordinals, [])
        price_tokens = {i for m in prices for i in range(m.first, m.last)}
        negated_words = tuple(
            words[i] for i in sorted(negated) if words[i].isalpha() and i not in price_tokens
        )
        kept = [
            (tokens[i].start, ";" if ends else w) for i, w in enumerate(words)
            if BLANK not in w and i not in price_tokens and i not in negated and i not in owner_tokens
            and ((ends := _ends_sentence(tokens, i)) or w.isalnum() or w in "&-,:;")
        ]
        residual = " ".join(_without_stray_breaks([w for _, w in kept]))
        asked = residual
        if placed_specs:  # where the specs stood ("does it have 5g"): the property a question asks about may be one
            in_place = sorted([*kept, *((at, spec) for spec, at in placed_specs)])
            asked = " ".join(_without_stray_breaks([w for _, w in in_place]))
        slots = Slots(
            budget_min=budget.minimum if budget else None,
            budget_max=budget.maximum if budget else None,
            budget_about=budget.about if budget else None,
            currency=budget.currency if budget else None,
            brands=tuple(dict.fromkeys(m.value for m in brands)),
            colour=colours[0].value if colours else None,
            size=measure or (sizes[0].value if sizes else None),
            quantity=find_quantity(tokens, {i for i, w in enumerate(words) if _singular(w) in self.product_words}),
            recipient=recipients[0].value if recipients else None,
            recipient_age=age,
            occasion=occasion,
            order_id=order_id,
            placed=placed,
            reference_index=ref_index,
            reference_text=ref_text,
            price=_price_level(prices, negated, words),
            exclude=exclude,
            # Superlatives only: "a bigger one" asks for others, "the smaller one" picks among those shown.
            size_rank=next((SIZE_CHOICE[w] for i, w in enumerate(words)
                            if w.endswith("est") and w in SIZE_CHOICE and i not in negated), None),
            # Comparatives asking for others ("bigger", "a smaller one"); after "the" one shown is picked instead.
            size_than=next(("smaller" if SIZE_CHOICE[w] == "smallest" else "larger" for i, w in enumerate(words)
                            if w.endswith("er") and w in SIZE_CHOICE and i not in negated
                            and (i == 0 or words[i - 1] != "the")), None),
            # "27 inch or bigger": the size said is one of those asked for.
            size_or_same=True if measure and any(w in SIZE_CHOICE and w.endswith("er") and before == "or"
                                                 for before, w in itertools.pairwise(words)) else None,
        )
        # "a baby boy", "a teenage girl": a second person word right after the first says more of the same person.
        last = next((n.last for n in recipients[1:2] if n.first == recipients[0].last), None) if recipients else None
        named_recipient = tuple(words[recipients[0].first:last or recipients[0].last]) if recipients else ()
        # "a 30th birthday", "our 25th anniversary": the ordinal is part of the occasion.
        start = picked.first - 1 if picked and picked.first and _NTH.fullmatch(words[picked.first - 1]) else \
            picked.first if picked else 0
        return SlotReading(slots, residual, negated_words, tuple(w for w in words if BLANK not in w), specs,
                           named_recipient, tuple(words[start:picked.last]) if picked else (), asked,
                           occasion_is_person=picked in people)


def _age_said(words: Sequence[str]) -> int | None:
    """The age of the person a present is for, where ``words`` give one: where :func:`age_positions` finds it ("a
    10 year old", "aged 6", "she's 30"), or a birthday's ordinal ("her 30th birthday", as "my sister's 30th" is
    spelled out); None, or over 120."""
    said = [w for w in words if w != "-"]  # "40-year-old"
    found = [said[i] for i in sorted(age_positions(said))] + [
        w for w, after in itertools.pairwise(said) if _NTH.fullmatch(w) and after == "birthday"]
    if not found:
        return None
    age = int("".join(itertools.takewhile(str.isdigit, found[0])))  # "7yo", "30th"
    return age if age <= 120 else None


_FOR_CONTEXT = frozenset({"for", "my", "our"})
_NTH = re.compile(r"\d+(?:st|nd|rd|th)")
# "it's a girl", "she's a teenager": the person the present is for, described (apostrophes are gone by now).
_DESCRIBED = frozenset({"its", "shes", "hes", "theyre"})


# "my grandad's 80th", "her 30th", "our 25th": an ordinal after an owner, with no noun of its own after it, is the
# birthday (the anniversary, of "our") left unsaid. ("my 2nd order" has its noun; "cancel my 2nd" means an order.)
_OWNED_NTH = re.compile(r"\b(?:(?P<our>our)|his|her|their|your|(?:my|his|her|their|your|our)(?:\s+[a-z]+)?\s+"
                        r"[a-z]+'?s)\s+\d+(?:st|nd|rd|th)\b(?P<after>\s*[a-z]*)", re.IGNORECASE)


# The words that may follow the occasion itself: a clause goes on ("her 30th next week", "his 50th and a card").
_AFTER_AN_OCCASION = frozenset("and or but so on in at for next this coming soon with please".split())


def with_elided_occasion(text: str) -> str:
    """``text`` with the occasion an owned ordinal leaves unsaid written out ("card for my dad's 60th" -> "card for my
    dad's 60th birthday"), so the occasion is read and searched for as if it had been written."""
    def spell(match: re.Match[str]) -> str:
        after = match.group("after").strip().lower()
        if after and after not in _AFTER_AN_OCCASION:
            return match.group(0)
        occasion = "anniversary" if match.group("our") else "birthday"
        cut = match.start("after") - match.start(0)
        return f"{match.group(0)[:cut]} {occasion}{match.group(0)[cut:]}"

    return _OWNED_NTH.sub(spell, text)


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word




_BEFORE_A_PERSON = frozenset({"for", "my", "a", "an", "the", "our", "your", "his", "her", "their"})


def _turned_down(m: TermMatch[str], words: Sequence[str]) -> bool:
    """Whether the person is named only to be ruled out: "not for kids, for work", "not for my mum but for my dad"."""
    at = m.first - 1
    while at >= 0 and words[at] in _BEFORE_A_PERSON and m.first - at <= 3:
        at -= 1
    return at >= 0 and at < m.first - 1 and words[at] in ("not", "no", "never")


def _recipient_ok(m: TermMatch[str], words: Sequence[str], occasion_tokens: Set[int]) -> bool:
    """A recipient word counts after "for"/"my" (a few words back, past an age: "for my 7 year old niece", and past
    an occasion that describes the person: "for a new baby girl"), after "it's a" / "she's a" (the person described:
    "it's a girl"), after "what about a" (another person, going on), before the gift it names ("a teacher gift"),
    or alone for family words."""
    span = 3
    if m.first >= 2 and words[m.first - 1] == "old" and words[m.first - 2] in AGE_UNITS:
        span += 3
    before = [words[i] for i in range(m.first - 1, -1, -1) if i not in occasion_tokens][:span][::-1]
    if m.value in ("him", "her", "myself") and m.phrase != "myself":
        if not before or before[-1] != "for":
            return False
        # "for her food" says whose food, not who it is for; "for her birthday" says both.
        after = words[m.last] if m.last < len(words) else ""
        return m.value != "her" or not after.isalpha() or after in FUNCTION_WORDS or m.last in occasion_tokens
    if m.value in BARE_RECIPIENTS or not m.phrase.isascii():
        return True
    if m.phrase == "couple" and words[m.last:m.last + 1] == ["of"]:
        return False  # "for a couple of days": a count, not two people
    past = m.last
    while past < len(words) and past in occasion_tokens and words[past] not in GIFT_WORDS:
        past += 1
    if past < len(words) and words[past] in GIFT_WORDS:
        return True  # "a teacher thank you gift", "dad birthday present": the gift is named for the person
    if before[-2:-1] and before[-2] in _DESCRIBED and before[-1] in ("a", "an"):
        return True
    if before[-3:-1] in (["what", "about"], ["how", "about"]) and before[-1] in ("a", "an"):
        return True  # "what about a boy" after presents for a girl: the person it is for now
    return any(w in _FOR_CONTEXT for w in before) and all(w.isalnum() for w in before[-2:])


def _pick_occasion(occasions: Sequence[TermMatch[str]], words: Sequence[str]) -> TermMatch[str] | None:
    """The occasion after "for" ("party bags for a birthday" -> birthday), else the first; a weak one
    ("office", "school") only after "for" or before "gift"/"present"."""
    after_for = [m for m in occasions if "for" in words[max(0, m.first - 3) : m.first]]
    for m in [*after_for, *occasions]:
        if m.value in WEAK_OCCASIONS and m.last - m.first == 1:
            nxt = words[m.last] if m.last < len(words) else ""
            if "for" not in words[max(0, m.first - 2) : m.first] and nxt not in (
                "gift",
                "gifts",
                "present",
                "presents",
            ):
                continue  # "my office is closed" is no occasion; "for my office" is
        return m
    return None


# Words that say a price is more than the shopper wants to pay ("too pricey", "a bit expensive").
_EXCESS = frozenset({"too", "bit", "abit", "rather"})


def _price_level(prices: Sequence[Any], negated: Set[int], words: Sequence[str]) -> str | None:
    """The price word's level; a high one inside a negation asks for the opposite ("nothing crazy expensive"), and
    one said to be too much ("too expensive", "a bit pricey for me") asks for cheaper than what was shown."""
    if not prices:
        return None
    value = str(prices[0].value)
    if value != "high":
        return value
    if prices[0].first in negated:
        return "low"
    before = words[max(0, prices[0].first - 2):prices[0].first]
    return "cheaper" if any(w in _EXCESS for w in before) else value
