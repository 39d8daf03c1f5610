"""Templates for customer service and small talk: orders, policies, hand-off, refusals.

The texts for ``sign_in_required`` and ``order_not_found`` are constants: they
must not vary with anything, so a reply can never hint whether an order exists.
"""

from __future__ import annotations

from decimal import Decimal

from assistant.facts import ReplyFacts
from assistant.nlg.money import format_date
from assistant.nlg.phrasing import citations, is_code, pick
from assistant.nlg.templates_shop import product_line
from assistant.types import Intent
from cartwise.currency import format_money
from cartwise.models import Order

SIGN_IN_REQUIRED = "Please sign in to see your orders. Once you're signed in, I can look up any order on your account."
ORDER_NOT_FOUND = (
    "I can't find that order on your account. Please check the order number, "
    "or I can connect you with a person if you need more help."
)
# Orders can have dozens of lines (wholesale invoices); a chat reply shows the first few.
MAX_ORDER_LINES = 8
# A list of orders longer than this shows its latest; the rest are named by their count ("the 12th" still works).
MAX_ORDERS_LISTED = 10


def _money(amount: Decimal, currency: str) -> str:
    # Cancellation invoices carry negative lines; "-£3.50" reads better than "£-3.50".
    value = format_money(abs(amount), currency)
    return f"-{value}" if amount < 0 else value


def _order_lines(order: Order, currency: str) -> list[str]:
    lines = []
    for line in order.lines[:MAX_ORDER_LINES]:
        text = f"- {line.quantity} × {line.title} — {_money(line.unit_price, currency)}"  # noqa: RUF001
        if line.quantity not in (1, -1):
            text += f" each = {_money(line.line_total, currency)}"
        lines.append(text)
    if len(order.lines) > MAX_ORDER_LINES:
        lines.append(f"(showing the first {MAX_ORDER_LINES} of {len(order.lines)} items)")
    return lines


def _status_line(order: Order) -> str:
    return f"Order {order.id}, placed on {format_date(order.placed_at)} — status: {order.status.value}."


def order_status(facts: ReplyFacts, seed: int) -> str:
    order = facts.order
    if order is None:
        return ORDER_NOT_FOUND
    lines = [_status_line(order), *_order_lines(order, facts.currency)]
    lines.append(f"Total: {_money(order.total, facts.currency)}.")
    if facts.detail and not is_code(facts.detail):
        # An answer about the shopper's history ("Yes: you ordered ...") comes before the order it points to.
        # When an order on its way should come is read beside its status, before its lines.
        at = 0 if facts.intent == Intent.purchase_history else 1 if facts.intent == Intent.track_order else len(lines)
        lines.insert(at, facts.detail)
    return "\n".join(lines)


def order_problem(facts: ReplyFacts, seed: int) -> str:
    """A problem with an order: sorry, the order, whether it is still in time, the policy, a person."""
    problem = facts.slots.get("problem", "has a problem")
    order = facts.order
    lines = [f"I'm sorry your order {problem}." if order is None else f"I'm sorry order {order.id} {problem}."]
    if facts.detail:
        lines.append(facts.detail)
    if order is not None:
        lines += _order_lines(order, facts.currency)
    if facts.passages:
        lines.append("Our policy says:")
        lines += citations(facts, limit=1)
    if facts.slots.get("ticket"):
        lines.append(f"I've passed this to a person on our team, who will see this conversation. Your reference: "
                     f"{facts.slots['ticket']}.")
    else:
        lines.append("Shall I pass this to a person on our team, with the order and the problem?"
                     if facts.offer else "I can pass this to a person on our team if you like.")
    return "\n".join(lines)


def order_list(facts: ReplyFacts, seed: int) -> str:
    if not facts.orders:
        return facts.detail or "I can't find any orders on your account yet."
    lead = pick(["Your recent orders:", "Here are your latest orders:"], facts, seed)
    # What the list answers ("No: I don't see “candles” in your orders.") comes before it; its question after it.
    statement, _, question = facts.detail.rpartition(". ") if facts.detail.endswith("?") else (facts.detail, "", "")
    lines = [statement if statement.endswith((".", "!")) else f"{statement}.", lead] if statement else [lead]
    for order in facts.orders[:MAX_ORDERS_LISTED]:
        lines.append(
            f"- Order {order.id} — {format_date(order.placed_at)} — status: {order.status.value} — "
            f"{_money(order.total, facts.currency)}"
        )
    if len(facts.orders) > MAX_ORDERS_LISTED:
        lines.append(f"(showing the latest {MAX_ORDERS_LISTED} of {len(facts.orders)} orders)")
    lines.append(question or "Which one would you like to know more about?")
    if facts.passages:
        lines += citations(facts, limit=1)
    return "\n".join(lines)


def _action(intent: str) -> str:
    intent = intent.lower()
    for word, action in (
        ("cancel", "cancel"),
        ("invoice", "invoice"),
        ("receipt", "invoice"),
        ("refund", "refund"),
        ("return", "return"),
        ("change", "change"),
        ("modify", "change"),
        ("edit", "change"),
        ("address", "change"),
    ):
        if word in intent:
            return action
    return "help with"


_ACTION_WORDS = {
    "cancel": "cancel it",
    "change": "change it",
    "refund": "get a refund",
    "return": "return it",
    "invoice": "get an invoice",
    "help with": "sort it out",
}


def order_action(facts: ReplyFacts, seed: int) -> str:
    order = facts.order
    if order is None:
        return ORDER_NOT_FOUND
    action = _action(facts.intent)
    lines = [_status_line(order)]
    if action == "invoice":
        lines.extend(_order_lines(order, facts.currency))
        lines.append(f"Total: {_money(order.total, facts.currency)}.")
    # What the order's record says ("already delivered, so it can no longer be cancelled") before the policy.
    note = facts.detail if facts.detail and not is_code(facts.detail) else ""
    if note:
        lines.append(note)
    if facts.passages:
        lines.append(f"Here's what our policy says about whether you can {_ACTION_WORDS[action]}:")
        lines.extend(citations(facts))
    if not facts.passages and not note:
        lines.append(f"I don't have the policy text to say whether you can {_ACTION_WORDS[action]} at this stage.")
    lines.append("Would you like me to connect you with a person to take care of it?")
    return "\n".join(lines)


def policy_answer(facts: ReplyFacts, seed: int) -> str:
    if not facts.passages:
        return policy_unknown(facts, seed)
    lead = pick(["Here's what our policy says:", "From our policies:"], facts, seed)
    # What the policy can't say for this shopper ("sign in and I can look up your own order") comes after it.
    return "\n".join([lead, *citations(facts), *([facts.detail] if facts.detail else [])])


def policy_unknown(facts: ReplyFacts, seed: int) -> str:
    return (
        "I don't have any policy information about that, so I'd rather not guess. "
        "Would you like me to connect you with a person?"
    )


def handoff(facts: ReplyFacts, seed: int) -> str:
    text = pick(
        ["I'm passing you to a member of our team.", "I'm handing this conversation to a person on our team."],
        facts,
        seed,
    )
    text += " They'll see this conversation, so you won't need to repeat anything."
    if facts.detail:
        text += f" Your reference: {facts.detail.rstrip('.')}."
    if facts.passages:
        text = "\n".join([text, *citations(facts, limit=1)])
    return text


_POLICY_MAYBE = "If it's about how we work, this part of our policies may help:"
_PRODUCTS_MAYBE = "If it's something from the shop you're after, these are the closest things we have:"


def out_of_scope(facts: ReplyFacts, seed: int) -> str:
    offer = (f"I can help you shop at {facts.shop_name}: find products, build a gift bundle within a budget, "
             "check your orders or explain our policies. What are you looking for?")
    # The closest the policy text or the catalog came, never passed off as the answer.
    near = [_POLICY_MAYBE, *citations(facts, limit=1)] if facts.passages else [
        _PRODUCTS_MAYBE, *(product_line(i, p, facts.currency) for i, p in enumerate(facts.products, 1))
    ] if facts.products else []
    if facts.detail == "language":
        return "\n".join([f"Sorry, I can only chat in English for now. {offer}", *near])
    if facts.detail == "unreadable":
        return f"Sorry, I couldn't read that: none of its words is one I know. {offer}"
    if near:
        # Offered as a maybe, not under a refusal it may contradict ("when do you close today": "Sorry, I can't
        # help with that", then the hours; "serve a boiled egg at breakfast": then the egg cups).
        return "\n".join([f"I'm not sure I can help with that. {near[0]}", *near[1:], f"Otherwise, {offer}"])
    lead = pick(["Sorry, I can't help with that.", "That's outside what I can do, sorry."], facts, seed)
    return f"{lead} {offer}"


def input_rejected(facts: ReplyFacts, seed: int) -> str:
    if facts.detail and not is_code(facts.detail):
        return f"Sorry, I couldn't take that message: {facts.detail.rstrip('.')}."
    return "Sorry, I couldn't take that message. Could you try again?"


def account_deleted(facts: ReplyFacts, seed: int) -> str:
    if facts.detail == "chat_history":
        # Only this conversation was forgotten, not the account: say exactly that.
        return (
            "Done: I've deleted this conversation's history (your messages, my replies and what I remembered "
            "about them). Anything else I can help with?"
        )
    text = "Your account data has been deleted."
    if facts.detail and not is_code(facts.detail):
        text += f" {facts.detail}"
    return text


def greet(facts: ReplyFacts, seed: int) -> str:
    hello = pick(["Hi! Welcome to {s}.", "Hello and welcome to {s}!", "Hi there, welcome to {s}."], facts, seed)
    return (
        hello.format(s=facts.shop_name) + " I'm its automated assistant: I find products, build gift bundles, "
        "check orders, explain our policies or get you a person. What are you looking for?"
    )


def thank(facts: ReplyFacts, seed: int) -> str:
    return pick(
        [
            "You're welcome! Anything else I can help with?",
            "Happy to help! Is there anything else you need?",
            "Any time! Let me know if you need anything else.",
        ],
        facts,
        seed,
    )


def goodbye(facts: ReplyFacts, seed: int) -> str:
    return pick(
        ["Goodbye, and happy shopping!", "Thanks for visiting {s}. Bye for now!", "Take care, bye!"], facts, seed
    ).format(s=facts.shop_name)
