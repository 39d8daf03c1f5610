"""Which of the things on the screen a message points at: "the second one", "the two cheapest", "it",
"the teapot", "compare the samsung and the lg".

The words that point are grammar (ordinals, "it", "the cheapest"); the things pointed at are found among
the titles on the screen, so no product word is listed here.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from typing import Protocol

from assistant.types import Slots
from assistant.understanding.budget import MONEY_WORDS
from assistant.understanding.catalog import of_own_kind, stem, title_itself, words_of
from assistant.understanding.content import DO_FORMS, FUNCTION_WORDS, MODALS, content_words, small_count
from assistant.understanding.ordinals import REF_NOUNS
from assistant.understanding.vocab import ITEM_NOUNS, NUMBER_WORDS, ORDINALS, PRICE_WORDS, SIZES
from cartwise.models import ProductId

# The last word of each price comparative ("cheaper", "more expensive", "dearer"): before "of" it picks from a set.
_COMPARATIVE_ENDS = frozenset({"cheaper", "pricier"} | {phrase.split()[-1] for phrase, level in PRICE_WORDS.items()
                                                        if level in ("cheaper", "pricier")})
PLURAL_PRONOUNS = frozenset({"them", "those", "these", "they"})
NUMBERED_POINTERS = frozenset({"number", "no", "option", "item", "#"})  # "number 3", "option 2": a place by number
_PRONOUNS = frozenset({"it", "that", "this", "them", "those", "these", "they", "one"})
_PART_WORDS = frozenset({"and", "vs", "versus", "or", "with", "against", "to"})
# Words that never name a product on the screen.
_NOT_NAMES = frozenset("""
    the a an one ones item items thing things product products option options choice pick picks result results
    please pls thanks it that this these those them they some any all both each of in on for with and or to from
    tell me more about compare show see want like love prefer which what whats is are was were do does did can
    could would should how much many why remove drop delete swap replace change add put include take out get rid
    instead than but not no just only also too again bundle set basket list here there cheapest cheaper expensive
    dearest priciest most least first second third fourth fifth last top bottom number details info
    """.split())


class OnScreen(Protocol):
    """A product or bundle item as shown: its id, title and price."""

    @property
    def id(self) -> ProductId: ...

    @property
    def title(self) -> str: ...

    @property
    def price(self) -> object: ...


# Nouns after an ordinal that make it no pointer at the screen.
NOT_POINTING_AFTER = frozenset("""time times week weeks month months year years night christmas order orders purchase
    purchases visit delivery deliveries parcel parcels package packages thing things""".split())

# A singular verb after "which" asks which one of the things on the screen ("which is cheaper?", "which has more
# memory?"); "which ones fit?" and "which laptops have 16gb" ask for some of them, or for new things.
_WHICH_ONE = frozenset({"one", "of", "is", "has", "does", "would", "should", "will", "can", "costs"})


def chooses_among(words: Sequence[str]) -> bool:
    """Whether the message asks which one of the things on the screen ("which one lasts longest", "which is
    cheaper")."""
    return any(w == "which" and nxt in _WHICH_ONE for w, nxt in itertools.pairwise(words))


# A "last" after these is a place ("the last one", "your very last"); after an auxiliary and its subject, a verb.
_BEFORE_LAST = frozenset({"the", "that", "this", "my", "your", "our", "their", "his", "her", "its", "very"})


def ordinal_positions(words: Sequence[str]) -> list[int]:
    """Every position named by ordinals or "number N", 1-based, -1 for "last", in text order.

    "the first two" and "the top three" name positions 1 and 2, 1 to 3.
    """
    found: list[int] = []
    for i, w in enumerate(words):
        value = ORDINALS.get(w)
        if value is None and w.isdigit() and i > 0 and words[i - 1] in NUMBERED_POINTERS:
            value = int(w)
        if value is None or w in ("former", "latter"):
            continue
        if i + 1 < len(words) and words[i + 1] in NOT_POINTING_AFTER and not (
                words[i + 1] in ITEM_NOUNS and i > 0 and words[i - 1] in ("the", "that")):
            continue  # "last time", "my last order", "first thing": not a place in a list ("the first thing" is)
        if w in ("first", "last") and i > 0 and _sorts_by(words[i - 1]):
            continue  # "cheapest first", "most expensive last": an order to list them in, no place in the list
        if w == "last" and i > 0 and words[i - 1] not in _BEFORE_LAST \
                and (MODALS | DO_FORMS).intersection(words[max(0, i - 4):i]):
            continue  # "how long does the battery last", "will it last": the verb, no place in the list
        nxt = words[i + 1] if i + 1 < len(words) else ""
        count = int(nxt) if nxt.isdigit() and len(nxt) == 1 else NUMBER_WORDS.get(nxt, 0)
        after = words[i + 2] if i + 2 < len(words) else ""
        if w == "top" and count > 1 and after and after not in REF_NOUNS and after != "of":
            continue  # "your top 3 best sellers", "top 5 laptops": how many a ranking lists, no place on the screen
        if value == 1 and 1 < count <= 10:
            found.extend(range(1, count + 1))
        elif value == -1 and 1 < count <= 10:
            found.extend(range(-count, 0))
        else:
            found.append(value)
    return list(dict.fromkeys(found))


def sorts_list(words: Sequence[str]) -> bool:
    """Whether the message asks for an order to list things in ("cheapest first", "highest rated first")."""
    return any(w in ("first", "last") and _sorts_by(prev) for prev, w in itertools.pairwise(words))


def _sorts_by(word: str) -> bool:
    """Whether ``word`` can end what a list is sorted by: a superlative ("cheapest", "newest") or a property
    ranked ("price", "most expensive", "highest rated")."""
    return (word.endswith("est") and len(word) > 4) or word in ("price", "prices", "expensive", "rated", "popular")


# Words that say how to rank, not what: "the best rated", "most popular", "top selling".
_RANKING = frozenset({"best", "top", "most", "popular", "rated", "selling", "seller", "sellers", "favourite",
                      "favorite", "recommended", "bestselling", "bestseller", "bestsellers"})


def is_ranking_word(word: str) -> bool:
    """Whether ``word`` says how to rank what is asked for ("best", "most popular", "highest rated"), not what."""
    return word in _RANKING or _sorts_by(word)


def count_before_superlative(words: Sequence[str]) -> int:
    """ "the two cheapest" -> 2, "the 3 most expensive" -> 3; 1 when no count is given."""
    for i, w in enumerate(words):
        if w in ("cheapest", "priciest", "dearest") or (w in ("most", "least") and i + 1 < len(words)):
            prev = words[i - 1] if i > 0 else ""
            n = small_count(prev)
            if n > 1:
                return n
    return 1


# The words that rank a list; a number beside one is a count, unless money follows it ("the cheapest 5 pound gift").
_RANKING = frozenset({"cheapest", "priciest", "dearest", "top", "best"})
MAX_LISTED = 10


def list_count(words: Sequence[str]) -> int | None:
    """How many things a ranked list should hold: a count beside a ranking word ("the cheapest 3", "top 3", "the
    3 most expensive", "best five"); None when none is said (or it counts one, or more than :data:`MAX_LISTED`)."""
    for i, w in enumerate(words):
        if w not in _RANKING and not (w in ("most", "least") and i + 1 < len(words)):
            continue
        for j in (i - 1, i + 1):
            if not 0 <= j < len(words) or (j + 1 < len(words) and words[j + 1] in MONEY_WORDS):
                continue
            n = small_count(words[j])
            if 1 < n <= MAX_LISTED:
                return n
    return None


def _counted_set(words: Sequence[str]) -> int:
    """ "of the two" -> 2, "of these three" -> 3: the size of the set a comparative picks from; 0 when unsaid."""
    for a, b, c in zip(words, words[1:], words[2:], strict=False):
        if a == "of" and b in ("the", "these", "those") and c in NUMBER_WORDS:
            return NUMBER_WORDS[c]
    return 0


def picks_by_comparative(words: Sequence[str], slots: Slots) -> bool:
    """Whether a price comparative picks from a set ("the cheaper of the two", "the cheaper one", "the more
    expensive one") rather than asks for cheaper things than those shown ("cheaper ones", "a cheaper one")."""
    if slots.price not in ("cheaper", "pricier"):
        return False
    for i, w in enumerate(words):
        if w not in _COMPARATIVE_ENDS or i + 1 >= len(words):
            continue
        # "the" is definite: one of those shown, where "a cheaper one" is another thing.
        if words[i + 1] == "of" or (words[i + 1] == "one" and "the" in words[max(0, i - 2):i]):
            return True
    return False


def _asks_of_one(words: Sequence[str]) -> bool:
    """Whether the message asks a property of one thing, by a verb in the singular: its price ("how much is the
    cheapest") or what it has or does ("does the cheapest have a lid")."""
    return "does" in words or any(trio == ("how", "much", "is") for trio in zip(words, words[1:], words[2:],
                                                                                 strict=False))


def picks_one_by_price(words: Sequence[str], slots: Slots) -> bool:
    """Whether the price word picks one product from a set: "the cheaper of the two", "the cheapest one", "how
    much is the cheapest", "does the cheapest have a lid" (not "cheaper ones", "the cheapest ones", "the three
    cheapest", "what's the cheapest": a list from the cheapest up answers that)."""
    singular = slots.price in ("cheapest", "priciest") and count_before_superlative(words) == 1 and (
        "one" in words or _asks_of_one(words))
    return singular or picks_by_comparative(words, slots)


def _chooses_by_price(words: Sequence[str], slots: Slots) -> str:
    """ "cheapest"/"priciest" when the message picks by price from what is shown: a superlative ("the cheapest"),
    or a comparative followed by "of" ("the cheaper of the two", "the dearer of the first two"), else ""."""
    if slots.price in ("cheapest", "priciest"):
        # ("cheapest first": an order to list them in, none picked.)
        return "" if sorts_list(words) else slots.price
    if picks_by_comparative(words, slots):
        return "cheapest" if slots.price == "cheaper" else "priciest"
    return ""


# Size comparatives and superlatives (grammar), and the sizes titles print: a number before a unit of length,
# capacity or storage ('65" Class', "2TB", "500ml").
SIZE_CHOICE = {"smallest": "smallest", "littlest": "smallest", "tiniest": "smallest", "smaller": "smallest",
                "biggest": "largest", "largest": "largest", "bigger": "largest", "larger": "largest"}
TITLE_SIZES = re.compile(
    r'(\d+(?:\.\d+)?)\s*(?:"|”|-?inch(?:es)?\b|in\b|cm\b|mm\b|(tb)\b|gb\b|ml\b|l\b|litres?\b)', re.I)


def chooses_by_size(words: Sequence[str]) -> str:
    """ "smallest"/"largest" when the message picks by size from what is shown: a superlative ("the smallest
    one") or a comparative after "the" ("the smaller one, how much?"), else "" ("a bigger one" asks for others)."""
    for before, w in itertools.pairwise(["", *words]):
        which = SIZE_CHOICE.get(w)
        if which and (w.endswith("est") or before == "the"):
            return which
    return ""


def title_size(title: str) -> float | None:
    """The first size a title prints (55" -> 55.0; 2TB -> 2000.0, in gigabytes), or None.

    Only of the thing itself: a size after "for" is what it fits ("Magic Keyboard for iPad Pro 12.9-inch").
    """
    m = TITLE_SIZES.search(title_itself(title))
    if m is None:
        return None
    return float(m.group(1)) * (1000 if m.group(2) else 1)  # terabytes in gigabytes


# The sizes a word names (the values of SIZES), smallest first: letter sizes beside the words they mean.
_GRADES = {size: grade for grade, sizes in enumerate((("mini", "XS"), ("small", "S"), ("medium", "M"), ("large", "L"),
                                                      ("extra large", "XL"), ("jumbo", "XXL"), ("XXXL",)))
           for size in sizes}


def title_grade(title: str) -> float | None:
    """Where the first size word of a title stands among the others ("Small Parlour Picture Frame" -> 1.0, "Large
    ..." -> 3.0), or None: of the thing itself, as for :func:`title_size`."""
    words = words_of(title_itself(title))
    for first, second in itertools.pairwise([*words, ""]):
        size = SIZES.get(f"{first} {second}") or SIZES.get(first)
        if size in _GRADES:
            return float(_GRADES[size])
    return None


def size_scale(titles: Sequence[str]) -> Callable[[str], float | None]:
    """How the sizes of these titles compare: by the measure they print (55", 2TB) where any prints one, else by
    the size word they print (Small < Medium < Large), so that "a bigger one" after picture frames that only say
    "Small" and "Medium" finds the "Large" one. Size words are a scale only where two of them differ: two "Mini"
    jigsaws among others that print no size say nothing of which is bigger. The scale is the one more of them
    print: a 'Record Frame 7"' among Small, Medium and Large picture frames is one measure, no scale."""
    measured = sum(1 for t in titles if title_size(t) is not None)
    graded = [grade for t in titles if (grade := title_grade(t)) is not None]
    return title_grade if len(set(graded)) >= 2 and len(graded) > measured else title_size


def _by_size(items: Sequence[OnScreen], which: str) -> tuple[ProductId, ...]:
    size_of = size_scale([item.title for item in items])
    sized = [(size, n, item) for n, item in enumerate(items) if (size := size_of(item.title)) is not None]
    if len(sized) < 2:
        return ()
    ordered = sorted(sized, key=lambda s: (s[0] if which == "smallest" else -s[0], s[1]))
    return (ordered[0][2].id,)


def _by_price(items: Sequence[OnScreen], which: str, n: int) -> tuple[ProductId, ...]:
    ordered = sorted(items, key=lambda item: item.price, reverse=which == "priciest")  # type: ignore[arg-type,return-value]
    return tuple(item.id for item in ordered[:n])


def _of_these(words: Sequence[str], items: Sequence[OnScreen]) -> bool:
    """Whether every thing the message names is printed by a title on the screen ("the smallest tv" after TVs;
    "smallest laptop you have" after TVs asks of laptops)."""
    shown = set().union(*(_title_stems(item.title) for item in items))
    return all(stem(w) in shown for w in content_words(words) if w not in SIZE_CHOICE)


def _title_stems(title: str) -> set[str]:
    return {stem(w) for w in title.lower().replace("-", " ").split() if w}


def _matches(words: Sequence[str], title: str) -> int:
    """How many of ``words`` the title prints (as a word or the start of one: "mug" in "mugs")."""
    stems = _title_stems(title)
    return sum(1 for w in words if any(t == w or (len(w) > 2 and t.startswith(w)) for t in stems))


def name_words(words: Sequence[str]) -> list[str]:
    """The words of a message that could name a shown product ("the red teapot" -> ["red", "teapot"]; "the rtx
    4060 one" -> ["rtx", "4060"]). A number of one or two digits counts or places ("the 2 cheapest"); a longer one
    is a model number a title prints."""
    return [stem(w) for w in words if w.isalnum() and w not in _NOT_NAMES and w not in FUNCTION_WORDS
            and not (w.isdigit() and len(w) < 3)]


def by_name(words: Sequence[str], items: Sequence[OnScreen], roles: Sequence[str] = ()) -> list[ProductId]:
    """Items the message names, one per named part ("the samsung and the lg" names two).

    ``roles``: what each item is there for, as the reply said it (a set's "cups for the drinks" beside "I Love
    London Beaker"): a part no title matches names the item whose role it matches ("swap the cups")."""
    parts: list[list[str]] = [[]]
    for w in words:
        if w in _PART_WORDS:
            parts.append([])
        else:
            parts[-1].append(w)
    found: list[ProductId] = []
    for part in parts:
        names = name_words(part)
        if not names:
            continue
        scored = [(_matches(names, item.title), -n, item.id) for n, item in enumerate(items)]
        best = max(scored, default=(0, 0, ""))
        if best[0] <= 0 and roles and (said := content_words(names)):
            scored = [(_matches(said, role), -n, item.id) for n, (item, role) in enumerate(zip(items, roles,
                                                                                              strict=False))]
            best = max(scored, default=(0, 0, ""))
        tied = [i for s, _, i in scored if s == best[0]]
        if best[0] > 0 and best[0] < len(names) and len(tied) > 1:
            # "the macbook pro" after MacBook Airs: every one prints "macbook", none "pro"; a name only partly printed
            # by several alike names none of them (it named them all, and compared two Airs).
            continue
        if best[0] > 0:
            found.extend(i for i in tied if i not in found)
    return found


def is_pronoun(reference: str | None) -> bool:
    """ "it", "that one", "this": a pronoun; "the samsung one" names something."""
    if not reference:
        return False
    words = [w for w in reference.lower().split() if w not in ("the", "a")]
    return bool(words) and all(w in _PRONOUNS for w in words)


def for_the_product(words: Sequence[str]) -> bool:
    """Whether the message asks for something for the product on the screen by a pronoun after "to", "with" or
    "around": "add a mouse and a bag to it", "add a mouse to that" (a "that" before a noun is no pronoun:
    "with that laptop" names it)."""
    return any(a in ("to", "with", "around") and (b == "it" or (b in ("that", "this") and not content_words([c])))
               for a, b, c in zip(words, words[1:], [*words[2:], ""], strict=False))


def counted_reference(words: Sequence[str]) -> int | None:
    """The count before a plural pronoun ("two of those", "3 of them"); None when there is none. After one
    product's details it is how many of that product; under a list, how many of the list."""
    for a, b, c in zip(words, words[1:], words[2:], strict=False):
        if b == "of" and c in PLURAL_PRONOUNS and (a.isdigit() or a in NUMBER_WORDS):
            return int(a) if a.isdigit() else NUMBER_WORDS[a]
    return None


_COMPARING = frozenset({"compare", "compares", "than", "versus", "vs", "against"})


def resolve(
    items: Sequence[OnScreen], slots: Slots, words: Sequence[str], focus_id: ProductId | None,
    roles: Sequence[str] = (), kind: str = "",
) -> tuple[ProductId, ...]:
    """The ids among ``items`` (what is on the screen, in order) that the message points at.

    Tried in order: ordinals ("the second", "the first two", "number 3"), price order ("the two cheapest",
    "the most expensive"), a pronoun ("it", "that one": the product in focus), then names ("the teapot").

    Args:
        items: the products or bundle items on the screen.
        slots: the message's slots (its price word and pronoun reference).
        words: the message's words (normalised).
        focus_id: the product being talked about.
        roles: what each item is there for, for a set's items (see :func:`by_name`).
        kind: the word naming what was asked for ("teapots"); a price word picks among the items of that kind.

    Returns:
        The ids pointed at, in the order named; empty when the message points at nothing on the screen.
    """
    if not items:
        return ()
    ids = [item.id for item in items]
    positions = [p for p in ordinal_positions(words) if -len(ids) <= p <= len(ids) and p != 0]
    chooses = _chooses_by_price(words, slots)
    if positions:
        pointed = list(dict.fromkeys(ids[p - 1] if p > 0 else ids[p] for p in positions))
        if focus_id and focus_id not in pointed and "it" in words and _COMPARING.intersection(words):
            # "how does it compare to the second one", "is it better than the third": it, and the one named.
            pointed.insert(0, focus_id)
        if chooses and len(pointed) > 1:
            # "the cheaper of the first two": the ordinals name the set, the price word picks from it.
            among = [item for item in items if item.id in pointed]
            return _by_price(among, chooses, count_before_superlative(words))
        return tuple(pointed)
    if chooses:
        # "the cheaper of the two" with more on the screen: the two the list leads with.
        counted = _counted_set(words)
        leading = items[:counted] if counted > 1 else items
        # "which is the cheapest" after teapots: the cheapest teapot, not a tea mug shown beside them.
        # (An "LCD TV", not a "TV Mounting Service", after "tvs".)
        of_kind = [leading[n] for n in of_own_kind([item.title for item in leading], kind)] if kind else []
        return _by_price(of_kind or leading, chooses, count_before_superlative(words))
    size = chooses_by_size(words)
    if size and _of_these(words, items) and (picked := _by_size(items, size)):
        return picked  # "the smallest one" after TVs: the 43\" one
    if for_the_product(words):
        # "add a mouse and a bag to it": the pronoun is the product; the names are new things for it.
        return (focus_id,) if focus_id in ids else (ids[0],)
    if "both" in words and len(ids) == 2:
        return tuple(ids)  # "add both", "i'll take both" with two on the screen (after "compare the first two")
    named = by_name(words, items, roles)
    if named:
        if focus_id and focus_id in ids and focus_id not in named and "it" in words and _COMPARING.intersection(words):
            # "compare it with the jbl" after the Klipsch's details: it, and the one named.
            named.insert(0, focus_id)
        return tuple(named)
    if chooses_among(words):
        # "which one has the longest battery?", "which is cheaper?": a choice among everything on the screen
        # ("which ones fit?" filters)
        return tuple(ids)
    if is_pronoun(slots.reference_text):
        if PLURAL_PRONOUNS.intersection((slots.reference_text or "").lower().split()):
            return tuple(ids)  # "why these?", "compare them": everything on the screen
        if focus_id in ids:
            return (focus_id,)
        return (ids[0],)
    return ()
