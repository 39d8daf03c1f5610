"""``Understander``: one message and the screen it was sent from, in; one typed :class:`Understanding`, out.

The order of work, as Rasa's NLU pipeline finishes before its core decides:

1. read the attributes (budget, colour, size, brands, people, order id, price words, pointers) and the
   words left for retrieval, with typos corrected against the catalog's own words;
2. ask the intent model, which reads the message together with what the previous reply showed
   (:mod:`finetune.context`): "cheaper" after a bundle is an edit of the bundle, after a list a refinement;
3. check the catalog before calling a message out of scope: a message whose words closely match products
   is a shopping request, whatever the model thought (threshold calibrated on labelled data, see
   :class:`CatalogCheck`);
4. resolve what the message points at on the screen to product ids, and read a bundle edit or an order
   problem into typed fields.

The few remaining overrides are things the model cannot know: whether a number is one of the shop's
orders, and whether anything is on the screen to refine, edit or explain.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Final, Protocol

import numpy as np

from assistant.protocols import Embedder, IntentModel
from assistant.service.policies import POLICY_QUERIES, with_topic
from assistant.types import (
    BundleOp,
    Intent,
    OrderRank,
    PriceWord,
    ProblemKind,
    ProblemReading,
    Role,
    Screen,
    Slots,
    Understanding,
)
from assistant.understanding.attributes import (
    COLOURS_ASKED,
    RATING_ASKED,
    SIZE_ASKED,
    STATED_ANYWAY,
    asked_attribute,
    asked_degree,
    asks_included,
    asks_rating,
)
from assistant.understanding.budget import MONEY_WORDS, approx_bounds, restated_amount
from assistant.understanding.catalog import (
    CatalogVocabulary,
    NamedCategories,
    edit_distance_within,
    prints,
    root,
    stem,
    words_of,
)
from assistant.understanding.content import (
    DO_FORMS,
    FUNCTION_WORDS,
    GENERIC_WANTS,
    GIFT_WORDS,
    MODALS,
    content_words,
    describing_thanks,
    doing_words,
    follows_modal,
    follows_question_subject,
    in_stock_positions,
    liked_words,
    ranking_positions,
    search_query,
    small_count,
)
from assistant.understanding.multiples import quantity_change
from assistant.understanding.references import (
    MAX_LISTED,
    NUMBERED_POINTERS,
    PLURAL_PRONOUNS,
    SIZE_CHOICE,
    OnScreen,
    by_name,
    chooses_among,
    chooses_by_size,
    counted_reference,
    for_the_product,
    is_pronoun,
    list_count,
    name_words,
    ordinal_positions,
    picks_one_by_price,
    resolve,
)
from assistant.understanding.slots import SlotExtractor, SlotReading
from assistant.understanding.text import ANGRY
from assistant.understanding.vocab import (
    AGE_UNITS,
    NUMBER_WORDS,
    ORDINALS,
    PEOPLE_NOUNS,
    PRICE_WORDS,
    SET_WORDS,
    SIZES,
    SPENDING_WORDS,
)
from finetune.context import TurnContext, model_input
from finetune.labels import CUSTOMER_SERVICE_INTENTS

logger = logging.getLogger(__name__)

# Intents whose subject is products (a number in them can still be an order: see ``understand``).
SHOPPING_INTENTS: frozenset[Intent] = frozenset({Intent.search_product, Intent.refine_search, Intent.product_info,
                              Intent.compare_products, Intent.build_bundle, Intent.edit_bundle,
                              Intent.explain_choice, Intent.best_sellers, Intent.recommend_for_me,
                              Intent.out_of_scope,
                              Intent.place_order})

# What a message asks of a thing the shop sells, not of an order or a policy.
_ABOUT_PRODUCTS = frozenset({Intent.search_product, Intent.refine_search, Intent.product_info,
                             Intent.compare_products, Intent.build_bundle})

_POINTED = PLURAL_PRONOUNS | {"it"}  # what a thing is put in: "what could i put in them"

# The verbs of a bundle edit (grammar of the edit, not product words).
_EDIT_VERBS: dict[str, BundleOp] = {
    "remove": "remove", "drop": "remove", "delete": "remove", "without": "remove", "scrap": "remove",
    "lose": "remove", "ditch": "remove", "minus": "remove",
    "swap": "swap", "replace": "swap", "switch": "swap", "change": "swap", "exchange": "swap",
    "add": "add", "include": "add", "plus": "add", "throw": "add", "put": "add", "also": "add", "take": "add",
}
_EDIT_PHRASES: tuple[tuple[str, BundleOp], ...] = (
    ("take out", "remove"), ("take away", "remove"), ("get rid of", "remove"), ("leave out", "remove"),
    ("dont need", "remove"), ("dont want", "remove"), ("no more", "remove"), ("as well", "add"),
)
_SPLIT_VERBS = frozenset({"take", "leave"})
_SWAP_TO = frozenset({"for", "with", "to", "into"})
# "what goes with it", "accessories for the camera": the bundle completes the product, it doesn't contain it.
_COMPLEMENT_WORDS = frozenset({"goes", "go", "going", "match", "matches", "matching", "complement", "complements",
                               "accessories", "accessory", "pair", "pairs"})
ROLE_MARGIN = 0.1  # a listed thing may match the catalog a little less closely than a request on its own
# The follow-ups each screen makes likely (an unsure model's first guess among them is taken).
_FOLLOW_UPS: dict[TurnContext, frozenset[Intent]] = {
    TurnContext.products: frozenset({Intent.refine_search, Intent.product_info, Intent.compare_products,
                                     Intent.explain_choice, Intent.build_bundle}),
    TurnContext.product: frozenset({Intent.product_info, Intent.refine_search, Intent.explain_choice,
                                    Intent.build_bundle}),
    TurnContext.bundle: frozenset({Intent.edit_bundle, Intent.explain_choice, Intent.product_info}),
    TurnContext.order: frozenset({Intent.track_order, Intent.cancel_order, Intent.get_refund, Intent.report_problem,
                                  Intent.change_order}),
}
_ONLY_WORDS = frozenset({"just", "only"})  # focusing adverbs: "just the cards" keeps them alone
_TAKING = frozenset({"take", "add"})  # verbs that choose a product shown, whatever else the model read
_INDEFINITE = frozenset({"a", "an", "some", "another"})
# Nouns that name a set only as the thing asked for: "a home office setup", not "a router with easy setup".
_SET_HEADS = SET_WORDS | {"setup", "setups"}
_LIST_SEPARATORS = frozenset({"and", "plus", "&", "+", "also", "vs", "versus", "or"})
# A budget these words qualify is for everything together ("12 party bags, about £20 total"), not for each item.
_TOTAL_WORDS = frozenset({"total", "altogether", "overall", "all"})




class ProductMatcher(Protocol):
    """How close the catalog's best product is to a query (cosine similarity of the embeddings)."""

    def best_similarity(self, query: str) -> float: ...

    def best_match(self, query: str) -> tuple[float, str]: ...

    def closest_categories(self, query: str) -> list[tuple[str, float]]: ...

    def embed_together(self, texts: Sequence[str]) -> None: ...


class PolicyMatcher(Protocol):
    """How close the shop's closest policy passage is to a message (cosine similarity of the embeddings)."""

    def best_score(self, text: str) -> float: ...


@dataclass(frozen=True)
class _SuggestsNear:
    """What the calibrated checks share: how close the nearest passage or product must be to be shown beside an
    answer left out of scope (``suggest_threshold``; 1.0, never, for a shop not calibrated for it)."""

    suggest_threshold: float = 1.0

    def suggests(self, similarity: float) -> bool:
        return similarity >= self.suggest_threshold


@dataclass(frozen=True)
class PolicyCheck(_SuggestsNear):
    """When a message the intent model is unsure of, or calls out of scope, is a question the shop's policy answers.

    The model learnt "out of scope" from CLINC150, whose banking and travel questions read like a shop's policy
    questions ("are you open weekends", "do you have financing"); the shop's own policy text tells them apart.

    Attributes:
        threshold: the closest passage's cosine similarity at or above which the message is a policy question.
            Calibrated per shop like the catalog check (``cartwise calibrate``): the lowest similarity at which
            at most :data:`~assistant.understanding.calibration.POLICY_MAX_LOSS` of the CLINC150 messages the
            model calls out of scope (and the catalog check leaves so) would be answered from the policy.
    """

    threshold: float = 0.55

    def asks(self, similarity: float) -> bool:
        return similarity >= self.threshold


@dataclass(frozen=True)
class CatalogCheck(_SuggestsNear):
    """When a message the model calls out of scope is a shopping request after all.

    A message is a shopping request when the closest product is close enough *and* its title prints the word
    that names what the message asks for ("keep my hands warm" -> "warm" in "Hand Warmer"): meaning and
    wording agree, where a chance resemblance ("a suit for work" near a gift shop's products) does not.

    Attributes:
        threshold: the closest product's cosine similarity at or above which it is a shopping request.
            Calibrated per shop on labelled shopping requests and CLINC150 out-of-scope utterances
            (``cartwise calibrate``; the figures are in ``docs/benchmarks/understanding.md``).
    """

    threshold: float = 0.55

    def accepts(self, similarity: float, title: str, head: str) -> bool:
        return similarity >= self.threshold and bool(head) and prints(title, head)


# A few ways shoppers describe each problem, compared with their words by the sentence embedder: a nearest-
# example classifier (the closest example decides), so "the glass was in pieces" is "damaged" without listing the
# word "pieces". One description per kind was too few for MiniLM: "wrong thing in order N" came out "damaged".
PROBLEM_DESCRIPTIONS: dict[ProblemKind, tuple[str, ...]] = {
    "damaged": (
        "my order came but the item inside is broken, damaged, cracked, chipped or smashed",
        "the parcel was crushed and what was inside got damaged",
        "it was shattered when I opened the box",
    ),
    "missing_item": (
        "an item was missing from my order, not everything I paid for was in the box",
        "I only got some of the things I ordered",
        "one of the products was not in the parcel",
        "my parcel came but one of the things I ordered was not in it",
    ),
    "wrong_item": (
        "I received the wrong item, a different product, size or colour than the one I ordered",
        "you sent me something I did not order",
        "this is not what I bought, you mixed up my order",
        "my parcel came but it was the wrong thing, not the one I ordered",
    ),
    "not_arrived": (
        "my parcel never came, it is lost, still not delivered, I am still waiting for it",
        "my order has not arrived yet",
        "the delivery never showed up",
        "I have been waiting for weeks and there is still no sign of it",
    ),
    "faulty": (
        "the product I received does not work, it is faulty or defective",
        "it stopped working after a few days",
        "it will not switch on",
    ),
}


# What a shopper asks for about a problem, describing none ("can i get a new one sent" after "the mug was
# chipped"): closest to these, a message says nothing of what went wrong, and the problem already reported stands.
# An unsure reading asks for one only this close to them: remedies written fresh scored 0.54-0.89 ("send another
# please", "can you send me a new one"), other messages after an order 0.13-0.21 ("thanks", "tell me a joke").
REMEDY_MIN_SIMILARITY = 0.5
REMEDY_REQUESTS: tuple[str, ...] = (
    "can you send me a new one or a replacement",
    "I would like a refund, I want my money back",
    "what can you do about it, how will you sort this out",
)


# Nothing went wrong, the shopper does not want it: a return for a change of mind, which the returns policy answers
# ("someone bought me this mug as a gift but i dont like it" was read as a damaged order, the nearest kind).
CHANGE_OF_MIND: tuple[str, ...] = (
    "I don't like it and I want to send it back",
    "I changed my mind, I don't want it any more",
    "it is not my style, I would rather return it",
)
UNWANTED: Final = "unwanted"


@dataclass
class ProblemReader:
    """Which kind of order problem a message describes (its closest example by embedding); None when it is
    closest to a request for a remedy, which describes no problem; :data:`UNWANTED` when it describes no problem
    but a change of mind."""

    embedder: Embedder
    _kinds: list[ProblemReading] = field(default_factory=list)
    _matrix: np.ndarray | None = None

    def asks_remedy(self, text: str) -> bool:
        """Whether ``text`` is closest to a request for a remedy, and close to one (:data:`REMEDY_MIN_SIMILARITY`)."""
        scores = self._scores(text)
        best = int(np.argmax(scores))
        return self._kinds[best] is None and float(scores[best]) >= REMEDY_MIN_SIMILARITY

    def read(self, text: str, unwanted: bool = True, remedy: bool = True) -> ProblemReading:
        """``unwanted``: whether a change of mind is a reading at all (not for a message that says nothing but which
        order, whose problem is the one already reported). ``remedy``: whether a request for a remedy is (not where
        no order is being talked about: "the charger stopped working, need another one" reports the fault it
        describes, though its remedy is the closest of all; no problem stands for it to ask a remedy for)."""
        scores = self._scores(text)
        if not unwanted:
            scores = np.where([k == UNWANTED for k in self._kinds], -np.inf, scores)
        if not remedy:
            scores = np.where([k is None for k in self._kinds], -np.inf, scores)
        return self._kinds[int(np.argmax(scores))]

    def _scores(self, text: str) -> np.ndarray:
        """``text``'s similarity to every example (embedded once, on first use), in :attr:`_kinds` order."""
        if self._matrix is None:
            described = [(k, e) for k, examples in PROBLEM_DESCRIPTIONS.items() for e in examples]
            examples: list[tuple[ProblemReading, str]] = [
                *described, *((None, e) for e in REMEDY_REQUESTS), *((UNWANTED, e) for e in CHANGE_OF_MIND)]
            self._kinds = [k for k, _ in examples]
            self._matrix = self.embedder.encode([e for _, e in examples])
        scores: np.ndarray = self._matrix @ self.embedder.encode([text])[0]
        return scores


class Understander:
    """Turns (message, screen) into an :class:`Understanding`.

    Args:
        model: the intent model (reads ``finetune.context.model_input`` strings).
        slots: the slot extractor (the shop's brands and currency).
        catalog: the catalog's categories and words.
        matcher: the catalog's closest-product similarity, for the out-of-scope check.
        problems: reads the kind of an order problem.
        check: the calibrated catalog check.
        policies: the policy passages' closest similarity to a message (None: the model alone decides).
        policy_check: the calibrated policy check.
        theme_phrase: the name or alias of one of the shop's themes that a message says ("home cinema": a set of
            needs the shop furnishes, read from its rules), else "".
    """

    def __init__(self, model: IntentModel, slots: SlotExtractor, catalog: CatalogVocabulary,
                 matcher: ProductMatcher, problems: ProblemReader, check: CatalogCheck | None = None,
                 policies: PolicyMatcher | None = None, policy_check: PolicyCheck | None = None,
                 theme_phrase: Callable[[str], str] | None = None) -> None:
        self.model = model
        self.slots = slots
        self.catalog = catalog
        self.matcher = matcher
        self.problems = problems
        self.check = check or CatalogCheck()
        self.policies = policies
        self.policy_check = policy_check or PolicyCheck()
        self.theme_phrase = theme_phrase or (lambda text: "")

    def understand(self, text: str, screen: Screen) -> Understanding:
        """What ``text`` means after ``screen``.

        Args:
            text: the shopper's message, cleaned of markup and control characters.
            screen: what the previous reply showed.

        Returns:
            The typed understanding.
        """
        respelled, request_fixes = self._respell(text)
        reading = self.slots.read(respelled)
        if screen.subject and reading.slots.reference_index is None and is_pronoun(reading.slots.reference_text) \
                and (about := self._of_subject(text, reading.slots.reference_text or "", screen)) is not None:
            return about
        words = reading.residual.split()
        corrections = request_fixes | {w: c for w in dict.fromkeys(words) if (c := self._correct(w))}
        words = [corrections.get(w, w) for w in words]
        reasoned = words
        words = _without_reason_about_it(words, set(reading.recipient_words))
        size = reading.slots.size
        if size and len(words) < len(reasoned) and any(SIZES.get(w) == size for w in reasoned) \
                and not any(SIZES.get(w) == size for w in words):
            # "under 10 as its only a small thank you": the size was said of the reason, not of the thing.
            reading = replace(reading, slots=reading.slots.model_copy(update={"size": None}))
        named_as, recipient = reading.recipient_words, reading.slots.recipient
        if len(named_as) == 1 and recipient and len(recipient.split()) == 1 and named_as[0] != recipient \
                and not self.catalog.title_counts.get(stem(named_as[0]), 0):
            # A word for who it is for that no title prints ("nan", "hubby") can only find things by its meaning,
            # and an odd word's meaning misleads ("something for my nan" listed children's things): the search
            # carries the table's own word for them ("grandma").
            words = [recipient if w == named_as[0] else w for w in words]
        ranking = ranking_positions(words)  # "your top 3 best sellers": how many, no "top" to search for
        pointer = (reading.slots.reference_text or "").split() if reading.slots.reference_index is not None else []
        if pointer[:1] and pointer[0] in NUMBERED_POINTERS and (at := _find_phrase(words, pointer)) is not None:
            # "got anything else like number 3?": "number" points, it names no Number Tile to search for.
            words = [*words[:at], *words[at + len(pointer):]]
        words = [w for i, w in enumerate(words) if i not in ranking]
        # ("how long do they burn for": "long" is the degree a question asks, no Long Handle anything to search for;
        # "check how cold it gets in the greenhouse" says a need with it.)
        asked_how = {1} if words[:1] == ["how"] and content_words(words[1:2]) else set()
        words = [w for i, w in enumerate(words) if i not in in_stock_positions(words) | asked_how]
        # A category is named by the noun phrase that says what is wanted, not by a verb or a purpose clause:
        # "i want to watch films on something big" names no Smart Watches. Who it is for, a colour or a size
        # ("for my dad", "in white?") is no thing the shop could lack.
        looks = {w for v in (reading.slots.colour, reading.slots.size) if v for w in v.lower().split()}
        # (And the size as written: "big" of "a big reusable bag" is its size, "large", no word of its name.)
        looks |= {w for w in words if reading.slots.size and SIZES.get(w) == reading.slots.size}
        attribute_values = looks | set(reading.recipient_words) | {
            w for v in (reading.slots.recipient, reading.slots.occasion, *reading.slots.brands) if v
            for w in v.lower().split()}
        # ("what can i get a 3 year old": a person's age, no "Old Doc Russel Metal Sign" to say is sold out.)
        head_words = [w for i, w in enumerate(words) if w not in attribute_values and stem(w) not in attribute_values
                      and not (w == "old" and i and words[i - 1] in AGE_UNITS)]
        asking = request_clause(head_words)
        head = head_word(asking)
        if head and self.catalog.is_adverb(head) and (at := asking.index(head)) \
                and head_word(without := [*asking[:at], *asking[at + 1:]]) == asking[at - 1]:
            # "napkins specifically": an adverb no title prints says how, never what ("I couldn't find “napkins
            # specifically”"); the thing is named right before it. ("a business card printed locally": the word
            # before it is a verb's, and the message stays as it was read.)
            head_words, asking, head = [w for w in head_words if w != head], without, asking[at - 1]
        doing = doing_words(words)
        if head in doing:
            # "one my kid can use": without whom it is for, "use" ended the phrase; it is what the thing must do.
            head = ""
        if head and _asks_price(asking) and not reading.slots.has_budget() \
                and not self.catalog.title_counts.get(stem(head), 0) \
                and (priced := [w for w in content_words(asking) if self.catalog.title_counts.get(stem(w), 0)]):
            # "whats the price of an ipad", "how much do airpods cost" (out of scope at 0.94 and 0.88, "price" and
            # "cost" read as the thing asked for): what a thing the titles print costs is a search for it, with its
            # prices. Only a price asked, not one stated ("a gaming setup, around 1500 total" asks for a set), and
            # only a price: "the history of the teapot" asks nothing a teapot's listing answers.
            head = priced[-1]
        if _elides_its_thing(asking) and len(asking) < len(head_words):
            # "my laptop is so slow, need a new one for uni": "one" stands for the thing the scene named (a laptop);
            # what it is for ("uni") is no thing asked for.
            head = head_word(head_words[:len(head_words) - len(asking)]) or head
        use = use_words(words)  # what an unnamed thing is for ("something for the garden": the garden)
        phrase = head_phrase(words, head) if head else []
        named = self.catalog.named_categories(phrase) if head else NamedCategories()
        size = reading.slots.size
        # The size as the phrase says it ("a big tv", "a compact speaker"), or ruled out of the thing asked for ("a tv
        # for my bedroom, nothing too big").
        # (Only a size word right before the phrase's next word: "a big thank you card" is a big thank you.)
        phrase_words = set(head_phrase(words, head)) if head else set()
        sized = {SIZES.get(w, w) for w, after in itertools.pairwise(words)
                 if w in phrase_words and after in phrase_words}
        ruled_out = any(w in SIZES for w in reading.negated_words)
        if size and head and size.isalpha() and size.lower() not in sized and not ruled_out:
            size = None  # "decorations for a small flat": the size describes another noun, not the thing asked for
        elif size and head and _sizes_what_it_is_for(words_of(respelled), size, head):
            size = None  # "sound bar for a 55 inch tv": the TV is 55 inches, the sound bar is of no size asked
        elif size and head and not ruled_out and not self.catalog.measures(head) \
                and all(w in _RELATIVE_SIZE_WORDS for w in words if SIZES.get(w) == size) \
                and not any(self.catalog.pairs[(stem(w), stem(head))] for w in words if SIZES.get(w) == size):
            # "a big reusable shopping bag": "big" places a thing on a scale its titles measure ("a big tv"), or is
            # a size its titles print with it ("Big Mug"); of other things it is a word of the request, no size.
            size = None
        slots = reading.slots.model_copy(update={
            "size": size,
            "categories": named.categories,
            "exclude": _once((*reading.slots.exclude, *self._excluded_words(reading.negated_words))),
            "feature": (with_feature(words) or (property_asked(words) or described_ones(words) if not (
                reading.slots.colour or reading.slots.size or reading.slots.price or reading.slots.brands
                or reading.slots.size_than) else None))
            if screen.products else None,
        })
        if slots.feature:
            # "ones with 16gb of ram": the things on the screen are what is asked for, not RAM; "with a good camera"
            # after phones names no camera category either.
            if named.categories and stem(head) in {stem(w) for w in slots.feature.split()}:
                slots = slots.model_copy(update={"categories": ()})
                named = NamedCategories()
            head = ""
        describes_only = _describes_only(words)
        if describes_only:
            head = ""  # "something funny": what follows "something" describes it, it names no thing
        content = content_words(words)
        if content and all(w[:1].isdigit() for w in content):
            describes_only = True  # "4k?", "1080p ones": specs describe a thing, they name none
        elif head and content == [head] and self.catalog.describes(head) and words[:1] in (["in"], ["made"]):
            # "in wood?", "made of glass": a material the titles print across the shop describes the thing shown,
            # it names none (it had listed wooden letters after things to keep keys in).
            describes_only, head = True, ""
        attribute = asked_attribute(reading.asked)
        degree, degree_of = asked_degree(reading.asked) if attribute else ("", "")
        attribute_words = set(attribute.split())
        # A colour or size asked for ("does it come in silver?") names no product, though titles print it.
        names_product = any(self.catalog.title_counts.get(stem(w), 0) > 0 for w in content
                            if w not in attribute_words and w not in looks)
        has_content = bool(content) or bool(slots.filled() - {"reference_index", "reference_text", "exclude"})
        prediction = self.model.predict(model_input(respelled, screen.context))
        shows = shown_with(words)
        if len(shows) > 1 and not self.catalog.title_counts.get(stem(shows[-1]), 0) and self.catalog.reads(shows[-1]) \
                and any(self.catalog.title_counts.get(stem(w), 0) for w in shows[:-1]):
            # "something with a christmas theme": the last word frames what the words before it say ("theme",
            # "motif", that no title prints); the thing shows christmas, and "theme" is neither sought nor dropped.
            shows, framing = shows[:-1], shows[-1]
        else:
            framing = ""
        u = Understanding(
            text=text, intent=prediction.label, confidence=round(float(prediction.confidence), 4),
            top=[(str(label), float(p)) for label, p in prediction.top3], confident=prediction.is_confident,
            context=screen.context, slots=slots,
            query=" ".join(x for x in (self._query([w for w in _asked_of(after_interjections(words), head)
                                                    if w != framing], content, reading, head), *reading.specs)
                           if x),
            has_product_content=has_content, names_product=names_product, corrections=corrections,
            recipient_words=reading.recipient_words,
            # The words before the head that name a kind ("washing machines"), not those that describe it ("vintage
            # style clocks": the shop's clocks are the thing asked for, in a style no title needs to print).
            head=head, head_phrase=tuple(w for w in head_phrase(head_words, head)
                                         if w == head or not self.catalog.describes(w)) if head else (),
            # Only of a thing named among the first words, and the word right before it: in a need ("someone keeps
            # nicking parcles off my porch") the words before the head are no name.
            # (An unknown word in -ing is a verb's form, "needs brightening up", "decluttering": no name.)
            unknown_names=tuple(w for w in head_phrase(head_words, head)[-2:] if w.isalpha()
                                and not self.catalog.reads(w) and not w.endswith("ing"))
            if head and head in content[:3] else (),
            unprinted_likes=tuple(w for w in liked_words(words) if w.isalpha() and not self.catalog.knows(w)
                                  and not self.catalog.knows(root(w))),
            # (Early in the clause that asks: "my printer ran out of ink, do you do hp cartridges".)
            named_early=head in content_words(asking)[:3] and introduced_as_thing(head_words, head),
            category_filter=named.filter, angry=bool(ANGRY.search(text)), attribute=attribute,
            degree=degree, degree_of=degree_of,
            describes_only=describes_only, shows=shows,
            narrows=bool(words) and words[0] in _FRAGMENT_OPENERS,
            in_stock=bool(in_stock_positions(reading.words)),
            for_use=tuple(use) if _SOME_THING.intersection(words) else (),
            doing=doing,
            list_count=list_count(reading.words),
            asks_spending=any(w in SPENDING_WORDS for w in reading.words),
            # A number that counts no thing ("a picnic for 4") or counts people ("10 kids") is a head count.
            people=reading.slots.quantity if reading.slots.quantity and _counted_thing(
                words, self.catalog.title_counts) is None else None,
        )
        if not (named.categories or self.catalog.closed_compound(phrase)):
            # A thing the titles print closed up ("wash bag": "Washbag") is found by its words; a category guessed
            # from the meaning of its parts (bags) would lift the wrong things.
            # What a thing is for by a verb ("anything for storing tea bags") names the thing it acts on, not the
            # thing asked for: its words guess no category (bags).
            acted_on = set(use) if use[:1] and use[0].endswith("ing") and not self.catalog.title_counts.get(
                stem(use[0]), 0) else set()
            guess_from = [w for w in content if w not in acted_on]
            u = u.guessing_categories(lambda: self._likely_categories(guess_from, attribute_values))
        edit = _bundle_edit(words)  # the edit's verb and words, read once for an edit or a set being built
        u = self._overrides(u, screen, words, content, edit)
        # "drop the most expensive one" under a list (no set on the screen): the verb of a set's edit takes the
        # products pointed at off the list, as "not that one" does; "drop" names no thing to search for.
        removing = screen.context is TurnContext.products and edit[0] == "remove"
        # "swap the most expensive one for something cheaper" under a list: the one pointed at goes as it would
        # from a set, and what comes in is a refinement of the list ("something cheaper": cheaper than it).
        swapping = screen.context is TurnContext.products and edit[0] == "swap" and bool(edit[2])
        # The specs ("the 256gb one") name a product on the screen as its other words do.
        all_words = [*(corrections.get(w, w) for w in reading.words),
                     *(w for spec in reading.specs for w in spec.split())]
        u = self._details(u, screen, words, all_words, edit,
                          rejecting=removing or swapping or bool(reading.negated_words))
        turned_down = (*u.slots.brands, *([u.slots.colour] if u.slots.colour else [])) if removing else ()
        if removing and (u.targets or turned_down):
            # "remove the red ones", "get rid of the acer ones": the colour or brand named is what is turned down,
            # never asked for.
            gone = {w for value in turned_down for w in value.lower().split()}
            u = u.with_intent(Intent.refine_search, "products pointed at taken off the list").model_copy(update={
                "query": " ".join(w for w in _bundle_edit(u.query.split())[1] if w not in gone),
                "slots": u.slots.model_copy(update={"brands": (), "colour": None,
                                                    "exclude": _once((*u.slots.exclude, *turned_down))})})
        # (After "would you like 20 of each, or 20 of one of them?", "20 of each" is out of scope to the model.)
        # ("2 of them please" after mugs, a set to the model at 0.61, had built one around the first with four
        # things bought with it.)
        # ("add 3 of those to a bundle" names the set: three of them go in it.)
        counting = (u.intent in (Intent.search_product, Intent.refine_search, Intent.out_of_scope) or (
            u.intent == Intent.build_bundle and not SET_WORDS.intersection(all_words)
            and not _EDIT_VERBS.keys() & set(all_words))) \
            and bool(screen.products) and not content_words(u.query.split()) and not u.slots.has_budget()
        each = u.quantity_change.each if u.quantity_change is not None else None
        if counting and u.slots.quantity and len(u.targets) == 1:
            # "20 of the first one" after party bags (a refinement to the model: the list again): a count of the
            # product pointed at, nothing else asked, is that many of it in the set.
            u = u.with_intent(Intent.edit_bundle if screen.bundle else Intent.build_bundle,
                              "a count of the products pointed at").model_copy(update={"adds_target": True})
        elif counting and not screen.bundle and each:
            # "20 of each" after party bags (the list again): that many of every product shown, in a set.
            u = u.with_intent(Intent.build_bundle, "that many of each product shown").model_copy(update={
                "targets": tuple(p.id for p in screen.products), "adds_target": True, "target_quantity": each})
        elif counting and not screen.bundle and u.slots.quantity and len(u.targets) > 1:
            # "i need 20 of them" after party bags: 20 in all or 20 of each? Asked, not guessed.
            u = u.model_copy(update={"count_unclear": u.slots.quantity,
                                     "notes": (*u.notes, "a count of several things, in all or each unsaid")})
        if swapping and u.targets:
            u = u.with_intent(Intent.refine_search, "a product pointed at swapped for another").model_copy(update={
                "query": search_query(list(edit[2])) if content_words(edit[2]) else "",
                "rejected": True, "slots": u.slots.model_copy(update={"price": self._swap_prices(all_words)[1]})})
        elif edit[0] in ("swap", "remove") and screen.context is TurnContext.product and not content_words(edit[1]) \
                and screen.focus_id in {item.id for item in screen.bundle}:
            # "swap it for something cheaper", "take it out" after the details of an item of the set (others like it,
            # cheaper, to the model at 0.60): the set's edit, of that item.
            u = u.with_intent(Intent.edit_bundle, "an edit of the set's item in focus").model_copy(update={
                "bundle_op": edit[0], "targets": (screen.focus_id,),
                "item_query": search_query(list(edit[2])) if edit[0] == "swap" and content_words(edit[2]) else "",
                "slots": u.slots.model_copy(update={"price": self._swap_prices(all_words)[1]})
                if edit[0] == "swap" else u.slots})
        if u.slots.price in ("cheaper", "pricier") and len(u.targets) == 1 and not u.names_product \
                and not u.slots.has_budget() \
                and u.intent in (Intent.product_info, Intent.refine_search) and not u.text.rstrip().endswith("?") \
                and (u.slots.reference_index is not None or is_pronoun(u.slots.reference_text)) \
                and not QUESTION_OPENERS.intersection(words[:1]):
            # "the third one but cheaper" (a question about that one to the model, at 0.76): one like it, cheaper,
            # as "something like the first one but bigger" is. ("is the third one cheaper?" asks about it; "the
            # cheaper one" points by its price.)
            u = u.with_intent(Intent.refine_search, f"one like that one, {u.slots.price}").model_copy(
                update={"similar": True})
        if u.intent == Intent.product_info and not u.attribute and asks_rating(" ".join(words_of(u.text))):
            u = u.model_copy(update={"attribute": RATING_ASKED})  # "is it any good": its rating says
        if u.targets and (reading.negated_words or removing):
            # "not the cheapest one": the price word pointed at the one ruled out; the rest keep their order.
            pointed_by_price = u.slots.price in ("cheapest", "priciest")
            u = u.model_copy(update={"rejected": True} | (
                {"slots": u.slots.model_copy(update={"price": None})} if pointed_by_price else {}))
        if len(u.targets) >= 2 and len(u.targets) == len(screen.products) and not u.names_product \
                and u.intent in (Intent.compare_products, Intent.product_info, Intent.refine_search,
                                 Intent.search_product, Intent.out_of_scope) \
                and _asks_to_choose(words_of(u.text)):
            # "which one would you recommend", "which should i get" after a list (a comparison to the model, which
            # put them side by side and chose none): the one of them that sells best (or is rated best), said why.
            # So "which would you recommend for running" after two earbuds compared (out of scope at 0.46: a search
            # for watches), naming no other thing.
            u = u.with_intent(Intent.best_sellers, "a pick asked for among those shown").model_copy(
                update={"among_shown": True, "list_count": 1})
        if u.intent == Intent.compare_products and not screen.products and not screen.bundle and not screen.focus_id \
                and u.names_product and len(u.roles) < 2 and len(u.slots.brands) < 2 and not u.degree \
                and not u.attribute and not u.slots.price and not u.slots.size_rank and not u.targets:
            # "my son wants a games console for christmas, which one" with nothing on the screen: one kind named,
            # nothing to set beside it; the question asks for a pick of that kind (it compared the first two
            # found, an Atari with a game board). One product's details are something to set beside it: "how does
            # it compare to the dell" after the MacBook Air's (it had listed Dell best sellers).
            u = u.with_intent(Intent.best_sellers, "a pick asked of a kind, nothing shown to compare")
        if _asks_what_they_come_to(u, screen):
            # "how much for the first and second together", "whats the total if i get 2 of those" after a list (one
            # product's details, or creating an account at 0.27): what they come to, from the prices shown.
            u = u.with_intent(Intent.product_info, "a price asked of several things on the screen").model_copy(
                update={"asks_total": True})
        if not u.confident:
            # Whether the message itself says a set: its things listed, a set word, a theme the shop furnishes. An
            # unsure read builds a set only then ("secret santa ideas under 10 pounds" is a list of presents).
            u = u.model_copy(update={"asks_set": bool(u.roles) or self._asks_set(words, u.head)
                                     or self._furnishes_theme(u)})
        return self._policy_beside(u, reading.words)

    def _of_subject(self, text: str, pronoun: str, screen: Screen) -> Understanding | None:
        """ "what else goes with it" after "have i ever bought bunting" (no product shown; a set built around "what
        else goes with it" was four things at random): "it" is the thing the last answer was about, where the
        message so read asks about products. "when did it arrive" still asks of the order."""
        named = re.sub(rf"\b{re.escape(pronoun)}\b", screen.subject, text, count=1, flags=re.IGNORECASE)
        if named == text:
            return None
        # Read as a request of its own: the orders on the screen would make "what goes well with candles" a pick
        # for the shopper.
        u = self.understand(named, Screen())
        if u.intent not in _ABOUT_PRODUCTS:
            return None
        return u.model_copy(update={"text": text, "notes": (*u.notes, f"\u201c{pronoun}\u201d is {screen.subject}")})

    def _policy_beside(self, u: Understanding, words: Sequence[str]) -> Understanding:
        """A question to the shop read as shopping that the policy text answers too ("do you do gift
        wrapping": the wrap and the wrapping service; "can i get it gift wrapped") is marked so its closest passage
        is shown beside the products: the passage must reach the policy check's threshold and be closer to the
        message than the closest product. Only questions pay for the look-up: those opening with a question word
        ("do", "how") or ending with "?" ("got a promo code?")."""
        # A property asked of the products shown ("do any of these come gift wrapped") is asked of them as
        # product details are.
        of_shown = u.intent == Intent.product_info or (u.intent == Intent.refine_search and bool(u.slots.feature))
        if self.policies is None or not (of_shown or u.intent in (Intent.search_product, Intent.build_bundle)) \
                or u.near_policy or not words or not asks_a_question(words, u.text):
            return u
        if u.catalog_match is None and not of_shown:
            # The query: the catalog check below, then the search (a question about the products shown searches
            # nothing, so its query is embedded only if the policy check reaches the catalog's).
            self.matcher.embed_together((u.text, u.query))
        similarity = self.policies.best_score(u.text)
        if not self.policy_check.asks(similarity):
            return u
        catalog = u.catalog_match if u.catalog_match is not None else self.matcher.best_similarity(u.query or u.text)
        if similarity <= catalog:
            return u
        if of_shown or catalog < self.check.threshold or _asks_done_to_it(words):
            # "do you gift wrap these" after mugs (their details to the model at 0.90): a service done to the
            # products, which the policy answers and their details never do. "is it possible to collect from a
            # shop" (a search at 0.59): no product is near enough to be what it asks for, so the policy answers.
            # "can you gift wrap it too" asks the shop to do it to the shopper's thing: no gift wrap to list.
            intent = next((i for i, _ in u.top if i in _POLICY_READINGS), Intent.contact_customer_service)
            return u.with_intent(Intent(intent), f"a service the policy answers ({similarity:.2f})").model_copy(
                update={"policy_match": round(similarity, 4), "asks_policy": True})
        return u.model_copy(update={"policy_match": round(similarity, 4), "near_policy": True,
                                    "notes": (*u.notes, f"policy text answers it too ({similarity:.2f})")})

    # ------------------------------------------------------------------ decisions
    def _swap_prices(self, all_words: Sequence[str]) -> tuple[PriceWord | None, PriceWord | None]:
        """The price words of a swap's two sides: of what goes ("the cheapest thing") and of what comes in ("for a
        cheaper one"). Read from the whole message: the edit's words are read without the slot words."""
        _, going, incoming = _bundle_edit(all_words)
        return (self.slots.read(" ".join(going)).slots.price,
                self.slots.read(" ".join(incoming)).slots.price if incoming else None)

    def _going_on_about(self, u: Understanding, words: Sequence[str]) -> tuple[str, bool] | None:
        """What a fragment going on after one product's details names ("what about battery life", "and the
        warranty?", "hows the battery", "what about mugs"), and whether it is a property of that product: a
        "the"/"its" thing, or words no title prints; a kind the shop sells named bare ("mugs") is another search.
        None for a fragment that points at, prices or colours something, or names nothing."""
        opener = next((n for n, lead in ((2, ("what", "about")), (2, ("how", "about")), (2, ("how", "is")),
                                         (1, ("hows",)), (1, ("and",))) if tuple(words[:n]) == lead), 0)
        if not opener and words[:1] == ["how"] and words[1:2] in (["the"], ["its"]):
            opener = 1  # "how's the battery", its "'s" read off
        rest = list(words[opener:])
        if not opener or not rest or u.targets or u.slots.filled() - {"categories"} or u.attribute:
            return None
        wanted = content_words(rest)
        if not wanted or any(w in ORDINALS or w in ("one", "ones") for w in rest):
            return None
        return " ".join(wanted), rest[0] in ("the", "its") or not self.catalog.title_counts.get(stem(wanted[-1]), 0)

    def _overrides(self, u: Understanding, screen: Screen, words: Sequence[str],
                   content: Sequence[str], edit: tuple[BundleOp | None, list[str], list[str]]) -> Understanding:
        unsure = u.intent == Intent.out_of_scope or not u.confident
        guess = u.top[0][0] if u.top else None
        if u.intent == Intent.build_bundle and u.attribute and screen.focus_id and asks_included(" ".join(words)):
            # "what games come with it" after a console's details (a set to the model at 0.96, read like "what goes
            # with it"): what is in the box, from the product's own text.
            u = u.with_intent(Intent.product_info, f"asks what comes with the product: {u.attribute}")
        own_orders = _of_own_orders(words)
        if u.attribute == COLOURS_ASKED and u.intent == Intent.refine_search and screen.focus_id \
                and screen.context is TurnContext.product and not u.slots.colour:
            # "any different colours?" after one mug's details (a refinement to the model, at 0.97): the colours that
            # mug comes in, not more mugs.
            u = u.with_intent(Intent.product_info, "the colours of the product on the screen")
        if (not u.confident or (u.intent == Intent.out_of_scope and (
                bool({"it", "they", "them"} & set(words)) or self._names_its_property(words, u.attribute)))) \
                and u.attribute and screen.focus_id and not own_orders and not u.slots.size_rank and screen.context in (
                TurnContext.product, TurnContext.products):
            # "what's the warranty?" with a product on the screen: a property of that product; so is "is it easy to
            # fly" after drones (out of scope at 0.95): "it" is the drone; and "whats the battery life" after a
            # speaker's details (out of scope at 0.72): the battery is the speaker's. ("whats the smallest you have"
            # ranks the kind by size: no property of the one shown.)
            u = u.with_intent(Intent.product_info, f"a property of the product on the screen: {u.attribute}")
            unsure = False
        elif screen.context is TurnContext.product and screen.focus_id and not own_orders \
                and u.intent in (*SHOPPING_INTENTS, *_SOCIAL) and (about := self._going_on_about(u, words)) \
                and (about[1] or u.intent == Intent.product_info or not u.confident):
            named, of_it = about
            if of_it:
                # "what about battery life" (out of scope at 0.91 to the model), "hows the battery" (a greeting)
                # after one product's details: a fragment going on with a property of that product.
                u = u.with_intent(Intent.product_info, f"a property of the product on the screen, going on: {named}")
                u = u.model_copy(update={"attribute": named, "names_product": False})  # a property, no product
            else:
                # "what about mugs" after a teapot's details (one mug's details at 0.76 to the model): a kind asked
                # for bare is a search for it.
                u = u.with_intent(Intent.search_product, f"another kind, going on: {named}")
            unsure = False
        elif not u.confident and guess == Intent.refine_search and u.head and u.names_product \
                and screen.context is TurnContext.products \
                and not any(prints(p.title, u.head) for p in screen.products):
            # "whats ur cheapest mug" after garden decorations (a refinement at 0.55): a thing named that none of
            # those listed is, is asked for anew, not looked for among them.
            u = u.with_intent(Intent.search_product, f"a kind none of those shown is: {u.head}")
            unsure = False
        elif not u.confident and guess is not None and guess in _FOLLOW_UPS.get(screen.context, ()):
            # Below the threshold tuned on single messages, but a follow-up about what is on the screen
            # ("what's the warranty?" after one product) is the likeliest reading there.
            u = u.with_intent(guess, f"unsure follow-up: {guess} {u.top[0][1]:.2f}")
            unsure = False
        elif screen.context is TurnContext.products and u.narrows and (
                (not u.confident and Intent.refine_search in [i for i, _ in u.top[:2]])
                or (u.intent == Intent.search_product and not u.named_early)):
            # "for gaming" after monitors (a search at 0.44, a refinement next): a phrase that opens with a
            # preposition is no request of its own; it narrows the list on the screen. So does "for pet hair" after
            # "we don't carry vacuum cleaners" (a search at 0.66): the vacuum cleaners, for pet hair.
            u = u.with_intent(Intent.refine_search, "a fragment narrowing the list")
            unsure = False
        elif unsure and screen.context is TurnContext.products and screen.products and not content \
                and u.slots.filled() & _CONSTRAINTS and not u.slots.filled() - _CONSTRAINTS:
            # "nothing too big, it has to go in the post" after gardening presents (out of scope at 0.22): a
            # constraint and why, naming nothing; it narrows the list on the screen.
            u = u.with_intent(Intent.refine_search, "constraints alone narrow the list")
            unsure = False
        verb, _, added = edit
        taking = bool(_TAKING.intersection(words)) and u.intent in _FOLLOW_UPS[TurnContext.products]
        # ("add the second one to a bundle" with a set on the screen: that set, not a new one built around nothing.)
        to_the_set = u.intent == Intent.build_bundle and screen.context is TurnContext.bundle and bool(screen.bundle)
        if (unsure or u.intent in _SOCIAL or taking or to_the_set) and (screen.products or screen.focus_id
                                                                        or to_the_set) and verb == "add" \
                and (u.slots.quantity or u.slots.reference_text or u.slots.reference_index or "both" in words) \
                and not content_words(_without_destination(added)):
            # "i'll take 6" after a lantern's details (out of scope at 0.83 to the model), "i'll take it" (a goodbye
            # at 0.98), "i will take both" (a refinement at 0.50): a verb of adding, with a count or a pointer and
            # nothing new named, puts the product shown in the set, as "add 6 of it" does.
            u = u.with_intent(Intent.edit_bundle if screen.bundle else Intent.build_bundle,
                              "adds a product on the screen")
            unsure = False
        if unsure and len(u.top) >= 2 and u.top[0][0] in LOOKS_UP_ORDERS and u.top[1][0] in LOOKS_UP_ORDERS \
                and u.top[0][1] + u.top[1][1] >= self.model.threshold:
            # "my order hasn't come yet" (track 0.52, problem 0.40): unsure which question about an order, sure it
            # is one; both answers start from the shopper's orders, so the likelier is taken, not a did-you-mean.
            u = u.with_intent(Intent(u.top[0][0]), f"about an order: {u.top[0][0]} or {u.top[1][0]}")
            unsure = False
        elif unsure and _names_own_orders(words) and (asked := next((i for i, p in u.top if i in LOOKS_UP_ORDERS
                                                       and p >= UNSURE_GUESS), None)) is not None:
            # "my orders in december 2010" (purchase history at 0.49, a search next), "my orders from december"
            # (reorder 0.46, purchase history 0.41): the shopper's own orders, looked up for the likeliest question
            # about them; nothing in the catalog is asked for.
            u = u.with_intent(Intent(asked), f"about the shopper's own orders: {asked}")
            unsure = False
        elif u.intent not in LOOKS_UP_ORDERS and not u.slots.filled() and _names_own_orders(words) \
                and all(w in _OWN or w in _PLEASE or stem(w) in _SHIPPED for w in words):
            # "my orders" (thanks at 0.95 to the model), "my orders please": the shopper's orders, named and
            # nothing else, looked up for the likeliest question about them.
            asked = next((i for i, p in u.top if i in LOOKS_UP_ORDERS and p >= UNSURE_GUESS), Intent.track_order)
            u = u.with_intent(Intent(asked), f"the shopper's own orders, named alone: {asked}")
            unsure = False
        elif (u.intent in SHOPPING_INTENTS or u.intent == Intent.reorder) and u.slots.placed is not None \
                and not u.names_product and _names_own_orders(words) \
                and all(w in _OWN or stem(w) in ("order", "purchase") for w in words):
            # "my 2010 orders" (a search at 0.89 to the model), "my december orders" (a reorder at 0.59): the
            # shopper's orders placed then, named and nothing else; no product, and no verb asking for anything
            # to be done ("can i get my december order again" is a reorder).
            u = u.with_intent(Intent.purchase_history, "the shopper's own orders, by date")
        lead, p = unsure_guess(u)
        service_guess = lead in CUSTOMER_SERVICE_INTENTS and p >= UNSURE_GUESS
        if unsure and service_guess and screen.products and u.names_product and self.policies is not None:
            similarity = self.policies.best_score(u.text)
            if not self.policy_check.suggests(similarity):
                # "one that says welcome" after doormats (a registration problem at 0.50 to the model): no policy
                # passage comes near it and the titles print its words, so it narrows the list on the screen; a
                # guessed service question would only be answered "I have no policy information about that".
                u = u.with_intent(Intent.refine_search, f"no policy passage near ({similarity:.2f}); the titles "
                                                        "print its words").model_copy(
                    update={"policy_match": round(similarity, 4)})
                unsure = service_guess = False
        if (u.intent in _POLICY_READINGS or (unsure and service_guess and lead in _POLICY_READINGS)) \
                and u.names_product and u.head and u.query and self.policies is not None \
                and not any(stem(w) in _ORDER_NOUNS for w in words) and not _SHOPPER.intersection(words):
            # (A product named with an order, "can i add a doormat to this order", is what the order change is of;
            # one the shopper says what they would do with, "can i return a teapot if i don't like it", is what the
            # policy question is about.)
            u = self._product_not_policy(u)
            if u.intent == Intent.search_product:
                unsure = service_guess = False
        if unsure and not service_guess and self.policies is not None:
            if content and u.query:
                self.matcher.embed_together((u.text, u.query))  # the catalog check below reads it unless policy asks
            u = self._policy_decides(u)
            unsure = not u.asks_policy
        if unsure and content and u.query and not service_guess:
            # An unsure read whose likeliest intent is a service question ("can I return a TV if I don't like it?",
            # "can you gift wrap it?") is answered as one; only a message the model would call out of scope, or
            # a shopping guess, is checked against the catalog.
            similarity, title = self.matcher.best_match(u.query)
            u = u.model_copy(update={"catalog_match": round(similarity, 4)})
            if self.check.accepts(similarity, title, u.head):
                u = u.with_intent(Intent.search_product, f"catalog match {similarity:.2f}: {title}")
            elif self.check.suggests(similarity):
                u = u.model_copy(update={"near_products": True})
        # "do you do anything for halloween" (out of scope at 0.55) names no thing: "anything" for an occasion or a
        # person stands for it.
        thing = u.head or (next((w for w in words if w in _NEW_THING), "")
                           if u.slots.occasion or u.slots.recipient else "")
        if (u.intent == Intent.out_of_scope or (u.intent in (Intent.best_sellers, Intent.product_info)
                                                and u.names_product)) and asks_if_sold(words, thing):
            # "do you sell washing machines": a question whether the shop sells a thing is a shopping request even
            # when the shop sells nothing like it; the answer is that it does not carry it, with what is closest.
            # "do you stock perfume" (best sellers at 0.57 to the model) asks for perfume, not the best sellers;
            # "do u have any doorstops" after one product's details asks for doorstops, not one doorstop's details.
            u = u.with_intent(Intent.search_product, f"asks whether the shop sells {thing}")
        if (not u.confident or (u.intent == Intent.out_of_scope and u.slots.placed is not None
                                 and any(w in _FIRST_PERSON for w in words))) \
                and not u.names_product and u.asks_spending:
            # "how much have i spent in december 2010" (out of scope at 0.97): what the shopper spent then.
            # "how much have i spent with you" (a search at 0.30 to the model): the shopper's own orders answer it.
            u = u.with_intent(Intent.purchase_history, "asks what the shopper spent")
        if u.intent in _SOCIAL and u.named_early and u.names_product:
            # "now show me teapots" (goodbye at 0.94 to the model: "bye for now"): a thing asked for by name that the
            # catalog prints is a request, whatever greeting or thanks comes with it.
            u = u.with_intent(Intent.search_product, f"a thing asked for by name: {u.head}")
        elif u.intent == Intent.out_of_scope and screen.context is TurnContext.products and goes_on(words) \
                and u.named_early and u.names_product:
            # "what about throws" after cushions (out of scope at 0.92 to the model: "throws" is a verb too), "what
            # about dogs" after mugs with cats on: a thing the titles print, asked for going on from a list; among
            # those listed where one of them prints it (the dog mug), else anew.
            among = any(prints(p.title, u.head) for p in screen.products)
            u = u.with_intent(Intent.refine_search if among else Intent.search_product,
                              f"a thing going on from the list: {u.head}")
        elif u.intent in _SOCIAL and u.names_product and content and (named := self._names_a_product(u, content)):
            # "first aid tin", "the regency cakestand" (goodbyes at 0.83 and 0.94 to the model): a message whose
            # every word a product's title prints, the product the calibrated catalog check accepts, is its name.
            u = u.with_intent(Intent.search_product, f"a product's name: {named}")
        elif u.intent in _SOCIAL and u.slots.price is None and (u.slots.colour or u.slots.size) and goes_on(words):
            # "how about blue?" (a goodbye at 0.71 to the model): a fragment going on with a colour or a size asks
            # for the things in it, never takes leave.
            u = u.with_intent(Intent.refine_search, "a colour or size going on from the last request")
        elif u.intent in (Intent.thanks, Intent.goodbye) and u.text.rstrip().endswith("?") and (
                u.slots.price or u.slots.colour or u.slots.size or u.slots.order_id or u.names_product):
            # "any of those on offer now?" (a goodbye at 0.73 to the model): a question that states what it wants
            # (a price word, a colour, an order...) asks for it, where "ok bye?" takes leave; the model's likeliest
            # other reading answers it.
            other = next((i for i, _ in u.top if i not in _SOCIAL), None)
            if other is not None:
                u = u.with_intent(Intent(other), f"a question is no {u.intent.value}")
        elif u.intent in (Intent.thanks, Intent.goodbye) and words and words[0] in _WH_WORDS \
                and screen.context is not TurnContext.none:
            # "what happens now?" after a problem report (a goodbye at 0.55 to the model): a question asks, it never
            # takes leave or thanks; left unsure, the dialog answers it from what was just offered, or asks.
            u = u.model_copy(update={"confident": False, "notes": (*u.notes, f"a question is no {u.intent.value}")})
        if u.intent in (Intent.contact_human_agent, Intent.out_of_scope, *SHOPPING_INTENTS, *_SOCIAL) \
                and asks_who_answers(words) and not asks_if_sold(words, u.head):
            # "am i talking to a bot" (a hand-off at 0.99 to the model, which opened a ticket), "hi, are you a real
            # person?" (out of scope), "are you a robot" (robot vacuums): a yes/no question about who answers asks
            # for nobody; the greeting says what answers and that a person can be had.
            u = u.with_intent(Intent.greeting, "asks who it is talking to")
        elif u.intent in (Intent.out_of_scope, *SHOPPING_INTENTS, *_SOCIAL) and not u.slots.filled() \
                and asks_what_it_does(words):
            # "what can you help with" (picks for the shopper at 0.85 to the model), "what can you do" (a goodbye):
            # what the assistant does, which the greeting says.
            u = u.with_intent(Intent.greeting, "asks what the assistant does")
        ranking = u.slots.price if u.slots.price in ("priciest", "cheapest") else \
            _ORDER_SIZE_RANKS.get(u.slots.size_rank or "") or next(
                (_ORDER_AGE_RANKS[w] for w in words if w in _ORDER_AGE_RANKS), None) or (
                "priciest" if u.asks_spending and "most" in words
                                                               else None)
        if ranking and own_orders:
            # "whats my most expensive order", "my biggest order", "the most i've spent on one order": the shopper's
            # orders by their total, not the shop's dearest or largest things.
            u = u.with_intent(Intent.purchase_history, f"the shopper's {ranking} order").model_copy(
                update={"ranks_orders": ranking})
        elif (ranking := ranking or _age_in_list(words)) and len(screen.orders) > 1 and not u.names_product \
                and not u.slots.order_id:
            # "the biggest one" under a list of the shopper's orders: the one of them with the largest total; "the
            # most recent one", "the latest", the one placed last.
            u = u.with_intent(Intent.track_order, f"the {ranking} order of the list").model_copy(
                update={"ranks_orders": ranking})
        if screen.context is TurnContext.bundle and screen.bundle and u.intent == Intent.product_info \
                and not u.names_product and u.slots.reference_index is None and (
                    any(w in _WHOLE or w == "budget" for w in words_of(u.text))
                    or (u.slots.budget_max is not None and words[:1] and words[0] in _YES_NO_OPENERS)
                    or (u.slots.reference_text in _POINTERS and _asks_price(words_of(u.text)))):
            # "does it fit my budget", "is that under 25", "how much is it", "what does it come to" after a set (its
            # first item's details to the model at 0.96, "it" its first item): the set as a whole, its total against
            # the budget.
            u = u.model_copy(update={"asks_total": True, "notes": (*u.notes, "the set as a whole")})
        elif screen.context is TurnContext.bundle and screen.bundle and u.intent in _SET_INTENTS \
                and not u.names_product and not edit[0] and _asks_price(words_of(u.text)) \
                and any(w in _WHOLE for w in words_of(u.text)):
            # "how much altogether" after a set (an edit of it to the model at 0.92, which rebuilt it): a price asked
            # of the whole set, no change to it.
            u = u.with_intent(Intent.product_info, "the set's price as a whole").model_copy(
                update={"asks_total": True})
        said = set(words_of(u.text))
        if u.intent == Intent.review and screen.context is TurnContext.product and screen.focus_id \
                and said & _POINTERS and not said & _REVIEW_WRITING:
            # "has it got good reviews" under one product's details: what its rating says, not how to write one.
            u = u.with_intent(Intent.product_info, "reviews asked of the product on the screen").model_copy(
                update={"targets": (screen.focus_id,)})
        if u.intent == Intent.recommend_for_me and u.slots.recipient not in (None, "myself") and u.query:
            # "what should i buy my brother for christmas" (picks for the shopper at 0.63): picks from the shopper's
            # own history suit the shopper; a present for someone else is searched for them.
            u = u.with_intent(Intent.search_product, f"for someone else: {u.slots.recipient}")
        if u.intent == Intent.out_of_scope and "?" not in u.text and words and (
                (words[0] in ("my", "our") and u.slots.recipient not in (None, "myself")
                 and set(words[1:3]) & set(u.recipient_words))
                or (words[0] in _SAYS_OWN_NEWS and u.slots.occasion)):
            # "my daughter is starting school in september", "my son starts university next month" (out of scope at
            # 0.97 to the model): news of someone the shopper shops for, asking nothing, says what it is for; it is
            # searched for them. So is the shopper's own occasion: "im hosting a dinner party on saturday" (0.91),
            # "we're going to a wedding next month". A question ("my son's school, where is it?") stays what the
            # model read.
            u = u.with_intent(Intent.search_product, "news of someone the shopper shops for, or an occasion: "
                                                     f"{u.slots.recipient or u.slots.occasion}")
        if (u.intent == Intent.best_sellers and u.slots.size_rank and u.head and not screen.products) or (
                u.intent == Intent.out_of_scope and u.slots.size_rank and u.names_product and not screen.products):
            # "whats the biggest tv you sell": TVs ranked by size, not by sales; "which tv is the biggest" (out of
            # scope at 0.74 to the model) asks the same of a kind the shop sells.
            u = u.with_intent(Intent.search_product, f"ranked by size: {u.slots.size_rank}")
        elif u.intent in (Intent.search_product, Intent.product_info) and u.degree and u.attribute and u.head \
                and self.catalog.title_counts.get(stem(u.head), 0) and not screen.products:
            # "whats the lightest laptop you have" (a product's details at 0.43 to the model): with nothing on the
            # screen, the things of that kind compared on the quantity their own details give.
            u = u.with_intent(Intent.compare_products, f"the kind ranked by {u.degree_of or u.attribute}")
        elif u.intent == Intent.best_sellers and u.slots.price in ("priciest", "cheapest") and u.names_product:
            # "show me your most expensive teapots": teapots ranked by price, not by sales (the model reads "most"
            # as "most popular").
            u = u.with_intent(Intent.search_product, f"ranked by price: {u.slots.price}")
        elif (u.intent == Intent.search_product or (u.slots.price == "discounted" and (
                not u.confident
                # ("what have you got on sale": the shop's offers; no word of the shopper's own orders or things,
                # as "is anything on my grocery list on sale" has. "what is discounted right now", out of scope at
                # 0.84, has one other word at most: nothing else it could be about, as "look up student loan offers
                # on google" has.)
                or (not _FIRST_PERSON.intersection(words) and (
                    u.intent == Intent.purchase_history
                    or (u.intent == Intent.out_of_scope and len(content_words(u.query.split())) <= 1)))))) \
                and u.slots.price in ("priciest", "cheapest", "discounted") and not (
                u.names_product or u.unknown_names or (u.head and u.named_early) or u.slots.categories
                or u.slots.brands or screen.products):
            # "what is the cheapest item in the shop": nothing named and nothing on the screen to rank, so the
            # shop-wide ranking, as for "what's the most expensive thing you sell" (a best-sellers read). "what is
            # discounted right now" (out of scope at 0.84) asks what is on offer. A thing named that no title prints
            # ("cheapest teapot" in an electronics shop) is searched for, to say the shop lacks it.
            u = u.with_intent(Intent.best_sellers, f"a shop-wide ranking by price: {u.slots.price}")
        if u.intent == Intent.search_product and not u.query and u.slots.budget_max is not None \
                and not screen.products and screen.context is not TurnContext.clarify \
                and u.slots.filled() <= {"budget_min", "budget_max", "budget_about", "currency"}:
            # "wat have u got for under a fiver": a budget alone names nothing to search for ("gift" would find five
            # diamante pens in gift boxes): what sells best within it. After "who is it for, or what's your budget?"
            # it answers the question, and the request asked before is searched within it.
            u = u.with_intent(Intent.best_sellers, "a budget alone: the best sellers within it")
        if u.slots.order_id and (u.intent in SHOPPING_INTENTS or u.intent == Intent.purchase_history):
            u = u.with_intent(Intent.track_order, "an order number")
        if screen.orders and u.intent in SHOPPING_INTENTS and not u.names_product and (
                u.slots.placed or ordinal_positions(words)):
            # "what about the one from 1 december" under a list of orders: one of them, not a product.
            u = u.with_intent(Intent.track_order, "an order of the list, by date or place")
        if u.intent in (Intent.refine_search, Intent.search_product) and (
                (self._asks_set(words, u.head) and u.confidence < 0.9) or _assembles(words)):
            # An explicit bundle ("tea party bundle under £20") after a list is a new bundle, not a refinement:
            # the model, having seen refinements after lists, can lean the other way.
            u = u.with_intent(Intent.build_bundle, "asks for a bundle")
        wanting = any(w in _INTRODUCERS and w not in DETERMINERS for w in words)
        if ((u.intent == Intent.out_of_scope and wanting) or (u.intent == Intent.search_product and (
                u.head or (not screen.products and not _SOME_THING.intersection(words))))) \
                and self._furnishes_theme(u):
            # "what do i need to work from home" (out of scope at 0.92): a theme the shop furnishes, named, asks for
            # its set, as "everything for a home office" does; so does "we are having a movie night" (a search for
            # the "movie night" the shop does not carry), and "home office under 800", the theme alone (a search at
            # 0.66 had listed HomePods); "something for my home office" asks for one thing. Out of scope, only when
            # something is wanted: "the last time the living room was vacuumed" names the theme's words and wants
            # nothing.
            u = u.with_intent(Intent.build_bundle, f"names a theme: {self.theme_phrase(u.text)}")
        counted = _set_of_count(words)
        if u.intent == Intent.build_bundle and counted is not None and not u.slots.occasion and not u.people \
                and not _roles(words, max_words=3) and (head := head_word(counted[1])) \
                and self.catalog.title_counts.get(stem(head), 0):
            # "wine glasses set of 6", "a set of 4 mugs" (a bundle to the model, at 0.95): a set that counts one
            # thing is that many of it, as "a pack of 20 napkins" is: the thing searched for, not a set of kinds.
            u = u.with_intent(Intent.search_product, "a set of a number of one thing").model_copy(update={
                "query": " ".join(counted[1]), "head": head, "head_phrase": tuple(head_phrase(counted[1], head)),
                "named_early": True, "slots": u.slots.model_copy(update={"quantity": counted[0]})})
        if u.intent in (Intent.search_product, Intent.refine_search) and screen.context is TurnContext.product \
                and screen.focus_id and words[:1] == ["add"] and u.names_product:
            # "add a case" after one pair of earbuds' details (a search to the model at 0.94): that product and a
            # case, as "add a mouse" after a laptop's details is; a message that opens with "add" asks to add.
            u = u.with_intent(Intent.build_bundle, "adds a thing to the product in focus")
        adds_to_focus = u.intent == Intent.build_bundle and bool(screen.focus_id) and verb == "add"
        if u.intent == Intent.build_bundle and not (screen.products and for_the_product(words)) \
                and not (screen.context is TurnContext.product and adds_to_focus) \
                and not self._asks_set(words, u.head) and not _assembles(words) \
                and not any(w in _COMPLEMENT_WORDS for w in words) \
                and not ((u.slots.reference_text or u.slots.reference_index or "both" in words)
                         and (screen.products or screen.bundle)) \
                and not (u.slots.occasion and (not u.named_early or u.people)) \
                and not _asks_everything(words) and not self._furnishes_theme(u) \
                and not self._listed(_roles(words, max_words=3), words, anchored=adds_to_focus):
            # A bundle is several things chosen for the shopper: without a word asking for a set, a list, a product
            # to build around or an occasion to furnish, a "bundle" is a search ("a present for my brother",
            # "a box to keep recipe cards"); an occasion that describes a thing named first furnishes nothing
            # ("wrapping paper, a christmas one"), unless it is for a number of people ("a birthday party for my son,
            # 8 kids coming"); a list is of things the catalog has ("a laptop for my mum, she
            # just does emails and facebook" lists no emails). Something for the product on the screen ("add a mouse
            # to that", or "add a mouse" after one laptop's details) is a set of that product and the thing. A theme
            # the shop furnishes ("i'm setting up a home cinema, budget 2000") is a set to furnish, as an occasion is.
            u = u.with_intent(Intent.search_product, "no set asked for")
        if (u.intent == Intent.reorder or (unsure and guess == Intent.reorder)) and _sends_back(words) \
                and Intent.get_refund in [i for i, _ in u.top] and not _AGAIN.intersection(words):
            # "i want to return the gin and tonic mug" (an order again to the model, at 0.67), "i want to send back
            # the mug" (unsure, an order again first, a refund next): the verb sends it back, never buys it again.
            u = u.with_intent(Intent.get_refund, "sent back, not ordered again")
            unsure = False
        if u.intent in (Intent.purchase_history, Intent.reorder) and _YOU & set(words) \
                and not _FIRST_PERSON & set(words) and not u.slots.order_id \
                and (shop_side := next((Intent(i) for i, _ in u.top[1:] if i not in LOOKS_UP_ORDERS
                                        and i not in (Intent.purchase_history, Intent.reorder)), None)):
            # "what have you got in the sale" (the shopper's orders to the model, at 0.66: "what have i got"): the
            # shop's goods are asked about, the shopper's own orders only in the first person.
            u = u.with_intent(shop_side, "asks what the shop has, not what the shopper bought")
        if u.intent in (Intent.purchase_history, Intent.reorder) and not u.names_product and not u.slots.order_id \
                and ("similar" in words or ("like", "what") in itertools.pairwise(words)):
            # "something similar to what i bought before", "anything like what i got last time" (the shopper's orders
            # or the same again, to the model at 0.65 and 0.71): other things like theirs, their personal picks.
            u = u.with_intent(Intent.recommend_for_me, "things like what the shopper bought")
        if u.intent == Intent.recommend_for_me and not u.names_product and _asks_own_buying(words):
            # "what do i usually buy" (the shopper's picks to the model, at 0.89): what their orders had most, not
            # things like it ("what should i get" asks for picks).
            u = u.with_intent(Intent.purchase_history, "what the shopper buys")
        if u.intent in (Intent.best_sellers, Intent.purchase_history, Intent.reorder) and u.names_product \
                and "with" in words[:-1] and not any(w in _FIRST_PERSON for w in words):
            # "what do people buy with the regency cakestand", "frequently bought together with the jumbo bag": what
            # everyone's orders put with that product (a set around it; no set word is needed), not the shop's best
            # sellers, nor the shopper's own orders, which no word of theirs spoke of.
            u = u.with_intent(Intent.build_bundle, "bought together with a product")
        if u.intent in (Intent.search_product, Intent.refine_search, Intent.build_bundle) \
                and _counted_for_total(u.slots, words, self.catalog.title_counts) is not None:
            # Twelve of one thing for a total: which of them twelve times fits the budget, as a set of one.
            u = u.with_intent(Intent.build_bundle, "a number of one thing for a total budget")
        if u.intent in (Intent.search_product, Intent.out_of_scope) and u.people and screen.products \
                and screen.context is TurnContext.products \
                and not [w for w in content if w not in PEOPLE_NOUNS and not small_count(w)]:
            # "we are 6 people" after picnic things (a search to the model, which found "Person" signs), "there will
            # be 10 kids" after party bags (out of scope): how many the request on the screen is for; it names
            # nothing new ("kids" is who, not what: "Here are 3 kids").
            u = u.with_intent(Intent.refine_search, "a head count for the request shown").model_copy(
                update={"head": "", "names_product": False})
        elides = not u.head and (_elides_its_thing(request_clause(words)) or _unnamed_with_clause(words))
        if (u.describes_only or elides) and screen.products and (u.intent == Intent.search_product or (
                elides and u.intent == Intent.out_of_scope and screen.context is TurnContext.products)):
            # "something funny" after birthday cards (a new search to the model at 0.73): the cards, described. So is
            # "i need one for my wife, something floral" after umbrellas: "one" stands for the kind shown; and "one i
            # can take to the beach" after speakers (out of scope at 0.96): a speaker, for the beach.
            u = u.with_intent(Intent.refine_search, "describes the kind on the screen")
        if u.slots.size_than and screen.products and not u.names_product and u.intent in (
                Intent.product_info, Intent.compare_products, Intent.search_product):
            # "is there a bigger one" after a list (the model reads a question about one): others of the kind, larger.
            u = u.with_intent(Intent.refine_search, f"others {u.slots.size_than} than those shown")
        if u.intent == Intent.refine_search and not screen.products and screen.context is not TurnContext.product:
            u = u.with_intent(Intent.search_product, "nothing on the screen to refine")
        if screen.context in (TurnContext.none, TurnContext.clarify) and not screen.products and not u.query \
                and not u.names_product and u.slots.price in ("cheaper", "pricier") \
                and u.slots.filled() <= {"price", "reference_index", "reference_text"}:
            # "cheaper please" with nothing shown is cheaper than nothing: it says nothing of what is wanted.
            u = u.model_copy(update={"has_product_content": False})
        if u.intent == Intent.edit_bundle and not screen.bundle:
            u = u.with_intent(Intent.build_bundle, "no bundle on the screen to edit")
        return u

    def _names_a_product(self, u: Understanding, content: Sequence[str]) -> str:
        """The title of the closest product when it prints every one of ``content`` and the catalog check accepts
        it, else ""."""
        similarity, titles = self.matcher.best_match(u.query)
        title = titles.split(" | ")[0]
        # (A brand alone, "gopro", has no head: the word is checked as one.)
        if self.check.accepts(similarity, title, u.head or content[-1]) and all(prints(title, w) for w in content):
            return title
        return ""

    def _furnishes_theme(self, u: Understanding) -> bool:
        """Whether the thing asked for is one of the shop's themes, named in two words or more ("i'm setting up a
        home cinema": the shop's home cinema is a TV, a soundbar and streaming). Not a thing named for one ("a
        laptop for my home office"), nor a one-word alias, which a request for a thing uses too ("gaming laptop").
        A request naming no thing but the theme ("what do i need for a home theatre setup") furnishes it too."""
        phrase = self.theme_phrase(u.text).split()
        return len(phrase) >= 2 and (u.head in phrase or not u.head)

    def _names_its_property(self, words: Sequence[str], attribute: str) -> bool:
        """ "the battery life", "its weight": the property asked is named as that of a thing already known, in words
        the catalog prints ("the capital of peru" is no product's)."""
        asked = attribute.split()
        return bool(asked) and all(w in self.catalog.words for w in content_words(asked)) and any(
            w in ("the", "its") and list(words[i + 1:i + 1 + len(asked)]) == asked for i, w in enumerate(words))

    def _asks_set(self, words: Sequence[str], head: str) -> bool:
        """Whether a set word asks for a set ("a tea party bundle", "a gaming setup"): not one the titles print
        after the word before it, which names a product ("a starter drum kit", "a tea set"). A word that names a
        set only as what is asked for ("setup") counts as the head; a gift word before it says what the set is for
        ("a gift set for my mum" asks for a set, whatever "Baby Gift Set" prints)."""
        return any((w in SET_WORDS or (w in _SET_HEADS and w == head)) and not (
            i and words[i - 1] not in GENERIC_WANTS and (stem(words[i - 1]), stem(w)) in self.catalog.pairs)
            for i, w in enumerate(words))

    def _product_not_policy(self, u: Understanding) -> Understanding:
        """A question the policy text would answer, to the model, that no passage comes near while a product the
        catalog check accepts does ("key holders": a password reset at 0.97, the closest passage at 0.28, a Key
        Holder at 0.52) asks for that product: the answer the model chose could only quote a passage about
        something else. The check is the reverse of :meth:`_policy_decides`, with both shops' calibrated
        thresholds: the passage below the policy check's suggestion threshold, the product at the catalog's."""
        assert self.policies is not None
        # The answer's look-up embeds the message with its intent's topic too: in one forward pass with the message
        # (13 ms for the two against 16 for two passes), a policy turn naming a product costs one pass, not two.
        topic = POLICY_QUERIES.get(u.intent, "")
        self.matcher.embed_together((u.text, with_topic(u.text, topic) if topic else ""))
        similarity = self.policies.best_score(u.text)
        if self.policy_check.suggests(similarity):
            return u
        closeness, title = self.matcher.best_match(u.query)
        if not self.check.accepts(closeness, title, u.head):
            return u.model_copy(update={"policy_match": round(similarity, 4)})
        return u.with_intent(Intent.search_product, f"no policy passage near ({similarity:.2f}); catalog match "
                                                    f"{closeness:.2f}: {title}").model_copy(
            update={"policy_match": round(similarity, 4), "catalog_match": round(closeness, 4)})

    def _policy_decides(self, u: Understanding) -> Understanding:
        """An unsure or out-of-scope read that the shop's policy text answers under a heading of its own ("do you
        price match": a product question at 0.33 to the model; "do you have financing" after a policy answer: out of
        scope at 0.58) is a policy question, looked up by its own words."""
        assert self.policies is not None
        similarity = self.policies.best_score(u.text)
        u = u.model_copy(update={"policy_match": round(similarity, 4),
                                 "near_policy": self.policy_check.suggests(similarity)})
        if not self.policy_check.asks(similarity):
            return u
        intent = next((i for i, _ in u.top if i in _POLICY_READINGS), Intent.contact_customer_service)
        return u.with_intent(Intent(intent), f"policy match {similarity:.2f}").model_copy(update={"asks_policy": True})

    def _details(self, u: Understanding, screen: Screen, words: Sequence[str],
                 all_words: Sequence[str], edit: tuple[BundleOp | None, list[str], list[str]],
                 rejecting: bool = False) -> Understanding:
        # "add the first one" under a list shown beside a standing set ("what else goes with it") picks from the
        # list; other edits are of the set's items.
        adds_from_list = edit[0] == "add" and screen.context is TurnContext.products and bool(screen.products)
        items: Sequence[OnScreen] = screen.bundle if ((u.intent == Intent.edit_bundle and not adds_from_list) or (
            screen.context is TurnContext.bundle and u.intent in (Intent.explain_choice, Intent.product_info))) \
            else screen.products
        update: dict[str, object] = {}
        # "which ones have a mic": a property asked of every product shown (read once for the two rules below).
        asks_property = bool(u.slots.feature) and property_asked(all_words) is not None
        if u.intent in (Intent.edit_bundle,):
            op, target_words, item_words = edit
            # What each item is there for, as its reason said it first ("cups for the drinks; ..."), its words only;
            # and the range it is from ("swap the headphones" names the earbuds of "Headphones & Earbuds").
            item_roles = [" ".join(content_words(words_of(f"{i.reason.split(';')[0]} {i.category}")))
                          for i in screen.bundle] if items is screen.bundle else []
            target_slots = u.slots
            if op == "swap" and u.slots.price:
                # "swap the cheapest thing for something else", "swap the teacup for the cheapest you have": a price
                # word before "for" picks the item out, one after it says what the replacement costs.
                out, incoming = self._swap_prices(all_words)
                target_slots = u.slots.model_copy(update={"price": out})
                update["slots"] = u.slots.model_copy(update={"price": incoming})
            elif op is None and u.slots.price and items is screen.bundle:
                unpriced = u.slots.model_copy(update={"price": None})
                named_item = resolve(items, unpriced, target_words, None, item_roles) \
                    if name_words(target_words) else ()
                if named_item and len(named_item) < len(items):
                    # "what's the cheapest option for the plates": the name picks the item out, and the price word
                    # says what comes in for it (not the cheapest item of the set, the cups).
                    target_slots = unpriced
            targets = resolve(items, target_slots, target_words, screen.focus_id, item_roles)
            negated = [w for w in all_words if w not in words]
            if op is None and not targets and negated:
                # "not that teapot, a different one": the item named after the "not" goes, for another of its kind.
                rejected = resolve(items, u.slots, negated, None)
                if rejected:
                    op, targets, item_words = "swap", rejected, []
            if op is None and targets and len(targets) < len(items) and any(w in _ONLY_WORDS for w in words):
                # "just the cards": those stay, the rest of the set goes.
                op, targets = "remove", tuple(item.id for item in items if item.id not in targets)
            elif op is None or (op in ("swap", "remove") and not targets and _new_budget(u)
                                and not name_words(target_words)):
                # "swap it for something cheaper" rebudgets the set; "swap the printer for a cheaper one" with no
                # printer in it is an item the set lacks, said so.
                implied = _implied_op(u, targets, item_words)  # "can you make it under £10 instead?" rebudgets
                if op is None and implied == "add" and not item_words:
                    item_words = content_words(words)  # "doorstops" after a set, no verb: the thing named comes in
                op = implied
            if _describes_only(item_words) or (item_words[:1] and item_words[0] in _SOME_THING
                                                and not content_words(item_words[1:])):
                item_words = []  # "swap the cups for something nicer": another of the kind, no thing named
            elif op == "add" and not content_words(_without_destination(item_words)):
                item_words = []  # "add the first one to my bundle": where it goes, and "one", name no thing
            update |= {"bundle_op": op, "targets": targets,
                       "item_query": " ".join(w for w in item_words if w not in ("a", "an", "the", "some"))}
            said = set(words)
            if u.people and items is screen.bundle and said & (PEOPLE_NOUNS | set(u.recipient_words) | {"us"}) \
                    and not set(content_words(item_words)) - PEOPLE_NOUNS - set(u.recipient_words):
                # "for about 20 kids", "make it for 15 people" after a party set: the set counted for that many
                # people, not 20 of a thing called "kids".
                update |= {"bundle_op": "people", "targets": (), "item_query": ""}
        else:
            # The property asked about ("which has more memory?") names no product on the screen.
            pointing = [w for w in all_words if w not in set(u.attribute.split())]
            op, pointers, added = edit if u.intent == Intent.build_bundle else (None, [], [])
            if op == "add" and (pointers or (added[:1] and added[0] in _INDEFINITE)):
                # "add a mouse", "put it in a bundle with a card": an indefinite article introduces a new thing,
                # though a title on the screen prints "Mouse" or "Card"; only "it" or an ordinal points at a
                # product here ("add the blue one" still may, by its name).
                pointing = pointers
            update["targets"] = resolve(items, u.slots, pointing, screen.focus_id,
                                        kind=head_word(screen.query.split())) if not (
                # "is it cheaper if i order a lot?" after a delivery answer: "it" is what the answer was about,
                # not a product listed before it; a property of products asked of "it" ("does it come with a gift
                # box" after the gift-wrap policy) is asked of the product in focus.
                screen.context is TurnContext.policy and is_pronoun(u.slots.reference_text)
                and not u.slots.feature) else ()
            if update["targets"] and items and u.intent == Intent.product_info and is_pronoun(u.slots.reference_text) \
                    and u.slots.reference_index is None and u.head and u.names_product and words[:1] == ["the"] \
                    and u.head in words[1:4] and "," in words[words.index(u.head):words.index(u.head) + 2] \
                    and not any(prints(p.title, u.head) for p in items):
                # "the teapot, is it in stock" after mugs: the thing set before the question is what "it" is, and
                # none of those shown is one (it had answered of the first mug); the thing is looked for anew. ("add
                # a card to go with it": the card is added to the product shown.)
                update |= {"intent": Intent.search_product, "targets": (),
                           "notes": (*u.notes, f"“it” is the {u.head} just named, none of those shown")}
            elif not items and screen.focus_id and screen.context is TurnContext.product \
                    and (is_pronoun(u.slots.reference_text) or (u.intent == Intent.compare_products and (
                        u.points_back or "it" in words))):
                # "does it come in silver?" after one product's details: that product, though no list is shown;
                # "how does it compare to the second one", "... to the dell": it, and another.
                update["targets"] = (screen.focus_id,)
            if not update["targets"] and u.intent == Intent.product_info and u.attribute and items \
                    and screen.context is TurnContext.products and not u.slots.reference_text \
                    and u.slots.reference_index is None and not u.names_product \
                    and not {"it", "its", "this", "that"} & set(words):
                # "how long does the battery last" after three drones, pointing at none: asked of each of them (it
                # had answered of the first alone).
                update["targets"] = tuple(item.id for item in items)
            update["points_beyond"] = bool(items) and any(p > len(items) for p in ordinal_positions(pointing))
            if not update["targets"] and "similar" in words and screen.focus_id \
                    and screen.context is TurnContext.product:
                update["targets"] = (screen.focus_id,)  # "anything similar?" after one product's details: to it
            update["similar"] = any(w in ("like", "similar", "same") for w in words) and bool(update["targets"])
            if u.intent == Intent.product_info and screen.context is TurnContext.product and screen.focus_id \
                    and u.slots.price in ("cheaper", "pricier") and not u.names_product \
                    and u.slots.reference_index is None and not update["similar"] and _another(words):
                # "how about a cheaper one", "is there a cheaper one" after one product's details (its details again
                # to the model at 0.62 and 0.97): others of its kind at that price, as "cheaper" asks.
                update |= {"intent": Intent.refine_search, "targets": (),
                           "notes": (*u.notes, "another of the kind at another price")}
            if u.intent == Intent.product_info and update["similar"] and (
                    u.slots.price in ("cheaper", "pricier") or any(w in OTHERNESS for w in words)):
                # "is there a cheaper one like it?", "what else do you have like the first one": other products like
                # the one pointed at, not its details again ("what is the first one like" asks for no other).
                update |= {"intent": Intent.refine_search, "notes": (*u.notes, "others like the one pointed at")}
            elif u.intent == Intent.product_info and items is screen.bundle \
                    and isinstance(one := update["targets"], tuple) and len(one) == 1 \
                    and u.slots.price in ("cheaper", "cheapest", "pricier") and "for" in words \
                    and set(words) & _ANOTHER_ONE:
                # "is there a cheaper one for the plates" after a set (the plates' details to the model at 0.96):
                # another item in their place, at that price.
                update |= {"intent": Intent.edit_bundle, "bundle_op": "swap", "item_query": "",
                           "notes": (*u.notes, "another item in the place of one in the set")}
            if screen.context is TurnContext.order and screen.order_id and not u.slots.order_id \
                    and not u.names_product and ("similar" in words or any(
                        a == "like" and b in _BACK_POINTERS for a, b in itertools.pairwise(words))):
                # "get me something similar", "anything like that but cheaper" under an order: things like those it
                # had (an order again is "the same again"); "that" is the order, not a product listed before it.
                update |= {"intent": Intent.search_product, "like_order": True, "targets": (), "similar": False,
                           "notes": (*u.notes, "things like the order shown")}
            # "which ones have a mic" asks it of every product shown, as "any of those" does.
            # ("do any come in silver": "any" before its verb stands for the things shown, as "any of them" does.)
            of_them = any((a == "of" and b in ("these", "those", "them")) or (a == "any" and b in _VARIANT_VERBS)
                          for a, b in itertools.pairwise(all_words))
            asks_which = bool(all_words) and all_words[0] == "which"
            update["among_shown"] = bool(items) and (
                of_them or asks_property or (asks_which and u.slots.has_budget()))
            chosen_among = update["targets"]
            if asks_which and u.degree and u.attribute and u.degree_of != "size" and len(items) >= 2 \
                    and not u.names_product \
                    and u.intent in (Intent.refine_search, Intent.product_info, Intent.compare_products):
                # "which one has the longer battery" after two tablets compared (it had looked for "longer battery"
                # in other tablets, as "which ones have a mic" asks which of them have one): which of those shown
                # has the most of it.
                update |= {"intent": Intent.compare_products, "targets": tuple(i.id for i in items),
                           "among_shown": False, "notes": (*u.notes, "the most of a property among those shown")}
                chosen_among = update["targets"]
            elif u.intent == Intent.refine_search and not chosen_among and len(items) >= 2 and all_words \
                    and all_words[0] in _WH_WORDS and not u.has_product_content and not u.slots.filled() \
                    and not goes_on(all_words) and not any(w in OTHERNESS or w == "more" for w in all_words):
                # "how much" after a list (a refinement at 0.97 to the model, which showed two other tea towels): a
                # question that asks for nothing else ("what else", "what about others" do) asks about those shown;
                # side by side, with their prices.
                update |= {"intent": Intent.compare_products, "targets": tuple(i.id for i in items),
                           "notes": (*u.notes, "a question about those shown")}
                chosen_among = update["targets"]
            if u.intent == Intent.refine_search and isinstance(chosen_among, tuple) and len(chosen_among) == 1 \
                    and picks_one_by_price(pointing, u.slots) and not u.names_product and not rejecting:
                # "the cheaper of the two - tell me more", "the cheapest one please": the price word picked one of
                # those shown; nothing is left to refine by.
                update |= {"intent": Intent.product_info, "slots": u.slots.model_copy(update={"price": None}),
                           "notes": (*u.notes, "a comparative picked one of those shown")}
            if u.intent in (Intent.refine_search, Intent.product_info) and isinstance(chosen_among, tuple) \
                    and len(chosen_among) >= 2 and chooses_among(all_words) and not u.names_product \
                    and not u.slots.has_budget():
                # "which is cheaper?" after two are compared, "which has the most storage?" after laptops: which of
                # them, not a new list below the cheaper one or the first one's details ("which of those are under
                # £3" keeps those within the price, below).
                update |= {"intent": Intent.compare_products, "notes": (*u.notes, "a choice among those shown")}
        if u.intent == Intent.report_problem:
            # An order number says which order, not what went wrong; left in, it pulls every kind alike.
            told = u.text.replace(u.slots.order_id, "") if u.slots.order_id else u.text
            problem = self.problems.read(told, unwanted=bool(content_words(words_of(told))),
                                         remedy=screen.context is TurnContext.order)
            if problem == UNWANTED:
                # "i dont like it" describes no fault: a return, which the returns policy (or the order) answers.
                update |= {"intent": Intent.get_refund, "notes": (*u.notes, "a change of mind, not a problem")}
            else:
                update["problem"] = problem
        elif screen.context is TurnContext.order and not u.confident:
            # "can you send me a new one" after a problem report (an order placed to the model, at 0.29).
            update["asks_remedy"] = self.problems.asks_remedy(u.text)
        # The verb's past participle ("cancelled", "canceled") says what became of an order, not what to do.
        update["says_cancelled"] = any(w.startswith("cancel") and w.endswith("ed") for w in all_words)
        update["recent"] = any(w in _LATEST for w in all_words)
        # "when will my stuff arrive": whatever of the shopper's own a delivery question asks about is on its way in
        # their order ("to my house" is where, no thing of theirs).
        update["own_order"] = _names_own_orders(all_words) or (u.intent == Intent.delivery_period and any(
            w in ("my", "our") and (not i or all_words[i - 1] not in _PLACE_PREPOSITIONS)
            for i, w in enumerate(all_words)))
        change = update["quantity_change"] = quantity_change(all_words)
        if change is not None and screen.context is TurnContext.bundle and screen.bundle \
                and u.intent != Intent.reorder and u.intent not in LOOKS_UP_ORDERS:
            # "make it 2 of each" (a set's budget to the model), "double the quantities" (an order change at 0.37)
            # after a set: every item's quantity, not a new set or a thing called "quantities".
            update |= {"intent": Intent.edit_bundle, "confident": True, "bundle_op": "scale", "targets": (),
                       "item_query": "", "notes": (*u.notes, "every quantity of the set")}
        amount = restated_amount(all_words) if screen.budget and change is None and not u.slots.has_budget() \
            and not u.names_product else None
        if amount is not None:
            # "make it 40" after a present around £15, "make it 20" after teapots under £10 or a set within one (a
            # refinement that kept the old budget, a set made cheaper): a bare amount restates the standing budget,
            # in its form.
            low, high = approx_bounds(amount)
            budget = {"budget_about": amount, "budget_min": low, "budget_max": high} if screen.budget == "about" \
                else {"budget_max": amount}
            update |= {"slots": u.slots.model_copy(update=budget), "confident": True,
                       "notes": (*u.notes, f"a new amount for the budget: {amount}")}
            if screen.context is TurnContext.bundle:
                update |= {"intent": Intent.edit_bundle, "bundle_op": "rebudget", "targets": (), "item_query": ""}
            else:
                update["intent"] = Intent.refine_search
        update["latest_order"] = any(w in _LATEST_WORDS and nxt in _ORDER_NOUNS
                                     for w, nxt in itertools.pairwise([*all_words, ""]))
        latest_count = next((n for w, count, noun in zip(all_words, all_words[1:], all_words[2:], strict=False)
                             if w in _LATEST_WORDS and noun in _PLURAL_ORDER_NOUNS
                             and 1 < (n := small_count(count)) <= MAX_LISTED), 0)
        if latest_count:
            # "my last three orders": that many of the latest, listed (not the last one alone).
            update |= {"latest_order": True, "list_count": latest_count}
            if u.intent == Intent.track_order:
                # ("can i see my last 5 orders", one order's tracking at 0.97: the list gives each one's status.)
                update["intent"] = Intent.purchase_history
        if update["latest_order"] and u.intent == Intent.reorder and not _BUYS_AGAIN.intersection(all_words):
            # "my last order", "my last 2 orders" (an order again to the model at 0.95 and 0.90): the noun, no verb
            # orders anything again; what was in it.
            update["intent"] = Intent.purchase_history
        if u.intent == Intent.change_order and screen.context is TurnContext.order and edit[0] is None \
                and not _CHANGE_VERBS.intersection(all_words):
            # "the items in that one please" after an order (a change to the model, unsure at 0.47): no verb changes
            # anything; the order itself, with what was in it.
            update["intent"] = Intent.track_order
        count = counted_reference(all_words)
        if count and screen.context is TurnContext.product and screen.focus_id and u.intent != Intent.edit_bundle:
            # "add two of those to a bundle with a tea towel" after one mug's details: two of that mug.
            update |= {"targets": (screen.focus_id,), "target_quantity": count}
        update["follows_on"] = goes_on(all_words)
        update["supposes"] = all_words[:1] == ["if"] or tuple(all_words[:2]) == ("what", "if")
        update["points_back"] = any(w in _POINTERS for w in all_words)
        if screen.context is TurnContext.policy and update["follows_on"] and u.names_product and u.query:
            # "even on weekends?" after a delivery answer: a card title printing "days" is no product asked for;
            # only a strong catalog match (the calibrated check: "and do you have mugs?") makes the fragment a search.
            similarity, title = self.matcher.best_match(u.query)
            update["names_product"] = self.check.accepts(similarity, title, u.head)
        if screen.context is TurnContext.policy and u.for_use and self.policies is not None \
                and self.policy_check.suggests(self.policies.best_score(" ".join(u.for_use))):
            # "anything for paypal?" after a payment answer: what it is for is the policy's subject, no thing wanted
            # ("what about something for a teaching assistant" stays a request for a thing).
            update["for_use"] = ()
        update["speaks_of_someone"] = any(w in _PERSONAL_PRONOUNS for w in all_words)
        update["all_orders"] = any(w in _PLURAL_ORDER_NOUNS for w in all_words) and not u.slots.reference_text \
            and not u.slots.order_id
        positions = [p for p in ordinal_positions(all_words) if 0 < abs(p) <= len(screen.orders)] \
            if screen.orders and not u.slots.order_id else []
        if positions:
            # "what's in the second one" under a list of orders: that order.
            update["order_target"] = screen.orders[positions[0] - 1 if positions[0] > 0 else positions[0]]
        if u.intent in (Intent.search_product, Intent.refine_search) and (screen.products or screen.focus_id) \
                and u.names_product and _asks_to_match(words):
            thing = [w for w in content_words(words) if w not in _COMPLEMENT_WORDS]
            if thing:
                # "do you have a matching plate" after mugs: plates, those closest to the mugs first (as "a card to
                # go with it"), not a "matching plate" the shop would lack.
                update |= {"intent": Intent.build_bundle, "complements": True, "item_query": " ".join(thing),
                           "notes": (*u.notes, "a thing to go with those on the screen")}
        if u.intent == Intent.build_bundle:
            # ("what could i put in them": what goes in the things pointed at is added, not they.)
            put_in = _put_in_them(words)
            # ("ill go with the second one": the shopper's choice, taken as "i'll take it" is; no set to go with it.)
            adds = (edit[0] == "add" or _chooses(words)) and not put_in
            # "what goes with it": the bundle completes it; "... make me a bundle" with it: it is in the bundle;
            # "add a card to go with it": the card is put with it, as "add a mouse" is.
            update["complements"] = (put_in or any(w in _COMPLEMENT_WORDS for w in words)) \
                and not any(w in SET_WORDS for w in words) and not adds
            if update["complements"]:
                # "a card to go with it", "what games go with it": the thing named before the complement word.
                before = list(itertools.takewhile(lambda w: w not in _COMPLEMENT_WORDS, words))
                # "and matching cards?" (a set to the model at 0.90): the thing "matching" describes comes after
                # it, when none comes before (a set of cards built around "and matching cards" quoted that as every
                # card's reason); after "goes with" comes what it goes with ("what goes with a tv").
                after = [w for w in content_words(words[len(before):]) if w not in _COMPLEMENT_WORDS] \
                    if words[len(before):len(before) + 1] == ["matching"] and not content_words(before) else []
                update["item_query"] = " ".join(content_words(before) or after)
            if not update.get("targets") and screen.focus_id and not screen.bundle and (
                    screen.products or screen.context is TurnContext.product) and adds:
                # "add a mouse and a bag" with products on the screen, or one product's details, and no bundle:
                # added to the product in focus.
                update["targets"] = (screen.focus_id,)
            listed = _roles(words, max_words=3, title_counts=self.catalog.title_counts)
            # A count ("two of the first one") is how many, never a thing to add; nor is a pointer ("the 2nd one").
            pointer = set(words_of(u.slots.reference_text or ""))
            named = [w for w in content_words(_without_destination(words))
                     if w not in SET_WORDS and w not in _COMPLEMENT_WORDS and w not in _EDIT_VERBS and w not in pointer]
            if not listed and update.get("targets") and not update["complements"] and 0 < len(named) <= 3:
                # "add a mouse to it": one thing named for the product pointed at is the rest of the set ("add 4
                # cups": four of them).
                listed = (Role(query=" ".join(named), head=head_word(named), quantity=u.slots.quantity or 1),)
            roles = self._listed(listed, words, anchored=bool(update.get("targets")))
            update["roles"] = roles
            pointed = update.get("targets")
            if len(roles) >= 2 and isinstance(pointed, tuple) and len(pointed) > 1 \
                    and not u.slots.reference_text and u.slots.reference_index is None:
                # "a bundle with the switch and 2 games" after games: "games" names things of the set to find, not
                # the games on the screen to build around.
                update["targets"] = ()
            # "add it to my basket", "add 2 of the first one": the product pointed at, put in the set; a set named
            # ("put it in a bundle", "make a set with it") is chosen around it.
            # Two or more pointed at, even into a set named ("add the first two to a bundle"), are the set's own.
            pointed = update.get("targets")
            update["adds_target"] = adds and bool(pointed) and not update["roles"] and not named \
                and not update["complements"] and (not any(w in SET_WORDS for w in words) or (
                    isinstance(pointed, tuple) and len(pointed) >= 2))
            # "party bags for 10 kids" (a set to the model at 0.57, which chose four different bags, one of each):
            # things named in the plural for a number of people are one each, with a total or without.
            counted = _counted_for_total(u.slots, words, self.catalog.title_counts) or (
                _one_each(words, self.catalog.title_counts) if not screen.bundle else None)
            if not update["roles"] and counted is not None:
                update["roles"] = (counted,)
            elif not update["roles"] and named and update.get("targets") and not update["complements"] and adds:
                # "add 4 cups" after a speaker, in a shop with nothing close to cups: a search for them, which
                # says so, not a set chosen around the speaker with the count put on it.
                update |= {"intent": Intent.search_product, "targets": (),
                           "notes": (*u.notes, "the thing to add is nothing the catalog has")}
        picked = update.get("targets")
        if u.intent in (Intent.refine_search, Intent.compare_products) and chooses_by_size(all_words) \
                and isinstance(picked, tuple) and len(picked) == 1:
            # "the smallest one" after TVs: the 43" one on the screen, not a new search for small things.
            update |= {"intent": Intent.product_info, "notes": (*u.notes, "picks a shown product by size")}
            if u.attribute:
                # "which has the biggest screen": its size is the answer, from its title (58"), whatever the
                # property's word ("screen") the details print.
                update["attribute"] = SIZE_ASKED
        if u.intent in (Intent.product_info, Intent.compare_products) and update.get("among_shown") and (
                asks_property or u.slots.has_budget()):
            # "which ones have a mic", "do any of them come with a case", "which of those are under £3": those of
            # the products shown whose details say so or whose price is within, not a comparison or one's details.
            update |= {"intent": Intent.refine_search, "targets": (),
                       "notes": (*u.notes, "a property asked of everything shown")}
        if u.intent == Intent.product_info and u.slots.feature and not picked and not u.head and not asks_property \
                and not is_pronoun(u.slots.reference_text):
            # "is there one with a case included" after tablets (a product's details to the model at 0.97, which
            # described AirPods with a case): one of the kind shown that has it, as "ones with a case" asks. ("does
            # it come with a gift box" asks it of the product in focus.)
            update |= {"intent": Intent.refine_search, "notes": (*u.notes, "one of the kind shown, with a feature")}
        if u.intent == Intent.product_info and update.get("among_shown") and (
                u.slots.colour or u.slots.size or u.slots.price == "discounted"):
            # "are any of those pink" / "... on offer": asked of everything shown, not of the first product.
            update |= {"intent": Intent.refine_search, "targets": (),
                       "notes": (*u.notes, "an attribute asked of everything shown")}
        if u.intent in (Intent.compare_products, Intent.product_info, Intent.refine_search) \
                and isinstance(picked, tuple) and len(picked) >= 2 and chooses_among(all_words) \
                and any(w in _SALES_WORDS for w in all_words) and not u.names_product:
            # "which of these sells the most?", "which is the best seller?": the shop's sales rank those shown,
            # not their prices.
            update |= {"intent": Intent.best_sellers, "notes": (*u.notes, "which of those shown sells best")}
        if u.intent == Intent.compare_products:
            # "Bowers & Wilkins" is one name: only words split what is compared.
            parts = tuple(part.model_copy(update={"unknown": tuple(
                w for w in part.query.split() if w.isalpha() and not self.catalog.reads(w))})
                for part in _roles([w for w in words if w not in ("&", "+", ",")], max_words=6,
                                   title_counts=self.catalog.title_counts))
            on_screen = [by_name(part.query.split(), items)[:1] for part in parts] \
                if update.get("targets") and len(parts) >= 2 else []
            if not update.get("targets"):
                update["roles"] = parts
            elif any(on_screen) and not all(on_screen) and not any(
                    # A brand none of those shown is ("the beats and the bose") is the brands' own comparison's.
                    part.query in {b.lower() for b in u.slots.brands}
                    for part, m in zip(parts, on_screen, strict=True) if not m):
                # "the switch and the xbox" after Xboxes: one of those shown for each part named on the screen (not
                # both Xboxes), and the part none of them is looked up in the catalog.
                update |= {"targets": tuple(dict.fromkeys(m[0] for m in on_screen if m)),
                           "roles": tuple(p for p, m in zip(parts, on_screen, strict=True) if not m)}
        return u.model_copy(update=update)

    def _listed(self, roles: tuple[Role, ...], words: Sequence[str], anchored: bool = False) -> tuple[Role, ...]:
        """A list of things only if at least two of its parts are things the catalog has something close to:
        "what goes well with it" is a clause, not a thing; a part nothing matches stays, to be said unsold.
        "cup and saucer" is one thing when the catalog's titles print it so. With a product pointed at ("add a
        mouse and a bag to it") one such part is enough: the product is the rest of the set."""
        if not roles or self._one_thing(words):
            return ()
        floor = self.check.threshold - ROLE_MARGIN
        strong = sum(1 for r in roles if self.matcher.best_similarity(r.query) >= floor and self._a_thing(r, words))
        return roles if strong >= (1 if anchored else 2) else ()

    def _a_thing(self, role: Role, words: Sequence[str]) -> bool:
        """Whether a part of a list names a thing: one the titles print, a number of it ("4 cups"), or one brought
        in by an article or "something" ("a unicorn", "something to stream on"). "mostly word and netflix" after
        a laptop says what it is for: close by meaning to what streams Netflix, but no thing to put in a set."""
        head = role.head or role.query.split()[-1]
        return self.catalog.title_counts.get(stem(head), 0) > 0 or role.quantity > 1 or any(
            w == head and any(x in _QUANTIFIERS or x in _NEW_THING or x == "the" for x in words[max(0, i - 3):i])
            for i, w in enumerate(words))

    def _one_thing(self, words: Sequence[str]) -> bool:
        """ "cup and saucer": one thing, as the catalog's titles print it, not a list of two."""
        return any(w == "and" and (stem(a), stem(b)) in self.catalog.joined
                   for a, w, b in zip(words, words[1:], words[2:], strict=False))

    def _query(self, words: Sequence[str], content: Sequence[str], reading: SlotReading, head: str) -> str:
        """The words to search with: the message as written, less budgets, ids and politeness. (Leaving out who a
        gift is for lost "umbrella for a child" its children's umbrellas on the labelled queries.)

        A present for someone and no thing named ("a birthday present for a 10 year old boy"): the person is whom
        it must suit, the occasion is why it is bought. Searched for, the occasion's words find the things for the
        occasion itself (birthday cards; "anniversary": wedding wrap), not a present for that person; so does
        "present" where the titles print it (gift wrap, gift bags), and where they don't it only lends the search
        its meaning, and stays.
        """
        if not content:
            return ""
        if not head and reading.slots.recipient and any(
                w in GIFT_WORDS or w in _BUYING or w in _SOME_THING for w in words):
            # "Something for my dad's birthday" asks for a present as "a birthday present for my dad" does (it
            # listed birthday cards). ("a new baby girl", "the birthday boy": an occasion right before the person
            # describes the person.)
            describes_person = f" {' '.join((*reading.occasion_words, *reading.recipient_words))} " in \
                f" {' '.join(reading.words)} "
            dropped = {w for w in GIFT_WORDS if self.catalog.title_counts.get(stem(w), 0) > 0}
            occasion = [] if describes_person or reading.occasion_is_person else list(reading.occasion_words)
            # The occasion's own words, where they stand: "thank you" drops its "you", not the one of "can you".
            spans = {i + j for i in range(len(words) - len(occasion) + 1)
                     if occasion and list(words[i:i + len(occasion)]) == occasion for j in range(len(occasion))} \
                or {i for i, w in enumerate(words) if w in occasion}
            if reading.occasion_is_person and not describes_person:
                # "new baby gift for a friend": the present is for the baby; the friend is whose occasion it is, and
                # searched for, finds "Little Friends" crafts (as an owner would: "my friend's new baby").
                spans |= {i for i, w in enumerate(words) if w in reading.recipient_words}
            kept: list[str] = []
            for i, w in enumerate(words):
                if w in dropped or i in spans:
                    while kept and kept[-1] in DETERMINERS:
                        kept.pop()  # "a gift for my boss": no "a" left to find a "Letter A" key ring
                    if w in GIFT_WORDS and "something" not in kept:
                        # What was asked for is still a thing, unnamed: "something for my boss" (a head word
                        # guessed from what is left, "end" of "for my teacher, end of year", would name it).
                        kept.append("something")
                else:
                    kept.append(w)
            words = kept
        return search_query(words, people=reading.recipient_words)

    def _likely_categories(self, content: Sequence[str], attribute_values: set[str]) -> tuple[str, ...]:
        # The content words alone: "present", "dad" and "budget around" would pull every category alike.
        words = " ".join(w for w in content if w not in attribute_values)
        ranked = self.matcher.closest_categories(words)
        if len(ranked) < 2:
            return ()
        (best, sim), (_, second) = ranked[0], ranked[1]
        return (best,) if sim >= CATEGORY_GUESS_MIN and sim - second >= CATEGORY_GUESS_MARGIN else ()

    def _respell(self, text: str) -> tuple[str, dict[str, str]]:
        """``text`` with misspelt request words put right before anything reads it ("cheeper" -> "cheaper",
        "secnd" -> "second", "wher is my ordr"), so the slots and the intent model see the words they know. A
        word the catalog prints or the dictionary knows is never touched ("cheese" stays cheese)."""
        fixes: dict[str, str] = {}

        def fix(match: re.Match[str]) -> str:
            word = match.group(0)
            low = word.lower()
            if low in _TEXT_SPEAK:
                fixes[low] = _TEXT_SPEAK[low]
                return _TEXT_SPEAK[low]
            if low in _BARE_CONTRACTIONS:
                # "my last order hasnt arrived": the intent model learnt the apostrophe; the slots read both alike.
                return _BARE_CONTRACTIONS[low]
            if f"{low}g" in REQUEST_WORDS and low.endswith("in"):
                fixes[low] = f"{low}g"  # a dropped g ("somethin", "lookin"): the dictionary knows these as slang
                return fixes[low]
            if len(low) < 3 or low in REQUEST_WORDS or self.catalog.knows(low) or self.catalog.is_dictionary_word(low):
                return word
            # Two slips in a long word, as the catalog's words are corrected ("sumthing"), each a likely one; its g
            # dropped too ("sumthin").
            typed = f"{low}g" if low.endswith("in") else low
            slips = 2 if len(typed) >= 7 else 1
            candidates = [r for r in _REQUEST_WORDS_SORTED if r[0] == low[0] and abs(len(r) - len(typed)) <= 1
                          and edit_distance_within(typed, r, slips)
                          and (_plausible_slip(typed, r) if slips == 1 else _two_plausible_slips(typed, r))]
            if not candidates:
                return word
            # The likelier slip first: two letters swapped ("teh": the, not ten), then a letter left out ("shw":
            # show, not she), then one mistyped or doubled.
            near = min(candidates, key=lambda r: (not edit_distance_within(typed, r, 1), sorted(r) != sorted(typed),
                                                  not _keeps_letters(typed, r)))
            fixes[low] = near
            return near

        respelled = _as_question(_WORD_RE.sub(fix, text))
        if not any(w.lower() in _EDIT_VERBS for w in _WORD_RE.findall(respelled)):
            # The shopper's basket, asked about, is the set the assistant keeps ("whats in my basket" listed Easter
            # egg baskets after a mug went in the set): the set's own word, for the model. (Where things go into
            # it or out, the edit reader takes it as it is: "add the first one to my basket".)
            respelled = _SHOPPERS_BASKET.sub(r"\1 bundle", respelled)
        return respelled, fixes

    def _correct(self, word: str) -> str | None:
        # Request words were put right by _respell before the slots read the message; the rest may be the
        # catalog's words misspelt.
        if word in FUNCTION_WORDS or word in GENERIC_WANTS:
            return None
        return self.catalog.correct(word)

    def _excluded_words(self, negated: Sequence[str]) -> list[str]:
        # "no mugs": a negated word rules out products only when the catalog's titles print it. Kept as typed (the
        # reply repeats it: "not christmas", never the stem "christma"); products are matched on stems.
        kept = [w for w in negated if w not in FUNCTION_WORDS and self.catalog.title_counts.get(stem(w), 0) > 0]
        # "not dog toys": two words the titles print as one name ("Dog Toy") rule out that thing, not every dog thing
        # and every toy (after presents for a dog lover, a flag, a sketchbook and a sombrero were shown).
        terms: list[str] = []
        for w in kept:
            if terms and " " not in terms[-1] \
                    and self.catalog.pairs.get((stem(terms[-1]), stem(w)), 0) >= _NAMED_PAIR:
                terms[-1] = f"{terms[-1]} {w}"
            else:
                terms.append(w)
        return terms


def _find_phrase(words: Sequence[str], phrase: Sequence[str]) -> int | None:
    """Where ``phrase`` starts in ``words``, None when it is not there."""
    return next((i for i in range(len(words) - len(phrase) + 1) if list(words[i:i + len(phrase)]) == list(phrase)),
                None)


def _put_in_them(words: Sequence[str]) -> bool:
    """ "what could i put in them", "what can go inside it": what is put in the things pointed at goes with them;
    they are not what is asked for."""
    return any(w in ("in", "into", "inside") and nxt in _POINTED for w, nxt in itertools.pairwise(words))


def _describes_only(words: Sequence[str]) -> bool:
    """Whether the request is "something" or "anything" and words describing it, naming no thing: "something
    funny", "have you got anything a bit more elegant". English puts the describing words after such a pronoun;
    a phrase after a preposition ("something for my mum", "anything like a teapot") says more, and is left alone, as
    is a clause ("something she can use when it's raining", "something that keeps tea warm"): a need."""
    at = next((i for i, w in enumerate(words) if w in _SOME_THING), None)
    if at is None or content_words(list(words[:at])):
        return False
    # Up to the end of its phrase: "something more traditional, not plastic" describes, then excludes.
    after = list(itertools.takewhile(lambda w: w not in (",", ";"), words[at + 1:]))
    if after[:1] == ["with"]:
        # "something with a christmas theme", "anything with owls on it": what it has or shows describes it too.
        after = after[1:]
        while after and after[-1] in ("on", "it", "them"):
            after.pop()
    return bool(content_words(after)) and not any(
        w in _PREPOSITIONS or w in _SUBJECT_PRONOUNS or w in _CLAUSE_MARKERS for w in after)


def _of_own_orders(words: Sequence[str]) -> bool:
    """Whether the message speaks of the shopper's own orders ("my biggest order", "the most i've spent on one
    order"), not of a product."""
    return any(w in ("order", "orders") for w in words) and any(w in _FIRST_PERSON for w in words)


# The words of a noun phrase naming the shopper's own orders ("all my orders", "our 2010 orders").
_OWN = frozenset({"my", "our", "all", "the", "of"})
_PLEASE = frozenset({"please", "pls", "plz"})


def _names_own_orders(words: Sequence[str]) -> bool:
    """Whether the message names the shopper's orders as a thing ("my orders", "my december order", "my parcel"),
    not ordering as a deed ("is it cheaper if i order a lot")."""
    return any(w in ("my", "our") and any(stem(x) in _SHIPPED for x in words[i + 1:i + 3])
               for i, w in enumerate(words))


# Where each letter sits on a QWERTY keyboard (row, column; lower rows sit further right).
_KEY_ROWS = (("qwertyuiop", 0.0), ("asdfghjkl", 0.25), ("zxcvbnm", 0.75))
_KEYS = {ch: (row, col + offset) for row, (keys, offset) in enumerate(_KEY_ROWS) for col, ch in enumerate(keys)}
_VOWELS = frozenset("aeiouy")


def _plausible_slip(typed: str, word: str) -> bool:
    """Whether one letter of ``typed`` in place of one of ``word`` is a likely slip: a neighbouring key, or one vowel
    for another ("cheeper"). A letter added, left out or swapped is always one. "djing" is no slip of "doing" (j and
    o are far apart): read as one, "i want to get into djing" lost its only word for what was wanted."""
    if len(typed) != len(word) or sorted(typed) == sorted(word):
        return True
    pairs = [(a, b) for a, b in zip(typed, word, strict=True) if a != b]
    if len(pairs) != 1:
        return True
    return _slipped(*pairs[0])


def _slipped(a: str, b: str) -> bool:
    """Whether the letter ``a`` typed for ``b`` is a likely slip: one vowel for another, or a neighbouring key."""
    if a in _VOWELS and b in _VOWELS:
        return True
    (ra, ca), (rb, cb) = _KEYS.get(a, (9, 0.0)), _KEYS.get(b, (-9, 0.0))
    return abs(ra - rb) <= 1 and abs(ca - cb) <= 1.25


def _two_plausible_slips(typed: str, word: str) -> bool:
    """Whether ``typed`` is ``word`` with two slips each of them likely: a letter left out or added, or one typed
    for another as :func:`_slipped` allows ("sumthing": something). Two unlikely letters make another word
    ("compile" is no "compare", "defrost" no "dearest")."""
    longer, shorter = (word, typed) if len(word) >= len(typed) else (typed, word)
    cuts = [longer[:i] + longer[i + 1:] for i in range(len(longer))] if len(longer) > len(shorter) else [longer]
    for cut in cuts:  # (the respelling compares only words within a letter of each other's length)
        pairs = [(a, b) for a, b in zip(shorter, cut, strict=True) if a != b]
        if len(pairs) <= (2 if cut is longer else 1) and all(_slipped(a, b) for a, b in pairs):
            return True
    return False


def _keeps_letters(typed: str, word: str) -> bool:
    """Whether ``typed`` is ``word`` with letters left out (its letters appear in ``word``, in order)."""
    rest = iter(word)
    return all(ch in rest for ch in typed)


def _asks_to_match(words: Sequence[str]) -> bool:
    """ "a matching plate", "a card that goes with them": a thing chosen to go with others, not one described."""
    return any(w in ("match", "matches", "matching") for w in words) or any(
        a in ("go", "goes") and b == "with" for a, b in itertools.pairwise(words))


def _without_destination(words: Sequence[str]) -> Sequence[str]:
    """The words less a closing "to / into / in" + determiner + at most two words: where a thing is put ("add it
    to my basket", "put it in my cart") is no thing to add."""
    for i in range(len(words) - 2, 0, -1):
        if words[i] in ("to", "into", "in") and words[i + 1] in DETERMINERS and len(words) - i <= 4:
            return words[:i]
    return words


def _bundle_edit(words: Sequence[str]) -> tuple[BundleOp | None, list[str], list[str]]:
    """The edit's verb, the words naming what is edited, and the words naming what comes in.

    "swap the mouse for a cheaper one" -> ("swap", ["the", "mouse"], ["a", "cheaper", "one"]);
    "add a case" -> ("add", [], ["a", "case"]); "remove the second item" -> ("remove", [...], []).
    """
    text = " ".join(words)
    op: BundleOp | None = None
    rest = list(words)
    for phrase, phrase_op in _EDIT_PHRASES:
        verb, _, particle = phrase.partition(" ")
        # A phrasal verb's object may sit inside it: "take it out", "leave the cable out".
        inside = r"(?: \w+){0,3}" if verb in _SPLIT_VERBS else ""
        if re.search(rf"\b{verb}{inside} {particle}\b", text):
            op = phrase_op
            rest = [w for w in words if w not in phrase.split()]
            break
    if op is None:
        for i, w in enumerate(words):
            if w in _EDIT_VERBS:
                op = _EDIT_VERBS[w]
                rest = list(words[:i]) + list(words[i + 1:])
                break
    if op == "swap":
        for i, w in enumerate(rest):
            if w in _SWAP_TO and i > 0:
                return op, rest[:i], rest[i + 1:]
        return op, rest, []
    if op == "add":
        # What is added is named by the words; only an ordinal or "it" points at something already there.
        # "the first two": a count after an ordinal says how many it points at.
        at = {i for i, w in enumerate(rest) if w in ORDINALS or w in ("it", "that", "this", "them", "number")
              or w.isdigit() or (w in NUMBER_WORDS and i and rest[i - 1] in ORDINALS)}
        return op, [rest[i] for i in sorted(at)], [w for i, w in enumerate(rest) if i not in at]
    return op, rest, []


# What a shopper calls an order of theirs; "box" too is an order noun, but "my lunch box" is no order.
_SHIPPED = frozenset({"order", "parcel", "package", "delivery", "shipment", "purchase"})
_PLACE_PREPOSITIONS = frozenset({"to", "at", "in", "into", "for", "from", "near"})
# Size words that say how big a thing is against others of its kind, not a size a title prints ("Large", "Mini").
_RELATIVE_SIZE_WORDS = frozenset({"big"})
_ORDER_NOUNS = _SHIPPED | {"orders", "box"}
_PLURAL_ORDER_NOUNS = frozenset({"orders", "parcels", "packages", "deliveries", "purchases", "shipments"})
_CLAUSE_MARKERS = frozenset({"to", "that", "which", "who", "whos", "so"})
# An object pronoun after a word makes it a verb: "kit me out" is a clause, not a thing.
_OBJECT_PRONOUNS = frozenset({"me", "us", "him", "them"})
# Articles, possessives and demonstratives: a content word right before one is a verb ("hosting a", "losing my").
DETERMINERS = frozenset("a an the my our your his her their its this these those".split())
# A subject pronoun after a noun starts a relative clause without its "that": "the hand warmers i got were broken".
_SUBJECT_PRONOUNS = frozenset({"i", "im", "ive", "id", "we", "you", "he", "she", "they"})
# What a shopper asks of the products on the screen: a price asked of several of them is their total whichever the
# model reads ("how much for the first and second together": one product's details, or a comparison).
_ASKED_OF_THE_SCREEN = frozenset({Intent.product_info, Intent.compare_products, Intent.refine_search,
                                  Intent.search_product, Intent.build_bundle})
# Turns that greet, thank or take leave: they ask for nothing.
_SOCIAL = frozenset({Intent.greeting, Intent.thanks, Intent.goodbye})
# Order questions that only look an order up (never change or cancel one): between two of them, either answer
# starts from the shopper's orders.
LOOKS_UP_ORDERS = frozenset({Intent.track_order, Intent.report_problem, Intent.purchase_history,
                              Intent.get_invoice, Intent.check_invoice, Intent.track_refund})
# Openers of a yes-or-no question to the shop ("do you do gift wrapping", "can i get it gift wrapped").
_YES_NO_OPENERS = frozenset({"do", "does", "can", "could", "will", "would", "is", "are"})
_WH_WORDS = frozenset({"what", "whats", "how", "when", "where", "why", "who", "which"})
QUESTION_OPENERS = _WH_WORDS | _YES_NO_OPENERS  # a message opening with one asks a question


def asks_a_question(words: Sequence[str], text: str) -> bool:
    """Whether a message (its ``words``, as written in ``text``) asks a question: it opens with a question word
    ("do", "how") or ends with "?" ("got a promo code?")."""
    return (bool(words) and words[0] in QUESTION_OPENERS) or text.rstrip().endswith("?")


# The service intents the shop's policy text answers (an order's status and a person are not in it).
_POLICY_READINGS = frozenset(CUSTOMER_SERVICE_INTENTS) - {Intent.track_order, Intent.contact_human_agent}
# An unsure model's first guess is acted on (a service answer, a shopping turn) or offered (did you mean) above this.
UNSURE_GUESS = 0.25


def goes_on(words: Sequence[str]) -> bool:
    """Whether the message opens as a fragment going on from the previous turn ("and to ireland?", "what about
    klarna?", "how about blue", "what if i'm in ireland")."""
    return bool(words) and (words[0] in _CONTINUATIONS
                            or tuple(words[:2]) in (("what", "about"), ("how", "about"), ("what", "if")))


def unsure_guess(u: Understanding) -> tuple[Intent, float]:
    """The intent an unsure read acts on, with its probability.

    The model's first guess; but when that is out of scope and a customer-service intent comes next at
    :data:`UNSURE_GUESS` or more ("do you deliver to france": out of scope 0.37, delivery options 0.33), the
    service question: a quoted policy or a question back is a safer answer than "I can't help with that", and
    the place name a catalog title prints ("Poste France Cushion") is no product asked for.
    """
    if not u.top:
        return Intent.out_of_scope, 0.0
    first = u.top[0]
    if first[0] == Intent.out_of_scope and len(u.top) > 1 and u.top[1][0] in CUSTOMER_SERVICE_INTENTS \
            and u.top[1][1] >= UNSURE_GUESS:
        return u.top[1]
    return first


# A category guessed from meaning lifts its products when its name is this close to the request's content words
# and this much closer than the next category's ("photography": Cameras & Camcorders 0.51, Projectors 0.40).
CATEGORY_GUESS_MIN = 0.45
CATEGORY_GUESS_MARGIN = 0.08
# Articles and quantifiers; verbs of selling, having, wanting or sending; an object pronoun after a request verb
# ("show me teapots", "find us a tent"): each makes the phrase after it the thing asked for.
# Verbs that take what is wanted after "for" ("looking for", "searching for").
_SEEKING = frozenset("looking searching hunting shopping".split())
# The interrogative determiners: opening a question, the noun after them is what it asks about.
_ASKING_WHICH = frozenset({"what", "which"})
# (With the verbs of choosing one for the shopper: "help me pick a printer", "can you recommend a drone".)
_INTRODUCERS = frozenset("a an any some another sell sells selling stock stocks carry carries have has got about "
                         "need want buy find me us send deliver ship order get bring add pick choose recommend "
                         "suggest".split())
# The words requests are made of, besides product words: misspelt, they are put right first.
REQUEST_WORDS = frozenset(FUNCTION_WORDS | GENERIC_WANTS
                          | {w for phrase in PRICE_WORDS for w in phrase.split() if w.isalpha()}
                          | set(ORDINALS) | set(NUMBER_WORDS) | MONEY_WORDS)
# Request words as text messages spell them, too short or far from the word for a one-letter correction ("hav u got
# any cushion covers": "have you got", not "have I got" to the model, a purchase-history question).
_TEXT_SPEAK = {"u": "you", "ur": "your", "hav": "have", "wat": "what", "wot": "what", "cud": "could", "wud": "would",
               "shud": "should", "wen": "when", "dat": "that"}
# Negations and a few pronoun contractions typed without their apostrophe ("cant" and "wont" are words too, but
# rarely in a chat). "its", "ill", "were" and "id" are other words; "whats", "wheres" the model learnt bare.
_BARE_CONTRACTIONS = {w.replace("'", ""): w for w in (
    "isn't aren't wasn't weren't hasn't haven't hadn't doesn't don't didn't can't couldn't won't wouldn't shouldn't "
    "mustn't i'm i've you're you've they're they've we've").split()}
_REQUEST_WORDS_SORTED = sorted(w for w in REQUEST_WORDS if len(w) >= 3 and w.isalpha())
_WORD_RE = re.compile(r"[A-Za-z]+")
_CLAUSE_ENDS = frozenset({",", ";", ":", "-"})
# Words that answer or react to the last reply, not ask for anything: "ok fine", "never mind", "alright then".
_INTERJECTIONS = frozenset("ok okay fine alright right never mind well oh so then hmm um sure anyway great cool yes "
                           "yeah no nah nope sorry thanks cheers".split())
# Conjunctions and focus words that open a fragment going on from the previous turn ("and to ireland?").
_CONTINUATIONS = frozenset({"and", "or", "also", "plus", "even", "same"})
_HELLOS = frozenset({"hi", "hello", "hey", "hiya", "ok", "okay", "so", "sorry", "excuse", "me", "um", "quick",
                     "question"})
_MODALS = frozenset({"can", "could", "may", "will", "would", "able"})
_CONVERSING = frozenset({"talking", "speaking", "chatting", "texting", "messaging", "writing"})
# Prepositions a fragment after a list opens with ("for gaming", "with a handle", "in leather").
_FRAGMENT_OPENERS = frozenset({"for", "with", "without", "in"})
# Verbs of getting something for someone: "what can i get my grandma for her birthday" asks for a present.
_BUYING = frozenset({"get", "getting", "buy", "buying"})
# Words that take a set as one ("how much is that altogether").
_WHOLE = frozenset({"altogether", "total", "all", "together", "whole", "everything"})
_SET_INTENTS = frozenset({Intent.edit_bundle, Intent.build_bundle})
_STANDS_FOR_THING = frozenset({"what", "whats", "which"})
_SOME_THING = frozenset({"something", "anything"})  # "somethin" is put right before (_respell)
_FIRST_PERSON = frozenset({"i", "me", "my", "mine", "ive", "i've", "we", "us", "our"})
# The first word of a statement of the shopper's own news ("im hosting a dinner party", "we're off to a wedding").
_SAYS_OWN_NEWS = frozenset({"i", "im", "ive", "we", "were", "weve", "my", "our"})
# An order ranked by size is ranked by what it came to ("my biggest order").
_ORDER_SIZE_RANKS: dict[str, OrderRank] = {"largest": "priciest", "smallest": "cheapest"}
# An order ranked by its age is ranked by the day it was placed ("the oldest one" under a list of orders).
_ORDER_AGE_RANKS: dict[str, OrderRank] = {"oldest": "oldest", "earliest": "oldest", "newest": "newest"}


def _without_reason_about_it(words: Sequence[str], people: set[str]) -> list[str]:
    """The words less a clause giving a reason about "it", the thing wanted ("nothing too big as its going overseas",
    "..., it has to go in the post"): why it must be so, where the constraint itself ("too big") was read; none of
    its words is a thing to find or to say was dropped. A clause about a person ("as its for my dad who loves
    fishing", "because she loves cats") says what they like, and stays."""
    for i in range(len(words) - 1):
        if words[i + 1] in _IT_SUBJECTS and (words[i] in _REASONS or words[i] in _CLAUSE_ENDS):
            end = next((j for j in range(i + 2, len(words)) if words[j] in _CLAUSE_ENDS), len(words))
            clause = words[i:end]
            # (", its for the garden" says what it is for, which the search reads: a purpose, no reason.)
            purpose = clause[2:3] == ["for"] or clause[2:4] == ["is", "for"]
            if purpose or liked_words(clause) or people.intersection(clause) \
                    or _PERSONAL_PRONOUNS.intersection(clause):
                return list(words)
            return [*words[:i], *_without_reason_about_it(words[end:], people)]
    return list(words)


def _as_question(text: str) -> str:
    """A statement closed by a question tag asked as the question it is ("i bought that last year didn't i" ->
    "did i bought that last year", a problem report at 0.95 to the model; "did i ..." is a question about what the
    shopper bought). English tags a statement with its auxiliary and subject; the model learnt the question form."""
    tagged = _QUESTION_TAG.match(text)
    body = tagged["body"].split() if tagged else []
    if tagged is None or len(body) < 2:
        return text  # ("this isn't it" says the thing shown is not the one wanted: no tag)
    if body[:1] and body[0].lower() == tagged["who"].lower():
        body = body[1:]  # the statement's own subject, which the question puts after the auxiliary
    return " ".join([tagged["aux"], tagged["who"], *body])


_QUESTION_TAG = re.compile(
    r"^\s*(?P<body>\S.*?)[\s,]+(?P<aux>did|have|has|had|is|are|was|were|do|does|can|could|will|would)(?:n'?t)\s+"
    r"(?P<who>i|we|you|it|they)\s*\??\s*$", re.IGNORECASE)
_SHOPPERS_BASKET = re.compile(r"\b(my|your|ur|shopping)\s+(?:basket|cart|trolley)\b", re.IGNORECASE)
# How many titles must print two words one after the other for the two to name one thing ("Dog Toy With Pink
# Crochet Skirt" is the one dog toy the gift shop sells).
_NAMED_PAIR = 1
_REASONS = frozenset({"as", "because", "since", "cos", "coz", "cause", "bc"})
# What a follow-up may say of the things shown without naming a thing: their price, look and size.
_CONSTRAINTS = frozenset({"budget_min", "budget_max", "budget_about", "currency", "colour", "size", "exclude",
                          "price"})
_IT_SUBJECTS = frozenset({"it", "its", "itll", "itd"})


def _asks_done_to_it(words: Sequence[str]) -> bool:
    """Whether the message asks the shop to do something to the shopper's thing ("can you gift wrap it", "could
    you send them separately"): "you" asked, then a pronoun for the thing after the verb."""
    return len(words) > 3 and words[0] in _YES_NO_OPENERS and words[1] in _YOU \
        and any(w in ("it", "them") for w in words[3:])


def _chooses(words: Sequence[str]) -> bool:
    """Whether the shopper says they go with something: "ill go with the second one", "i think we'll go with
    that": a choice made (the subject is the shopper), not what goes with a thing ("what goes with it")."""
    return any(w in ("go", "going") and words[i + 1:i + 2] == ["with"]
               and _FIRST_PERSON_SUBJECTS.intersection(words[max(0, i - 3):i]) for i, w in enumerate(words))


_FIRST_PERSON_SUBJECTS = frozenset({"i", "ill", "id", "im", "we", "well", "wed", "lets"})


def _assembles(words: Sequence[str]) -> bool:
    """Whether the message asks for things to be put together as one: "put together a tea lover's gift under 40"
    (a search at 0.92 to the model) asks for a set, whatever it names."""
    return any(w == "put" and "together" in words[i + 1:i + 4] for i, w in enumerate(words)) \
        or any(w in ("assemble", "curate") for w in words)


def _age_in_list(words: Sequence[str]) -> OrderRank | None:
    """The age a message picks an order of a list by, in words that said of the shopper's orders at large name
    their last one ("my latest order"): "the latest one", "the most recent", "the least recent"."""
    for before, w in itertools.pairwise(["", *words]):
        if w == "latest" or (w == "recent" and before == "most"):
            return "newest"
        if w == "recent" and before == "least":
            return "oldest"
    return None


# Words that ask how well products sell: the shop's orders answer them, not the product details.
_SALES_WORDS = frozenset("sells sell selling sold seller sellers bestseller bestsellers popular".split())


def _asks_own_buying(words: Sequence[str]) -> bool:
    """Whether a question asks what the shopper buys or bought, as a fact ("what do i usually buy", "what have we
    ordered most"), not what they should ("what should i get")."""
    return words[:1] in (["what"], ["which"], ["whats"]) and any(
        w in _OWN_BUYING and {"i", "we"} & set(words[max(0, i - 3):i]) and not MODALS & set(words[:i])
        for i, w in enumerate(words))


_OWN_BUYING = frozenset({"buy", "bought", "order", "ordered", "get", "got", "purchase", "purchased"})


def _asks_to_choose(words: Sequence[str]) -> bool:
    """Whether a question asks the assistant to choose one for the shopper: "which one would you recommend", "which
    should i get", "what would you pick", "your favourite?"."""
    pairs = set(itertools.pairwise(words))
    asks_you = any((a, b) in pairs for a, b in (("should", "i"), ("would", "you"), ("do", "you")))
    return bool(_CHOOSING_VERBS & set(words)) or (
        asks_you and bool({"get", "buy", "pick", "choose", "go", "take"} & set(words)))


# Verbs that ask the assistant for its own choice.
_CHOOSING_VERBS = frozenset({"recommend", "recommended", "suggest", "favourite", "favorite", "advise"})


def _another(words: Sequence[str]) -> bool:
    """Whether the message asks for another thing rather than one on the screen: "a cheaper one", "any cheaper",
    "something cheaper" (where "the cheaper one" picks one of those shown)."""
    return any(a in ("a", "an", "any", "another", "something", "anything") and b not in ("few", "couple")
               for a, b in itertools.pairwise(words)) and "the" not in words


def _asks_what_they_come_to(u: Understanding, screen: Screen) -> bool:
    """Whether a price is asked of several products on the screen together, or of a count of one: "how much for
    the first and second", "the total for all of them", "2 of the first one". A bare "how much" of the whole list
    asks each one's price, which the list puts side by side."""
    if not screen.products or not u.targets or u.asks_total or u.slots.order_id or not _asks_price(words_of(u.text)) \
            or not (u.intent in _ASKED_OF_THE_SCREEN or not u.confident):
        return False
    together = bool(set(words_of(u.text)) & (_WHOLE | {"both", "combined"})) or len(u.targets) < len(screen.products)
    return (len(u.targets) >= 2 and together) or (u.target_quantity or u.slots.quantity or 0) >= 2


def _asks_price(words: Sequence[str]) -> bool:
    """Whether the message asks what something costs ("how much is it", "what does it come to", "the price?",
    "whats the total")."""
    pairs = set(itertools.pairwise(words))
    return ("how", "much") in pairs or bool({("come", "to"), ("comes", "to")} & pairs) or any(
        w in ("cost", "costs", "price", "priced", "total") for w in words)


# Verbs of giving a review ("how do i leave a review for it"): the policy answers them, not a product's rating.
_REVIEW_WRITING = frozenset({"leave", "write", "post", "submit", "writing", "leaving"})
# Pronouns that can point back at what the last reply was about ("how much is it?", "the most popular ones").
_POINTERS = frozenset({"it", "that", "this", "they", "them", "these", "those", "ones"})
# Words that ask about the latest time something happened ("what did i get last time", "my last order").
_LATEST_WORDS = frozenset({"last", "latest", "recent", "newest"})
_LATEST = _LATEST_WORDS | {"recently"}
# Pronouns that can only mean a person ("they" can be products too).
_PERSONAL_PRONOUNS = frozenset({"she", "her", "hers", "shes", "he", "him", "his", "hes"})
# The verbs a request is made with (closed-class: wanting, looking, selling, suggesting).
# The shopper as the subject of an asking verb ("i need", "we want").
_SHOPPER = frozenset({"i", "we"})
# Words before "like"/"as" that make it introduce examples ("stuff, like", "such as"), not the verb "to like".
_EXAMPLE_MARKS = frozenset({("like", ","), ("as", "such"), ("like", "stuff"), ("like", "things"), ("like", "bits")})
_REQUEST_VERBS = frozenset("need needs want wants looking buy buying find show sell sells stock carry recommend "
                           "suggest".split())
# Verbs of a shop selling something, and the articles and quantifiers a thing asked about comes after.
_SELLING = frozenset("sell sells stock stocks carry carries".split())
_QUANTIFIERS = frozenset("a an any some".split())
_YOU = frozenset({"you", "u", "ya"})
# Words that stand for a thing not yet named, where "one", "ones" and "any" stand for the things on the screen.
_NEW_THING = frozenset({"something", "anything", "things", "stuff"})
_PREPOSITIONS = frozenset("for to with in on at under over from by that which who whos so like about of , - : ;"
                          .split())


def _sizes_what_it_is_for(words: Sequence[str], size: str, head: str) -> bool:
    """Whether a measured size (``size``, "55 inch") sits in a phrase after a "for" that follows ``head`` and
    measures another noun there ("a sound bar for a 55 inch tv")."""
    first = size.split()[0].lower()
    if first not in words or "for" not in words:
        return False
    at, purpose = list(words).index(first), list(words).index("for")
    head_at = next((i for i, w in enumerate(words) if prints(w, head) or prints(head, w)), None)
    after = content_words([w for w in words[at + len(size.split()):] if w.isalpha()])
    return head_at is not None and head_at < purpose < at and bool(after) and not prints(after[0], head)


def introduced_as_thing(words: Sequence[str], head: str) -> bool:
    """Whether the noun phrase ending in ``head`` is introduced as a thing asked for: after an article or
    quantifier ("an iphone 15", "a robot vacuum", "any wine"), a verb of selling, having or wanting ("do you
    sell wine", "need teapots"), a request's object pronoun ("show me teapots"), "what about", or opening the
    message in at most two words ("iphone 15?").

    "my phone is full", "someone from your team", "power keeps going out" name no thing the shop could lack:
    the word before the phrase is a possessive or a verb, so a "not carried" answer would quote a non-product.
    """
    if head not in words:
        return False
    i = list(words).index(head)
    start = i
    thanks = describing_thanks(words)  # "do you have thank you cards"
    while start > 0 and (content_words([words[start - 1]]) or words[start - 1].isdigit() or start - 1 in thanks):
        start -= 1
    # Describing words that are no product words ("a new kettle", "a really nice vase") belong to the phrase when
    # a determiner comes before them.
    det = next((j for j in range(start - 1, max(start - 3, 0) - 1, -1) if words[j] in DETERMINERS), None)
    if det is not None and not content_words(words[det + 1:start]):
        start = det + 1
    if start == 0:
        return i - start < 2
    before = words[start - 1]
    verb = start - 2 if before in DETERMINERS else start - 1
    if verb >= 1 and words[verb] in ("have", "has", "got") and words[verb - 1] in _SUBJECT_PRONOUNS - {"you"}:
        return False  # "she has loads", "he has a kindle": what someone has, not what the shop is asked for
    if before in DETERMINERS and start >= 2 and content_words([words[start - 2]]) \
            and words[start - 2] not in _INTRODUCERS:
        # "starting a podcast", "learning the piano": the object of a verb that is no buying, having or wanting
        # names what the shopper is doing, not a thing the shop could lack.
        return False
    if before == "for" and start >= 2 and words[start - 2] in _SEEKING:
        return True  # "looking for wrapping paper": the phrasal verb of wanting
    opener = start - 2 if before in DETERMINERS else start - 1
    if opener == 0 and words[0] in _FRAGMENT_OPENERS:
        return False  # "for a garden tea party" after napkins: what the napkins are for, not a thing asked for
    if start == 1 and before in _ASKING_WHICH:
        return True  # "what tv would you recommend", "which laptop is best for uni": the thing the question is about
    # "do you have the iphone 15": a thing asked for by its name after a verb of selling or having.
    return before in _INTRODUCERS or _selling_do(words, start - 1) or (before == "the" and asks_if_sold(words, head))


def _selling_do(words: Sequence[str], i: int) -> bool:
    """Whether ``words[i]`` is "do" after "you": the verb of selling in "do you do hp cartridges", as "do you do gift
    wrapping" offers a service."""
    return i > 0 and words[i] == "do" and words[i - 1] in _YOU


def asks_who_answers(words: Sequence[str]) -> bool:
    """Whether the message is a yes/no question about who is answering: "am i talking to a bot", "are you a real
    person", after any greeting; not a request ("can i talk to a person", "is there someone
    i can call") and not a question about what the shop does ("are you open on sundays" names a time)."""
    rest = _after_hellos(words)
    if tuple(rest[:2]) not in (("am", "i"), ("are", "you")):
        return False  # ("is this a good gift" asks about a product)
    if rest[0] == "am" and rest[2:3] and rest[2] not in _CONVERSING:
        return False  # "am i connected to wifi" asks about the shopper, not who answers
    after = rest[2:]
    # "are you a bot", "am i talking to a person": a thing or a person after "a"/"an"/"to" or a description
    # ("real", "human", "automated"), with no modal asking for something and no "open"/"closed" hours question.
    return bool(after) and not any(w in _MODALS or _sells(w) or w in ("open", "closed", "there") for w in after) \
        and len(content_words(after)) <= 3


def _sells(word: str) -> bool:
    """Whether ``word`` is a verb of selling in any form ("sell", "selling", "carrying")."""
    return word in _SELLING or word.removesuffix("ing") in _SELLING or word.removesuffix("ying") + "y" in _SELLING


def _after_hellos(words: Sequence[str]) -> list[str]:
    """The words with no punctuation, after any opening greeting or hedge ("hi , are you ..." -> "are you ...")."""
    rest = [w for w in words if w.isalnum()]
    while rest and rest[0] in _HELLOS:
        rest = rest[1:]
    return rest


def asks_what_it_does(words: Sequence[str]) -> bool:
    """Whether the message asks what the assistant can do for the shopper, naming nothing: "what can you help
    with", "what can you do", "how can you help me"; "what do you sell" asks about the shop's products."""
    rest = _after_hellos(words)
    return bool(rest) and rest[0] in ("what", "how") and "you" in rest and not content_words(rest) \
        and any(w in ("do", "help") for w in rest[rest.index("you"):]) \
        and not any(_sells(w) or w == "about" or stem(w) in _ORDER_NOUNS
                    for w in rest)  # "what can you do about my order" asks about the order


def asks_if_sold(words: Sequence[str], head: str) -> bool:
    """Whether the message asks the shop whether it sells the thing ``head`` ends, as a yes/no question to the
    shop: "do you sell washing machines", "you stock wine?", "do you have any gin", "have you got hoovers", "got
    any kettles?", with at most an article or quantifier before the thing. "can you sell stocks for me" asks
    for a service, and "i need a new passport" asks nothing of the kind."""
    if head not in words:
        return False
    # (A number is part of the name: "iphone 15 pro".)
    before = [w for w in words[:list(words).index(head)] if (not content_words([w]) and not w.isdigit())
              or w in _SELLING]
    # ("do you have the iphone 15 pro": a product asked for by its name, "the", is asked for as much.)
    while before and (before[-1] in _QUANTIFIERS or before[-1] == "the"):
        before.pop()
    if before == ["got"]:
        return True
    if len(before) < 2 or before[-2] not in _YOU:
        return False
    asked = len(before) == 2 or before[-3] in ("do", "does", "dont", "have")
    return asked and (before[-1] in _SELLING or before[-1] in ("have", "got") or (
        len(before) > 2 and _selling_do(before, len(before) - 1)))


def _asked_of(words: Sequence[str], head: str) -> Sequence[str]:
    """The message's words less the verb of selling that asks whether the shop sells the thing ("do you stock
    perfume"): a request word, which as a search word finds "Vintage Christmas Stocking"."""
    if not head or not asks_if_sold(words, head):
        return words
    at = list(words).index(head)
    verbs = [i for i, w in enumerate(words[:at]) if w in _SELLING or _selling_do(words, i)]  # "have", "got": no title
    return [*words[:verbs[-1]], *words[verbs[-1] + 1:]] if verbs else words


def shown_with(words: Sequence[str]) -> tuple[str, ...]:
    """What a thing named before "with" should show or have: "mugs with dogs on" -> ("dogs",), "headphones with a
    mic" -> ("mic",), "something with owls on it" -> ("owls",); up to the end of the clause. Nothing when no thing
    comes before "with" ("any with a heart?" asks it of those shown: :func:`with_feature`)."""
    if "with" not in words:
        return ()
    at = list(words).index("with")
    before = words[:at]
    if not (content_words(before) or any(w in _NEW_THING for w in before)):
        return ()
    clause = list(itertools.takewhile(lambda w: w not in (";", ",", "for", "under", "and"), words[at + 1:]))
    return tuple(content_words(clause))


def with_feature(words: Sequence[str]) -> str | None:
    """What "any with a heart?", "ones with a dog on them", "do you have any with owls" ask the things to have:
    the content words after "with", when nothing before it names a thing (a pro-form such as "any" or "ones"
    stands for the things on the screen). "mugs with a dog" names mugs, so it is a request of its own (None), and
    so is "something with owls on": "something" stands for no thing on the screen."""
    if "with" not in words:
        return None
    at = list(words).index("with")
    feature = [w for w in content_words(words[at + 1:]) if w not in _COMES_WITH]
    if any(w in _NEW_THING for w in words[:at]):
        return None  # "something with owls on" asks for a new thing that shows owls, not for owls on the screen
    return " ".join(feature) if feature and not content_words(words[:at]) else None


# Verbs that ask whether a thing on the screen has a property ("which ones have a mic", "are any of them
# waterproof", "do any of those come with a case"); "come with" counts its "with" as part of the verb.
_HAVING = frozenset("have has had come comes support supports take takes are is work works include includes".split())
_OVER_SHOWN = frozenset({"them", "these", "those"})
# "one with a case included": the case is what it should have; "included" says it comes with it, as "with" does.
_COMES_WITH = frozenset({"included", "including", "includes", "include"})
# Comparing words: "which has the most storage", "which ones are better" choose among them by degree, which a
# comparison answers, not a filter.
_DEGREE = frozenset("most least best worst more less better worse".split())


# Words before "ones" that pick other things, not a property of them ("different ones", "similar ones").
_BACK_POINTERS = frozenset({"that", "those", "it", "them", "this", "these"})  # "like that": like what was shown
OTHERNESS = frozenset({"different", "similar", "same", "other", "others", "another", "else"})
# What a replacement is called when it is not named: "a cheaper one for the plates", "any cheaper option for it".
_ANOTHER_ONE = frozenset({"one", "option", "options", "alternative", "alternatives", "something", "anything"})


def described_ones(words: Sequence[str]) -> str | None:
    """What "glass ones", "only bluetooth ones", "the polka dot ones" say of the things on the screen: the words
    before the pro-form "ones", which stands for the kind shown (glass vases, not glass knobs), as "ones with ..."
    does. None when those words choose by price, degree or otherness ("cheaper ones", "the best ones", "different
    ones"), or when nothing describes ("the ones for kids" goes on after it)."""
    words = list(words)
    if "ones" not in words:
        return None
    at = len(words) - 1 - words[::-1].index("ones")
    before: list[str] = []
    for w in reversed(words[:at]):
        if w in DETERMINERS or w in ("only", "just", "some", "any", "all", "of", "those", "these"):
            break
        before.insert(0, w)
    described = content_words(before)
    if not described or any(w in _DEGREE or w in OTHERNESS or w in PRICE_WORDS or w.endswith("est")
                            for w in described):
        return None
    return " ".join(described)


def property_asked(words: Sequence[str]) -> str | None:
    """The property a question asks of the products on the screen, as the content words after its verb:
    "which ones have a mic" -> "mic", "are any of them waterproof" -> "waterproof", "do any of those come with a
    case" -> "case". Only a question over those shown: opening with "which" and naming no thing before the verb
    ("which laptops have 16gb" asks for laptops), or asking whether "any"/"all"/"none" "of them" do; and none
    that chooses by degree ("which has the most storage") or price ("which is cheaper")."""
    words = list(words)
    over = next((i + 3 for i in range(len(words) - 2) if words[i] in ("any", "all", "none", "either", "both")
                 and words[i + 1] == "of" and words[i + 2] in _OVER_SHOWN), None)
    if not words or not (words[0] == "which" or over) or any(
            w in _DEGREE or w in PRICE_WORDS or (len(w) > 5 and w.endswith(("est", "ier"))) for w in words):
        return None
    if over is not None and over < len(words) and (words[0] in _HAVING or words[0] in ("do", "does")):
        rest = words[over:]  # "are any of them waterproof", "do any of them have a mic"
    else:
        verb = next((i for i, w in enumerate(words) if w in _HAVING and i > 0), None)
        if verb is None or content_words(words[:verb]):
            return None
        rest = words[verb:]
    while rest and (rest[0] in _HAVING or rest[0] in ("with", "got", "do", "does")):
        rest = rest[1:]  # "come with", "have got"
    wanted = [w for w in content_words(rest) if w not in _OVER_SHOWN and w not in _HAVING and w not in _COMES_WITH]
    # What every reply states anyway ("which of these is in stock") or a colour the slots read is no property to
    # look for.
    if not wanted or any(w in STATED_ANYWAY or w in ("offer", "sale") for w in wanted):
        return None
    return " ".join(wanted)


def head_phrase(words: Sequence[str], head: str) -> list[str]:
    """The content words of the noun phrase ending in ``head`` ("a red lunch bag for mum" -> red, lunch, bag)."""
    segment: list[str] = []
    for w in [*words, ","]:
        if w in _PREPOSITIONS:
            content = content_words(segment)
            if content and content[-1] == head:
                return content
            segment = []
        else:
            segment.append(w)
    return [head]


def _object_of(segment: Sequence[str]) -> Sequence[str]:
    """The noun phrase after a verb: what follows a determiner that comes after a content word ("hosting a baby
    shower" -> baby shower; "losing my keys" -> keys). A content word right before a determiner or an object
    pronoun is a verb ("hosting", "losing", "keep it under 100"), never the head of the phrase; the segment is kept
    whole when there is none."""
    for j in range(len(segment) - 1, 0, -1):
        if (segment[j] in DETERMINERS or segment[j] in _OBJECT_PRONOUNS or segment[j] == "it") \
                and content_words(segment[:j]):
            return segment[j + 1:]
    return segment


def after_interjections(words: Sequence[str]) -> Sequence[str]:
    """The words after the opening clauses made only of interjections: "ok fine, some speakers then" and "never
    mind; a smartwatch" say nothing of what is wanted before the comma. A message of nothing else is kept whole
    (what it answers is for the context to say)."""
    start = 0
    for i, w in enumerate(words):
        if w in _CLAUSE_ENDS:
            if not all(x in _INTERJECTIONS for x in words[start:i]):
                break
            start = i + 1
    return words[start:] or words


def request_clause(words: Sequence[str]) -> Sequence[str]:
    """The words from the first clause that asks for something to the end: a clause before it sets the scene
    ("we're having a bbq on saturday, need some napkins" asks for napkins, not a barbecue). A message without a
    verb of asking is read whole. Opening interjections are left out (:func:`after_interjections`)."""
    words = after_interjections(words)
    start = 0
    for i, w in enumerate([*words, ","]):
        if w in _CLAUSE_ENDS:
            # (A yes-or-no question to the shop asks too: "my printer ran out of ink, do you do hp cartridges".)
            if any(x in _REQUEST_VERBS for x in words[start:i]) or (
                    i - start > 2 and words[start] in _YES_NO_OPENERS and words[start + 1] in _YOU):
                break
            start = i + 1
    else:
        return words
    # "for my daughters wedding i need candles and napkins": the shopper's own asking clause, without a comma.
    asks = next((i for i in range(start + 1, len(words) - 1)
                 if words[i] in _SHOPPER and words[i + 1] in _REQUEST_VERBS and content_words(words[start:i])), None)
    return words[asks if asks is not None else start:]


# "do any come in silver": the verb a variant is asked with, never the thing.
_VARIANT_VERBS = frozenset({"come", "comes"})


def _elides_its_thing(words: Sequence[str]) -> bool:
    """Whether the first noun phrase of a clause names its thing by "one" alone ("need a new one for uni", "a
    cheaper one"): the thing is one named before, and what follows "for" is what it is for. So is "one" before a
    clause without its "that" ("one i can take to the beach", "one my kid can use"): the clause says what it does."""
    segment: list[str] = []
    for w in words:
        if w in _PREPOSITIONS or (segment[-1:] in (["one"], ["ones"]) and w in _CLAUSE_SUBJECTS):
            break
        segment.append(w)
    return bool(segment) and segment[-1] in ("one", "ones") and not content_words(segment)


def _unnamed_with_clause(words: Sequence[str]) -> bool:
    """Whether the message opens with "something" or "anything" and a clause saying what it must do or be ("something
    that'll fit in my bag", "anything that works with my iphone", "something my dad would like"): a thing not named,
    described, as "one" before a clause is."""
    return len(words) > 2 and words[0] in _SOME_THING and (
        words[1] in ("that", "which", "thatll") or words[1] in _CLAUSE_SUBJECTS)


# Who does something in a clause after "one" that has left out its "that": "one [that] i can take to the beach".
_CLAUSE_SUBJECTS = frozenset({"i", "we", "you", "u", "he", "she", "they", "my", "our", "your", "his", "her", "their"})


def _stands_for_thing(words: Sequence[str]) -> bool:
    """Whether a phrase with no content words has a word standing for the thing asked for: after it, "for" says
    what the thing is for ("something for the kitchen", "whats good for a long flight", "anything for storing tea
    bags"), where after "looking" it says what the thing is ("looking for a lamp")."""
    return any(x in _SOME_THING or x in _STANDS_FOR_THING for x in words) and not content_words(words)


def use_words(words: Sequence[str]) -> list[str]:
    """The words after the "for" that says what an unnamed thing is for ("show me something for the garden":
    ["the", "garden"]), or [] when the message names the thing or has no such "for"."""
    if "for" not in words:
        return []
    at = list(words).index("for")
    return list(words[at + 1:]) if _stands_for_thing(words[:at]) else []


def _once(words: Sequence[str]) -> tuple[str, ...]:
    """Each word once, whatever its case ("not beats": the brand the tables know, "Beats", and the word)."""
    first: dict[str, str] = {}
    for w in words:
        first.setdefault(w.lower(), w)
    return tuple(first.values())


def _sends_back(words: Sequence[str]) -> bool:
    """Whether the message's verb sends something back ("return it", "send the mug back", "take these back")."""
    return any(w in ("return", "returning") for w in words) or ("back" in words and any(
        w in ("send", "sending", "take", "taking", "bring", "post") for w in words[:words.index("back")]))


# What asks for the same thing again, whatever other verb comes with it ("return to the same one again").
_AGAIN = frozenset({"again", "same"})
_BUYS_AGAIN = _AGAIN | frozenset("reorder repeat more".split())
# Verbs of changing an order that are no bundle edit's (those are read by ``_bundle_edit``).
_CHANGE_VERBS = frozenset({"modify", "amend", "update", "edit", "alter", "changing", "changed"})


def _asks_everything(words: Sequence[str]) -> bool:
    """Whether "everything" is asked for ("everything for a home office"), not what someone has ("my dad who has
    everything", "she's got everything already"): the object of a verb of having asks for no set."""
    return any(w == "everything" and not (i and words[i - 1] in _POSSESSING) for i, w in enumerate(words))


_POSSESSING = frozenset({"has", "have", "had", "got", "owns", "own"})


def _set_of_count(words: Sequence[str]) -> tuple[int, list[str]] | None:
    """ "a set of 6 wine glasses", "wine glasses set of 6": the count a set word is "of", and the other words (the
    thing counted); None when no set word is followed by "of" and a count."""
    for i, w in enumerate(words[:-2]):
        n = words[i + 2]
        count = int(n) if n.isdigit() and len(n) <= 3 else NUMBER_WORDS.get(n)
        if w in SET_WORDS and words[i + 1] == "of" and count:
            rest = [x for x in (*words[:i], *words[i + 3:]) if x not in ("a", "an")]
            return (count, rest) if content_words(rest) else None
    return None


# The verb right after "which <thing>" in a question about it: what follows says how it is, or what it has or does.
_ASKS_OF_SUBJECT = frozenset({"is", "are", "has", "have"}) | DO_FORMS | MODALS


def head_word(words: Sequence[str]) -> str:
    """The head of the first noun phrase that has content words: its last content word.

    "phone cases" -> "cases"; "a kindle for reading" -> "kindle". When the first content comes in a purpose
    or relative clause ("something to brighten up a flat", "anything that keeps tea warm") the message names
    a need, not a thing, and there is no head.
    """
    segment: list[str] = []
    before = ""
    wanted_generic = False
    purpose = False
    unnamed = False  # the segment before was "something"/"anything": no thing named yet
    # A size superlative ranks the thing ("whats the smallest you have"); it is never the thing, nor is the article
    # before it the start of a phrase after a verb ("which tv is the biggest": the tv).
    ranked = [w for i, w in enumerate(words) if w not in SIZE_CHOICE
              and not (w in DETERMINERS and i + 1 < len(words) and words[i + 1] in SIZE_CHOICE)]
    if ranked[:1] == ["which"] and ranked[2:3] and ranked[2] in _ASKS_OF_SUBJECT \
            and ranked[1] not in ("one", "ones") and content_words(ranked[1:2]):
        # "which tv is the biggest", "which laptop is lightest": what follows "is" describes it; "which laptops
        # have the longest battery life": what they have ("life" is no laptop).
        return ranked[1]
    for w in [*ranked, ","]:
        if w in _PREPOSITIONS and segment and segment[-1] in ("one", "ones") and content_words(segment):
            return ""  # "a matching one for the cat", "a bigger one": the kind on the screen, described
        if w in _SUBJECT_PRONOUNS and (content := content_words(segment)):
            return "" if before in _CLAUSE_MARKERS else (content_words(_object_of(segment)) or [""])[-1]
        if w in _PREPOSITIONS:
            whole = content_words(segment)
            if whole and segment[-1] in GENERIC_WANTS:
                return ""  # "a leaving present", "a birthday gift": a present asked for; the word before says which
            # "something similar but for kids", "anything different": otherness points at what is shown, no thing.
            # A word that starts with a digit is a spec or a size ("4k", "1080p", "2tb"): it says what the thing
            # is like, never what it is.
            content = [w for w in content_words(_object_of(segment)) if w not in OTHERNESS
                       and not w[:1].isdigit() and w not in _VARIANT_VERBS] if whole else []
            while len(content) > 1 and _participle(content[-1]):
                content.pop()  # "my teapot arrived cracked": how it came is no thing; the teapot is
            if whole and not content:
                return ""  # "hosting a" + an occasion read as a slot: a verb whose object is no product
            if content and (at := len(segment) - 1 - segment[::-1].index(content[-1])) \
                    and segment[at - 1] in _SOME_THING:
                return ""  # "something vintage for a kitchen": what follows "something" describes it ("5 vintages")
            if content and (follows_modal(segment, at) or follows_question_subject(segment, at)):
                return ""  # "something they can keep": what is done with the thing, no thing ("2 keeps")
            if content and before == "with" and unnamed:
                return ""  # "something with a christmas theme", "anything with a lid": what the thing has, not it
            if content:
                return "" if before in _CLAUSE_MARKERS or purpose else content[-1]
            unnamed = bool(segment) and all(x in _SOME_THING or x in DETERMINERS for x in segment)
            purpose = purpose or (w == "for" and (_stands_for_thing(segment) or _elides_its_thing(segment)))
            wanted_generic = wanted_generic or any(x in GENERIC_WANTS for x in segment)
            if wanted_generic and (w in _CLAUSE_ENDS or w == "for"):
                # "a present for my nephew, he's mad about dinosaurs", "a present for a coffee lover": the thing
                # asked for was a gift; what follows says who it is for, not a product to find by name.
                return ""
            segment, before = [], w
        else:
            segment.append(w)
    return ""


def _participle(word: str) -> bool:
    """Whether ``word`` reads as a past participle ("cracked", "arrived", "padded"): it says what happened to a thing
    or what it is like, never what it is ("speed" and "flowerbed" are no participles)."""
    return len(word) > 4 and word.endswith("ed") and not word.endswith(("eed", "bed"))


_POINTING_WORDS = frozenset({"this", "that", "these", "those"})


def _roles(words: Sequence[str], max_words: int, title_counts: Mapping[str, int] | None = None) -> tuple[Role, ...]:
    """The things of a list ("monitor, keyboard, mouse and webcam"; "a teapot and 4 cups" -> teapot, 4 cups).

    A list has at least two parts, split at commas and "and"/"plus"/"&", each naming one thing in at most
    ``max_words`` content words; clauses ("I'm buying the X, what goes with it?") are not a list.
    """
    for mark in (":", "-"):  # "home office: monitor, keyboard and mouse", "a tea party - cake stand, teapot and ..."
        if mark in words:  # the list follows the colon or dash
            words = words[list(words).index(mark) + 1:]
    examples = next((i for i, w in enumerate(words) if i and (w, words[i - 1]) in _EXAMPLE_MARKS), None)
    if examples is not None:
        # "something for a kids birthday party, like plates and cups": the examples are the list; what comes
        # before them is the scene.
        words = words[examples + 1:]
    # "setting up a home cinema, need a tv, soundbar and ...": the scene before the asking clause is no thing.
    words = request_clause(words)
    parts: list[list[str]] = [[]]
    after_comma = [False]  # whether each part follows a bare comma (no "and"/"plus" of a list)
    for w in words:
        if w in _LIST_SEPARATORS or w in (",", ";"):
            if parts[-1] or not after_comma[-1]:
                parts.append([])
                after_comma.append(w in (",", ";"))
            else:
                after_comma[-1] = after_comma[-1] and w in (",", ";")  # ", and": the list word decides
        else:
            parts[-1].append(w)
    roles: list[Role] = []
    for part, appositive in zip(parts, after_comma, strict=True):
        quantity = 1
        counted = [w for w in part if w not in ("a", "an", "the", "some", "of")]
        first = counted[0] if counted else ""
        if first.isdigit() and 1 < int(first) <= 50:  # "4 cups", not "3 tier"
            quantity = int(first)
        elif first in NUMBER_WORDS and 1 < NUMBER_WORDS[first] <= 50:
            quantity = NUMBER_WORDS[first]
        content = content_words(part)
        counts = title_counts or {}
        counts_people = any(small_count(w) > 1 and _head_count(content_words(part[i + 1:]), counts)
                            and not any(counts.get(stem(x), 0) for x in content_words(part[:i]))
                            for i, w in enumerate(part))
        if counts_people:
            # "a kids party, 10 kids, about £30", "about 12 children": a head count, no thing to buy ten of
            continue
        if content and content[-1] in _SET_HEADS:
            continue  # "a gaming setup, pc and monitor": the set itself, named before its parts, is no part of it
        if len(content) > max_words or any(w in _OBJECT_PRONOUNS for w in part[1:]):
            return ()  # a long phrase or a verb with its object ("kit me out") is a clause, not a thing listed
        # "one" after an ordinal or a demonstrative points at a product ("a keyboard to the first one"); after a
        # describing word it stands for a thing named before ("the regular ones").
        elides = any(w in ("one", "ones") and not (i and (part[i - 1] in ORDINALS or part[i - 1] in _POINTING_WORDS))
                     for i, w in enumerate(part))
        if content and roles and appositive and elides:
            # "wrapping paper, a christmas one": after a bare comma, "one" says more of the thing just named, not a
            # second thing of its kind.
            before = roles[-1]
            roles[-1] = Role(query=f"{before.query} {' '.join(content)}", quantity=before.quantity, head=before.head)
        elif content and roles and elides:
            # "the airpods pro and the regular ones": "ones" stands for the thing named before it, the word of
            # it the catalog prints most sparingly ("airpods", not "pro"; "teapot", not "big").
            named = _elided_noun(roles[-1], title_counts or {})
            roles.append(Role(query=" ".join([*content, named]), quantity=quantity, head=named))
        elif content:
            first_content = next(i for i, w in enumerate(part) if w == content[0])
            roles.append(Role(query=" ".join(content), quantity=quantity, head=head_word(part),
                              definite=first_content > 0 and part[first_content - 1] in ("the", "that", "this")))
    return tuple(roles) if len(roles) >= 2 else ()


def _elided_noun(role: Role, title_counts: Mapping[str, int]) -> str:
    printed = [w for w in role.query.split() if title_counts.get(stem(w), 0) > 0 and not w.isdigit()]
    if printed:
        return min(printed, key=lambda w: title_counts[stem(w)])
    return role.head or role.query.split()[-1]


def _counted_for_total(slots: Slots, words: Sequence[str], title_counts: Mapping[str, int]) -> Role | None:
    """The one thing a number counts when a word says the budget is for all of them together, else None."""
    if slots.budget_max is None or not any(w in _TOTAL_WORDS for w in words):
        return None
    return _counted_thing(words, title_counts) or _one_each(words, title_counts)


def _one_each(words: Sequence[str], title_counts: Mapping[str, int]) -> Role | None:
    """ "party bags for 10 kids, under 20 total": things named in the plural for a number of people, one each (a
    thing in the singular, "a picnic for 4", is for all of them together)."""
    for i, w in enumerate(words):
        n = int(w) if w.isdigit() else NUMBER_WORDS.get(w, 0)
        if not 1 < n <= 100 or i == 0 or words[i - 1] != "for":
            continue
        following = list(itertools.takewhile(lambda x: x not in _PREPOSITIONS, words[i + 1:]))
        if not _head_count(content_words(following), title_counts):
            return None
        before = content_words(list(words[:i - 1]))
        last = before[-1] if before else ""
        if 1 <= len(before) <= 3 and stem(last) != last and title_counts.get(stem(last), 0):
            return Role(query=" ".join(before), quantity=n, head=last)
        return None
    return None


def _head_count(content: Sequence[str], title_counts: Mapping[str, int]) -> bool:
    """Whether the words a number counts are people ("10 kids", "8 kids coming", "6 people"), not a thing: a noun
    for people, then nothing the titles print ("4 kids cups" counts cups)."""
    return bool(content) and content[0] in PEOPLE_NOUNS and not any(
        title_counts.get(stem(w), 0) for w in content[1:])


def _counted_thing(words: Sequence[str], title_counts: Mapping[str, int] | None = None) -> Role | None:
    """The one thing a number counts, up to the first preposition ("i need 12 party bags for my son's party" ->
    12 x party bags), or None when no number from 2 to 100 counts a thing of at most three content words."""
    for i, w in enumerate(words):
        n = int(w) if w.isdigit() else NUMBER_WORDS.get(w, 0)
        if not 1 < n <= 100:
            continue
        phrase: list[str] = []
        for x in words[i + 1:]:
            if x in _PREPOSITIONS or x in _LIST_SEPARATORS:
                break
            phrase.append(x)
        content = content_words(phrase)
        if _head_count(content, title_counts or {}):
            return None  # "10 kids", "for 6 people": a head count, not ten of a thing
        if 1 <= len(content) <= 3:
            return Role(query=" ".join(content), quantity=n, head=content[-1])
        return None
    return None


def _new_budget(u: Understanding) -> bool:
    return u.slots.budget_max is not None or u.slots.price in ("cheaper", "low", "pricier", "high")


def _one_more(text: str) -> bool:
    """Whether a message ends by making the thing it names one more, not another in place of one ("party bags too",
    "a teapot as well"; "also" and "plus" are edit verbs already). "too" before a word is a degree: "the teapot is
    too big" asks for another in its place."""
    words = text.lower().rstrip(" .!?").split()
    return words[-1:] == ["too"] or words[-2:] == ["as", "well"] or words[-1:] == ["aswell"]


def _implied_op(u: Understanding, targets: Sequence[str], item_words: Sequence[str]) -> BundleOp:
    """An edit without its verb: "under £10" rebudgets, "3 of the first one" sets a quantity, "a teapot" adds."""
    s = u.slots
    if s.quantity and targets:
        return "quantity"
    if s.budget_max is not None or s.price in ("cheaper", "low", "pricier", "high"):
        return "rebudget" if not targets else "swap"
    if targets and not _one_more(u.text):
        return "swap"  # ("party bags too" adds them, whether or not the set has some)
    return "add" if name_words(item_words) or u.query else "rebudget"
