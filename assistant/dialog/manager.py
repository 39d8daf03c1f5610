"""The dialog manager: one turn = understand, decide, gather facts, phrase, remember.

Understanding finishes first (:class:`~assistant.understanding.Understander` turns the message and the screen
into a typed :class:`~assistant.types.Understanding`); handlers decide from that alone and return
reply facts and a typed :class:`~assistant.types.StateUpdate`; only :meth:`DialogManager.respond`
applies the update and stores it (with the redacted transcript) in one transaction, so a crash never leaves
half a turn and a restart loses nothing.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from typing import Any, Literal

from assistant.dialog.handlers.bundles import BundlePlanner, standing_request
from assistant.dialog.handlers.picks import ShopperPicks
from assistant.dialog.handlers.shopping import SHOW, ShoppingAdvisor, TurnResult, prints_all
from assistant.dialog.state import SessionStore, screen_after
from assistant.facts import Act, ReplyFacts
from assistant.nlg.phrasing import plural
from assistant.nlg.protocols import ReplyGenerator
from assistant.nlg.templates_service import MAX_ORDER_LINES
from assistant.protocols import Limiter
from assistant.rate_limit import RateLimiter
from assistant.redact import has_card_number, redact
from assistant.service.customer_service import (
    ORDER_INTENTS,
    CustomerService,
    lines_first,
    printing,
    ranked_first,
)
from assistant.service.policies import POLICY_QUERIES
from assistant.types import DialogState, Intent, PendingRequest, Reply, Screen, ShownProduct, StateUpdate, Understanding
from assistant.understanding import Understander
from assistant.understanding.catalog import stem, words_of
from assistant.understanding.content import content_words
from assistant.understanding.references import PLURAL_PRONOUNS, name_words
from assistant.understanding.text import (
    clean_message,
    is_cjk_heavy,
    is_foreign_language,
    is_unreadable,
    strip_markup,
)
from assistant.understanding.understander import (
    LOOKS_UP_ORDERS,
    UNSURE_GUESS,
    asks_a_question,
    unsure_guess,
)
from assistant.understanding.vocab import ORDER_WORDS
from cartwise.models import Order, OrderStatus
from finetune.context import TurnContext

logger = logging.getLogger(__name__)

# Quick-reply phrases for "did you mean …?": each reads as a message the model classifies well.
INTENT_PHRASES: dict[Intent, str] = {
    Intent.search_product: "Help me find a product",
    Intent.build_bundle: "Put together a gift set",
    Intent.compare_products: "Compare products",
    Intent.product_info: "Tell me more about a product",
    Intent.recommend_for_me: "Recommend something for me",
    Intent.best_sellers: "What are your best sellers?",
    Intent.track_order: "Where is my order?",
    Intent.purchase_history: "What did I buy last time?",
    Intent.report_problem: "There's a problem with my order",
    Intent.cancel_order: "I want to cancel an order",
    Intent.get_refund: "I want a refund",
    Intent.check_refund_policy: "What is your returns policy?",
    Intent.delivery_options: "What are the shipping options?",
    Intent.delivery_period: "How long does delivery take?",
    Intent.check_payment_methods: "Which payment methods do you accept?",
    Intent.contact_human_agent: "Talk to a person",
    Intent.complaint: "I want to make a complaint",
}
# The quick reply that asks the same of the order in focus, after a policy answer of one of these intents (it is
# sent as the shopper's next message).
ORDER_REQUESTS: dict[Intent, str] = {
    Intent.cancel_order: "Cancel order {order}",
    Intent.change_order: "Change order {order}",
    Intent.get_refund: "I want a refund for order {order}",
    Intent.track_refund: "Where is my refund for order {order}?",
    Intent.get_invoice: "I need the invoice for order {order}",
    Intent.check_invoice: "Show me the invoice for order {order}",
    Intent.change_shipping_address: "Change the delivery address of order {order}",
}
# Words that say the message is about an order the shopper placed (what was in it decides which).
_ORDER_MENTIONS = frozenset({"order", "ordered", "parcel", "package", "delivery", "shipment"})
FAILURE_ACTS = {Act.no_results, Act.out_of_scope, Act.policy_unknown, Act.did_you_mean}
CLARIFY_OPTIONS = ["It's for my mum", "It's for a child", "Something under 10", "A birthday present"]
HANDOFF_AFTER_FAILURES = 3
REORDER_AS_GUEST = "Sign in to order again from your past orders. Here is what we have now:"
NOT_ORDERED_BEFORE = "I can't find “{things}” in your past orders. Here is what we have now:"
ORDERED_AT_ANOTHER_TIME = "Your orders placed {when} had no “{things}”; order {order} had. Here is what we have now:"
NOT_IN_ORDERS = "No: I don't see “{things}” in your orders. Here is what we have now:"
SHORT_FOLLOW_UP = 2  # words: a longer message the model calls out of scope after a policy answer is a new topic,
# unless it opens as a fragment going on from it ("and to ireland?")
NEAR_PRODUCTS = 3  # the closest products shown beside an out-of-scope answer: a hint, not a result list
TOPIC_WORDS = 24  # the policy topic a follow-up is asked of: the last question or two, not the whole chat
_PRODUCT_TURNS = frozenset({Intent.product_info, Intent.search_product, Intent.refine_search,
                            Intent.compare_products})
# Shopping answers that need no words to search: the shop's best sellers, the shopper's own picks.
_LISTS_OF_THEIR_OWN = frozenset({Intent.best_sellers, Intent.recommend_for_me})
_SHOPPING_GUESSES = frozenset({Intent.search_product, Intent.build_bundle, Intent.recommend_for_me,
                               Intent.best_sellers})
# What the answer to a clarifying question can be read as, when it completes the request asked about.
_COMPLETES_PENDING = frozenset({Intent.search_product, Intent.build_bundle, Intent.refine_search,
                                Intent.out_of_scope, Intent.recommend_for_me})
# What an angry message is handed to a person for.
_ANGRY_HANDOFF = frozenset({Intent.complaint, Intent.contact_customer_service, Intent.out_of_scope,
                            Intent.report_problem})
# "delete my chat history", "clear this conversation", "forget our chat": the shopper wants this session forgotten.
_DELETE_HISTORY = re.compile(
    r"\b(?:delete|erase|clear|wipe|remove|forget)\b(?:\s+(?:all|my|the|this|our|of|entire|whole|previous))*\s+"
    r"(?:chat|chats|conversation|conversations|messages|transcript|history)\b", re.I)
# Short answers to a question the assistant asked; the words that agree are one list for both readings below.
_AGREEING = r"yes|yeah|yep|yup|sure|ok|okay|go ahead"
_YES = re.compile(rf"^\s*(?:{_AGREEING}|please|yes please|please do|do it|sounds good|"
                  r"why not|definitely|absolutely|of course)(?:\s*,?\s*(?:please|thanks|thank you))?\s*[.!]*\s*$", re.I)
# "yes please pass it on", "ok, do that": an agreement that goes on in words of its own.
_YES_OPENING = re.compile(rf"^\s*(?:{_AGREEING})\b[\s,.!]*(?P<rest>\S.*)$", re.I)
_NO = re.compile(r"^\s*(?:no|nope|nah|no thanks|no thank you|not now|not really|maybe later)\s*[.!]*\s*$", re.I)
# "actually no dont", "oh no, leave it": a refusal that goes on in words of its own.
_NO_OPENING = re.compile(r"^\s*(?:(?:actually|oh|um|erm|hmm|wait)\b[\s,.!]*)?(?:no|nope|nah)\b[\s,.!]*(?P<rest>\S.*)$",
                         re.I)

# Shown whenever a message carries a card number (the transcript keeps only "[card]").
CARD_WARNING = ("Please don't type card numbers in this chat: I never need them, and I've kept the number out of "
                "our records of this conversation.")


def _as_remedy(u: Understanding, state: DialogState) -> Understanding:
    """A remedy asked ("can i get a new one sent") as the problem just reported; its words name no broken thing
    ("money" is no Money Box of the order)."""
    return u.model_copy(update={"problem": state.problem, "head": None, "query": "", "head_phrase": ()})


def _when(u: Understanding) -> str:
    """ "on 9 November", "in January", "last week": when the shopper said the order was placed."""
    return u.slots.placed.when() if u.slots.placed is not None else "then"


# What can be done to an order only until it arrives.
_CHANGES_AN_ORDER = frozenset({Intent.cancel_order, Intent.change_order, Intent.change_shipping_address})
# Order questions that act on an order (a cancelled order is none to act on), unlike "where is it?".
_ACTS_ON_AN_ORDER = _CHANGES_AN_ORDER | {Intent.get_refund}
# What the model may read a thing an order had as, named to answer "which order is it?" ("the jam jars").
_ANSWERS_NAMING_A_THING = _PRODUCT_TURNS | {Intent.out_of_scope, Intent.reorder, Intent.track_order}


def _live_first(orders: list[Order]) -> list[Order]:
    """The orders that were not cancelled, when there are any (else all): what can be reordered or returned."""
    return [o for o in orders if o.status is not OrderStatus.cancelled] or orders


def _open_to(intent: Intent, orders: list[Order]) -> list[Order]:
    """``orders`` with those the request can act on first, in their order: delivered ones for a return, those still
    to come for a cancellation or a change ("the one with the lunch boxes" for a return is the delivered order that
    had them, not the one on its way that has them too; "the mugs from my last order" is of the last order still)."""
    delivered = intent == Intent.get_refund
    return sorted(orders, key=lambda o: (o.status is OrderStatus.delivered) != delivered)


def screen_of(state: DialogState) -> Screen:
    """What the previous reply left on the shopper's screen, as understanding reads it."""
    return Screen(context=state.context, products=state.shown,
                  bundle=state.bundle.items if state.bundle else [], focus_id=state.focus_id,
                  order_id=state.order_id, orders=state.orders_shown if state.context is TurnContext.order else [],
                  query=state.query or "", budget=_budget_form(state),
                  subject=state.subject if state.last_intent == Intent.purchase_history else "")


def _budget_form(state: DialogState) -> Literal["max", "about"] | None:
    """Whether the request on the screen has a budget, and of which form ("around £15" or "under £10")."""
    if state.context is TurnContext.bundle and state.bundle is not None:
        return "max" if state.bundle.budget is not None else None
    if state.context in (TurnContext.products, TurnContext.product):
        return "about" if state.slots.budget_aim() is not None else "max" if state.slots.budget_max else None
    return None


class DialogManager:
    """Runs conversations.

    Args:
        understander: turns a message and the screen into an :class:`Understanding`.
        shopping: search / refine / compare / product questions / explanations.
        bundles: bundle building and editing.
        picks: personal picks and best sellers.
        service: orders, purchase history, problem orders, policies and hand-off.
        sessions: the dialog state store.
        generator: phrases reply facts.
        currency: the shop's currency symbol.
        shop_name: used in greetings.
        max_chars: longest message accepted.
        rate_limit: turns per session per minute.
    """

    def __init__(self, understander: Understander, shopping: ShoppingAdvisor, bundles: BundlePlanner,
                 picks: ShopperPicks, service: CustomerService, sessions: SessionStore, generator: ReplyGenerator,
                 currency: str, shop_name: str, max_chars: int = 2000, rate_limit: int = 60) -> None:
        self.understander = understander
        self.shopping = shopping
        self.bundles = bundles
        self.picks = picks
        self.service = service
        self.sessions = sessions
        self.generator = generator
        self.currency = currency
        self.shop_name = shop_name
        self.max_chars = max_chars
        self.limiter: Limiter = RateLimiter(rate_limit)  # the composition root swaps in a Redis one when configured

    # ------------------------------------------------------------------ turn
    def respond(self, message: str, session_id: str, user_id: str | None = None) -> Reply:
        state = self.sessions.load(session_id) or DialogState(session_id=session_id, user_id=user_id)
        if state.user_id != user_id:
            # Another identity on this session: start clean so nothing of the other account carries over, not even
            # into a hand-off ticket's transcript.
            state = DialogState(session_id=session_id, user_id=user_id,
                                transcript_after=self.sessions.last_message_id(session_id))
        text = clean_message(message if isinstance(message, str) else "")
        facts, update, understanding = self._decide(text, message, state, user_id)
        new_state = self._next_state(state, facts, update)
        reply_text = self.generator.generate(facts)
        if has_card_number(text):
            reply_text = f"{CARD_WARNING}\n\n{reply_text}"
        if facts.act == Act.account_deleted:
            # The shopper asked to forget this conversation: delete it, and don't store this turn either.
            self.sessions.delete(session_id)
        else:
            self.sessions.save_turn(new_state, redact(text[:4000]), redact(reply_text), facts.intent)
        return Reply(
            text=reply_text, intent=facts.intent or Intent.out_of_scope,
            confidence=round(understanding.confidence if understanding else 0.0, 4),
            products=facts.products, bundle=facts.bundle if facts.act == Act.show_bundle else None,
            handoff=facts.act == Act.handoff, options=facts.options, slots=facts.slots, session_id=session_id,
            sources=[p.source for p in facts.passages],
        )

    def _decide(self, text: str, raw: Any, state: DialogState,
                user_id: str | None) -> tuple[ReplyFacts, StateUpdate, Understanding | None]:
        base = {"currency": self.currency, "shop_name": self.shop_name}
        if not text:
            detail = "the message was empty; type what you are looking for"
            return (ReplyFacts(act=Act.input_rejected, intent=Intent.out_of_scope, detail=detail, **base),
                    StateUpdate(), None)
        if len(raw) > self.max_chars:
            detail = f"it is {len(raw)} characters long and the limit is {self.max_chars}; please shorten it"
            return (ReplyFacts(act=Act.input_rejected, intent=Intent.out_of_scope, detail=detail, **base),
                    StateUpdate(), None)
        if not self.limiter.allow(state.session_id):
            detail = f"more than {self.limiter.per_minute} messages in a minute; please wait a moment and try again"
            return (ReplyFacts(act=Act.input_rejected, intent=Intent.out_of_scope, detail=detail, **base),
                    StateUpdate(), None)
        if _DELETE_HISTORY.search(text):
            facts = ReplyFacts(act=Act.account_deleted, intent=Intent.delete_account, user_text=text,
                               detail="chat_history", **base)
            return facts, StateUpdate(), None
        if is_cjk_heavy(text) or is_foreign_language(text):
            facts = ReplyFacts(act=Act.out_of_scope, intent=Intent.out_of_scope, user_text=text, detail="language",
                               options=["Show me gift ideas", "Where is my order?"], **base)
            return facts, StateUpdate(), None
        plain = strip_markup(text) or text
        if state.offer and not _YES.match(plain) and self._asks_nothing_else(_YES_OPENING.match(plain), state):
            plain = "yes"
        if _YES.match(plain) and state.offer and state.offer_handoff:
            facts = self.service.handoff(state.session_id, user_id, state.offer, text, Intent.contact_human_agent)
            facts.currency, facts.shop_name = self.currency, self.shop_name
            return facts, StateUpdate(), None
        if _YES.match(plain) and state.offer:
            plain = state.offer  # "yes" to "Shall I build a bundle around it?" is that request
        elif _YES.match(plain) or _NO.match(plain) or (
                state.offer and self._asks_nothing_else(_NO_OPENING.match(plain), state, refusing=True)):
            # A bare "ok" / "no thanks" with nothing offered: acknowledge, don't guess a new request. ("actually no
            # dont" after "would you like me to connect you with a person?" was a goodbye at 0.67.)
            return ReplyFacts(act=Act.thank, intent=Intent.thanks, user_text=text, **base), StateUpdate(), None
        u = self.understander.understand(plain, screen_of(state))
        logger.debug("understood %r as %s (%.2f) %s", plain[:80], u.intent, u.confidence, u.notes)
        if is_unreadable(plain, self.understander.catalog.reads):
            # "asdkjh qwe zxc" (picks for the shopper at 0.68 to the model): no word of it is one the models or the
            # catalog know; said so, not guessed at.
            facts = ReplyFacts(act=Act.out_of_scope, intent=Intent.out_of_scope, user_text=text, detail="unreadable",
                               options=["Show me gift ideas", "Where is my order?"], **base)
            return facts, StateUpdate(), u
        result = self._route(u, state, user_id)
        result.facts.currency, result.facts.shop_name = self.currency, self.shop_name
        if not result.facts.intent:
            result.facts.intent = u.intent
        return result.facts, result.update, u

    def _asks_nothing_else(self, opening: re.Match[str] | None, state: DialogState, refusing: bool = False) -> bool:
        """Whether a message that opens with "yes" or "no" only answers what the last reply offered: its other words
        ask for nothing else ("yes please pass it on", "actually no dont"), where "yes, and show me mugs", "ok, where
        is my order" or "no, show me mugs" do."""
        if opening is None:
            return False
        words = opening["rest"].lower().split()
        if refusing and len(words) == 2 and words[1] in ("it", "them"):
            # "no leave it", "nah forget it": an order about the thing offered, no thing named ("no leave it" was
            # the account's deletion, an unsure guess at 0.32, "Leaves" being printed in titles).
            return True
        rest = self.understander.understand(opening["rest"], screen_of(state))
        # A question, a thing named or a constraint asks for something else; the model's reading of the words
        # alone is no guide ("pass it on" after a problem report is a cancellation to it).
        return not (rest.names_product or rest.slots.filled() or asks_a_question(words, opening["rest"]))

    # ------------------------------------------------------------------ routing
    def _route(self, u: Understanding, state: DialogState, user_id: str | None) -> TurnResult:
        if state.pending is not None and u.context is TurnContext.clarify and not u.targets and \
                u.intent in _COMPLETES_PENDING \
                and u.has_product_content:
            return self._complete_pending(u, state.pending, state, user_id)
        if (line := self._line_pointed_at(u, state, user_id)) is not None:
            return self.shopping.info(u.model_copy(update={"targets": (line,)}), state, user_id)
        intent = u.intent
        if intent == Intent.report_problem and u.slots.order_id and not u.query \
                and state.last_intent in _ORDER_LOOK_UPS and ((u.context is TurnContext.order and state.orders_shown)
                                                              or state.last_act == Act.sign_in_required.value):
            # "its order 581587" after "where's my parcel" listed the shopper's orders (a problem report to the model
            # at 0.97, "I'm sorry it has not arrived"): it answers "which one?", so the question goes on. So does
            # a guest's "its 581491" after "sign in to see your orders" ("your order came with the wrong item").
            intent = state.last_intent
        # Looked up at most once a turn: it reads the shopper's last 50 orders (36 ms on the demo shop).
        described: list[Order] | None = None
        looked_up = False
        if (not u.confident or intent == Intent.out_of_scope) and user_id and _mentions_an_order(u):
            described, looked_up = self._orders_described(u, user_id), True
        if described is not None and len(described) == 1:
            # "the hot water bottles i ordered, are they on the way?", "where's the parcel with the dog licence
            # sign": the signed-in shopper's own order with those things, not a search or "out of scope".
            intent = Intent.track_order
        elif not u.confident:
            guess, p = unsure_guess(u)
            goes_on = u.context is TurnContext.policy and (u.follows_on or u.points_back) \
                and state.last_intent in POLICY_QUERIES
            # "how do i do that" after the returns policy: words with no topic of their own go on with the answer's
            # (below), whatever policy an unsure read guesses ("create an account" at 0.36); "how long does that
            # take" has one (delivery times).
            if guess in POLICY_QUERIES and p >= UNSURE_GUESS and not (goes_on and not u.has_product_content):
                intent = guess  # a quoted policy passage is a safe answer to a likely policy question
            elif state.offer_handoff and state.offer and not u.names_product:
                # "what happens now?", "can someone sort it out?" after "a person can still look at it with you":
                # the offer taken, not a search for "happens".
                return TurnResult(self.service.handoff(state.session_id, user_id, state.offer, u.text,
                                                       Intent.contact_human_agent))
            elif u.has_product_content and guess not in ORDER_INTENTS:
                # retrieval first; but "whats selling well at the moment" (best sellers at 0.43) names nothing the
                # titles print: the shop's best sellers (or the shopper's picks) are the likeliest answer.
                # A set is built around things the shop sells: "any hdmi cables" (a set at 0.51) names one it does
                # not know, and the search says so; and only where the message says a set (its things, a set word,
                # a theme): "secret santa ideas under 10 pounds" (a set at 0.52) asks for presents, each within it.
                intent = Intent.build_bundle if guess == Intent.build_bundle and not u.unknown_names and u.asks_set \
                    else guess if (
                    guess in _LISTS_OF_THEIR_OWN and p >= UNSURE_GUESS and not u.names_product) \
                    else Intent.search_product
            elif guess in _SHOPPING_GUESSES and p >= UNSURE_GUESS:
                intent = guess  # "I need a present": nothing to search yet: a question, with products beside it
            elif p >= UNSURE_GUESS and guess != Intent.out_of_scope and not goes_on:
                # ("and for sale items?" after a policy answer goes on below)
                options = [INTENT_PHRASES[i] for i, _ in u.top if i in INTENT_PHRASES][:3] or list(
                    INTENT_PHRASES.values())[:3]
                return TurnResult(ReplyFacts(act=Act.did_you_mean, intent=guess, user_text=u.text, options=options))
            else:
                intent = Intent.out_of_scope
        if intent == Intent.purchase_history and u.slots.placed is not None and user_id and not u.asks_spending \
                and not u.targets:
            # "what did i buy on 8 april", "what did i get back in january": the orders placed then, with what was in
            # them, not what the shopper buys most. ("did i buy that last year" asks of the product pointed at.)
            intent = Intent.track_order
        if state.last_intent == Intent.best_sellers and intent in (Intent.search_product, Intent.refine_search) \
                and not u.targets and (u.follows_on or (
                    not u.names_product and not state.query
                    and (u.slots.budget_max or u.slots.price in ("cheaper", "low")))
                    # ("any in the kitchen range": a refinement to one of the shop's categories, named as such.)
                    or (intent == Intent.refine_search and u.category_filter and bool(u.slots.categories))
                    # ("only headphones" after what is on offer: a refinement of the offers.)
                    or (intent == Intent.refine_search and state.slots.price == "discounted")
                    # ("anything for christmas" after the shop's best sellers, with no request standing: the best
                    # sellers for christmas, not things like the cake tins shown, from their categories.)
                    or (intent == Intent.refine_search and not state.query and u.names_product)):
            # "and in the kitchen stuff?", "anything cheaper than those?" after the best sellers: the best sellers
            # there or at that price, as the fragment goes on with the list it follows (after the best sellers of
            # a kind, "cheaper ones" is that kind, cheaper, as after a search). Not one of them pointed at:
            # "something similar to the first but cheaper" is like that one.
            intent = Intent.best_sellers
        elif state.last_intent == Intent.recommend_for_me and intent in (Intent.search_product, Intent.refine_search) \
                and not u.targets and not u.names_product and not state.query \
                and (u.slots.budget_max or u.slots.price in ("cheaper", "low")
                     or (intent == Intent.refine_search and not u.query and not u.slots.filled())):
            # "cheaper", "under a fiver" after the shopper's own picks: their picks at that price; "something else",
            # "show me more": more of their picks.
            intent = Intent.recommend_for_me
        if u.context is TurnContext.policy and state.last_intent in POLICY_QUERIES \
                and not u.targets and not u.slots.order_id and (
                    (intent in _PRODUCT_TURNS and not u.names_product and not u.for_use)
                    or (u.follows_on and intent not in POLICY_QUERIES
                        and (intent not in ORDER_INTENTS or u.supposes)  # "what if i opened it"
                        and not u.names_product and not u.for_use)
                    or (intent == Intent.out_of_scope and u.points_back)  # "how long" prints in titles too
                    or (intent == Intent.out_of_scope and len(u.text.split()) <= SHORT_FOLLOW_UP
                        and not u.names_product)):
            # "what about klarna?", "and to ireland?", "klarna?" after a policy answer: nothing the catalog prints and
            # nothing on the screen to point at, so the question goes on with the policy topic, not a product. A
            # whole question the model calls out of scope ("tell me a joke") is a new topic, unless it points back
            # at the answer ("how long do i have to do that?"). "What about something for a teaching assistant"
            # asks for a thing, whatever the words after its "for" print.
            return self._policy(state.last_intent, u, state, goes_on=True)
        if u.context is TurnContext.order and state.last_intent in _ACTS_ON_AN_ORDER and state.topic \
                and u.points_back and not u.has_product_content and not u.slots.order_id:
            # "how do i do that" after "you can still return it": how to do what was just asked of the order (a
            # question with no topic of its own; placing an order to the model at 0.89).
            return self._policy(state.last_intent, u, state, goes_on=True)
        if intent in ORDER_INTENTS and u.ranks_orders and not u.order_target and user_id \
                and u.context is TurnContext.order and len(state.orders_shown) > 1:
            # "the biggest one" under a list of orders: the one of those listed with the largest total; "the oldest
            # one", the one placed first (and so for the problem reported, after "which order is it about?").
            listed = self.service.orders_among(user_id, state.orders_shown)
            if listed:
                u = u.model_copy(update={"order_target": ranked_first(listed, u.ranks_orders).id})
        asked_which_order = state.last_intent == Intent.report_problem and bool(state.problem) and bool(user_id) \
            and state.last_act in (Act.order_problem.value, Act.order_list.value)
        if asked_which_order and (intent in (Intent.track_order, Intent.report_problem) or u.slots.order_id) \
                and (u.slots.order_id or u.order_target or u.latest_order) \
                and (_names_only_orders(u) or (u.ranks_orders and not u.names_product)):
            # "579494", "yes that one, 579494" or "it was the last order" after a problem report: which order it was,
            # for the same problem (the number alone says nothing about what went wrong; "order 536838 never turned
            # up" is a new report).
            return self._problem(u.model_copy(update={"problem": state.problem}), state, user_id,
                                 u.slots.order_id or u.order_target)
        # "the jam jars" after "which order is it?": things an order of theirs had, named as the answer (a search to
        # the model). A question ("do you sell teapots"), or things none of their orders had, is a new request.
        # (Or the model's own first reading is one: "the mugs from my last order" after "which order is it?" for a
        # return, an order again to it at 0.50, was then taken as a missing item, the likeliest question about orders.)
        names_what_it_had = u.names_product and not (u.slots.order_id or u.order_target) \
            and (intent in _ANSWERS_NAMING_A_THING or (bool(u.top) and u.top[0][0] in _ANSWERS_NAMING_A_THING)) \
            and not asks_a_question(u.text.lower().split(), u.text)
        if asked_which_order and state.last_act == Act.order_list.value and names_what_it_had:
            if not looked_up:
                described, looked_up = self._orders_described(u, user_id), True
            if described:
                # The order that had them, for the problem just reported.
                return self._problem(u.model_copy(update={"problem": state.problem}), state, user_id, described[0].id)
        if state.last_act in (Act.order_list.value, Act.order_action.value) \
                and state.last_intent in _ACTS_ON_AN_ORDER and user_id \
                and intent != state.last_intent and not asks_a_question(u.text.lower().split(), u.text):
            # "581491", "the second one" or "the jam jars" after "which order is it?" for a return or a cancellation
            # (or after the one order it took to be the one): the order the request was about (an order's status,
            # or a search, to the model). The orders looked up for it stand for the rest of the turn (as the request
            # acts on them: live ones first).
            acted_on = u.with_intent(state.last_intent, "the order asked for")
            if u.head and not u.names_product and u.head not in ORDER_WORDS and not (
                    u.slots.order_id or u.order_target or u.latest_order or u.slots.placed):
                # "the one with the spaceship": a thing no title prints, so no order of theirs had it.
                return self._not_in_orders(acted_on, state.last_intent, [stem(u.head)], user_id)
            if names_what_it_had:
                described, looked_up = self._orders_described(acted_on, user_id), True
                if not described and (things := self._order_things(acted_on)):
                    # "the one with the lanterns", and no order of theirs had any: said, and the orders the request
                    # may be about listed again (it listed them with no word on the lanterns, for an order's status).
                    return self._not_in_orders(acted_on, state.last_intent, things, user_id)
            if ((u.slots.order_id or u.order_target or u.latest_order) and _names_only_orders(u)) \
                    or (names_what_it_had and described):
                intent, u = state.last_intent, acted_on
        # (Or asked before the order was chosen, after "which order is it about?": "can i get a replacement instead",
        # an order again to the model at 0.67, asks the same remedy; the orders are listed again.)
        choosing = state.last_act == Act.order_list.value and not u.order_target and not u.latest_order \
            and not u.names_product
        if state.last_intent == Intent.report_problem and state.problem and user_id \
                and ((state.order_id and state.last_act == Act.order_problem.value) or choosing) \
                and u.problem is None and not u.slots.order_id \
                and (intent == Intent.report_problem or u.asks_remedy
                     or (intent == Intent.get_refund and state.problem != "not_arrived")
                     or (intent == Intent.reorder and choosing)):
            # "can i get a new one sent", "can i get a replacement" after "one of the mugs was chipped": a remedy asked
            # for the problem just reported, which it describes no other of (not a wrong item, not the returns
            # policy's no-swaps rule). A return after an order that never came is of something else it had.
            return self._problem(_as_remedy(u, state), state, user_id, state.order_id if not choosing else None)
        if not user_id and u.asks_remedy and state.last_intent == Intent.report_problem and state.problem \
                and state.last_act == Act.order_problem.value:
            # A guest's "can you send me a new one" after their problem report: the same problem, and how to go on
            # with it (signed in, or by the order's number); no policy answers "send me a new one" alone.
            return self._problem(_as_remedy(u, state), state, None, None)
        if u.slots.price == "discounted" and u.context is TurnContext.order and u.slots.reference_text \
                and not u.slots.order_id and state.order_id and user_id and not u.names_product \
                and (order := self.service.last_order(user_id, state.order_id)) is not None:
            # "is any of that still on sale" after an order's contents (the order again to the model, at 0.68),
            # "any of those on offer now?" after the last order: which of its products are on offer now.
            return self.picks.on_offer(u, state, among=[line.product_id for line in order.lines])
        arriving = intent == Intent.delivery_period and u.own_order and bool(user_id) and not u.slots.order_id
        if arriving:
            # "when will my order arrive", "how long until my parcel comes", signed in (delivery times to the
            # model): the shopper's own order, its status and when it should come; a guest gets the policy.
            intent = Intent.track_order
        if u.angry and intent in _ANGRY_HANDOFF:
            handoff = self.service.handoff(state.session_id, user_id, "angry complaint", u.text, Intent.complaint)
            if intent == Intent.report_problem and user_id:
                # "this is ridiculous my order still hasnt come", signed in: a person is on it, and the shopper sees
                # what the order's records say now rather than only a ticket number.
                result = self._handlers(u, state, user_id)[intent]()
                if result.facts.act is Act.order_problem and result.facts.order is not None:
                    result.facts.slots = {**result.facts.slots, "ticket": handoff.detail}
                    # Nothing is left to offer: the person already has it.
                    result.facts.options, result.facts.offer, result.facts.offer_handoff = [], "", False
                    return result
            return TurnResult(handoff)
        handler = self._handlers(u, state, user_id).get(intent)
        if handler is not None:
            result = handler()
            if u.near_policy and intent == u.intent and result.facts.act in (Act.show_products, Act.show_bundle) \
                    and not result.facts.passages:
                # "do you do gift wrapping": the gift wrap, and the passage on the wrapping service beside it.
                result.facts.passages = self.service.closest_passage(u.text)
            return result
        if intent in ORDER_INTENTS:
            # "cancel it", "can i return something from it" after an order mean that order; "how do I get a
            # refund?" names none.
            # A change asked right after an order still to come ("can i change the delivery address") is a change to
            # that order (one delivered is past changing: the policy answers, with the order a tap away).
            still_to_come = self.service.underway(user_id) if (
                intent in _CHANGES_AN_ORDER and not u.all_orders and user_id and state.order_id
                and u.context is TurnContext.order) else None
            points = bool(u.slots.reference_text) or u.points_back or (
                intent == Intent.track_order and not u.all_orders) or (
                still_to_come is not None and any(o.id == state.order_id for o in still_to_come))
            if not looked_up:
                described = self._orders_described(u, user_id)
            if described is not None and len(described) != 1:
                facts = self._which_order(u, described, user_id)
                return TurnResult(facts, StateUpdate(orders_shown=[o.id for o in facts.orders]))
            order_id = u.slots.order_id or u.order_target or (described[0].id if described else None) or (
                state.order_id if u.context is TurnContext.order and points else None)
            # "when will my order arrive", "where is my order", "has my parcel shipped yet": the one order still to
            # come is the one asked about (with none, or several, the orders are listed to choose from).
            # Tracking asks after the shopper's own things whatever they call them ("where is my stuff").
            tracking_own = intent == Intent.track_order and not u.all_orders
            # So is the one to cancel or change: "i want to cancel my order" with one order still to come is that one.
            acting_on_own = intent in _CHANGES_AN_ORDER and u.own_order and not u.all_orders
            underway = (still_to_come if still_to_come is not None else self.service.underway(user_id)) \
                if user_id and not order_id and (arriving or tracking_own or acting_on_own) else []
            the_one_underway = len(underway) == 1
            if the_one_underway:
                order_id = underway[0].id
            if not order_id and u.latest_order and user_id:
                # "i want to return something from my last order": that order, not the policy alone.
                # "why was my last order cancelled" is of the latest order of all, a cancelled one too; "cancel my
                # last order", of the latest that can still be cancelled.
                latest = self.service.last_order(user_id, None, cancelled=u.says_cancelled)
                order_id = latest.id if latest else None
            if intent != Intent.track_order and not order_id:
                # "how do I get a refund?" names no order: the policy answers it, for guests and customers alike.
                # An unsure read's stock phrase is left out, as in _policy: "do i have to pay for the return
                # postage" (a refund at 0.47) is looked up by its own words, not pulled to the 30-day window.
                facts = self.service.policy(intent, u.text, with_hint=not u.asks_policy and u.confident)
                choices = self._orders_to_act_on(intent, u, user_id, underway)
                if len(choices) > 1:
                    # "i want to return something", "i want to cancel my order" with two on their way: which order,
                    # beside what the policy says; the answer ("the jam jars", "581491") goes on with the request.
                    facts = ReplyFacts(act=Act.order_list, intent=intent, user_text=u.text, orders=choices,
                                       detail="Which order is it?", passages=facts.passages,
                                       options=[ORDER_REQUESTS[intent].format(order=o.id) for o in choices[:3]])
                    return TurnResult(facts, StateUpdate(orders_shown=[o.id for o in choices]))
                if acting_on_own and user_id and not facts.detail and not underway:
                    # "i want to cancel my order" with every order delivered or cancelled: none is left to act on.
                    facts.detail = "You have no order still on its way, so there is none left to " + (
                        "cancel." if intent == Intent.cancel_order else "change.")
                if user_id and state.order_id and intent in ORDER_REQUESTS:
                    facts.options = [ORDER_REQUESTS[intent].format(order=state.order_id)]
                return TurnResult(facts)
            facts = self.service.order(intent, order_id, user_id, u.text)
            facts.slots = u.slots.as_strings()
            if the_one_underway and facts.order:
                facts.options = [*facts.options, "Show all my orders"]  # the others, a tap away
            if facts.order and described:
                facts.order = lines_first(facts.order, printing(self._order_things(u)))
            if facts.order:
                # What was asked of the order is the topic a question with none of its own goes on with, in the words
                # of its request ("I want a refund for order 580731": "can i send it back" looks up nothing).
                topic = StateUpdate(topic=ORDER_REQUESTS[intent].format(order=facts.order.id)) \
                    if intent in _ACTS_ON_AN_ORDER else StateUpdate()
                return TurnResult(facts, StateUpdate(order_id=facts.order.id) | topic)
            return TurnResult(facts, StateUpdate(orders_shown=[o.id for o in facts.orders]))
        if intent in POLICY_QUERIES:
            result = self._policy(intent, u, state,
                                  goes_on=u.context is TurnContext.policy and (u.follows_on or u.points_back))
            if intent == Intent.delivery_period and u.own_order and not user_id and result.facts.passages:
                # A guest's "when will my order arrive": the delivery times for anyone, and how to get their own.
                result.facts.detail = "Sign in and I can tell you when your own order should arrive."
            return result
        return self._out_of_scope(u, state, user_id)

    def _out_of_scope(self, u: Understanding, state: DialogState, user_id: str | None) -> TurnResult:
        """Out of scope; with the closest policy passage, or else the closest products, beside it when they are near,
        so a need the model does not read as shopping ("serve a boiled egg at breakfast") still sees the egg cups."""
        facts = ReplyFacts(act=Act.out_of_scope, intent=Intent.out_of_scope, user_text=u.text)
        if u.near_policy:
            # "are you open on bank holidays" (below the policy check): a question to the shop, so the passage
            # closest to it, rather than products.
            facts.passages = self.service.closest_passage(u.text)
            if facts.passages:
                return TurnResult(facts)
        if not u.near_products or _mentions_an_order(u):
            # "where is the parcel with the dog licence sign" (a guest): about an order, not a thing to buy.
            return TurnResult(facts)
        facts.products = self.shopping.closest(u, state, user_id, k=NEAR_PRODUCTS)
        return TurnResult(facts, StateUpdate(shown=facts.products) if facts.products else StateUpdate())

    def _policy(self, intent: Intent, u: Understanding, state: DialogState, goes_on: bool) -> TurnResult:
        # "how much is it?" after the next-day delivery answer asks what next-day delivery costs: a question that
        # goes on from the last policy answer is asked of its topic too (alone it is closest to the pallet rate).
        topic = state.topic if goes_on else ""
        # A question the policy text itself recognised is looked up by its own words: an intent's stock phrase
        # would pull towards that intent's passage ("do you price match" is no "contact customer service").
        # An unsure guess's stock phrase would pull a new question towards its own passage ("where do i put my promo
        # code", a cancellation-fee question at 0.33, found the cancellation fee): the shopper's words look it up
        # alone. A follow-up ("how long does that take" after delivery abroad) is looked up beside its topic, and
        # its intent's phrase weighs no more than the two ("what about klarna" after paypal: the payment methods).
        facts = self.service.policy(intent, u.text, topic,
                                    with_hint=not u.asks_policy and (u.confident or bool(topic)))
        return TurnResult(facts, StateUpdate(topic=" ".join(f"{topic} {u.text}".split()[-TOPIC_WORDS:])))

    def _handlers(self, u: Understanding, state: DialogState,
                  user_id: str | None) -> dict[Intent, Callable[[], TurnResult]]:
        text = u.text
        # The order the last reply was about: one shown, or one just ordered again ("one of the items was broken"
        # right after "can i get that again").
        order_in_focus = u.slots.order_id or (state.order_id if u.context is TurnContext.order
                                              or state.last_intent is Intent.reorder else None)
        return {
            Intent.greeting: lambda: TurnResult(ReplyFacts(act=Act.greet, intent=Intent.greeting, user_text=text,
                                                           options=[
                f"Gift ideas under {self.currency}20", "What are your best sellers?", "Where is my order?"])),
            Intent.thanks: lambda: TurnResult(ReplyFacts(act=Act.thank, intent=Intent.thanks, user_text=text)),
            Intent.goodbye: lambda: TurnResult(ReplyFacts(act=Act.goodbye, intent=Intent.goodbye, user_text=text)),
            Intent.out_of_scope: lambda: self._out_of_scope(u, state, user_id),
            Intent.search_product: lambda: self._which_count(u) or self._like_order(u, state, user_id)
            or self._clarify(u, state, user_id, Intent.search_product) or self.shopping.search(u, state, user_id),
            Intent.refine_search: lambda: self._which_count(u) or self.shopping.refine(u, state, user_id),
            Intent.product_info: lambda: (
                # "how much is it all now?" after a bundle, pointing at no item of it: the bundle and its total.
                self.bundles.as_it_stands(u, state)
                if state.bundle is not None and u.context is TurnContext.bundle and (not u.targets or u.asks_total)
                and not u.names_product else self._which_product(u, state, user_id)
                or self.shopping.info(u, state, user_id)),
            Intent.compare_products: lambda: self.shopping.compare(u, state, user_id),
            Intent.explain_choice: lambda: self.shopping.explain(u, state),
            Intent.build_bundle: lambda: self._which_count(u) or (
                None if u.targets or u.roles else self._clarify(u, state, user_id, Intent.build_bundle))
            or self.bundles.build(u, state, user_id),
            Intent.edit_bundle: lambda: self.bundles.edit(u, state, user_id),
            Intent.recommend_for_me: lambda: self.picks.for_shopper(u, state, user_id),
            Intent.best_sellers: lambda: self.picks.best_sellers(u, state),
            Intent.purchase_history: lambda: self._history(u, state, user_id),
            Intent.reorder: lambda: self._reorder(u, state, user_id),
            Intent.report_problem: lambda: self._problem(u, state, user_id, order_in_focus),
            Intent.contact_human_agent: lambda: TurnResult(
                self.service.handoff(state.session_id, user_id, f"asked for a person: {text}", text,
                                     Intent.contact_human_agent)),
            Intent.delete_account: lambda: TurnResult(self.service.policy(Intent.delete_account, text).model_copy(
                update={"options": ["Delete my chat history"]})),
        }

    def _clarify(self, u: Understanding, state: DialogState, user_id: str | None, intent: Intent) -> TurnResult | None:
        """One clarifying question, with products beside it, for a request that says nothing about what is wanted
        ("I need a present"); never two in a row."""
        if u.has_product_content or state.clarified or (state.bundle is not None and intent == Intent.build_bundle):
            return None
        if intent == Intent.build_bundle and standing_request(u, state) is not None:
            return None  # "make it a bundle" after a list: a set for the request that listed it
        if u.slots.exclude and state.query:
            return None  # "not a mug, she has loads": the standing search, without mugs
        products, personal = self._picks_beside(user_id, state)
        options = [o.replace("under 10", f"under {self.currency}10") for o in CLARIFY_OPTIONS]
        facts = ReplyFacts(act=Act.clarify, intent=intent, user_text=u.text, options=options, products=products,
                           detail="Who is it for, or what's your budget?",
                           slots={"personal": "yes"} if personal else {})
        update = StateUpdate(pending=PendingRequest(intent=intent, query=u.query, slots=u.slots))
        if products:
            update = update | StateUpdate(shown=products)
        return TurnResult(facts, update)

    def _picks_beside(self, user_id: str | None, state: DialogState) -> tuple[list[ShownProduct], bool]:
        """What a question is asked beside, never alone: the shopper's picks, else the best sellers; and whether
        personal."""
        picks, personal = self.picks.picks_for(user_id, state, k=SHOW)
        return [ShownProduct(id=p.product.id, title=p.product.title, price=p.product.price,
                             category=p.product.category, reason=p.reason, in_stock=p.product.in_stock)
                for p in picks], personal

    def _line_pointed_at(self, u: Understanding, state: DialogState, user_id: str | None) -> str | None:
        """ "the first one" after one order's details (no list of orders on the screen): the product of that line of
        the order, asked about (a product's details to the model at 0.45, its order's status at 0.43; "the last one"
        was that order's status again). Only a pointer alone: "cancel the first one" acts on the order."""
        index = u.slots.reference_index
        if index is None or not user_id or u.context is not TurnContext.order or not state.order_id \
                or state.orders_shown or u.targets or u.query or u.intent not in _ORDER_LINE_READINGS:
            return None
        # (Of the lines the reply showed, as it listed them: "the last one" is the last listed, not the last of an
        # order of 65 lines, nor of its first lines before the chipped mugs were put first.)
        products = state.order_lines
        position = index - 1 if index > 0 else len(products) + index
        return products[position] if 0 <= position < len(products) else None

    def _which_product(self, u: Understanding, state: DialogState, user_id: str | None) -> TurnResult | None:
        """ "what size is it", "does it come in red" with no product on the screen and none named: which one is
        asked, with products beside the question to pick from (not the details of whatever its words matched)."""
        if u.targets or state.focus_id or state.shown_ids or u.names_product or u.slots.brands or u.unknown_names:
            return None
        products, personal = self._picks_beside(user_id, state)
        facts = ReplyFacts(act=Act.clarify, intent=Intent.product_info, user_text=u.text, products=products,
                           detail="Which product would you like to know about?",
                           slots={"personal": "yes"} if personal else {})
        return TurnResult(facts, StateUpdate(shown=products) if products else StateUpdate())

    @staticmethod
    def _which_count(u: Understanding) -> TurnResult | None:
        """ "i need 20 of them" after a list: whether 20 in all or 20 of each, asked (the list stays on the screen,
        so "20 of each" or "20 of the first one" next answers it)."""
        if u.count_unclear is None:
            return None
        n = u.count_unclear
        return TurnResult(ReplyFacts(act=Act.clarify, intent=u.intent, user_text=u.text,
                                     detail=f"Would you like {n} of each of these, or {n} of one of them?",
                                     options=[f"{n} of each", f"{n} of the first one"]))

    def _complete_pending(self, u: Understanding, pending: PendingRequest, state: DialogState,
                          user_id: str | None) -> TurnResult:
        """The answer to a clarifying question completes the request it asked about."""
        merged = u.model_copy(update={"slots": pending.slots.merge(u.slots),
                                      "query": " ".join(x for x in (pending.query, u.query) if x)})
        if pending.intent == Intent.build_bundle:
            result = self.bundles.build(merged, state, user_id)
        else:
            result = self.shopping.search(merged, state.model_copy(update={"query": None}), user_id)
        result.update = result.update | StateUpdate(pending=None)
        return result

    def _orders_described(self, u: Understanding, user_id: str | None) -> list[Order] | None:
        """The signed-in shopper's orders the message describes by when they were placed or what was in them ("the
        one I placed on 9 november", "the order with the cake tins"), best first: one when the description picks
        one; none when a date is given and no order of theirs matches it; None when the message describes no order
        (or names one by number or place in a list), or only by things no order of theirs had."""
        if not user_id or u.slots.order_id or u.order_target:
            return None
        things = self._order_things(u)
        if u.slots.placed is None and not things:
            return None
        found = self.service.find_orders(user_id, u.slots.placed, things)
        if u.intent in _ACTS_ON_AN_ORDER:
            # "can i return the hand warmers": an order that can still be returned or changed, not a cancelled one
            # that also had them.
            found = _live_first(found) if u.latest_order else _open_to(u.intent, _live_first(found))
        if u.slots.placed is None:
            return found[:1] or None
        return found if u.slots.placed.days_ago is None else found[:1]

    def _orders_to_act_on(self, intent: Intent, u: Understanding, user_id: str | None,
                          underway: list[Order]) -> list[Order]:
        """The signed-in shopper's orders a wish to return something, or to cancel or change an order, may be about
        when it names none: for a return those delivered, else those still on their way (``underway``, when already
        looked up). A question ("how do i return something") asks the policy, not about an order of theirs."""
        if not user_id or intent not in _ACTS_ON_AN_ORDER or asks_a_question(u.text.lower().split(), u.text) \
                or u.asks_policy:
            return []
        if intent == Intent.get_refund:
            return self.service.orders_in(user_id, OrderStatus.delivered)[:5]
        return (underway or self.service.underway(user_id))[:5]

    def _not_in_orders(self, u: Understanding, intent: Intent, things: list[str], user_id: str) -> TurnResult:
        """An order to act on described by things none of the shopper's orders had: said, with the orders it may be
        about to choose from (or the recent ones)."""
        choices = self._orders_to_act_on(intent, u, user_id, []) or self.service.orders_in(user_id, *OrderStatus)[:5]
        missing = f"I can't find “{self._as_typed(u, things)}” in your orders."
        facts = ReplyFacts(act=Act.order_list, intent=intent, user_text=u.text, orders=choices,
                           detail=f"{missing} Which order is it?",
                           options=[ORDER_REQUESTS[intent].format(order=o.id) for o in choices[:3]])
        return TurnResult(facts, StateUpdate(orders_shown=[o.id for o in choices]))

    def _which_order(self, u: Understanding, described: list[Order], user_id: str | None) -> ReplyFacts:
        """No order of theirs placed when the shopper said, or two then: the list to choose from, said why."""
        facts = self.service.order(Intent.track_order, None, user_id, u.text)
        if described:
            facts.orders = described
            facts.detail = f"You placed {len(described)} orders {_when(u)}. Which one is it?"
        else:
            facts.detail = f"I can't find an order of yours placed {_when(u)}. Which one is it?"
        return facts

    @staticmethod
    def _as_typed(u: Understanding, things: Sequence[str]) -> str:
        """The words naming what was in an order (``things``, from :meth:`_order_things`), as the shopper typed them
        ("candles", not the stem "candle")."""
        return " ".join(w for w in u.query.split() if stem(w) in things)

    def _order_things(self, u: Understanding) -> list[str]:
        """The words of the message that could name what was in an order ("the cake tins"): words the titles print.
        ("i bought a cake stand from you last year and loved it": "loved" names nothing an order had, and looking
        for it too said no order had the cake stand the shopper bought.)"""
        # "the same candles again": "same" says which ones, it is no part of their name.
        titles = self.understander.catalog.title_counts
        return [w for w in name_words(content_words(u.query.split())) if w not in ORDER_WORDS and w != "same"
                and titles.get(w, 0)]

    def _history(self, u: Understanding, state: DialogState, user_id: str | None) -> TurnResult:
        if u.asks_spending and u.points_back and state.order_id and u.context is TurnContext.order and user_id:
            # "how much did i spend on it" after an order: that order and its total.
            facts = self.service.order(Intent.track_order, state.order_id, user_id, u.text)
            facts.intent = Intent.purchase_history
            return TurnResult(facts)
        asked = tuple(u.targets) or (self._named_products(u) if u.names_product else ())
        things_said = self._order_things(u)
        typed = self._as_typed(u, things_said)
        # "how much did i spend last year": a span, not the last order ("my last order" still is one).
        latest = u.latest_order or (u.recent and not u.asks_spending)
        facts = self.service.history(user_id, u.text, asked, latest=latest, spending=u.asks_spending,
                                     by_total=u.ranks_orders, placed=u.slots.placed if u.asks_spending else None,
                                     # ("did i buy that last year": "No: I don't see “Paper Chain Kit 50'S
                                     # Christmas” in your orders", not "that product".)
                                     named=typed if asked and not u.targets else next(
                                         (p.title for p in state.shown if u.targets and p.id == u.targets[0]), ""),
                                     named_words=things_said if asked and not u.targets else (),
                                     count=u.list_count if latest else None)
        if facts.products:  # what they buy most, to point at next ("order the first one again")
            return TurnResult(facts, StateUpdate(shown=facts.products, focus_id=facts.products[0].id, query=""))
        named = typed or " ".join(u.head_phrase)
        if asked and not u.targets and facts.act is Act.order_list and facts.orders and u.query and named:
            # "i ordered some lanterns last time, do you still have them", "have i bought candles before": none of
            # their orders had one; the lanterns the shop has now answer more than a list of orders to open.
            found = self.shopping.search(u, state, user_id)
            if found.facts.products and not found.facts.detail:
                found.facts.detail = NOT_IN_ORDERS.format(things=named)
                found.facts.intent = Intent.purchase_history
                return found
        # "order them again" after "have i bought any candles before": the candles, not the whole order.
        things = StateUpdate(order_things=things_said if asked else [],
                             subject=" ".join(u.head_phrase) or typed if asked else "")
        if facts.orders:  # "my last three orders": "the second one", "the biggest" then point into this list
            things = things | StateUpdate(orders_shown=[o.id for o in facts.orders])
        return TurnResult(facts, (StateUpdate(order_id=facts.order.id) | things) if facts.order else things)

    def _named_products(self, u: Understanding) -> tuple[str, ...]:
        """ "have I ordered the lunch bags before?": the products the words name, best matches first."""
        if not u.query:
            return ()
        found = [p for p, _ in self.shopping.find(u.query, u.slots, u.category_filter, DialogState(session_id="-"),
                                                    None).ranked[:10]]
        # A product named by its title is that product: "have I ordered the London Bus Coffee Mug before?" is not
        # answered yes for the Retro Coffee Mugs the search ranks beside it.
        words = self._order_things(u)
        named = [p for p in found if words and prints_all(words, p)]
        return tuple(p.id for p in named or found)

    def _like_order(self, u: Understanding, state: DialogState, user_id: str | None) -> TurnResult | None:
        """ "get me something similar" under the shopper's order: products like its first line, none it had; None
        when the message asks for no such thing or the order is not theirs to read."""
        if not u.like_order or not user_id or not state.order_id:
            return None
        order = self.service.last_order(user_id, state.order_id)
        if order is None or not order.lines:
            return None
        had = [line.product_id for line in order.lines]
        # Named by their range: the standing search ("mugs", earlier) is not what the order had.
        return self.shopping.similar(had[0], u.slots, u, state, user_id, also_exclude=had, named_by="")

    def _reorder(self, u: Understanding, state: DialogState, user_id: str | None) -> TurnResult:
        """ "order the same again": the last order (or the one named) as a bundle the shopper can adjust."""
        if not user_id:
            if u.names_product and u.query:
                # "my kid broke his nintendo controller again": a guest's past orders are not ours to read, but the
                # thing named is in the catalog to buy.
                found = self.shopping.search(u, state, user_id)
                if found.facts.products and not found.facts.detail:
                    found.facts.detail = REORDER_AS_GUEST
                    return found
            return TurnResult(ReplyFacts(act=Act.sign_in_required, intent=Intent.reorder, user_text=u.text))
        # "the candles i got last time, can i get them again": the latest order that had candles, and only them.
        things = self._order_things(u) if not u.slots.order_id else []
        if not things and state.last_intent == Intent.purchase_history and state.order_things \
                and PLURAL_PRONOUNS.intersection(words_of(u.text)):
            # "order them again" after "have i bought any candles before": the candles (a pronoun in the singular,
            # "order that again", is the order the answer showed).
            things = list(state.order_things)
        if things and u.slots.placed is None and not u.order_target:
            # The latest order that had them and was not cancelled: what came is what to order again.
            having = self.service.find_orders(user_id, None, things)
            described = _live_first(having)[:1] or None
        else:
            described = self._orders_described(u, user_id)
        if things and not described and u.names_product and u.query:
            found = self.shopping.search(u, state, user_id)
            if found.facts.products and not found.facts.detail:
                # "i bought a cake stand from you last year": none then, but an order at another time had one; the
                # reply says which (it said no past order had one, above a cake stand "you bought before").
                elsewhere = self.service.find_orders(user_id, None, things) if u.slots.placed is not None else []
                found.facts.detail = ORDERED_AT_ANOTHER_TIME.format(
                    when=_when(u), things=" ".join(things), order=elsewhere[0].id) if elsewhere else \
                    NOT_ORDERED_BEFORE.format(things=" ".join(things))
                return found
        order = described[0] if described else self.service.last_order(user_id, u.slots.order_id or state.order_id)
        if order is None:
            return TurnResult(ReplyFacts(act=Act.order_not_found if u.slots.order_id else Act.order_list,
                                         intent=Intent.reorder, user_text=u.text, orders=[]))
        return self.bundles.from_order(order, u, state, only=printing(things) if described and things else None)

    def _problem(self, u: Understanding, state: DialogState, user_id: str | None,
                 order_id: str | None) -> TurnResult:
        note = ""
        arrived = u.problem != "not_arrived"
        if u.latest_order and not u.slots.order_id and user_id:  # "my last order" outranks the order in focus
            # "my last order came chipped": the last order that has arrived, unless it is the parcel that hasn't.
            latest = self.service.last_order(user_id, None, delivered=arrived)
            order_id = latest.id if latest else None
        if u.slots.placed is not None and (described := self._orders_described(u, user_id)) is not None:
            # "the order i placed in october never came": the order placed then (not the one in focus), or the
            # orders to choose from.
            if len(described) != 1:
                facts = self._which_order(u, described, user_id).model_copy(update={"intent": Intent.report_problem})
                return TurnResult(facts, StateUpdate(problem=u.problem or "damaged",
                                                     orders_shown=[o.id for o in facts.orders]))
            order_id = described[0].id
        # What broke: the thing named, not how it came ("my parcel came and one of the mugs was smashed": mugs). A
        # word no title prints names nothing an order had ("its been ages": "ages" is in "Storage Jar").
        titles = self.understander.catalog.title_counts
        thing = next((w for w in (u.head, *self._order_things(u)) if w and w not in ORDER_WORDS
                      and titles.get(stem(w), 0)), "")
        if user_id and thing and not u.slots.order_id:
            # "one of the mugs in my last order was chipped": the latest order that had a mug.
            having = self.service.orders_with(user_id, thing, delivered=arrived)
            if having and order_id not in {o.id for o in having}:
                if order_id:
                    note = f"Order {order_id} has no {thing} in it; order {having[0].id} does."
                order_id = having[0].id
            elif not having and thing == u.head:
                # "a broken teapot in my last order" and no order of theirs had one: the thing the message is about
                # is one the shop sells, so it names what broke, and no order is blamed for it; the shopper picks.
                note = f"I can't find any {plural(thing)} in your recent orders."
                order_id = None
        facts = self.service.problem(u.problem, order_id, user_id, u.text, state.session_id, note=note)
        if facts.order is not None and thing:
            facts.order = lines_first(facts.order, printing([thing]))  # "one of the mugs ... was chipped": mugs first
        update = StateUpdate(problem=u.problem or "damaged")
        if facts.orders:  # "which order is it about?": "the second one" then points into this list
            update = update | StateUpdate(orders_shown=[o.id for o in facts.orders])
        return TurnResult(facts, update | StateUpdate(order_id=facts.order.id) if facts.order else update)

    # ------------------------------------------------------------------ state
    def _next_state(self, state: DialogState, facts: ReplyFacts, update: StateUpdate) -> DialogState:
        failures = state.failures + 1 if facts.act in FAILURE_ACTS else 0
        if failures >= HANDOFF_AFTER_FAILURES and facts.act != Act.handoff:
            handoff = self.service.handoff(state.session_id, state.user_id, "repeated failure", facts.user_text,
                                           facts.intent)
            facts.act, facts.detail, facts.passages = Act.handoff, handoff.detail, handoff.passages
            failures = 0
        clarified = facts.act == Act.clarify
        new = update.apply(state)
        changes: dict[str, Any] = {"turn": state.turn + 1, "last_intent": facts.intent, "last_act": facts.act.value,
                                   "offer": facts.offer, "offer_handoff": facts.offer_handoff,
                                   "failures": failures, "clarified": clarified,
                                   "screen": screen_after(facts.act.value, explained_bundle=facts.bundle is not None,
                                                          explained=len(facts.products))}
        if facts.act == Act.no_results and facts.intent == Intent.edit_bundle and new.bundle is not None:
            # "I couldn't find a replacement for the mouse": the set is unchanged and still what is being edited.
            changes["screen"] = TurnContext.bundle
        if {"shown", "bundle"} & update.model_fields_set and "missing" not in update.model_fields_set:
            # Best sellers or a set shown after "we don't carry ...": "any of those in stock?" asks of them, not of
            # the thing the shop lacked.
            changes["missing"] = ""
        if not clarified and "pending" not in update.model_fields_set:
            changes["pending"] = None
        if facts.order is not None:
            # The lines as the reply listed them (the mugs first, for a chipped mug): "the last one" points there.
            changes["order_lines"] = [line.product_id for line in facts.order.lines[:MAX_ORDER_LINES]]
        return new.model_copy(update=changes)


# Questions that look an order up (not a problem report): after one listed the shopper's orders, naming one of them
# answers it.
# What a pointer alone after one order's details reads as, to the model: that order's details again, or a product's.
_ORDER_LINE_READINGS = frozenset({Intent.product_info, Intent.track_order, Intent.purchase_history,
                                  Intent.out_of_scope})
_ORDER_LOOK_UPS = LOOKS_UP_ORDERS - {Intent.report_problem}


def _names_only_orders(u: Understanding) -> bool:
    """Whether the message's words name nothing but an order ("579494", "it was the last order"): no other thing."""
    return not [w for w in content_words(u.query.split()) if w not in ORDER_WORDS]


def _mentions_an_order(u: Understanding) -> bool:
    """Whether the message speaks of an order or a parcel ("where is the parcel with the dog licence sign")."""
    return bool(_ORDER_MENTIONS & set(u.query.split()))
