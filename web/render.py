"""HTML for the Gradio UI: product cards, the bundle list, and safe chat text.

Titles, reasons and categories come from shop data and from the shopper's own words, so every value
goes through :func:`html.escape` before it touches markup; chat bubbles are rendered without markdown
and escaped, so a product called ``![x](http://tracker)`` or ``<img onerror=...>`` stays plain text.
"""

from __future__ import annotations

import html
from decimal import Decimal

from assistant.reply import ShownBundle, ShownProduct


def money(amount: Decimal, currency: str) -> str:
    """``Decimal("3.5")`` -> ``"£3.50"``."""
    return f"{currency}{amount:,.2f}"


def chat_text(text: str) -> str:
    """Text for a chat bubble: HTML-escaped, because Gradio's chatbot renders HTML even without markdown."""
    return html.escape(text, quote=False)


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def products_html(products: list[ShownProduct], currency: str) -> str:
    """Product cards (title, price, category, reason, stock), every value escaped.

    Args:
        products: the reply's products, best first.
        currency: symbol to show prices with.

    Returns:
        An HTML fragment; a short placeholder when there are no products.
    """
    if not products:
        return '<div class="cw-empty">Products the assistant suggests will appear here.</div>'
    cards = []
    for rank, p in enumerate(products, start=1):
        stock = "" if p.in_stock else '<span class="cw-oos">out of stock</span>'
        reason = f'<div class="cw-reason">{_e(p.reason)}</div>' if p.reason else ""
        cards.append(
            f'<div class="cw-card" data-product-id="{_e(p.id)}">'
            f'<div class="cw-rank">{rank}</div>'
            f'<div class="cw-title">{_e(p.title)}</div>'
            f'<div class="cw-meta"><span class="cw-price">{_e(money(p.price, currency))}</span>'
            f'<span class="cw-cat">{_e(p.category)}</span>{stock}</div>'
            f"{reason}"
            f'<div class="cw-id">#{_e(p.id)}</div>'
            "</div>"
        )
    return f'<div class="cw-cards">{"".join(cards)}</div>'


def bundle_html(bundle: ShownBundle | None, currency: str) -> str:
    """The bundle as a list: quantity, title, reason, line price, then the total against the budget.

    Args:
        bundle: the reply's bundle, or None.
        currency: symbol to show prices with.

    Returns:
        An HTML fragment; empty when there is no bundle.
    """
    if bundle is None or not bundle.items:
        return ""
    rows = []
    for item in bundle.items:
        reason = f'<div class="cw-reason">{_e(item.reason)}</div>' if item.reason else ""
        rows.append(
            f'<li class="cw-bitem" data-product-id="{_e(item.id)}">'
            f'<span class="cw-qty">{item.quantity}&times;</span>'
            f'<div class="cw-bmain"><div class="cw-title">{_e(item.title)}</div>{reason}</div>'
            f'<span class="cw-price">{_e(money(item.line_total, currency))}</span>'
            "</li>"
        )
    budget = ""
    if bundle.budget is not None:
        state = "within" if bundle.within_budget else "over"
        budget = f'<span class="cw-budget cw-{state}">budget {_e(money(bundle.budget, currency))} · {state}</span>'
    note = f'<div class="cw-note">{_e(bundle.note)}</div>' if bundle.note else ""
    return (
        '<div class="cw-bundle"><div class="cw-bhead">Bundle</div>'
        f'<ol class="cw-blist">{"".join(rows)}</ol>'
        f'<div class="cw-total">Total <strong>{_e(money(bundle.total, currency))}</strong> {budget}</div>'
        f"{note}</div>"
    )


UI_CSS = """
.cw-cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(180px, 1fr)); gap: 10px; }
.cw-card { position: relative; border: 1px solid var(--border-color-primary); border-radius: 10px;
  padding: 10px 12px 8px 12px; background: var(--background-fill-primary); box-shadow: 0 1px 2px rgba(0,0,0,.05); }
.cw-rank { position: absolute; top: 8px; right: 10px; font-size: 11px; color: var(--body-text-color-subdued); }
.cw-title { font-weight: 600; line-height: 1.25; margin-right: 14px; overflow-wrap: anywhere; }
.cw-meta { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; margin-top: 6px; font-size: 13px; }
.cw-price { font-weight: 700; color: var(--color-accent); white-space: nowrap; }
.cw-cat { background: var(--background-fill-secondary); border-radius: 999px; padding: 1px 8px; font-size: 12px; }
.cw-oos { color: #b42318; font-size: 12px; }
.cw-reason { font-size: 12px; color: var(--body-text-color-subdued); margin-top: 4px; }
.cw-id { font-size: 11px; color: var(--body-text-color-subdued); margin-top: 4px; }
.cw-empty { color: var(--body-text-color-subdued); font-size: 14px; padding: 8px 0; }
.cw-bundle { border: 1px solid var(--border-color-accent); border-radius: 10px; padding: 10px 12px; }
.cw-bhead { font-weight: 700; margin-bottom: 4px; }
.cw-blist { list-style: none; padding: 0; margin: 0; }
.cw-bitem { display: flex; gap: 10px; align-items: flex-start; padding: 6px 0;
  border-bottom: 1px dashed var(--border-color-primary); }
.cw-qty { min-width: 2.2em; font-weight: 600; }
.cw-bmain { flex: 1; }
.cw-total { margin-top: 8px; font-size: 15px; display: flex; gap: 10px; align-items: center; flex-wrap: wrap; }
.cw-budget { font-size: 12px; border-radius: 999px; padding: 1px 8px; }
.cw-within { background: #e7f6ec; color: #1a7f37; }
.cw-over { background: #fdecea; color: #b42318; }
.cw-note { font-size: 12px; color: var(--body-text-color-subdued); margin-top: 4px; }
#cw-quick button { white-space: normal; }
"""
