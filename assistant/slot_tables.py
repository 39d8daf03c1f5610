"""The compiled vocabulary of a slot extractor, its validation, negation scopes and lexicon files."""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from assistant.errors import VocabularyError
from assistant.lexicon import ShopLexicon
from assistant.slot_text import TermTable, Token, phrase_key
from assistant.slot_vocab import (
    COLOURS,
    NON_PRODUCT_PHRASES,
    NOT_COLOUR_PHRASES,
    OCCASIONS,
    ORDINALS,
    PRICE_LEVEL,
    RECIPIENTS,
    SIZES,
    phrases,
    wordset,
)

# "not", "no mugs", "anything but red", "instead of blue", "不要红色".
_NEGATORS = phrases(
    """
    not | no | without | except | excluding | nothing | avoid | hate | dislike | never | dont want | dont like |
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


@dataclass(frozen=True)
class CommonTables:
    """Shop-independent phrase tables."""

    colours: TermTable[str]
    sizes: TermTable[str]
    recipients: TermTable[str]
    occasions: TermTable[str]
    price_levels: TermTable[str]
    ordinals: TermTable[int]
    non_product: TermTable[bool]
    not_colour: TermTable[bool]
    negators: TermTable[bool]


@lru_cache(maxsize=1)
def common_tables() -> CommonTables:
    """Built once per process: they depend on nothing but :mod:`assistant.slot_vocab`."""
    return CommonTables(
        colours=TermTable(COLOURS.items()),
        sizes=TermTable(SIZES.items()),
        recipients=TermTable(RECIPIENTS.items(), plurals=True),
        occasions=TermTable(OCCASIONS.items(), plurals=True),
        price_levels=TermTable(PRICE_LEVEL.items()),
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


def _check_mapping(name: str, value: object) -> Mapping[str, tuple[str, ...]]:
    if not isinstance(value, Mapping):
        raise VocabularyError(f"{name} must map a name to a list of synonyms; got {type(value).__name__}.")
    out: dict[str, tuple[str, ...]] = {}
    for key, words in value.items():
        if not isinstance(key, str) or not key.strip():
            raise VocabularyError(f"{name} keys must be non-empty strings; got {key!r}.")
        out[key] = _check_words(f"{name}[{key!r}]", words)
    return out


@dataclass(frozen=True)
class VocabularyTables:
    """Every phrase table one extractor uses: the shop's plus :func:`common_tables`."""

    categories: TermTable[tuple[str, str]]
    brands: TermTable[str]
    common: CommonTables

    @classmethod
    def build(cls, categories: object, brands: object, brand_aliases: object) -> VocabularyTables:
        """Validate a shop vocabulary and compile it.

        Raises:
            VocabularyError: for a malformed map or list (with the offending value).
        """
        cats = _check_mapping("categories", categories)
        brand_list = _check_words("brands", brands)
        aliases = _check_mapping("brand_aliases", brand_aliases)
        occasion_keys = {phrase_key(k) for k in OCCASIONS}
        terms: list[tuple[str, tuple[str, str]]] = []
        for cat, words in cats.items():
            terms.extend((w, (cat, w.strip().lower())) for w in words)
        for cat, words in cats.items():  # the category's own name, weakest of all
            terms.append((cat, (cat, words[0].strip().lower() if words else cat.lower())))
        # A bare occasion word ("christmas", "party") is not a product request.
        terms = [(w, v) for w, v in terms if phrase_key(w) not in occasion_keys]
        brand_terms = [(b, b) for b in brand_list]
        brand_terms += [(alias, brand) for brand, names in aliases.items() for alias in names]
        return cls(TermTable(terms, plurals=True), TermTable(brand_terms), common_tables())


def negated_terms(
    tokens: Sequence[Token], tables: VocabularyTables, skip: Set[int] = frozenset()
) -> tuple[set[int], tuple[str, ...]]:
    """Colours, product types and brands the message rules out.

    Args:
        tokens: the message's tokens.
        tables: the extractor's vocabulary.
        skip: token indices that name no product ("sign up", "credit card").

    Returns:
        ``(token indices inside a negation's scope that named something, excluded values)``.
    """
    words = [t.text for t in tokens]
    negated: set[int] = set()
    exclude: list[str] = []
    for neg in tables.common.negators.find(tokens):
        end = neg.last
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
        hits += [(m.first, m.last, m.value[1]) for m in tables.categories.find(scope, local)]
        hits += [(m.first, m.last, m.value) for m in tables.brands.find(scope, local)]
        for first, last, value in sorted(hits):
            exclude.append(value)
            negated.update(range(neg.last + first, neg.last + last))
    return negated, tuple(dict.fromkeys(exclude))


def load_lexicon(path: Path) -> ShopLexicon:
    """Read a shop vocabulary from YAML (keys: categories, brands, brand_aliases, currency_symbol).

    Raises:
        VocabularyError: when the file cannot be read or is malformed.
    """
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise VocabularyError(f"cannot read the shop lexicon {path}: {exc}. Fix the YAML or delete the file.") from exc
    if not isinstance(data, dict) or "categories" not in data:
        raise VocabularyError(f"{path} must be a mapping with at least 'categories'; got {type(data).__name__}.")
    unknown = set(data) - {"categories", "brands", "brand_aliases", "currency_symbol"}
    if unknown:
        raise VocabularyError(
            f"{path}: unknown keys {sorted(unknown)}; allowed: categories, brands, brand_aliases, currency_symbol."
        )
    return ShopLexicon(
        categories=_check_mapping("categories", data["categories"]),
        brands=_check_words("brands", data.get("brands") or []),
        brand_aliases=_check_mapping("brand_aliases", data.get("brand_aliases") or {}),
        currency_symbol=str(data.get("currency_symbol", "£")),
    )
