"""Bundle turns: build a bundle for a theme or an anchor product, and edit the current one."""

from __future__ import annotations

import re
from decimal import Decimal

from assistant.facts import Act, ReplyFacts
from assistant.personal import Personaliser
from assistant.reply import BundleItem, ShownBundle
from assistant.shopping import PRONOUNS, ShoppingAdvisor, TurnResult, money
from assistant.state import BundleSpec, DialogState
from assistant.understanding import Understanding
from cartwise.models import Product, to_money
from retrieval.bundle_types import BundleRequest, BundleResult
from retrieval.bundles import BundleBuilder
from retrieval.errors import RetrievalError
from retrieval.types import SearchFilters

_ANCHORED = re.compile(r"\b(go(?:es)?(?: well| nicely)? with|go together with|to go with|match(?:es)? (?:with )?|"
                       r"complements?|accessor(?:y|ies) for|"
                       r"frequently bought with|bought together with|pair with)\b", re.I)
_EDIT_VERB = re.compile(r"^\s*(?:please\s+)?(?:add|put|include|throw in|remove|drop|take out|delete|no more)\s+", re.I)
_SWAP = re.compile(r"^\s*(?:please\s+)?(?:swap|replace|switch)\s+(?:out\s+)?(?P<old>.*?)"
                   r"(?:\s+(?:for|with|to)\s+(?P<new>.+?))?\s*[.!?]*$", re.I)
# Words in "for a cheaper one" that name no product.
_SWAP_FILLER = {"cheaper", "less", "expensive", "lower", "price", "budget", "something", "another", "different",
                "else", "instead", "other", "better", "nicer", "option", "alternative"}
_STOP = {"the", "a", "an", "some", "to", "from", "in", "into", "of", "bundle", "set", "it", "them", "that", "this",
         "please", "one", "ones", "too", "as", "well", "also", "and", "my", "basket"}


def _words(text: str) -> list[str]:
    # "mum's" is "mum": a possessive or contraction ("it's") leaves no stray "s" to match titles with.
    plain = re.sub(r"['\u2019](?:s|re|ll|ve|d|m|t)\b", "", _EDIT_VERB.sub("", text.lower()))
    words = [w for w in re.findall(r"[a-z0-9]+", plain) if w not in _STOP and (len(w) > 1 or w.isdigit())]
    return [w[:-1] if w.endswith("s") and len(w) > 3 else w for w in words]


class BundlePlanner:
    """Builds and edits bundles in a conversation.

    Args:
        builder: the bundle builder (co-purchase, rules, themes, budget-aware selection).
        shopping: resolves references and searches products to add.
        personaliser: the shopper's history profile (optional).
        currency: the shop's currency symbol.
    """

    def __init__(self, builder: BundleBuilder, shopping: ShoppingAdvisor, personaliser: Personaliser | None,
                 currency: str) -> None:
        self.builder = builder
        self.shopping = shopping
        self.personaliser = personaliser
        self.currency = currency

    def handle(self, u: Understanding, slots: dict[str, str], text: str, state: DialogState,
               user_id: str | None) -> TurnResult:
        if u.bundle_edit == "rebudget" and state.bundle is not None:
            return self.rebudget(slots, text, state, user_id)
        if u.bundle_edit == "swap" and state.bundle is not None:
            return self.swap(text, state)
        if u.bundle_edit and state.bundle is not None:
            return self.remove(text, state) if u.bundle_edit == "remove" else self.add(slots, text, state)
        return self.build(slots, text, state, user_id)

    def rebudget(self, slots: dict[str, str], text: str, state: DialogState, user_id: str | None) -> TurnResult:
        """The same bundle request with a new budget: "make it cheaper", "under £10 instead"."""
        assert state.bundle is not None
        spec = state.bundle_spec or BundleSpec()
        budget = money(slots.get("budget_max"))
        if budget is None:  # "cheaper": strictly below what it costs now
            budget = max(state.bundle.total - Decimal("0.01"), Decimal("0.00"))
        return self._build(spec.model_copy(update={"budget": f"{budget:.2f}"}), slots, text, state, user_id)

    def _named_product(self, slots: dict[str, str], text: str) -> Product | None:
        """A catalog product the message names ("the Regency Cakestand 3 Tier", "a lunch bag")."""
        words = set(_words(text))
        after = " ".join(_words(_ANCHORED.split(text, maxsplit=1)[-1])) if _ANCHORED.search(text) else ""
        product_type = slots.get("product_type", "")
        for q in dict.fromkeys(x for x in (" ".join(sorted(words)), after, product_type) if x.strip()):
            for hit in self.shopping.store.search(q, k=3, filters=SearchFilters(in_stock=True)):
                title = set(_words(hit.product.title))
                named = len(title & words)
                if named >= 2 and named * 2 >= len(title):
                    return hit.product
        if product_type:  # "a bundle with a lunch bag": the best lunch bag
            hits = self.shopping.store.search(product_type, k=1, filters=SearchFilters(in_stock=True))
            return hits[0].product if hits else None
        return None

    # ------------------------------------------------------------------ build
    def build(self, slots: dict[str, str], text: str, state: DialogState, user_id: str | None) -> TurnResult:
        anchor: Product | None = None
        ref = slots.get("reference_text", "")
        # "a bundle with it": the pronoun is the product being discussed.
        with_pronoun = ref in PRONOUNS and re.search(
            rf"\b(?:with|around|about|match(?:es)?|complements?|add|put|include)\s+{re.escape(ref)}\b", text, re.I
        )
        if slots.get("reference_index") or (ref and (_ANCHORED.search(text) or ref not in PRONOUNS or with_pronoun)):
            anchor = self.shopping.resolve(slots, state)
        if anchor is None and not slots.get("occasion"):
            anchor = self._named_product(slots, text)
        theme = None if anchor else (slots.get("occasion") or text)
        if theme and slots.get("occasion") and slots.get("recipient"):
            theme = f"{slots['occasion']} for {slots['recipient']}"
        # "a bundle with a lunch bag" / "I'm buying X, make me a bundle": X is part of it; "what goes with X" is not.
        include = anchor is not None and bool(re.search(r"\b(bundles?|sets?|kits?|hampers?|with an?|including)\b",
                                                        _ANCHORED.sub("", text), re.I))
        spec = BundleSpec(theme=theme, anchor_id=anchor.id if anchor else None, budget=slots.get("budget_max"),
                          quantity=int(slots["quantity"]) if slots.get("quantity") else None, include_anchor=include)
        return self._build(spec, slots, text, state, user_id)

    def _build(self, spec: BundleSpec, slots: dict[str, str], text: str, state: DialogState,
               user_id: str | None) -> TurnResult:
        anchor = next(iter(self.shopping.store.get([spec.anchor_id])), None) if spec.anchor_id else None
        profile = self.personaliser.profile(user_id, state.viewed_ids) if self.personaliser else None
        try:
            result = self.builder.build(BundleRequest(
                anchor_id=spec.anchor_id, theme=spec.theme, budget=money(spec.budget), people=spec.quantity,
                profile=profile, include_anchor=spec.include_anchor,
            ))
        except (RetrievalError, ValueError):
            result = None
        if result is None or not result.items:
            return TurnResult(ReplyFacts(act=Act.no_results, intent="build_bundle", user_text=text, slots=slots,
                                         detail="no bundle", currency=self.currency), {})
        shown = self._shown(result)
        facts = ReplyFacts(act=Act.show_bundle, intent="build_bundle", user_text=text, bundle=shown,
                           slots=slots | ({"anchor": anchor.title} if anchor else {}), currency=self.currency,
                           options=["Make it cheaper", "Remove the first item"])
        viewed = list(dict.fromkeys([*state.viewed_ids, *(i.id for i in shown.items)]))[-50:]
        return TurnResult(facts, {"bundle": shown, "bundle_spec": spec, "viewed_ids": viewed})

    def _shown(self, result: BundleResult) -> ShownBundle:
        items = [BundleItem(id=i.product.id, title=i.product.title, price=i.product.price, quantity=i.quantity,
                            category=i.product.category, reason=i.reason) for i in result.items]
        return ShownBundle(items=items, total=result.total, budget=result.budget, within_budget=result.within_budget,
                           note=result.note)

    # ------------------------------------------------------------------ edit
    def _recount(self, items: list[BundleItem], budget: Decimal | None, note: str) -> ShownBundle:
        total = to_money(sum((i.price * i.quantity for i in items), Decimal(0)))
        within = budget is None or total <= budget
        if not within and budget is not None:
            note = f"{note} That is {self.currency}{total - budget:.2f} over your {self.currency}{budget:.2f} budget."
        return ShownBundle(items=items, total=total, budget=budget, within_budget=within, note=note.strip())

    @staticmethod
    def _find_items(text: str, items: list[BundleItem]) -> list[BundleItem]:
        """The bundle items ``text`` names: "the second item", "the mugs", "the teapot"."""
        words = _words(text)
        index = re.search(r"\b(first|second|third|fourth|fifth|last|\d)\b", text.lower())
        if index:
            pos = {"first": 0, "second": 1, "third": 2, "fourth": 3, "fifth": 4, "last": len(items) - 1}.get(
                index.group(1), int(index.group(1)) - 1 if index.group(1).isdigit() else -99)
            if 0 <= pos < len(items) and not [w for w in words if w not in {index.group(1), "item"}]:
                return [items[pos]]
        if not words:
            return []
        found = [i for i in items if any(w in f"{i.title} {i.category}".lower() for w in words)]
        plural = any(w.endswith("s") and len(w) > 3 for w in re.findall(r"[a-z]+", text.lower())[1:])
        if len(found) > 1 and not plural:
            found = found[-1:]  # "remove the teapot" with two teapots: the one added last
        return found

    def remove(self, text: str, state: DialogState) -> TurnResult:
        assert state.bundle is not None
        items = list(state.bundle.items)
        words = _words(text)
        drop = self._find_items(text, items)
        if not drop:
            facts = ReplyFacts(act=Act.show_bundle, intent="build_bundle", user_text=text, bundle=state.bundle,
                               currency=self.currency, detail=f"not_in_bundle:{' '.join(words)}")
            return TurnResult(facts, {})
        kept = [i for i in items if i not in drop]
        shown = self._recount(kept, state.bundle.budget, f"Removed {', '.join(i.title for i in drop)}.")
        return TurnResult(ReplyFacts(act=Act.show_bundle, intent="build_bundle", user_text=text, bundle=shown,
                                     currency=self.currency), {"bundle": shown})

    def swap(self, text: str, state: DialogState) -> TurnResult:
        """Replace one item: "swap the monitor for a cheaper one", "replace the mugs with a teapot"."""
        assert state.bundle is not None
        items = list(state.bundle.items)
        parts = _SWAP.match(text)
        old_text, new_text = (parts.group("old"), parts.group("new") or "") if parts else (text, "")
        found = self._find_items(old_text, items)
        if not found:
            facts = ReplyFacts(act=Act.show_bundle, intent="build_bundle", user_text=text, bundle=state.bundle,
                               currency=self.currency, detail=f"not_in_bundle:{' '.join(_words(old_text))}")
            return TurnResult(facts, {})
        old = found[0]
        cheaper = bool(re.search(r"\b(cheaper|less expensive|lower price|budget)\b", new_text, re.I))
        named = " ".join(w for w in _words(new_text) if w not in _SWAP_FILLER)
        budget = state.bundle.budget
        room = budget - (state.bundle.total - old.line_total) if budget is not None else None
        caps = [c for c in ((old.price - Decimal("0.01")) if cheaper else None,
                            (room / old.quantity) if room is not None else None) if c is not None]
        filters = SearchFilters(in_stock=True, price_max=to_money(min(caps)) if caps else None,
                                category=None if named else (old.category or None),
                                exclude_ids=frozenset(i.id for i in items))
        hits = self.shopping.store.search(named or old.title, k=5, filters=filters) if not caps or min(caps) > 0 \
            else []
        if not hits:
            what = f"a cheaper alternative to the {old.title}" if cheaper else f"a replacement for the {old.title}"
            detail = f"I couldn't find {what}" + (" that keeps the bundle in budget." if room is not None else ".")
            return TurnResult(ReplyFacts(act=Act.no_results, intent="build_bundle", user_text=text,
                                         currency=self.currency, detail=detail), {})
        product = hits[0].product
        reason = (f"cheaper than the {old.title} it replaces" if cheaper else "you asked for it" if named
                  else f"instead of the {old.title}")
        new = BundleItem(id=product.id, title=product.title, price=product.price, quantity=old.quantity,
                         category=product.category, reason=reason)
        shown = self._recount([new if i is old else i for i in items], budget,
                              f"Swapped the {old.title} for the {product.title}.")
        viewed = list(dict.fromkeys([*state.viewed_ids, product.id]))[-50:]
        return TurnResult(ReplyFacts(act=Act.show_bundle, intent="build_bundle", user_text=text, bundle=shown,
                                     currency=self.currency), {"bundle": shown, "viewed_ids": viewed})

    def add(self, slots: dict[str, str], text: str, state: DialogState) -> TurnResult:
        assert state.bundle is not None
        product = self.shopping.resolve(slots, state) if (slots.get("reference_index") or re.search(
            r"\b(it|that|this one|that one)\b", text.lower())) else None
        adds_it = re.fullmatch(r"\s*(?:please\s+)?add (?:it|that|this)\b.*", text, re.I)
        if product is None and state.shown_ids and adds_it:
            product = next(iter(self.shopping.store.get(state.shown_ids[:1])), None)
        budget = state.bundle.budget
        if product is None:
            query = slots.get("product_type") or " ".join(_words(text))
            left = (budget - state.bundle.total) if budget is not None else None
            in_budget = SearchFilters(in_stock=True, price_max=left if left and left > 0 else None,
                                      exclude_ids=frozenset(i.id for i in state.bundle.items))
            hits = self.shopping.store.search(query, k=1, filters=in_budget) if query else []
            if not hits and query:
                hits = self.shopping.store.search(query, k=1, filters=in_budget.model_copy(update={"price_max": None}))
            product = hits[0].product if hits else None
        if product is None:
            return TurnResult(ReplyFacts(act=Act.no_results, intent="build_bundle", user_text=text,
                                         currency=self.currency), {})
        items = [*state.bundle.items, BundleItem(id=product.id, title=product.title, price=product.price,
                                                 quantity=1, category=product.category, reason="you asked for it")]
        shown = self._recount(items, budget, f"Added {product.title}.")
        viewed = list(dict.fromkeys([*state.viewed_ids, product.id]))[-50:]
        return TurnResult(ReplyFacts(act=Act.show_bundle, intent="build_bundle", user_text=text, bundle=shown,
                                     currency=self.currency), {"bundle": shown, "viewed_ids": viewed})
