"""The property a question asks about, and the ones the reply states from the data anyway."""

from __future__ import annotations

import pytest

from assistant.understanding.attributes import as_typed, asked_attribute, asked_degree, silent_on

pytestmark = pytest.mark.no_shop  # reads no built shop: runs while a fresh clone builds them


@pytest.mark.parametrize(("text", "expected"), [
    ("which one has better battery life", "battery life"),
    ("does it have noise cancelling", "noise cancelling"),
    ("which is lightest", "which one is lightest"),
    ("how many devices can it handle", "devices"),  # whatever the verb after the pointer
    ("how loud does it get", "how loud it gets"),  # whatever the degree word
    ("how much have i spent with you", ""),  # a grammar word after "how much": no quantity named
    ("the cheapest one how much ram", "ram"),  # a quantity asked without a verb
    ("how much is it", ""),  # the price, which the reply states anyway
    ("how much for two", ""),
    ("do they come in a gift box", "gift box"),  # what they come in: no colour or size of theirs
    ("does it come in blue", ""),  # a variant asked for, not a property
    ("does it come in 65 inch", ""),
    ("does it come in a bigger size", ""),
    ("does it work with iphone", "iphone"),
    ("does it work with my samsung tv", "samsung tv"),  # whose TV is no part of what the details may say
    ("which is better for drawing", "drawing"),
    ("what colours do they come in", "colours"),  # answered from the colours the titles print
    ("does it come in other colours", "colours"),
    ("any different colours?", "colours"),
    ("does it come in another colour", "colours"),  # wordings no rule listed: the words, not a phrase
    ("any more shades", "colours"),
    ("which colour is it", "colours"),
    ("how much battery life does the first one have", "battery life"),  # not "have"
    ("what resolution does it have", "resolution"),
    ("is it good for gaming", "gaming"),  # how good is for the details to say; "good" is no property
    ("does it have good battery life", "battery life"),
    ("are they waterproof", "waterproof"),  # asked of several, as "is it" asks it of one
    ("are these dishwasher safe", "dishwasher safe"),  # and by any plural pointer
    ("are any of them leather", "leather"),
    ("do those have a lid", "lid"),
    ("does the first one have 5g", "5g"),  # a property of two characters, after the pointer
    ("how long does it burn for", "how long it burns"),  # how it does what it does, said back as asked
    ("how long do they burn for", "how long they burn"),
    ("how well do these hold heat", "how well they hold heat"),
    # The question after the words saying which product.
    ("the apple one , how long does the battery last", "how long the battery lasts"),
    ("that one is it waterproof", "waterproof"),
])
def test_a_property_is_read_from_the_question(text: str, expected: str) -> None:
    assert asked_attribute(text) == expected


@pytest.mark.parametrize("text", [
    "which has the best reviews",  # reviews are summed up by the rating the reply states
    "which is the best reviewed",
    "which is the best seller",  # sales come from the orders, not the product details
    "which is cheaper",
    "is it any good",  # the rating says
    "is it worth it",
    "does it come in 65 inch",  # a variant, not a property
    "tell me more about the second one",
    "whats the difference between them",  # the comparison itself
    "are they the same",  # a comparison, no property
    "how does it compare to the second one",
    "whats the most expensive thing in it",  # the thing is the one asked about
])
def test_what_the_data_states_is_no_property_to_quote(text: str) -> None:
    assert asked_attribute(text) == ""


def test_what_comes_with_it_asks_what_is_in_the_box() -> None:
    from assistant.understanding.attributes import asked_attribute, asks_included

    assert asked_attribute("what games come with it") == "games" and asks_included("what games come with it")
    assert asked_attribute("which cables come with this one?") == "cables"
    assert not asks_included("what goes with it")


def test_how_big_asks_for_the_size_and_how_long_does_not() -> None:
    from assistant.understanding.attributes import SIZE_ASKED, asked_attribute

    assert asked_attribute("how big is it") == SIZE_ASKED
    assert asked_attribute("how heavy are they") == "weight"
    assert asked_attribute("how long does delivery take") != SIZE_ASKED


@pytest.mark.parametrize(
    ("attribute", "text", "said"),
    [
        ("hdmi 2 1", "does it have hdmi 2.1", "hdmi 2.1"),  # normalising split the version number
        ("wi fi 6", "does it support Wi-Fi 6?", "Wi-Fi 6"),
        ("backlit keyboard", "does it have a backlit keyboard", "backlit keyboard"),
        ("memory", "how much memory", "memory"),
        ("usb c", "is it usb c", "usb c"),
        ("battery", "what's it like", "battery"),  # not in the message: as read
    ],
)
def test_a_property_is_said_as_the_shopper_wrote_it(attribute: str, text: str, said: str) -> None:
    assert as_typed(attribute, text) == said


@pytest.mark.parametrize(("text", "asks"), [
    ("has it got good reviews", True), ("is it any good", True), ("is it well rated", True),
    ("is it good for gaming", False), ("does it have good battery life", False), ("how big is it", False),
    ("what do people say about it", True), ("what do customers think of the second one", True),
    ("what does it say on the box", False), ("what are other buyers saying about it", True),
])
def test_how_good_a_product_is_its_rating_answers(text: str, asks: bool) -> None:
    from assistant.understanding.attributes import asks_rating

    assert asks_rating(text) is asks


def test_a_verb_of_needing_asks_about_what_follows_it() -> None:
    assert asked_attribute("does the first one need a subwoofer") == "subwoofer"
    assert asked_attribute("does it take batteries") == "batteries"


@pytest.mark.parametrize("text", ["whats the second stand made of", "whats the second one made of",
                                  "what is the red one made of"])
def test_a_pointer_before_the_property_is_no_part_of_it(text: str) -> None:
    from assistant.understanding.attributes import MATERIAL_ASKED

    assert asked_attribute(text) == MATERIAL_ASKED


@pytest.mark.parametrize(("text", "expected"), [
    ("which one has the most ram", ("most", "")),
    ("which has the longest battery life", ("most", "")),
    ("which has more storage", ("most", "")),
    ("which one has less noise", ("least", "")),
    ("which is the lightest", ("least", "weight")),
    ("which one is heavier", ("most", "weight")),
    ("which has the biggest screen", ("most", "size")),
    ("which is cheapest", ("", "")),  # price is ranked where it is asked for
    ("tell me more about the second one", ("", "")),
    ("does it have the longest battery life", ("", "")),  # no "which": asks of one product
    ("which is best for gaming", ("", "")),  # a judgement, no quantity of "gaming"
    ("which has the best camera", ("", "")),
    ("which laptop is lightest", ("least", "weight")),  # of a kind named after "which"
    ("whats the lightest laptop you have", ("least", "weight")),  # a weight superlative before the thing
    ("your heaviest drone", ("most", "weight")),
    ("the most lightweight tablet", ("least", "weight")),  # "most" before a word naming the weight itself
    ("the least heavy drone", ("least", "weight")),
    ("the lightest one", ("", "")),  # "one" is no thing: nothing to rank here without "which"
])
def test_the_degree_a_question_asks_of_a_property(text: str, expected: tuple[str, str]) -> None:
    assert asked_degree(text) == expected


def test_what_the_details_do_not_say_is_said_in_english() -> None:
    assert silent_on(asked_attribute("what does it smell like")) == "don't say what it smells like"
    assert silent_on("sound like", of_each=True) == "don't say what each sounds like"
    assert silent_on("battery life") == "don't mention battery life"
    assert silent_on("battery life", of_any=True) == "don't mention battery life for any of them"
    assert silent_on("smell like", of_any=True) == "don't say what any of them smells like"
    assert silent_on("how long they burn", of_any=True) == "don't say how long they burn"
    # "whats the battery like on it": the battery, no verb "battery" ("don't say what it batterys like").
    assert asked_attribute("whats the battery like on it") == "battery"
    assert asked_attribute("whats the sound quality like") == "sound quality"


def test_a_part_of_the_product_doing_what_it_does_is_a_property() -> None:
    # "how long does the battery last": the battery is the product's, not a battery to search for.
    assert asked_attribute("how long does the battery last") == "how long the battery lasts"
    assert asked_attribute("how long does it last") == "how long it lasts"


def test_a_pointer_or_an_aside_closing_the_question_is_no_part_of_the_property() -> None:
    # "on the second" says which product, as "on the second one" does; "though" holds nothing asked.
    assert asked_attribute("ok and whats the screen size on the second") == "screen size"
    assert asked_attribute("whats the refresh rate on the last") == "refresh rate"
    assert asked_attribute("is that one suitable for kids though") == "suitable for kids"
    assert asked_attribute("does it have a touchscreen too") == "touchscreen"
    assert asked_attribute("the third one looks nice what is it exactly") == ""


def test_a_size_asked_by_the_part_it_measures_is_the_size_the_title_prints() -> None:
    from decimal import Decimal

    from assistant.dialog.handlers.shopping import quote_about
    from cartwise.models import Product

    laptop = Product(id="L1", title='Lenovo LOQ 15.6" Gaming Laptop', price=Decimal("599.97"), stock=3,
                     description='15.6" IPS LCD with LED-Backlight FHD (1920 x 1080) 144Hz Display.')
    assert quote_about(laptop, "screen size") == '15.6"'
    # Details that name the part are quoted as they are.
    tv = Product(id="T1", title="Samsung 58 Class TV", price=Decimal("399"), stock=3,
                 description="A 58-inch screen with crystal clear colour.")
    assert "58-inch screen" in quote_about(tv, "screen size")
