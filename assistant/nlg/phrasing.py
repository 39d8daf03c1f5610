"""Small text helpers for the templates: seeded variant choice, slot phrases, lists.

Nothing here states a fact of its own: every helper formats values it is given.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from assistant.facts import ReplyFacts

# Slot keys read as a colour/material/style adjective before the noun ("red lunch bags").
ADJECTIVE_SLOTS = ("colour", "color", "material", "style", "size", "brand")
# Slot keys that name the thing searched for, most specific first.
NOUN_SLOTS = ("product", "product_type", "item", "query", "category")
RECIPIENT_SLOTS = ("recipient", "for", "person")
OCCASION_SLOTS = ("occasion", "event")
BUDGET_SLOTS = ("budget", "max_price", "price", "price_range")
_KNOWN = set(ADJECTIVE_SLOTS + NOUN_SLOTS + RECIPIENT_SLOTS + OCCASION_SLOTS + BUDGET_SLOTS)
_BUDGET_WORDS = ("under", "below", "less", "up to", "between", "around", "about", "over", "at most", "max")


def pick(variants: Sequence[str], facts: ReplyFacts, seed: int) -> str:
    """Choose one phrasing, the same one every time for the same seed, act and message.

    ``hash()`` of a str is salted per process, so a digest keeps choices stable across runs.
    """
    key = f"{seed}|{facts.act.value}|{facts.user_text}".encode("utf-8", "replace")
    index = int.from_bytes(hashlib.blake2b(key, digest_size=4).digest(), "big") % len(variants)
    return variants[index]


def _first(slots: dict[str, str], keys: Sequence[str]) -> str:
    for key in keys:
        value = slots.get(key, "").strip()
        if value:
            return value
    return ""


def budget_phrase(slots: dict[str, str], currency: str) -> str:
    """ "under £10" from a budget slot ("£10", "10", "under £10"); "" without one."""
    value = _first(slots, BUDGET_SLOTS)
    if not value:
        return ""
    if value.lower().startswith(_BUDGET_WORDS):
        return value
    if value[0].isdigit():
        value = f"{currency}{value}"
    return f"under {value}"


def describe(slots: dict[str, str], currency: str, default: str = "products", with_budget: bool = True) -> str:
    """The understood request as a noun phrase: "red lunch bags for mum under £10".

    Args:
        slots: understood constraints as display strings.
        currency: the shop's currency symbol, for a bare-number budget.
        default: the noun when no slot names the product.
        with_budget: add the budget ("under £10") when a slot gives one.

    Returns:
        A phrase built only from the slot values.
    """
    adjectives = [slots[k].strip() for k in ADJECTIVE_SLOTS if slots.get(k, "").strip()]
    noun = _first(slots, NOUN_SLOTS) or default
    parts = [*adjectives, noun]
    recipient = _first(slots, RECIPIENT_SLOTS)
    if recipient:
        parts.append(recipient if recipient.lower().startswith("for ") else f"for {recipient}")
    occasion = _first(slots, OCCASION_SLOTS)
    if occasion:
        parts.append(occasion if occasion.lower().startswith(("for ", "at ")) else f"for {occasion}")
    budget = budget_phrase(slots, currency) if with_budget else ""
    if budget:
        parts.append(budget)
    extra = [f"{k.replace('_', ' ')}: {v.strip()}" for k, v in slots.items() if k not in _KNOWN and v.strip()]
    phrase = " ".join(p for p in parts if p)
    if extra:
        phrase += f" ({'; '.join(extra)})"
    return phrase


def join_words(items: Sequence[str], last: str = "and") -> str:
    """ "a, b and c" (or "a, b or c")."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {last} {items[-1]}"


def excerpt(text: str, max_chars: int = 320) -> str:
    """The first whole sentences of ``text`` that fit in ``max_chars`` (verbatim, so they stay quotable)."""
    text = " ".join(text.split())
    if len(text) <= max_chars:
        return text
    cut = text[:max_chars]
    end = max(cut.rfind(". "), cut.rfind("? "), cut.rfind("! "))
    if end > 40:
        return cut[: end + 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > 0 else cut) + " …"


def question(text: str) -> str:
    """Make sure a question ends with a question mark."""
    text = text.strip()
    return text if text.endswith("?") else text.rstrip(".!") + "?"
