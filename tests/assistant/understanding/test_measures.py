"""Quantities with a unit in a product's text, and which one a property's words point at."""

from __future__ import annotations

import pytest

from assistant.understanding.measures import measure_near, measures

pytestmark = pytest.mark.no_shop  # reads no built shop: runs while a fresh clone builds them


@pytest.mark.parametrize(("text", "words", "expected"), [
    # A spec prints the value first: the 8 GB before "RAM", not the 256 GB drive right after it.
    ("AMD Ryzen 3 5300U 8 GB DDR4-3200 RAM 256 GB PCIe NVMe M.2 Solid-state Drive", ["ram"], (8.0, "bytes")),
    ("4-Mic Hybrid ANC 32 Hours of Battery Life with ANC", ["battery", "life"], (32.0, "hours")),
    # Prose prints it after.
    ("The battery life is up to 12 hours on a charge", ["battery", "life"], (12.0, "hours")),
    ("Record 24/7 With 4TB Storage Included", ["storage"], (4000.0, "bytes")),
    ("Weighs just 1.5 lbs for travel", ["weighs"], (680.4, "grams")),
    ("Wi-Fi 6 and a backlit keyboard", ["keyboard"], None),  # no quantity near
    ("A sturdy case", ["ram"], None),  # the property is not printed
])
def test_the_quantity_printed_for_a_property(text: str, words: list[str],
                                             expected: tuple[float, str] | None) -> None:
    found = measure_near(text, words)
    if expected is None:
        assert found is None
    else:
        assert found is not None and (round(found.value, 1), found.kind) == expected


def test_numbers_that_are_names_are_no_quantities() -> None:
    # A chip ("i7-13620H"), a network ("5G"), a kind ("2 in 1") and a model number carry no unit.
    text = 'HP 14" 2 in 1 Laptop - Intel Core i7-13620H - 5G - RTX 4060 - 1,000 mAh'
    assert [(m.kind, m.value) for m, _, _ in measures(text)] == [("inches", 14.0), ("mah", 1000.0)]
