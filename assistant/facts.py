"""The facts a reply may state: the only input a reply generator gets.

The dialog manager decides *what* to say and collects the facts (products,
bundle, order, policy passages); a :class:`~assistant.nlg.ReplyGenerator`
decides *how* to say it. A generator never sees the database, so it can only
state what is here, and the grounding check verifies that it did.
"""

from __future__ import annotations

from enum import Enum
from typing import Literal

from pydantic import BaseModel, Field

from assistant.types import Intent, ShownBundle, ShownProduct
from cartwise.models import Order


class Act(str, Enum):
    """What the turn does; each act has its own reply template."""

    greet = "greet"
    thank = "thank"
    goodbye = "goodbye"
    show_products = "show_products"  # search or refine results
    no_results = "no_results"  # nothing matched: say so, suggest relaxing a filter
    compare = "compare"  # two or more products side by side
    product_info = "product_info"  # one product's facts
    show_bundle = "show_bundle"  # a new or edited bundle
    clarify = "clarify"  # one clarifying question with options (and products beside it)
    explain = "explain"  # why each shown item was picked
    did_you_mean = "did_you_mean"  # unsure intent: offer options
    order_status = "order_status"  # the owner's order
    order_list = "order_list"  # the owner's recent orders
    sign_in_required = "sign_in_required"
    order_not_found = "order_not_found"  # not on this account (never says whether it exists)
    order_action = "order_action"  # cancel/change/refund/invoice request about an owned order
    order_problem = "order_problem"  # broken, missing, wrong or lost: the order, the policy, the window
    policy_answer = "policy_answer"
    policy_unknown = "policy_unknown"
    handoff = "handoff"
    out_of_scope = "out_of_scope"
    input_rejected = "input_rejected"  # empty, too long, rate limited
    account_deleted = "account_deleted"


class PolicyPassage(BaseModel):
    source: str  # e.g. "returns.md § Return window"
    text: str
    score: float = 0.0

    @property
    def heading(self) -> str:
        """The section heading ("Returns and refunds § Who pays for return postage?" -> the question), or the
        document title for the text before the first heading."""
        return self.source.rpartition(" § ")[2]


class ReplyFacts(BaseModel):
    """Everything one reply may mention.

    Attributes:
        act: what the turn does.
        intent: the intent acted on ("" until a handler or the dialog manager sets it).
        user_text: the shopper's message (generators may echo intent, never invent from it).
        products: products to present, best first, each with its reason.
        bundle: the bundle to present.
        order: the owner's order (only ever set for the owner).
        orders: the owner's recent orders (order_list).
        passages: policy passages that answer the question.
        options: quick replies offered with the turn.
        slots: understood constraints (budget, colour, recipient...) as display strings.
        currency: the shop's currency symbol (from its profile; the dialog manager sets it on every reply).
        detail: a short free-text fact for the act (e.g. why input was rejected, what the hand-off ticket is).
        shop_name: shown in greetings.
        offer: what a plain "yes" from the shopper will mean next turn (a message the reply asks about,
            e.g. "make me a bundle with it"); empty when the reply asks no yes/no question.
    """

    act: Act
    intent: Intent | Literal[""] = ""
    user_text: str = ""
    products: list[ShownProduct] = Field(default_factory=list)
    bundle: ShownBundle | None = None
    order: Order | None = None
    orders: list[Order] = Field(default_factory=list)
    passages: list[PolicyPassage] = Field(default_factory=list)
    options: list[str] = Field(default_factory=list)
    slots: dict[str, str] = Field(default_factory=dict)
    currency: str = ""
    detail: str = ""
    shop_name: str = "the shop"
    relaxed: list[str] = Field(default_factory=list)  # filters dropped to find anything
    offer: str = ""
    offer_handoff: bool = False  # the offer is a hand-off to a person (done at once on "yes", the offer its reason)
    # product_info about the product whose details the last reply showed: its card is on the screen already, so
    # the answer is the facts asked about, not the card again ("is it in stock?" after its details).
    on_screen: bool = False
