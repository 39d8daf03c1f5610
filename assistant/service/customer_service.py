"""Customer service: orders, purchase history and problem orders (owner only), policy answers, hand-off.

Ownership is the one rule that must never bend: an order is looked up only together with the signed-in
customer's id (``ShopDatabase.get_order_for``), so a guest or another customer gets the same answer whether
or not the order exists, and a history is only ever the signed-in customer's own.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Protocol

from assistant.facts import Act, PolicyPassage, ReplyFacts
from assistant.nlg.money import format_date
from assistant.nlg.phrasing import join_words
from assistant.reply import ShownProduct
from assistant.service.policies import POLICY_QUERIES, PolicyIndex
from assistant.types import Intent, OrderDate, OrderRank, ProblemKind
from assistant.understanding.catalog import prints
from cartwise.currency import format_money
from cartwise.db import ShopDatabase
from cartwise.models import Order, OrderLine, OrderStatus
from cartwise.shops.profile import ShopProfile

logger = logging.getLogger(__name__)

# The policy passage each kind of order problem is answered from.
PROBLEM_QUERIES: dict[ProblemKind, str] = {
    "damaged": "what if my item arrived broken or damaged",
    "faulty": "what if my item is faulty",
    "missing_item": "item missing from my order, not everything arrived",
    "wrong_item": "wrong item sent, not what you ordered",
    "not_arrived": "my order has not arrived, lost parcel",
}
PROBLEM_WORDS: dict[ProblemKind, str] = {
    "damaged": "arrived damaged", "faulty": "is faulty", "missing_item": "is missing an item",
    "wrong_item": "came with the wrong item", "not_arrived": "has not arrived",
}

# Intents about one specific order: they need the owner signed in.
ORDER_INTENTS: frozenset[Intent] = frozenset({
    Intent.track_order, Intent.cancel_order, Intent.change_order, Intent.get_refund, Intent.track_refund,
    Intent.get_invoice, Intent.check_invoice,
    Intent.change_shipping_address,
})
HISTORY_SHOWN = 5  # products in the summary of what a shopper buys most


def ranked_first(orders: Sequence[Order], rank: OrderRank) -> Order:
    """The first of ``orders`` by ``rank``: the largest or smallest total, or the one placed first or last."""
    if rank in ("oldest", "newest"):
        return (min if rank == "oldest" else max)(orders, key=lambda o: o.placed_at)
    return (max if rank == "priciest" else min)(orders, key=lambda o: (o.total, o.placed_at))


def lines_first(order: Order, wanted: Callable[[OrderLine], bool]) -> Order:
    """The order with the ``wanted`` lines first ("have I bought lunch bags?" shows the lunch bags of a 71-line
    order, not its first eight lines); every line is kept, so the total is the order's."""
    return order.model_copy(update={"lines": sorted(order.lines, key=lambda line: not wanted(line))})


def printing(things: Sequence[str]) -> Callable[[OrderLine], bool]:
    """Whether an order line's title prints any of ``things``."""
    return lambda line: any(prints(line.title, w) for w in things)


class TicketWriter(Protocol):
    """Where hand-off tickets go (``assistant.dialog.state.SessionStore``)."""

    def reserve_ticket(self, session_id: str, customer_id: str | None, reason: str) -> int: ...


class CustomerService:
    """Answers order, history and policy questions from the shop's data.

    Args:
        db: the shop database (orders).
        policies: the policy passage index.
        tickets: where hand-off tickets are written (``SessionStore``).
        profile: the shop's policy numbers and its "today".
    """

    def __init__(self, db: ShopDatabase, policies: PolicyIndex, tickets: TicketWriter,
                 profile: ShopProfile) -> None:
        self.db = db
        self.policies = policies
        self.tickets = tickets
        self.profile = profile

    # ------------------------------------------------------------------ orders
    def order(self, intent: Intent, order_id: str | None, user_id: str | None, text: str) -> ReplyFacts:
        """Facts for a question about an order; never reveals an order to anyone but its owner."""
        if not user_id:
            return ReplyFacts(act=Act.sign_in_required, intent=intent, user_text=text)
        if not order_id:
            orders = self.db.orders_for_customer(user_id, limit=5)
            if len(orders) == 1:
                # A shopper with one order has nothing to choose among: "whats happening with my order" is that one.
                return self.order(intent, orders[0].id, user_id, text)
            if intent == Intent.track_order or not orders:
                return ReplyFacts(act=Act.order_list, intent=intent, user_text=text, orders=orders,
                                  options=[f"Where is order {o.id}?" for o in orders[:3]])
            return ReplyFacts(act=Act.order_list, intent=intent, user_text=text, orders=orders,
                              detail="Which order is it about?",
                              options=[f"Order {o.id}" for o in orders[:3]])
        order = self.db.get_order_for(order_id, user_id)
        if order is None:
            return ReplyFacts(act=Act.order_not_found, intent=intent, user_text=text,
                              slots={"order_id": order_id})
        if intent == Intent.track_order:
            # An order on its way says when it should come (or that it is late), from its date and the shop's
            # delivery time: "when will my order arrive" is answered by the date, not the status word alone.
            due = self._eligibility(order, "not_arrived") if order.status in (
                OrderStatus.processing, OrderStatus.shipped) else ""
            return ReplyFacts(act=Act.order_status, intent=intent, user_text=text, order=order, detail=due)
        if intent == Intent.cancel_order and order.status is OrderStatus.cancelled:
            # "why was my last order cancelled": the record says it was, not why; a person can find out.
            return ReplyFacts(act=Act.order_status, intent=intent, user_text=text, order=order,
                              detail=f"Order {order.id} is already cancelled; our records don't give a reason. A "
                                     "person on our team can look into it with you.",
                              options=["Talk to a person"], offer=f"why order {order.id} was cancelled",
                              offer_handoff=True)
        if intent == Intent.cancel_order and order.status in (OrderStatus.shipped, OrderStatus.delivered,
                                                              OrderStatus.returned):
            # "cancel my last order" when it has left the warehouse: it can't be stopped, said plainly, with what
            # the policy says of a dispatched order (the how-to of cancelling answers an order still processing).
            return ReplyFacts(act=Act.order_action, intent=intent, user_text=text, order=order,
                              detail=f"Order {order.id} has already been {order.status.value}, so it can no longer "
                                     "be cancelled.",
                              passages=self.policies.query("cancel an order that has already been dispatched or "
                                                           "shipped", k=1),
                              offer=_action_offer(intent, order), offer_handoff=True)
        query = POLICY_QUERIES.get(intent, intent.replace("_", " "))
        # "I want to return the hand warmers": whether this order is still inside the return window, from its
        # dates, before the policy that sets the window (the policy alone read as a yes to a year-old order).
        window = self._eligibility(order, None) if intent == Intent.get_refund and order.status in (
            OrderStatus.processing, OrderStatus.shipped, OrderStatus.delivered) else ""
        # The reply asks whether a person should take care of it: a "yes" next takes that offer.
        return ReplyFacts(act=Act.order_action, intent=intent, user_text=text, order=order, detail=window,
                          passages=self.policies.query(f"{query}. {text}", k=1),
                          offer=_action_offer(intent, order), offer_handoff=True)

    def history(self, user_id: str | None, text: str, product_ids: tuple[str, ...] = (),
                latest: bool = True, spending: bool = False,
                by_total: OrderRank | None = None,
                placed: OrderDate | None = None, named: str = "", count: int | None = None,
                named_words: Sequence[str] = ()) -> ReplyFacts:
        """What the shopper bought: whether they bought the products asked about (``named``: as the shopper
        named them, "candles", for the answer that they did not); else the latest order's lines
        (``latest``: "what did i get last time"), or what they buy most over all their orders (``spending``: what
        they spent most on, and how much in all); ``by_total``: the order with the largest (smallest) total;
        ``placed``: only the orders placed then ("how much have i spent this year"); ``count``: that many of the
        latest orders, listed ("my last three orders"); ``named_words``: the words that named the products asked
        about, whose lines in the shopper's own orders count as those products too."""
        if not user_id:
            return ReplyFacts(act=Act.sign_in_required, intent=Intent.purchase_history, user_text=text)
        orders = self.db.orders_for_customer(user_id, limit=50)
        bought = [o for o in orders if o.status.value != "cancelled"]
        if placed is not None:
            first, last = placed.span(self.profile.current_date())
            bought = [o for o in bought if first <= o.placed_at.date() <= last]
            if not bought:
                return ReplyFacts(act=Act.order_list, intent=Intent.purchase_history, user_text=text, orders=[],
                                  detail=f"You have no orders with us {placed.when()}.")
        if not bought:
            return ReplyFacts(act=Act.order_list, intent=Intent.purchase_history, user_text=text, orders=[])
        if product_ids and named_words:
            # The shopper's own lines that print the thing named come first: "the doormat i bought before" is one of
            # the doormats they ordered, whichever ten of the shop's 27 the search ranked closest.
            own = [line.product_id for o in bought for line in o.lines
                   if all(prints(line.title, w) for w in named_words)]
            product_ids = tuple(dict.fromkeys([*own, *product_ids]))
        if product_ids:
            having = [o for o in bought if any(line.product_id in product_ids for line in o.lines)]
            if having:
                newest = having[0]
                # Each product's own last order: "have i bought hand warmers" names two, "when did i last order those"
                # five. The count is of the orders that had any of them, said as such, never of one title alone.
                each = [(next(ln.title for ln in o.lines if ln.product_id == pid), o)
                        for pid in dict.fromkeys(product_ids)
                        if (o := next((o for o in having if any(ln.product_id == pid for ln in o.lines)), None))]
                plural = "s" if len(having) != 1 else ""
                detail = (f"Yes: you ordered {join_words([t for t, _ in each])} in {len(having)} order{plural}"
                          f"{' between them' if len(each) > 1 else ''}, most recently order {newest.id}.")
                if len(each) > 1:
                    detail += " You last ordered " + "; ".join(
                        f"{title} in order {o.id} ({format_date(o.placed_at)})" for title, o in each) + "."
                shown = lines_first(newest, lambda line: line.product_id in product_ids)
                return ReplyFacts(act=Act.order_status, intent=Intent.purchase_history, user_text=text, order=shown,
                                  detail=detail, options=["Order the same again"])
            return ReplyFacts(act=Act.order_list, intent=Intent.purchase_history, user_text=text, orders=bought[:5],
                              detail=f"No: I don't see {f'“{named}”' if named else 'that product'} in your "
                                     "orders. Which one would you like to see?")
        if by_total is not None:
            chosen = ranked_first(bought, by_total)
            which = {"priciest": "largest order by total", "cheapest": "smallest order by total",
                     "oldest": "oldest order", "newest": "most recent order"}[by_total]
            return ReplyFacts(act=Act.order_status, intent=Intent.purchase_history, user_text=text, order=chosen,
                              detail=f"Your {which}, of the {len(bought)} you have with us:",
                              options=["Order the same again"])
        if latest and count is not None and count > 1:
            listed = bought[:count]
            return ReplyFacts(act=Act.order_list, intent=Intent.purchase_history, user_text=text, orders=listed,
                              detail="" if len(listed) == count else
                              f"You have {len(listed)} order{'s' if len(listed) != 1 else ''} with us.",
                              options=[f"What was in order {o.id}?" for o in listed[:3]])
        if not latest:
            return self._bought_most(bought, text, spending, when=placed.when() if placed is not None else "")
        return ReplyFacts(act=Act.order_status, intent=Intent.purchase_history, user_text=text, order=bought[0],
                          detail="Your most recent order:", options=["Order the same again"])

    def _bought_most(self, bought: Sequence[Order], text: str, spending: bool = False, when: str = "") -> ReplyFacts:
        """ "what have i bought before": the products in most of the shopper's orders (latest first on a tie), as
        products to act on ("order the first one again"), with how often and when they were last ordered;
        ``spending`` ("what did i spend the most on"): by what was paid for them, with the total of every order."""
        times: Counter[str] = Counter()
        spent: defaultdict[str, Decimal] = defaultdict(Decimal)
        last: dict[str, Order] = {}
        for order in bought:  # latest first
            for pid in dict.fromkeys(line.product_id for line in order.lines if line.quantity > 0):
                times[pid] += 1
                last.setdefault(pid, order)
            for line in order.lines:
                spent[line.product_id] += line.line_total
        ranked = sorted(times, key=lambda pid: (-spent[pid] if spending else -times[pid],
                                                -last[pid].placed_at.timestamp(), pid))
        products = {p.id: p for p in self.db.get_products(ranked[:HISTORY_SHOWN])}
        currency = self.profile.currency

        def why(pid: str) -> str:
            often = f"in {times[pid]} of your orders, last on {format_date(last[pid].placed_at)}"
            return f"{format_money(spent[pid], currency)} in all, {often}" if spending else often

        shown = [ShownProduct(id=p.id, title=p.title, price=p.price, category=p.category, in_stock=p.in_stock,
                              rating=p.rating, reason=why(pid))
                 for pid in ranked[:HISTORY_SHOWN] if (p := products.get(pid)) is not None]
        first = min(o.placed_at for o in bought)
        counted = f"{len(bought)} order{'s' if len(bought) != 1 else ''} with us{f' {when}' if when else ''}"
        detail = (f"You have {counted}, from "
                  f"{format_date(first)} to {format_date(bought[0].placed_at)}. " + (
                      f"Together they came to {format_money(sum((o.total for o in bought), Decimal(0)), currency)}. "
                      "What you spent most on:" if spending else "What you order most:"))
        return ReplyFacts(act=Act.show_products, intent=Intent.purchase_history, user_text=text, products=shown,
                          detail=detail, options=["Show my latest order", "Order the same again"])

    def last_order(self, user_id: str, order_id: str | None, delivered: bool = False,
                   cancelled: bool = False) -> Order | None:
        """The shopper's own order ``order_id``, or their latest non-cancelled one (``delivered``: latest delivered,
        else the latest non-cancelled; ``cancelled``: the latest of all, a cancelled one too)."""
        if order_id:
            return self.db.get_order_for(order_id, user_id)
        orders = [o for o in self.db.orders_for_customer(user_id, limit=10)
                  if cancelled or o.status is not OrderStatus.cancelled]
        arrived = [o for o in orders if o.status is OrderStatus.delivered] if delivered else []
        return next(iter(arrived or orders), None)

    def underway(self, user_id: str) -> list[Order]:
        """The shopper's recent orders not delivered yet (processing or shipped), latest first."""
        return self.orders_in(user_id, OrderStatus.processing, OrderStatus.shipped)

    def orders_in(self, user_id: str, *statuses: OrderStatus) -> list[Order]:
        """The shopper's recent orders (of their last 10) with one of ``statuses``, latest first."""
        return [o for o in self.db.orders_for_customer(user_id, limit=10) if o.status in statuses]

    def find_orders(self, user_id: str, placed: OrderDate | None, things: Sequence[str]) -> list[Order]:
        """The shopper's orders (latest first) placed when ``placed`` says (a day, or a span before the shop's
        today) with a line printing most of ``things`` ("regency", "cake", "tins": one line, one thing); with no
        date, only an order with such a line. A relative date ("last week") is loose: an order with the thing
        placed outside it outranks one inside it without. Empty when nothing matches."""
        everything = self.db.orders_for_customer(user_id, limit=50)
        orders = everything
        if placed is not None:
            first, last = placed.span(self.profile.current_date())
            orders = [o for o in everything if first <= o.placed_at.date() <= last]
            if not orders and placed.year is None and placed.days_ago is None and everything:
                # "my orders from december" in a December without any: the latest December that has some.
                oldest = min(o.placed_at.year for o in everything)
                for year in range(first.year - 1, oldest - 1, -1):
                    first, last = placed.model_copy(update={"year": year}).span(self.profile.current_date())
                    orders = [o for o in everything if first <= o.placed_at.date() <= last]
                    if orders:
                        break

        def having(pool: list[Order]) -> list[Order]:
            scored = [(max((sum(prints(line.title, w) for w in things) for line in o.lines), default=0), o)
                      for o in pool]
            best = max((s for s, _ in scored), default=0)
            return [o for s, o in scored if s == best] if best > 0 else []

        if things:
            matching = having(orders) or (having(everything) if placed is None or placed.days_ago else [])
            if matching or placed is None:
                return matching
        return orders

    def orders_among(self, user_id: str, order_ids: Collection[str]) -> list[Order]:
        """The shopper's own orders among ``order_ids`` (latest first): a list shown to them, looked up again."""
        return [o for o in self.db.orders_for_customer(user_id, limit=50) if o.id in order_ids]

    def orders_with(self, user_id: str, thing: str, delivered: bool = False) -> list[Order]:
        """The shopper's non-cancelled orders (latest first; ``delivered``: arrived only) with a line printing
        ``thing`` ("mugs" -> the orders that had a mug)."""
        orders = [o for o in self.db.orders_for_customer(user_id, limit=50) if o.status is not OrderStatus.cancelled
                  and (not delivered or o.status is OrderStatus.delivered)]
        return [o for o in orders if any(prints(line.title, thing) for line in o.lines)]

    def problem(self, kind: ProblemKind | None, order_id: str | None, user_id: str | None, text: str,
                session_id: str, note: str = "") -> ReplyFacts:
        """A problem with an order: find the order, quote the policy, say whether it is in time, offer a person."""
        kind = kind or "damaged"
        # The passage for the problem, in the shopper's words as well: "i ordered the wrong colour, can i exchange
        # it" is answered by the exchanges passage, where the stock phrase of a wrong item alone found breakages.
        # The stock phrase leads: the shopper's words alone ("order 536838 never turned up") find order tracking,
        # and a message that only says which order ("it was the last order") names no problem at all.
        passages = self.policies.query(PROBLEM_QUERIES[kind], k=1, topic=text)
        if not user_id:
            # A guest's order number is noted for the person who takes over, never looked up: order details are
            # only for the owner, signed in.
            # Not even the number is repeated: the reply says nothing about any order to someone not signed in.
            ask = ("I've noted your order number. I can only open an order's details once its owner is signed in; "
                   "sign in, or a person on our team can check it with you."
                   if order_id else "Please sign in, or give me your order number, so I can look at the order.")
            about = f"order {order_id}" if order_id else "your order"
            return ReplyFacts(act=Act.order_problem, intent=Intent.report_problem, user_text=text, passages=passages,
                              detail=ask, options=["Talk to a person"],
                              slots={"problem": PROBLEM_WORDS[kind]} | ({"order_id": order_id} if order_id else {}),
                              offer=f"{about} {PROBLEM_WORDS[kind]}", offer_handoff=True)
        order = self.db.get_order_for(order_id, user_id) if order_id else None
        if order_id and order is None:
            return ReplyFacts(act=Act.order_not_found, intent=Intent.report_problem, user_text=text,
                              slots={"order_id": order_id})
        if order is None:
            orders = [o for o in self.db.orders_for_customer(user_id, limit=5) if o.status.value != "cancelled"]
            if kind == "not_arrived":
                # A parcel that never came is one of those still on their way, where there are any.
                orders = [o for o in orders if o.status is not OrderStatus.delivered] or orders
            if len(orders) != 1:
                return ReplyFacts(act=Act.order_list, intent=Intent.report_problem, user_text=text, orders=orders,
                                  detail=" ".join(x for x in (note, "Which order is it about?") if x),
                                  passages=passages,
                                  options=[f"Order {o.id} {PROBLEM_WORDS[kind]}" for o in orders[:3]])
            order = orders[0]
        if kind != "not_arrived" and order.status is OrderStatus.processing:
            # "one of the things in it was broken" after the order still being packed was shown: nothing of it has
            # come yet, so the problem is with an order that has (not "I'm sorry order 581491 arrived damaged").
            arrived = [o for o in self.db.orders_for_customer(user_id, limit=5) if o.status is OrderStatus.delivered]
            if arrived:
                return ReplyFacts(act=Act.order_list, intent=Intent.report_problem, user_text=text, orders=arrived,
                                  detail=" ".join(x for x in (note, f"Order {order.id} hasn't shipped yet, so nothing "
                                                             "in it has reached you. Which order is it about?") if x),
                                  passages=passages,
                                  options=[f"Order {o.id} {PROBLEM_WORDS[kind]}" for o in arrived[:3]])
        detail = " ".join(x for x in (note, self._eligibility(order, kind)) if x)
        return ReplyFacts(act=Act.order_problem, intent=Intent.report_problem, user_text=text, order=order,
                          passages=passages, detail=detail, options=["Talk to a person"],
                          slots={"problem": PROBLEM_WORDS[kind], "order_id": order.id},
                          offer=f"order {order.id} {PROBLEM_WORDS[kind]}", offer_handoff=True)

    def _eligibility(self, order: Order, kind: ProblemKind | None) -> str:
        """Whether the order is still inside the policy's window, from its status, its date and the shop's "today".

        Only a breakage has the short reporting window; a wrong or missing item, or a faulty one, is a return, as
        is a refund asked for with no problem (``kind`` None). An order not delivered yet and not due yet is on
        its way: there are no days since a delivery to count.
        """
        today = self.profile.current_date()
        due = (order.placed_at + timedelta(days=self.profile.delivery_days)).date()
        days = (today - due).days
        window = self.profile.damage_report_days if kind == "damaged" else self.profile.return_window_days
        on = f"{due.day} {due:%B %Y}"
        today_text = f"{today.day} {today:%B %Y}"
        underway = order.status in (OrderStatus.processing, OrderStatus.shipped)
        if underway and days <= 0:
            # "is it shipped yet" of an order still being packed: on its way it is not, yet.
            lead = (f"Order {order.id} hasn't shipped yet (it is being prepared)"
                    if order.status is OrderStatus.processing else f"Order {order.id} has shipped and is on its way")
            if kind == "not_arrived":
                return f"{lead}: it should arrive by {on}."
            then = (f"you have {window} days from delivery to return it" if kind is None
                    else f"if something is wrong when it comes, you have {window} days from delivery to tell us")
            return f"{lead}: it should arrive around {on}; {then}."
        ago = "today" if days == 0 else "1 day ago" if days == 1 else f"{days} days ago"
        if kind == "not_arrived" and order.status is OrderStatus.delivered:
            # The carrier's word against the shopper's: say what the record shows, and that a person can check it.
            return (f"Our records show order {order.id} as delivered around {on} ({ago}; today is {today_text}). "
                    "If it never reached you, a person can trace the parcel or refund it.")
        if kind == "not_arrived":
            return (f"Order {order.id} should have arrived by {on} ({ago}; today is {today_text}); "
                    "a person can trace the parcel or refund it.")
        named = f"{window}-day return window" if kind is None else f"{window}-day window"
        if days <= window:
            return (f"Order {order.id} would have been delivered around {on}, {ago}, inside the "
                    f"{named}, so you can still {'return it' if kind is None else 'report it'}.")
        return (f"Order {order.id} would have been delivered around {on}, {days} days before today ({today_text}), "
                f"outside the {named}. A person can still look at it with you.")

    # ------------------------------------------------------------------ policies and people
    def policy(self, intent: Intent, text: str, topic: str = "", with_hint: bool = True) -> ReplyFacts:
        """Answer from the best policy passages, or say there is none and offer a human.

        ``topic``: the earlier question ``text`` goes on from ("do you do next day delivery" for "how much is
        it?"); the passages are looked up for both. ``with_hint``: the intent's stock phrase is what the question
        is about. It weighs as much as the shopper's own words, not more: added to them in one look-up, it
        outweighed them ("why is there a pending charge on my card" quoted why payments are declined).
        """
        hint = POLICY_QUERIES.get(intent, "") if with_hint else ""
        passages = self.policies.query(f"{topic} {text}".strip(), k=2, topic=hint)
        if not passages:
            return ReplyFacts(act=Act.policy_unknown, intent=intent, user_text=text,
                              options=["Talk to a person"])
        return ReplyFacts(act=Act.policy_answer, intent=intent, user_text=text, passages=passages)

    def closest_passage(self, text: str) -> list[PolicyPassage]:
        """The one passage closest to ``text`` (none below the index's floor), to show beside another answer."""
        return self.policies.query(text, k=1)

    def handoff(self, session_id: str, user_id: str | None, reason: str, text: str, intent: str) -> ReplyFacts:
        # ``intent``: the turn's intent as the reply facts carry it (an Intent, or "" before a handler set one).
        # Reserved now, filled with the whole transcript (this turn too) when the dialog manager saves the turn.
        ticket = self.tickets.reserve_ticket(session_id, user_id, reason)
        logger.info("hand-off ticket %s for session %s (%s)", ticket, session_id, reason)
        return ReplyFacts(act=Act.handoff, intent=intent, user_text=text,
                          detail=f"ticket #{ticket}",
                          passages=self.policies.query("contact a person opening hours", k=1))


def _action_offer(intent: Intent, order: Order) -> str:
    """What a person is asked to do when the shopper takes the offer after an order action ("order 581587: cancel
    order"), the reason the hand-off ticket carries."""
    return f"order {order.id}: {intent.value.replace('_', ' ')}"
