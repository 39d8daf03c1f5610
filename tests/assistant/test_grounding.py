"""The grounding check: what an LLM reply may and may not state."""

from __future__ import annotations

from decimal import Decimal

import pytest
from nlg_samples import sample_facts, sample_order

from assistant.facts import Act, PolicyPassage, ReplyFacts
from assistant.nlg import GroundingChecker
from assistant.reply import ShownProduct
from cartwise.models import OrderStatus

pytestmark = pytest.mark.no_shop  # reads no built shop: runs while a fresh clone builds them

# Most tests look at one kind of claim, so they leave out the completeness rule (tested on its own below).
CHECK = GroundingChecker(require_key_facts=False)
FULL = GroundingChecker()


def facts_for(act: Act) -> ReplyFacts:
    return next(f for f in sample_facts() if f.act is act)


@pytest.fixture
def products() -> ReplyFacts:
    return facts_for(Act.show_products)  # three lunch bags at £1.65, budget slot £10


@pytest.mark.parametrize(
    "text",
    [
        "Lunch Bag Red Retrospot is £1.65.",
        "Lunch Bag Red Retrospot is 1.65 pounds.",
        "Lunch Bag Red Retrospot is GBP 1.65, well under your £10 budget.",
        "Lunch Bag Red Retrospot is just 165p.",
        "All 3 bags cost £1.65 each.",
    ],
)
def test_right_prices_in_any_format_pass(products: ReplyFacts, text: str) -> None:
    result = CHECK.check(text, products)
    assert result.ok, result.problems


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("Lunch Bag Red Retrospot is only £4.20!", "£4.20"),
        ("Lunch Bag Red Retrospot is 2.50 pounds.", "2.50 pounds"),
        ("Lunch Bag Red Retrospot is just 4.20 today.", "4.20"),
        ("Lunch Bag Red Retrospot costs 99p.", "99p"),
        ("Lunch Bag Red Retrospot costs $1.65.", "USD"),
    ],
)
def test_invented_or_wrong_currency_prices_are_flagged(products: ReplyFacts, text: str, flagged: str) -> None:
    result = CHECK.check(text, products)
    assert not result.ok
    assert any(flagged in p for p in result.problems), result.problems


def test_thousands_separators_are_read_exactly() -> None:
    facts = facts_for(Act.compare)  # $1,099.99 and $549.99
    assert CHECK.check("The MacBook Air is $1,099.99 and the HP is $549.99.", facts).ok
    assert not CHECK.check("The MacBook Air is $1,099.00.", facts).ok
    assert not CHECK.check("The MacBook Air is 1,199.99 dollars.", facts).ok


def test_stray_numbers_are_flagged(products: ReplyFacts) -> None:
    result = CHECK.check("We have 12 lunch bags like Lunch Bag Red Retrospot.", products)
    assert result.problems == ["number '12' is not in the facts"]


def test_order_ids_dates_and_statuses_must_match_the_order() -> None:
    facts = facts_for(Act.order_status)  # 581475, 8 December 2011, shipped, £19.94
    good = "Your order 581475 from 8 December 2011 has shipped. Total £19.94."
    assert CHECK.check(good, facts).ok
    assert CHECK.check("Order 581475 (placed 2011-12-08, Dec 8, 2011, 8/12/2011) is shipped.", facts).ok
    wrong_id = CHECK.check("Order 581476 has shipped; order 581475 too.", facts)
    assert wrong_id.problems == ["order number '581476' is not in the facts"]
    wrong_date = CHECK.check("Order 581475 was placed on 9 December 2011.", facts)
    assert wrong_date.problems == ["date '9 December 2011' is not in the facts"]
    wrong_status = CHECK.check("Good news: order 581475 has been delivered!", facts)
    assert "order status 'been delivered' is not in the facts" in wrong_status.problems


def test_general_policy_talk_about_statuses_is_not_a_claim() -> None:
    facts = facts_for(Act.order_action)  # shipped order + cancellation passage
    text = "Order 581475 has shipped. If an order has been delivered you can return it instead."
    assert CHECK.check(text, facts).ok
    # ...but a claim about this order is checked even when the passage mentions the word.
    assert not CHECK.check("Order 581475 is already cancelled.", facts).ok


def test_a_status_claim_without_any_order_in_the_facts_is_flagged() -> None:
    facts = facts_for(Act.policy_answer)
    assert not CHECK.check("Your order has been delivered (from: Return window).", facts).ok


def test_invented_names_are_flagged_and_close_rephrasings_pass(products: ReplyFacts) -> None:
    invented = CHECK.check("Try the Pink Polkadot Lunch Box instead.", products)
    assert invented.problems == ["name 'Pink Polkadot Lunch Box' is not in the facts"]
    assert CHECK.check("Try the Spaceboy Design Lunch Bags, or Lunch Bag Black Skull.", products).ok
    assert CHECK.check("Meet The Lunch Bag Red Retrospot!", products).ok
    assert CHECK.check('Is it for "Mum" or "A colleague"?', facts_for(Act.clarify)).ok
    assert not CHECK.check('Is it for "Grandma"?', facts_for(Act.clarify)).ok
    assert CHECK.check("Both Lunch Bag Red Retrospot and Lunch Bag Spaceboy Design are £1.65.", products).ok
    # Words of real titles recombined into a product that doesn't exist:
    assert CHECK.check("Lunch Bag Red Skull is £1.65.", products).problems == [
        "name 'Lunch Bag Red Skull' is not in the facts"
    ]
    joined = CHECK.check("Lunch Bag Red Retrospot and Dolly Girl Beaker are £1.65.", products)
    assert not joined.ok
    assert not CHECK.check('We also have the "Jumbo Storage Bag".', products).ok


def test_raw_html_and_empty_replies_fail(products: ReplyFacts) -> None:
    assert CHECK.check("<b>Lunch Bag Red Retrospot</b>", products).problems == ["raw HTML '<b>'", "raw HTML '</b>'"]
    assert CHECK.check("   ", products).problems == ["the reply is empty"]


def test_key_facts_must_be_present() -> None:
    bundle = next(f for f in sample_facts() if f.act is Act.show_bundle)
    items = "Regency Cakestand 3 Tier, Set Of 3 Cake Tins Pantry Design and Pack Of 72 Retrospot Cake Cases"
    assert FULL.check(f"{items}.", bundle).problems == ["the bundle total 19.90 is missing"]
    assert FULL.check(f"{items}: £19.90 in all.", bundle).ok
    assert FULL.check("The Regency Cakestand and Pantry Design cake tins: £19.90.", bundle).problems == [
        "'Pack Of 72 Retrospot Cake Cases' is missing"
    ]
    status = facts_for(Act.order_status)
    assert FULL.check("Your order has shipped.", status).problems == ["the order number 581475 is missing"]
    policy = facts_for(Act.policy_answer)
    assert FULL.check("You have 30 days to return items.", policy).problems == ["no policy source is cited"]
    assert FULL.check("You have 30 days to return items (see Return window).", policy).ok
    products = facts_for(Act.show_products)
    assert FULL.check("Go ahead and refine them!", products).problems == [
        "'Lunch Bag Red Retrospot' is missing",
        "'Lunch Bag Spaceboy Design' is missing",
        "'Lunch Bag Black Skull' is missing",
    ]
    clarify = facts_for(Act.clarify)
    assert FULL.check("Who is it for: Mum, Dad or a child?", clarify).problems == ["option 'A colleague' is missing"]
    assert FULL.check("Mum, Dad, a child or a colleague.", clarify).problems == ["the question is missing"]
    orders = facts_for(Act.order_list)
    assert FULL.check("Your orders: 581475.", orders).problems == ["order 576339 is missing"]


def test_policy_numbers_are_facts_but_others_are_not() -> None:
    policy = facts_for(Act.policy_answer)
    assert not CHECK.check("You have 14 days to return items (from: Return window).", policy).ok


def test_negative_cancellation_amounts_and_letter_prefixed_ids() -> None:
    order = sample_order(OrderStatus.cancelled).model_copy(update={"id": "C581476"})
    order.lines[0].quantity = -36
    facts = ReplyFacts(currency="£", act=Act.order_status, order=order)
    assert CHECK.check("Order C581476 was cancelled: -£14.04 for 36 chalkboards.", facts).ok
    assert not CHECK.check("Order C581477 was cancelled.", facts).ok


def test_promises_the_facts_do_not_make_are_flagged(products: ReplyFacts) -> None:
    result = CHECK.check("Lunch Bag Red Retrospot is £1.65 with free delivery and a full refund.", products)
    assert result.problems == [
        "'free' is a promise the facts don't make",
        "'delivery' is a promise the facts don't make",
        "'refund' is a promise the facts don't make",
    ]
    policy = facts_for(Act.policy_answer)  # the passage does talk about refunds and delivery
    assert CHECK.check("You get a full refund within 30 days of delivery (from: Return window).", policy).ok
    cancel = facts_for(Act.order_action)  # intent cancel_order
    assert CHECK.check("Order 581475 has shipped, so you can't cancel it now.", cancel).ok


def test_leaked_prompt_scaffolding_is_flagged(products: ReplyFacts) -> None:
    result = CHECK.check("Lunch Bag Red Retrospot is £1.65.\nDRAFT: something", products)
    assert not CHECK.check("As a customer service AI, I can't help.", products).ok
    assert result.problems == ["prompt or role text leaked: 'DRAFT:'"]
    assert not CHECK.check("Task: Greet\nHello!", facts_for(Act.greet)).ok


def test_chinese_text_does_not_crash(products: ReplyFacts) -> None:
    result = CHECK.check("这两个午餐袋都很好: Lunch Bag Red Retrospot £1.65。价格 £9.99", products)
    assert result.problems == ["amount '£9.99' is not in the facts"]


def test_a_bare_budget_slot_is_an_amount_the_shopper_gave() -> None:
    facts = ReplyFacts(
        currency="£",
        act=Act.show_products,
        products=[ShownProduct(id="1", title="Heart Mug", price=Decimal("3.50"))],
        slots={"budget": "30"},
    )
    assert CHECK.check("Heart Mug is £3.50, well under £30.", facts).ok


def test_passage_amounts_are_facts() -> None:
    facts = ReplyFacts(
        currency="£",
        act=Act.policy_answer,
        passages=[PolicyPassage(source="shipping.md § UK", text="UK delivery costs £4.99, free over £50.")],
    )
    assert CHECK.check("UK delivery is £4.99 and free over £50 (from: shipping.md § UK).", facts).ok
    assert not CHECK.check("UK delivery is £3.99 (from: shipping.md § UK).", facts).ok


def test_stock_claims_must_match_the_products() -> None:
    info = facts_for(Act.product_info)  # Lunch Bag Spaceboy Design, in stock
    assert CHECK.check("Lunch Bag Spaceboy Design is in stock at £1.65.", info).ok
    assert CHECK.check("Sorry, Lunch Bag Spaceboy Design is sold out.", info).problems == [
        "'sold out' is a promise the facts don't make"
    ]


def test_talk_about_the_rewrite_and_placeholders_are_flagged(products: ReplyFacts) -> None:
    assert not CHECK.check("Here's a revised version: Lunch Bag Red Retrospot, £1.65.", products).ok
    assert not CHECK.check("Dear [Customer Name], Lunch Bag Red Retrospot is £1.65.", products).ok
    assert CHECK.check("Dear Cartwise Gift Shop, I'm glad to help.", facts_for(Act.greet)).problems == [
        "the reply is written as a letter ('Dear ...')"
    ]
