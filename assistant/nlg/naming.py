"""A name for what was found, read from the products' own titles and categories.

A reply never turns the shopper's words into a noun ("These 5 something more personal maybe"): it names
the results by a word most of their titles share ("doormats", "lunch bags") when the shopper's request
used it too ("... and close matches" when only most do), else by the category they all share ("items from our
party range"), else not at all.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Sequence

from assistant.nlg.phrasing import CLOSE_MATCHES, plural
from assistant.understanding.catalog import stem, title_phrases
from assistant.understanding.content import FUNCTION_WORDS

_WORD = re.compile(r"[a-z][a-z'-]*")
SHARE = 0.6  # of the shown titles that must print the word
# Word endings of participles and adjectives: such a word names a kind only where a title ends with it.
_DESCRIBING_ENDINGS = ("ing", "ful", "ous", "ive", "less", "ish", "able", "ible", "proof")
MOTIF_CATEGORIES = 3  # categories of the shown products printing a word that make it a motif, not a kind


def _stem(word: str) -> str:
    # The catalog's plural folding ("boxes" -> "box", as titles print it); words with an apostrophe or hyphen
    # ("kid's", "t-light") less a final "s"; words of three letters as typed ("tvs" names no kind of its own:
    # titles print "TV" on TVs, streaming boxes and wall mounts alike).
    if len(word) > 3 and word.isalpha():
        return stem(word)
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def found_label(titles: Sequence[str], categories: Sequence[str], query: str = "", head: str = "") -> str:
    """ "doormats", "lunch bags", "items from our party range" or "" (see the module docstring).

    ``head``: the word that names the thing asked for, when known; then only it (or a two-word name ending in it)
    may name the results, never a describing word of the request ("5 wireless", "5 smalls").

    Example:
        >>> found_label(["Doormat Union Flag", "Doormat Red Retrospot"], ["home decor", "home decor"], "a door mat")
        'doormats'
        >>> found_label(["Party Bunting", "Spotty Bunting"], ["party", "party"], "flags for a garden party")
        'items from our party range'
        >>> found_label(["Mug", "Lamp"], ["kitchen", "lighting"], "something nice")
        ''
        >>> found_label(["Black Ear Muff Headphones", "Gold Ear Muff Headphones", "Daisy Hair Band"], [], "headphones")
        'headphones and close matches'
        >>> found_label(["MSI Laptop GeForce RTX", "Dell Laptop GeForce RTX"], [], "a laptop for uni")
        'laptops'
        >>> found_label(["Wireless Earbuds", "Sport Earbuds", "Wireless Headphones"], [], "earbuds", head="earbuds")
        'earbuds and close matches'
    """
    if not titles:
        return ""
    need = max(2, -(-len(titles) * SHARE // 1)) if len(titles) > 1 else 1
    # Grammar words never name what was found ("for" is inside "geforce").
    asked = {_stem(w) for w in _WORD.findall(query.lower()) if len(w) > 1 and w not in FUNCTION_WORDS}
    unigrams: Counter[str] = Counter()
    bigrams: Counter[str] = Counter()
    spelled: dict[str, str] = {}
    filed: dict[str, set[str]] = {}  # word or pair of words -> the categories of the titles printing it
    ending: set[str] = set()  # the words that end a phrase of a title, where English compounds put the kind
    for n, title in enumerate(titles):
        for phrase in title_phrases(title.lower()):
            ending.update(_stem(w) for w in [w for w in _WORD.findall(phrase) if len(w) > 1][-1:])
        words = [w for w in _WORD.findall(title.lower()) if len(w) > 1]
        stems = [_stem(w) for w in words]
        for w, s in zip(words, stems, strict=True):
            spelled.setdefault(s, w)
        pairs = {f"{a} {b}" for a, b in itertools.pairwise(stems)}
        unigrams.update(set(stems))
        bigrams.update(pairs)
        if n < len(categories):
            for key in {*stems, *pairs}:
                filed.setdefault(key, set()).add(categories[n])

    naming = {_stem(head.lower())} if head else asked

    def a_kind(name: str) -> bool:
        # A word the shown products print across three or more of the shop's categories is a motif, a flavour or
        # a colour ("Chocolate This Way Metal Sign", "Faux Fur Chocolate Throw", "Jumbo Bag Strawberry"), not
        # what they are: naming them by it would call a sign and a throw "chocolates".
        # A participle ("curved", "padded", "personalised") says what a thing is like, never what it is: named by
        # it, three curved monitors would be "curveds".
        # Nor is one in "-ing" or with an adjective's ending ("-ful", "-ous", ...) that the titles only ever print
        # before the thing ("Noise Cancelling Headphones": not "2 noise cancellings"; "Colourful Flower Fruit
        # Bowl": not "2 colourfuls"); "Party Bunting" ends its title.
        last = spelled.get(name.split()[-1], name.split()[-1])
        return len(filed.get(name, ())) < MOTIF_CATEGORIES and not (len(last) > 4 and last.endswith("ed")) \
            and not (len(last) > 4 and last.endswith(_DESCRIBING_ENDINGS) and name.split()[-1] not in ending)

    def wanted(stem: str) -> bool:
        # The request used the word, or the word holds one the request used ("mat" in "doormat").
        return stem in naming or any(len(a) > 2 and a in stem for a in naming)

    for phrase, n in bigrams.most_common():
        if n < need:
            break
        if not a_kind(phrase):
            continue
        # ... or the request wrote the two words as one ("lunchbox" of "Lunch Box").
        if all(wanted(p) for p in phrase.split()) or (wanted(phrase.split()[-1]) and phrase.split()[0] in asked) \
                or phrase.replace(" ", "") in naming:
            first, last = phrase.split()
            return _all_or_most(plural(f"{spelled[first]} {spelled[last]}"), n, len(titles))
    # Of the words most titles print that the request used, the one it used last: English names the thing
    # last ("hanging lantern" -> lanterns).
    order = [_stem(w) for w in _WORD.findall(query.lower())]
    usable = [w for w, n in unigrams.items() if n >= need and wanted(w) and a_kind(w)]
    if usable:
        def place(w: str) -> int:
            return max((i for i, a in enumerate(order) if a == w or (len(a) > 2 and a in w)), default=-1)
        best = max(usable, key=lambda w: (place(w), unigrams[w]))
        return _all_or_most(plural(spelled[best]), unigrams[best], len(titles))
    common = Counter(c for c in categories if c).most_common(1)
    if common and common[0][1] == len(titles):
        return range_label(common[0][0])
    return ""


def kind_of(label: str) -> str:
    """The kind a label names: "teapots" of "teapots and close matches"."""
    return label.removesuffix(CLOSE_MATCHES)


_RANGE_OPEN, _RANGE_CLOSE = "items from our ", " range"


def range_label(category: str) -> str:
    """The label of a list named by the category its products share: "items from our party range"."""
    return f"{_RANGE_OPEN}{category}{_RANGE_CLOSE}"


def range_of(label: str) -> str:
    """The category a list's label names ("party" of "items from our party range"), or "" for a label naming a
    kind ("teapots"): a range label's last word is no thing."""
    if label.startswith(_RANGE_OPEN) and label.endswith(_RANGE_CLOSE):
        return label[len(_RANGE_OPEN):-len(_RANGE_CLOSE)]
    return ""


def _all_or_most(name: str, printing: int, shown: int) -> str:
    # "5 headphones" when two of the five are a hair band and a speaker would count what was typed, not found.
    return name if printing == shown else f"{name}{CLOSE_MATCHES}"
