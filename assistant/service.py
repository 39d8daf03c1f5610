"""Customer service: orders (owner only), policy answers and hand-off to a human.

Ownership is the one rule that must never bend: an order is looked up only
together with the signed-in customer's id (``ShopDatabase.get_order_for``), so a
guest or another customer gets the same answer whether or not the order exists.
"""

from __future__ import annotations

import logging

from assistant.facts import Act, ReplyFacts
from assistant.policies import PolicyIndex
from assistant.state import SessionStore
from cartwise.db import ShopDatabase

logger = logging.getLogger(__name__)

# What each customer-service intent asks of the policy documents.
POLICY_QUERIES: dict[str, str] = {
    "check_refund_policy": "how long do I have to return an item",
    "get_refund": "how to get a refund for an order",
    "track_refund": "how long does a refund take",
    "check_cancellation_fee": "cancellation fee",
    "cancel_order": "how to cancel an order",
    "change_order": "change an order after placing it",
    "delivery_options": "shipping options and prices",
    "delivery_period": "delivery times how long shipping takes",
    "check_payment_methods": "accepted payment methods",
    "payment_issue": "payment failed problem with payment",
    "check_invoice": "invoices",
    "get_invoice": "get a copy of my invoice",
    "create_account": "create an account",
    "delete_account": "delete my account and data",
    "edit_account": "change account details",
    "recover_password": "forgot password reset",
    "registration_problems": "problems registering an account",
    "switch_account": "switch between accounts",
    "newsletter_subscription": "newsletter subscribe unsubscribe",
    "change_shipping_address": "change the shipping address of an order",
    "set_up_shipping_address": "add a shipping address",
    "place_order": "how to place an order",
    "review": "leave a review feedback",
    "complaint": "complaints",
    "contact_customer_service": "contact customer service opening hours",
}

# Intents about one specific order: they need the owner signed in.
ORDER_INTENTS = frozenset({
    "track_order", "cancel_order", "change_order", "get_refund", "track_refund", "get_invoice", "check_invoice",
    "change_shipping_address",
})


class CustomerService:
    """Answers order and policy questions from the shop's data.

    Args:
        db: the shop database (orders).
        policies: the policy passage index.
        sessions: where hand-off tickets are written.
    """

    def __init__(self, db: ShopDatabase, policies: PolicyIndex, sessions: SessionStore) -> None:
        self.db = db
        self.policies = policies
        self.sessions = sessions

    def order(self, intent: str, order_id: str | None, user_id: str | None, text: str) -> ReplyFacts:
        """Facts for a question about an order; never reveals an order to anyone but its owner."""
        if not user_id:
            return ReplyFacts(act=Act.sign_in_required, intent=intent, user_text=text)
        if not order_id:
            orders = self.db.orders_for_customer(user_id, limit=5)
            if intent == "track_order" or not orders:
                return ReplyFacts(act=Act.order_list, intent=intent, user_text=text, orders=orders,
                                  options=[f"Where is order {o.id}?" for o in orders[:3]])
            return ReplyFacts(act=Act.order_list, intent=intent, user_text=text, orders=orders,
                              detail="Which order is it about?",
                              options=[f"Order {o.id}" for o in orders[:3]])
        order = self.db.get_order_for(order_id, user_id)
        if order is None:
            return ReplyFacts(act=Act.order_not_found, intent=intent, user_text=text,
                              slots={"order_id": order_id})
        if intent == "track_order":
            return ReplyFacts(act=Act.order_status, intent=intent, user_text=text, order=order)
        query = POLICY_QUERIES.get(intent, intent.replace("_", " "))
        return ReplyFacts(act=Act.order_action, intent=intent, user_text=text, order=order,
                          passages=self.policies.query(f"{query}. {text}", k=1))

    def policy(self, intent: str, text: str) -> ReplyFacts:
        """Answer from the best policy passages, or say there is none and offer a human."""
        hint = POLICY_QUERIES.get(intent, "")
        passages = self.policies.query(f"{text} {hint}".strip(), k=2)
        if not passages:
            return ReplyFacts(act=Act.policy_unknown, intent=intent, user_text=text,
                              options=["Talk to a person"])
        return ReplyFacts(act=Act.policy_answer, intent=intent, user_text=text, passages=passages)

    def handoff(self, session_id: str, user_id: str | None, reason: str, text: str, intent: str) -> ReplyFacts:
        # Reserved now, filled with the whole transcript (this turn too) when the dialog manager saves the turn.
        ticket = self.sessions.reserve_ticket(session_id, user_id, reason)
        logger.info("hand-off ticket %s for session %s (%s)", ticket, session_id, reason)
        return ReplyFacts(act=Act.handoff, intent=intent, user_text=text,
                          detail=f"ticket #{ticket}",
                          passages=self.policies.query("contact a person opening hours", k=1))
