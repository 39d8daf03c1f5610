"""Quantities with a unit in a product's text ("8 GB DDR4 RAM", "32 Hours of Battery Life", '15.6"'), to answer
"which one has the most RAM?" from the data.

Like the money and size parsers, a small closed grammar: a number, then a unit; values of one kind are brought to
one scale (TB and MB to GB, kg and oz to grams) so they compare. Units that read as something else after a number
are left out: "5G" is a network, "i7-13620H" a chip, "2 in 1" a kind. Which quantity a question is about is read from
where the property's own words are printed, never from a list of properties.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# unit -> (kind, factor to the kind's base unit)
_UNITS: dict[str, tuple[str, float]] = {
    "tb": ("bytes", 1000.0), "gb": ("bytes", 1.0), "mb": ("bytes", 0.001),
    "hours": ("hours", 1.0), "hour": ("hours", 1.0), "hrs": ("hours", 1.0), "hr": ("hours", 1.0),
    "minutes": ("hours", 1 / 60), "mins": ("hours", 1 / 60), "min": ("hours", 1 / 60),
    '"': ("inches", 1.0), "”": ("inches", 1.0), "inch": ("inches", 1.0), "inches": ("inches", 1.0),
    "lbs": ("grams", 453.6), "lb": ("grams", 453.6), "pounds": ("grams", 453.6), "kg": ("grams", 1000.0),
    "grams": ("grams", 1.0), "oz": ("grams", 28.35), "ounces": ("grams", 28.35),
    "w": ("watts", 1.0), "watts": ("watts", 1.0), "watt": ("watts", 1.0),
    "mah": ("mah", 1.0), "ghz": ("hertz", 1e9), "mhz": ("hertz", 1e6), "hz": ("hertz", 1.0),
    "mp": ("megapixels", 1.0), "megapixels": ("megapixels", 1.0),
    "ft": ("metres", 0.3048), "feet": ("metres", 0.3048), "cm": ("metres", 0.01),
    "mm": ("metres", 0.001),
}
_MEASURE = re.compile(
    r"(?<![\w.])(?:up to\s+)?(?P<number>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*-?\s*(?P<unit>"
    + "|".join(re.escape(u) for u in sorted(_UNITS, key=len, reverse=True)) + r")(?![a-z0-9])", re.I)
# How far (in characters) a quantity may stand from the property's words to be its value: specs print the value
# first ("8 GB DDR4-3200 RAM"), prose after ("battery life of up to 12 hours").
_BEFORE, _AFTER = 30, 25


@dataclass(frozen=True)
class Measure:
    """A quantity read from text: ``value`` in the base unit of ``kind`` ("bytes" in GB, "grams", ...), and the
    words it was printed as ("8 GB")."""

    value: float
    kind: str
    text: str


def measures(text: str) -> list[tuple[Measure, int, int]]:
    """Every quantity with a unit in ``text``, with where it starts and ends."""
    found = []
    for m in _MEASURE.finditer(text):
        kind, factor = _UNITS[m.group("unit").lower()]
        number = float(m.group("number").replace(",", ""))
        found.append((Measure(number * factor, kind, m.group(0).strip()), m.start(), m.end()))
    return found


def measure_near(text: str, words: list[str]) -> Measure | None:
    """The quantity ``text`` gives for the property ``words`` ("ram", "battery life"): the nearest one printed just
    before where those words are, else just after; None when none is near."""
    lowered = text.lower()
    spots = [m.start() for w in words if len(w) > 1
             for m in re.finditer(rf"\b{re.escape(w.lower())}", lowered)]
    if not spots:
        return None
    best: tuple[int, Measure] | None = None
    for measure, start, end in measures(text):
        for spot in spots:
            gap = spot - end if end <= spot else start - spot
            if (end <= spot and gap <= _BEFORE) or (start > spot and gap <= _AFTER):
                rank = gap if end <= spot else gap + _BEFORE  # a value printed before the words comes first
                if best is None or rank < best[0]:
                    best = (rank, measure)
    return best[1] if best else None
