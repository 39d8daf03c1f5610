"""Changes to every quantity of a set or an order ("2 of each", "double the quantities", "half as many").

A small closed grammar, like the money and size parsers: a count before "of each" / "of everything" / "each"
sets every quantity; a multiplier word ("double", "twice", "triple", "half") or "N times" scales them. What the
change applies to (the set on the screen, an order ordered again) is the dialog's to know.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from assistant.types import QuantityChange
from assistant.understanding.vocab import NUMBER_WORDS

_MULTIPLIERS: dict[str, Decimal] = {
    "double": Decimal(2), "twice": Decimal(2), "triple": Decimal(3), "treble": Decimal(3),
    "quadruple": Decimal(4), "half": Decimal("0.5"), "halve": Decimal("0.5"),
}
# What "double"/"half" must be said of to scale quantities ("double the quantities", "half as many"), not a double
# bed or half price.
_SCALED = frozenset({"quantities", "quantity", "amounts", "amount", "everything", "it", "them", "all", "order",
                     "many", "much", "lot", "number", "numbers"})
_EVERY = ("of each", "of everything", "of all", "of them all", "of every item", "each")


def _count(word: str) -> int | None:
    if word.isdigit() and 0 < len(word) <= 3:
        return int(word)
    return NUMBER_WORDS.get(word)


def quantity_change(words: Sequence[str]) -> QuantityChange | None:
    """The change to every quantity that ``words`` ask for, or None.

    Example:
        >>> quantity_change("make it 2 of each".split())
        QuantityChange(each=2, factor=None)
        >>> quantity_change("double the quantities".split()).factor
        Decimal('2')
    """
    text = f" {' '.join(words)} "
    for i, word in enumerate(words):
        n = _count(word)
        if n is not None and any(text.find(f" {word} {tail} ") >= 0 for tail in _EVERY):
            return QuantityChange(each=n)
        after = words[i + 1:i + 4]
        if word in _MULTIPLIERS and any(w in _SCALED for w in after):
            return QuantityChange(factor=_MULTIPLIERS[word])
        if n is not None and after[:1] == ["times"] and any(w in ("as", "more") for w in after[1:]):
            return QuantityChange(factor=Decimal(n))  # "three times as many"
    return None
