"""What the shop's own catalog tells understanding: its category names, brands and words.

Everything here is read from the products, so a new shop needs no word lists: a category is "named" when a
message uses one of the words of the category's own name, and a word the catalog has never printed is
checked for a typo of one it has.

Example:
    >>> from cartwise.models import Product
    >>> catalog = CatalogVocabulary.from_products([
    ...     Product(id="1", title="Red Teapot", category="kitchen & baking", price=5),
    ...     Product(id="2", title="Tea Cosy", category="kitchen & baking", price=3)])
    >>> catalog.named_categories(["a", "kitchen", "teapot"]).categories
    ('kitchen & baking',)
    >>> catalog.correct("teapott")
    'teapot'
"""

from __future__ import annotations

import itertools
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from cartwise.models import Product
from cartwise.words import stem as stem  # re-exported: the catalog's word form, read by understanding

_WORD = re.compile(r"[a-z0-9]+")
_PART_SPLIT = re.compile(r"\s*(?:&|,|/|\band\b)\s*")
# A category word is a filter only when the catalog's titles that print it sit in that category this often;
# otherwise it only lifts that category's products ("gift" is printed across a gift shop's categories).
FILTER_PURITY = 0.7
MIN_TITLES_FOR_PURITY = 3


def words_of(text: str) -> list[str]:
    """Lower-case alphanumeric words of ``text``."""
    return _WORD.findall(text.lower())


# A "for" or "with" after the first word of a title, past any punctuation ("Protection (For New Computers ...)").
_FOR = re.compile(r"(?<=\w)\W+(?:for|with|includes|including|bonus)\b", re.I)
# An "and" or "&" between two words of a title ("Teacup And Saucer", "Bowers & Wilkins").
_COORDINATION = re.compile(r"\s+(?:and|&)\s+", re.I)


def title_itself(title: str) -> str:
    """The part of a title that says what the product itself is: before a "for" that says what it is for or fits
    ("Apple Magic Keyboard for iPad Pro 12.9-inch" -> "Apple Magic Keyboard"), or a "with" (an "includes", a
    "bonus") that says what comes with it ("AirPods Pro with MagSafe Case" is no case, a "Laptop - Includes
    Wireless Mouse" no mouse). "Tea For One" starts with what it is, so a first word is
    kept."""
    fits = _FOR.search(title)
    return title[:fits.start()] if fits else title


@dataclass(frozen=True)
class NamedCategories:
    """The shop categories a message names, and whether they may filter the search.

    Attributes:
        categories: the catalog's category names.
        filter: True when the words that named them pick those categories out of the catalog (see
            :data:`FILTER_PURITY`); False means they only lift those categories' products.
    """

    categories: tuple[str, ...] = ()
    filter: bool = False


def edit_distance_within(a: str, b: str, limit: int) -> bool:
    """Whether the Damerau-Levenshtein distance of ``a`` and ``b`` is at most ``limit`` (banded, early exit)."""
    if abs(len(a) - len(b)) > limit:
        return False
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return False
        prev2, prev = prev, cur
    return prev[-1] <= limit


NAMED_LAST_SHARE = 0.85  # of a word's titles ending a phrase in it: TV 0.88, laptop 0.98; box 0.44, clock 0.79
KIND_PAIR_TITLES = 3  # titles printing two words one after the other that make the two a kind's name (names_by_pair)
# Titles that must print a word before most of them printing a length says the word's things are measured.
MEASURED_TITLES = 3
# A length a title prints: '55" Class', '15.6-inch', "30cm".
_LENGTH = re.compile(r'\d+(?:\.\d+)?\s*(?:"|”|-?inch(?:es)?\b|in\b|cm\b|mm\b)', re.I)
DESCRIBING_CATEGORIES = 5  # categories whose titles print a word that make it a describing word (see describes)


@dataclass
class CatalogVocabulary:
    """The shop's categories, brands and title words, read from its products.

    Args:
        categories: every category name.
        brands: every brand name.
        title_counts: stemmed title word -> number of products whose title prints it.
        word_categories: stemmed title word -> category -> number of those products in it.
        words: every word printed anywhere in a product (title, category, brand, description).
        compounds: two title words written as one, as shoppers write what titles print apart ("lunchbox" of
            "Lunch Box"), each in its singular.
        is_dictionary_word: tells whether a word is ordinary language (then it is never "corrected").
        named_brands: the brands whose name, where the catalog prints it, mostly names that brand's own products
            (a shopper's word for them is a brand). "CHARGE" or "Brilliant" are printed mostly by other brands'
            products ("fast charge", "brilliant colour"): a shopper who types the word means the word, and
            retrieval still finds the brand's products by it.
        pairs: two title words printed one after the other, each in its singular ("drum kit", "tea set"), with how
            many titles print them so.
        phrase_ends: stemmed title word -> number of products whose title ends a phrase in it ("4K UHD LED LCD TV").
        measured: stemmed title word -> number of products whose title prints it and a length ('55" Class', "30cm").
    """

    categories: tuple[str, ...]
    brands: tuple[str, ...]
    title_counts: Counter[str]
    word_categories: dict[str, Counter[str]]
    words: frozenset[str]
    is_dictionary_word: Callable[[str], bool] = lambda word: False
    joined: frozenset[tuple[str, str]] = frozenset()  # ("cup", "saucer"): titles print "Cup And Saucer"
    compounds: frozenset[str] = frozenset()
    named_brands: tuple[str, ...] = ()
    pairs: Counter[tuple[str, str]] = field(default_factory=Counter)  # ("drum", "kit"): titles print "Drum Kit"
    spellings: dict[str, str] = field(default_factory=dict)  # "christma" -> "christmas": a stem as titles print it
    phrase_ends: Counter[str] = field(default_factory=Counter)
    measured: Counter[str] = field(default_factory=Counter)
    _by_length: dict[int, list[str]] = field(default_factory=dict, repr=False)
    _category_parts: dict[str, list[tuple[str, ...]]] = field(default_factory=dict, repr=False)

    @classmethod
    def from_products(
        cls, products: Iterable[Product], is_dictionary_word: Callable[[str], bool] | None = None
    ) -> CatalogVocabulary:
        """Read the vocabulary of ``products`` (a few milliseconds per thousand products)."""
        categories: set[str] = set()
        brands: set[str] = set()
        title_counts: Counter[str] = Counter()
        printed: dict[str, Counter[str]] = defaultdict(Counter)
        word_categories: dict[str, Counter[str]] = defaultdict(Counter)
        words: set[str] = set()
        joined: set[tuple[str, str]] = set()
        compounds: set[str] = set()
        pairs: Counter[tuple[str, str]] = Counter()
        phrase_ends: Counter[str] = Counter()
        measured: Counter[str] = Counter()
        printing: Counter[str] = Counter()  # one-word brand (lower case) -> products whose text prints it
        own: Counter[str] = Counter()  # ... of those, the brand's own products
        products = list(products)
        one_word = {p.brand.lower() for p in products if p.brand and len(words_of(p.brand)) == 1}
        for p in products:
            for w in one_word.intersection(words_of(f"{p.title} {p.description}")):
                printing[w] += 1
                own[w] += p.brand.lower() == w
            title = words_of(p.title.replace("&", " and "))
            joined.update((stem(a), stem(b)) for a, mid, b in zip(title, title[1:], title[2:], strict=False)
                          if mid == "and")
            # Both parts words of three letters or more: "tea" + "cup", never "a" + "pod".
            compounds.update(stem(a + b) for a, b in itertools.pairwise(title)
                             if a.isalpha() and b.isalpha() and min(len(a), len(b)) >= 3)
            pairs.update({(stem(a), stem(b)) for a, b in itertools.pairwise(title)})
            if p.category:
                categories.add(p.category)
            if p.brand:
                brands.add(p.brand)
            for w in words_of(p.title):
                printed[stem(w)][w] += 1
            title_words = {stem(w) for w in words_of(p.title)}
            title_counts.update(title_words)
            phrase_ends.update({stem(last) for phrase in title_phrases(p.title) for last in words_of(phrase)[-1:]})
            if _LENGTH.search(p.title):
                measured.update(title_words)
            for w in title_words:
                word_categories[w][p.category] += 1
            words.update(words_of(f"{p.title} {p.category} {p.brand} {p.description}"))
        vocab = cls(tuple(sorted(categories)), tuple(sorted(brands)), title_counts, dict(word_categories),
                    frozenset(words), is_dictionary_word or (lambda word: False), frozenset(joined),
                    frozenset(compounds),
                    tuple(b for b in sorted(brands) if own[b.lower()] * 2 >= printing[b.lower()]), pairs,
                    {form: spelt.most_common(1)[0][0] for form, spelt in printed.items()}, phrase_ends, measured)
        for w in title_counts:
            if w.isalpha():
                vocab._by_length.setdefault(len(w), []).append(w)
        for c in vocab.categories:
            vocab._category_parts[c] = [tuple(stem(w) for w in words_of(part))
                                        for part in _PART_SPLIT.split(c.lower()) if words_of(part)]
        return vocab

    def names_kind_last(self, word: str) -> bool:
        """Whether the titles that print ``word`` nearly all end a phrase in it, as the electronics shop's name a TV
        ("4K UHD LED LCD TV"): then one that prints it before other words ("TV Mounting Service") is another kind.
        The giftshop's titles put a look after the kind ("Recipe Box Retrospot"): no such reading there."""
        form = stem(word.lower())
        printed = self.title_counts.get(form, 0)
        return printed > 0 and self.phrase_ends.get(form, 0) >= NAMED_LAST_SHARE * printed

    def measures(self, word: str) -> bool:
        """Whether most titles that print ``word`` print a length too ('LG 50" Class ... TV', '27" Monitor'): things a
        size word places on that scale ("a big tv"), where no title says "big"."""
        form = stem(word.lower())
        return self.title_counts.get(form, 0) >= MEASURED_TITLES and self.measured[form] * 2 > self.title_counts[form]

    def names_by_pair(self, before: str, word: str) -> bool:
        """Whether the catalog names a kind of thing by ``before`` and ``word`` together, enough titles printing the
        two one after the other ("Picnic Bag", "Paper Cups", "Tea Towels"), not a describing word or a design before
        it ("Traditional Teapot", "I Love London Beaker")."""
        return self.pairs[(stem(before), stem(word))] >= KIND_PAIR_TITLES

    def describes(self, word: str) -> bool:
        """Whether the titles print ``word`` across so many categories that it says what things are like (a look,
        a material, a style: "vintage", "wooden") rather than naming a kind ("washing" of "Washing Up Gloves")."""
        return len(self.word_categories.get(stem(word), ())) >= DESCRIBING_CATEGORIES

    def knows(self, word: str) -> bool:
        """Whether the catalog prints ``word`` (or its singular) anywhere, or its titles print it in two words."""
        return word in self.words or (form := stem(word)) in self.title_counts or form in self.compounds

    def reads(self, word: str) -> bool:
        """Whether ``word`` is one the assistant can read: ordinary language, the catalog's, or a typo of one.
        Ordinary language includes a word made from a dictionary word by an ending the dictionary lacks it with
        ("beginners": the embedder's vocabulary has "begin", not "beginner"), as :func:`root` undoes it."""
        return self.knows(word) or self.is_dictionary_word(word) or (
            (base := root(word)) != word and self.is_dictionary_word(base)) or self.correct(word) is not None

    def is_adverb(self, word: str) -> bool:
        """Whether ``word`` is an adverb made with "-ly" from a dictionary word ("specifically", "ideally",
        "easily", "gently") that no product prints: it says how, never what ("napkins specifically" asks for
        napkins, no "specifically" the shop could lack). A title word ending so ("Lily", "Weekly Planner") is
        printed, and stays a word of the request."""
        if len(word) < 6 or not word.endswith("ly") or self.knows(word):
            return False
        bases = {word[:-2], word[:-4] if word.endswith("ally") else "", word[:-3] + "y" if word.endswith("ily") else "",
                 word[:-1] + "e" if word.endswith("bly") or word.endswith("tly") or word.endswith("ply") else ""}
        return any(len(b) >= 4 and self.is_dictionary_word(b) for b in bases)

    def correct(self, word: str) -> str | None:
        """The catalog title word ``word`` is a typo of (spelt as the titles print it most), or None (known words
        and ordinary words are kept).

        One edit for words of 4-6 letters (counted in the singular the titles are indexed by), two from 7, keeping
        the first letter and the length within one (typing rarely gets those wrong, and without them a word the
        shop lacks turns into one it has: "toaster" is two edits from "easter" and from "toast"); ties go to the
        word more titles print.
        """
        form = stem(word)  # titles are indexed by their singular: "headfones" -> "headfone" ~ "headphone"
        if len(word) < 4 or not word.isalpha() or self.knows(word) or self.is_dictionary_word(word) \
                or self.is_dictionary_word(form):
            # An ordinary word in the plural, or a possessive typed without its apostrophe ("my wifes birthday",
            # "nans"), is no typo of a title word ("wire", "nat").
            return None
        # A first "f" written as English writes the sound in a title word ("fone", "fotos": phone, photos) is the
        # one change to a first letter a typist makes: by ear.
        if form.startswith("f") and (heard := "ph" + form[1:]) in self.title_counts:
            return self.spellings.get(heard, heard)
        # The edits allowed go by the form compared: "wellies" is "welli" to the titles, two edits from "wall".
        # The word as typed is compared too when no singular of it is close: "wireles" is no plural of "wirele",
        # it is "wireless" less one letter (ending as typed: "wellies" is still no "willie").
        for typed in dict.fromkeys((form, word)):
            limit = 1 if len(typed) < 7 else 2
            best: tuple[int, str] | None = None
            for length in range(len(typed) - 1, len(typed) + 2):  # a typo adds or drops at most one letter
                for candidate in self._by_length.get(length, ()):
                    if candidate[:1] == typed[:1] and (typed == form or candidate[-1:] == typed[-1:]) \
                            and edit_distance_within(typed, candidate, limit):
                        score = self.title_counts[candidate]
                        if best is None or score > best[0]:
                            best = (score, candidate)
            if best:
                # As the titles print it: the stem "christma" put into the message was quoted back ("we don't seem
                # to carry christma jumpers").
                return self.spellings.get(best[1], best[1])
        return None

    def named_categories(self, message_words: Sequence[str]) -> NamedCategories:
        """The categories whose own name the message uses.

        A category is named by a whole part of its name ("smart watches", "kitchen" of "kitchen & baking")
        or by the head word of a part ("laptop" names "Gaming Laptops & Notebook Computers" too).
        """
        stems = [stem(w) for w in message_words]
        joined = f" {' '.join(stems)} "
        named: list[str] = []
        naming_words: set[str] = set()
        for category, parts in self._category_parts.items():
            for part in parts:
                if f" {' '.join(part)} " in joined:
                    named.append(category)
                    naming_words.update(part)
                    break
                if part[-1] in stems and len(part[-1]) > 2:
                    named.append(category)
                    naming_words.add(part[-1])
                    break
        if not named:
            return NamedCategories()
        compound = self.closed_compound(message_words)
        if compound and not self._pure({compound}, set(named)):
            # "wash bag" asks for what the titles print as one word ("Washbag") and file under home decor, not
            # for the "bags" category its last word names: the phrase names no category (neither filter nor lift).
            return NamedCategories()
        filtering = self._pure(naming_words, set(named))
        head = stems[-1] if stems else ""
        if filtering and head not in naming_words and (counts := self.word_categories.get(head)):
            # "christmas crackers": a category named by a word before the thing filters only where the thing's own
            # titles mostly are (two of the three crackers are filed under storage); else it lifts. Where none of
            # the thing is in it ("phone charger": no charger among the phones), the filter stays, and the search
            # says the shop lacks it rather than offer a smartwatch's chargers.
            inside = sum(n for c, n in counts.items() if c in named)
            filtering = inside == 0 or inside / sum(counts.values()) >= FILTER_PURITY
        return NamedCategories(tuple(named), filtering)

    def closed_compound(self, phrase: Sequence[str]) -> str | None:
        """The title word that prints the last two words of ``phrase`` closed up ("wash bag" -> "washbag"), if any
        title prints it: the phrase then names that thing, whatever its last word alone would name."""
        if len(phrase) < 2:
            return None
        compound = stem("".join(phrase[-2:]))
        return compound if compound in self.word_categories else None

    def _pure(self, naming_words: set[str], named: set[str]) -> bool:
        # Each naming word must mostly print in titles of the named categories; a word no title prints
        # ("kitchen" when titles say "Kitchen" nowhere) gives no evidence either way and does not filter.
        for w in naming_words:
            counts = self.word_categories.get(w)
            total = sum(counts.values()) if counts else 0
            if total < MIN_TITLES_FOR_PURITY:
                return False
            inside = sum(n for c, n in counts.items() if c in named) if counts else 0
            if inside / total < FILTER_PURITY:
                return False
        return True


class CatalogMatcher:
    """How close the catalog's best product is to a query: the cosine similarity of their embeddings.

    Args:
        search_by_vector: the store's dense search (``ProductStore.search_by_vector``).
        encode: the query embedder (``Embedder.encode``); its cache makes the later search's encode free.
    """

    def __init__(self, search_by_vector: Callable[..., list[Any]], encode: Callable[[list[str]], Any],
                 categories: Sequence[str] = ()) -> None:
        self.search_by_vector = search_by_vector
        self.encode = encode
        self.categories = sorted(set(categories))
        self._category_vectors: Any = None

    def closest_categories(self, query: str) -> list[tuple[str, float]]:
        """The catalog's categories by the cosine similarity of their names to ``query``, closest first."""
        if not self.categories or not query:
            return []
        if self._category_vectors is None:
            self._category_vectors = self.encode(self.categories)
        sims = self._category_vectors @ self.encode([query])[0]
        return sorted(zip(self.categories, (float(x) for x in sims), strict=True), key=lambda cs: -cs[1])

    def embed_together(self, texts: Sequence[str]) -> None:
        """Embed the texts a turn is about to look up (the message for the policy check, its query for this one
        and the search) in one forward pass: about 12 ms for two short texts where two passes cost 17. The
        embedder is the one the store and the policy index use; it keeps each vector for their look-ups."""
        self.encode([t for t in dict.fromkeys(texts) if t])

    def best_similarity(self, query: str) -> float:
        return self.best_match(query)[0]

    def best_match(self, query: str, k: int = 3) -> tuple[float, str]:
        """The closest product's similarity, and the titles of the ``k`` closest (joined by " | ")."""
        hits = self.search_by_vector(self.encode([query])[0], k=k)
        return (float(hits[0].dense), " | ".join(str(h.product.title) for h in hits)) if hits else (0.0, "")


def is_a(title: str, word: str) -> bool:
    """Whether ``title`` names ``word`` as what the product is ("Dairy Maid Traditional Teapot" is a teapot; a
    "Keyboard for iPad Pro" is no iPad)."""
    return prints(title_itself(title), word)


def title_phrases(title: str) -> list[str]:
    """The noun phrases of ``title``: its parts between dashes and commas, each up to a "with", "for", "in", "and"
    or "&" ("TV Mounting Service with In-wall Wire Concealment" -> "TV Mounting Service"). An "and" or "&" after
    a single word joins it to the next word inside one phrase ("Bowers & Wilkins Px7 S2 Headphones", "Gin And
    Tonic Mug"), not two things."""
    phrases = []
    for part in re.split(r"\s+[-\u2013\u2014]\s+|,", title):
        part = re.split(r"\s+(?:with|for|in)\s+", part, maxsplit=1, flags=re.I)[0]
        cut = next((m.start() for m in _COORDINATION.finditer(part) if len(part[:m.start()].split()) > 1), None)
        phrases.append(part if cut is None else part[:cut])
    return phrases


_DERIVED_ENDINGS = ("ations", "ation", "ings", "ing", "ers", "er", "ed")


def root(word: str) -> str:
    """``word`` less the ending a verb takes to name its doing or its doer, with a doubled consonant undone
    ("cancelling", "cancellation" -> "cancell"; "canceling" -> "cancel"; "charging", "charger" -> "charg"); plurals
    folded."""
    w = stem(word.lower())
    for ending in _DERIVED_ENDINGS:
        if w.endswith(ending) and len(w) - len(ending) >= 4:
            w = w[: -len(ending)]
            if len(w) >= 2 and w[-1] == w[-2] and w[-1] not in "aeiouls":
                w = w[:-1]
            break
    return w


def prints_form(text: str, word: str) -> bool:
    """Whether ``text`` prints ``word`` (:func:`prints`) or another form of it ("noise cancelling" in "Active
    Noise Cancellation", "Noise-Canceling"): a word of it starts with the word's :func:`root`."""
    if prints(text, word):
        return True
    r = root(word)
    # British "-ll-" before an ending ("cancelling") is one "l" in American spelling ("canceling"); "roll" keeps both.
    forms = (r, r[:-1]) if r.endswith("ll") else (r,)
    return len(r) >= 4 and any(t.startswith(f) for t in words_of(text) for f in forms)


def ends_in(title: str, word: str) -> bool:
    """Whether a phrase of ``title`` ends in ``word``, as English compounds end in what the thing is: "Samsung 58"
    Class - 4K UHD LED LCD TV" and "Dairy Maid Traditional Teapot" do, "TV Mounting Service with In-wall Wire
    Concealment" does not (its phrases end in "Premier" and "Service")."""
    return any((last := words_of(phrase)[-1:]) and prints(last[0], word) for phrase in title_phrases(title))


def of_own_kind(titles: Sequence[str], word: str) -> list[int]:
    """The places of ``titles`` that are ``word`` itself: those that end in it, when most titles printing it do
    (titles that name the kind last, "4K UHD LED LCD TV", tell a "TV Mounting Service" from a TV); else every
    title that names it as what it is (titles that name the kind first and a colour or a motif after, "Lunch Bag
    Red Retrospot", say nothing by their last word)."""
    naming = [n for n, t in enumerate(titles) if is_a(t, word)]
    ending = [n for n in naming if ends_in(titles[n], word)]
    return ending if len(ending) * 2 > len(naming) else naming


def prints(title: str, word: str) -> bool:
    """Whether ``title`` prints ``word`` (its singular, or as part of a compound: "mat" in "Doormat", or as a compound
    the title prints apart: "lunchbox" in "Spaceboy Lunch Box"); a two-letter word ("tv", "pc") only as a whole
    word, as it would sit inside too many others."""
    w = stem(word.lower())
    title_words = words_of(title)
    if len(w) == 2:
        return any(w == stem(t) for t in title_words)
    return len(w) >= 3 and (any(part_of(w, stem(t)) for t in title_words)
                            or any(w.startswith(a) and w == stem(a + b) for a, b in itertools.pairwise(title_words)))


def part_of(form: str, word: str) -> bool:
    """Whether the word form ``form`` is ``word`` or a part of it as a compound: at its start or its end, where a
    compound's parts are ("mat" of "doormat"; "flat" is no part of "inflatable")."""
    return word.startswith(form) or word.endswith(form)
