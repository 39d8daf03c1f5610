"""The dialog manager: one turn = understand, decide, gather facts, phrase, remember.

Handlers return reply facts and state updates; only :meth:`DialogManager.respond`
applies the updates and stores them (with the redacted transcript) in one
transaction, so a crash never leaves half a turn and a restart loses nothing.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from typing import Any

from assistant.bundling import BundlePlanner
from assistant.facts import Act, ReplyFacts
from assistant.nlg.protocols import ReplyGenerator
from assistant.protocols import Limiter
from assistant.rate_limit import RateLimiter
from assistant.redact import has_card_number, redact
from assistant.reply import Reply
from assistant.service import ORDER_INTENTS, POLICY_QUERIES, CustomerService
from assistant.shopping import ShoppingAdvisor, TurnResult, slot_dict
from assistant.slots import SlotExtractor
from assistant.state import DialogState, SessionStore
from assistant.understanding import (
    Understanding,
    adjust_for_context,
    has_bundle_wording,
    is_cjk_heavy,
    is_foreign_language,
    strip_markup,
)
from finetune.classifier import IntentClassifier

logger = logging.getLogger(__name__)

# Quick-reply phrases for "did you mean …?": each reads as a message the model classifies well.
INTENT_PHRASES: dict[str, str] = {
    "search_product": "Help me find a product",
    "build_bundle": "Put together a gift set",
    "compare_products": "Compare products",
    "product_info": "Tell me more about a product",
    "track_order": "Where is my order?",
    "cancel_order": "I want to cancel an order",
    "get_refund": "I want a refund",
    "check_refund_policy": "What is your returns policy?",
    "delivery_options": "What are the shipping options?",
    "delivery_period": "How long does delivery take?",
    "check_payment_methods": "Which payment methods do you accept?",
    "contact_human_agent": "Talk to a person",
    "complaint": "I want to make a complaint",
}
FAILURE_ACTS = {Act.no_results, Act.out_of_scope, Act.policy_unknown, Act.did_you_mean}
CLARIFY_OPTIONS = ["It's for my mum", "It's for a child", "Something under 10", "A birthday present"]
HANDOFF_AFTER_FAILURES = 3
# "delete my chat history", "clear this conversation", "forget our chat": the shopper wants this session forgotten.
_DELETE_HISTORY = re.compile(
    r"\b(?:delete|erase|clear|wipe|remove|forget)\b(?:\s+(?:all|my|the|this|our|of|entire|whole|previous))*\s+"
    r"(?:chat|chats|conversation|conversations|messages|transcript|history)\b", re.I)


def clean_message(text: str) -> str:
    """Drop control characters and invalid code points; keep every script and emoji."""
    kept = [ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in {"Cc", "Cs", "Co", "Cn"}]
    return " ".join("".join(kept).split())


# Short answers to a question the assistant asked.
_YES = re.compile(r"^\s*(?:yes|yeah|yep|yup|sure|ok|okay|please|yes please|please do|go ahead|do it|sounds good|"
                  r"why not|definitely|absolutely|of course)(?:\s*,?\s*(?:please|thanks|thank you))?\s*[.!]*\s*$", re.I)
_NO = re.compile(r"^\s*(?:no|nope|nah|no thanks|no thank you|not now|not really|maybe later)\s*[.!]*\s*$", re.I)

# Shown whenever a message carries a card number (the transcript keeps only "[card]").
CARD_WARNING = ("Please don't type card numbers in this chat: I never need them, and I've kept the number out of "
                "our records of this conversation.")


class DialogManager:
    """Runs conversations.

    Args:
        classifier: the fine-tuned intent model.
        slots: the slot extractor.
        shopping: search / refine / compare / product questions.
        bundles: bundle building and editing.
        service: orders, policies and hand-off.
        sessions: the dialog state store.
        generator: phrases reply facts.
        currency: the shop's currency symbol.
        shop_name: used in greetings.
        max_chars: longest message accepted.
        rate_limit: turns per session per minute.
    """

    def __init__(self, classifier: IntentClassifier, slots: SlotExtractor, shopping: ShoppingAdvisor,
                 bundles: BundlePlanner, service: CustomerService, sessions: SessionStore, generator: ReplyGenerator,
                 currency: str, shop_name: str, max_chars: int = 2000, rate_limit: int = 60) -> None:
        self.classifier = classifier
        self.slot_extractor = slots
        self.shopping = shopping
        self.bundles = bundles
        self.service = service
        self.sessions = sessions
        self.generator = generator
        self.currency = currency
        self.shop_name = shop_name
        self.max_chars = max_chars
        self.limiter: Limiter = RateLimiter(rate_limit)  # wiring swaps in a Redis one when configured

    # ------------------------------------------------------------------ turn
    def respond(self, message: str, session_id: str, user_id: str | None = None) -> Reply:
        state = self.sessions.load(session_id) or DialogState(session_id=session_id, user_id=user_id)
        if state.user_id != user_id:
            # Another identity on this session: start clean so nothing of the other account carries over.
            state = DialogState(session_id=session_id, user_id=user_id)
        text = clean_message(message if isinstance(message, str) else "")
        facts, updates, understanding = self._decide(text, message, state, user_id)
        new_state = self._next_state(state, facts, updates, understanding)
        reply_text = self.generator.generate(facts)
        if has_card_number(text):
            reply_text = f"{CARD_WARNING}\n\n{reply_text}"
        if facts.act == Act.account_deleted:
            # The shopper asked to forget this conversation: delete it, and don't store this turn either.
            self.sessions.delete(session_id)
        else:
            self.sessions.save_turn(new_state, redact(text[:4000]), redact(reply_text), facts.intent)
        return Reply(
            text=reply_text, intent=facts.intent or "out_of_scope",
            confidence=round(understanding.confidence if understanding else 0.0, 4),
            products=facts.products, bundle=facts.bundle if facts.act == Act.show_bundle else None,
            handoff=facts.act == Act.handoff, options=facts.options, slots=facts.slots, session_id=session_id,
            sources=[p.source for p in facts.passages],
        )

    def _decide(self, text: str, raw: Any, state: DialogState,
                user_id: str | None) -> tuple[ReplyFacts, dict[str, Any], Understanding | None]:
        base = {"currency": self.currency, "shop_name": self.shop_name}
        if not text:
            detail = "the message was empty; type what you are looking for"
            return ReplyFacts(act=Act.input_rejected, intent="out_of_scope", detail=detail, **base), {}, None
        if len(raw) > self.max_chars:
            detail = f"it is {len(raw)} characters long and the limit is {self.max_chars}; please shorten it"
            return ReplyFacts(act=Act.input_rejected, intent="out_of_scope", detail=detail, **base), {}, None
        if not self.limiter.allow(state.session_id):
            detail = f"more than {self.limiter.per_minute} messages in a minute; please wait a moment and try again"
            return ReplyFacts(act=Act.input_rejected, intent="out_of_scope", detail=detail, **base), {}, None
        if _DELETE_HISTORY.search(text):
            facts = ReplyFacts(act=Act.account_deleted, intent="delete_account", user_text=text,
                               detail="chat_history", **base)
            return facts, {}, None
        if is_cjk_heavy(text) or is_foreign_language(text):
            facts = ReplyFacts(act=Act.out_of_scope, intent="out_of_scope", user_text=text, detail="language",
                               options=["Show me gift ideas", "Where is my order?"], **base)
            return facts, {}, None
        plain = strip_markup(text) or text
        if _YES.match(plain) and state.offer:
            plain = state.offer  # "yes" to "Shall I build a bundle around it?" is that request
        elif _YES.match(plain) or _NO.match(plain):
            # A bare "ok" / "no thanks" with nothing offered: acknowledge, don't guess a new request.
            return ReplyFacts(act=Act.thank, intent="thanks", user_text=text, **base), {}, None
        u = self._understand(plain, state)
        result = self._route(u, plain, state, user_id)
        result.facts.currency, result.facts.shop_name = self.currency, self.shop_name
        if not result.facts.intent:
            result.facts.intent = u.intent
        return result.facts, result.updates, u

    def _understand(self, text: str, state: DialogState) -> Understanding:
        prediction = self.classifier.predict(text)
        slots = self.slot_extractor.extract(text)
        u = Understanding(intent=prediction.label, confidence=prediction.confidence,
                          top=[(str(label), float(prob)) for label, prob in prediction.top3],
                          confident=prediction.is_confident,
                          slots=slots)
        return adjust_for_context(u, text, state)

    # ------------------------------------------------------------------ routing
    def _route(self, u: Understanding, text: str, state: DialogState, user_id: str | None) -> TurnResult:
        slots = slot_dict(u.slots)
        intent = u.intent
        answers = slots.keys() & {"recipient", "budget_max", "budget_min", "occasion", "product_type", "category"}
        # A message that points at a shown product is a request of its own, not the answer to the question.
        refers = slots.keys() & {"reference_index", "reference_text"}
        if state.clarified and state.pending and answers and not refers and not u.bundle_edit:
            merged = {k: v for k, v in state.pending.items() if k not in {"text", "intent"}} | slots
            combined = f"{state.pending.get('text', '')} {text}".strip()
            if state.pending.get("intent") == "build_bundle":  # "a bundle please" -> "for my mum": still a bundle
                result = self.bundles.handle(u, merged, combined, state, user_id)
            else:
                result = self.shopping.search(merged, combined, state, user_id)
            result.updates |= {"pending": {}}
            return result
        if not u.confident and intent not in {"refine_search"}:
            if slots.keys() & {"product_type", "category", "budget_max", "budget_min", "brand"} \
                    and intent not in ORDER_INTENTS:
                intent = "build_bundle" if intent == "build_bundle" else "search_product"
            elif intent == "out_of_scope" or u.confidence < 0.2:
                return TurnResult(ReplyFacts(act=Act.out_of_scope, intent="out_of_scope", user_text=text), {})
            else:
                options = [INTENT_PHRASES[i] for i, _ in u.top if i in INTENT_PHRASES][:3] or list(
                    INTENT_PHRASES.values())[:3]
                return TurnResult(ReplyFacts(act=Act.did_you_mean, intent=intent, user_text=text, options=options), {})
        if u.angry and intent in {"complaint", "contact_customer_service", "out_of_scope"}:
            return TurnResult(self.service.handoff(state.session_id, user_id, "angry complaint", text, "complaint"), {})
        handler = {
            "greeting": lambda: TurnResult(ReplyFacts(act=Act.greet, intent=intent, user_text=text,
                                                      options=[f"Gift ideas under {self.currency}20",
                                                               "Where is my order?"]), {}),
            "thanks": lambda: TurnResult(ReplyFacts(act=Act.thank, intent=intent, user_text=text), {}),
            "goodbye": lambda: TurnResult(ReplyFacts(act=Act.goodbye, intent=intent, user_text=text), {}),
            "out_of_scope": lambda: TurnResult(ReplyFacts(act=Act.out_of_scope, intent=intent, user_text=text), {}),
            "search_product": lambda: self._search(slots, text, state, user_id),
            "refine_search": lambda: self.shopping.refine(slots, text, state, user_id)
            if state.shown_ids else self._search(slots, text, state, user_id),
            "compare_products": lambda: self.shopping.compare(slots, text, state, user_id),
            "product_info": lambda: self.shopping.info(slots, text, state, user_id),
            # Only an explicit bundle request stays one after the clarifying question ("I need a present" is a search).
            "build_bundle": lambda: self._clarify_first(
                slots, text, state, "build_bundle" if has_bundle_wording(text) else "search_product")
            or self.bundles.handle(u, slots, text, state, user_id),
            "contact_human_agent": lambda: TurnResult(
                self.service.handoff(state.session_id, user_id, "asked for a person", text, intent), {}),
            "delete_account": lambda: self._delete_account(text, state, user_id),
        }.get(intent)
        if handler is not None:
            return handler()
        if intent in ORDER_INTENTS and (slots.get("order_id") or intent == "track_order" or user_id):
            follow_up = "order follow-up" in u.notes  # "what was in it?" means the order just discussed
            order_id = slots.get("order_id") or (state.order_id if intent != "track_order" or follow_up else None)
            facts = self.service.order(intent, order_id, user_id, text)
            facts.slots = slots
            return TurnResult(facts, {"order_id": facts.order.id} if facts.order else {})
        if intent in POLICY_QUERIES or intent in ORDER_INTENTS:
            return TurnResult(self.service.policy(intent, text), {})
        return TurnResult(ReplyFacts(act=Act.out_of_scope, intent="out_of_scope", user_text=text), {})

    def _clarify_first(
        self, slots: dict[str, str], text: str, state: DialogState, intent: str = "search_product"
    ) -> TurnResult | None:
        """One clarifying question for a request too vague to act on ("I need a present"), never two in a row."""
        informative = slots.keys() & {"product_type", "category", "brand", "colour", "budget_max", "budget_min",
                                      "recipient", "occasion", "reference_index", "reference_text"}
        if informative or state.clarified or state.bundle is not None or len(text.split()) > 8:
            return None
        if self.bundles.builder.match_theme(text) is not None:
            return None  # a known theme ("tea party") is specific enough
        options = [o.replace("under 10", f"under {self.currency}10") for o in CLARIFY_OPTIONS]
        facts = ReplyFacts(act=Act.clarify, intent="search_product", user_text=text, options=options,
                           detail="Who is it for, or what's your budget?")
        return TurnResult(facts, {"pending": {"text": text, "intent": intent}})

    def _search(self, slots: dict[str, str], text: str, state: DialogState, user_id: str | None) -> TurnResult:
        return self._clarify_first(slots, text, state) or self.shopping.search(slots, text, state, user_id)

    def _delete_account(self, text: str, state: DialogState, user_id: str | None) -> TurnResult:
        facts = self.service.policy("delete_account", text)
        facts.options = ["Delete my chat history"]
        return TurnResult(facts, {})

    # ------------------------------------------------------------------ state
    def _next_state(self, state: DialogState, facts: ReplyFacts, updates: dict[str, Any],
                    u: Understanding | None) -> DialogState:
        failures = state.failures + 1 if facts.act in FAILURE_ACTS else 0
        if failures >= HANDOFF_AFTER_FAILURES and facts.act != Act.handoff:
            handoff = self.service.handoff(state.session_id, state.user_id, "repeated failure", facts.user_text,
                                           facts.intent)
            facts.act, facts.detail, facts.passages = Act.handoff, handoff.detail, handoff.passages
            failures = 0
        clarified = facts.act == Act.clarify
        update = {"turn": state.turn + 1, "last_intent": facts.intent, "last_act": facts.act.value,
                  "offer": facts.offer,
                  "failures": failures, "clarified": clarified, **updates}
        if not clarified and "pending" not in updates:
            update["pending"] = {}
        return state.model_copy(update=update)
