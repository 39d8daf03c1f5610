"""The compiled phrase tables of a slot extractor (closed-class words and the catalog's brands) and negation scopes.

No product words live here: what a shopper wants is found by retrieval over the catalog; these tables only
read attributes (colour, size, people, occasions, price words, ordinals) and the brands the catalog names.
"""

from __future__ import annotations

from collections.abc import Sequence, Set
from dataclasses import dataclass
from functools import lru_cache

from assistant.errors import VocabularyError
from assistant.understanding.tokens import TermTable, Token
from assistant.understanding.vocab import (
    COLOURS,
    NON_PRODUCT_PHRASES,
    NOT_COLOUR_PHRASES,
    OCCASIONS,
    ORDINALS,
    PRICE_WORDS,
    RECIPIENTS,
    SIZES,
    phrases,
    wordset,
)

# "not", "no mugs", "anything but red", "instead of blue", "不要红色".
_NEGATORS = phrases(
    """
    not | no | isnt | arent | without | except | excluding | nothing | avoid | hate | dislike | never |
    dont want | dont like |
    dont need | do not want | do not like | anything but | apart from | other than | but not | instead of |
    rather than | none | 不要 | 不想要 | 除了 | 不是
"""
)
# Words that end a negation's scope: "not red, blue please" / "no mugs but candles are fine".
_SCOPE_STOP = wordset(
    """
    but please pls just only instead rather so because as if though however prefer want like more less than
    matter problem idea thanks worries sure longer rush hurry my your our use know recognise recognize have find
    see work working
"""
)
_SCOPE_WORDS = 4
# After "not" these say "merely" ("not just an ornament", "not only for kids"), and end no scope.
_MERELY = frozenset({"just", "only", "merely", "simply", "purely"})


@dataclass(frozen=True)
class CommonTables:
    """Shop-independent phrase tables."""

    colours: TermTable[str]
    sizes: TermTable[str]
    recipients: TermTable[str]
    occasions: TermTable[str]
    price_words: TermTable[str]
    ordinals: TermTable[int]
    non_product: TermTable[bool]
    not_colour: TermTable[bool]
    negators: TermTable[bool]


@lru_cache(maxsize=1)
def common_tables() -> CommonTables:
    """Built once per process: they depend on nothing but :mod:`assistant.understanding.vocab`."""
    return CommonTables(
        colours=TermTable(COLOURS.items()),
        sizes=TermTable(SIZES.items()),
        recipients=TermTable(RECIPIENTS.items(), plurals=True),
        occasions=TermTable(OCCASIONS.items(), plurals=True),
        # "low"/"high" are the canonical names, not words a shopper's "high chair" means as a price.
        price_words=TermTable((k, v) for k, v in PRICE_WORDS.items() if k not in ("low", "high")),
        ordinals=TermTable(ORDINALS.items()),
        non_product=TermTable((p, True) for p in NON_PRODUCT_PHRASES),
        not_colour=TermTable((p, True) for p in NOT_COLOUR_PHRASES),
        negators=TermTable((p, True) for p in _NEGATORS),
    )


def _check_words(name: str, value: object) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Sequence) or not all(isinstance(w, str) for w in value):
        raise VocabularyError(
            f"{name} must be a list of strings; got {type(value).__name__} {value!r:.80}. "
            f"Write e.g. {name}=['word', 'other word']."
        )
    return tuple(value)


@dataclass(frozen=True)
class VocabularyTables:
    """Every phrase table one extractor uses: the catalog's brands plus :func:`common_tables`."""

    brands: TermTable[str]
    common: CommonTables

    @classmethod
    def build(cls, brands: object) -> VocabularyTables:
        """Validate the brand list and compile it.

        Raises:
            VocabularyError: for a brand list that is not a list of strings (with the offending value).
        """
        brand_list = _check_words("brands", brands)
        return cls(TermTable((b, b) for b in brand_list), common_tables())


def negated_terms(
    tokens: Sequence[Token], tables: VocabularyTables, skip: Set[int] = frozenset()
) -> tuple[set[int], tuple[str, ...]]:
    """Colours and brands the message rules out, and the words inside each negation's scope.

    Args:
        tokens: the message's tokens.
        tables: the extractor's vocabulary.
        skip: token indices that name no product ("sign up", "credit card").

    Returns:
        ``(token indices inside a negation's scope, excluded colours and brands)``; the caller decides what the
        other negated words ("no mugs") exclude.
    """
    words = [t.text for t in tokens]
    negated: set[int] = set()
    exclude: list[str] = []
    for neg in tables.common.negators.find(tokens):
        end = neg.last
        if words[neg.first] == "not" and end < len(words) and words[end] in _MERELY:
            end += 1  # "not just an ornament": a thing that is only that is what is turned down
        elif end < len(words) and words[end] == "so":
            end += 1  # "not so expensive": a degree, where "so" after the scope starts a clause ("not today so ...")
        while (
            end < len(words)
            and end - neg.last < _SCOPE_WORDS
            and words[end].isalnum()
            and words[end] not in _SCOPE_STOP
        ):
            end += 1
        scope = tokens[neg.last : end]
        local = {i - neg.last for i in skip if neg.last <= i < end}
        hits = [(m.first, m.last, m.value) for m in tables.common.colours.find(scope, local)]
        hits += [(m.first, m.last, m.value) for m in tables.brands.find(scope, local)]
        for _first, _last, value in sorted(hits):
            exclude.append(value)
        negated.update(i for i in range(neg.last, end) if i not in skip)
    return negated, tuple(dict.fromkeys(exclude))
