"""Example :class:`ReplyFacts`, one or more per act: test fixtures, shared with ``bench/bench_llm.py``.

Titles and prices follow the giftshop catalog's style (UCI Online Retail, GBP);
the electronics example uses dollars and ratings.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from assistant.facts import Act, PolicyPassage, ReplyFacts
from assistant.types import BundleItem, Intent, ShownBundle, ShownProduct
from cartwise.models import Order, OrderLine, OrderStatus

D = Decimal


def sample_order(status: OrderStatus = OrderStatus.shipped) -> Order:
    """A two-line giftshop order placed on 8 December 2011."""
    return Order(
        id="581475",
        customer_id="13069",
        placed_at=datetime(2011, 12, 8, 13, 11),
        status=status,
        country="United Kingdom",
        lines=[
            OrderLine(
                product_id="22596", title="Christmas Star Wish List Chalkboard", quantity=36, unit_price=D("0.39")
            ),
            OrderLine(
                product_id="85123A", title="White Hanging Heart T-Light Holder", quantity=2, unit_price=D("2.95")
            ),
        ],
    )


def _products() -> list[ShownProduct]:
    return [
        ShownProduct(
            id="20725",
            title="Lunch Bag Red Retrospot",
            price=D("1.65"),
            category="bags",
            reason="red, and well under your budget",
        ),
        ShownProduct(
            id="22382",
            title="Lunch Bag Spaceboy Design",
            price=D("1.65"),
            category="bags",
            reason="a favourite with kids",
        ),
        ShownProduct(
            id="20727",
            title="Lunch Bag Black Skull",
            price=D("1.65"),
            category="bags",
            reason="bestseller in bags",
            in_stock=False,
        ),
    ]


_RETURNS = PolicyPassage(
    source="returns.md § Return window",
    text="You can return most items within 30 days of delivery for a full refund. "
    "Items must be unused and in their original packaging. Refunds are paid to the original payment method "
    "within 5 working days of us receiving the return.",
    score=0.82,
)
_CANCEL = PolicyPassage(
    source="orders.md § Cancelling an order",
    text="An order can be cancelled free of charge until it has been shipped. "
    "Once an order has shipped it can no longer be cancelled, but you can return it after delivery.",
    score=0.77,
)
_HOURS = PolicyPassage(
    source="contact.md § Opening hours",
    text="Our team answers chats Monday to Friday, 9:00 to 17:00 UK time. Outside these hours we reply by email "
    "the next working day.",
    score=0.6,
)


def _in_pounds(facts: list[ReplyFacts]) -> list[ReplyFacts]:
    """The facts as the gift shop's dialog manager sends them: in its currency unless one states another."""
    return [f if f.currency else f.model_copy(update={"currency": "£"}) for f in facts]


def coded_facts() -> list[ReplyFacts]:
    """Facts whose ``detail`` carries a dialog code rather than a sentence (as the dialog manager sends them)."""
    bundle = next(f for f in sample_facts() if f.act is Act.show_bundle)
    return _in_pounds([
        ReplyFacts(
            act=Act.out_of_scope,
            intent=Intent.out_of_scope,
            user_text="我想买红色的午餐袋",
            detail="language",
            options=["Show me gift ideas", "Where is my order?"],
            shop_name="Cartwise Gift Shop",
        ),
        ReplyFacts(
            act=Act.account_deleted, intent=Intent.delete_account, user_text="delete my chat history",
            detail="chat_history",
        ),
        ReplyFacts(
            act=Act.no_results,
            intent=Intent.build_bundle,
            user_text="a bundle for my dog under £2",
            slots={"recipient": "my dog", "budget_max": "2.00"},
            detail="no bundle",
        ),
        ReplyFacts(
            act=Act.no_results,
            intent=Intent.compare_products,
            user_text="compare them",
            detail="I need two products to compare.",
        ),
        bundle.model_copy(update={"detail": "not_in_bundle:teapot", "user_text": "remove the teapot"}),
    ])


def sample_facts() -> list[ReplyFacts]:
    """One example per act (two for bundles: within and over budget), in :class:`Act` order."""
    products = _products()
    bundle_items = [
        BundleItem(
            id="22423",
            title="Regency Cakestand 3 Tier",
            price=D("12.75"),
            category="kitchen & baking",
            reason="the centrepiece for afternoon tea",
        ),
        BundleItem(
            id="22720",
            title="Set Of 3 Cake Tins Pantry Design",
            price=D("4.95"),
            category="kitchen & baking",
            reason="for storing the bakes",
        ),
        BundleItem(
            id="21212",
            title="Pack Of 72 Retrospot Cake Cases",
            price=D("0.55"),
            quantity=4,
            category="kitchen & baking",
            reason="cupcakes for the party",
        ),
    ]
    within = ShownBundle(items=bundle_items, total=D("19.90"), budget=D("30.00"), within_budget=True)
    over = ShownBundle(
        items=bundle_items[:2],
        total=D("17.70"),
        budget=D("15.00"),
        within_budget=False,
        note="Even the cheapest cakestand and tins come to more than the budget.",
    )
    laptops = [
        ShownProduct(
            id="EL0101", title="Apple MacBook Air 13.6-inch Laptop", price=D("1099.99"), category="Laptops", rating=4.8
        ),
        ShownProduct(
            id="EL0102", title="HP 15.6-inch Touchscreen Laptop", price=D("549.99"), category="Laptops", rating=4.4
        ),
    ]
    order = sample_order()
    older = Order(
        id="576339",
        customer_id="13069",
        placed_at=datetime(2011, 11, 14, 15, 27),
        status=OrderStatus.delivered,
        lines=[
            OrderLine(product_id="22720", title="Set Of 3 Cake Tins Pantry Design", quantity=3, unit_price=D("4.95"))
        ],
    )
    return _in_pounds([
        ReplyFacts(act=Act.greet, intent=Intent.greeting, user_text="hi", shop_name="Cartwise Gift Shop"),
        ReplyFacts(act=Act.thank, intent=Intent.thanks, user_text="thanks!"),
        ReplyFacts(act=Act.goodbye, intent=Intent.goodbye, user_text="bye", shop_name="Cartwise Gift Shop"),
        ReplyFacts(
            act=Act.show_products,
            intent=Intent.search_product,
            user_text="red lunch bags under £10 for my son",
            products=products,
            slots={
                "found": "lunch bags",
                "colour": "red",
                "budget_max": "10.00",
                "recipient": "son",
            },
        ),
        ReplyFacts(
            act=Act.no_results,
            intent=Intent.search_product,
            user_text="purple unicorn lamp under 5 pounds",
            slots={"colour": "purple", "budget_max": "5.00"},
            relaxed=["colour purple"],
        ),
        ReplyFacts(
            act=Act.compare,
            intent=Intent.compare_products,
            user_text="compare the macbook and the hp",
            products=laptops,
            currency="$",
            shop_name="Cartwise Electronics",
        ),
        ReplyFacts(
            act=Act.product_info,
            intent=Intent.product_info,
            user_text="tell me about the spaceboy lunch bag",
            products=[products[1]],
        ),
        ReplyFacts(
            act=Act.show_bundle,
            intent=Intent.build_bundle,
            user_text="afternoon tea party set under £30",
            bundle=within,
            slots={"occasion": "an afternoon tea party", "budget_max": "30.00"},
        ),
        ReplyFacts(
            act=Act.show_bundle,
            intent=Intent.build_bundle,
            user_text="baking gift under 15 pounds",
            bundle=over,
            slots={"recipient": "a baker", "budget_max": "15.00"},
        ),
        ReplyFacts(
            act=Act.clarify,
            intent=Intent.search_product,
            user_text="I need a present",
            detail="Who is the present for",
            options=["Mum", "Dad", "A child", "A colleague"],
        ),
        ReplyFacts(
            act=Act.explain,
            intent=Intent.explain_choice,
            user_text="why these?",
            products=[p.model_copy(update={"reason": "bought together with the Regency Cakestand 3 Tier in 358 orders"})
                      for p in products[:2]],
            slots={"budget_max": "10.00"},
        ),
        ReplyFacts(
            act=Act.order_problem,
            intent=Intent.report_problem,
            user_text="order 581475 arrived broken",
            order=order,
            passages=[_RETURNS],
            detail="Order 581475 would have been delivered around 14 December 2011, 4 days ago, inside the 14-day "
                   "window, so you can still report it.",
            slots={"problem": "arrived damaged", "order_id": "581475"},
            offer="talk to a person about order 581475, which arrived damaged",
        ),
        ReplyFacts(  # an angry report: the order's facts, and a person already has it
            act=Act.order_problem,
            intent=Intent.report_problem,
            user_text="this is ridiculous, order 581475 still hasn't come",
            order=order,
            slots={"problem": "has not arrived", "order_id": "581475", "ticket": "ticket #1108"},
        ),
        ReplyFacts(
            act=Act.did_you_mean,
            intent="unsure",
            user_text="bag thing order",
            options=["Search for bags", "Check an order"],
        ),
        ReplyFacts(act=Act.order_status, intent="order_status", user_text="where is order 581475?", order=order),
        ReplyFacts(act=Act.order_list, intent="order_list", user_text="show my orders", orders=[order, older]),
        ReplyFacts(act=Act.sign_in_required, intent="order_status", user_text="where is order 581475?"),
        ReplyFacts(act=Act.order_not_found, intent="order_status", user_text="where is order 123456?"),
        ReplyFacts(
            act=Act.order_action,
            intent=Intent.cancel_order,
            user_text="cancel order 581475",
            order=order,
            passages=[_CANCEL],
        ),
        ReplyFacts(
            act=Act.policy_answer,
            intent="return_policy",
            user_text="how long do I have to return?",
            passages=[_RETURNS],
        ),
        ReplyFacts(act=Act.policy_unknown, intent="policy", user_text="do you price match?"),
        ReplyFacts(
            act=Act.handoff,
            intent="human_agent",
            user_text="I want to talk to a person",
            detail="ticket #2041",
            passages=[_HOURS],
        ),
        ReplyFacts(
            act=Act.out_of_scope,
            intent=Intent.out_of_scope,
            user_text="what's the weather tomorrow?",
            shop_name="Cartwise Gift Shop",
        ),
        ReplyFacts(act=Act.input_rejected, intent="", user_text="", detail="the message was empty"),
        ReplyFacts(
            act=Act.account_deleted,
            intent=Intent.delete_account,
            user_text="delete my data",
            detail="You have been signed out.",
        ),
        ReplyFacts(
            act=Act.show_products,
            intent=Intent.search_product,
            user_text="我想买红色的午餐袋",
            products=products[:2],
            slots={"found": "午餐袋"},
        ),
    ])
