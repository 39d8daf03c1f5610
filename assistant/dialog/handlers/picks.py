"""Turns without a query: personal picks ("anything new for me?") and best sellers ("what's popular?").

Also supplies the products shown beside a clarifying question, so a question never comes alone.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Literal

from assistant.dialog.handlers.shopping import (
    DESCRIBED_ENOUGH,
    POOL,
    SHOW,
    Found,
    ShoppingAdvisor,
    TurnResult,
    budget_said,
    cheaper_than,
)
from assistant.facts import Act, ReplyFacts
from assistant.personal import Personaliser
from assistant.types import DialogState, Intent, ShownProduct, Slots, StateUpdate, Understanding
from assistant.understanding.catalog import prints, prints_form, stem, title_phrases, words_of
from assistant.understanding.content import content_words
from assistant.understanding.references import is_ranking_word
from assistant.understanding.understander import head_word
from cartwise.models import Product
from retrieval.picks import PersonalRecommender, Pick
from retrieval.product_vectors import ProductVectors
from retrieval.types import SearchFilters


class ShopperPicks:
    """Personal picks and best sellers for the dialog.

    Args:
        shopping: searches (for "most popular lunch bags") and presents products.
        personaliser: builds the shopper's history profile.
        recommender_for: makes a :class:`PersonalRecommender` from the current popularity counts.
        popularity: reads product id -> distinct customers from the orders database.
        ttl_seconds: how long popularity counts are reused before they are read again (orders keep coming).
    """

    def __init__(self, shopping: ShoppingAdvisor, personaliser: Personaliser | None, vectors: ProductVectors,
                 recommender_for: Callable[[Mapping[str, int]], PersonalRecommender],
                 popularity: Callable[[], dict[str, int]], ttl_seconds: float = 300.0) -> None:
        self.shopping = shopping
        self.personaliser = personaliser
        self.vectors = vectors
        self.recommender_for = recommender_for
        self.read_popularity = popularity
        self.ttl_seconds = ttl_seconds
        self._popularity: tuple[float, dict[str, int]] | None = None

    @property
    def recommender(self) -> PersonalRecommender:
        now = time.monotonic()
        if self._popularity is None or now - self._popularity[0] > self.ttl_seconds:
            self._popularity = (now, self.read_popularity())
        return self.recommender_for(self._popularity[1])

    def picks_for(self, user_id: str | None, state: DialogState, k: int = SHOW) -> tuple[list[Pick], bool]:
        """Personal picks for a signed-in shopper with a history, else best sellers; and whether personal."""
        if user_id and self.personaliser is not None:
            profile = self.personaliser.profile(user_id, [])
            if not profile.is_empty:
                return self.recommender.recommend(profile, k=k, exclude=state.viewed_ids[-10:]), True
        return self.recommender.best_sellers(k) or self.top_rated(k), False

    def top_rated(self, k: int, among: list[str] | None = None) -> list[Pick]:
        """In-stock products by their rating, for a shop with no sales recorded (never a made-up popularity)."""
        allowed = set(among) if among is not None else None
        rated = [p for p in self.vectors.products
                 if p.in_stock and p.rating is not None and (allowed is None or p.id in allowed)]
        rated.sort(key=lambda p: (-float(p.rating or 0), p.title))
        return [Pick(product=p, reason=f"rated {p.rating} out of 5", source="popular") for p in rated[:k]]

    def for_shopper(self, u: Understanding, state: DialogState, user_id: str | None) -> TurnResult:
        if u.slots.price == "discounted":
            # "any deals on for me?": what is on offer; the shopper's own picks only when nothing is.
            return self.on_offer(u, state, shopper=user_id)
        ceiling = u.slots.budget_max or (cheaper_than(state.shown) if u.slots.price in ("cheaper", "low")
                                         and state.shown else None)
        others = ceiling is None and u.intent == Intent.refine_search and bool(state.shown)
        if ceiling is None and not others:
            picks, personal = self.picks_for(user_id, state)
        else:
            # "cheaper" after the shopper's picks: their picks below the prices shown (or within the budget), others
            # than those shown, not any cheap thing of the shop's; "something else": the next of them, none seen in
            # this conversation again.
            seen = set(state.shown_ids) | (set(state.viewed_ids) if others else set())
            wider, personal = self.picks_for(user_id, state, k=SHOW * 10)
            picks = [p for p in wider if (ceiling is None or p.product.price <= ceiling)
                     and p.product.id not in seen][:SHOW]
        lead = {"found": "picks for you"} if personal else \
            {"found": "best sellers" if self._has_sales() else "top-rated products"}
        if ceiling is not None:
            lead["budget"] = f"{self.shopping.currency}{ceiling}"
        return self._show(picks, u, state, Intent.recommend_for_me, lead)

    def _has_sales(self) -> bool:
        return bool(self.recommender.popularity)

    def by_price(self, u: Understanding, state: DialogState) -> TurnResult:
        """ "what's the most expensive thing you sell", "your cheapest item": the shop's in-stock products ranked by
        price (``u.slots.price``: "priciest" or "cheapest"), the whole catalog, as nothing narrows it."""
        highest = u.slots.price == "priciest"
        stocked = sorted((p for p in self.vectors.products if p.in_stock),
                         key=lambda p: (-p.price if highest else p.price, p.title))
        reason = f"among the {'most expensive' if highest else 'cheapest'} things we have in stock"
        picks = [Pick(product=p, reason=reason, source="popular") for p in stocked[:SHOW]]
        return self._show(picks, u, state, u.intent, {"found": "products"})

    def best_sellers(self, u: Understanding, state: DialogState) -> TurnResult:
        """Best sellers overall, or among the products that match a request ("most popular lunch bags")."""
        recommender = self.recommender
        among: list[str] | None = None
        if state.last_intent == Intent.best_sellers and (state.query or state.slots.has_budget()) \
                and (u.follows_on or u.narrows) and not u.targets:
            # "what about for christmas", "under 100 dollars" after the most popular candles or the best headphones:
            # the request standing goes on, with the new words and constraints, as a refinement does after a search
            # ("for a boy" after the best sellers under £3: under £3 still).
            asked_before = state.query or ""
            query = asked_before if not u.names_product or u.query in asked_before else \
                f"{asked_before} {u.query}".strip()
            u = u.model_copy(update={"query": query, "slots": state.slots.merge(u.slots), "names_product": True,
                                     "head": u.head or head_word(asked_before.split())})
        ranked_by: Literal["cheapest", "priciest"] | None = None
        if state.last_intent == Intent.best_sellers and state.slots.price == "discounted" and not u.targets \
                and u.slots.price in (None, "cheapest", "priciest"):
            # "only headphones", "under 300", "cheapest first" after what is on offer: of the offers, as a
            # refinement keeps a search.
            ranked_by = u.slots.price if u.slots.price in ("cheapest", "priciest") else None
            # A new thing named ("any drones" after headphones on offer) is of the offers, not of the last kind.
            standing = Slots(price="discounted") if u.names_product else state.slots
            u = u.model_copy(update={"slots": standing.merge(u.slots.model_copy(update={"price": None})),
                                     "query": u.query or state.query or "",
                                     "names_product": u.names_product or bool(state.query),
                                     "head": u.head or head_word((state.query or "").split())})
        scoped = bool(u.names_product or u.slots.categories or u.slots.brands)
        # "the most popular ones", "whats the most popular one": the request standing ("one" stands for its kind).
        at_request = (u.points_back or bool(u.slots.reference_text)) and bool(state.query)
        if u.slots.price == "discounted" and (scoped or u.slots.budget_max is not None):
            # "any headphones on sale", "deals under 300": the offers among what is asked for.
            if u.names_product:
                # (Found at any price: the best matches on offer would be others, where none of the kind is.)
                asked = u.slots.model_copy(update={"price": None})
                among = self._asked_for(self.shopping.find(u.query, asked, u.category_filter, state, None), u)
            else:
                mask = self.vectors.mask(SearchFilters(in_stock=True, price_max=u.slots.budget_max,
                                                       categories=u.slots.categories if u.category_filter else None,
                                                       brands=u.slots.brands or None))
                among = [p.id for p, keep in zip(self.vectors.products, mask, strict=True) if keep]
            result = self.on_offer(u, state, among=among, ranked_by=ranked_by)
            result.update = result.update | StateUpdate(query=u.query, slots=u.slots)
            return result
        if ranked_by is not None:
            return self.on_offer(u, state, ranked_by=ranked_by)
        if not scoped and not at_request and u.slots.price in ("priciest", "cheapest"):
            if any(w in _SELLING_WELL for w in words_of(u.text)) and self._has_sales():
                # "top 3 cheapest best sellers": the best sellers, the price word ranking them.
                selling = sorted(recommender.best_sellers(SHOW * 4), key=lambda p: p.product.price,
                                 reverse=u.slots.price == "priciest")
                return self._show(selling[:SHOW], u, state, Intent.best_sellers, {"found": "best sellers"})
            # "what's the most expensive thing you sell": the model reads "most" as "most popular"; the price word
            # says how to rank, and nothing narrows what.
            return self.by_price(u, state)
        if not scoped and not at_request and u.slots.price == "discounted":
            return self.on_offer(u, state)
        ceiling = u.slots.budget_max or (cheaper_than(state.shown) if u.slots.price in ("cheaper", "low")
                                         and state.shown else None)
        if ceiling is not None and not scoped:
            # "anything cheaper than those?" after the best sellers: the best sellers below that price.
            # Cheaper than those shown means others: the cheaper ones already shown are not shown again.
            shown = set(state.shown_ids) if u.slots.budget_max is None else set()
            mask = self.vectors.mask(SearchFilters(in_stock=True, price_max=ceiling))
            among = [p.id for p, keep in zip(self.vectors.products, mask, strict=True) if keep and p.id not in shown]
            selling = self.recommender.best_sellers(SHOW, among=among)
            # A shop with no sales recorded has no best sellers: its best rated, named as such.
            within = self._show(selling or self.top_rated(SHOW, among), u, state, Intent.best_sellers,
                                {"found": "best sellers" if selling else "top-rated products",
                                 "budget": f"{self.shopping.currency}{ceiling}"})
            # The budget stands: "for a boy" next is the best sellers for a boy within it.
            within.update = within.update | StateUpdate(slots=state.slots.merge(u.slots))
            return within
        # "which of these sells best": of those on the screen, not of their kind.
        of_those_shown = not scoped and len(u.targets) >= 2 and (u.among_shown or not at_request)
        if not scoped and not of_those_shown and at_request and state.shown:
            # "show me the most popular ones" after lunch boxes: the best sellers among the request standing.
            u = u.model_copy(update={"query": state.query, "slots": state.slots, "category_filter": False})
            scoped = True
        whole = self._whole_category(u) if scoped and not of_those_shown else []
        dropped = ""
        if scoped and not of_those_shown and not whole and u.slots.has_budget():
            unbudgeted = u.model_copy(update={"slots": u.slots.model_copy(
                update={"budget_min": None, "budget_max": None, "budget_about": None})})
            whole = self._whole_category(unbudgeted)
            if whole:
                # "best headphones under 40", and none is: the range's best, the budget said dropped (its best
                # rated within $40 were batteries and smart plugs).
                dropped = "budget " + budget_said(u.slots.budget_min, u.slots.budget_max, self.shopping.currency,
                                                  u.slots.budget_aim())
                u = unbudgeted
        if of_those_shown:
            # "which is the most popular?" after mugs: which of those on the screen sells best, best first.
            among = list(u.targets)
            picks = recommender.best_sellers(len(among), among=among)
        elif scoped and whole:
            # "any in the kitchen range" after the best sellers: the category named, all of it, not the products
            # whose titles are closest to "kitchen range" (kitchen scales).
            among = whole
            picks = recommender.best_sellers(SHOW, among=among)
        elif scoped:
            found: Found = self.shopping.find(u.query, u.slots, u.category_filter, state, None)
            among = self._asked_for(found, u)
            picks = recommender.best_sellers(SHOW, among=among)
            if not picks and self._has_sales():  # nothing there has sold yet: the best matches, said as such
                return self.shopping.present(found, u.slots, u.query, u, state, Intent.best_sellers)
        else:
            picks = recommender.best_sellers(SHOW)
        if not self._has_sales():
            # No orders at all: say so, and rank by the ratings the catalog has instead.
            result = self._show(self.top_rated(SHOW, among), u, state, Intent.best_sellers,
                                {"found": "top-rated products"})
            # Said as how these are ranked, not as a constraint dropped: "the best tv for a bright room" asked for
            # nothing the rating fails to answer.
            result.facts.detail = ("There are no sales recorded in this shop yet, so these are ranked by customer "
                                   "rating.")
        else:
            result = self._show(picks, u, state, Intent.best_sellers, {"found": "best sellers"})
        if dropped:
            result.facts.relaxed = [dropped]
        if among is not None:
            # "best sellers in christmas stuff", then "cheaper ones": the request stands, as after a search.
            result.update = result.update | StateUpdate(query=u.query, slots=u.slots)
        return result

    @staticmethod
    def _asked_for(found: Found, u: Understanding) -> list[str]:
        """The best matches of a request to rank: "best wireless earbuds for the gym" ranks the earbuds among them,
        when there are any (a wireless speaker rated higher is still no earbud)."""
        pool = [p for p, _ in found.ranked[:POOL // 2]]
        # The thing by its own title first, where enough print it: an AV receiver in "Soundbars & Home Theater" is
        # no soundbar; where few do, its category names it too ("kids toys": the toys & games).
        titled = [p for p in pool if u.head and prints(p.title, u.head)]
        kind = titled if len(titled) >= SHOW else [p for p in pool if u.head and prints(f"{p.title} {p.category}",
                                                                                        u.head)]
        return [p.id for p in _that_do(kind or pool, u)]

    def _whole_category(self, u: Understanding) -> list[str]:
        """The in-stock products of the categories a request names, when it names nothing else: no title among them
        prints its head word ("the kitchen range", "christmas stuff"); else [] (then "most popular lunch bags" is
        ranked among the lunch bags a search finds, not every bag)."""
        if not u.slots.categories:
            return []
        # ("best headphones for under 100": the range within the budget, not its best rated at $199.99.)
        mask = self.vectors.mask(SearchFilters(in_stock=True, categories=list(u.slots.categories),
                                               price_min=u.slots.budget_min, price_max=u.slots.budget_max))
        pool = [p for p, keep in zip(self.vectors.products, mask, strict=True) if keep]
        # A thing the range's titles name as what they are ("most popular lunch bags": at least a list of them end
        # in it) is ranked among those a search finds; a word they print only in passing ("best sellers in
        # kitchen": "Tea Time Kitchen Apron") names the range. As a whole word: "range" is inside "Orange".
        if u.head and sum(1 for p in pool if any(stem(last) == stem(u.head) for phrase in title_phrases(p.title)
                                                 for last in words_of(phrase)[-1:])) >= SHOW:
            return []
        return [p.id for p in _that_do(pool, u)]

    def on_offer(self, u: Understanding, state: DialogState, among: Sequence[str] | None = None,
                 shopper: str | None = None, ranked_by: Literal["cheapest", "priciest"] | None = None) -> TurnResult:
        """ "what's on sale?": the products that carry a discount, best sellers (else best rated) first, each with
        its offer (or the cheapest or dearest first, ``ranked_by``); in a shop with nothing on offer, the best
        sellers (or the signed-in ``shopper``'s own picks, worked out only then), said so. ``among``: only those
        products ("is any of that on sale" after an order: its products), and when none is on offer, that said
        alone."""
        mask = self.vectors.mask(SearchFilters(in_stock=True, on_offer=True))
        offered = {p.id: p for p, keep in zip(self.vectors.products, mask, strict=True) if keep
                   and (among is None or p.id in among)}
        if not offered and among is not None:
            return TurnResult(ReplyFacts(act=Act.no_results, intent=Intent.best_sellers, user_text=u.text,
                                         currency=self.shopping.currency,
                                         detail="None of those is on offer at the moment." if not u.head else
                                         f"No {u.head} are on offer at the moment."))
        if not offered and shopper is not None and (own := self.picks_for(shopper, state))[1]:
            result = self._show(own[0], u, state, Intent.recommend_for_me, {"found": "picks for you"})
            result.facts.relaxed = ["on offer (nothing is on offer at the moment)"]
            return result
        if not offered:
            result = self._show(self.recommender.best_sellers(SHOW) or self.top_rated(SHOW), u, state,
                                Intent.best_sellers, {"found": "best sellers" if self._has_sales()
                                                      else "top-rated products"})
            result.facts.relaxed = ["on offer (nothing is on offer at the moment)"]
            return result
        among = list(offered)
        if ranked_by is not None:
            priced = sorted(offered.values(), key=lambda p: (-p.price if ranked_by == "priciest" else p.price, p.title))
            picks = [Pick(product=p, reason="", source="popular") for p in priced[:SHOW]]
        else:
            picks = self.recommender.best_sellers(SHOW, among=among) or self.top_rated(SHOW, among)
        picks = [replace(p, reason="; ".join(x for x in (f"on offer: {offered[p.product.id].discount}", p.reason) if x))
                 for p in picks]
        result = self._show(picks, u, state, Intent.best_sellers, {"found": "products on offer"})
        # What is on offer is the request standing: "only headphones" next narrows it.
        result.update = result.update | StateUpdate(slots=Slots(price="discounted"))
        return result

    def _show(self, picks: list[Pick], u: Understanding, state: DialogState, intent: Intent,
              slots: dict[str, str]) -> TurnResult:
        picks = picks[:u.list_count] if u.list_count else picks  # "top 3 best sellers": three
        shown = [ShownProduct(id=p.product.id, title=p.product.title, price=p.product.price,
                              category=p.product.category, reason=p.reason, in_stock=p.product.in_stock,
                              rating=p.product.rating) for p in picks]
        act = Act.show_products if shown else Act.no_results
        facts = ReplyFacts(act=act, intent=intent, user_text=u.text, products=shown, slots=slots,
                           currency=self.shopping.currency)
        viewed = list(dict.fromkeys([*state.viewed_ids, *(p.id for p in shown)]))[-50:]
        update = StateUpdate(viewed_ids=viewed, query="")
        if shown:
            update = update | StateUpdate(shown=shown, focus_id=shown[0].id)
        return TurnResult(facts, update)


# Words that ask for what sells well, beside a price word that ranks it ("the cheapest best sellers"). Not the shop's
# own verb, which the understander's words for sales include: "the cheapest thing you sell" ranks the shop by price.
_SELLING_WELL = frozenset({"seller", "sellers", "selling", "bestseller", "bestsellers", "bestselling", "popular"})


def _that_do(products: Sequence[Product], u: Understanding) -> Sequence[Product]:
    """Of ``products``, those whose title or details print what the request asks the thing to be or do ("best noise
    cancelling headphones": not every pair of the kind), when a few do; a word none prints ("for flying") narrows
    nothing."""
    said = [w for w in content_words(u.query.split()) if stem(w) != stem(u.head or "") and not is_ranking_word(w)
            and w not in u.recipient_words and not any(prints(p.category, w) for p in products[:1])]
    texts = {p.id: f"{p.title} {p.description}" for p in products}
    asked = [w for w in said if any(prints_form(t, w) for t in texts.values())]
    doing = [p for p in products if asked and all(prints_form(texts[p.id], w) for w in asked)]
    return doing if len(doing) >= DESCRIBED_ENOUGH else products
