"""Run scripted dialog tests: play each YAML conversation against the assistant and check every reply.

Each dialog runs in a fresh, unique session; :func:`check_reply` compares one reply with one ``expect``
block and says, per expectation, what was expected and what came back. The file format is in
:mod:`assistant.testing.spec`.
"""

from __future__ import annotations

import statistics
import time
import uuid
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Protocol

from pydantic import BaseModel, Field

from assistant.testing.spec import Dialog, DialogFileError, Expect, find_dialogs, load_dialog
from assistant.types import BundleItem, Reply, ShownProduct

__all__ = [
    "CheckResult",
    "Dialog",
    "DialogFileError",
    "DialogResult",
    "DialogRunner",
    "Expect",
    "StepResult",
    "check_reply",
    "find_dialogs",
    "load_dialog",
]


# --- checking ------------------------------------------------------------------


class CheckResult(BaseModel):
    """One expectation compared with the reply."""

    check: str
    passed: bool
    expected: str
    got: str


def _has(text: str, needle: str) -> bool:
    return needle.casefold() in text.casefold()


def _matches(product: ShownProduct | BundleItem, needle: str) -> bool:
    return product.id.casefold() == needle.casefold() or _has(product.title, needle)


def _same_value(got: str, want: str) -> bool:
    """Slot values match ignoring case, and numbers match by value ("20" == "20.00")."""
    if got.casefold() == want.casefold():
        return True
    try:
        return Decimal(got) == Decimal(want)
    except InvalidOperation:
        return False


def _shown(products: list[ShownProduct]) -> str:
    return "; ".join(f"{p.id} {p.title} ({p.price})" for p in products) or "no products"


def check_reply(expect: Expect, reply: Reply, previous: Reply | None = None) -> list[CheckResult]:
    """Compare ``reply`` with every expectation that ``expect`` sets.

    Args:
        expect: the step's expectations.
        reply: what the assistant answered.
        previous: the reply to the step before (for "cheaper" and "the second one" checks).

    Returns:
        One result per expectation (passed or not), in the order the fields are declared.
    """
    out: list[CheckResult] = []

    def add(check: str, passed: bool, expected: object, got: object) -> None:
        out.append(CheckResult(check=check, passed=passed, expected=str(expected), got=str(got)))

    text, products, bundle = reply.text, reply.products, reply.bundle
    if expect.intent is not None:
        got_intent = f"{reply.intent} ({reply.confidence:.2f})"
        add("intent", reply.intent in expect.intent, " or ".join(expect.intent), got_intent)
    for needle in expect.text_contains:
        add("text_contains", _has(text, needle), f"text contains {needle!r}", repr(text))
    if expect.text_contains_any:
        add("text_contains_any", any(_has(text, n) for n in expect.text_contains_any),
            f"text contains one of {expect.text_contains_any}", repr(text))
    for needle in expect.text_not_contains:
        add("text_not_contains", not _has(text, needle), f"text does not contain {needle!r}", repr(text))
    for needle in expect.products_include:
        add("products_include", any(_matches(p, needle) for p in products), f"a product matching {needle!r}",
            _shown(products))
    for needle in expect.products_exclude:
        add("products_exclude", not any(_matches(p, needle) for p in products), f"no product matching {needle!r}",
            _shown(products))
    if expect.products_first is not None:
        add("products_first", bool(products) and _matches(products[0], expect.products_first),
            f"the first product matches {expect.products_first!r}", _shown(products[:1]) if products else "none")
    if expect.products_all_contain:
        bad = [p for p in products
               if not any(_has(f"{p.title} {p.category}", w) for w in expect.products_all_contain)]
        add("products_all_contain", not bad, f"every product mentions one of {expect.products_all_contain}",
            f"not matching: {_shown(bad)}" if bad else _shown(products))
    if expect.products_min is not None:
        add("products_min", len(products) >= expect.products_min, f">= {expect.products_min} products", len(products))
    if expect.products_max is not None:
        add("products_max", len(products) <= expect.products_max, f"<= {expect.products_max} products", len(products))
    if expect.products_price_max is not None:
        limit = expect.products_price_max
        dear = [p for p in products if p.price > limit]
        over = f"over: {_shown(dear)}" if dear else "all within"
        add("products_price_max", not dear, f"every price <= {limit}", over)
    before = previous.products if previous else []
    if expect.products_cheaper_than_before is not None:
        if products and before:
            now_median = statistics.median(p.price for p in products)
            then_median = statistics.median(p.price for p in before)
            cheaper = now_median < then_median
            got = f"median {now_median} now vs {then_median} before"
        else:
            cheaper, got = False, f"{len(products)} products now, {len(before)} before"
        add("products_cheaper_than_before", cheaper == expect.products_cheaper_than_before,
            "cheaper than the previous reply" if expect.products_cheaper_than_before else "not cheaper", got)
    if expect.products_price_order is not None:
        prices = [p.price for p in products]
        ordered = sorted(prices, reverse=expect.products_price_order == "descending")
        add("products_price_order", len(prices) >= 2 and prices == ordered, f"prices {expect.products_price_order}",
            ", ".join(str(p) for p in prices) or "no products")
    if expect.products_first_is_previous is not None:
        n = expect.products_first_is_previous
        target = before[n - 1] if len(before) >= n else None
        first = products[0] if products else None
        add("products_first_is_previous", target is not None and first is not None and first.id == target.id,
            f"previous product #{n}: {target.id + ' ' + target.title if target else '(previous reply had fewer)'}",
            f"{first.id} {first.title}" if first else "no products")
    if expect.products_first_is_cheapest_of_previous is not None:
        # Any of the previous reply's products at its lowest price: two at that price are both "the cheapest".
        lowest = min((b.price for b in before), default=None)
        first = products[0] if products else None
        cheapest = first is not None and any(b.id == first.id and b.price == lowest for b in before)
        add("products_first_is_cheapest_of_previous", cheapest == expect.products_first_is_cheapest_of_previous,
            f"the cheapest of the previous reply ({lowest})" if expect.products_first_is_cheapest_of_previous
            else "not the cheapest of the previous reply", f"{first.id} {first.title} ({first.price})" if first
            else "no products")
    if expect.products_new is not None:
        again = [p for p in products if any(p.id == b.id for b in before)]
        add("products_new", (bool(products) and not again) == expect.products_new,
            "none shown before" if expect.products_new else "some shown before",
            f"again: {_shown(again)}" if again else f"{len(products)} products, none shown before")
    if expect.bundle is not None:
        add("bundle", (bundle is not None and bool(bundle.items)) == expect.bundle,
            "a bundle" if expect.bundle else "no bundle", "a bundle" if bundle and bundle.items else "no bundle")
    if expect.bundle_min_items is not None:
        n = len(bundle.items) if bundle else 0
        add("bundle_min_items", n >= expect.bundle_min_items, f">= {expect.bundle_min_items} bundle items", n)
    for needle in expect.bundle_include:
        items = bundle.items if bundle else []
        add("bundle_include", any(_matches(i, needle) for i in items), f"a bundle item matching {needle!r}",
            "; ".join(f"{i.id} {i.title}" for i in items) or "no bundle")
    if expect.bundle_includes_previous is not None:
        n = expect.bundle_includes_previous
        target = before[n - 1] if len(before) >= n else None
        items = bundle.items if bundle else []
        add("bundle_includes_previous", target is not None and any(i.id == target.id for i in items),
            f"previous product #{n}: {target.id + ' ' + target.title if target else '(previous reply had fewer)'}",
            "; ".join(f"{i.id} {i.title}" for i in items) or "no bundle")
    if expect.bundle_total_max is not None:
        total = bundle.total if bundle else None
        add("bundle_total_max", total is not None and total <= expect.bundle_total_max,
            f"bundle total <= {expect.bundle_total_max}", total if total is not None else "no bundle")
    if expect.bundle_within_budget is not None:
        within = bundle.within_budget if bundle else None
        add("bundle_within_budget", within == expect.bundle_within_budget, expect.bundle_within_budget,
            within if within is not None else "no bundle")
    if expect.handoff is not None:
        add("handoff", reply.handoff == expect.handoff, expect.handoff, reply.handoff)
    for key, value in expect.slots.items():
        slot = reply.slots.get(key)
        add("slots", slot is not None and _same_value(slot, value), f"{key}={value!r}",
            f"{key}={slot!r} (all slots: {reply.slots})")
    for needle in expect.options_include:
        add("options_include", any(_has(o, needle) for o in reply.options), f"a quick reply with {needle!r}",
            reply.options)
    if expect.confidence_min is not None:
        add("confidence_min", reply.confidence >= expect.confidence_min, f">= {expect.confidence_min}",
            f"{reply.confidence:.3f}")
    return out


# --- running ---------------------------------------------------------------------


class Responder(Protocol):
    """What the runner drives (``assistant.Assistant``)."""

    def respond(self, message: str, session_id: str, user_id: str | None = None) -> Reply: ...

    def delete_history(self, session_id: str) -> None: ...


class StepResult(BaseModel):
    index: int
    user: str
    as_user: str | None
    reply: Reply | None = None
    checks: list[CheckResult] = Field(default_factory=list)
    error: str | None = None

    @property
    def passed(self) -> bool:
        return self.error is None and all(c.passed for c in self.checks)


class DialogResult(BaseModel):
    path: str
    name: str
    shop: str
    steps: list[StepResult] = Field(default_factory=list)
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return all(s.passed for s in self.steps)


class DialogRunner:
    """Plays dialogs against an assistant, one fresh session per dialog.

    Args:
        bot_for_shop: returns the assistant serving a shop (called once per dialog; cache inside).
        default_shop: the shop for dialogs that name none.
    """

    def __init__(self, bot_for_shop: Callable[[str], Responder], default_shop: str) -> None:
        self.bot_for_shop = bot_for_shop
        self.default_shop = default_shop

    def shop_of(self, dialog: Dialog) -> str:
        return dialog.shop or self.default_shop

    def run(self, dialog: Dialog, path: Path | str = "") -> DialogResult:
        """Play every step in order; a step that raises is recorded and ends the dialog.

        Args:
            dialog: the conversation.
            path: where it came from (for reports).

        Returns:
            Per-step replies and check results.
        """
        shop = self.shop_of(dialog)
        bot = self.bot_for_shop(shop)
        session_id = f"dialogtest-{uuid.uuid4().hex}"
        result = DialogResult(path=str(path), name=dialog.name, shop=shop)
        started = time.perf_counter()
        previous: Reply | None = None
        try:
            for i, step in enumerate(dialog.steps):
                who = dialog.customer_for(i)
                step_result = StepResult(index=i + 1, user=step.user, as_user=who)
                result.steps.append(step_result)
                try:
                    reply = bot.respond(step.user, session_id=session_id, user_id=who)
                except Exception as exc:  # a crash is a test failure, reported like one
                    step_result.error = f"{type(exc).__name__}: {exc}"
                    break
                step_result.reply = reply
                step_result.checks = check_reply(step.expect, reply, previous)
                previous = reply
        finally:
            bot.delete_history(session_id)
            result.seconds = time.perf_counter() - started
        return result
