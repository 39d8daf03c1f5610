"""The order-date parser: days with their month, relative phrases, and the spans they mean from the shop's today."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.types import OrderDate
from assistant.understanding.dates import find_order_date
from assistant.understanding.slots import SlotExtractor

pytestmark = pytest.mark.no_shop  # reads no built shop: runs while a fresh clone builds them

TODAY = date(2011, 12, 10)


@pytest.mark.parametrize(("text", "expected"), [
    ("and the one i placed on 9 november?", OrderDate(month=11, day=9)),
    ("did my order from the 28th of november arrive", OrderDate(month=11, day=28)),
    ("my order of dec 1st", OrderDate(month=12, day=1)),
    ("ordered on september 3", OrderDate(month=9, day=3)),
    ("i ordered it yesterday", OrderDate(days_ago=(1, 1))),
    ("a cakestand last week", OrderDate(days_ago=(5, 14))),
    ("what about the order from january?", OrderDate(month=1)),
    ("what did i get back in march", OrderDate(month=3)),
    ("the one in april, where is it", OrderDate(month=4)),
    # After the message speaks of an order, any word may follow the month.
    ("the order i placed in october never came", OrderDate(month=10)),
    ("my parcel from march still hasnt come", OrderDate(month=3)),
    # A month before an order word names that order.
    ("something in my june order was broken", OrderDate(month=6)),
    ("the october delivery is late", OrderDate(month=10)),
    ("junes parcel never came", OrderDate(month=6)),  # "june's", apostrophe dropped by normalising
    # A year after the date, or alone in a message about orders.
    ("the order i placed on 9 november 2010", OrderDate(month=11, day=9, year=2010)),
    ("my orders in december 2010", OrderDate(month=12, year=2010)),
    ("my order of dec 1st, 2010", OrderDate(month=12, day=1, year=2010)),
    ("show me my orders from 2011", OrderDate(year=2011)),
    # Or before the orders it dates, as a month's name may.
    ("my 2010 orders", OrderDate(year=2010)),
    ("what were my 2011 purchases", OrderDate(year=2011)),
    # A year counted back from today's, in a message about orders or spending.
    ("how much have i spent this year", OrderDate(years_back=0)),
    ("my orders from last year", OrderDate(years_back=1)),
    # The latest Christmas past, in a message about orders or spending.
    ("what did i buy last christmas", OrderDate(last_christmas=True)),
    ("how much did i spend at xmas last year", OrderDate(last_christmas=True)),
    ("what did i order last year at christmas", OrderDate(last_christmas=True)),
])
def test_dates_are_read(text: str, expected: OrderDate) -> None:
    found, rest = find_order_date(text)
    assert found == expected
    assert "\x1f" in rest  # the date is blanked out of what retrieval searches with


@pytest.mark.parametrize("text", ["may i have a mug", "the 3rd one", "a 2 tier cake stand", "under 20 for my mum",
                                  "the second one in march colours",
                                  "january sale mugs", "a mug in june colours", "my june wedding cake stand",
                                  "may i return my order",
                                  "the may blossom mug", "a 2010 calendar", "anything from 2011 in the sale",
                                  "a calendar for this year", "last christmas i gave you my heart mug"])
def test_no_date(text: str) -> None:
    assert find_order_date(text) == (None, text)


def test_spans_from_the_shops_today() -> None:
    assert OrderDate(month=11, day=9).span(TODAY) == (date(2011, 11, 9), date(2011, 11, 9))
    assert OrderDate(years_back=0).span(TODAY) == (date(2011, 1, 1), TODAY)
    assert OrderDate(years_back=1).span(TODAY) == (date(2010, 1, 1), date(2010, 12, 31))
    # A day and month later than today is last year's.
    assert OrderDate(month=12, day=25).span(TODAY) == (date(2010, 12, 25), date(2010, 12, 25))
    assert OrderDate(days_ago=(1, 1)).span(TODAY) == (date(2011, 12, 9), date(2011, 12, 9))
    assert OrderDate(days_ago=(5, 14)).span(TODAY) == (date(2011, 11, 26), date(2011, 12, 5))
    assert OrderDate(month=2, day=30).span(TODAY) == (TODAY, TODAY)  # no such day: today, never an error
    # A month alone is the whole month, last year's when it has not begun yet, and never past today.
    assert OrderDate(month=2).span(TODAY) == (date(2011, 2, 1), date(2011, 2, 28))
    assert OrderDate(month=12).span(TODAY) == (date(2011, 12, 1), TODAY)
    assert OrderDate(month=12).span(date(2011, 11, 30)) == (date(2010, 12, 1), date(2010, 12, 31))
    # The run-up to the latest Christmas Day before today: the one just past once it has come.
    assert OrderDate(last_christmas=True).span(TODAY) == (date(2010, 11, 1), date(2010, 12, 25))
    assert OrderDate(last_christmas=True).span(date(2012, 1, 5)) == (date(2011, 11, 1), date(2011, 12, 25))


def test_a_date_is_said_with_its_preposition() -> None:
    assert OrderDate(month=11, day=9).when() == "on 9 November"
    assert OrderDate(month=1).when() == "in January"
    assert OrderDate(days_ago=(5, 14)).when() == "last week"


def test_a_date_is_a_slot_and_no_budget_or_quantity() -> None:
    reading = SlotExtractor("£").read("what about the one from 1 december")
    assert reading.slots.placed == OrderDate(month=12, day=1)
    assert reading.slots.budget_max is None and reading.slots.quantity is None
    assert "december" not in reading.residual


def test_a_date_is_shown_in_words() -> None:
    assert SlotExtractor("£").extract("the order from 9 november").as_strings()["placed"] == "9 November"
    assert SlotExtractor("£").extract("what i ordered last week").as_strings()["placed"] == "last week"


def test_spans_of_a_year() -> None:
    assert OrderDate(year=2010).span(TODAY) == (date(2010, 1, 1), date(2010, 12, 31))
    assert OrderDate(month=12, year=2010).span(TODAY) == (date(2010, 12, 1), date(2010, 12, 31))
    assert OrderDate(month=2, day=3, year=2010).span(TODAY) == (date(2010, 2, 3), date(2010, 2, 3))
    assert OrderDate(month=2, day=30, year=2010).span(TODAY) == (date(2010, 2, 1), date(2010, 2, 28))
    assert OrderDate(month=12, year=2010).when() == "in December 2010"
    assert OrderDate(year=2011).when() == "in 2011"
