"""No markup from shop data or shoppers reaches the UI: hostile strings in every field of a product card, a
bundle and a chat bubble come out as text, checked by parsing the HTML that ``web.render`` produces."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hostile_inputs import HAND_WRITTEN, SQL_AND_MARKUP, foreign_markup

from assistant.reply import BundleItem, ShownBundle, ShownProduct
from web.render import bundle_html, chat_text, products_html

MARKUP = [m for m in HAND_WRITTEN if isinstance(m, str) and any(c in m for c in "<>\"'&`![{$%")] + SQL_AND_MARKUP


def test_hostile_strings_render_as_text(tally: Any) -> None:
    failures = []
    for evil in MARKUP:
        text = evil[:300]
        product = ShownProduct(id=text[:64], title=text, price=Decimal("1.5"), category=text, reason=text)
        bundle = ShownBundle(items=[BundleItem(id=text[:64], title=text, price=Decimal("2"), reason=text)],
                             total=Decimal("2"), budget=Decimal("5"), note=text)
        html = products_html([product], "£") + bundle_html(bundle, "£")
        foreign = foreign_markup(html)
        bubble = foreign_markup(chat_text(text))
        if foreign or bubble or "<script" in html.lower():
            failures.append(f"{text[:60]!r}: cards/bundle {foreign}, bubble {bubble}")
    tally.add("render/product cards, bundle, chat bubble", len(MARKUP), len(MARKUP) - len(failures))
    assert len(MARKUP) >= 30
    assert not failures, "\n".join(failures)


def test_the_check_sees_injected_markup() -> None:
    """The parser-based check does flag raw markup, so a passing run means the output was escaped."""
    assert foreign_markup('<div class="cw-title"><img src=x onerror="alert(1)"></div>') == ["img", "onerror", "src"]
