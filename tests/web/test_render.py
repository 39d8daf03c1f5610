"""Product cards, the bundle list and chat text never let data inject markup."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assistant.reply import BundleItem, ShownBundle, ShownProduct
from web.render import bundle_html, chat_text, products_html

pytestmark = pytest.mark.no_shop  # reads no built shop: runs while a fresh clone builds them

EVIL = '<img src=x onerror="alert(1)"><script>alert(2)</script>'


def test_product_cards_escape_every_field() -> None:
    html = products_html(
        [ShownProduct(id='X"1', title=EVIL, price=Decimal("2.5"), category=EVIL, reason=EVIL, in_stock=False)], "£"
    )
    assert "<img" not in html and "<script" not in html
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html
    assert 'data-product-id="X&quot;1"' in html
    assert "£2.50" in html and "out of stock" in html


def test_bundle_lists_items_quantities_and_total() -> None:
    bundle = ShownBundle(
        items=[
            BundleItem(id="1", title=EVIL, price=Decimal("3.25"), quantity=2, reason="goes with tea"),
            BundleItem(id="2", title="Mug", price=Decimal("1.25")),
        ],
        total=Decimal("7.75"),
        budget=Decimal("10"),
        within_budget=True,
    )
    html = bundle_html(bundle, "£")
    assert "<script" not in html and "<img" not in html
    assert "2&times;" in html and "£6.50" in html and "goes with tea" in html
    assert "£7.75" in html and "budget £10.00" in html and "within" in html
    assert bundle_html(None, "£") == ""


def test_chat_text_is_escaped() -> None:
    assert chat_text(EVIL).startswith("&lt;img")
    assert chat_text("Tea & cake") == "Tea &amp; cake"
