"""What a message points at on the screen: ordinals, price order, pronouns and names, resolved to ids."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assistant.reply import ShownProduct
from assistant.types import Slots
from assistant.understanding.references import (
    chooses_by_size,
    count_before_superlative,
    counted_reference,
    name_words,
    ordinal_positions,
    picks_one_by_price,
    resolve,
    size_scale,
    title_grade,
    title_size,
)
from assistant.understanding.slots import SlotExtractor

pytestmark = pytest.mark.no_shop  # reads no built shop: runs while a fresh clone builds them

SCREEN = [
    ShownProduct(id="a", title="Red Retrospot Teapot", price=Decimal("8.00")),
    ShownProduct(id="b", title="Samsung 65in TV", price=Decimal("579.99")),
    ShownProduct(id="c", title="LG 65in TV", price=Decimal("399.99")),
    ShownProduct(id="d", title="Blue Polka Dot Mug", price=Decimal("2.50")),
]
EXTRACT = SlotExtractor("£", brands=["Samsung", "LG"])


def targets(text: str, focus: str | None = None) -> tuple[str, ...]:
    reading = EXTRACT.read(text)
    return resolve(SCREEN, reading.slots, reading.words, focus)


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        ("the second one, tell me more", ("b",)),
        ("compare the first and third", ("a", "c")),
        ("compare the first two", ("a", "b")),
        ("number 4", ("d",)),
        ("the last one", ("d",)),
        ("compare the two cheapest ones", ("d", "a")),  # by price on the screen, not by position
        ("remove the most expensive item", ("b",)),
        ("the teapot", ("a",)),
        ("is the samsung one in stock?", ("b",)),
        ("compare the samsung and the lg", ("b", "c")),
        ("show me teapots", ("a",)),
        ("something completely different", ()),
        ("which one has the longest battery?", ("a", "b", "c", "d")),  # a choice among the whole screen
        ("why did you pick these?", ("a", "b", "c", "d")),  # a plural pronoun: everything shown
        ("add 3 of those to a bundle", ("a", "b", "c", "d")),
        ("the cheaper one", ("d",)),  # definite: the cheapest of those shown
        ("the more expensive one", ("b",)),
        ("a cheaper one", ()),  # another, cheaper thing: none of those shown
        # What they cost, asked with the price words anywhere before the pronoun.
        ("how much would they cost together", ("a", "b", "c", "d")),
        ("how much are they all together", ("a", "b", "c", "d")),
        ("how much is delivery", ()),  # a price asked of no product shown
        ("what size are they", ("a", "b", "c", "d")),  # a property asked of the things shown
        ("how long do they burn for", ("a", "b", "c", "d")),  # what they do, by a verb no list holds
        # An order to list them in points at none: "first" is no place and "cheapest" picks nothing.
        ("cheapest first", ()),
        ("most expensive first please", ()),
        ("the first one, cheapest", ("a",)),
    ],
)
def test_targets(text: str, ids: tuple[str, ...]) -> None:
    assert targets(text) == ids


def test_pronouns_point_at_the_product_in_focus() -> None:
    assert targets("is it in stock?", focus="c") == ("c",)
    assert targets("add a mug to it", focus="c") == ("c",)  # "mug" is a new thing for it, not item d
    assert targets("tell me more about that one", focus="c") == ("c",)
    assert targets("is it in stock?", focus="not-on-screen") == ("a",)  # else the first shown
    assert targets("how does it compare to the second one", focus="c") == ("c", "b")  # it, and the one named
    assert targets("tell me about the second one, is it in stock", focus="c") == ("b",)  # "it" is the second


def test_both_points_at_the_two_on_the_screen() -> None:
    reading = EXTRACT.read("i will take both")
    assert resolve(SCREEN[1:3], reading.slots, reading.words, None) == ("b", "c")
    assert resolve(SCREEN, reading.slots, reading.words, None) == ()  # which two of four is not said


def test_nothing_on_the_screen_points_at_nothing() -> None:
    reading = EXTRACT.read("the second one")
    assert resolve([], reading.slots, reading.residual.split(), None) == ()


def test_helpers() -> None:
    assert ordinal_positions("the top three".split()) == [1, 2, 3]
    assert ordinal_positions("the top 2 ones".split()) == [1, 2]
    assert ordinal_positions("your top 3 best sellers".split()) == []  # how many a ranking lists
    assert ordinal_positions("the 2nd and the last".split()) == [2, -1]
    assert count_before_superlative("the two cheapest".split()) == 2
    # "the first thing" is a place in a list; "first thing tomorrow", "the last time" are none.
    assert ordinal_positions("swap the first thing for something cheaper".split()) == [1]
    assert ordinal_positions("first thing tomorrow i need a card".split()) == []
    assert ordinal_positions("the last time i ordered".split()) == []
    assert count_before_superlative("the cheapest".split()) == 1


@pytest.mark.parametrize(("text", "count"), [("add two of those to a bundle", 2), ("3 of them please", 3),
                                              ("two of the first one", None), ("those two", None)])
def test_a_counted_plural_pronoun(text: str, count: int | None) -> None:
    assert counted_reference(text.split()) == count


@pytest.mark.parametrize(("text", "which"), [
    ("the smallest one", "smallest"), ("the smaller one, how much?", "smallest"),
    ("biggest please", "largest"), ("a bigger one", ""), ("cheaper", ""),
])
def test_a_choice_by_size(text: str, which: str) -> None:
    assert chooses_by_size(text.replace(",", "").split()) == which


def test_a_set_item_is_named_by_its_role_when_no_title_names_it() -> None:
    items = [ShownProduct(id="bag", title="Red Retrospot Picnic Bag", price=Decimal("2.95")),
             ShownProduct(id="beaker", title="I Love London Beaker", price=Decimal("1.25"))]
    roles = ["bag carry picnic", "cups drinks"]
    reading = EXTRACT.read("swap the cups for something nicer")
    assert resolve(items, reading.slots, reading.words, None, roles) == ("beaker",)
    assert resolve(items, reading.slots, reading.words, None) == ()  # without the roles nothing names it
    # A title that names it comes first: "the bag" is the picnic bag, whatever the roles say.
    reading = EXTRACT.read("remove the bag")
    assert resolve(items, reading.slots, reading.words, None, ["cups drinks", "bag"]) == ("bag",)
    # Grammar words never match a role ("you" is no start of "your budget").
    reading = EXTRACT.read("can you make it under £10 instead?")
    assert resolve(items, reading.slots, reading.words, None, ["fits your budget", "cups drinks"]) == ()


@pytest.mark.parametrize(("title", "size"), [
    ('Samsung 65" Class QLED TV', 65.0),
    ("Samsung 2TB Portable SSD T7", 2000.0),
    ("iPad Pro 12.9-inch, Wi-Fi (6th Generation)", 12.9),
    # A size after "for" is what the thing fits, not its own.
    ("Apple Magic Keyboard for iPad Pro 12.9-inch", None),
    ("Regency Cakestand 3 Tier", None),
])
def test_title_size(title: str, size: float | None) -> None:
    assert title_size(title) == size


def test_size_words_are_a_scale_where_two_differ() -> None:
    frames = ["Small Parlour Picture Frame", "Medium Parlour Picture Frame", "Large Parlour Picture Frame",
              "Family Album White Picture Frame"]
    size_of = size_scale(frames)
    assert [size_of(t) for t in frames] == [1.0, 2.0, 3.0, None]
    assert title_grade("Jumbo Bag Red Retrospot") > title_grade("Extra Large Mug") > title_grade("Large Mug")  # type: ignore[operator]
    # Two "Mini" jigsaws say nothing of which jigsaw is bigger; a measure printed is the scale where there is one.
    assert size_scale(["Mini Jigsaw Purdey", "Mini Jigsaw Go To The Fair", "Jigsaw Toadstools"]) is title_size
    assert size_scale(['Small 32" TV', 'Large 65" TV']) is title_size


def test_a_model_number_names_a_product_a_count_does_not() -> None:
    assert name_words(["the", "rtx", "4060", "one"]) == ["rtx", "4060"]
    assert name_words(["the", "256gb", "one"]) == ["256gb"]
    assert name_words(["the", "2", "blue", "ones"]) == ["blue"]
    assert name_words(["i", "will", "take", "6"]) == []  # "will" is no "Willie Winkie"


@pytest.mark.parametrize(("text", "one"), [
    ("the cheapest one", True),
    ("how much is the cheapest", True),
    ("does the cheapest have a lid", True),
    ("whats the cheapest", False),  # a list from the cheapest up answers it
    ("the cheapest ones", False),
    ("how much are the two cheapest", False),
])
def test_a_price_word_picks_one_when_the_grammar_says_one(text: str, one: bool) -> None:
    assert picks_one_by_price(text.split(), Slots(price="cheapest")) is one


@pytest.mark.parametrize(("text", "count"), [
    ("the cheapest 3", 3), ("the 2 most expensive", 2), ("top 3 best sellers", 3), ("the best five", 5),
    ("the two cheapest", 2),
    ("the cheapest one", None), ("the cheapest 5 pound gift", None), ("top 20", None), ("the cheapest", None),
])
def test_a_count_beside_a_ranking_says_how_many_to_list(text: str, count: int | None) -> None:
    from assistant.understanding.references import list_count

    assert list_count(text.split()) == count


def test_words_that_say_how_to_rank() -> None:
    from assistant.understanding.references import is_ranking_word

    assert all(is_ranking_word(w) for w in ("best", "popular", "rated", "cheapest", "top"))
    assert not any(is_ranking_word(w) for w in ("noise", "wireless", "lid"))


def test_last_after_an_auxiliary_and_its_subject_is_the_verb() -> None:
    from assistant.understanding.references import ordinal_positions

    assert ordinal_positions("how long does the battery last".split()) == []
    assert ordinal_positions("will it last".split()) == []
    assert ordinal_positions("how long does the battery last on the first one".split()) == [1]
    assert ordinal_positions("tell me about the last one".split()) == [-1]
    assert ordinal_positions("does the last one have a case".split()) == [-1]


def test_a_name_several_shown_only_partly_print_names_none_of_them() -> None:
    airs = [ShownProduct(id="m2", title="MacBook Air 13.6-inch M2", price=Decimal("1349.99")),
            ShownProduct(id="m1", title="MacBook Air 13.3-inch M1", price=Decimal("949.99"))]
    reading = EXTRACT.read("compare it with the macbook pro")
    assert resolve(airs, reading.slots, reading.words, "m2") == ("m2",)  # it, and no Air for "the macbook pro"
    # Partly printed by one alone, it is that one: "the samsung one" of a Samsung among others.
    reading = EXTRACT.read("the samsung one please")
    assert resolve(SCREEN, reading.slots, reading.words, None) == ("b",)
