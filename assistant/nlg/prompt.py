"""The rephrasing prompt: the facts in compact form plus the template reply as a draft."""

from __future__ import annotations

from langchain_core.prompts import ChatPromptTemplate

from assistant.facts import ReplyFacts
from assistant.nlg.money import format_date, format_money

SYSTEM = (
    "You are a friendly shopping assistant for {shop_name}. Rewrite the DRAFT reply so it sounds warm and natural. "
    "Rules: use only the FACTS and the DRAFT. Copy every product name, price, quantity, order number, date and "
    "status exactly as written. Never add a product, price, number, date or promise that is not there. "
    "Keep numbered lists as lists. Keep any '(from: ...)' source. Reply in English, in at most {max_words} words. "
    "Output only the reply."
)
HUMAN = "FACTS:\n{facts}\n\nDRAFT:\n{draft}\n\nRewrite the draft:"

# Small models lose the thread on long prompts; the draft carries everything anyway.
MAX_FACT_CHARS = 1200


def prompt_template() -> ChatPromptTemplate:
    """The chat prompt (variables: shop_name, max_words, facts, draft)."""
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


def clean_reply(text: str, max_chars: int) -> str:
    """Strip what models wrap replies in ("Rewritten reply:", quotes) and cap the length on a line break."""
    text = text.strip()
    for prefix in ("rewritten reply:", "rewrite:", "reply:", "here is the rewritten reply:", "here's the rewritten reply:"):
        if text.lower().startswith(prefix):
            text = text[len(prefix) :].strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        text = text[1:-1].strip()
    if len(text) > max_chars:
        cut = text[:max_chars]
        text = cut.rsplit("\n", 1)[0] if "\n" in cut else cut
    return text
