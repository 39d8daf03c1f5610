"""Small text helpers for the templates: seeded variant choice, slot phrases, lists.

Nothing here states a fact of its own: every helper formats values it is given.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

from assistant.facts import ReplyFacts
from assistant.understanding.catalog import stem, words_of
from assistant.understanding.content import FUNCTION_WORDS
from assistant.understanding.vocab import size_words

# Slot keys read as an adjective before the noun ("red lunch bags").
ADJECTIVE_SLOTS = ("colour", "color", "size", "material", "style", "brand")
# Slot keys that name the thing found: a name read from the results' own titles (see assistant.nlg.naming),
# never the shopper's words.
NOUN_SLOTS = ("found",)
RECIPIENT_SLOTS = ("recipient", "for", "person")
OCCASION_SLOTS = ("occasion", "event")
BUDGET_SLOTS = ("budget", "max_price", "price", "price_range")
_BUDGET_WORDS = ("under", "below", "less", "up to", "between", "around", "about", "over", "at most", "max")
_LEVELS = {"low": "affordable", "high": "premium", "cheaper": "cheaper", "pricier": "pricier",
           "discounted": "discounted"}


def pick(variants: Sequence[str], facts: ReplyFacts, seed: int) -> str:
    """Choose one phrasing, the same one every time for the same seed, act and message.

    ``hash()`` of a str is salted per process, so a digest keeps choices stable across runs.
    """
    key = f"{seed}|{facts.act.value}|{facts.user_text}".encode("utf-8", "replace")
    index = int.from_bytes(hashlib.blake2b(key, digest_size=4).digest(), "big") % len(variants)
    return variants[index]


def is_code(detail: str) -> bool:
    """True for a machine code in ``detail`` ("language", "chat_history", "not_in_bundle:teapot"), not a sentence."""
    head = detail.split(":", 1)[0].strip()
    return bool(head) and " " not in head and head == head.lower() and not head.endswith((".", "?", "!"))


def _first(slots: dict[str, str], keys: Sequence[str]) -> str:
    for key in keys:
        value = slots.get(key, "").strip()
        if value:
            return value
    return ""


def _money_text(value: str, currency: str) -> str:
    return f"{currency}{value}" if value[:1].isdigit() else value


def budget_phrase(slots: dict[str, str], currency: str) -> str:
    """ "under £10.00" from budget slots ("budget_max": "10.00", "budget": "£10", ...); "" without one."""
    low, high = slots.get("budget_min", "").strip(), slots.get("budget_max", "").strip()
    about = slots.get("budget_about", "").strip()
    if about:
        return f"around {_money_text(about, currency)}"
    if low and high:
        return f"between {_money_text(low, currency)} and {_money_text(high, currency)}"
    if high:
        return f"under {_money_text(high, currency)}"
    if low:
        return f"over {_money_text(low, currency)}"
    value = _first(slots, BUDGET_SLOTS)
    if not value:
        return ""
    if value.lower().startswith(_BUDGET_WORDS):
        return value
    return f"under {_money_text(value, currency)}"


# Activities and mass nouns a shopper names as the kind of thing: "gardening gifts", "bedding items".
_ACTIVITIES = frozenset("gardening baking cooking knitting sewing camping fishing hiking crafting painting "
                        "drawing reading gaming cycling running golf yoga".split())
_MASS = frozenset("clothing bedding lighting stationery jewellery jewelry furniture luggage equipment cookware "
                  "tableware kitchenware homeware glassware packaging decor storage".split())


CLOSE_MATCHES = " and close matches"  # a found label when only most of the products shown print its words


def plural(noun: str) -> str:
    """A rough English plural for a product phrase ("lunch bag" -> "lunch bags"); leaves plurals alone."""
    if not noun or not noun[-1].isalpha() or not noun.isascii():
        return noun
    if noun.endswith("ss"):  # "glass", "dress": singular ("glasses" and "dresses" already end in a single s)
        return noun + "es"
    if noun.endswith("s"):
        return noun
    last = noun.rsplit(" ", 1)[-1].lower()
    if last in _ACTIVITIES:
        return f"{noun} gifts"
    if last in _MASS:
        return f"{noun} items"
    if noun.endswith(("x", "sh", "ch", "z")):
        return noun + "es"
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return noun[:-1] + "ies"
    return noun + "s"


def for_whom(recipient: str) -> str:
    """ "for your mum" from the dialog's normalised recipient ("mum", "my boss", "myself", "a baker")."""
    r = recipient.strip()
    low = r.lower()
    if low.startswith("for "):
        return r
    if low in ("myself", "me", "self"):
        return "for you"
    if low in ("her", "him", "them"):
        return f"for {low}"  # a pronoun takes no "your"
    if low == "couple":
        return "for the couple"  # nobody's own: "your couple" says something else
    if low.startswith("my "):
        return f"for your {r[3:]}"
    if " " in r or not r.isalpha() or not r.islower():
        return f"for {r}"  # "a baker", a name, or a non-English word: as given
    return f"for your {r}"


# Occasions that are events one of many ("for a birthday", "for a party"); the others are named days
# ("for christmas", "for mother's day"). The slot extractor's canonical occasion names (understanding/vocab.py).
_COUNTED_OCCASIONS = frozenset({"birthday", "wedding", "anniversary", "engagement", "baby shower", "christening",
                                "housewarming", "tea party", "party", "hen party", "stag do", "retirement",
                                "graduation", "home office", "new job", "dinner party", "garden party"})


def for_occasion(occasion: str) -> str:
    """ "for a birthday", "for christmas", or the phrase as given when it already starts "for"/"at"."""
    if occasion.lower().startswith(("for ", "at ")):
        return occasion
    return f"for a {occasion}" if occasion.lower() in _COUNTED_OCCASIONS else f"for {occasion}"


def occasion_phrase(slots: dict[str, str]) -> str:
    """ "for mum for a birthday to go with Regency Cakestand 3 Tier" from the bundle's slots; "" without any."""
    parts = []
    recipient = _first(slots, RECIPIENT_SLOTS)
    if recipient:
        parts.append(for_whom(recipient))
    occasion = _first(slots, OCCASION_SLOTS)
    if occasion:
        parts.append(for_occasion(occasion))
    anchor = slots.get("anchor", "").strip()
    if anchor:
        parts.append(f"to go with {anchor}")
    return " ".join(parts)


def describe(
    slots: dict[str, str], currency: str, default: str = "products", with_budget: bool = True, many: bool = True
) -> str:
    """The understood request as a noun phrase: "red lunch bags for mum under £10.00".

    Args:
        slots: understood constraints as display strings (the dialog's slot names).
        currency: the shop's currency symbol, for bare-number budgets.
        default: the noun when no slot names the product.
        with_budget: add the budget when a slot gives one.
        many: pluralise the product noun.

    Returns:
        A phrase built only from the slot values.
    """
    found = _first(slots, NOUN_SLOTS)
    noun = found or default
    # The found name is already a phrase of the results' own words ("lunch bags"); colours and sizes go
    # before it only when the name doesn't say them already.
    adjectives = [slots[k].strip() for k in ADJECTIVE_SLOTS if slots.get(k, "").strip()]
    # ("4 big mugs" are large: a size the name says its own way is said.)
    named = set(words_of(noun.lower()))
    adjectives = [a for a in adjectives if a.lower() not in noun.lower()
                  and not named & size_words(a.lower())]
    if noun.startswith("items from"):
        adjectives = []
    level = _LEVELS.get(slots.get("price", slots.get("price_level", "")).strip().lower(), "")
    occasion = _first(slots, OCCASION_SLOTS)
    if occasion and found and found.lower().removesuffix(CLOSE_MATCHES).rstrip("s") == occasion.lower().rstrip("s"):
        # "christmas" or "birthday" printed by every title found is when they are for, not what ("5 birthdays").
        noun, found = default, ""
    if occasion and occasion.lower() in noun.lower():
        occasion = ""  # "christmas trees" already says it
    elif occasion and found and noun.split()[0].lower().rstrip("s") in occasion.lower().split():
        noun, found = "gifts", "gifts"  # "secret santa" with "santas" found: one word, not "secret santa santas"
    # "mugs for an afternoon tea party"; and "decorations for halloween", never "halloween decorations", where the
    # name found is the titles' own words and they don't print the occasion (Easter chicks are no halloween
    # decorations: the occasion is what the shopper wants them for, not a name for them).
    suffix_occasion = occasion.lower().startswith(("for ", "at ", "a ", "an ", "the ")) or bool(
        occasion and found and not noun.startswith("items from"))
    before = "" if suffix_occasion else occasion
    parts = [level, before, *adjectives, noun if found or not many else plural(noun)]
    recipient = _first(slots, RECIPIENT_SLOTS)
    if recipient:
        parts.append(for_whom(recipient))
    if suffix_occasion:
        parts.append(for_occasion(occasion))
    if with_budget:
        parts.append(budget_phrase(slots, currency))
    excluded = slots.get("exclude", "").strip()
    if excluded:
        parts.append(f"(not {excluded})")
    return " ".join(p for p in parts if p)


def join_words(items: Sequence[str], last: str = "and") -> str:
    """ "a, b and c" (or "a, b or c")."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {last} {items[-1]}"


def citations(facts: ReplyFacts, limit: int = 2) -> list[str]:
    """The first ``limit`` policy passages of ``facts``, each quoted (an excerpt) and followed by its source."""
    out = []
    for passage in facts.passages[:limit]:
        out.append(f"> {excerpt(passage.text, about=facts.user_text, heading=passage.heading)}")
        out.append(f"(from: {passage.source})")
    return out


_SENTENCE_END = re.compile(r"(?<=[.?!])\s+(?=[A-Z0-9£$€(])")


def excerpt(text: str, max_chars: int = 320, about: str = "", heading: str = "") -> str:
    """Whole sentences of ``text`` that fit in ``max_chars`` (verbatim, so they stay quotable): those that share
    words with the question ``about`` first ("what if i'm in ireland": the one naming Northern Ireland), kept in the
    passage's order; else its first sentences. A question that shares as many words with the passage's ``heading``
    ("how long does delivery take" under "How long does UK delivery take?") is the one the passage opens by
    answering: its first sentences, not the exception that happens to print "delivery" and "take"."""
    text = " ".join(text.split())
    if len(text) <= max_chars:
        return text
    asked = {stem(w) for w in words_of(about) if len(w) > 2 and w not in FUNCTION_WORDS}
    sentences = _SENTENCE_END.split(text)
    stems = [{stem(w) for w in words_of(sentence)} for sentence in sentences]
    # A word of the question that half the sentences print (of three or more) is the passage's topic, not what
    # tells its answer: "can i pay with paypal" shares "pay" with the instalments and the invoice terms, and the
    # sentence that says which methods are accepted was left out.
    telling = {w for w in asked if len(sentences) < 3 or sum(w in words for words in stems) * 2 < len(sentences)}
    shared = [len(telling & words) for words in stems]
    headed = len(telling & {stem(w) for w in words_of(heading)})
    if any(shared) and not shared[0] and headed < max(shared):
        kept: list[int] = []
        used = -1  # the characters taken, with a space before each sentence but the first
        for n in sorted(range(len(sentences)), key=lambda n: (-shared[n], n)):
            if used + 1 + len(sentences[n]) <= max_chars:
                kept.append(n)
                used += 1 + len(sentences[n])
        if kept:
            return " ".join(sentences[n] for n in sorted(kept))
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
