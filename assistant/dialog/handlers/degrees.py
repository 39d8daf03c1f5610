"""Which of the products compared has the most or the least of a property, from the quantities their own text
prints ("which one has the most ram?" -> the 12GB one), or nothing when too few print it (never a guess)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from assistant.types import Understanding
from assistant.understanding.catalog import prints, title_itself, words_of
from assistant.understanding.content import FUNCTION_WORDS
from assistant.understanding.measures import Measure, measure_near, measures
from assistant.understanding.references import TITLE_SIZES
from cartwise.models import Product


def _property_words(u: Understanding) -> list[str]:
    return [w for w in words_of(u.attribute) if w not in FUNCTION_WORDS and w not in ("which", "one")]


def _measure(product: Product, u: Understanding, words: list[str]) -> Measure | None:
    """The quantity of the property asked about (``words``) that ``product``'s own text gives, or None."""
    text = f"{product.title}. {product.description}"
    near = measure_near(text, words) if u.degree_of != "weight" else None
    if near is not None:
        return near
    if u.degree_of == "weight":
        return next((m for m, _, _ in measures(text) if m.kind == "grams"), None)
    if u.degree_of == "size" and (printed := TITLE_SIZES.search(title_itself(product.title))):
        # "the biggest screen": the size the title prints of the thing itself (15.6"), as title_size reads it (a
        # "Keyboard for iPad Pro 12.9-inch" is not 12.9").
        return next((m for m, _, _ in measures(printed.group(0))), None)
    return None


def _measured(products: Sequence[Product], u: Understanding, words: list[str]) -> dict[str, Measure]:
    """The quantity of the property asked about that each product's own text gives, by product id: of the one kind
    most of them give (RAM in GB is no screen in inches); products whose text gives none are left out."""
    measured = {p.id: m for p in products if (m := _measure(p, u, words)) is not None}
    if not measured:
        return {}
    kind = Counter(m.kind for m in measured.values()).most_common(1)[0][0]
    return {i: m for i, m in measured.items() if m.kind == kind}


def ranked_by(products: Sequence[Product], u: Understanding) -> list[Product]:
    """The ``products`` whose own text gives the quantity asked about (``u.degree_of``/``u.attribute``), the one
    with the most (or least, ``u.degree``) of it first; those whose text gives none are left out."""
    measured = _measured(products, u, _property_words(u))
    return sorted((p for p in products if p.id in measured), key=lambda p: measured[p.id].value,
                  reverse=u.degree == "most")


def most_of(products: Sequence[Product], u: Understanding, said: str, unmeasured: int = 0) -> str:
    """What the products' texts say of which has the most (or least, ``u.degree``) of the property ``said`` (as
    the shopper wrote it): the one or ones with it, the others' quantities, and how many do not say; "" when fewer
    than two products' texts give a quantity for it. ``unmeasured``: how many more of the kind, not shown, give
    none (they are not ruled out either)."""
    words = _property_words(u)
    measured = _measured(products, u, words)
    if not measured:
        return ""
    kind = next(iter(measured.values())).kind
    for p in products:
        # A product filed under the property ("Hard Drives, SSD & Storage") whose title prints one quantity of that
        # kind gives it ("Samsung 2TB Portable SSD" for "which has the most storage"); elsewhere a title's one
        # quantity may be another property (a MacBook's "512GB SSD" is no memory).
        printed = [m for m, _, _ in measures(p.title) if m.kind == kind]
        if p.id not in measured and len(printed) == 1 and any(prints(p.category, w) for w in words):
            measured[p.id] = printed[0]
    if len(measured) < 2:
        return ""  # one quantity ranks nothing: the comparison says the others' details are silent
    pick = max if u.degree == "most" else min
    edge = pick(m.value for m in measured.values())
    titles = {p.id: p.title for p in products}
    winners = [i for i, m in measured.items() if m.value == edge]
    what = ("weighs the least" if u.degree == "least" else "weighs the most") if u.degree_of == "weight" else \
        ("is the smallest" if u.degree == "least" else "is the biggest") if u.degree_of == "size" else \
        f"has the {u.degree} {said}"
    if len(winners) > 1:
        what = what.replace("has ", "have ", 1).replace("is ", "are ", 1).replace("weighs ", "weigh ", 1)
    lead = f"{' and '.join(titles[i] for i in winners)} {what} ({measured[winners[0]].text})"
    others = [f"{titles[i]}: {m.text}" for i, m in measured.items() if i not in winners]
    silent = len(products) - len(measured) + unmeasured
    lines = [f"Going by the product details, {lead}." if not silent else
             f"Of those whose details give it, {lead}."]
    if others:
        lines.append("The others: " + "; ".join(others) + ".")
    if silent:
        lines.append(f"The details of {silent} {'other' if silent == 1 else 'others'} don't give it, so I can't rule "
                     f"{'it' if silent == 1 else 'them'} out.")
    return "\n".join(lines)
