"""Slot extraction: the constraints a shopper's message states (budget, category, colour, ...).

Pure Python and regular expressions, deterministic, well under a millisecond for
a typical message. Only the first ``max_chars`` characters of a message are read.

Example:
    >>> slots = SlotExtractor().extract("A red lunch bag for my mum under £15, order 536365")
    >>> (slots.category, slots.product_type, slots.colour, slots.recipient, str(slots.budget_max), slots.order_id)
    ('bags', 'lunch bag', 'red', 'mum', '15.00', '536365')
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from assistant.errors import SlotInputError, VocabularyError
from assistant.lexicon import GIFTSHOP_CATEGORY_SYNONYMS, ShopLexicon, lexicon_for_shop
from assistant.slot_budget import SYMBOL_CODES, find_budget
from assistant.slot_patterns import blank_resolutions, find_measures, find_order_id, find_quantity
from assistant.slot_references import find_reference
from assistant.slot_tables import VocabularyTables, negated_terms
from assistant.slot_text import TermMatch, normalize, tokenize
from assistant.slot_vocab import BARE_RECIPIENTS, WEAK_OCCASIONS
from cartwise.models import Money

if TYPE_CHECKING:
    from cartwise.settings import Settings

# Fields that only make sense together: a newer turn that sets one replaces the group.
_GROUPS: tuple[tuple[str, ...], ...] = (
    ("budget_min", "budget_max", "currency"),
    ("category", "product_type"),
    ("reference_index", "reference_text"),
)


class Slots(BaseModel):
    """What one message (or a conversation so far) says the shopper wants. Every field is optional.

    Attributes:
        budget_min: lowest price wanted ("over 100", "between 10 and 20").
        budget_max: highest price wanted ("under £40", "£20"); "around 30" gives 24-36 (± 20 %).
        currency: ISO code of the budget ("GBP", "USD", "CNY"); the shop's when the text names none.
        category: the shop's canonical category ("bags").
        product_type: the product phrase used, singular as in the shop vocabulary ("lunch bag").
        brand: a configured brand, as the shop spells it.
        colour: canonical colour, British spelling ("grey").
        size: "small", "jumbo", "XL", "27 inch", ...
        quantity: how many items or people ("6 mugs" -> 6, "for four" -> 4).
        recipient: who it is for ("mum", "boss", "myself"; "mom"/"mother" -> "mum").
        occasion: "birthday", "christmas", "mother's day", ...
        order_id: an order/invoice number ("536365", "C536379").
        reference_index: a position in the last list shown, 1-based, -1 = last.
        reference_text: the words that referred to a shown product ("the red one", "that cake stand", "it").
        price_level: "low" for "cheap", "high" for "premium"; not a number.
        exclude: colours, product types and brands the shopper ruled out ("not red", "no mugs").
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    budget_min: Money | None = None
    budget_max: Money | None = None
    currency: str | None = None
    category: str | None = None
    product_type: str | None = None
    brand: str | None = None
    colour: str | None = None
    size: str | None = None
    quantity: int | None = Field(default=None, ge=1)
    recipient: str | None = None
    occasion: str | None = None
    order_id: str | None = None
    reference_index: int | None = None
    reference_text: str | None = None
    price_level: Literal["low", "high"] | None = None
    exclude: tuple[str, ...] = ()

    def is_empty(self) -> bool:
        """True when no slot is filled."""
        return not self.exclude and all(v is None for k, v in self if k != "exclude")

    def merge(self, newer: Slots) -> Slots:
        """These slots updated by a later turn's: newer values win, empty ones keep the old.

        Budget (min, max, currency), product (category, product_type) and reference
        (index, text) are replaced as a group, so "under 40" after "between 10 and 20"
        drops the old minimum. Exclusions accumulate, minus whatever the newer turn
        asks for again; an old value the newer turn excludes is dropped.

        Args:
            newer: slots of the later turn.

        Returns:
            A new :class:`Slots`.

        Example:
            >>> old = Slots(colour="red", category="bags")
            >>> old.merge(Slots(colour="blue", exclude=("bag",))).model_dump(exclude_defaults=True)
            {'category': 'bags', 'colour': 'blue', 'exclude': ('bag',)}
        """
        values: dict[str, Any] = {}
        grouped = {f for group in _GROUPS for f in group}
        for group in _GROUPS:
            source = newer if any(getattr(newer, f) is not None for f in group) else self
            values.update({f: getattr(source, f) for f in group})
        for name in type(self).model_fields:
            if name not in grouped and name != "exclude":
                new = getattr(newer, name)
                values[name] = new if new is not None else getattr(self, name)
        wanted = {newer.colour, newer.product_type, newer.brand} - {None}
        exclude = tuple(dict.fromkeys(x for x in (*self.exclude, *newer.exclude) if x not in wanted))
        for name in ("colour", "brand"):
            if values[name] in newer.exclude:
                values[name] = None
        if values["product_type"] in newer.exclude:
            values["product_type"] = values["category"] = None
        return Slots(**values, exclude=exclude)

    def as_strings(self) -> dict[str, str]:
        """Filled slots as display strings (money with two decimals), e.g. for ``DialogState.slots``."""
        out: dict[str, str] = {}
        for name, value in self:
            if value is None or value == ():
                continue
            out[name] = (
                ", ".join(value)
                if isinstance(value, tuple)
                else (f"{value:.2f}" if name.startswith("budget") else str(value))
            )
        return out


class SlotExtractor:
    """Reads :class:`Slots` from a shopper's message, with one shop's vocabulary.

    Args:
        categories: canonical category -> synonyms (singular; plurals are generated).
            None: the giftshop's map (:data:`assistant.lexicon.GIFTSHOP_CATEGORY_SYNONYMS`).
        brands: brand names as the catalogue spells them; matched case-insensitively as whole words.
        currency_symbol: the shop's currency ("£", "$", "€" or an ISO code), used when a budget names none.
        brand_aliases: brand -> product lines that imply it ({"Apple": ["macbook", "ipad"]}).
        max_chars: only this many leading characters of a message are read.

    Example:
        >>> SlotExtractor().extract("something for my boss, between 10 and 20 quid").model_dump(exclude_none=True)
        {'budget_min': Decimal('10.00'), 'budget_max': Decimal('20.00'), 'currency': 'GBP', 'recipient': 'boss', \
'exclude': ()}
    """

    def __init__(
        self,
        categories: Mapping[str, Sequence[str]] | None = None,
        brands: Sequence[str] | None = None,
        currency_symbol: str = "£",
        brand_aliases: Mapping[str, Sequence[str]] | None = None,
        max_chars: int = 2000,
    ) -> None:
        self.categories = categories
        self.brands = brands
        self.currency_symbol = currency_symbol
        self.brand_aliases = brand_aliases
        self.max_chars = max_chars

    @classmethod
    def from_lexicon(cls, lexicon: ShopLexicon, max_chars: int = 2000) -> SlotExtractor:
        """An extractor for a :class:`~assistant.lexicon.ShopLexicon`."""
        return cls(lexicon.categories, lexicon.brands, lexicon.currency_symbol, lexicon.brand_aliases, max_chars)

    @classmethod
    def from_settings(cls, settings: Settings) -> SlotExtractor:
        """The extractor for ``settings.shop``: ``<shop data dir>/lexicon.yaml`` if present, else the built-in one.

        ``settings.currency`` (when set) replaces the vocabulary's currency; ``settings.max_message_chars``
        caps how much of a message is read.

        Raises:
            VocabularyError: when the shop has neither.
        """
        path = settings.shop_data_dir / "lexicon.yaml"
        if path.is_file():
            from assistant.slot_tables import load_lexicon  # yaml only when a shop needs it

            lexicon = load_lexicon(path)
        else:
            lexicon = lexicon_for_shop(settings.shop)
        if settings.currency:  # CARTWISE_CURRENCY overrides the vocabulary's
            lexicon = dataclasses.replace(lexicon, currency_symbol=settings.currency)
        return cls.from_lexicon(lexicon, max_chars=settings.max_message_chars)

    @cached_property
    def tables_(self) -> VocabularyTables:
        """The compiled vocabulary (built, and validated, on first use)."""
        if not isinstance(self.max_chars, int) or self.max_chars < 1:
            raise VocabularyError(f"max_chars must be a positive int; got {self.max_chars!r}.")
        categories = GIFTSHOP_CATEGORY_SYNONYMS if self.categories is None else self.categories
        return VocabularyTables.build(categories, self.brands or (), self.brand_aliases or {})

    @property
    def default_currency(self) -> str:
        return SYMBOL_CODES.get(self.currency_symbol, self.currency_symbol.upper())

    def extract(self, text: str) -> Slots:
        """The slots stated in one message.

        Args:
            text: the shopper's message (any length; only ``max_chars`` are read).

        Returns:
            :class:`Slots`; empty when the message states nothing.

        Raises:
            SlotInputError: when ``text`` is not a string.
        """
        if not isinstance(text, str):
            raise SlotInputError(
                f"extract() needs the message as a str; got {type(text).__name__} {text!r:.60}. Pass the user's text."
            )
        tables = self.tables_
        common = tables.common
        t = normalize(text, self.max_chars)
        if not t:
            return Slots()
        order_id, t = find_order_id(t)
        measure, t = find_measures(t)
        budget, t = find_budget(t, self.default_currency)
        tokens = tokenize(blank_resolutions(t))

        words = [tok.text for tok in tokens]
        not_product = {i for m in common.non_product.find(tokens, words=words) for i in range(m.first, m.last)}
        negated, exclude = negated_terms(tokens, tables, not_product)
        products = tables.categories.find(tokens, skip=not_product | negated, words=words)
        occasions = common.occasions.find(tokens, skip=negated, words=words)
        occasion = _pick_occasion(occasions, products, words)
        occasion_tokens = {i for m in occasions for i in range(m.first, m.last)}
        recipient_hits = common.recipients.find(tokens, words=words)
        recipients = [
            m
            for m in recipient_hits
            if _recipient_ok(m, words) and not occasion_tokens.intersection(range(m.first, m.last))
        ]
        not_colour = {i for m in common.not_colour.find(tokens, words=words) for i in range(m.first, m.last)}
        colours = common.colours.find(tokens, skip=negated | occasion_tokens | not_colour, limit=1, words=words)
        recipient_starts = {m.first for m in recipient_hits}
        sizes = [m for m in common.sizes.find(tokens, skip=negated, words=words) if m.last not in recipient_starts]
        brands = tables.brands.find(tokens, skip=negated | not_product, limit=1, words=words)
        levels = common.price_levels.find(tokens, skip=not_product, limit=1, words=words)
        ordinals = [(m.first, m.last, m.value) for m in common.ordinals.find(tokens, words=words)]
        ref_index, ref_text = find_reference(tokens, ordinals, [(m.first, m.last) for m in products])
        return Slots(
            budget_min=budget.minimum if budget else None,
            budget_max=budget.maximum if budget else None,
            currency=budget.currency if budget else None,
            category=products[0].value[0] if products else None,
            product_type=products[0].value[1] if products else None,
            brand=brands[0].value if brands else None,
            colour=colours[0].value if colours else None,
            size=measure or (sizes[0].value if sizes else None),
            quantity=find_quantity(tokens, {m.first for m in products}),
            recipient=recipients[0].value if recipients else None,
            occasion=occasion,
            order_id=order_id,
            reference_index=ref_index,
            reference_text=ref_text,
            price_level=levels[0].value if levels else None,
            exclude=exclude,
        )


_FOR_CONTEXT = frozenset({"for", "my", "our"})


def _recipient_ok(m: TermMatch[str], words: Sequence[str]) -> bool:
    """A recipient word counts after "for"/"my" (a few words back), or alone for family words."""
    before = list(words[max(0, m.first - 3) : m.first])
    if m.value in ("him", "her", "myself") and m.phrase != "myself":
        return bool(before) and before[-1] == "for"
    if m.value in BARE_RECIPIENTS or not m.phrase.isascii():
        return True
    return any(w in _FOR_CONTEXT for w in before) and all(w.isalnum() for w in before[-2:])


def _pick_occasion(
    occasions: Sequence[TermMatch[str]], products: Sequence[TermMatch[Any]], words: Sequence[str]
) -> str | None:
    """The first occasion, preferring one outside a product phrase ("party bags for a birthday" -> birthday)."""
    inside = {i for m in products for i in range(m.first, m.last)}
    usable = []
    for m in occasions:
        if m.value in WEAK_OCCASIONS and m.last - m.first == 1:
            nxt = words[m.last] if m.last < len(words) else ""
            if "for" not in words[max(0, m.first - 2) : m.first] and nxt not in (
                "gift",
                "gifts",
                "present",
                "presents",
            ):
                continue  # "my office is closed" is no occasion; "for my office" is
        usable.append(m)
    outside = [m for m in usable if m.first not in inside]
    chosen = outside or usable
    return chosen[0].value if chosen else None
