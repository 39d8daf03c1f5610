"""Shopping turns: search, refine, product questions, comparisons and "why these?".

Retrieval first: every product request reaches hybrid search with the shopper's own words; only what the
shopper stated explicitly filters (budget, colour, size, brand, a category the shop has, in stock), and what
the understanding merely guessed only lifts products. Handlers read the typed :class:`Understanding`, never
the raw message, and return reply facts with a typed :class:`StateUpdate`.
"""

from __future__ import annotations

import itertools
import re
import statistics
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import zip_longest

import numpy as np

from assistant.dialog.handlers.degrees import most_of, ranked_by
from assistant.dialog.handlers.totals import priced_together
from assistant.facts import Act, ReplyFacts
from assistant.nlg.naming import found_label, kind_of, range_label, range_of
from assistant.nlg.phrasing import join_words, plural
from assistant.protocols import VectorStore
from assistant.reply import BundleItem
from assistant.types import DialogState, Intent, ShownProduct, SizeComparison, Slots, StateUpdate, Understanding
from assistant.understanding.attributes import (
    COLOURS_ASKED,
    RATING_ASKED,
    RATING_WORDS,
    SIZE_ASKED,
    as_typed,
    silent_on,
)
from assistant.understanding.catalog import (
    is_a,
    of_own_kind,
    part_of,
    prints,
    prints_form,
    stem,
    title_itself,
    words_of,
)
from assistant.understanding.content import FUNCTION_WORDS, content_words
from assistant.understanding.references import SIZE_CHOICE, TITLE_SIZES, is_pronoun, size_scale, title_size
from assistant.understanding.understander import OTHERNESS, REQUEST_WORDS, head_word, use_words
from assistant.understanding.vocab import ADULT_RECIPIENTS, COLOURS, PEOPLE_NOUNS, SIZE_ENDS, SIZES, size_words
from cartwise.currency import format_money, to_money
from cartwise.models import Product
from finetune.context import TurnContext
from retrieval.audience import ChildrenAxis
from retrieval.types import SearchFilters, SearchHit

SHOW = 5
ADULT_AGE = 18  # from this age the person a present is for is no child
POOL = 30  # candidates retrieved before attributes, price words and personal ranking pick the shown five
ATTRIBUTE_BAND = 0.5  # a stated colour or size picks among hits scoring at least this share of the best
DESCRIBED_ENOUGH = 3  # products printing a describing word ("curved") that make a list of their own
CATEGORY_LIFT = 0.15  # added to the fused score of products in a category the shopper named but may not filter

Personaliser = Callable[[str, list[SearchHit], str | None, list[str]], list[tuple[Product, str]]]


@dataclass
class TurnResult:
    """What a handler decided: the facts of the reply and the changes to the dialog state."""

    facts: ReplyFacts
    update: StateUpdate = field(default_factory=StateUpdate)


@dataclass
class Found:
    """Products found for a request, best first, with why each is shown and what had to be dropped."""

    ranked: list[tuple[Product, str]]
    relaxed: list[str] = field(default_factory=list)
    not_found: str = ""  # words of the request no product matched ("iphone 15")
    sold_out: list[Product] = field(default_factory=list)  # what the shop has for them, none in stock now


def _size_pattern(size: str) -> re.Pattern[str] | None:
    inches = re.match(r"(\d{2,3}(?:\.\d)?)\s*(?:\"|inch|in\b|”)", size.lower())
    if inches:
        return re.compile(rf"\b{re.escape(inches.group(1))}\s*(?:\"|”|''|-?inch|in\b|-in\b)", re.I)
    if not size.isalpha():
        return None
    # A title saying the size its own way: "Big Mug" for a large one, "Compact" for a small one.
    said = sorted({w for w in size_words(size) if w.isalpha()} | {size})
    return re.compile(rf"\b(?:{'|'.join(map(re.escape, said))})\b", re.I)


def _colour_pattern(colour: str) -> re.Pattern[str]:
    return re.compile(rf"\b{re.escape(colour)}", re.I)


def prefer(hits: list[SearchHit], pattern: re.Pattern[str] | None, band: float = 0.0,
           thing: str = "") -> tuple[list[SearchHit], bool]:
    """Hits whose title matches ``pattern`` when any does; else all hits and False.

    An attribute narrows what was asked for: ``thing`` (the head word, or the phrase it ends) keeps the choice
    among hits whose titles print it, when any do, and ``band`` among hits scoring at least that share of the best
    one. Without them "a small teapot" became small candle pots, "large doormat" large wicker hearts and "red lunch
    box" red tissue boxes: products in the pool that print the attribute but are not what was asked for.
    """
    if pattern is None:
        return hits, True
    floor = band * max((h.score for h in hits), default=0.0)
    eligible = [h for h in hits if h.score >= floor]
    words = thing.split()
    things = [h for h in hits if words and all(prints(h.product.title, w) for w in words)] or [
        h for h in hits if len(words) > 1 and prints(h.product.title, words[-1])]
    matching = [h for h in (things or eligible) if pattern.search(h.product.title)]
    return (matching, True) if matching else ((things or hits), False)


def quote_about(product: Product, attribute: str) -> str:
    """The first sentence of the product's own text that mentions ``attribute``, or "" (never a guess); for
    "colours", the colours its title prints ("what colours do they come in?")."""
    if attribute == COLOURS_ASKED:
        return ", ".join(dict.fromkeys(w.capitalize() for w in words_of(product.title) if w in COLOURS))
    if attribute == SIZE_ASKED:
        # "how big is it": the sizes the title prints (55", 2TB, 20cm, "Jumbo"), else what the text says of "size".
        printed = [m.group(0).strip() for m in TITLE_SIZES.finditer(product.title)] + [
            w.capitalize() for w in words_of(product.title) if w in SIZES]
        if printed:
            return ", ".join(dict.fromkeys(printed))
    if attribute.startswith("how "):
        attribute = attribute.split(" ", 3)[-1]  # "how long it burns": what it does; "long" is asked, not said
    # Short words are grammar, except a spec written short ("4k", "5g").
    words = [w for w in re.findall(r"[a-z0-9]+", attribute.lower())
             if (len(w) > 2 or any(c.isdigit() for c in w)) and w not in FUNCTION_WORDS]
    if not words:
        return ""
    # Every word, else at least half of them with one long one ("noise cancelling" -> "... Noise Reducing ...");
    # a long word by its start ("cancelling" prints as "Canceling"), a short one whole ("mic" is no "Microsoft").
    need = len(words) if len(words) < 2 else (len(words) + 1) // 2
    # Each word in the singular ("lids" asked of a title that prints "Lid"); a long one by its first letters. (A
    # word of five letters or fewer is matched whole: "play" in "does it play spotify" is no "Playtime".)
    # (Nor a word that only starts it: "water" of "Water Resistant" is no "waterproof"; a form of the word is as
    # long as it, within a few letters.)
    patterns = [(re.compile(rf"\b{re.escape(k[:5])}\w*" if len(k) > 5 else rf"\b{re.escape(k)}s?\b"), len(k))
                for k in (stem(w) for w in words)]
    best = ("", 0, 0)
    for sentence in re.split(r"(?<=[.!?])\s+|\s*[\n;•]\s*", f"{product.title}. {product.description}"):
        sentence = sentence.strip()
        lowered = sentence.lower()
        found = {w: m.start() for w, (pattern, size) in zip(words, patterns, strict=True)
                 if (m := next((m for m in pattern.finditer(lowered) if len(m.group(0)) >= size - 3), None))}
        if sentence and len(found) >= need and (len(words) == 1 or any(len(w) > 3 for w in found)) \
                and len(found) > best[1]:
            best = (sentence, len(found), min(found.values()))
    clipped, _, at = best
    if not clipped and words[-1] in ("size", "sizes") and attribute != SIZE_ASKED:
        # "whats the screen size on the second": a size asked by the part it measures, which the details may not
        # name ("15.6\" IPS LCD"); the size the title prints answers it.
        return quote_about(product, SIZE_ASKED)
    if len(clipped) <= 140:
        return clipped
    # A long sentence (a description that is one run of features) is quoted around the words asked about, which
    # may come late in it ("... Full-Size Backlit Keyboard").
    start = 0 if at < 60 else clipped.rfind(" ", 0, at - 40) + 1
    window = clipped[start:start + 137]
    window = window if start + 137 >= len(clipped) else window.rsplit(" ", 1)[0] + "..."
    return ("..." if start else "") + window


def what_it_is(title: str) -> list[str]:
    """A title's words that say what the product is: a "Controller for iPhone" is no iPhone."""
    return words_of(title_itself(title))


# Pointers to every product on the screen, not one of them ("are they in stock?").
_PLURAL_POINTERS = frozenset({"they", "them", "these", "those", "all", "all of them", "these ones", "those ones"})


def cheaper_than(shown: Sequence[ShownProduct]) -> Decimal:
    """The price "cheaper" asks for after ``shown``: below their median (not below the cheapest: "cheaper ones"
    after a list moves the list down, it need not beat every one of them)."""
    return to_money(statistics.median(p.price for p in shown)) - Decimal("0.01")


def not_found_words(query_words: Sequence[str], products: Sequence[Product]) -> list[str]:
    """The request's words that none of ``products`` prints in its title (as a word, its start or inside a
    compound: "mat" is in "Doormat") as what it is, not what it is for."""
    kinds = [what_it_is(p.title) for p in products]
    titles = [[stem(w) for w in kind] for kind in kinds]
    # Two title words written as one ("lunchbox" of "Lunch Box").
    compounds = {stem(a + b) for kind in kinds for a, b in itertools.pairwise(kind)}
    missing = []
    for w in query_words:
        s = stem(w)
        if len(s) < 3:
            continue
        if not any(part_of(s, t) for title in titles for t in title) and s not in compounds:
            missing.append(w)
    return missing


def prints_all(words: Sequence[str], product: Product) -> bool:
    """Whether ``product``'s title prints every one of ``words`` (as :func:`not_found_words` reads a title)."""
    return not not_found_words(words, [product])


class ShoppingAdvisor:
    """Finds and explains products for shopping turns.

    Args:
        store: the shop's product store.
        currency: the shop's currency symbol.
        personaliser: optional history reranker hook (query, hits, user, viewed ids) -> (product, reason).
        weak_match: below this cosine similarity of the closest product, a request whose head word no shown
            title prints is answered as "not carried"; above it the products are close in meaning ("telly" and
            "TV") and are shown as matches.
        weak_phrase_match: the same, for a request whose head word the titles print but not the words before it
            that name the thing ("washing machines" beside a "Karaoke Machine"): lower, because a describing word
            the titles do not print ("a pretty teapot") also leaves the phrase unprinted. On requests written for
            it, describing words scored 0.55-0.58 ("a comfy cushion", "a pretty teapot", "any wooden toys") and
            things the shops lack 0.23-0.48 ("gin glasses", "hdmi cables", "washing machines").
        relevance_margin: for a request that names a thing the shop sells by that name, a product is shown only if
            its cosine similarity to the request is within this margin of the closest shown product's, or its title
            names that thing: a keyword match on a passing word
            (a DVR for "external hard drive for backups") or the rest of a budget's range (alarm sensors after the
            two earbuds under $80) is no answer, and fewer, right products are.
        children: which products are made for children (``retrieval.audience``): a present for a grown-up lists them
            last. None: no product is told apart.
        names_kind_last: whether the catalog's titles name a kind by ending a phrase in its word
            (``CatalogVocabulary.names_kind_last``): then of the things asked for, those that do come first. None:
            no title is told apart so.
    """

    def __init__(self, store: VectorStore, currency: str, personaliser: Personaliser | None = None,
                 weak_match: float = 0.6, weak_phrase_match: float = 0.5, relevance_margin: float = 0.2,
                 children: ChildrenAxis | None = None, names_kind_last: Callable[[str], bool] | None = None) -> None:
        self.names_kind_last = names_kind_last
        self.store = store
        self.children = children
        self.currency = currency
        self.personaliser = personaliser
        self.weak_match = weak_match
        self.weak_phrase_match = weak_phrase_match
        self.relevance_margin = relevance_margin

    # ------------------------------------------------------------ finding
    def filters(self, slots: Slots, category_filter: bool, exclude_ids: Sequence[str] = ()) -> SearchFilters:
        """The hard constraints: only what the shopper stated."""
        low, high = slots.budget_min, slots.budget_max
        if low is not None and high is not None and low > high:
            low, high = high, low
        return SearchFilters(
            price_min=low, price_max=high, in_stock=True,
            categories=slots.categories if category_filter and slots.categories else None,
            brands=slots.brands or None, exclude_ids=frozenset(exclude_ids),
            on_offer=True if slots.price == "discounted" else None,
        )

    def find(self, query: str, slots: Slots, category_filter: bool, state: DialogState, user_id: str | None,
             exclude_ids: Sequence[str] = (), query_words: Sequence[str] = (), like_ids: Sequence[str] = (),
             kind: str = "", head: str = "", require: Sequence[str] = (), lift: Sequence[str] = (),
             thing: str = "", shown_categories: Collection[str] = (), phrase: Sequence[str] = (),
             describing: Sequence[str] = (), brand_asked: bool = False, featuring: Sequence[str] = ()) -> Found:
        """Search ``query`` under the stated constraints, then apply attributes, price words and history.

        ``like_ids`` (a refinement: the products on the screen) keeps the results of the same kind: the pool
        is reranked by closeness to those products as well as to the words, as relevance feedback does.
        ``shown_categories``: with no ``kind`` named, the categories of the products on the screen say what kind
        the refinement keeps ("the cheapest one" after laptops is a laptop, not the cheapest watch that matched).
        ``lift``: categories guessed from the request's meaning, lifted like a named category but never filtered.
        ``thing``: the head word of the request; a stated colour or size picks among the products that print it.
        ``require``: words the shopper just asked for ("just doorbells"): products whose titles print them
        come first and alone, if there are any. ``describing``: words ("something curved"): products whose
        titles print them come first, alone when there are a few. ``head``: the word naming the thing asked for; when
        no product shown prints it and the closest product is not close, the reply says the shop does not carry it.
        ``phrase``: the noun phrase ``head`` ends ("washing machines"): the thing is carried only if one product
        prints all of it (a karaoke machine is no washing machine). ``brand_asked``: the brand was asked for in
        this message, so a standing "on offer" gives way before it does. ``featuring``: what the thing should
        show ("mugs with dogs on"): the products whose titles print it come first, each group in its ranked order.
        """
        relaxed: list[str] = []
        # "with good reviews" asks for what the catalog's ratings say, no words a title prints: the best rated first.
        rated = (bool(slots.feature) and set(words_of(slots.feature or "")) <= RATING_WORDS) or (
            bool(featuring) and set(featuring) <= RATING_WORDS)
        if rated:
            slots, featuring = slots.model_copy(update={"feature": None}), ()
        filters = self.filters(slots, category_filter, exclude_ids)
        text = query or " ".join(x for x in (slots.colour, *slots.brands, *slots.categories) if x) or "gift"
        # The pool must hold the things of the kind that have a feature, a colour or a look asked for.
        for wanted in (slots.feature, slots.colour, *describing):
            if wanted and wanted not in text:
                text = f"{text} {wanted}"
        # A ranking by size or price reaches further: the biggest or cheapest of the kind need not be among the
        # closest matches.
        ranks_far = bool(slots.size_rank) or slots.price in ("cheapest", "priciest", "low", "high")
        hits = self.store.search(text, k=POOL * 4 if ranks_far else POOL, filters=filters)
        if not hits and filters.categories:
            filters = filters.model_copy(update={"categories": None})
            hits = self.store.search(text, k=POOL, filters=filters)
        if not hits and filters.on_offer:
            # Nothing on offer that matches: the matches at full price, said so.
            filters = filters.model_copy(update={"on_offer": None})
            hits = self.store.search(text, k=POOL, filters=filters)
            relaxed.append("on offer")
        if like_ids:
            hits = self._like(hits, like_ids, filters)
        if kind and not range_of(kind) and not _prints_kind(hits, kind):
            # The pool must hold things of the kind: "baking sets pink" finds pink things, none a baking set, and of
            # them only "Set Of 72 Pink Heart Paper Doilies" prints part of the kind. The kind's own matches join it
            # when they print all of it (a word of the label no title prints, "affordable", leaves it as it was).
            of_it = self.store.search(kind_of(kind), k=POOL, filters=filters)
            if _prints_kind(of_it, kind):
                seen = {h.product.id for h in hits}
                hits = [*hits, *(h for h in of_it if h.product.id not in seen)]
        of_any_kind = hits
        if kind:
            same = _of_kind(hits, kind)
            if not same and filters.brands:
                # A brand's titles may not print the kind's word ("MacBook Air" is a laptop): the shown products'
                # categories say what else is of the kind.
                shown = {p.category for p in self.store.get(list(like_ids))} if like_ids else set()
                same = [h for h in hits if h.product.category in shown]
            if not same and filters.brands and filters.on_offer and brand_asked:
                # "the sony ones" after the headphones on offer, and no Sony pair is: the brand was just asked for,
                # being on offer before it, so the Sony headphones at full price, said so.
                at_full_price = filters.model_copy(update={"on_offer": None})
                full = self.store.search(text, k=POOL, filters=at_full_price)
                if of_kind_full := _of_kind(full, kind):
                    filters, hits, same = at_full_price, full, of_kind_full
                    relaxed.append("on offer")
            if not same and filters.brands:
                # "what about samsung" after phones, and no Samsung phone: phones of other brands, said so, rather
                # than Samsung things of any kind.
                filters = filters.model_copy(update={"brands": None})
                hits = self.store.search(text, k=POOL, filters=filters)
                relaxed.append(f"brand {', '.join(slots.brands)}")
                same = _of_kind(hits, kind)
            hits = same or hits
        elif shown_categories:
            of_range = [h for h in hits if h.product.category in shown_categories]
            printing = _words_pattern(describing, from_start=True) if describing else None
            # "something with a christmas theme" after gift wrap: the christmas wraps are filed under christmas, not
            # in the range the wraps shown came from; where that range has none that print it, the pool keeps them.
            if printing is None or any(printing.search(h.product.title) for h in of_range):
                hits = of_range or hits
        if require:
            required = _words_pattern(require)
            # (Not of a thing the shop may lack, ``head``: "for iphone" after phone chargers looks for what is for an
            # iPhone, to say whether a charger for one is carried.)
            keeps_thing = bool(thing) and thing not in require and not head
            if keeps_thing and not any(prints(h.product.title, thing) for h in hits):
                # "for the garden" after candles: the garden decorations filled the pool; the candles are what is
                # asked for, so the pool must hold them.
                seen = {h.product.id for h in hits}
                hits += [h for h in self.store.search(f"{thing} {' '.join(require)}", k=POOL, filters=filters)
                         if h.product.id not in seen]
            chosen, printed = prefer(hits, required)
            kinds = {h.product.category for h in hits if prints(h.product.title, thing)} if keeps_thing and printed \
                else set()
            if kinds:
                # Of the ranges the thing asked for is in: the candles that print "garden", not every garden
                # decoration; and "cheaper ones that still cancel noise" after headphones keeps the noise cancelling
                # earbuds filed beside them.
                inside = [h for h in chosen if h.product.category in kinds]
                chosen = inside if any(prints(h.product.title, thing) for h in inside) else \
                    prefer(hits, required, thing=thing)[0]
            hits = chosen
        if describing:
            printing = _words_pattern(describing, from_start=True)
            described = [h for h in hits if printing.search(h.product.title)]
            hits = described if len(described) >= DESCRIBED_ENOUGH else described + [h for h in hits
                                                                                  if h not in described]
        if slots.categories and not category_filter:
            hits = _lift(hits, set(slots.categories))
        elif lift:
            hits = _lift(hits, set(lift))
        if slots.exclude:
            hits = [h for h in hits if not _excluded(h.product, slots.exclude)] or hits
        # "red lunch box": the lunch boxes are the things a colour picks among, not every box.
        whole = " ".join(phrase) if len(phrase) > 1 and thing and thing == phrase[-1] else thing
        if slots.colour:
            colour = _colour_pattern(slots.colour)
            hits, ok = prefer(hits, colour, band=ATTRIBUTE_BAND, thing=whole)
            kind_words = words_of(kind_of(kind)) if kind and not range_of(kind) else []
            # Only words that say whom or what for ("christmas"), not the first half of a compound that names another
            # kind ("lunch" of "lunch boxes": a blue recipe box is no lunch box in blue).
            said = {w for v in (slots.occasion, slots.recipient, *slots.brands) if v for w in words_of(v)}
            if not ok and len(kind_words) > 1 and all(w in said for w in kind_words[:-1]) and (of_head := [
                    h for h in _of_kind(of_any_kind, kind_words[-1])
                    if not shown_categories or h.product.category in shown_categories]):
                # "in gold?" after christmas decorations, and no gold one prints "christmas": the decorations in
                # gold ("Cherub Heart Decoration Gold") before dropping the colour. Only those of the range shown:
                # "any in pink?" after lunch boxes listed pink trinket boxes, boxes of another kind.
                of_head, ok = prefer(of_head, colour, band=ATTRIBUTE_BAND, thing=kind_words[-1])
                hits = of_head if ok else hits
            if not ok:
                relaxed.append(f"colour {slots.colour}")
        if slots.size:
            hits, ok = prefer(hits, _size_pattern(slots.size), band=ATTRIBUTE_BAND, thing=whole)
            if not ok and (by_measure := _of_relative_size(hits, slots.size, thing)):
                hits, ok = by_measure, True
            if not ok:
                relaxed.append(f"size {slots.size}")
        # ("the one with the biggest screen": what the size ranking below is of, no feature a title must print.)
        if slots.feature and not (slots.size_rank and SIZE_CHOICE.keys() & set(slots.feature.split())):
            hits, ok = _with_feature(hits, slots.feature, thing, slots.categories)
            if not ok and of_any_kind is not hits:
                # "one with a dog on" after birthday cards, and no birthday card prints a dog: the cards that do
                # ("Card Dog And Ball") are closer to the request than birthday cards without one.
                of_thing, ok = _with_feature(of_any_kind, slots.feature, thing)
                hits = of_thing if ok and thing else hits
                ok = ok and bool(thing)
                if ok:
                    # Those with the feature were looked for past the colour or size kept above: "one with usb c"
                    # after 27-inch monitors found a 24-inch one, and the reply named it a 27-inch monitor.
                    for attribute, value, pattern in (
                            ("colour", slots.colour, _colour_pattern(slots.colour) if slots.colour else None),
                            ("size", slots.size, _size_pattern(slots.size) if slots.size else None)):
                        if pattern is not None and not any(pattern.search(h.product.title) for h in hits) \
                                and f"{attribute} {value}" not in relaxed:
                            relaxed.append(f"{attribute} {value}")
            if not ok:
                relaxed.append(f"with {slots.feature}")
        hits = self._price_level(hits, slots, thing)
        ranked = self._rank(text, hits, user_id, state)
        if rated:
            # Of the closest matches, the best rated first (those without a rating last), each with its rating.
            ranked[:POOL] = [(p, "; ".join(x for x in (why, f"rated {p.rating:g} out of 5" if p.rating else "") if x))
                             for p, why in sorted(ranked[:POOL], key=lambda pr: -(pr[0].rating or 0.0))]
        grown_up = slots.recipient in ADULT_RECIPIENTS or (slots.recipient_age or 0) >= ADULT_AGE
        if grown_up and self.children is not None and ranked:
            # "something for my husband, he likes cooking": the children's cooking set its words match best comes
            # after the things for grown-ups (each group in its ranked order); so for "my sister's 30th", whose
            # "sister" alone may be a child.
            reader = self.store.exact_index or self.store  # in memory where there is one, as ``_like`` reads
            young = self.children.for_children(reader.embeddings([p.id for p, _ in ranked]))
            ranked = [pr for pr, child in sorted(zip(ranked, young, strict=True), key=lambda x: bool(x[1]))]
        named = thing or head
        if named and not like_ids and not ranks_by(slots) and (
                any(is_a(p.title, named) for p, _ in ranked[:SHOW]) or any(prints(c, named) for c in slots.categories)):
            # Only when the first shown are the thing asked for by name: a present for someone or a need ("a gift
            # for a new mum", "freezing in bed") is answered by many kinds at once, whose similarities spread wide.
            ranked = self._relevant(ranked, {h.product.id: h.dense for h in hits}, named, query)
        if named:
            # The things asked for by name come before things of other kinds: "an ipad for drawing" put the Apple
            # Pencil first, for its "drawing". A shopper's history reorders the things asked for; it never lifts
            # another kind above them (a mug bought with their mugs first for "teapots"). Nor does what a guest
            # looked at in this conversation push them all out: "a mouse" after laptops were looked at listed laptops
            # that include one, and not the mouse the search put first.
            # (The whole pool is read only when it is reordered: this runs on most turns.)
            # The thing is its whole phrase where there is one: "key holders" are no T-light holders.
            whole_thing = list(phrase) if len(phrase) > 1 and phrase[-1] == named else [named]

            def is_the_thing(product: Product) -> bool:
                return is_a(product.title, named) and prints_all(whole_thing, product)

            kept = any(is_the_thing(p) for p, _ in ranked[:SHOW])
            # ("a pack of 20 napkins": the pack is what holds the thing asked for, no thing of its own.)
            holds = f" {named} of " in f" {query.lower()} "
            if not holds and (kept or any(is_the_thing(h.product) for h in hits[:SHOW])):
                # Of those, the ones whose titles name it as what they are, as most of its titles do ("tvs": an
                # "LCD TV" before a "TV Mounting Service").
                # (Only of a thing asked for by name: "put the tv on the wall" asks for what does that, a mount; or
                # of the thing the list refined showed, most of it: "under 300" after TVs keeps the TVs first.)
                shown_titles = [p.title for p in self.store.get(list(like_ids))] if like_ids and not head else []
                named_last = bool(self.names_kind_last and self.names_kind_last(named)) and (
                    bool(head) or len(of_own_kind(shown_titles, named)) * 2 > len(shown_titles) > 0)
                own = {id(ranked[n][0]) for n in of_own_kind([p.title for p, _ in ranked], named)} if named_last \
                    else set()
                ranked = sorted(ranked, key=lambda pr: (not is_the_thing(pr[0]),
                                                        named_last and id(pr[0]) not in own))
        if featuring:
            # "mugs with dogs on": the dog mug before the shopper's own favourite mugs, the other mugs before dog
            # badges (each group in its ranked order: history reorders within).
            showing = [_words_pattern([w]) for w in featuring]
            ranked = sorted(ranked, key=lambda pr: (bool(named) and not is_a(pr[0].title, named),
                                                    not any(p.search(pr[0].title) for p in showing)))
            if named and not slots.feature and not any(
                    is_a(p.title, named) and all(prints_form(f"{p.title} {p.description}", w) for w in featuring)
                    for p, _ in ranked[:SHOW]):
                # "phone with a good camera": no phone found says it has one, in its title or its details; said to
                # be dropped rather than passed over (the phones are cordless home phones).
                relaxed.append(f"with {' '.join(featuring)}")
        # A ranking by price or size is of the things asked for, when some are ("cheapest teapot": a teapot, not a
        # tea mug): not of everything that matched.
        ranks = ranks_by(slots)
        # (An "LCD TV", not a "TV Mounting Service", for "the cheapest tv".)
        of_kind = [ranked[n] for n in of_own_kind([p.title for p, _ in ranked], named)] if named and ranks else []
        if ranks and not named and range_of(kind):
            # "whats the smallest you have" after a list of the TVs range: the range's products are the kind.
            in_range = {id(p) for p in _products_of_kind([p for p, _ in ranked], kind)}
            of_kind = [pr for pr in ranked if id(pr[0]) in in_range]
        if slots.price in ("cheapest", "priciest"):
            # "the cheapest": among the relevant matches, cheapest first (not the cheapest thing in the shop); "your
            # cheapest laptop", among all the laptops found (the closest ten of 124 laptops are no catalog's cheapest).
            # (Of those that print every word of the request where some do: the cake stands, not every stand.)
            # ("the cheapest 4k tv": a 4K one, though a 720p TV is cheaper.)
            asked = content_words(query.split())
            relevant = [pr for pr in of_kind if all(prints(pr[0].title, w) for w in asked)] or of_kind \
                or ranked[: max(SHOW * 2, 10)]
            ranked = sorted(relevant, key=lambda pr: pr[0].price, reverse=slots.price == "priciest")
        if slots.size_rank:
            # "the biggest tv you sell": by the size their titles print (those without one can't be ranked, and
            # are left out when at least two can).
            size_of = size_scale([pr[0].title for pr in of_kind or ranked])
            sized = [(size, n, pr) for n, pr in enumerate(of_kind or ranked)
                     if (size := size_of(pr[0].title)) is not None]
            if len(sized) >= 2:
                sized.sort(key=lambda t: (t[0] if slots.size_rank == "smallest" else -t[0], t[1]))
                ranked = [pr for _, _, pr in sized]
        missing = ""
        # What the thing is for: "charger for a macbook", or the words before it that say so ("tv remote").
        purpose = _what_it_is_for(query, head) or (content_words(list(phrase[:-1])) if head and phrase[-1:] == (head,)
                                                   else [])
        if head and purpose and ranked and not any(prints(c, head) for c in slots.categories) \
                and not any(is_a(p.title, head) for p, _ in ranked[:SHOW]) \
                and all(any(prints(p.title, w) for w in purpose) for p, _ in ranked[:SHOW]):
            # "charger for a macbook", "tv remote": the first matches are what the thing is for (MacBooks, TVs),
            # none is the thing; the shop lacks it for that, and the closest are the things of its kind it has. (A
            # category the thing names is that thing: "kids toys" are the toys & games, whatever their titles say.)
            its_kind = [(h.product, "") for h in self.store.search(head, k=SHOW * 2, filters=filters)
                        if is_a(h.product.title, head)]
            lacking = f"{head} for {' '.join(purpose)}" if _what_it_is_for(query, head) else " ".join(phrase)
            return Found(its_kind or ranked, relaxed, lacking)
        if head and ranked and len(phrase) > 1 and phrase[-1] == head:
            # "do you sell refurbished laptops": a word describing the thing that none of the products found prints,
            # in its title or its details, is said to be dropped, not passed over in silence ("any used cameras").
            pool = [p for p, _ in ranked[:POOL]]
            # (A size word is the size asked for, found or said dropped above: "a big tv".)
            unprinted = [w for w in phrase[:-1] if w.isalpha() and not (slots.size and SIZES.get(w) == slots.size)
                         and not any(prints(f"{p.title} {p.description}", w) for p in pool)]
            if unprinted:
                relaxed.append(" ".join(unprinted))
        if head and ranked:
            best = max((h.dense for h in hits[:SHOW]), default=0.0)
            first = [p for p, _ in ranked[:SHOW]]
            thing_words = list(phrase) if len(phrase) > 1 and best < self.weak_phrase_match else [head]
            # A category the thing asked for names ("kids toys": toys & games) is that thing, whatever its titles
            # print ("Kids Rain Mac"); one a describing word names is not ("phone cases": no phone is a case).
            named_kind = {c for c in slots.categories if prints(c, head)}
            gone = [] if any(prints_all(thing_words, p) or p.category in named_kind for p in first) else [head]
            if gone and best < self.weak_match:
                # Whether the shop sells the thing at all: in stock (then the request ranked other things first and
                # nothing is claimed), only out of stock ("sold out"), or not at all ("not carried").
                # The probe is of the whole phrase: a "Cable Management Kit" prints "cable" but is far from "hdmi
                # cables", where a Christmas decoration is close to "xmas decorations".
                probe = list(phrase) if len(phrase) > 1 else thing_words
                in_stock, sold_out = (
                    [h.product for h in self.store.search(
                        " ".join(probe), k=SHOW * 2, filters=filters.model_copy(update={"in_stock": stocked}))
                     if self._is_the_thing(h, probe, head)]
                    for stocked in (True, False))
                if in_stock:
                    return Found(ranked, relaxed)
                # The thing in stock beyond a stated constraint comes before things of other kinds that keep to it.
                wider = self._beyond_constraints(text, thing_words, filters, slots, user_id, state)
                if wider is not None:
                    return Found(wider[0], relaxed + wider[1], sold_out=sold_out)
                if sold_out:
                    return Found(ranked, relaxed, sold_out=sold_out)
                missing = _phrase_around(query, gone, slots)
                # The closest things by meaning: the words the shop lacks ("iphone 15") shouldn't match "15.6 inch".
                closest = self.store.search(query, k=SHOW, filters=filters, mode="dense")
                ranked = [(h.product, "") for h in closest] or ranked
        return Found(ranked, relaxed, missing)

    def _is_the_thing(self, hit: SearchHit, thing_words: Sequence[str], head: str) -> bool:
        """Whether ``hit`` is the thing ``thing_words`` name: its title prints them all, or, for a phrase, prints
        the head and is close in meaning to the whole ("Christmas Decoration" for "xmas decorations": a
        describing word the titles write another way; a "Karaoke Machine" stays far from "washing machines")."""
        if prints_all(thing_words, hit.product):
            return True
        return len(thing_words) > 1 and hit.dense >= self.weak_phrase_match and prints_all([head], hit.product)

    def _beyond_constraints(self, text: str, thing_words: Sequence[str], filters: SearchFilters, slots: Slots,
                            user_id: str | None, state: DialogState,
                            ) -> tuple[list[tuple[Product, str]], list[str]] | None:
        """The thing asked for, when the shop sells it but not within the stated brand, budget or category.

        "sony headphones under 300" with the only Sony headphones at $399.99 is no "we don't carry headphones":
        each constraint is dropped alone (brand first, then budget), then both, and the first that leaves products
        printing ``thing_words`` (the head, or its whole phrase, as the caller judged the thing) gives them, with
        what was dropped said in the reply. A category stays: without it a word such as "cases" matches things of
        other kinds ("AirPods ... Case" for "phone cases").
        """
        drops: list[tuple[dict[str, object], list[str]]] = []
        if filters.on_offer:
            drops.append(({"on_offer": None}, ["on offer"]))
        if filters.brands:
            drops.append(({"brands": None}, [f"brand {', '.join(filters.brands)}"]))
        if filters.price_min is not None or filters.price_max is not None:
            if filters.price_min is not None and filters.price_max is not None:
                # "a teapot around £20" with none from £16 to £24: the cheaper ones still keep to the limit.
                drops.append(({"price_min": None},
                              [f"minimum {format_money(filters.price_min, self.currency)}"]))
            budget = budget_said(filters.price_min, filters.price_max, self.currency)
            drops.append(({"price_min": None, "price_max": None}, [f"budget {budget}"]))
        if len(drops) > 1:
            drops.append(({k: v for update, _ in drops for k, v in update.items()},
                          [label for _, labels in drops for label in labels]))
        for update, dropped in drops:
            hits = [h for h in self.store.search(text, k=POOL, filters=filters.model_copy(update=update))
                    if prints_all(thing_words, h.product)]
            if not hits:
                continue
            ranked = self._rank(text, hits, user_id, state)
            if "price_min" in update:
                # Nothing within the budget: of the things asked for (each prints them), those nearest the
                # budget come first (the cheapest under a ceiling, the dearest under a kept limit), not the
                # $249.99 one.
                ranked.sort(key=lambda pr: pr[0].price,
                            reverse=filters.price_max is None or "price_max" not in update)
            return ranked, dropped
        return None

    def _relevant(self, ranked: list[tuple[Product, str]], dense: dict[str, float],
                  thing: str, query: str) -> list[tuple[Product, str]]:
        """``ranked`` less the products far less similar to the request than the closest of the first shown,
        unless their titles name ``thing`` or the request gives their stock code: the order is kept, and the
        first :data:`SHOW` of what is left are shown."""
        closest = max((dense.get(p.id, 0.0) for p, _ in ranked[:SHOW]), default=0.0)
        floor = closest - self.relevance_margin
        codes = set(query.lower().split())
        return [(p, why) for p, why in ranked
                if dense.get(p.id, floor) >= floor or (thing and is_a(p.title, thing)) or p.id.lower() in codes]

    def _like(self, hits: list[SearchHit], like_ids: Sequence[str], filters: SearchFilters) -> list[SearchHit]:
        reader = self.store.exact_index or self.store
        try:
            shown = reader.embeddings(list(like_ids))
        except Exception:  # a product re-ingested away since it was shown: no feedback, plain ranking
            return hits
        centroid = shown.mean(axis=0)
        centroid = centroid / (float(np.linalg.norm(centroid)) or 1.0)
        pool = {h.product.id: h for h in hits}
        for h in self.store.search_by_vector(centroid, k=POOL, filters=filters):
            pool.setdefault(h.product.id, h.model_copy(update={"score": 0.0}))
        ids = list(pool)
        closeness = reader.embeddings(ids) @ centroid
        top = max((h.score for h in pool.values()), default=0.0) or 1.0
        scored = sorted(((0.5 * pool[i].score / top + 0.5 * float(c), n, i) for n, (i, c) in
                         enumerate(zip(ids, closeness, strict=True))), key=lambda t: (-t[0], t[1]))
        return [pool[i] for _, _, i in scored]

    def _price_level(self, hits: list[SearchHit], slots: Slots, thing: str = "") -> list[SearchHit]:
        # "not too pricey" / "premium" are relative to what matches, not to the whole shop: to the things of the
        # kind asked for among the deep pool ("a laptop for uni, nothing too expensive": the cheaper third of the
        # laptops found, not the cheaper half of the 15 closest, which were $800-1200), else to the closest matches.
        if slots.price not in ("low", "high") or len(hits) < 4:
            return hits
        of_thing = [h for h in hits if is_a(h.product.title, thing)] if thing else []
        of_kind = len(of_thing) >= 3 * SHOW
        prices = sorted(h.product.price for h in (of_thing if of_kind else hits[:15]))
        if slots.price == "low":
            cut = prices[len(prices) // (3 if of_kind else 2)]
            return [h for h in hits if h.product.price <= cut]
        cut = prices[(len(prices) * 3) // 4 - 1]
        return [h for h in hits if h.product.price >= cut]

    def _rank(self, query: str, hits: list[SearchHit], user_id: str | None,
              state: DialogState) -> list[tuple[Product, str]]:
        if self.personaliser is not None and hits:
            # What is on the screen now is what the shopper is moving away from, not evidence of taste.
            # Nor is what was turned down.
            away = {*state.shown_ids, *state.ruled_out}
            return self.personaliser(query, hits, user_id, [i for i in state.viewed_ids if i not in away])
        return [(h.product, "") for h in hits]

    # ------------------------------------------------------------ presenting
    def describe(self, product: Product, slots: Slots, why: str = "") -> ShownProduct:
        reasons = [why] if why else []
        if _in_colour(product.title, slots.colour):
            reasons.append(f"{slots.colour} as you asked")
        if slots.price == "discounted" and product.discount:
            reasons.append(f"on offer: {product.discount}")
        aim = slots.budget_aim()  # set only with both limits
        if aim is not None and (slots.budget_min or 0) <= product.price <= (slots.budget_max or 0):
            reasons.append(f"around your {self.currency}{aim:.2f} budget")
        elif slots.budget_max is not None and product.price <= slots.budget_max:
            # Only said of a price that is: a budget dropped to find anything ("none under $25") still stands.
            reasons.append(f"within your {self.currency}{slots.budget_max:.2f} budget")
        if not reasons:
            reasons.append(f"from our {product.category} range" if product.category else "a close match")
        return ShownProduct(id=product.id, title=product.title, price=product.price, category=product.category,
                            reason="; ".join(reasons), in_stock=product.in_stock, rating=product.rating)

    def present(self, found: Found, slots: Slots, query: str, u: Understanding, state: DialogState,
                intent: Intent, label_query: str | None = None) -> TurnResult:
        distinct: list[tuple[Product, str]] = []
        limit = u.list_count or SHOW  # "the cheapest 3": three
        for p, why in found.ranked:  # two stock codes with the same title are one choice to the shopper
            if all(words_of(p.title) != words_of(q.title) for q, _ in distinct):
                distinct.append((p, why))
            if len(distinct) == limit:
                break
        shown = [self.describe(p, slots, why) for p, why in distinct]
        relaxed = list(found.relaxed)
        if slots.colour and f"colour {slots.colour}" in relaxed:
            # The colour was dropped for the thing asked for, yet some shown are that colour: they come first, and
            # the reply says how many (not "had to drop: colour pink" above a pink one "as you asked").
            coloured = [p for p in shown if _in_colour(p.title, slots.colour)]  # those said "as you asked"
            if coloured:
                shown = coloured + [p for p in shown if p not in coloured]
                count = len(coloured)
                relaxed[relaxed.index(f"colour {slots.colour}")] = \
                    f"colour {slots.colour} (only {count} of these {'is' if count == 1 else 'are'} {slots.colour})"
        ids = [p.id for p in shown]
        act = Act.show_products if shown else Act.no_results
        # A brand, colour or size describes what was found, who it is for and the occasion say why; none names it
        # ("5 pinks", "5 girls").
        attribute_words = {w for v in (*slots.brands, slots.colour, slots.size, slots.feature, slots.recipient,
                                       slots.occasion, *u.recipient_words) if v for w in words_of(v)}
        asked_words = words_of(label_query if label_query is not None else query)
        # What an unnamed thing is for never names what was found ("something for the garden": not "5 gardens").
        purpose = set(use_words(asked_words))
        asked = " ".join(w for w in asked_words if w not in attribute_words and w not in purpose)
        # The understanding's head saw the message's sentences ("do you have mugs? a big one" asks for mugs); the
        # query has lost them.
        head = u.head if u.head and u.head in asked.split() else head_word(asked.split())
        if u.narrows and (standing := head_word([w for w in asked.split() if w not in words_of(u.text)])):
            head = standing  # "for the garden" after mugs: mugs for the garden, not "5 gardens"
        if not head:
            # A request naming no thing ("a present for my neighbour who helped with the garden") is answered by
            # things of many kinds; its words say who or what for, never what they are ("5 gardens").
            asked = ""
        label = found_label([p.title for p in shown], [p.category for p in shown], asked, head)
        # An attribute dropped to find anything ("size small") must not name what is shown.
        dropped = {key for r in found.relaxed for key in _SLOTS_OF_RELAXED.get(r.split()[0], (r.split()[0],))}
        display = {k: v for k, v in _display(slots).items() if k not in dropped}
        facts = ReplyFacts(act=act, intent=intent, user_text=u.text, products=shown,
                           slots=display | ({"found": label} if label else {}), currency=self.currency,
                           relaxed=relaxed, detail=f"not_carried:{found.not_found}" if found.not_found else
                           f"sold_out:{len(found.sold_out)}:{found.sold_out[0].title}" if found.sold_out else "")
        viewed = list(dict.fromkeys([*state.viewed_ids, *ids]))[-50:]
        update_missing = StateUpdate(missing=found.not_found)
        if slots.feature and f"with {slots.feature}" in found.relaxed:
            slots = slots.model_copy(update={"feature": None})  # none has it: said once, not after every "cheaper"
        if slots.brands and f"brand {', '.join(slots.brands)}" in found.relaxed:
            slots = slots.model_copy(update={"brands": ()})
        update = StateUpdate(slots=slots, query=query, viewed_ids=viewed)
        if shown:
            update = update | StateUpdate(shown=shown, focus_id=ids[0], kind=label)
        return TurnResult(facts, update | update_missing)

    def about_missing(self, u: Understanding, state: DialogState, intent: Intent) -> TurnResult | None:
        """ "does it come in blue?" right after "we don't seem to carry the iphone 15": "it" is the thing not
        carried, not the first of the closest matches shown beside that answer (None when that is not the case:
        an ordinal or a name picks a shown product as usual)."""
        # ("does it do wireless printing": a property asked of "it", whichever verb the pronoun came with.)
        pointed = is_pronoun(u.slots.reference_text) or (bool(u.attribute) and "it" in words_of(u.text))
        if not state.missing or not pointed or u.slots.reference_index is not None:
            return None
        return TurnResult(ReplyFacts(
            act=Act.no_results, intent=intent, user_text=u.text, currency=self.currency,
            detail=f"We don't carry \u201c{state.missing}\u201d, so I can't tell you that. The closest things I "
                   "found are the ones above: pick one by its number to hear more."))

    # ------------------------------------------------------------ turns
    def search(self, u: Understanding, state: DialogState, user_id: str | None) -> TurnResult:
        """A new request; one that names nothing new ("any in red?") continues the standing search."""
        slots, query = u.slots, u.query
        if not _names_a_thing(u, as_written=True) and state.query:
            slots, query = state.slots.merge(u.slots), state.query
            if u.slots.recipient and u.slots.recipient != state.slots.recipient \
                    and ({"for", "about"} & set(words_of(u.text))):
                # "what about for my dad" after something for my mum under £10: a present is chosen by whom it is
                # for, so the words that said the old one go (the budget stays); a thing asked for ("mugs") stays,
                # for them; so does "what about a boy". ("its a girl" after something for a new baby describes the
                # same one.)
                # (A request answered by a range named no thing: "something for my nan, she likes tea".)
                query = u.query if not head_word(query.split()) or range_of(state.kind) \
                    else f"{query} for {u.slots.recipient}"
            if u.slots.occasion and state.slots.occasion and u.slots.occasion != state.slots.occasion:
                # "what about for his wedding" after birthday cards: cards for the wedding now, not for both.
                query = " ".join([*_without(query, state.slots.occasion), u.slots.occasion])
        elif (standing_for := state.slots.occasion or state.slots.recipient) and (
                pointed := _for_pronoun(query.split())) is not None:
            # "decorations for it" after things for a baby shower: "it" is the occasion (or the person) the standing
            # request was for, and the new thing is for that, searched for in its words.
            slots = state.slots.gift().merge(u.slots)
            words = query.split()
            query = " ".join([*words[:pointed], standing_for, *words[pointed + 1:]])
        elif (u.speaks_of_someone and state.slots.recipient and not u.slots.recipient) or (
                u.for_use and not u.head and not u.slots.recipient and not u.slots.occasion):
            # "something she can use at her desk" after a present for a colleague around £10: the same person, so
            # the same present: who it is for, the occasion and the budget stay; the new thing replaces the old.
            # So does "something for the kitchen" after wedding presents under £30: a present still, for a room.
            slots = state.slots.gift().merge(u.slots)
        found = self.find(query, slots, _category_filter(u), state, user_id, query_words=_query_words(u),
                          head=u.head if query == u.query and u.named_early else "",
                          lift=u.likely_categories if query == u.query else (),
                          thing=u.head if query == u.query else "", phrase=u.head_phrase,
                          featuring=u.shows if query == u.query else ())
        if query == u.query:
            _say_unknown_lacking(found, u, slots, with_head=True)
        if not found.not_found:
            # "he's into golf" where nothing prints golf: the closest presents, with golf said dropped, not passed as
            # things for a golfer.
            found.relaxed.extend(w for w in u.unprinted_likes if w not in found.relaxed)
        return self.present(found, slots, query, u, state, Intent.search_product)

    def closest(self, u: Understanding, state: DialogState, user_id: str | None, k: int) -> list[ShownProduct]:
        """The ``k`` products closest to a message read as out of scope, to show beside that answer (maybe none)."""
        found = self.find(u.query, u.slots, False, state, user_id)
        return [self.describe(p, u.slots, why) for p, why in found.ranked[:k]]

    def to_go_with(self, u: Understanding, like_ids: Sequence[str], state: DialogState,
                   user_id: str | None) -> TurnResult:
        """The thing named in "a card to go with it", the ones closest to ``like_ids`` (what it goes with) first."""
        query = u.item_query
        head = head_word(query.split()) or query
        # "and some paper plates to match" after pink decorations: in the colour asked for them.
        slots = u.slots if u.slots.colour or not state.slots.colour else \
            u.slots.model_copy(update={"colour": state.slots.colour})
        found = self.find(query, slots, _category_filter(u), state, user_id, like_ids=like_ids, require=[head],
                          head=head, thing=head, phrase=tuple(content_words(query.split())))
        return self.present(found, slots, query, u, state, Intent.search_product)

    def _other_size(self, direction: SizeComparison, query: str, slots: Slots, thing: str, u: Understanding,
                    state: DialogState, user_id: str | None, than: float | None = None,
                    or_same: bool = False) -> TurnResult:
        """ "bigger" / "a smaller one" after a list: things of the kind shown, larger (smaller) than every shown one
        whose title prints a size, nearest size first, within the standing constraints; or why there are none.
        ``than``: the size the shopper gave ("bigger than 27 inch"), the bound instead of the shown ones';
        ``or_same``: that size is one of those asked for ("27 inch or bigger")."""
        # A size the shopper gave is a measure ("bigger than 27 inch"); else as the titles shown say theirs.
        size_of = title_size if than is not None else size_scale([p.title for p in state.shown])
        sized = [(size, p) for p in state.shown if (size := size_of(p.title)) is not None]
        categories = {p.category for p in state.shown}
        larger = direction == "larger"
        comparative = "bigger" if larger else "smaller"
        if not sized:
            # No size to compare ("Mini Jigsaw ..."): others of the kind, never the same ones again, said so.
            found = self.find(query, slots, _category_filter(u), state, user_id, exclude_ids=state.shown_ids,
                              like_ids=state.shown_ids, kind=state.kind, thing=thing, shown_categories=categories)
            result = self.present(found, slots, query, u, state, Intent.refine_search)
            if result.facts.products and not result.facts.detail:
                result.facts.detail = (f"Their titles don't give sizes, so I can't tell which is {comparative}. "
                                       "Here are others of the kind:")
            return result
        bound, edge = (max if larger else min)(sized, key=lambda sp: sp[0])
        if than is not None:
            bound = than
        # Nearest size first: a ranking from the other end, kept to the sizes past the bound.
        ranking = slots.model_copy(update={"size_rank": "smallest" if larger else "largest"})
        found = self.find(query, ranking, _category_filter(u), state, user_id, like_ids=state.shown_ids,
                          kind=state.kind, thing=thing, shown_categories=categories)

        def past_bound(found: Found) -> list[tuple[Product, str]]:
            return [(p, why) for p, why in found.ranked
                    if (size := size_of(p.title)) is not None and (
                        (size > bound if larger else size < bound) or (or_same and size == bound))]

        beyond = past_bound(found)
        if not beyond and state.kind and len(categories) == 1:
            # The kind named from the titles shown ("tablets", all Samsung "Tablet"s) leaves out those of the same
            # range whose titles name it otherwise ("iPad Pro 12.9-inch"): the range shown is the kind then.
            found = self.find(query, ranking, _category_filter(u), state, user_id, like_ids=state.shown_ids,
                              thing=thing, shown_categories=categories)
            beyond = past_bound(found)
        if not beyond:
            return TurnResult(ReplyFacts(
                act=Act.no_results, intent=Intent.refine_search, user_text=u.text, currency=self.currency,
                detail=f"I couldn't find anything {comparative} of that kind"
                       f"{' within what you asked' if slots.budget_max or slots.brands else ''}: the "
                       f"{'largest' if larger else 'smallest'} shown is {edge.title}." if than is None else
                       f"I couldn't find anything of that kind {comparative} than {u.slots.size}"
                       f"{' within what you asked' if slots.budget_max or slots.brands else ''}."))
        return self.present(Found(beyond, found.relaxed), slots, query, u, state, Intent.refine_search)

    def refine(self, u: Understanding, state: DialogState, user_id: str | None) -> TurnResult:
        """The shown results, changed: cheaper, another colour, more like one of them, others."""
        # "too expensive, keep it under 100" after "we don't carry gaming headsets": the closest matches, cheaper;
        # "does it come in blue?" asks about the thing not carried.
        rebudgets = u.slots.budget_max is not None or u.slots.price in ("cheaper", "low")
        missing = None if rebudgets else self.about_missing(u, state, Intent.refine_search)
        if missing is not None:
            return missing
        if state.missing and u.head and u.head not in state.missing.split() and _names_a_thing(u) and not u.narrows:
            # "never mind, a smartwatch under 200" after "we don't carry vacuum cleaners": a new thing asked for,
            # not the missing one narrowed ("for iphone" narrows it).
            return self.search(u, state, user_id)
        slots = state.slots.merge(u.slots.model_copy(update={"reference_index": None, "reference_text": None,
                                                             "size_than": None}))
        query = state.query or u.query
        # "do any of them come in pink": a message that points back at the products shown to ask for a colour or a
        # size names no new thing with its other words ("come"); the kind on the screen stays. (A feature's words
        # are searched: "do any of them come with a case" finds the ones whose titles print it.)
        names = _names_a_thing(u) and not (u.points_back and not u.named_early and bool(u.slots.colour or u.slots.size))
        # The message's words that the standing request did not have ("portable" after presents for a music lover).
        standing_words = set((state.query or "").split())
        added = [w for w in (u.query or "").split() if w not in standing_words]
        if names and u.query and u.query not in (query or ""):
            query = f"{query} {u.query}".strip() if query else u.query
        for_someone_else = bool(u.slots.recipient and u.slots.recipient != state.slots.recipient and query)
        # From one person to another ("what about for a boy" after a girl's presents), not a first one named.
        switching = for_someone_else and bool(state.slots.recipient)
        if switching and not _names_a_thing(u, as_written=True) and (
                not head_word((state.query or "").split()) or range_of(state.kind)):
            # "anything for a baby boy" after presents for a grandma who likes tea: the request named no thing, only
            # her and what she likes (its results were named by their range); it is a request for him now (the
            # kitchen range her tea things came from, and the tea, say nothing of what a baby would like).
            # (What was viewed for her is no guide to a present for him.)
            return self.search(u, state.model_copy(update={"viewed_ids": []}), user_id)
        # From one occasion to another ("what about for christmas instead" after halloween party decorations).
        other_occasion = bool(u.slots.occasion and state.slots.occasion and u.slots.occasion != state.slots.occasion
                              and query)
        if switching or other_occasion:
            # "what about for a boy" after a girl's presents: the request is for the boy now, not for both; and
            # for christmas now, not for halloween.
            query = " ".join(_without(query, state.slots.recipient if switching else None,
                                      state.slots.occasion if other_occasion else None))
        # (A thing ruled out in two words, "not dog toys", leaves only where the request named both.)
        requested = {stem(w) for w in (query or "").split()}
        gone = {s for x in u.slots.exclude if (stems := {stem(w) for w in words_of(x)}) <= requested for s in stems}
        thing_ruled_out = bool(gone)
        if query and gone:
            # "anything but mugs" after mugs (or after mugs for a mum): the thing searched is what is ruled out, so
            # it leaves the request, which goes on without it; with nothing else said, among the range it came from
            # (the exclusion alone kept the mugs, none of them being anything else).
            query = " ".join(w for w in query.split() if stem(w) not in gone) or " ".join(
                dict.fromkeys(w for p in state.shown[:1] for w in words_of(p.category)))
        standing = query  # the request itself, before whom it is for is added to the words searched
        if for_someone_else and not names:
            # "any for kids?" after mugs: the same kind, for someone else; the pool is searched for them too (the
            # children's mugs), as a colour asked for joins the words searched, and ranked by those words, not by
            # closeness to the mugs shown for no one in particular.
            query = f"{query} for {u.slots.recipient}"
        if other_occasion and not names:
            query = f"{query} {u.slots.occasion}"  # the new occasion is searched for, as a new recipient is
        shown = state.shown
        if u.similar and u.targets:
            return self.similar(u.targets[0], slots, u, state, user_id)
        if u.among_shown and u.slots.price in ("cheapest", "priciest") and len(state.shown) >= 2:
            # "which is the cheapest of these": an answer among the products on the screen, not a new search.
            return self.compare(u, state, user_id)
        if u.among_shown and u.slots.price == "discounted" and shown:
            return self._on_offer_among(u, slots, state)
        if u.in_stock and shown and not names and not u.slots.filled() - {"reference_index", "reference_text"}:
            # "only the ones in stock": those shown that are (every search is of products in stock), not a search
            # for "stock" ("To find these I had to drop: stock").
            stocked = self._in_stock_among(u, slots, state)
            if stocked is not None:
                return stocked
        none_shown_has, none_within = "", False
        if u.among_shown and u.slots.feature and shown:
            among = self._having_among(u, slots, state)
            if among is not None:
                return among
            none_shown_has = u.slots.feature  # "which ones are glass", and none is: the glass ones of the kind
        elif u.among_shown and u.slots.has_budget() and shown:
            among = self._within_among(u, slots, state)
            if among is not None:
                return among
            none_within = True  # "which of these are under £1", and none is: others of the kind that are
        # "are any of them in pink", and none of those shown is: said, before pink ones like them.
        none_in_colour = bool(u.among_shown and u.slots.colour and shown) and not any(
            _colour_pattern(u.slots.colour or "").search(p.title) for p in shown)
        # After one product's details, "a cheaper one" is cheaper than that one, not than the list before it.
        in_focus = [p for p in shown if p.id == state.focus_id] if state.context is TurnContext.product else []
        if shown and u.slots.price == "cheaper" and u.slots.budget_max is None:
            # Cheaper than the one turned down ("swap the dearest for something cheaper"), else than those shown.
            turned_down = [p.price for p in shown if u.rejected and p.id in u.targets] or [p.price for p in in_focus]
            ceiling = min(turned_down) - Decimal("0.01") if turned_down else cheaper_than(shown)
            current = slots.budget_max
            floor = slots.budget_min if slots.budget_min is not None and slots.budget_min < ceiling else None
            slots = slots.model_copy(update={"budget_max": min(ceiling, current) if current else ceiling,
                                             "budget_min": floor, "price": None})
        elif shown and u.slots.price == "pricier":
            slots = slots.model_copy(update={"budget_min": max(p.price for p in in_focus or shown) + Decimal("0.01"),
                                             "budget_max": None, "price": None})
        changes = u.slots.filled() - {"reference_index", "reference_text"}
        # "more", "show me others": none seen before in this conversation (a second "more" is a third page, not the
        # first again).
        exclude = list(dict.fromkeys([*state.viewed_ids, *state.shown_ids])) if shown and not changes and not names \
            else []
        ruled_out = list(dict.fromkeys([*state.ruled_out, *(u.targets if u.rejected else ())]))[-50:]
        if u.targets and u.rejected:
            exclude = list(u.targets)  # "not that one"
        # What was turned down earlier stays out ("not the cheapest one either" after "drop the dearest").
        exclude = list(dict.fromkeys([*exclude, *ruled_out]))
        # New words naming a thing ("just doorbells"), not attributes the filters already apply ("in purple").
        # Nor, after presents for someone, whom they are now for: "what about for a boy" after a girl's presents asks
        # for presents for a boy, not for things printing "boy" ("just the ones for children" narrows to them).
        switched = (u.slots.recipient, *u.recipient_words) if switching else ()
        attributes = {w for v in (u.slots.colour, u.slots.size, u.slots.feature, *u.slots.brands, *switched) if v
                      for w in words_of(v)}
        fresh = [w for w in content_words(added) if w not in attributes and u.names_product]
        # Words that only describe ("something curved", "anything more elegant") put the products that print them
        # first, alone only when a few do: one card printing "Funny" is not all there is to "something funny".
        described, fresh = (fresh, []) if u.describes_only else ([], fresh)
        # The standing words may have lost their head ("a portable speaker, my limit is $30" leaves "... speaker
        # my"): what the shown products were named from their titles still says it.
        # ("for iphone" after phone chargers: the thing is still the charger.)
        thing = (head_word((standing or "").split()) if u.narrows else "") or u.head \
            or head_word((standing or "").split()) \
            or (head_word(state.kind.split()) if not range_of(state.kind) else "") or (
            # "in white" after a list shown for a need: a colour or a size picks among things of the kind shown.
            _shared_word([p.title for p in shown]) if u.slots.colour or u.slots.size else "")
        if u.slots.size_than and shown:
            # The standing size ("43 inch tvs") is what "bigger" moves away from, not a constraint kept.
            return self._other_size(u.slots.size_than, query or "", slots.model_copy(update={"size": None}), thing,
                                    u, state, user_id, than=title_size(u.slots.size) if u.slots.size else None,
                                    or_same=bool(u.slots.size_or_same))
        # Words that only describe ("4k?" after monitors, "something funny" after cards) keep the range shown: a 4K
        # camera is no 4K monitor.
        # What was viewed for the one before is no guide to a present for someone else, or for another occasion.
        elsewhere = for_someone_else or other_occasion
        viewer = state.model_copy(update={"viewed_ids": []}) if elsewhere else state
        # A request that named no thing ("a gift for a teenager who's into tech") was answered with the kinds a
        # search found (laptops): a guess. A budget that none of them is within asks for the request within it, not
        # for more of those kinds (the only "laptops" under $100 are protection plans, no present).
        guessed = bool(shown) and not names and u.slots.has_budget() and not head_word((standing or "").split()) \
            and not any(self.filters(slots, False).matches(p) for p in self.store.get(state.shown_ids))
        elsewhere = elsewhere or guessed or thing_ruled_out
        # "for iphone" after "we don't carry phone chargers": a charger for an iPhone is still lacking, and said so.
        still_lacking = (state.missing or "").split() if u.narrows else []
        # A range named in a fragment narrowing the list ("for the garden" after candles) says where the thing goes:
        # it lifts the range, it does not filter the candles away.
        found = self.find(query or "", slots, _category_filter(u) and not u.narrows, viewer, user_id,
                          exclude_ids=exclude,
                          like_ids=state.shown_ids if not elsewhere else (),
                          kind=state.kind if not names and not other_occasion and not guessed and not thing_ruled_out
                          else "", require=fresh,
                          head=u.head if fresh and u.head in fresh and u.named_early else
                          still_lacking[-1] if still_lacking else "", thing=thing, phrase=tuple(still_lacking),
                          # ("one with a case included" after tablets: a tablet with one, "one" names no other kind.)
                          # (Christmas decorations are not in the range the halloween party ones were found in.)
                          shown_categories={p.category for p in shown} if not other_occasion and not guessed and (
                              not names or u.describes_only or (u.slots.feature and not u.head)) else (),
                          describing=described,
                          brand_asked=bool(u.slots.brands))
        if not found.ranked and u.slots.brands and slots.has_budget():
            # "any of those from nintendo" after presents for a gamer around $60, and no Nintendo product is: the
            # brand was just asked for, so its products at other prices, said so (it was a dead end: nothing found).
            unbudgeted = slots.model_copy(update={"budget_min": None, "budget_max": None, "budget_about": None})
            wider = self.find(query or "", unbudgeted, _category_filter(u), viewer, user_id, exclude_ids=exclude,
                              brand_asked=True)
            if wider.ranked:
                found = Found(wider.ranked, [*wider.relaxed, "budget " + budget_said(
                    slots.budget_min, slots.budget_max, self.currency, slots.budget_aim())])
                slots = unbudgeted
        if names and u.head and u.named_early and not u.describes_only and not any(
                is_a(p.title, u.head) for p in shown) and not any(
                is_a(p.title, u.head) for p, _ in found.ranked[:SHOW]):
            # "teapots" after t-light holders (a refinement to the model, at 0.93): none shown nor found among their
            # kind is a teapot; when the shop has teapots, the shopper asked for them, a new request.
            anew = self.search(u, state, user_id)
            if any(is_a(p.title, u.head) for p in anew.facts.products[:SHOW]):
                return anew
        if u.describes_only and u.shows:
            # "something with owls on" after perfume: nothing like those shown (no title word in common) shows owls,
            # so "something" is a new thing that does (after gift wrap, "something with a christmas theme" finds
            # Christmas wrap, and stays).
            showing = _words_pattern(u.shows, from_start=True)
            shown_words = {stem(w) for p in shown for w in content_words(words_of(p.title))} - {
                stem(w) for w in u.shows}
            if not any(showing.search(p.title) and shown_words & {stem(w) for w in words_of(p.title)}
                       for p, _ in found.ranked[:SHOW]):
                anew = self.search(u, state, user_id)
                if any(showing.search(p.title) for p in anew.facts.products[:SHOW]):
                    return anew
        if names and shown and not changes and not exclude and len(
                {p.id for p, _ in found.ranked[:SHOW]} & set(state.shown_ids)) * 2 > len(shown) and not any(
                prints(p.title, w) for p, _ in found.ranked[:SHOW] for w in content_words(added)):
            # "something more useful" after a list: words that change nothing the search can see would show the same
            # products again; the shopper asked for others. ("something portable" after presents for a music lover,
            # where one speaker shown prints "portable", puts that one first, as "240hz?" after monitors puts the
            # 240Hz one first: the words did change what is seen.)
            found = self.find(query or "", slots, _category_filter(u), state, user_id, exclude_ids=state.shown_ids,
                              like_ids=state.shown_ids, kind=state.kind, thing=thing,
                              shown_categories={p.category for p in shown})
        if u.slots.price == "cheaper" and thing and any(prints(p.title, thing) for p in shown) \
                and not any(prints(p.title, thing) for p, _ in found.ranked[:SHOW]):
            # Nothing of the kind costs less: say so, rather than show cheaper things of another kind.
            cheapest = min((p for p in shown if prints(p.title, thing)), key=lambda p: p.price)
            return TurnResult(ReplyFacts(
                act=Act.no_results, intent=Intent.refine_search, user_text=u.text, currency=self.currency,
                detail=f"Nothing cheaper of that kind: the cheapest I have is {cheapest.title} at "
                       f"{self.currency}{cheapest.price:.2f}."))
        others = bool(shown) and not changes and not names and not u.rejected
        kind_shown = kind_of(state.kind) if state.kind and not range_of(state.kind) else ""
        if others and kind_shown and found.ranked and not _products_of_kind([p for p, _ in found.ranked[:SHOW]],
                                                                              kind_shown):
            # "show me others" after every teapot in stock was shown: none is left, said so, rather than a kneeling
            # pad printing "tea" as if it were another.
            return TurnResult(ReplyFacts(
                act=Act.no_results, intent=Intent.refine_search, user_text=u.text, currency=self.currency,
                detail=f"Those are all the {kind_shown} I have in stock."))
        if none_shown_has:
            # Said first, then those of the kind that do have it; or only said, when none of the kind has it.
            said = f"None of those mentions \u201c{none_shown_has}\u201d in the details I have"
            if f"with {none_shown_has}" in found.relaxed or not found.ranked:
                return TurnResult(ReplyFacts(
                    act=Act.no_results, intent=Intent.refine_search, user_text=u.text, currency=self.currency,
                    detail=f"{said}, and I couldn't find others of the kind that do."))
            result = self.present(found, slots, query or "", u, state, Intent.refine_search)
            result.facts.detail = f"{said}. These ones do:"
            return result
        _say_unknown_lacking(found, u, slots)  # "the garmin" after smart watches, as in a new request
        # (Nor "different" of "any different colours?": it asks for others, and the colour question is no word.)
        # Who it is for and the occasion say why it is bought, not what a title prints ("one for my son for school").
        why = {*u.recipient_words, *words_of(u.slots.occasion or ""), *words_of(u.slots.recipient or "")} | (
            PEOPLE_NOUNS if u.people else set())
        # (Nor what the thing must do, "one i can take to the beach": no title says "take".)
        asked_for = [w for w in content_words(added) if w not in attributes and w not in u.doing
                     and w not in OTHERNESS and w not in words_of(u.attribute) and w not in why]
        if names and asked_for and not found.not_found and not any(
                prints(f"{p.title} {p.category}", w) for p, _ in found.ranked[:SHOW] for w in asked_for):
            # "leather?" after notebooks, and no notebook's title says leather: the notebooks found are not that,
            # and the reply says so rather than offer them as an answer. (Napkins from the party range are for a
            # party.)
            found.relaxed.append(join_words(asked_for))
        # A number asked for ("1000 pieces?" after jigsaws) that no product found prints: the spec is said dropped,
        # as a word is ("leather?"), not passed over with the jigsaws shown as if they had it.
        numbers = [w for w in added if any(c.isdigit() for c in w)]
        if numbers and found.ranked and not found.not_found and not any(
                prints(p.title, w) for p, _ in found.ranked[:SHOW] for w in numbers):
            spec = " ".join(w for w in added if w in numbers or (w in asked_for and w not in found.relaxed))
            if spec not in found.relaxed:
                found.relaxed.append(spec)
        # Named by what they are (the kind on the screen), never by a describing word ("5 christmas elegants") or
        # words a title prints beside its kind ("one that says welcome" after doormats: "5 doormat welcomes").
        # A refinement naming nothing ("any in pink" after cake stands) keeps the kind shown: the words of the standing
        # request may name an occasion the search went on from ("a wedding present ... what about a cake stand").
        result = self.present(found, slots, query or "", u, state, Intent.refine_search,
                              label_query=state.query if (u.describes_only or (fresh and not u.head)) and state.query
                              else kind_shown if not names and kind_shown else None)
        if none_within and result.facts.products and not result.facts.detail:
            result.facts.detail = "None of those is within that price. These are:"
        if none_in_colour and result.facts.products and not result.facts.detail:
            result.facts.detail = f"None of those is {u.slots.colour}. These are:"
        if u.rejected:
            result.update = result.update | StateUpdate(ruled_out=ruled_out)
        return result

    def _in_stock_among(self, u: Understanding, slots: Slots, state: DialogState) -> TurnResult | None:
        """ "which of these are in stock", "only the ones in stock": the products on the screen in stock now."""
        return self._kept_among([(p, self._why_shown(p, state)) for p in self.store.get(state.shown_ids)
                                 if p.in_stock], slots, u, state, ("is in stock", "are in stock"))

    def _within_among(self, u: Understanding, slots: Slots, state: DialogState) -> TurnResult | None:
        """ "which of those are under £3": the products on the screen within the budget; None when none is (the
        refinement then finds others of the kind within it)."""
        within = self.filters(u.slots, False)
        kept = [(p, self._why_shown(p, state)) for p in self.store.get(state.shown_ids) if within.matches(p)]
        return self._kept_among(kept, slots, u, state, ("is within that price", "are within that price"))

    def _having_among(self, u: Understanding, slots: Slots, state: DialogState) -> TurnResult | None:
        """ "which ones have a mic", "are any of them waterproof": the products on the screen whose own text says
        so, each with the words that say it (never a guess, never a product not shown); None when none says so."""
        feature = u.slots.feature or ""
        # A title that says it needs no quote of itself.
        kept = [(p, "" if quote.rstrip(".") == p.title else f"\u201c{quote}\u201d")
                for p in self.store.get(state.shown_ids) if (quote := quote_about(p, feature))]
        said = f"\u201c{feature}\u201d"
        return self._kept_among(kept, slots.model_copy(update={"feature": None}), u, state,
                                (f"mentions {said}", f"mention {said}"))

    def _why_shown(self, product: Product, state: DialogState) -> str:
        """Why ``product`` was on the screen, less what the request then asked of it: a best seller kept under a
        budget is still "bought by 856 customers" ("why is the first one popular" had only "within your £5.00
        budget" to say)."""
        reason = next((p.reason for p in state.shown if p.id == product.id), "")
        said_of_request = set(self.describe(product, state.slots).reason.split("; "))
        return "; ".join(part for part in reason.split("; ") if part and part not in said_of_request)

    def _kept_among(self, kept: list[tuple[Product, str]], slots: Slots, u: Understanding, state: DialogState,
                    said: tuple[str, str]) -> TurnResult | None:
        """Those of the products on the screen that a question over them keeps, in the order shown, with how many
        of those do what ``said`` says (its singular and plural); None when it keeps none."""
        if not kept:
            return None
        result = self.present(Found(kept), slots, state.query or u.query, u, state, Intent.refine_search)
        count = len(result.facts.products)
        result.facts.detail = f"{'Only one' if count == 1 else count} of those {said[0] if count == 1 else said[1]}."
        return result

    def _on_offer_among(self, u: Understanding, slots: Slots, state: DialogState) -> TurnResult:
        """ "are any of those on offer?": the products on the screen that carry a discount, in the order shown."""
        on_offer = SearchFilters(on_offer=True)
        offered = [(p, "") for p in self.store.get(state.shown_ids) if on_offer.matches(p)]
        if not offered:
            return TurnResult(ReplyFacts(
                act=Act.no_results, intent=Intent.refine_search, user_text=u.text, currency=self.currency,
                detail="None of those is on offer at the moment."))
        return self.present(Found(offered), slots, state.query or u.query, u, state, Intent.refine_search)

    def similar(self, target_id: str, slots: Slots, u: Understanding, state: DialogState,
                user_id: str | None, also_exclude: Sequence[str] = (), named_by: str | None = None) -> TurnResult:
        """Products like ``target_id`` (of its range when any are), never it nor ``also_exclude`` (what an order
        had, when the products are like that order's); named by ``named_by`` (else the standing search or the
        target's title; "" names them by their range)."""
        target = next(iter(self.store.get([target_id])), None)
        if target is None:
            return self.search(u, state, user_id)
        vector = self.store.embeddings([target.id])[0]
        if slots.price in ("cheaper", "pricier"):
            # "a cheaper one like it": cheaper than that one.
            slots = slots.model_copy(update={"price": None, **(
                {"budget_max": min(target.price - Decimal("0.01"), slots.budget_max or target.price)}
                if slots.price == "cheaper" else
                {"budget_min": target.price + Decimal("0.01"), "budget_max": None})})
        exclude = list(dict.fromkeys([target.id, *also_exclude]))
        kind = head_word(words_of(target.title))
        if u.slots.size_than and state.shown:
            # "something like the first one but bigger": of its kind, past its size (or the shown ones').
            return self._other_size(u.slots.size_than, state.query or kind, slots.model_copy(update={"size": None}),
                                    kind, u, state, user_id, than=title_size(target.title))
        attributes = {w for v in (slots.colour, slots.size, slots.feature, *slots.brands) if v for w in words_of(v)}
        # "more like that but for the garden", "like the second one but in blue": what the shopper adds that the
        # one pointed at is not searched for, and the pool is ranked by closeness to that one too (relevance
        # feedback, as a refinement does); its kind stays unless other words name another.
        added = [w for w in _query_words(u) if w not in OTHERNESS and w not in attributes
                 and not prints(target.title, w)]
        if added or (slots.colour and not _in_colour(target.title, slots.colour)):
            query = " ".join(added) or kind
            found = self.find(query, slots, _category_filter(u) and bool(added), state, user_id, exclude_ids=exclude,
                              like_ids=[target.id], thing="" if added else kind)
            # Words that say what it is for ("but for the garden") name nothing found: not "5 gardens", their range.
            said = words_of(u.query)
            for_use = "for" in said and all(w in said[said.index("for"):] for w in added)
            return self.present(found, slots, query, u, state, Intent.refine_search,
                                label_query="" if for_use else None)
        filters = self.filters(slots, False, exclude_ids=exclude)
        hits = self.store.search_by_vector(vector, k=POOL, filters=filters)
        hits = (_of_kind(hits, range_label(target.category)) or hits) if target.category else hits
        if slots.price in ("cheapest", "priciest"):
            hits = sorted(hits[:10], key=lambda h: h.product.price, reverse=slots.price == "priciest")
        # A colour standing from before ("in blue", then "similar to the first one") ranks nothing here: those of
        # it come first and the reply says how many are, never "5 blue mugs" above a pink one.
        off_colour = bool(slots.colour) and any(not _in_colour(h.product.title, slots.colour) for h in hits[:SHOW])
        found = Found([(h.product, f"similar to the {target.title}") for h in hits],
                      relaxed=[f"colour {slots.colour}"] if off_colour else [])
        return self.present(found, slots, named_by if named_by is not None else state.query or target.title, u,
                            state, Intent.refine_search)

    def info(self, u: Understanding, state: DialogState, user_id: str | None) -> TurnResult:
        """One product's facts: the one pointed at, else the one in focus, else the best match for its name."""
        missing = self.about_missing(u, state, Intent.product_info)
        if missing is not None:
            return missing
        if u.asks_total and u.targets:
            return self._priced_together(u, state)
        if len(u.targets) >= 2 and ((u.slots.reference_text or "").lower() in _PLURAL_POINTERS or (
                u.attribute and not u.slots.reference_text)) and not u.slots.colour and not u.slots.size:
            # (A property asked pointing at none of a list, "how long does the battery last": of each one.)
            return self._about_each(u, state)
        target_id = u.targets[0] if u.targets else None
        if target_id is None and state.focus_id and (not u.names_product or (
                u.points_back and not u.head and not u.slots.reference_text) or (
                u.attribute and is_pronoun(u.slots.reference_text))):
            # "what's the warranty?", "how many are in stock?", "how big is it?" (titles print "Big"): the
            # product in focus; "does it come with a gift box" asks it of that product, whatever else the
            # titles print.
            target_id = state.focus_id
        target = next(iter(self.store.get([target_id])), None) if target_id else None
        if target is not None and (u.slots.colour or u.slots.size) and _variant_wanted(u) \
                and not _has_attributes(target, u.slots):
            return self._variant(target.id, u, state, user_id)
        if target is None and (u.query or u.slots.brands):
            # "is the Samsung one in stock?" with no Samsung on the screen: the standing search, that brand.
            query = u.query if _names_a_thing(u) or not state.query else state.query
            found = self.find(query, u.slots, u.category_filter, state, user_id,
                              head=u.head if query == u.query and u.named_early else "", phrase=u.head_phrase)
            if found.not_found:
                # "do you have an iphone 15?" after a list: the shop lacks it; say so with the closest things,
                # rather than describe the best match for its words (a 15.6" laptop) as if it had been asked about.
                return self.present(found, u.slots, query, u, state, Intent.search_product)
            if query == u.query and u.head and stem(u.head) != u.head and not u.attribute and not u.slots.brands:
                # "and what about mugs" after a policy answer: a kind in the plural, nothing pointed at, asks for the
                # mugs, not one mug's details.
                return self.present(found, u.slots, query, u, state, Intent.search_product)
            target = found.ranked[0][0] if found.ranked else None
        if target is None:
            return TurnResult(ReplyFacts(act=Act.no_results, intent=Intent.product_info, user_text=u.text,
                                         currency=self.currency, detail="Which product would you like to know "
                                         "about? Search for it, or pick one from a list."))
        shown = ShownProduct(id=target.id, title=target.title, price=target.price, category=target.category,
                             reason=target.description[:300], in_stock=target.in_stock, rating=target.rating)
        lines = [f"{target.stock} in stock." if target.stock else "Out of stock at the moment."]
        if target.brand:
            lines.append(f"Brand: {target.brand}.")
        if target.discount:
            lines.append(f"Offer: {target.discount}.")
        on_screen = target.id == state.focus_id and state.context is TurnContext.product
        if u.attribute == RATING_ASKED:
            # The rating is catalog data: said when the card that showed it is already on the screen, or when there
            # is none to show ("has it got good reviews").
            if target.rating is None:
                lines.insert(0, "I don't have a rating or reviews for it yet.")
            elif on_screen:
                lines.insert(0, f"It's rated {target.rating:g} out of 5.")
        elif u.attribute:
            quote = quote_about(target, u.attribute)
            said = as_typed(u.attribute, u.text)
            # Quote the product's own words, or say they are silent: never a yes/no guess.
            stop = "" if quote.endswith((".", "!", "?", "...")) else "."
            lines.insert(0, f"On {said}, the product details say: \u201c{quote}\u201d{stop}" if quote
                         else f"The product details {silent_on(said)}.")
            if u.attribute == COLOURS_ASKED and (others := self._other_colours(target)):
                # "what colours does it come in": the same product in the other colours the shop sells it in.
                lines.insert(1, "It also comes in " + join_words(
                    [f"{colour} ({self.currency}{p.price:.2f})" for colour, p in others]) + ".")
        viewed = list(dict.fromkeys([*state.viewed_ids, target.id]))[-50:]
        facts = ReplyFacts(act=Act.product_info, intent=Intent.product_info, user_text=u.text, products=[shown],
                           currency=self.currency, detail=" ".join(lines),
                           offer="make me a bundle with it" if target.in_stock else "",
                           on_screen=on_screen)
        return TurnResult(facts, StateUpdate(viewed_ids=viewed, focus_id=target.id))

    def _other_colours(self, product: Product) -> list[tuple[str, Product]]:
        """The same product in other colours, in stock: the products whose titles are its title with another colour
        ("Bread Bin Diner Style Red" for "... Mint"), each with the colour its title prints."""
        own = [w for w in words_of(product.title) if w not in COLOURS]
        colours = {w for w in words_of(product.title) if w in COLOURS}
        if not colours or not own:
            return []
        others: dict[str, Product] = {}
        for hit in self.store.search(" ".join(own), k=POOL, filters=SearchFilters(in_stock=True)):
            words = words_of(hit.product.title)
            colour = next((w for w in words if w in COLOURS), None)
            if colour and colour not in colours and colour not in others \
                    and [w for w in words if w not in COLOURS] == own:
                others[colour] = hit.product
        return [(colour.capitalize(), p) for colour, p in others.items()]

    def _priced_together(self, u: Understanding, state: DialogState) -> TurnResult:
        """ "how much for the first and second together", "the total for 2 of those": each line and the sum."""
        products = self.store.get(list(u.targets))
        shown, detail = priced_together(products, u.target_quantity or u.slots.quantity or 1, self.currency)
        viewed = list(dict.fromkeys([*state.viewed_ids, *(p.id for p in shown)]))[-50:]
        facts = ReplyFacts(act=Act.show_products, intent=Intent.product_info, user_text=u.text, products=shown,
                           currency=self.currency, detail=detail, slots={"priced": "together"})
        return TurnResult(facts, StateUpdate(viewed_ids=viewed, focus_id=shown[0].id if len(shown) == 1 else None))

    def _about_each(self, u: Understanding, state: DialogState) -> TurnResult:
        """ "are they in stock?", "tell me about those" after a list: each one pointed at, with its stock (and
        what its details say of a property asked about), not the first one alone."""
        products = self.store.get(list(u.targets))
        quotes = {p.id: quote_about(p, u.attribute) for p in products} if u.attribute else {}
        shown = [ShownProduct(id=p.id, title=p.title, price=p.price, category=p.category, in_stock=p.in_stock,
                              rating=p.rating,
                              reason="; ".join(x for x in (f"{p.stock} in stock" if p.stock else "out of stock",
                                                           quotes.get(p.id, "")) if x))
                 for p in products]
        stocked = sum(1 for p in products if p.stock)
        detail = (f"All {len(products)} are in stock." if stocked == len(products) else
                  f"{stocked} of these {len(products)} are in stock.")
        if u.attribute:  # "do they have a backlit keyboard?": what each one's details say of it comes first
            said = as_typed(u.attribute, u.text)
            if not any(quotes.values()):  # "are these dishwasher safe?" and no detail says: said once, not per item
                detail = f"The product details I have {silent_on(said, of_any=True)}."
            else:
                detail = f"On {said}, here is what each one's details say." + (
                    f" The details of the others {silent_on(said)}." if not all(quotes.values()) else "")
        viewed = list(dict.fromkeys([*state.viewed_ids, *(p.id for p in shown)]))[-50:]
        facts = ReplyFacts(act=Act.show_products, intent=Intent.product_info, user_text=u.text, products=shown,
                           currency=self.currency, detail=detail, slots={"found": "products you asked about"})
        return TurnResult(facts, StateUpdate(viewed_ids=viewed))

    def _variant(self, target_id: str, u: Understanding, state: DialogState, user_id: str | None) -> TurnResult:
        """ "does it come in 65 inch?", "in blue?": the product in focus in another colour or size."""
        target = next(iter(self.store.get([target_id])), None)
        if target is None:
            return self.search(u, state, user_id)
        base = " ".join(w for w in words_of(target.title) if not w.isdigit() and len(w) > 1)
        # The standing budget still holds ("headphones under 200", then "the second one in black").
        slots = Slots(colour=u.slots.colour, size=u.slots.size, brands=(target.brand,) if target.brand else (),
                      budget_max=u.slots.budget_max or state.slots.budget_max,
                      budget_min=u.slots.budget_min or state.slots.budget_min, currency=state.slots.currency)
        # Another colour or size of the same kind of thing: a pink one of the teapots shown is a teapot, a silver
        # Sony is headphones (its category when no kind was shown), not a "Pentium Silver" laptop.
        kind_words = kind_of(state.kind or "").split()
        of_kind = bool(kind_words) and prints(target.title, kind_words[-1])
        kind = state.kind if of_kind else range_label(target.category) if target.category else ""
        if u.slots.colour and of_kind:
            # Another colour of one of the things shown is that kind in the colour: the title's own words ("Small
            # Red Retrospot Mug In Box") would fill the pool the colour is picked from with red mugs and boxes.
            named = _named_kind(kind_words, state.query or "", target.title)
            base, kind = f"{' '.join(named)} {u.slots.colour}", " ".join(named)
        found = self.find(base, slots, False, state, user_id, exclude_ids=[target.id], kind=kind)
        result = self.present(found, slots, base, u, state, Intent.refine_search, label_query=state.query or "")
        if state.query:
            # The request stands, in the colour or size now asked: "how about green?" next is another bread bin,
            # not a search for the words of the one title ("bread bin diner style mint").
            asked = {k: v for k, v in (("colour", u.slots.colour), ("size", u.slots.size)) if v}
            result.update = result.update | StateUpdate(query=state.query, slots=state.slots.model_copy(update=asked))
        return result

    def compare(self, u: Understanding, state: DialogState, user_id: str | None) -> TurnResult:
        if u.in_stock and len(state.shown) >= 2 and not u.names_product \
                and (stocked := self._in_stock_among(u, state.slots, state)) is not None:
            return stocked  # "which of these are in stock": a question over those shown, no comparison
        ids = list(u.targets)
        if u.points_beyond and len(ids) < 2:
            # "compare the top two" with one product on the screen: say so, rather than search the words
            # ("top" prints in titles) and compare it with something never shown.
            only = next(iter(self.store.get(ids)), None) if ids else None
            return TurnResult(ReplyFacts(
                act=Act.no_results, intent=Intent.compare_products, user_text=u.text, currency=self.currency,
                detail=(f"Only one product is on the screen ({only.title}). " if only else "")
                + "Which product would you like to compare it with?"))
        # "compare the two cheapest": of the list on the screen, else of the set built (one product's details
        # since are no set of two).
        choices: Sequence[ShownProduct | BundleItem] = (
            state.shown if len(state.shown) >= 2 else state.bundle.items if state.bundle else [])
        if len(ids) < 2 and u.slots.price in ("cheapest", "priciest") and len(choices) >= 2:
            ordered = sorted(choices, key=lambda p: p.price, reverse=u.slots.price == "priciest")
            # "compare the two cheapest" points at two; "which one is cheapest" at the one, of all those shown: all of
            # them side by side, that one named (not "the cheaper one" of the two cheapest).
            ids = [p.id for p in ordered[:SHOW if len(ids) == 1 else 2]]
        brands = {w for b in u.slots.brands for w in words_of(b)}
        rest = [set(r.query.split()) - brands for r in u.roles]
        if len(u.slots.brands) >= 2 and state.query and not set().union(*rest):
            # "compare the jbl and the sony" after speakers: the one of each brand on the screen, else the best of
            # that brand for the standing request (a Sony speaker, not Sony headphones); "compare samsung and lg"
            # after TVs: one of each, not every Samsung on the screen.
            listed = self.store.get(state.shown_ids)
            ids = [i for i in (self._of_brand(b, listed, state, user_id) for b in u.slots.brands) if i][:4]
        if len(ids) < 2 and len(u.slots.brands) >= 2 and sum(1 for r in rest if r) <= 1 \
                and (u.roles or not state.shown):
            # "samsung or lg tv", "noise cancelling headphones, sony or bose": two brands and at most one kind of
            # thing, no product named: the kind of both brands, as a list (a brand with none of it shows none, never
            # a Bose soundbar compared with Sony headphones), and the brand with none of it is said.
            return self._of_each_brand(u, state, user_id)
        unmatched: list[str] = []
        if len(ids) < 2 and u.roles:  # "compare the X and the Y": the best match for each
            for n, role in enumerate(u.roles[:4]):
                hits = self._elided(role.query, u.roles[0].query) if n else []
                hits = hits or self.store.search(role.query, k=5, mode="lexical") or self.store.search(role.query, k=5)
                hits = [h for h in hits if h.product.id not in ids]
                # "an ipad and a galaxy tab": an iPad, not the Apple Pencil whose description names the iPad, nor a
                # "Keyboard for iPad Pro".
                hit = next((h for h in hits if is_a(h.product.title, role.head)), hits[0] if hits else None)
                if hit is not None and not any(not prints(hit.product.title, w) for w in role.unknown) and (
                        state.shown or hit.product.id.lower() in role.query.split() or any(
                        prints(hit.product.title, w) for w in role.query.split() if w not in FUNCTION_WORDS)):
                    ids.append(hit.product.id)
                else:
                    # With nothing on the screen, a name no title prints is no product ("standard and express
                    # delivery" matched a "Letter S" key ring); nor is one with a word nothing knows ("bose
                    # quietcomfort" is no Bose Soundbar).
                    unmatched.append(role.query)
        if len(ids) < 2 and not u.targets and len(state.shown) >= 2 and not u.names_product:
            # "which is the lightest" asks of all of them; "which is better" of the first two.
            ids = state.shown_ids if u.degree else state.shown_ids[:2]
        # "compare the two cheapest" naming nothing, with fewer than two on the screen: of the standing request.
        query = u.query or state.query or ""
        unmeasured = 0
        if not ids and u.degree and u.attribute and not state.shown and (u.head or query):
            # "which laptop is lightest" with nothing on the screen asks it of every laptop: those whose details
            # give a weight, lightest first; the others are counted, never ruled out.
            hits = self.store.search(u.head or query, k=POOL * 4, filters=self.filters(u.slots, _category_filter(u)))
            # Of the kind: titles that name it, and what is filed beside them (a MacBook Air is a laptop too).
            filed = {h.product.category for h in hits if u.head and is_a(h.product.title, u.head)}
            kind = [h.product for h in hits
                    if not u.head or is_a(h.product.title, u.head) or h.product.category in filed]
            ranked = ranked_by(kind, u)
            if len(ranked) >= 2:
                ids, unmeasured = [p.id for p in ranked[:SHOW]], len(kind) - len(ranked)
        if len(ids) < 2 and query and not unmatched:
            # Found by its own words: "compare it with the macbook pro" after a MacBook Air's details ranked the
            # other Airs first for being like the one viewed, and compared two Airs.
            named = u.names_product and bool(ids)
            found = self.find(query, u.slots, _category_filter(u),
                              state.model_copy(update={"viewed_ids": []}) if named else state,
                              None if named else user_id)
            ids = [*ids, *(p.id for p, _ in found.ranked if p.id not in ids)][:2]  # "it" stays one of the two
        products = self.store.get(ids)
        if len(products) < 2:
            return TurnResult(ReplyFacts(
                act=Act.no_results, intent=Intent.compare_products, user_text=u.text, currency=self.currency,
                detail=f"I couldn't find {join_words([f'“{r}”' for r in unmatched])} in our catalog to compare."
                if unmatched else "I need two products to compare."))
        quotes = {p.id: quote_about(p, u.attribute) for p in products} if u.attribute else {}
        shown = [ShownProduct(id=p.id, title=p.title, price=p.price, category=p.category,
                              reason=quotes.get(p.id, ""), in_stock=p.in_stock, rating=p.rating) for p in products]
        detail = most_of(products, u, as_typed(u.attribute, u.text), unmeasured) if u.attribute and u.degree else ""
        if u.attribute and not all(quotes.values()) and not detail:
            # Never guess: say the data is silent rather than pick a winner on price or rating.
            detail = (f"The product details I have {silent_on(u.attribute, of_each=True)}, so I can't compare them "
                      "on that.")
        # What was compared is what is on the screen now: "which one has more memory?" compares them again.
        on_screen = [p.model_copy(update={"reason": ""}) for p in shown]
        # "which is the most expensive": the reply names it as well as the cheapest (it names the cheapest anyway).
        asked = {"price": "priciest"} if u.slots.price == "priciest" else {}
        return TurnResult(ReplyFacts(act=Act.compare, intent=Intent.compare_products, user_text=u.text, products=shown,
                                     currency=self.currency, detail=detail, slots=asked),
                          StateUpdate(focus_id=shown[0].id, shown=on_screen))

    def _elided(self, name: str, first: str) -> list[SearchHit]:
        """The product ``name`` names when it leaves out the words it shares with the first thing compared ("the apple
        watch se and series 9": an Apple Watch Series 9, not an Xbox Series X): those words put back, the hits whose
        titles print every word of both (a number as a whole word). Empty when ``name`` says its own family, or none
        prints it all."""
        family = content_words(first.split())[:-1]
        own = [w for w in name.split() if w.isalnum() and w not in FUNCTION_WORDS]
        if not family or not own or set(family) & set(own):
            return []

        def names_all(title: str) -> bool:
            return all(w in words_of(title) if w.isdigit() else prints(title, w) for w in (*family, *own))

        hits = self.store.search(" ".join([*family, *own]), k=5, mode="lexical")
        return [h for h in hits if names_all(h.product.title)]

    def _of_each_brand(self, u: Understanding, state: DialogState, user_id: str | None) -> TurnResult:
        """ "samsung or lg tv under 1000", "sony vs bose headphones": the best of the kind from each brand in turn
        (one brand's many matches must not crowd out the other), and a brand the shop has none of said so."""
        per_brand: list[list[tuple[Product, str]]] = []
        absent: list[str] = []
        for brand in u.slots.brands[:4]:
            of_one = u.slots.model_copy(update={"brands": (brand,)})
            found = self.find(u.query, of_one, _category_filter(u), state, user_id, query_words=_query_words(u),
                              head=u.head if u.named_early else "", thing=u.head, phrase=u.head_phrase)
            of_brand = [] if found.not_found or found.relaxed else [
                (p, why) for p, why in found.ranked if prints(p.brand, brand) or prints(p.title, brand)]
            # Of the kind: titles that name it, else the shop's category for it (an iPad is filed under tablets); a
            # Bose soundbar is no Bose headphones.
            kept = [pw for pw in of_brand if not u.head or is_a(pw[0].title, u.head)] or [
                pw for pw in of_brand if prints(pw[0].category, u.head)]
            if kept:
                per_brand.append(kept[:SHOW])
            else:
                absent.append(brand)
        if not per_brand:
            return self.search(u, state, user_id)
        mixed = [pick for rank in zip_longest(*per_brand) for pick in rank if pick is not None]
        result = self.present(Found(mixed), u.slots.model_copy(update={"brands": ()}), u.query, u, state,
                              Intent.search_product)
        if absent and result.facts.products and not result.facts.detail:
            thing = plural(u.head) if u.head else "of those"
            result.facts.detail = (f"I couldn't find any {thing} from {', '.join(absent)} to compare. "
                                   "Here is what I have:")
        return result

    def _of_brand(self, brand: str, on_screen: Sequence[Product], state: DialogState,
                  user_id: str | None) -> str | None:
        shown = next((p for p in on_screen if p.brand == brand or prints(p.title, brand)), None)
        if shown is not None:
            return shown.id
        found = self.find(state.query or "", Slots(brands=(brand,)), False, state, user_id, kind=state.kind)
        return next((p.id for p, _ in found.ranked if p.brand == brand), None)

    def explain(self, u: Understanding, state: DialogState) -> TurnResult:
        """ "why these?": the reason recorded for each item shown (bundle items or the list)."""
        about_bundle = state.bundle is not None and (state.context is TurnContext.bundle or not state.shown)
        if about_bundle and state.bundle is not None:
            items = [(i.id, i.title, i.price, i.reason) for i in state.bundle.items]
        else:
            items = [(p.id, p.title, p.price, p.reason) for p in state.shown]
        if u.targets:
            items = [i for i in items if i[0] in u.targets] or items
        # "why did you pick the microphone?", "... the logitech one?" when none was suggested: say so, then why
        # these were.
        named = " ".join(w for w in (u.slots.reference_text or "").split() if w not in ("the", "a", "one", "ones"))
        asked = [*u.slots.brands, *([u.head] if u.head and u.names_product else []),
                 *([named] if named and not is_pronoun(u.slots.reference_text) else [])]
        absent = [a for a in asked if not any(prints(t, a) for _, t, _, _ in items)] if not u.targets else []
        detail = f"There's no \u201c{absent[0]}\u201d among what I suggested." if items and absent else ""
        if not items:
            return TurnResult(ReplyFacts(act=Act.no_results, intent=Intent.explain_choice, user_text=u.text,
                                         currency=self.currency,
                                         detail="I haven't suggested anything yet: tell me what you're looking for."))
        shown = [ShownProduct(id=i, title=t, price=p, reason=r or "it matched what you asked for")
                 for i, t, p, r in items]
        if about_bundle and state.bundle is not None:
            basis = {"budget_max": f"{state.bundle.budget:.2f}"} if state.bundle.budget is not None else {}
            basis["found"] = "a bundle"
        else:
            basis = _display(state.slots) | ({"found": state.kind} if state.kind else {})
        # "why did you pick the third one": that one is then the one talked about ("something similar but cheaper").
        focus = StateUpdate(focus_id=shown[0].id) if len(shown) == 1 and not about_bundle else StateUpdate()
        return TurnResult(ReplyFacts(act=Act.explain, intent=Intent.explain_choice, user_text=u.text, products=shown,
                                     currency=self.currency, slots=basis, detail=detail,
                                     bundle=state.bundle if about_bundle else None), focus)


def ranks_by(slots: Slots) -> bool:
    """Whether the request orders what matches by price or size ("the cheapest", "the biggest tv"), not by relevance."""
    return slots.price in ("cheapest", "priciest") or slots.size_rank is not None


def _in_colour(title: str, colour: str | None) -> bool:
    """Whether ``title`` says it is ``colour``: what "pink as you asked" and the count of those in it both go by."""
    return bool(colour and colour.lower() in title.lower())


def _shared_word(titles: Sequence[str]) -> str:
    """The word most of ``titles`` print ("key" of two key fobs, a key holder and garden keys), or "": what a list
    shown for a need ("something to keep my keys on") is of, as no word of the request names it."""
    counts = Counter(s for title in titles for s in {
        stem(w) for w in words_of(title) if len(w) > 2 and w.isalpha() and w not in FUNCTION_WORDS
        and w not in COLOURS})
    word, n = counts.most_common(1)[0] if counts else ("", 0)
    return word if n * 2 > len(titles) else ""


def _names_a_thing(u: Understanding, as_written: bool = False) -> bool:
    """Whether the message has words of its own beyond the attributes it states ("any in red?" has none).

    ``as_written``: the recipient as the shopper wrote it is no thing either ("she's a teenager" for "teen"); a
    refinement keeps it as words to search ("just the ones for children" asks for the "Childrens" ones).
    """
    attribute_words = {w for v in (u.slots.colour, u.slots.size, u.slots.recipient, u.slots.occasion, u.slots.feature,
                                   *u.slots.brands) if v for w in words_of(v)} | (PEOPLE_NOUNS if u.people else set())
    if as_written:
        attribute_words |= set(u.recipient_words)
    # A letter left of a contraction ("she's" -> "s") is no word; a size superlative ranks, it names nothing.
    return any(w not in attribute_words and w not in SIZE_CHOICE and len(w) > 1 for w in _query_words(u))


def _for_pronoun(words: Sequence[str]) -> int | None:
    """Where a pronoun is the object of "for" ("decorations for it", "a card for that"), or None."""
    return next((i for i in range(1, len(words)) if words[i - 1] == "for" and words[i] in ("it", "that", "this")),
                None)


def _without(query: str, *said: str | None) -> list[str]:
    """The words of ``query`` less those that said ``said`` (the recipient or the occasion a follow-up replaces)."""
    gone = {w for value in said if value for w in words_of(value)}
    return [w for w in query.split() if w.lower() not in gone]


def _query_words(u: Understanding) -> list[str]:
    from assistant.understanding.content import content_words

    return content_words(u.query.split())


def _category_filter(u: Understanding) -> bool:
    return u.category_filter


def _has_attributes(product: Product, slots: Slots) -> bool:
    """Whether the product's title already says the colour and size asked: "how much is the pink one?" with a pink
    one on the screen asks about that one, not about it in another colour."""
    return all(prints(product.title, value) for value in (slots.colour, slots.size) if value)


def _variant_wanted(u: Understanding) -> bool:
    return not _names_a_thing(u) or bool(u.targets)


def _with_feature(hits: list[SearchHit], feature: str, thing: str,
                  categories: Collection[str] = ()) -> tuple[list[SearchHit], bool]:
    """The hits of the kind asked about (titles printing ``thing``, or in a category the shopper named, when any
    are) that have ``feature``: printed in the title, else in the description ("16gb ram" is in a laptop's
    details, not its name); else the hits of the kind and False. Words match from their start: "ram" is not in
    "gram". A "Christmas Hanging Star" is one of the "hanging ones" of christmas decorations, though its title
    does not say "decoration"."""
    words = feature.split()
    # "polka dot" is printed closed up as well ("Polkadot").
    patterns = [_words_pattern(words, from_start=True)] + (
        [_words_pattern(["".join(words)], from_start=True)] if len(words) > 1 else [])
    # (A thing that names its range, "storage": a "Chest Natural Wood 20 Drawers" filed there is one.)
    kind = [h for h in hits if (thing and (prints(h.product.title, thing) or prints(h.product.category, thing)))
            or h.product.category in categories] or hits
    matching = [h for h in kind if any(p.search(h.product.title) for p in patterns)] or \
        [h for h in kind if any(p.search(h.product.description) for p in patterns)]
    return (matching, True) if matching else (kind, False)


def _words_pattern(words: Sequence[str], from_start: bool = False) -> re.Pattern[str]:
    """Texts that print every one of ``words``: singular, plural or in "-ing" ("Mounting"), or ending a compound ("mat"
    in "Doormat"), never starting one ("ear" is no "Earbuds"); with ``from_start`` as a word's start ("ram" not in
    "gram")."""
    parts = "".join(rf"(?=.*\b{_spelt(stem(w))})" if from_start else rf"(?=.*{_spelt(stem(w))}{_ending(stem(w))}\b)"
                    for w in words)
    return re.compile(parts, re.I | re.S)


def _ending(word: str) -> str:
    """The endings a word may print with: plural or "-ing", its last consonant doubled before "-ing" in British
    spelling ("cancel": "Noise Cancelling")."""
    vowels = "aeiou"
    # Only after one vowel between consonants ("cancel", "stop"): "ear" is no "Earring".
    doubled = f"{word[-1]}?" if len(word) >= 3 and word[-1].isalpha() and word[-1] not in vowels + "wxy" \
        and word[-2] in vowels and word[-3] not in vowels else ""
    return rf"(?:e?s|{doubled}ing)?"


# A consonant doubled before "-ing", "-ed" or "-er" in one spelling and not in another: British "cancelling",
# American "canceling" (as the Sony's title prints it).
_DOUBLED = re.compile(r"^(.*?)([bdfgklmnprtvz])\2?(ing|ed|er)$")


def _spelt(word: str) -> str:
    """A pattern for ``word`` in either spelling of a doubled consonant before its ending."""
    doubled = _DOUBLED.match(word)
    if doubled is None:
        return re.escape(word)
    head, consonant, ending = doubled.groups()
    return f"{re.escape(head)}{consonant}{consonant}?{ending}"


def _phrase_around(query: str, missing: Sequence[str], slots: Slots) -> str:
    """The missing words as the shopper wrote them: with the words before them that name the thing ("coffee maker",
    "washing machines", not "maker") and the model number after them ("iphone 15"). A colour, size, brand or price
    word before them describes what was wanted and is left out ("a cheap red kettle": kettle)."""
    words = query.split()
    describing = {w for value in (slots.colour, slots.size, *slots.brands) if value for w in value.lower().split()}
    out: list[str] = []
    for i, w in enumerate(words):
        if w in missing:
            start = i
            while start > 0 and content_words([words[start - 1]]) and words[start - 1] not in describing \
                    and words[start - 1] not in REQUEST_WORDS and words[start - 1] not in out:
                start -= 1
            out.extend(words[start:i + 1])
            if i + 1 < len(words) and any(ch.isdigit() for ch in words[i + 1]):
                out.append(words[i + 1])
    return " ".join(out) or " ".join(missing)


def _say_unknown_lacking(found: Found, u: Understanding, slots: Slots, with_head: bool = False) -> None:
    """ "garmin watch": a name no title, no dictionary and no typo correction knows is one the shop lacks; the
    closest things found are shown as such, not as a good fit (``with_head``: named with the thing it is of)."""
    if u.unknown_names and found.ranked and not found.not_found:
        found.not_found = _phrase_around(u.query, [*u.unknown_names, u.head] if with_head else list(u.unknown_names),
                                         slots)


def _what_it_is_for(query: str, head: str) -> list[str]:
    """The content words after a "for" that follows the head ("charger for a macbook": ["macbook"]), or []."""
    words = query.split()
    if not head or head not in words:
        return []
    after = words[words.index(head) + 1:]
    return content_words(after[1:]) if after[:1] == ["for"] else []


def budget_said(low: Decimal | None, high: Decimal | None, currency: str, aim: Decimal | None = None) -> str:
    """ "around $60.00", "under £10.00", "over £5.00", "£5.00 to £10.00": a budget as a reply says it was dropped."""
    if aim is not None:
        return f"around {format_money(aim, currency)}"
    said_low, said_high = (format_money(v, currency) if v is not None else "" for v in (low, high))
    return f"under {said_high}" if not said_low else f"over {said_low}" if not said_high else \
        f"{said_low} to {said_high}"


def _named_kind(kind_words: list[str], request: str, title: str) -> list[str]:
    """The kind named from the titles shown, with the word before it in the request that ``title`` prints too:
    "a pink one" after a "baking set" asked for is a pink baking set, not any set ("Set/6 Pink Butterfly T-Lights")."""
    words = request.split()
    at = next((i for i, w in enumerate(words) if i and stem(w) == stem(kind_words[-1])), None)
    if at is not None and content_words(words[at - 1:at]) and prints(title, words[at - 1]) \
            and words[at - 1] not in kind_words:
        return [words[at - 1], *kind_words]
    return kind_words


def _of_kind(hits: list[SearchHit], kind: str) -> list[SearchHit]:
    """The hits of the kind the shopper was looking at ("cheaper" cake stands stay cake stands); empty if none are."""
    keep = {id(p) for p in _products_of_kind([h.product for h in hits], kind)}
    return [h for h in hits if id(h.product) in keep]


def _prints_kind(hits: Sequence[SearchHit], kind: str) -> bool:
    """Whether some title among ``hits`` prints every word of ``kind`` ("baking sets": a baking set)."""
    stems = _kind_stems(kind)
    return any(_prints_stems(_title_stems(h.product.title), stems) for h in hits)


def _kind_stems(kind: str) -> list[str]:
    return [stem(w) for w in words_of(kind_of(kind))]


def _title_stems(title: str) -> list[str]:
    return [stem(x) for x in words_of(title)]


def _prints_stems(title_stems: Sequence[str], stems: Sequence[str]) -> bool:
    """Whether a title's words print every one of ``stems`` (as a word or the start of one: "mug" in "mugs")."""
    return all(any(t.startswith(s) for t in title_stems) for s in stems)


def _products_of_kind(products: Sequence[Product], kind: str) -> list[Product]:
    """The products of ``kind`` (a list's label: "teapots", "items from our party range"); empty if none are.

    A word of the kind's name that no title prints ("affordable" of "affordable phones", a price level the label
    describes) says nothing about which products are of the kind."""
    if category := range_of(kind):
        return [p for p in products if p.category == category]
    titles = [_title_stems(p.title) for p in products]
    stems = [s for s in _kind_stems(kind) if any(t.startswith(s) for words in titles for t in words)]
    if not stems:
        return []
    return [p for p, words in zip(products, titles, strict=True) if _prints_stems(words, stems)]


def _lift(hits: list[SearchHit], categories: set[str]) -> list[SearchHit]:
    if not hits:
        return hits
    top = max(h.score for h in hits) or 1.0
    scored = [(h.score + (CATEGORY_LIFT * top if h.product.category in categories else 0.0), n, h)
              for n, h in enumerate(hits)]
    return [h for _, _, h in sorted(scored, key=lambda t: (-t[0], t[1]))]


def _of_relative_size(hits: list[SearchHit], size: str, thing: str) -> list[SearchHit]:
    """"a small tv", "nothing too big": where the thing's titles print a measure (43", 65") and none prints the size
    word, the smaller (or larger) third of those found, by their measure, in their ranked order; none where fewer
    than three of them print one."""
    end = SIZE_ENDS.get(size.lower())
    measured = [(s, h) for h in hits if (not thing or is_a(h.product.title, thing))
                and (s := title_size(h.product.title)) is not None]
    if end is None or len(measured) < 3:
        return []
    ordered = sorted(s for s, _ in measured)
    cut = ordered[(len(ordered) - 1) // 3] if end == "small" else ordered[-1 - (len(ordered) - 1) // 3]
    return [h for s, h in measured if (s <= cut if end == "small" else s >= cut)]



def _excluded(product: Product, exclude: Sequence[str]) -> bool:
    """Whether ``product`` prints a word ruled out, as a word or the end of a compound ("no mats": "Doormat"), or is
    in the range the word names first ("not stationery": the stationery & cards range). Never as the start of a
    longer word: "without wires" rules out wires, not "Wireless" earbuds."""
    words = [stem(w) for w in words_of(f"{product.title} {product.brand}")]
    # ("not dog toys": a thing named in two words is ruled out where the title prints both.)
    phrases = [[stem(w) for w in words_of(x)] for x in exclude if len(words_of(x)) > 1]
    ruled_out = [s for x in exclude if len(words_of(x)) <= 1 and (s := stem(x.lower()))]
    return any(w.endswith(s) for s in ruled_out for w in words) or any(
        all(any(w.endswith(s) for w in words) for s in phrase) for phrase in phrases) or (
        bool(range_words := words_of(product.category)) and stem(range_words[0]) in ruled_out)


# The reply's slots that a dropped constraint (the first word of a ``Found.relaxed`` entry) must no longer state.
_SLOTS_OF_RELAXED = {"brand": ("brands",), "budget": ("budget_min", "budget_max", "budget_about"),
                     "minimum": ("budget_min", "budget_about"), "on": ("price_level",)}


def _display(slots: Slots) -> dict[str, str]:
    """The attributes the reply may repeat (never a product noun the shopper typed)."""
    keep = {"budget_min", "budget_max", "budget_about", "colour", "size", "recipient", "occasion", "brands",
            "exclude", "quantity", "order_id"}
    shown = {k: v for k, v in slots.as_strings().items() if k in keep}
    if slots.price in ("low", "high", "discounted"):
        shown["price_level"] = slots.price
    return shown
