"""The rephrasing prompt: the facts in compact form plus the template reply as a draft."""

from __future__ import annotations

import re
from typing import Literal

from langchain_core.prompts import ChatPromptTemplate

from assistant.facts import ReplyFacts
from assistant.nlg.money import format_date
from cartwise.currency import format_money

SYSTEM = (
    "You are a friendly shopping assistant for {shop_name}. Rewrite the DRAFT reply so it sounds warm and natural. "
    "Rules: use only the FACTS and the DRAFT. Copy every product name, price, quantity, order number, date and "
    "status exactly as written. Never add a product, price, number, date or promise that is not there. "
    "Keep numbered lists as lists. Keep any '(from: ...)' source. Reply in English, in at most {max_words} words. "
    "Output only the reply."
)
HUMAN = "FACTS:\n{facts}\n\nDRAFT:\n{draft}\n\nRewrite the draft:"

# For small local models: labelled sections make a 135M model echo "DRAFT:"/"Task:" back, and the draft
# already states every fact, so it gets the draft alone.
SYSTEM_SHORT = (
    "You are a shop assistant. Improve the wording of messages to customers. "
    "Never change names, prices or numbers, and add nothing new."
)
HUMAN_SHORT = 'Improve the wording of this message, keeping its lists:\n"""\n{draft}\n"""'

# Where a model starts talking about the task instead of doing it; generation stops there.
STOP_MARKERS = (
    "\nTask:",
    "\nDRAFT",
    "\nDraft",
    "\nFACTS",
    "\nRules:",
    "\nRewritten",
    "\nRephrased",
    "\nNote:",
    "\nOriginal",
    "<|im_end|>",
    "<|im_start|>",
)

PromptStyle = Literal["facts+draft", "draft"]

# Small models lose the thread on long prompts; the draft carries everything anyway.
MAX_FACT_CHARS = 1200


def prompt_template(style: PromptStyle = "facts+draft") -> ChatPromptTemplate:
    """The chat prompt (variables: shop_name, max_words, facts, draft).

    Args:
        style: "facts+draft" (facts block and draft, for capable models) or "draft" (the draft only).
    """
    if style == "draft":
        return ChatPromptTemplate.from_messages([("system", SYSTEM_SHORT), ("human", HUMAN_SHORT)])
    return ChatPromptTemplate.from_messages([("system", SYSTEM), ("human", HUMAN)])


def facts_block(facts: ReplyFacts) -> str:
    """The facts as short "- key: value" lines, capped at :data:`MAX_FACT_CHARS`.

    Args:
        facts: the turn's facts.

    Returns:
        Text listing only values present in ``facts``.
    """
    cur = facts.currency
    lines = [f"- task: {facts.act.value.replace('_', ' ')}"]
    if facts.slots:
        lines.append("- understood: " + "; ".join(f"{k}={v}" for k, v in facts.slots.items()))
    for i, p in enumerate(facts.products, 1):
        extra = "" if p.in_stock else ", out of stock"
        rating = f", rated {p.rating:g}/5" if p.rating is not None else ""
        lines.append(f"- product {i}: {p.title}, {format_money(p.price, cur)}{rating}{extra}")
    if facts.bundle is not None:
        b = facts.bundle
        for item in b.items:
            lines.append(f"- bundle item: {item.quantity} x {item.title}, {format_money(item.price, cur)} each")
        budget = format_money(b.budget, cur) if b.budget is not None else "none"
        fits = "yes" if b.within_budget else "NO"
        lines.append(f"- bundle total: {format_money(b.total, cur)}; budget: {budget}; fits budget: {fits}")
    for order in [o for o in [facts.order, *facts.orders] if o is not None]:
        lines.append(
            f"- order {order.id}: placed {format_date(order.placed_at)}, status {order.status.value}, "
            f"total {format_money(order.total, cur)}"
        )
    for passage in facts.passages:
        lines.append(f"- policy ({passage.source}): {passage.text}")
    if facts.options:
        lines.append("- options: " + " | ".join(facts.options))
    if facts.relaxed:
        lines.append("- dropped filters: " + ", ".join(facts.relaxed))
    if facts.detail:
        lines.append(f"- detail: {facts.detail}")
    text = "\n".join(lines)
    return text if len(text) <= MAX_FACT_CHARS else text[:MAX_FACT_CHARS].rsplit("\n", 1)[0]


_PREAMBLE = re.compile(r"version|rewrit|revis|rephras|wording|improved|here's|here is", re.I)
# Paragraphs where a model comments on its own rewrite; the reply ends before them.
_AFTERWORD = re.compile(
    r"\n\s*(this (version|revised|rewrite)|note:|please note that i|i('ve| have) (made|changed|added|kept))", re.I
)


def clean_reply(text: str, max_chars: int) -> str:
    """Take the reply out of what models wrap it in, and cap its length.

    Cuts at a stop marker or at a paragraph commenting on the rewrite; drops a
    "Here's a revised version:" first line and wrapping quotes or fences. Only
    removes text, so it cannot make a reply say more than the model did.
    """
    for marker in STOP_MARKERS:
        at = text.find(marker)
        if at > 0:
            text = text[:at]
    after = _AFTERWORD.search(text)
    if after and after.start() > 0:
        text = text[: after.start()]
    text = text.strip()
    first, _, rest = text.partition("\n")
    if rest.strip() and first.rstrip().endswith(":") and _PREAMBLE.search(first):
        text = rest.strip()
    for fence in ('"""', "```"):
        text = text.removeprefix(fence).removesuffix(fence).strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'“":
        text = text[1:-1].strip()
    if len(text) >= 2 and text[0] == "“" and text[-1] == "”":
        text = text[1:-1].strip()
    if len(text) > max_chars:
        cut = text[:max_chars]
        text = cut.rsplit("\n", 1)[0] if "\n" in cut else cut
    return text
