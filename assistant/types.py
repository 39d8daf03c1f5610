"""The turn's shared types, in one place: what a message means, what the screen shows, what is remembered.

Every module of the assistant takes these from here: the intent label (:class:`Intent`, from
:mod:`finetune.labels`), the slots a message states, the screen it was sent from, the typed
:class:`Understanding` handlers decide from, the dialog state and the typed updates handlers return, and the
reply models (defined in :mod:`assistant.reply`, the public reply module).

Handlers decide from an :class:`Understanding` alone: they never read the shopper's raw text.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from assistant.reply import BundleItem, Reply, ShownBundle, ShownProduct
from cartwise.models import Money, ProductId
from finetune.context import TurnContext
from finetune.labels import Intent

__all__ = ["BundleItem", "BundleOp", "BundleSpec", "DialogState", "Intent", "PendingRequest", "PriceWord",
           "ProblemKind", "ProblemReading", "Reply", "Role", "Screen", "ShownBundle", "ShownProduct", "Slots",
           "StateUpdate", "Understanding"]

PriceWord = Literal["low", "high", "cheaper", "pricier", "cheapest", "priciest", "discounted"]
SizeRank = Literal["smallest", "largest"]
SizeComparison = Literal["smaller", "larger"]

# Fields that only make sense together: a newer turn that sets one replaces the group.
_GROUPS: tuple[tuple[str, ...], ...] = (
    ("budget_min", "budget_max", "budget_about", "currency"),
    ("reference_index", "reference_text"),
)


# Days before today each relative phrase of a date may mean, nearest first.
RELATIVE_DAYS: dict[str, tuple[int, int]] = {
    "today": (0, 0), "yesterday": (1, 1), "the other day": (1, 6), "this week": (0, 6), "last week": (5, 14),
    "a week ago": (5, 9), "two weeks ago": (12, 16), "last month": (20, 62), "a few days ago": (2, 6),
}


class OrderDate(BaseModel):
    """A day (``month`` and ``day``), a whole month (``month`` alone: "in january"), a whole year (``year`` alone:
    "in 2011") or a span of days before today (``days_ago``). With no ``year`` the latest such day or month is
    meant."""

    model_config = ConfigDict(frozen=True)

    month: int | None = None
    day: int | None = None
    days_ago: tuple[int, int] | None = None
    year: int | None = None
    years_back: int | None = None  # "this year" 0, "last year" 1: a whole year counted back from today's
    # "last christmas": the run-up to the latest Christmas Day before today (1 November to 25 December), when the
    # shop's Christmas orders are placed.
    last_christmas: bool = False

    def span(self, today: date) -> tuple[date, date]:
        """The first and last day meant, seen from ``today``: a day and month is the latest one not after today."""
        if self.days_ago is not None:
            nearest, farthest = self.days_ago
            return today - timedelta(days=farthest), today - timedelta(days=nearest)
        if self.last_christmas:
            year = today.year if today > date(today.year, 12, 25) else today.year - 1
            return date(year, 11, 1), date(year, 12, 25)
        if self.years_back is not None:
            year = today.year - self.years_back
            return date(year, 1, 1), min(date(year, 12, 31), today)
        if self.year is not None:
            first_month, last_month = (self.month, self.month) if self.month else (1, 12)
            following = date(self.year + 1, 1, 1) if last_month == 12 else date(self.year, last_month + 1, 1)
            first, last = date(self.year, first_month, 1), following - timedelta(days=1)
            if self.month and self.day:
                try:
                    first = last = date(self.year, self.month, self.day)
                except ValueError:
                    pass  # no such day ("30 february 2011"): the whole month
            return first, last
        if self.month is not None and self.day is None:
            # The latest such month begun by today, up to today at most.
            year = today.year if self.month <= today.month else today.year - 1
            following = date(year + 1, 1, 1) if self.month == 12 else date(year, self.month + 1, 1)
            return date(year, self.month, 1), min(following - timedelta(days=1), today)
        month, day = self.month or today.month, self.day or 1
        for year in (today.year, today.year - 1):
            try:
                candidate = date(year, month, day)
            except ValueError:
                continue
            if candidate <= today:
                return candidate, candidate
        return today, today

    def describe(self) -> str:
        if self.last_christmas:
            return "last Christmas"
        if self.days_ago is not None:
            return next((p for p, span in RELATIVE_DAYS.items() if span == self.days_ago), "recently")
        if self.years_back is not None:
            return {0: "this year", 1: "last year"}.get(self.years_back, f"{self.years_back} years ago")
        if self.month is None and self.year is not None:
            return str(self.year)
        month = f"{date(2000, self.month or 1, 1):%B}"
        said = month if self.day is None else f"{self.day} {month}"
        return said if self.year is None else f"{said} {self.year}"

    def when(self) -> str:
        """As a reply says it: "on 9 November", "in January", "in 2011", "last week", "this year"."""
        if self.days_ago is not None or self.years_back is not None:
            return self.describe()
        if self.last_christmas:
            return "in the run-up to last Christmas"
        return f"{'in' if self.day is None else 'on'} {self.describe()}"


class Slots(BaseModel):
    """What one message (or a conversation so far) says about the wanted products. Every field is optional.

    Attributes:
        budget_min: lowest price wanted ("over 100", "between 10 and 20").
        budget_max: highest price wanted ("under £40", "£20"); "around 30" gives 24-36 (± 20 %).
        budget_about: the amount an "around 30" budget aims at (30); see :meth:`budget_aim`.
        currency: ISO code of the budget ("GBP", "USD", "CNY"); the shop's when the text names none.
        categories: the shop's own category names the message names ("kitchen & baking").
        brands: brands of the catalog the message names, as the catalog spells them ("Samsung", "LG").
        colour: canonical colour, British spelling ("grey").
        size: "small", "jumbo", "XL", "65 inch", ...
        quantity: how many items or people ("6 mugs" -> 6, "for four" -> 4).
        recipient: who it is for ("mum", "boss", "myself"; "mom"/"mother" -> "mum").
        recipient_age: how old the person it is for is, where the message says ("her 30th", "a 10 year old").
        occasion: "birthday", "christmas", "mother's day", ...
        order_id: an order/invoice number ("536365", "C536379").
        reference_index: a position in what is on the screen, 1-based, -1 = last.
        reference_text: the words that referred to something on the screen ("the red one", "it").
        price: what a price word asks: a level ("low", "high"), a move from the prices on the screen
            ("cheaper", "pricier") or an order ("cheapest", "priciest").
        exclude: colours, brands and words the shopper ruled out ("not red", "no mugs").
        feature: what the things on the screen should have or show, asked of them ("any with a heart?" ->
            "heart", "ones with a dog on them" -> "dog"): it narrows that kind of thing, never names a new one.
        placed: when an order the message asks about was placed ("on 9 november", "yesterday").
        size_rank: a size superlative ("the biggest tv you sell" -> "largest"): rank what is asked for by the size
            its title prints.
        size_than: a size comparative asking for others ("bigger" -> "larger", "a smaller one" -> "smaller"):
            things of the kind shown that are larger (smaller) than all of them.
        size_or_same: the comparative allows the size said itself ("27 inch or bigger"); None when it does not.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    budget_min: Money | None = None
    budget_max: Money | None = None
    budget_about: Money | None = None
    currency: str | None = None
    categories: tuple[str, ...] = ()
    brands: tuple[str, ...] = ()
    colour: str | None = None
    size: str | None = None
    quantity: int | None = Field(default=None, ge=1)
    recipient: str | None = None
    recipient_age: int | None = Field(default=None, ge=0, le=120)
    occasion: str | None = None
    order_id: str | None = None
    reference_index: int | None = None
    reference_text: str | None = None
    price: PriceWord | None = None
    exclude: tuple[str, ...] = ()
    feature: str | None = None
    placed: OrderDate | None = None
    size_rank: SizeRank | None = None
    size_than: SizeComparison | None = None
    size_or_same: bool | None = None

    def filled(self) -> frozenset[str]:
        """The names of the slots that are filled."""
        return frozenset(k for k, v in self if v not in (None, ()))

    def is_empty(self) -> bool:
        """True when no slot is filled."""
        return not self.filled()

    def has_budget(self) -> bool:
        """True when a price bound is stated ("under £3", "over 100")."""
        return self.budget_max is not None or self.budget_min is not None

    def budget_aim(self) -> Decimal | None:
        """The amount an "around X" budget aims at, while its range still surrounds it: a later "cheaper" or a
        dropped minimum leaves a plain limit, and the reply says that limit, not "around X"."""
        about, low, high = self.budget_about, self.budget_min, self.budget_max
        return about if about is not None and low is not None and high is not None and low < about < high else None

    def spend_limit(self) -> Decimal | None:
        """The most a set of things may cost in all: the amount aimed at ("around £30 total": £30, not the £36
        the range reaches), else the maximum."""
        return self.budget_aim() or self.budget_max

    def gift(self) -> Slots:
        """Only who the request is for, the occasion and the budget: what a new thing for the same person keeps."""
        return Slots(recipient=self.recipient, occasion=self.occasion, budget_min=self.budget_min,
                     budget_max=self.budget_max, budget_about=self.budget_about, currency=self.currency)

    def merge(self, newer: Slots) -> Slots:
        """These slots updated by a later turn's: newer values win, empty ones keep the old.

        Budget (min, max, currency) and reference (index, text) are replaced as a group, so "under 40"
        after "between 10 and 20" drops the old minimum. Exclusions accumulate, minus whatever the newer
        turn asks for again; an old colour or brand the newer turn excludes is dropped.

        Example:
            >>> old = Slots(colour="red", categories=("bags",))
            >>> old.merge(Slots(colour="blue", exclude=("mug",))).model_dump(exclude_defaults=True)
            {'categories': ('bags',), 'colour': 'blue', 'exclude': ('mug',)}
        """
        values: dict[str, Any] = {}
        grouped = {f for group in _GROUPS for f in group}
        for group in _GROUPS:
            source = newer if any(getattr(newer, f) is not None for f in group) else self
            values.update({f: getattr(source, f) for f in group})
        for name in type(self).model_fields:
            if name not in grouped and name != "exclude":
                new = getattr(newer, name)
                values[name] = new if new not in (None, ()) else getattr(self, name)
        wanted = {newer.colour, *newer.brands} - {None}
        values["exclude"] = tuple(dict.fromkeys(x for x in (*self.exclude, *newer.exclude) if x not in wanted))
        if values["colour"] in newer.exclude:
            values["colour"] = None
        if newer.recipient and newer.recipient != self.recipient and newer.recipient_age is None:
            values["recipient_age"] = None  # another person: the age said of the last one is not theirs
        values["brands"] = tuple(b for b in values["brands"] if b not in newer.exclude)
        return Slots(**values)

    def as_strings(self) -> dict[str, str]:
        """Filled slots as display strings (money with two decimals, lists joined), e.g. for a reply's slots."""
        out: dict[str, str] = {}
        for name, value in self:
            if value is None or value == () or (name == "budget_about" and self.budget_aim() is None):
                continue
            out[name] = (
                ", ".join(value)
                if isinstance(value, tuple)
                else value.describe() if isinstance(value, OrderDate)
                else (f"{value:.2f}" if name.startswith("budget") else str(value))
            )
        return out


# How the shopper's orders are ranked: by their total, or by the day they were placed ("my oldest order").
OrderRank = Literal["priciest", "cheapest", "oldest", "newest"]
BundleOp = Literal["add", "remove", "swap", "rebudget", "quantity", "people", "scale"]
ProblemKind = Literal["damaged", "missing_item", "wrong_item", "not_arrived", "faulty"]
# What a problem report tells: a fault, a change of mind ("unwanted": a return, no fault), or None (a remedy asked for).
ProblemReading = ProblemKind | Literal["unwanted"] | None


class Screen(BaseModel):
    """What the shopper sees from the previous reply: the context the message is read in.

    Attributes:
        context: what the previous reply was (a list, one product, a bundle, an order, a question...).
        products: the products listed, in the order shown.
        bundle: the items of the bundle on the screen.
        focus_id: the product being talked about ("it", "that one").
        order_id: the order being talked about.
        orders: the ids of the orders listed, in the order shown.
        query: the standing search ("lunch bag").
        budget: the form of the standing request's budget ("max": under £10, "about": around £15), None when it has
            none: a bare amount after it ("make it 40") restates it.
        subject: the thing the previous reply was about when it showed none ("have i bought bunting before"): with
            nothing on the screen, "it" means that.
    """

    model_config = ConfigDict(frozen=True)

    context: TurnContext = TurnContext.none
    products: list[ShownProduct] = Field(default_factory=list)
    bundle: list[BundleItem] = Field(default_factory=list)
    focus_id: ProductId | None = None
    order_id: str | None = None
    orders: list[str] = Field(default_factory=list)
    query: str = ""
    budget: Literal["max", "about"] | None = None
    subject: str = ""


class QuantityChange(BaseModel):
    """A change to every quantity of a set or an order: ``each`` sets them ("2 of each"), ``factor`` scales them
    ("double the quantities" 2, "half as many" 0.5)."""

    each: int | None = Field(None, ge=1)
    factor: Decimal | None = Field(None, gt=0)


class Role(BaseModel):
    """One of several things asked for together ("a teapot and 4 cups": teapot x1, cups x4)."""

    model_config = ConfigDict(frozen=True)

    query: str
    quantity: int = Field(1, ge=1)
    head: str = ""  # the word naming the thing ("webcam" of "a webcam for zoom calls"); "" when none
    definite: bool = False  # "the switch": one the shopper has already seen, not any
    unknown: tuple[str, ...] = ()  # its words no title, dictionary or typo correction knows ("quietcomfort")


class Understanding(BaseModel):
    """What one message means, in context.

    Attributes:
        text: the cleaned message, for logs and for varying the reply's wording; never parsed by handlers.
        intent: the decided intent (the model's, or one of the few overrides in ``notes``).
        confidence: the model's probability for its top intent.
        top: the model's three best ``(intent, probability)``.
        confident: whether the model's answer reached its tuned threshold (or an override decided).
        context: the screen context the model read the message in.
        slots: the attributes the message states.
        query: the words to search the catalog with (typos corrected); "" when the message names nothing.
        has_product_content: the message says something about what is wanted (words or slots), so a search
            can act on it; False for "I need a present" alone.
        head: the word that names the thing asked for (English noun phrases end in it): "phone cases" ->
            "cases", "a kindle for reading" -> "kindle"; "" when the message names nothing.
        head_phrase: the content words of the noun phrase the head ends, without a colour, size, brand or who it
            is for: "a red washing machine for mum" -> ("washing", "machine"); the thing the shop may lack whole
            though its titles print the head ("Karaoke Machine").
        unknown_names: the words of ``head_phrase`` that neither the catalog, nor the embedder's vocabulary, nor
            typo correction knows: a name the shop has never heard of ("garmin" of "garmin watch").
        unprinted_likes: what the person a present is for is said to like, in words no product prints in any form
            ("golf" of "he's into golf" at a gift shop with nothing for golf): searched for, and said dropped.
        named_early: the head is among the first three content words: a thing asked for by name ("do you have
            an iphone 15?"), not the tail of a described need ("protect my hands getting dishes out").
        names_product: the message uses words the catalog's titles print (beyond a property asked about):
            "is the regency cakestand dishwasher safe?" names one, "what's the warranty?" does not.
        category_filter: the categories in ``slots`` were named in words that pick them out of the catalog,
            so they may filter the search (else they only lift those categories' products).
        likely_categories: the category the request's content words are closest to by meaning, when it stands
            out from the rest ("into photography" -> Cameras & Camcorders): a guess, so it only lifts that
            category's products and never filters.
        targets: ids of the things on the screen the message points at, in order ("the two cheapest").
        points_beyond: the message points at positions the screen does not have ("compare the top two" with one
            product shown): the targets are fewer than the shopper meant.
        similar: the shopper wants more like the targets ("more like the first one").
        among_shown: the message asks within what is on the screen ("the cheapest of these", "... one of those").
        rejected: the targets are ruled out ("not that one").
        attribute: a property asked about ("battery life", "warranty"), to be quoted from the product data.
        degree: "most" or "least" when the question asks which product has the most or least of ``attribute``
            ("which one has the most ram", "which is lightest"); "" otherwise.
        degree_of: the quantity the degree word itself names: "weight" ("lightest"), "size" ("the biggest
            screen"), or "" (then the quantity printed by the property's words).
        complements: a bundle is wanted to go with the target ("what goes with it"), the target itself not in it.
        adds_target: the target itself is put in the set, alone ("add it to my basket", "add 2 of the first one"),
            not a set chosen around it ("make a bundle with the first one").
        roles: several things asked for together, one bundle item each ("monitor, keyboard and mouse").
        bundle_op: for a bundle edit, what to do.
        item_query: what to add, or to swap in ("a case", "a cheaper one"), or the thing named to go with the
            target ("a card to go with it"); "" when nothing is named.
        problem: for a problem with an order, which kind.
        asks_remedy: an unsure reading in an order's context that asks for a remedy ("can you send me a new one"),
            describing no problem: the one just reported stands.
        latest_order: the message is about the shopper's most recent order ("my last order arrived broken").
        quantity_change: a change to every quantity of the set on the screen or of an order ordered again ("2 of
            each", "double the quantities", "half as many").
        own_order: the message names the shopper's own order or parcel ("when will my order arrive"): its records
            answer a signed-in shopper, where the policy answers anyone.
        recent: the message asks about the latest time ("what did i get last time", "my most recent order"), not
            about all of it ("what have i bought before").
        order_target: the order the message points at among those listed ("the second one").
        target_quantity: how many of the target the message asks for by a counted pronoun ("two of those").
        count_unclear: a count of several products pointed at, in all or of each unsaid ("i need 20 of them"
            after five party bags): the reply asks which.
        follows_on: the message opens as a fragment that goes on from the previous turn ("and to ireland?", "what
            about klarna?", "even on weekends?"), so it keeps that turn's topic.
        supposes: the message supposes a case ("what if i opened it", "if it's a gift"): a question about the rule
            just given, never a look-up of an order.
        list_count: how many things a ranked list is asked to hold ("the cheapest 3", "top 3 best sellers", "the
            3 most expensive"); None when no count is said.
        for_use: what "something" or "anything" is asked for, the words after its "for" ("something for a
            teaching assistant" -> ("a", "teaching", "assistant")): a thing wanted, whatever the words after name.
        doing: the verbs of a clause saying what the thing must do or be used for ("one i can take to the beach",
            "ones that work with alexa", "good for running"): no describing word a title would print, never said to be
            dropped when none does.
        like_order: under an order shown, the message asks for things like it ("get me something similar",
            "anything like that but cheaper"): like what the order had, not the order again.
        shows: what the thing asked for should show or have, said after "with" ("mugs with dogs on": dogs):
            the products whose titles print it come first.
        describes_only: the request is "something" or "anything" and words describing it ("something funny",
            "anything a bit more elegant"): it names no thing; after a list, it describes the kind shown.
        in_stock: the message asks for things in stock ("only the ones in stock"): what is shown is filtered so
            already, and "stock" names no thing.
        narrows: the message is a phrase opening with a preposition ("for iphone", "with a case"): no request of its
            own, it narrows the standing one.
        speaks_of_someone: the message speaks of a person as "she" or "he" ("something she can use at her desk"):
            after a present for someone, that person.
        points_back: the message has a pronoun that can point back at what the last reply was about ("how much
            is it?", "is that free?", "the most popular ones").
        asks_spending: the message asks what the shopper spent ("how much did i spend on it", "what did i spend
            the most on"): order totals and line totals answer it.
        says_cancelled: the message speaks of an order as cancelled already ("why was my last order cancelled"),
            not of cancelling one.
        ranks_orders: the shopper's orders ranked by their total ("my most expensive order" -> "priciest",
            "my oldest order" -> "oldest" by the day placed;
            "my smallest order" -> "cheapest"), not products by price.
        asks_total: the set on the screen is asked about as a whole: its total, or whether it fits the budget
            ("how much is that altogether", "does it fit my budget").
        people: how many people a set is for ("a tea party for 6", "10 kids, about £30"): a count of no thing
            the shop sells, so a set's per-person items come that many times.
        all_orders: the message asks about the shopper's orders in the plural ("where are my orders?"), not the
            one being talked about.
        catalog_match: cosine similarity of the query to the closest product (when it was looked up).
        near_products: the catalog check did not make an out-of-scope read a shopping request, but the closest
            products are near enough (its calibrated suggestion threshold) to show beside the answer.
        near_policy: the same for the closest policy passage (the policy check's suggestion threshold); on a
            shopping read, the policy text answers a question to the shop too, so its passage goes beside the products.
        policy_match: cosine similarity of the message to the closest policy passage (when it was looked up).
        asks_policy: the shop's policy text decided that the message is a policy question (the model was unsure or
            called it out of scope), so the passages are looked up by the message's own words, not a stock phrase.
        corrections: typos corrected against the catalog's words ({"teapott": "teapot"}).
        recipient_words: the words that named who it is for ("teenager" for the recipient "teen").
        angry: the message reads as an angry complaint.
        notes: why an override changed the model's intent (for logs and tests).
    """

    model_config = ConfigDict(frozen=True)
    # Guessed on first use: only a search reads it, and the guess costs a forward pass of the embedder (a policy
    # question or an order turn has no use for it).
    _category_guess: Callable[[], tuple[str, ...]] = PrivateAttr(default=tuple)

    text: str
    intent: Intent
    confidence: float = 0.0
    top: list[tuple[Intent, float]] = Field(default_factory=list)
    confident: bool = False
    context: TurnContext = TurnContext.none
    slots: Slots = Field(default_factory=Slots)
    query: str = ""
    has_product_content: bool = False
    head: str = ""
    head_phrase: tuple[str, ...] = ()
    unknown_names: tuple[str, ...] = ()
    unprinted_likes: tuple[str, ...] = ()
    named_early: bool = False
    names_product: bool = False
    category_filter: bool = False
    targets: tuple[ProductId, ...] = ()
    points_beyond: bool = False
    similar: bool = False
    among_shown: bool = False
    rejected: bool = False
    attribute: str = ""
    degree: Literal["", "most", "least"] = ""
    degree_of: Literal["", "weight", "size"] = ""
    complements: bool = False
    adds_target: bool = False
    roles: tuple[Role, ...] = ()
    asks_set: bool = False  # read only for an unsure message: it lists things, says a set, or names a theme
    bundle_op: BundleOp | None = None
    item_query: str = ""
    problem: ProblemKind | None = None
    asks_remedy: bool = False
    latest_order: bool = False
    own_order: bool = False
    quantity_change: QuantityChange | None = None
    recent: bool = False
    order_target: str | None = None
    all_orders: bool = False
    follows_on: bool = False
    supposes: bool = False
    points_back: bool = False
    asks_spending: bool = False
    people: int | None = None
    ranks_orders: OrderRank | None = None
    asks_total: bool = False
    says_cancelled: bool = False
    speaks_of_someone: bool = False
    describes_only: bool = False
    narrows: bool = False
    in_stock: bool = False
    for_use: tuple[str, ...] = ()
    doing: tuple[str, ...] = ()
    like_order: bool = False
    shows: tuple[str, ...] = ()
    list_count: int | None = None
    target_quantity: int | None = None
    count_unclear: int | None = None
    catalog_match: float | None = None
    near_products: bool = False
    near_policy: bool = False
    policy_match: float | None = None
    asks_policy: bool = False
    corrections: dict[str, str] = Field(default_factory=dict)
    recipient_words: tuple[str, ...] = ()
    angry: bool = False
    notes: tuple[str, ...] = ()

    def with_intent(self, intent: Intent, note: str) -> Understanding:
        """This understanding with another intent, and the reason noted."""
        return self.model_copy(update={"intent": intent, "confident": True, "notes": (*self.notes, note)})

    @property
    def likely_categories(self) -> tuple[str, ...]:
        return self._category_guess()

    def guessing_categories(self, guess: Callable[[], tuple[str, ...]]) -> Understanding:
        """This understanding with its likely categories to be guessed by ``guess`` when first read (once)."""
        copy = self.model_copy()
        copy._category_guess = cache(guess)
        return copy


class BundleSpec(BaseModel):
    """How the current bundle was asked for, so edits can rebuild it."""

    theme: str | None = None
    anchor_id: str | None = None
    budget: str | None = None  # Decimal as text
    size: int | None = None
    quantity: int | None = None
    people: int | None = None  # a set for a number of people: its per-person items come that many times
    include_anchor: bool = False
    roles: list[str] = Field(default_factory=list)  # "monitor, keyboard and mouse": one item per role
    role_heads: list[str] = Field(default_factory=list)  # the word naming each role's thing, in the same order
    picked: bool = False  # every item is one the shopper picked ("add the first two to a bundle"): none to rebuild


class PendingRequest(BaseModel):
    """A request a clarifying question is completing ("a present" -> "who is it for?")."""

    intent: Intent
    query: str = ""
    slots: Slots = Field(default_factory=Slots)


class DialogState(BaseModel):
    """What the assistant remembers about one conversation.

    Handlers never mutate it: they return a :class:`StateUpdate` that
    :class:`~assistant.dialog.manager.DialogManager` applies and stores.
    """

    model_config = ConfigDict(extra="forbid")

    session_id: str
    user_id: str | None = None
    turn: int = 0
    last_intent: Intent | None = None
    last_act: str | None = None
    slots: Slots = Field(default_factory=Slots)  # the standing search constraints
    query: str | None = None  # the standing search words
    kind: str = ""  # what the shown products are, named from their titles ("cake stands"): refinements keep it
    shown: list[ShownProduct] = Field(default_factory=list)  # last products shown, in order
    viewed_ids: list[str] = Field(default_factory=list)  # everything shown/chosen this conversation
    ruled_out: list[str] = Field(default_factory=list)  # turned down ("not that one"): no refinement shows them
    bundle: ShownBundle | None = None
    bundle_spec: BundleSpec | None = None
    clarified: bool = False  # the previous turn asked a clarifying question
    pending: PendingRequest | None = None  # what a clarifying question is completing
    failures: int = 0  # consecutive turns the assistant couldn't help
    order_id: str | None = None  # last order discussed
    orders_shown: list[str] = Field(default_factory=list)  # the orders last listed, in order
    order_lines: list[str] = Field(default_factory=list)  # the products of the order lines last shown, in order
    problem: ProblemKind | None = None  # what went wrong with an order, as the last problem report read it
    focus_id: str | None = None  # the product being talked about ("it", "that one")
    missing: str = ""  # what the last search asked for and the shop does not carry ("iphone 15"): "it" means that
    transcript_after: int = 0  # message id after which this identity's conversation starts (a sign-in switch)
    offer: str = ""  # what "yes" means now: the request the last reply offered
    offer_handoff: bool = False  # ... a hand-off to a person, for the reason in ``offer``
    topic: str = ""  # the policy question last answered: "how much is it?" next is asked of it
    order_things: list[str] = Field(default_factory=list)  # what the last history answer was about: "order them again"
    subject: str = ""  # ... as the shopper named it ("lunch boxes"): "do they come in pink" next asks of them

    @property
    def shown_ids(self) -> list[str]:
        return [p.id for p in self.shown]

    screen: TurnContext = TurnContext.none  # what the previous reply left on the screen

    @property
    def context(self) -> TurnContext:
        """What the previous reply left on the screen, as the intent model reads it."""
        return self.screen


class StateUpdate(BaseModel):
    """The changes one handler makes to the dialog state; unset fields stay as they are."""

    model_config = ConfigDict(extra="forbid")

    slots: Slots | None = None
    query: str | None = None
    kind: str | None = None
    shown: list[ShownProduct] | None = None
    viewed_ids: list[str] | None = None
    ruled_out: list[str] | None = None
    bundle: ShownBundle | None = None
    bundle_spec: BundleSpec | None = None
    pending: PendingRequest | None = None
    order_id: str | None = None
    orders_shown: list[str] | None = None
    problem: ProblemKind | None = None
    focus_id: str | None = None
    missing: str | None = None
    topic: str | None = None
    order_things: list[str] | None = None
    subject: str | None = None

    def __or__(self, other: StateUpdate) -> StateUpdate:
        return StateUpdate(**(self.model_dump(exclude_unset=True) | other.model_dump(exclude_unset=True)))

    def apply(self, state: DialogState) -> DialogState:
        return state.model_copy(update={k: getattr(self, k) for k in self.model_fields_set})
