"""Templates for the shopping acts: products, bundles, comparisons, questions.

Each function takes the facts (and the seed for phrasing) and returns text
built only from them; the grounding check runs over every output in the tests.
"""

from __future__ import annotations

import re

from assistant.facts import ReplyFacts
from assistant.nlg.phrasing import (
    budget_phrase,
    citations,
    describe,
    is_code,
    join_words,
    occasion_phrase,
    pick,
    question,
)
from assistant.types import ShownProduct
from cartwise.currency import format_money


def policy_beside(facts: ReplyFacts) -> list[str]:
    """The closest policy passage shown beside products ("do you do gift wrapping": the wrapping service), quoted
    and sourced, never passed off as what the products are."""
    return ["This part of our policies may help too:", *citations(facts, limit=1)] if facts.passages else []


def _rating(product: ShownProduct) -> str:
    return f"rated {product.rating:g} out of 5" if product.rating is not None else ""


def product_line(index: int, product: ShownProduct, currency: str) -> str:
    """ "1. Title — £3.50 (reason)", flagged when out of stock."""
    line = f"{index}. {product.title} — {format_money(product.price, currency)}"
    if product.reason:
        line += f" ({product.reason})"
    if not product.in_stock:
        line += " — currently out of stock"
    return line


def relaxed_note(facts: ReplyFacts) -> str:
    if not facts.relaxed:
        return ""
    return f"To find these I had to drop: {join_words(facts.relaxed)}."


def not_carried(facts: ReplyFacts) -> str:
    """The words of the request nothing in the catalog matched ("iphone 15"), from a ``not_carried:`` detail."""
    return facts.detail.split(":", 1)[1].strip() if facts.detail.startswith("not_carried:") else ""


def sold_out(facts: ReplyFacts) -> str:
    """ "Ridged Glass Posy Vase and 2 more like it are out of stock", from a ``sold_out:<n>:<title>`` detail."""
    if not facts.detail.startswith("sold_out:"):
        return ""
    _, count, title = facts.detail.split(":", 2)
    more = int(count) - 1
    return f"{title} and {more} more like it are" if more > 0 else f"{title} is"


def show_products(facts: ReplyFacts, seed: int) -> str:
    n = len(facts.products)
    if n == 0:
        return no_results(facts, seed)
    what = describe(facts.slots, facts.currency, default="options", many=n > 1)
    gone = sold_out(facts)
    if gone:
        lead = (f"{gone} out of stock at the moment. The closest "
                f"{'matches' if n > 1 else 'match'} in stock:")
        lines = [relaxed_note(facts), lead, *(product_line(i, p, facts.currency)
                                              for i, p in enumerate(facts.products, 1))]
        return "\n".join(line for line in lines if line)
    if facts.slots.get("priced") and facts.detail:
        # "how much for the first and second together": the sum, then each line it adds up; nothing to narrow down.
        return "\n".join([facts.detail, *(product_line(i, p, facts.currency)
                                          for i, p in enumerate(facts.products, 1))])
    missing = not_carried(facts)
    if missing:
        lead = (f"I couldn't find “{missing}” in our catalog, so we don't seem to carry {_it_or_them(missing)}. "
                f"The closest {'matches' if n > 1 else 'match'} I have:")
        lines = [lead, *(product_line(i, p, facts.currency) for i, p in enumerate(facts.products, 1))]
        return "\n".join(lines)
    if n == 1:
        lead = pick(["I found one match for {w}:", "Here's the best match for {w}:"], facts, seed).format(w=what)
    else:
        lead = pick(
            ["Here are {n} {w}:", "I found {n} {w}:", "These {n} {w} look like a good fit:"], facts, seed
        ).format(n=n, w=what)
    introduces = bool(facts.detail) and not is_code(facts.detail) and facts.detail.rstrip().endswith(":")
    # A detail that ends in a colon introduces the list itself ("What you order most:"): no second lead.
    lines = [*([] if introduces else [lead]), *(product_line(i, p, facts.currency)
                                                for i, p in enumerate(facts.products, 1)), *policy_beside(facts)]
    if facts.detail and not is_code(facts.detail):
        lines.insert(0, facts.detail)  # what the dialog says before the list ("Sign in to order again ...")
    # What had to give comes before the list: read after it, "within budget" would be assumed of every line.
    lines.insert(0, relaxed_note(facts))
    # Invitations, not yes/no questions: a bare "yes" would not say which.
    # (A budget already stated is not asked for again.)
    narrowing = "a colour or size" if budget_phrase(facts.slots, facts.currency) else "a budget, colour or size"
    lines.append(pick([f"Tell me {narrowing} to narrow these down.",
                       "Ask for cheaper ones, another colour, or a bundle with one of them.", ""], facts, seed))
    return "\n".join(line for line in lines if line)


def _it_or_them(thing: str) -> str:
    """The pronoun for a thing as the shopper wrote it: "washing machines" are them, "an iphone 15" is it."""
    last = thing.rsplit(" ", 1)[-1]
    return "them" if last.isalpha() and last.endswith("s") and not last.endswith("ss") else "it"


def no_results(facts: ReplyFacts, seed: int) -> str:
    missing = not_carried(facts)
    if missing:
        pronoun = _it_or_them(missing)
        return (f"I couldn't find “{missing}” in our catalog, so we don't seem to carry {pronoun}. Could you "
                f"describe what {'they are' if pronoun == 'them' else 'it is'} for? I may have something close.")
    if facts.detail and not is_code(facts.detail) and facts.detail != "no bundle":
        return facts.detail  # the dialog says what was missing ("I need two products to compare.")
    what = describe(facts.slots, facts.currency, default="products")
    what = "" if what == "products" else what
    if facts.detail == "no bundle":
        first = f"I couldn't put together a bundle {occasion_phrase(facts.slots)}".rstrip() + "."
        budget = budget_phrase(facts.slots, facts.currency)
        if budget:
            first = first[:-1] + f" {budget}."
    else:
        first = f"I couldn't find any {what}." if what else "I couldn't find anything that matches."
    if facts.relaxed:
        first += f" I also tried without {join_words(facts.relaxed)}, but nothing matched."
    tips: list[str] = []
    if budget_phrase(facts.slots, facts.currency):
        tips.append("a higher budget")
    if any(facts.slots.get(k) for k in ("colour", "color", "material", "style", "size", "brand")):
        tips.append("fewer details (any colour or size)")
    tips.append("a broader word for the product" if facts.detail != "no bundle" else "a different theme")
    lead = pick(["You could try {t}.", "Maybe try {t}?"], facts, seed).format(t=join_words(tips, "or"))
    return f"{first} {lead}"


# The bundle builder's note opens with a summary the "Total ..." line below already gives.
_SUMMARY = re.compile(r"^\S+ of your \S+ budget \(\S+ left\)\.\s*|^\d+ items, \S+ in total\.\s*")


def show_bundle(facts: ReplyFacts, seed: int) -> str:
    bundle = facts.bundle
    cur = facts.currency
    if bundle is None or not bundle.items:
        text = "I couldn't put a bundle together for that."
        if bundle is not None and bundle.budget is not None:
            text = f"I couldn't put a bundle together within your {format_money(bundle.budget, cur)} budget."
        if bundle is not None and bundle.note:
            text += f" {bundle.note}"
        return text + " Could you raise the budget or change what goes in it?"
    # The budget gets its own sentence below, so the lead-in leaves it out.
    occasion = occasion_phrase(facts.slots)
    for_what = f" {occasion}" if occasion else ""
    missing = facts.detail.split(":", 1)[1].strip() if facts.detail.startswith("not_in_bundle:") else ""
    if facts.detail.startswith("not_in_bundle:"):
        what = f"“{missing}”" if missing else "that"
        lines = [f"I couldn't find {what} in your bundle. Here it is as it stands:"]
    elif bundle.within_budget:
        lead = pick(["Here's a bundle{w}:", "I've put together this set{w}:", "This bundle{w} works:"], facts, seed)
        lines = [lead.format(w=for_what)]
    else:
        limit = f"your {format_money(bundle.budget, cur)} budget" if bundle.budget is not None else "your budget"
        lines = [f"I can't make a bundle{for_what} that fits {limit}. This is the nearest set I could find:"]
    for i, item in enumerate(bundle.items, 1):
        price = format_money(item.price, cur)
        line = f"{i}. {item.quantity} × {item.title} — {price}"  # noqa: RUF001
        if item.quantity != 1:
            line += f" each = {format_money(item.line_total, cur)}"
        if item.reason:
            line += f" ({item.reason})"
        lines.append(line)
    total = format_money(bundle.total, cur)
    if bundle.budget is None:
        lines.append(f"Total {total}.")
    elif bundle.within_budget:
        lines.append(f"Total {total} of your {format_money(bundle.budget, cur)} budget.")
    else:
        lines.append(f"Total {total}, {format_money(bundle.total - bundle.budget, cur)} over your "
                     f"{format_money(bundle.budget, cur)} budget.")
    # An unchanged bundle shown again does not repeat what was said when it was last changed.
    note = "" if missing or facts.detail.startswith("not_in_bundle:") else _SUMMARY.sub("", bundle.note or "")
    if note:
        lines.append(note)
    lines.extend(policy_beside(facts))
    lines.append(pick(["You can swap, add or remove any item.", "Tell me what to swap, add or remove.", ""],
                      facts, seed))
    return "\n".join(line for line in lines if line)


def compare(facts: ReplyFacts, seed: int) -> str:
    products = facts.products
    if len(products) < 2:
        return product_info(facts, seed) if products else "Which products would you like me to compare?"
    cur = facts.currency
    lines = [pick(["Here's how they compare:", "Side by side:"], facts, seed)]
    for p in products:
        bits = [format_money(p.price, cur)]
        if p.category:
            bits.append(p.category)
        if p.rating is not None:
            bits.append(_rating(p))
        if not p.in_stock:
            bits.append("out of stock")
        line = f"- {p.title}: {', '.join(bits)}"
        if p.reason:
            line += f" ({p.reason})"
        lines.append(line)
    cheapest = min(p.price for p in products)
    lowest = [p for p in products if p.price == cheapest]
    if len(lowest) == len(products):
        lines.append(f"They cost the same ({format_money(cheapest, cur)}).")
    else:
        word = "cheaper one" if len(products) == 2 else "cheapest"
        titles = join_words([p.title for p in lowest])
        lines.append(f"{titles} {'is' if len(lowest) == 1 else 'are'} the {word}, at {format_money(cheapest, cur)}.")
    rated = [p for p in products if p.rating is not None]
    if len(rated) >= 2:
        top = max(p.rating or 0.0 for p in rated)
        best = [p for p in rated if p.rating == top]
        # A tie is said as one: two rated 4.6 are rated the same, neither "has the highest rating".
        if len(best) == len(rated):
            lines.append(f"{'Both are' if len(rated) == 2 else 'All are'} rated {top:g} out of 5.")
        else:
            lines.append(f"{join_words([p.title for p in best])} {'has' if len(best) == 1 else 'have'} the highest "
                         f"rating ({top:g} out of 5).")
    dearest = max(p.price for p in products)
    highest = [p for p in products if p.price == dearest]
    if facts.slots.get("price") == "priciest" and len(products) > 2 and len(highest) < len(products):
        titles = join_words([p.title for p in highest])
        lines.append(f"{titles} {'is' if len(highest) == 1 else 'are'} the most expensive, at "
                     f"{format_money(dearest, cur)}.")
    if facts.detail and not is_code(facts.detail):
        lines.append(facts.detail)
    return "\n".join(lines)


def product_info(facts: ReplyFacts, seed: int) -> str:
    if not facts.products:
        return "Which product would you like to know about?"
    p = facts.products[0]
    lines = [f"{p.title} costs {format_money(p.price, facts.currency)}."]
    if facts.on_screen and facts.detail and not is_code(facts.detail):
        # Its details are on the screen from the last reply: the price and the facts asked about, not the card again.
        return "\n".join([*lines, facts.detail])
    stock = "in stock" if p.in_stock else "currently out of stock"
    if p.category:
        lines.append(f"It's in our {p.category} range and {stock}.")
    else:
        lines.append(f"It's {stock}.")
    if p.rating is not None:
        lines.append(f"It's {_rating(p)}.")
    if p.reason:
        lines.append(p.reason[0].upper() + p.reason[1:].rstrip(".") + ".")
    if facts.detail and not is_code(facts.detail):
        lines.append(facts.detail)
    if facts.offer:
        lines.append(pick(["Want me to put together a bundle around it?", "Shall I build a bundle around it?"],
                          facts, seed))
    else:
        lines.append(pick(["Anything else you'd like to know?", ""], facts, seed))
    return "\n".join(line for line in lines if line)


def _options_line(options: list[str]) -> str:
    return "\n".join(f"- {o}" for o in options)


def clarify(facts: ReplyFacts, seed: int) -> str:
    default = pick(
        ["Could you tell me a bit more about what you're looking for?", "What kind of thing are you after?"],
        facts,
        seed,
    )
    ask = question(facts.detail) if facts.detail and not is_code(facts.detail) else default
    lines = [ask]
    if facts.options:
        lines.append(_options_line(facts.options))
    if facts.products:
        # Never a question alone: something to look at while the shopper answers.
        lead = "Meanwhile, here are some of our most popular items:" if not facts.slots.get("personal") else \
            "Meanwhile, here are a few picks based on what you've bought before:"
        lines.append(lead)
        lines += [product_line(i, p, facts.currency) for i, p in enumerate(facts.products, 1)]
    return "\n".join(lines)


def explain(facts: ReplyFacts, seed: int) -> str:
    """Why each shown item was picked, from the reasons recorded when it was shown."""
    if not facts.products:
        return facts.detail or "I haven't suggested anything yet."
    basis = describe(facts.slots, facts.currency, default="").strip()
    lead = "Here's why I picked them:" if len(facts.products) > 1 else "Here's why I picked it:"
    if basis:
        basis = f"something {basis}" if basis.startswith(("for ", "under ", "over ", "between ")) else basis
        lead = f"You asked for {basis}. " + lead
    lines = [facts.detail, lead] if facts.detail else [lead]
    for i, p in enumerate(facts.products, 1):
        lines.append(f"{i}. {p.title} ({format_money(p.price, facts.currency)}): {p.reason}")
    return "\n".join(lines)


def did_you_mean(facts: ReplyFacts, seed: int) -> str:
    if len(facts.options) == 1:
        return f"Sorry, I'm not sure I understood. Did you mean “{facts.options[0]}”?"
    lead = pick(
        ["Sorry, I'm not sure I understood. Did you mean one of these?", "Did you mean one of these?"], facts, seed
    )
    if not facts.options:
        return "Sorry, I'm not sure I understood. Could you say it another way?"
    return f"{lead}\n{_options_line(facts.options)}"
