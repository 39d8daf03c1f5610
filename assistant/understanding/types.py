"""The typed result of understanding one message, and what understanding needs to know of the screen.

Handlers decide from an :class:`Understanding` alone: they never read the shopper's raw text.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from assistant.reply import BundleItem, ShownProduct
from assistant.understanding.slots import Slots
from cartwise.models import ProductId
from finetune.context import TurnContext

BundleOp = Literal["add", "remove", "swap", "rebudget", "quantity"]
ProblemKind = Literal["damaged", "missing_item", "wrong_item", "not_arrived", "faulty"]


class Screen(BaseModel):
    """What the shopper sees from the previous reply: the context the message is read in.

    Attributes:
        context: what the previous reply was (a list, one product, a bundle, an order, a question...).
        products: the products listed, in the order shown.
        bundle: the items of the bundle on the screen.
        focus_id: the product being talked about ("it", "that one").
        order_id: the order being talked about.
        query: the standing search ("lunch bag").
    """

    model_config = ConfigDict(frozen=True)

    context: TurnContext = TurnContext.none
    products: list[ShownProduct] = Field(default_factory=list)
    bundle: list[BundleItem] = Field(default_factory=list)
    focus_id: ProductId | None = None
    order_id: str | None = None
    query: str = ""


class Role(BaseModel):
    """One of several things asked for together ("a teapot and 4 cups": teapot x1, cups x4)."""

    model_config = ConfigDict(frozen=True)

    query: str
    quantity: int = Field(1, ge=1)
    head: str = ""  # the word naming the thing ("webcam" of "a webcam for zoom calls"); "" when none


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
        similar: the shopper wants more like the targets ("more like the first one").
        rejected: the targets are ruled out ("not that one").
        attribute: a property asked about ("battery life", "warranty"), to be quoted from the product data.
        complements: a bundle is wanted to go with the target ("what goes with it"), the target itself not in it.
        roles: several things asked for together, one bundle item each ("monitor, keyboard and mouse").
        bundle_op: for a bundle edit, what to do.
        item_query: what to add, or to swap in ("a case", "a cheaper one"); "" when nothing is named.
        problem: for a problem with an order, which kind.
        latest_order: the message is about the shopper's most recent order ("my last order arrived broken").
        catalog_match: cosine similarity of the query to the closest product (when it was looked up).
        corrections: typos corrected against the catalog's words ({"teapott": "teapot"}).
        angry: the message reads as an angry complaint.
        notes: why an override changed the model's intent (for logs and tests).
    """

    model_config = ConfigDict(frozen=True)

    text: str
    intent: str
    confidence: float = 0.0
    top: list[tuple[str, float]] = Field(default_factory=list)
    confident: bool = False
    context: TurnContext = TurnContext.none
    slots: Slots = Field(default_factory=Slots)
    query: str = ""
    has_product_content: bool = False
    head: str = ""
    named_early: bool = False
    names_product: bool = False
    category_filter: bool = False
    likely_categories: tuple[str, ...] = ()
    targets: tuple[ProductId, ...] = ()
    similar: bool = False
    rejected: bool = False
    attribute: str = ""
    complements: bool = False
    roles: tuple[Role, ...] = ()
    bundle_op: BundleOp | None = None
    item_query: str = ""
    problem: ProblemKind | None = None
    latest_order: bool = False
    catalog_match: float | None = None
    corrections: dict[str, str] = Field(default_factory=dict)
    angry: bool = False
    notes: tuple[str, ...] = ()

    def with_intent(self, intent: str, note: str) -> Understanding:
        """This understanding with another intent, and the reason noted."""
        return self.model_copy(update={"intent": intent, "confident": True, "notes": (*self.notes, note)})
