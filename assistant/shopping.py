"""Shopping turns: search, refine, compare, product questions.

Each handler takes the current :class:`DialogState` and returns the reply
facts plus the state updates; :class:`~assistant.dialog.DialogManager` applies them.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from assistant.facts import Act, ReplyFacts
from assistant.reply import ShownProduct
from assistant.state import DialogState
from cartwise.models import Product, to_money
from retrieval.store import ProductStore
from retrieval.types import SearchFilters, SearchHit

SHOW = 5
# The standing search constraints a refinement keeps (slot name -> kept).
STANDING = ("product_type", "category", "colour", "size", "brand", "budget_min", "budget_max", "recipient", "occasion")

PRONOUNS = frozenset({"it", "that", "this", "them", "those", "these", "they", "that one", "this one", "it one"})

Personaliser = Callable[[str, list[SearchHit], str | None, list[str]], list[tuple[Product, str]]]


@dataclass
class TurnResult:
    facts: ReplyFacts
    updates: dict[str, Any]


def slot_dict(slots: Any) -> dict[str, str]:
    """The slots worth keeping as display strings (None and empty dropped)."""
    out: dict[str, str] = {}
    for name in (*STANDING, "quantity", "order_id", "reference_index", "reference_text"):
        value = getattr(slots, name, None)
        if value not in (None, "", []):
            out[name] = f"{value:.2f}" if isinstance(value, Decimal) else str(value)
    return out


def money(value: str | None) -> Decimal | None:
    return to_money(value) if value else None


def _type_pattern(product_type: str) -> re.Pattern[str]:
    words = product_type.lower().split()
    joined = "".join(words)
    spaced = r"[\s-]*".join(re.escape(w) for w in words)
    return re.compile(rf"\b(?:{spaced}|{re.escape(joined)})(?:e?s)?\b", re.I)


def _size_pattern(size: str) -> re.Pattern[str] | None:
    inches = re.match(r"(\d{2,3})\s*(?:\"|inch|in\b|”)", size.lower())
    if inches:
        return re.compile(rf"\b{inches.group(1)}\s*(?:\"|”|''|-?inch|in\b)", re.I)
    return re.compile(rf"\b{re.escape(size)}\b", re.I) if size.isalpha() else None


def prefer(hits: list[SearchHit], pattern: re.Pattern[str] | None, minimum: int = 1) -> tuple[list[SearchHit], bool]:
    """Hits whose title matches ``pattern`` when at least ``minimum`` do; else all hits and False."""
    if pattern is None:
        return hits, True
    matching = [h for h in hits if pattern.search(h.product.title)]
    return (matching, True) if len(matching) >= minimum else (hits, False)


# "which one has better battery life?", "which is lighter for travel?": a property the shopper compares on.
_ASKED = re.compile(
    r"\b(?:better|longer|more|bigger|larger|faster|lighter|smaller|higher|lower|best|most|greater)\s+"
    r"(?P<what>[a-z][a-z -]{1,30}?)\s*(?:[?.!]|$|\bthan\b|\bfor\b|\bon\b|\bin\b)", re.I)
# Properties the comparison already covers from the data (price, rating) or that name nothing.
_COVERED = {"expensive", "cheap", "affordable", "rated", "rating", "popular", "value", "one", "deal", "price",
            "option", "choice", "buy", "pick"}


def asked_attribute(text: str) -> str:
    """The property a comparison question asks about ("battery life"), or "" when none or price/rating."""
    match = _ASKED.search(text)
    if not match:
        return ""
    what = " ".join(w for w in match.group("what").lower().split() if w not in {"the", "a", "an"})
    return "" if not what or set(what.split()) <= _COVERED else what


# How catalogs write a property a shopper names ("ANC" is noise cancelling, "IPX4" is water resistance).
_SPELLINGS = {
    "noise cancelling": ["noise cancel", "noise-cancel", "anc", "noise reduc"],
    "noise canceling": ["noise cancel", "noise-cancel", "anc", "noise reduc"],
    "waterproof": ["waterproof", "water resistant", "water-resistant", "ipx", "ip67", "ip68"],
    "water resistant": ["waterproof", "water resistant", "water-resistant", "ipx", "ip67", "ip68"],
    "wireless": ["wireless", "bluetooth"],
    "bluetooth": ["bluetooth", "wireless"],
}


def quote_about(product: Product, attribute: str) -> str:
    """The first sentence of the product's own text that mentions ``attribute``, or "" (never a guess)."""
    words = [w for w in re.findall(r"[a-z0-9]+", attribute.lower()) if len(w) > 2]
    if not words:
        return ""
    spellings = _SPELLINGS.get(" ".join(words), [])
    for sentence in re.split(r"(?<=[.!?])\s+|\s*[\n;•]\s*", f"{product.title}. {product.description}"):
        lowered = sentence.lower()
        if not sentence.strip():
            continue
        if all(re.search(rf"\b{re.escape(w)}", lowered) for w in words) or any(
            re.search(rf"\b{re.escape(s)}", lowered) for s in spellings
        ):
            clipped = sentence.strip()
            return clipped if len(clipped) <= 140 else clipped[:137].rsplit(" ", 1)[0] + "..."
    return ""


_FILLER = frozenset("""i im i'm it's its need want wants looking look for a an the some something present presents gift
    gifts idea ideas my our under below over less than up to around about budget max maximum spend is it for
    who which that please buy get find show me under pounds dollars euros quid and or of to""".split())


# Praise that every product description carries: it matches nothing in particular.
_QUALITY_WORDS = frozenset("best good great nice top quality cool lovely new decent".split())


def _interest_words(text: str) -> str:
    plain = re.sub(r"['\u2019]s\b", "", text.lower())  # "mum's birthday" -> "mum birthday"
    words = re.findall(r"[a-z][a-z'-]*", re.sub(r"[£$€]\s*\d[\d.,]*|\d[\d.,]*", " ", plain))
    return " ".join(w for w in words if w not in _FILLER)


# A question about a product's facts that names no product: it means the one under discussion.
_ABOUT_SHOWN = re.compile(
    r"\b(how many|in stock|stock|available|availability|how much|price|cost|rating|rated|reviews?|brand|"
    r"made (?:of|by)|material|dimensions|discount|offer|deal|warranty|guarantee|battery|features?|specs?|"
    r"weight|weigh|size|colou?rs?)\b", re.I)
# "does it have noise cancelling?", "what's the warranty?": a property of the product under discussion.
_HAS = re.compile(
    r"\b(?:does|do|is|has|have|can)\s+(?:it|this|that|they|this one|that one)\s+(?:have|has|come with|include|"
    r"support|got|do)?\s*(?:an?\s+|any\s+)?(?P<what>[a-z0-9][a-z0-9 -]{2,40}?)\s*\??$|"
    r"\bwhat(?:'s| is| are)\s+(?:the|its)\s+(?P<what2>[a-z][a-z -]{2,30}?)\s*\??$", re.I)


class ShoppingAdvisor:
    """Finds and explains products for shopping turns.

    Args:
        store: the shop's product store.
        currency: the shop's currency symbol.
        categories: the catalog's category names (a slot that names one becomes a filter).
        personaliser: optional history reranker hook (query, hits, user, viewed ids) -> (product, reason).
    """

    def __init__(self, store: ProductStore, currency: str, categories: Sequence[str],
                 personaliser: Personaliser | None = None) -> None:
        self.store = store
        self.currency = currency
        self.categories = {c.lower(): c for c in categories}
        self.personaliser = personaliser

    # ------------------------------------------------------------ building blocks
    def filters(self, standing: dict[str, str], exclude: Sequence[str] = ()) -> SearchFilters:
        category = self.categories.get(standing.get("category", "").lower())
        return SearchFilters(
            price_min=money(standing.get("budget_min")), price_max=money(standing.get("budget_max")),
            category=category, in_stock=True, brand=standing.get("brand") or None,
            exclude_ids=frozenset(exclude),
        )

    @staticmethod
    def query_text(standing: dict[str, str], fallback: str) -> str:
        words = [standing.get("colour", ""), standing.get("size", "")]
        thing = standing.get("product_type") or standing.get("category") or ""
        if thing:
            words.append(thing)
            # "best tv for gaming": what the thing is for ranks a gaming TV above a TV mounting service.
            known = {w.rstrip("s") for v in standing.values() for w in str(v).lower().split()}
            extras = [w for w in _interest_words(fallback).split() if w.rstrip("s") not in known
                      and w not in _QUALITY_WORDS]
            words.extend(extras[:4])
        elif standing.get("recipient"):
            # "a present for my dad who likes fishing, under £15": keep "fishing", not "present" or "£15",
            # which match products called "Christmas Present" or priced 15.
            words.append(_interest_words(fallback))
        else:
            words.append(fallback)
        if standing.get("occasion"):
            words.append(f"{standing['occasion']}")
        if standing.get("recipient") and not thing:
            words.append(f"gift for {standing['recipient']}")
        return " ".join(w for w in words if w).strip() or fallback

    def describe(self, product: Product, standing: dict[str, str], extra: str = "") -> ShownProduct:
        reasons = [extra] if extra else []
        colour = standing.get("colour")
        if colour and colour.lower() in product.title.lower():
            reasons.append(f"{colour} as you asked")
        if standing.get("budget_max"):
            reasons.append(f"within your {self.currency}{Decimal(standing['budget_max']):.2f} budget")
        if not reasons:
            reasons.append(f"from our {product.category} range" if product.category else "a close match")
        return ShownProduct(id=product.id, title=product.title, price=product.price, category=product.category,
                            reason="; ".join(reasons), in_stock=product.in_stock)

    def _rank(
        self, query: str, hits: list[SearchHit], user_id: str | None, state: DialogState
    ) -> list[tuple[Product, str]]:
        if self.personaliser is not None and hits:
            return self.personaliser(query, hits, user_id, state.viewed_ids)
        return [(h.product, "") for h in hits]

    def _present(self, ranked: list[tuple[Product, str]], standing: dict[str, str], state: DialogState,
                 query: str, text: str, intent: str, relaxed: list[str]) -> TurnResult:
        shown = [self.describe(p, standing, why) for p, why in ranked[:SHOW]]
        ids = [p.id for p in shown]
        act = Act.show_products if shown else Act.no_results
        # A query made up for a recipient ("dad gift for dad") is not a noun to repeat back; "for your dad" is.
        named = standing.get("product_type") or standing.get("category") or not standing.get("recipient")
        facts = ReplyFacts(act=act, intent=intent, user_text=text, products=shown,
                           slots=standing | ({"query": query} if named else {}), currency=self.currency,
                           relaxed=relaxed)
        viewed = list(dict.fromkeys([*state.viewed_ids, *ids]))[-50:]
        return TurnResult(facts, {"slots": standing, "query": query, "shown_ids": ids or state.shown_ids,
                                  "viewed_ids": viewed, "focus_id": ids[0] if ids else state.focus_id})

    def _search(self, standing: dict[str, str], text: str, state: DialogState, user_id: str | None, intent: str,
                exclude: Sequence[str] = (), by_price: str | None = None) -> TurnResult:
        query = self.query_text(standing, text)
        filters = self.filters(standing, exclude)
        hits = self.store.search(query, k=SHOW * 6, filters=filters)
        relaxed: list[str] = []
        if not hits and standing.get("colour"):
            # A colour the catalog lacks shouldn't hide everything; say it was dropped.
            relaxed.append(f"colour {standing['colour']}")
            query = self.query_text({k: v for k, v in standing.items() if k != "colour"}, text)
            hits = self.store.search(query, k=SHOW * 3, filters=filters)
        if not hits and filters.category:
            relaxed.append(f"category {filters.category}")
            hits = self.store.search(query, k=SHOW * 3, filters=filters.model_copy(update={"category": None}))
        # The shopper named a kind of thing, a colour, a size: hits that say so in the title come first-and-only.
        if standing.get("product_type"):
            hits, _ = prefer(hits, _type_pattern(standing["product_type"]), minimum=2)
        if standing.get("colour"):
            hits, ok = prefer(hits, re.compile(rf"\b{re.escape(standing['colour'])}", re.I))
            if not ok:
                relaxed.append(f"colour {standing['colour']}")
        if standing.get("size"):
            hits, ok = prefer(hits, _size_pattern(standing["size"]))
            if not ok:
                relaxed.append(f"size {standing['size']}")
        ranked = self._rank(query, hits, user_id, state)
        if by_price:  # "the cheapest": the relevant matches, cheapest (or dearest) first
            ranked = sorted(ranked, key=lambda pr: pr[0].price, reverse=by_price == "desc")
        return self._present(ranked, standing, state, query, text, intent, relaxed)

    # ------------------------------------------------------------ turns
    def search(self, slots: dict[str, str], text: str, state: DialogState, user_id: str | None) -> TurnResult:
        standing = {k: v for k, v in slots.items() if k in STANDING}
        if not standing.get("product_type") and not standing.get("category") and state.slots.get("product_type") \
                and len(text.split()) <= 4:
            standing = state.slots | standing  # "any in red?" continues the last search
        return self._search(standing, text, state, user_id, "search_product")

    def refine(self, slots: dict[str, str], text: str, state: DialogState, user_id: str | None) -> TurnResult:
        standing = dict(state.slots) | {k: v for k, v in slots.items() if k in STANDING}
        shown = self.store.get(state.shown_ids)
        lowered = text.lower()
        exclude: list[str] = []
        wants_cheaper = re.search(r"\b(cheaper|less expensive|lower price|budget)\b", lowered)
        if shown and wants_cheaper and "budget_max" not in slots:
            ceiling = to_money(statistics.median(p.price for p in shown)) - Decimal("0.01")
            current = money(standing.get("budget_max"))
            standing["budget_max"] = f"{min(ceiling, current) if current else ceiling:.2f}"
        if shown and re.search(r"\b(more expensive|pricier|better quality|premium|fancier)\b", lowered):
            standing["budget_min"] = f"{max(p.price for p in shown) + Decimal('0.01'):.2f}"
            standing.pop("budget_max", None)
        order = "asc" if re.search(r"\b(cheapest|least expensive|lowest[- ]pric(?:e|ed))\b", lowered) else \
            "desc" if re.search(r"\b(most expensive|priciest|dearest|highest[- ]pric(?:e|ed))\b", lowered) else None
        if order:
            return self._search(standing, text, state, user_id, "refine_search", by_price=order)
        target = self.resolve(slots, state)
        if target is not None and re.search(r"\b(like|similar|same)\b", lowered):
            return self.similar(target, standing, text, state, user_id)
        if shown and not (set(slots) & set(STANDING)) and not re.search(r"cheaper|expensive|pricier", lowered):
            exclude = [p.id for p in shown]  # "show me others"
        return self._search(standing, text, state, user_id, "refine_search", exclude)

    def similar(self, target: Product, standing: dict[str, str], text: str, state: DialogState,
                user_id: str | None) -> TurnResult:
        vector = self.store.embeddings([target.id])[0]
        filters = self.filters(standing, exclude=[target.id])
        hits = self.store.search_by_vector(vector, k=SHOW * 3, filters=filters)
        ranked = [(h.product, f"similar to the {target.title}") for h in hits]
        return self._present(ranked, standing, state, f"like {target.title}", text, "refine_search", [])

    def resolve(self, slots: dict[str, str], state: DialogState) -> Product | None:
        """The product a reference points at: "the second one", "that cake stand", "it"."""
        ref = (slots.get("reference_text") or "").lower()
        if ref in PRONOUNS and "reference_index" not in slots:
            # "it" / "that one" is the product under discussion, else the top result shown.
            focus = state.focus_id or (state.shown_ids[0] if state.shown_ids else None)
            return next(iter(self.store.get([focus])), None) if focus else None
        if not state.shown_ids:
            return None
        index = slots.get("reference_index")
        if index is not None:
            i = int(index)
            pos = len(state.shown_ids) - 1 if i == -1 else i - 1
            if 0 <= pos < len(state.shown_ids):
                return next(iter(self.store.get([state.shown_ids[pos]])), None)
            return None
        wanted = slots.get("reference_text") or slots.get("product_type")
        if wanted:
            words = [w for w in re.findall(r"[a-z0-9]+", wanted.lower()) if w not in {"the", "that", "this", "one"}]
            for product in self.store.get(state.shown_ids):
                if words and all(w in product.title.lower() for w in words):
                    return product
        return None

    def info(self, slots: dict[str, str], text: str, state: DialogState, user_id: str | None) -> TurnResult:
        target = self.resolve(slots, state)
        focus = state.focus_id or (state.shown_ids[0] if state.shown_ids else None)
        names_something = slots.get("product_type") or slots.get("brand") or slots.get("reference_text")
        if target is None and focus and not names_something and _ABOUT_SHOWN.search(text):
            # "how many are in stock?" names no product: it is about the one under discussion ("stock" is not
            # a search for Christmas stockings).
            target = next(iter(self.store.get([focus])), None)
        if target is None:
            hits = self.store.search(self.query_text(slots, text), k=1)
            target = hits[0].product if hits else None
        if target is None:
            return TurnResult(ReplyFacts(act=Act.no_results, intent="product_info", user_text=text,
                                         currency=self.currency), {})
        shown = ShownProduct(id=target.id, title=target.title, price=target.price, category=target.category,
                             reason=target.description[:300], in_stock=target.in_stock)
        facts = [f"{target.stock} in stock." if target.stock else "Out of stock at the moment."]
        if target.rating:
            facts.append(f"Rated {target.rating} out of 5.")
        if target.brand:
            facts.append(f"Brand: {target.brand}.")
        if target.discount:
            facts.append(f"Offer: {target.discount}.")
        asked = _HAS.search(text)
        feature = ((asked.group("what") or asked.group("what2") or "") if asked else "").strip().lower()
        if feature and feature not in {"price", "cost", "stock", "rating", "brand", "in stock"}:
            quote = quote_about(target, feature)
            # Quote the product's own words, or say they are silent: never a yes/no guess.
            facts.insert(0, f"On {feature}, the product details say: \u201c{quote}\u201d" if quote
                         else f"The product details don't mention {feature}.")
        detail = " ".join(facts)
        viewed = list(dict.fromkeys([*state.viewed_ids, target.id]))[-50:]
        return TurnResult(ReplyFacts(act=Act.product_info, intent="product_info", user_text=text, products=[shown],
                                     currency=self.currency, detail=detail,
                                     offer="make me a bundle with it" if target.in_stock else ""),
                          {"viewed_ids": viewed, "focus_id": target.id})

    def _named(self, text: str) -> list[str]:
        """Products named in "compare the Sony WH1000XM5 and the Px7 S2": one best hit per named part."""
        body = re.sub(r"^\s*(?:please\s+)?(?:can you\s+)?(?:compare|comparison of|what'?s the difference between)\s+",
                      "", text, flags=re.I)
        parts = [p.strip(" ?.!,") for p in re.split(r"\s+(?:and|vs\.?|versus|or|with|to)\s+", body, flags=re.I)]
        parts = [re.sub(r"^(?:the|a|an)\s+", "", p, flags=re.I) for p in parts if len(p.strip()) > 2]
        if len(parts) < 2:
            return []
        ids: list[str] = []
        for part in parts[:4]:
            hits = self.store.search(part, k=3, mode="lexical") or self.store.search(part, k=3)
            hit = next((h for h in hits if h.product.id not in ids), None)
            if hit is not None:
                ids.append(hit.product.id)
        return ids

    def compare(self, slots: dict[str, str], text: str, state: DialogState, user_id: str | None) -> TurnResult:
        picks = [int(n) for n in re.findall(r"\b(\d)(?:st|nd|rd|th)?\b", text)]
        words = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "last": len(state.shown_ids)}
        picks += [n for w, n in words.items() if re.search(rf"\b{w}\b", text.lower())]
        ids = [state.shown_ids[i - 1] for i in dict.fromkeys(picks) if 0 < i <= len(state.shown_ids)]
        if len(ids) < 2:
            ids = self._named(text) if not picks else ids
        if len(ids) < 2:
            ids = state.shown_ids[:2]
        if len(ids) < 2:
            found = self._search({k: v for k, v in slots.items() if k in STANDING}, text, state, user_id,
                                 "compare_products")
            ids = (found.facts.products and [p.id for p in found.facts.products[:2]]) or []
        products = self.store.get(ids)
        if len(products) < 2:
            return TurnResult(ReplyFacts(act=Act.no_results, intent="compare_products", user_text=text,
                                         currency=self.currency, detail="I need two products to compare."), {})
        asked = asked_attribute(text)
        quotes = {p.id: quote_about(p, asked) for p in products} if asked else {}
        # The rating is its own field (the template words it), so the reason is free for a quote.
        shown = [ShownProduct(id=p.id, title=p.title, price=p.price, category=p.category,
                              reason=quotes.get(p.id, ""), in_stock=p.in_stock, rating=p.rating)
                 for p in products]
        detail = ""
        if asked and not all(quotes.values()):
            # Never guess: say the data is silent rather than pick a winner on price or rating.
            detail = f"The product details I have don't mention {asked} for every one of them, so I can't " \
                     f"compare them on that."
        return TurnResult(ReplyFacts(act=Act.compare, intent="compare_products", user_text=text, products=shown,
                                     currency=self.currency, detail=detail), {})
