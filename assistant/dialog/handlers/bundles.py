"""Bundle turns: build a bundle for a theme, around a product or from a list of things, and edit the one shown.

Reads the typed :class:`Understanding` (targets resolved to ids, the edit's operation, what comes in) and
returns reply facts with a typed state update.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from assistant.dialog.handlers.shopping import Found, ShoppingAdvisor, TurnResult
from assistant.facts import Act, ReplyFacts
from assistant.nlg.phrasing import join_words, plural
from assistant.personal import Personaliser
from assistant.protocols import VectorStore
from assistant.types import (
    BundleItem,
    BundleSpec,
    DialogState,
    Intent,
    QuantityChange,
    Role,
    ShownBundle,
    Slots,
    StateUpdate,
    Understanding,
)
from assistant.understanding.catalog import ends_in, is_a, prints, stem, words_of
from assistant.understanding.content import FUNCTION_WORDS, content_words
from assistant.understanding.references import SIZE_CHOICE, title_size
from assistant.understanding.understander import DETERMINERS, head_phrase, head_word
from assistant.understanding.vocab import COLOURS, SET_WORDS
from cartwise.currency import to_money
from cartwise.models import Order, OrderLine, Product
from finetune.context import TurnContext
from retrieval.bundle_types import BundleRequest, BundleResult
from retrieval.bundles import BundleBuilder
from retrieval.errors import RetrievalError
from retrieval.product_types import pack_size
from retrieval.types import SearchFilters

ROLE_POOL = 8  # candidates per role when a list of things is bundled
_LEVELS = frozenset({"low", "high", "cheapest", "priciest"})  # price words that rank the things found


# The words before a product named by its title: a determiner or a preposition of going with.
_NAMING_DETERMINERS = DETERMINERS | {"that"}
_NAMING_WORDS = _NAMING_DETERMINERS | {"with", "around", "for", "to"}


def _named_as_thing(words: Sequence[str], start: int) -> bool:
    """Whether the phrase at ``start`` names a product: after an article, a possessive or "with" ("what goes with
    the regency cakestand 3 tier"), not as what a verb makes or hosts ("everything i need to make homemade jam",
    "host a tea party" name no jam candle and no tea party card)."""
    if start == 0 or words[start - 1] not in _NAMING_WORDS:
        return False
    return not (start >= 2 and words[start - 1] in _NAMING_DETERMINERS and content_words([words[start - 2]]))


def standing_request(u: Understanding, state: DialogState) -> DialogState | None:
    """The state whose search a bundle request that names nothing goes on from: a list on the screen that a
    search put there ("make it a bundle" after tea towels); None otherwise."""
    if u.query or u.roles or u.targets or not state.query or not state.shown or u.context is not TurnContext.products:
        return None
    return state


def _money(value: str | None) -> Decimal | None:
    return to_money(value) if value else None


class BundlePlanner:
    """Builds and edits bundles in a conversation.

    Args:
        builder: the bundle builder (co-purchase, rules, themes, budget-aware selection).
        shopping: searches products to add or swap in.
        personaliser: the shopper's history profile (optional).
        currency: the shop's currency symbol.
        names_by_pair: whether the catalog names a kind by two words together ("picnic bag":
            :meth:`CatalogVocabulary.names_by_pair`); without it a kind is its head word.
    """

    def __init__(self, builder: BundleBuilder, shopping: ShoppingAdvisor, personaliser: Personaliser | None,
                 currency: str, names_by_pair: Callable[[str, str], bool] | None = None) -> None:
        self.builder = builder
        self.shopping = shopping
        self.personaliser = personaliser
        self.currency = currency
        self.names_by_pair = names_by_pair

    @property
    def store(self) -> VectorStore:
        return self.shopping.store

    # ------------------------------------------------------------------ build
    def build(self, u: Understanding, state: DialogState, user_id: str | None) -> TurnResult:
        if u.adds_target and not u.roles and u.targets and state.bundle and state.bundle.items:
            # "add the first one" with a set standing: it goes in that set (a new set of it alone would lose it).
            return self.add(u, state.bundle, state)
        if u.roles or u.adds_target:
            # "add it to my basket": a set of that product alone (build_from_roles puts the target first).
            return self.build_from_roles(u, state, user_id, search_if_none=True)
        if u.complements and u.item_query and u.names_product:
            # "a card to go with it" asks for cards (those closest to it first), not for a bundle chosen around it.
            like = list(u.targets) or state.shown_ids or [i.id for i in (state.bundle.items if state.bundle else [])]
            return self.shopping.to_go_with(u, like, state, user_id)
        anchor = self._anchor(u)
        if anchor is None and u.complements:
            anchor = self._of_the_kind(u)
        in_set = {i.id for i in state.bundle.items} if state.bundle else set()
        if u.complements and not u.item_query and in_set and (anchor is None or anchor.id in in_set):
            # "what else goes with it", "what else could go in it": no thing named before the complement word (its
            # verb may be a title word: "Go"), so what goes with the set standing; "it" may be one of its items.
            return self._going_with_set(u, state, user_id, anchor.id if anchor is not None else None)
        theme = None
        if anchor is None:
            # "make it a bundle under £25" after party plates and cups names nothing of its own: a set for the
            # request that listed them (its words, and whom and what it was for), not a set of gifts.
            standing = standing_request(u, state)
            occasion = u.slots.occasion or (standing.slots.occasion if standing else None)
            recipient = u.slots.recipient or (standing.slots.recipient if standing else None)
            theme = u.query or (standing.query if standing else "") or occasion or "gift"
            if occasion and occasion not in theme:
                theme = f"{occasion} {theme}"
            if recipient and recipient not in theme:
                theme = f"{theme} for {recipient}"
        spec = BundleSpec(theme=theme, anchor_id=anchor.id if anchor else None,
                          budget=f"{limit:.2f}" if (limit := u.slots.spend_limit()) is not None else None,
                          quantity=u.slots.quantity, include_anchor=anchor is not None and not u.complements,
                          people=u.people if anchor is None else None)
        result = self._build(spec, u, state, user_id)
        if anchor is None and result.facts.act is Act.show_bundle:
            # Who a set is for, the occasion and the budget stand, as a search's do: "something for the kitchen"
            # after "wedding present ideas under 30" is still a wedding present under £30.
            result.update = result.update | StateUpdate(slots=u.slots.gift())
        return result

    def _anchor(self, u: Understanding) -> Product | None:
        """The product a bundle is built around: the one pointed at on the screen, or one named by its title."""
        if u.targets:
            return next(iter(self.store.get(list(u.targets[:1]))), None)
        if not u.query:
            return None
        raw = words_of(u.query)
        message = [stem(w) for w in raw]
        words = set(message)
        # A set word asks for a set ("a picnic set for 4 people"): with one other word it names no product ("Set 4
        # Picnic Cutlery"); "retrospot tea set" still names the Retrospot Tea Set by its other words.
        # Nor does the occasion say what it is ("a set for a tea party" is no "Tea Party Birthday Card").
        naming = words - {stem(w) for w in SET_WORDS} - {stem(w) for w in words_of(u.slots.occasion or "")}
        for hit in self.store.search(u.query, k=3, filters=SearchFilters(in_stock=True)):
            title = {stem(w) for w in words_of(hit.product.title) if not w.isdigit()}
            named = len(title & words) if len(title & naming) >= 2 else 0
            # Where the product's name starts: its first word in the message that is no grammar word ("with" is
            # printed by "Lunch Box With Cutlery" and by the request "what sells well with lunch boxes" alike).
            first = next((i for i, w in enumerate(message) if w in title and raw[i] not in FUNCTION_WORDS), 0) \
                if named else 0
            if named >= 2 and named * 2 >= len(title) and _named_as_thing(raw, first):
                return hit.product
        return None

    def _of_the_kind(self, u: Understanding) -> Product | None:
        """ "what goes well with a teapot": the kind named after "with", by its best match that is one (what goes
        with a teapot is what goes with that teapot, not a set of teapots); None when nothing of it is in stock."""
        raw = words_of(u.query)
        if "with" not in raw:
            return None
        after = raw[len(raw) - 1 - raw[::-1].index("with") + 1:]
        if "as" in after[1:]:
            after = after[:after.index("as", 1)]  # "with a teapot as a present": what it is as, no thing
        kind = head_word(after)
        if not kind:
            return None
        hits = [h.product for h in self.store.search(" ".join(after), k=10, filters=SearchFilters(in_stock=True))]
        # A title whose phrase ends in the kind names it as the thing ("... LED LCD TV"), where one that only
        # mentions it names another ("TV Mounting Service"); titles that put the kind first ("Card Wedding Day")
        # are of it too, after those.
        return next((p for p in hits if ends_in(p.title, kind)), None) or next(
            (p for p in hits if is_a(p.title, kind)), None)

    def _going_with_set(self, u: Understanding, state: DialogState, user_id: str | None,
                        item_id: str | None = None) -> TurnResult:
        """ "what else goes with it" after a set: the things that go with the item pointed at, else what the set is
        built around (its first item when nothing is), none already in it, listed to add; the set stays as it is."""
        assert state.bundle is not None
        items = state.bundle.items
        anchor_id = item_id or (state.bundle_spec.anchor_id if state.bundle_spec else None) or items[0].id
        result = self._try_build(user_id, state, anchor_id=anchor_id, include_anchor=False,
                                 exclude_ids=frozenset(i.id for i in items))
        if result is None or not result.items:
            return TurnResult(ReplyFacts(act=Act.no_results, intent=Intent.build_bundle, user_text=u.text,
                                         detail="no bundle", currency=self.currency))
        found = Found([(i.product, i.reason) for i in result.items])
        shown = self.shopping.present(found, Slots(), "", u, state, Intent.build_bundle)
        shown.facts.detail = shown.facts.detail or "These go well with your set; ask me to add any of them."
        return shown

    def _try_build(self, user_id: str | None, state: DialogState, **request: Any) -> BundleResult | None:
        """The builder's set for ``request`` (the :class:`BundleRequest` fields) with the shopper's history, or None
        when it cannot be built."""
        profile = self.personaliser.profile(user_id, state.viewed_ids) if self.personaliser else None
        try:
            return self.builder.build(BundleRequest(**request, profile=profile))
        except (RetrievalError, ValueError):
            return None

    def _build(self, spec: BundleSpec, u: Understanding, state: DialogState, user_id: str | None) -> TurnResult:
        anchor = next(iter(self.store.get([spec.anchor_id])), None) if spec.anchor_id else None
        # What goes with the things pointed at ("what could i put in them" after party bags) is none of them.
        pointed = frozenset(u.targets) if u.complements else frozenset()
        result = self._try_build(user_id, state, anchor_id=spec.anchor_id, theme=spec.theme,
                                 budget=_money(spec.budget), people=spec.people, include_anchor=spec.include_anchor,
                                 exclude_ids=pointed)
        slots = _display(u.slots)
        if result is None or not result.items:
            return TurnResult(ReplyFacts(act=Act.no_results, intent=Intent.build_bundle, user_text=u.text, slots=slots,
                                         detail="no bundle", currency=self.currency))
        shown = self._shown(result)
        if anchor is not None and spec.quantity and spec.include_anchor:
            items = [i.model_copy(update={"quantity": spec.quantity}) if i.id == anchor.id else i for i in shown.items]
            shown = self._recount(items, shown.budget, shown.note)
        facts = ReplyFacts(act=Act.show_bundle, intent=Intent.build_bundle, user_text=u.text, bundle=shown,
                           slots=slots | ({"anchor": anchor.title} if anchor else {}), currency=self.currency,
                           options=["Make it cheaper", "Why these?"])
        viewed = list(dict.fromkeys([*state.viewed_ids, *(i.id for i in shown.items)]))[-50:]
        return TurnResult(facts, StateUpdate(bundle=shown, bundle_spec=spec, viewed_ids=viewed))

    def build_from_roles(self, u: Understanding, state: DialogState, user_id: str | None = None,
                         search_if_none: bool = False) -> TurnResult:
        """ "monitor, keyboard, mouse and webcam under $600": one item per role, within the budget.

        "add a mouse and a bag to it": the product pointed at comes first, then the things named. With
        ``search_if_none``, a list none of whose parts the catalog has is searched as one request instead.
        """
        budget = u.slots.spend_limit()
        picks: list[tuple[Role, list[Product]]] = []
        missing: list[str] = []
        anchor = self._anchor(u) if u.targets else None
        # "add 2 of the first one" counts the target; "add 4 cups to it" counts the cups.
        count = u.target_quantity or (u.slots.quantity if not u.roles else None) or 1
        # The products pointed at come first; "i'll take both", "add the first two to a set": every one of them, not
        # the first alone.
        pointed = [anchor, *(self.store.get(list(u.targets[1:])) if u.adds_target else [])] if anchor else []
        own = [Role(query=p.title, quantity=count) for p in pointed]
        picks.extend((role, [p]) for role, p in zip(own, pointed, strict=True))
        own_ids = {id(role) for role in own}  # by identity: a thing listed may have the same words
        # A listed thing is found by its own words: what the shopper viewed (laptops) would rank a laptop that
        # "includes a wireless mouse" above the mice.
        blank = DialogState(session_id=state.session_id)
        # Latest first; read only when a role says "the": most sets name none.
        seen = self.store.get(list(reversed(state.viewed_ids))) if any(r.definite for r in u.roles) else []
        roles = list(u.roles)
        # Where each thing was named: things found run together are put back in their place in the list.
        place = {id(r): float(n) for n, r in enumerate(roles)}
        for role in roles:
            head = role.head or head_word(role.query.split()) or role.query
            known = next((p for p in seen if role.definite and p.in_stock and is_a(p.title, head)
                          and (anchor is None or p.id != anchor.id)), None)
            if known is not None:
                # "a bundle with the switch and 2 games": the Nintendo Switch the shopper was shown, not the
                # best match for the word ("Dimmer Switch").
                picks.append((role, [known]))
                continue
            # The thing named whole: "a phone case" is no "AirPods ... MagSafe Case" (see ShoppingAdvisor.find).
            phrase = head_phrase(role.query.split(), role.head) if role.head else []
            # A price word is said of every thing listed ("a cheap keyboard and mouse": a cheap mouse too).
            level = Slots(price=u.slots.price if u.slots.price in _LEVELS else None)
            found = self.shopping.find(role.query, level, False, blank, None, require=[head],
                                       head=role.head, phrase=phrase)
            occasion = (u.slots.occasion or state.slots.occasion) if anchor is not None else None
            if occasion and occasion not in role.query and not found.not_found:
                # "add the first one to a bundle with a card" after birthday presents: a birthday card, where one is
                # (the thing is still required; the occasion standing only ranks among them).
                for_it = self.shopping.find(f"{occasion} {role.query}", level, False, blank, None, require=[head],
                                            head=role.head, phrase=phrase)
                if not for_it.not_found and any(prints(f"{p.title} {p.category}", head)
                                                for p, _ in for_it.ranked[:ROLE_POOL]):
                    found = for_it
            if found.not_found:
                if parts := self._things_run_together(role):
                    roles.extend(parts)  # looked for in turn, after the others
                    place |= {id(r): place[id(role)] + (n + 1) / 10 for n, r in enumerate(parts)}
                else:
                    missing.append(plural(found.not_found))
                continue
            # A role is a named thing: only products whose titles, or the shop's category for them, say it fill it
            # ("keyboard" is no earbuds; "something to stream on" is a Chromecast, in "Streaming Devices").
            candidates = _the_thing_first([p for p, _ in found.ranked[:ROLE_POOL]
                                           if prints(f"{p.title} {p.category}", head)], head)
            if not candidates:
                missing.append(plural(role.head) if role.head else role.query)  # "webcams", not "webcam zoom calls"
                continue
            picks.append((role, candidates))
        picks.sort(key=lambda pick: place.get(id(pick[0]), -1.0))  # the products pointed at first
        chosen = _fit_budget(picks, budget)
        if not chosen and search_if_none and anchor is None and len(missing) == len(u.roles):
            # "keep my needles and thread tidy" read as a list of a "keep needles" and a "thread tidy": when the
            # catalog has none of the parts but has the whole ("Sewing Susan 21 Needle Set"), the message is one
            # need. A list of things the shop lacks ("a laptop and a phone charger") is still named whole below.
            whole = self.shopping.search(u, state, user_id)
            if whole.facts.products and not whole.facts.detail.startswith("not_carried:"):
                return whole
        if not chosen:
            detail = f"not_carried:{', '.join(missing)}" if missing else "no bundle"
            return TurnResult(ReplyFacts(act=Act.no_results, intent=Intent.build_bundle, user_text=u.text,
                                         slots=_display(u.slots), detail=detail, currency=self.currency))
        items = [BundleItem(id=p.id, title=p.title, price=p.price, quantity=role.quantity, category=p.category,
                            reason="the product you chose" if id(role) in own_ids
                            else f"the {_role_name(role)} you asked for" if role.head or not p.category
                            # A thing described by its use names no product: the shop's category does.
                            else f"from our {p.category} range, as you asked")
                 for role, p in chosen]
        them = len(missing) > 1 or missing[0].endswith("s") if missing else False
        note = f"We don't sell {join_words(missing)}, so the set leaves {'them' if them else 'it'} out." \
            if missing else ""
        shown = self._recount(items, budget, note)
        spec = BundleSpec(theme=None, budget=f"{budget:.2f}" if budget is not None else None,
                          roles=[r.query for r, _ in chosen if id(r) not in own_ids],
                          role_heads=[r.head for r, _ in chosen if id(r) not in own_ids],
                          anchor_id=anchor.id if anchor is not None else None, include_anchor=anchor is not None,
                          picked=all(id(r) in own_ids for r, _ in chosen))
        facts = ReplyFacts(act=Act.show_bundle, intent=Intent.build_bundle, user_text=u.text, bundle=shown,
                           slots=_display(u.slots), currency=self.currency, options=["Make it cheaper", "Why these?"])
        viewed = list(dict.fromkeys([*state.viewed_ids, *(i.id for i in items)]))[-50:]
        return TurnResult(facts, StateUpdate(bundle=shown, bundle_spec=spec, viewed_ids=viewed))

    def from_order(self, order: Order, u: Understanding, state: DialogState,
                   only: Callable[[OrderLine], bool] | None = None) -> TurnResult:
        """A past order as a bundle to buy again, with today's prices; items no longer sold are named.

        ``only``: the lines asked for ("the candles i got last time"), when not the whole order. The lines the
        message turns down (``u.slots.exclude``: "the same as last time but without the hand warmers") are left out.
        """
        lines = [line for line in order.lines if line.quantity > 0 and (only is None or only(line))]
        turned_down = _turned_down(lines, u.slots.exclude)
        left_out = list(dict.fromkeys(line.title for line in turned_down))
        if turned_down:
            lines = [line for line in lines if line not in turned_down]
            if not lines:
                return TurnResult(ReplyFacts(
                    act=Act.no_results, intent=Intent.reorder, user_text=u.text, currency=self.currency,
                    detail=f"Order {order.id} had only {join_words(left_out)}: without them, nothing is left to "
                           "order again."))
        products = {p.id: p for p in self.store.get([line.product_id for line in lines])}
        quantities: dict[str, int] = {}
        for line in lines:  # one product on two lines of the order is one item of the bundle
            quantities[line.product_id] = quantities.get(line.product_id, 0) + line.quantity
        change = u.quantity_change
        items = [BundleItem(id=p.id, title=p.title, price=p.price, category=p.category,
                            quantity=changed(quantity, change) if change else quantity,
                            reason=f"in your order {order.id}")
                 for pid, quantity in quantities.items() if (p := products.get(pid)) is not None and p.in_stock]
        gone = list(dict.fromkeys(line.title for line in lines
                                  if line.product_id not in products or not products[line.product_id].in_stock))
        note = f"Order {order.id} again, at today's prices." if only is None else \
            f"From your order {order.id}, at today's prices."
        if gone:
            note += f" No longer available: {join_words(gone[:5])}{' and more' if len(gone) > 5 else ''}."
        if left_out:
            note += f" Left out, as you asked: {join_words(left_out[:5])}."
        if change:
            note += f" {said_of(change)}"
        if not items:
            return TurnResult(ReplyFacts(act=Act.no_results, intent=Intent.reorder, user_text=u.text,
                                         currency=self.currency,
                                         detail=f"None of the items of order {order.id} is available now."))
        shown = self._recount(items, None, note)
        facts = ReplyFacts(act=Act.show_bundle, intent=Intent.reorder, user_text=u.text, bundle=shown,
                           currency=self.currency, options=["Remove the first item", "Why these?"])
        return TurnResult(facts, StateUpdate(bundle=shown, bundle_spec=BundleSpec(), order_id=order.id))

    def _things_run_together(self, role: Role) -> list[Role]:
        """ "a monitor keyboard and mouse": a thing the shop lacks by that name whose words each name a thing it sells
        (a list written without its commas) is those things, one each; [] when any word is no kind of thing sold, as
        the end of a title's name ("keep my needles and thread tidy": no title is a "Keep")."""
        words = role.query.split()
        if len(words) < 2 or len(words) > 3:
            return []
        sold = [w for w in words if any(ends_in(h.product.title, w) for h in self.store.search(
            w, k=5, filters=SearchFilters(in_stock=True)))]
        return [Role(query=w, quantity=role.quantity, head=w) for w in words] if sold == words else []

    def _shown(self, result: BundleResult) -> ShownBundle:
        items = [BundleItem(id=i.product.id, title=i.product.title, price=i.product.price, quantity=i.quantity,
                            category=i.product.category, reason=i.reason) for i in result.items]
        return ShownBundle(items=items, total=result.total, budget=result.budget, within_budget=result.within_budget,
                           note=result.note)

    # ------------------------------------------------------------------ edit
    def edit(self, u: Understanding, state: DialogState, user_id: str | None) -> TurnResult:
        if state.bundle is None:
            return self.build(u, state, user_id)
        op = u.bundle_op or "add"
        bundle = state.bundle
        if op == "rebudget":
            return self.rebudget(u, bundle, state, user_id)
        if op == "remove":
            return self.remove(u, bundle, state)
        if op in ("add", "swap") and u.slots.colour and not u.targets and not u.names_product:
            return self.recolour(u.slots.colour, u, bundle, state)
        if op == "swap":
            return self.swap(u, bundle, state)
        if op == "quantity":
            return self.quantity(u, bundle, state)
        if op == "people":
            return self.for_people(u, bundle, state)
        if op == "scale" and u.quantity_change is not None:
            return self.scale(u.quantity_change, u, bundle)
        return self.add(u, bundle, state)

    def for_people(self, u: Understanding, bundle: ShownBundle, state: DialogState) -> TurnResult:
        """ "for about 20 kids" after a party set: what each person uses (plates, cups, party bags, by the shop's
        rules) counted for that many, a pack's own count read from its title ("Set/6"); the rest stay as they are."""
        people = u.people or 1
        products = {p.id: p for p in self.store.get([i.id for i in bundle.items])}
        items: list[BundleItem] = []
        counted: list[str] = []
        for item in bundle.items:
            product = products.get(item.id)
            if product is not None and self.builder.per_person(product):
                n = max(1, math.ceil(people / pack_size(product.title)))
                item = item.model_copy(update={"quantity": n})
                counted.append(f"{n} × {item.title}")  # noqa: RUF001
            items.append(item)
        note = (f"Counted for {people}: {join_words(counted)}." if counted else
                f"Nothing in this set is bought one per person, so it stays as it is for {people}.")
        shown = self._recount(items, bundle.budget, note)
        spec = state.bundle_spec.model_copy(update={"people": people}) if state.bundle_spec else None
        return TurnResult(ReplyFacts(act=Act.show_bundle, intent=Intent.edit_bundle, user_text=u.text, bundle=shown,
                                     currency=self.currency),
                          StateUpdate(bundle=shown) | (StateUpdate(bundle_spec=spec) if spec else StateUpdate()))

    def scale(self, change: QuantityChange, u: Understanding, bundle: ShownBundle) -> TurnResult:
        """ "2 of each", "double the quantities", "half as many" after a set: every item's quantity changed."""
        items = [i.model_copy(update={"quantity": changed(i.quantity, change)}) for i in bundle.items]
        shown = self._recount(items, bundle.budget, said_of(change))
        return TurnResult(ReplyFacts(act=Act.show_bundle, intent=Intent.edit_bundle, user_text=u.text, bundle=shown,
                                     currency=self.currency), StateUpdate(bundle=shown))

    def rebudget(self, u: Understanding, bundle: ShownBundle, state: DialogState, user_id: str | None) -> TurnResult:
        """The same bundle request with a new budget: "make it cheaper", "under £10 instead"."""
        spec = state.bundle_spec or BundleSpec()
        budget = u.slots.spend_limit()
        if spec.picked and budget is None:
            # "make it cheaper" after "add the first two to a bundle": the shopper's own picks, none to rebuild around
            # (a new set of four had replaced them). The dearest with a cheaper one of its kind is swapped for it.
            cheaper = u.model_copy(update={"item_query": "", "head": "", "head_phrase": (),
                                           "slots": u.slots.model_copy(update={"price": "cheaper"})})
            had = {i.id for i in bundle.items}
            for item in sorted(bundle.items, key=lambda i: i.price, reverse=True):
                swapped = self.swap(cheaper.model_copy(update={"targets": (item.id,)}), bundle, state)
                kind = head_word(words_of(item.title))
                # Of its kind only: a milk jug of the same range is no cheaper teapot.
                now = swapped.facts.bundle.items if swapped.facts.bundle is not None else []
                if any(i.id not in had and is_a(i.title, kind) for i in now):
                    return swapped
            return TurnResult(ReplyFacts(act=Act.no_results, intent=Intent.edit_bundle, user_text=u.text,
                                         currency=self.currency, detail="I couldn't find a cheaper one of the same "
                                         "kind for any item in your set."))
        if budget is None:  # "cheaper": strictly below what it costs now
            budget = max(bundle.total - Decimal("0.01"), Decimal("0.00"))
        if spec.roles:
            # The product the set was built around stays in it, as many as before; the listed things follow it.
            chosen = next((i for i in bundle.items if i.id == spec.anchor_id), None) if spec.include_anchor else None
            listed = [i for i in bundle.items if i is not chosen]
            heads = spec.role_heads if len(spec.role_heads) == len(spec.roles) else [""] * len(spec.roles)
            roles = tuple(Role(query=r, quantity=i.quantity, head=h)
                          for r, h, i in zip(spec.roles, heads, listed, strict=False))
            update: dict[str, object] = {"roles": roles, "slots": u.slots.model_copy(update={"budget_max": budget})}
            if chosen is not None:
                update |= {"targets": (chosen.id,), "target_quantity": chosen.quantity}
            return self.build_from_roles(u.model_copy(update=update), state)
        return self._build(spec.model_copy(update={"budget": f"{budget:.2f}"}), u, state, user_id)

    def remove(self, u: Understanding, bundle: ShownBundle, state: DialogState) -> TurnResult:
        drop = [i for i in bundle.items if i.id in u.targets]
        if not drop:
            return self._not_in_bundle(u, state)
        kept = [i for i in bundle.items if i not in drop]
        shown = self._recount(kept, bundle.budget, f"Removed {join_words([i.title for i in drop])}.")
        return TurnResult(ReplyFacts(act=Act.show_bundle, intent=Intent.edit_bundle, user_text=u.text, bundle=shown,
                                     currency=self.currency), StateUpdate(bundle=shown))

    def quantity(self, u: Understanding, bundle: ShownBundle, state: DialogState) -> TurnResult:
        n = u.slots.quantity or 1
        items = [i.model_copy(update={"quantity": n}) if i.id in u.targets else i for i in bundle.items]
        if items == bundle.items:
            return self._not_in_bundle(u, state)
        names = join_words([i.title for i in items if i.id in u.targets])
        shown = self._recount(items, bundle.budget, f"Now {n} × {names}.")  # noqa: RUF001
        return TurnResult(ReplyFacts(act=Act.show_bundle, intent=Intent.edit_bundle, user_text=u.text, bundle=shown,
                                     currency=self.currency), StateUpdate(bundle=shown))

    def recolour(self, colour: str, u: Understanding, bundle: ShownBundle, state: DialogState) -> TurnResult:
        """ "make it all red", "can i have them in red" after a set: each item not in that colour swapped for one of
        its kind that is, where the shop has one; the others stay, and the reply says which."""
        current, swapped, kept = bundle, [], []
        for item in bundle.items:
            if prints(item.title, colour):
                continue
            kind = self._kind_of(item.title)
            ask = u.model_copy(update={"targets": (item.id,), "item_query": f"{colour} ones", "head": kind[-1],
                                       "head_phrase": tuple(kind), "slots": Slots(colour=colour)})
            now = self.swap(ask, current, state).facts.bundle
            had = {i.id for i in current.items}
            new = [i for i in now.items if i.id not in had] if now is not None else []
            if now is not None and new and new[0].category == item.category and all(
                    prints(new[0].title, w) for w in kind) and prints(new[0].title, colour):
                current = now
                swapped.append(new[0].title)
            else:
                kept.append(item.title)
        if not swapped:
            return TurnResult(ReplyFacts(act=Act.no_results, intent=Intent.edit_bundle, user_text=u.text,
                                         currency=self.currency,
                                         detail=f"I couldn't find any item of your set in {colour}: the shop has "
                                                f"none of their kinds in that colour."))
        note = f"Swapped in {join_words(swapped)}." + (
            f" None of the kind of the {join_words(kept)} comes in {colour}, so "
            f"{'it stays' if len(kept) == 1 else 'they stay'}." if kept else "")
        shown = self._recount(current.items, bundle.budget, note)
        return TurnResult(ReplyFacts(act=Act.show_bundle, intent=Intent.edit_bundle, user_text=u.text, bundle=shown,
                                     currency=self.currency), StateUpdate(bundle=shown))

    def _kind_of(self, title: str) -> list[str]:
        """The words naming what a product is: its head word, with the word before it where the catalog names things
        by the two ("Picnic Bag": a cosmetic bag is no picnic bag), not a describing word ("Traditional Teapot")."""
        words = words_of(title)
        head = head_word(words)
        at = words.index(head) if head in words else -1
        before = words[at - 1] if at > 0 else ""
        if before.isalpha() and before not in COLOURS and self.names_by_pair and self.names_by_pair(before, head):
            return [before, head]
        return [head]

    def swap(self, u: Understanding, bundle: ShownBundle, state: DialogState) -> TurnResult:
        """Replace one item: "swap the monitor for a cheaper one", "replace the mugs with a teapot"."""
        old = next((i for i in bundle.items if i.id in u.targets), None)
        if old is None:
            return self._not_in_bundle(u, state)
        cheaper = u.slots.price in ("cheaper", "low", "cheapest")
        sized = u.slots.size_than
        # "a bigger one": the size comparative says which of the kind, it is no word to find in a title.
        named = " ".join(w for w in words_of(u.item_query) if w not in _REPLACEMENT_FILLER
                         and not (sized and w in SIZE_CHOICE))
        room = bundle.budget - (bundle.total - old.line_total) if bundle.budget is not None else None
        if room is not None and room <= 0:
            # The rest of the set is over the budget already (the nearest set, said so): no replacement can bring
            # it back, so the swap is made without that cap and the reply still says how far over it is.
            room = None
        caps = [c for c in ((old.price - Decimal("0.01")) if cheaper else None,
                            (room / old.quantity) if room is not None else None) if c is not None]
        cap = min(caps) if caps else None
        filters = SearchFilters(in_stock=True, price_max=to_money(cap) if cap is not None and cap > 0 else None,
                                exclude_ids=frozenset(i.id for i in bundle.items))
        # The words that picked the item out ("cheaper wrapping paper") name its kind better than a title's last word
        # ("Card Wedding Day").
        # (Or its range: "the headphones" picked out earbuds of "Headphones & Earbuds", whose title ends "Included".)
        said = [w for w in (u.head_phrase or (u.head,)) if w]
        kind_said = bool(said) and all(prints(f"{old.title} {old.category}", w) for w in said)
        kind = said if kind_said else [head_word(words_of(old.title))]
        stands_for_it = bool(named) and any(w in ("one", "ones") for w in words_of(u.item_query))
        own = self._kind_of(old.title)
        if stands_for_it and len(own) > len(kind) and all(prints(" ".join(own), w) for w in kind):
            # "pink ones" for "the plates" of "Set/6 Collage Paper Plates": the catalog names them by the two words,
            # and a pink candle plate is no paper plate.
            kind = own
        # ("paper ones" for the plates: paper plates, which the search must look for, not any paper.)
        wanted = f"{named} {' '.join(w for w in kind if w not in named.split())}" if stands_for_it else named
        hits = [] if cap is not None and cap <= 0 else self.store.search(wanted or old.title, k=40 if sized else 10,
                                                                            filters=filters)
        if stands_for_it:
            # "a logitech one": "one" stands for the thing swapped, so the word said is what the replacement must
            # print ("logitech"), not a near spelling ("LG"); "paper ones" for the plates are plates too, where any
            # print both.
            hits = [h for h in hits if all(prints(h.product.title, w) or prints(h.product.brand, w)
                                           for w in named.split())]
            # (A kind the shopper named is kept: no Sony speaker for "the headphones for a sony one".)
            of_kind = [h for h in hits if all(prints(h.product.title, w) for w in kind)]
            hits = of_kind if of_kind or kind_said else hits
        if not named:
            # "not that teapot, a different one": another teapot, not the milk jug of the same range whose title
            # is closest to the old one's.
            # With no other of its kind (the cheapest monitor already), one of its category; never a TV mount for
            # a monitor. What the set was for stays, when the item printed it (a cheaper wedding card, not a
            # birthday card).
            spec = state.bundle_spec or BundleSpec()
            asked = [spec.theme or "", *(r for r, head in zip(spec.roles, spec.role_heads, strict=False)
                                         if prints(old.title, head))]
            purpose = [w for w in words_of(" ".join(asked)) if prints(old.title, w) and w not in kind]
            hits = [h for h in hits if all(w and prints(h.product.title, w) for w in [*kind, *purpose])] or [
                h for h in hits if h.product.category == old.category and not purpose and not said]
        if sized and hits:
            # "swap the monitor for a bigger one": of the kind, larger (smaller) than the old one by the size its
            # title prints, nearest size first; none when the old one prints no size to compare.
            edge = title_size(old.title)
            larger = sized == "larger"
            beyond = [(size, n, h) for n, h in enumerate(hits) if edge is not None
                      and (size := title_size(h.product.title)) is not None
                      and (size > edge if larger else size < edge)]
            beyond.sort(key=lambda t: (abs(t[0] - (edge or 0)), t[1]))
            hits = [h for _, _, h in beyond]
        if not hits:
            what = f"a cheaper alternative to the {old.title}" if cheaper else f"a replacement for the {old.title}"
            if sized:
                what = f"a {'bigger' if sized == 'larger' else 'smaller'} one than the {old.title}"
            budget_binds = room is not None and (not cheaper or room / old.quantity < old.price)
            if stands_for_it and not cheaper and not sized:
                # "pink ones" for the plates: what was asked for is what there is none of ("pink paper plates").
                what, budget_binds = f"{wanted} to put in place of the {old.title}", False
            detail = f"I couldn't find {what}" + (" that keeps the bundle in budget." if budget_binds else ".")
            return TurnResult(ReplyFacts(act=Act.no_results, intent=Intent.edit_bundle, user_text=u.text,
                                         currency=self.currency, detail=detail))
        if named and not cheaper and not sized:
            # "swap the laptop for a macbook": of the products that print what was named, the one nearest the
            # replaced item's price (a $900 laptop's place had gone to a $3,950 MacBook Pro, the best match).
            naming = [h for h in hits if all(prints(h.product.title, w) or prints(h.product.brand, w)
                                             for w in named.split())]
            if len(naming) > 1:
                hits = sorted(naming, key=lambda h: abs(h.product.price - old.price))
        product = hits[0].product
        reason = (f"cheaper than the {old.title} it replaces" if cheaper else "you asked for it" if named
                  else f"{'bigger' if sized == 'larger' else 'smaller'} than the {old.title}" if sized
                  else f"instead of the {old.title}")
        new = BundleItem(id=product.id, title=product.title, price=product.price, quantity=old.quantity,
                         category=product.category, reason=reason)
        # The item swapped in is what "it" means next ("swap it for a cheaper one" after "cheaper card").
        shown = self._recount([new if i is old else i for i in bundle.items], bundle.budget,
                              f"Swapped the {old.title} for the {product.title}.")
        viewed = list(dict.fromkeys([*state.viewed_ids, product.id]))[-50:]
        return TurnResult(ReplyFacts(act=Act.show_bundle, intent=Intent.edit_bundle, user_text=u.text, bundle=shown,
                                     currency=self.currency),
                          StateUpdate(bundle=shown, viewed_ids=viewed, focus_id=product.id))

    def add(self, u: Understanding, bundle: ShownBundle, state: DialogState) -> TurnResult:
        product: Product | None = None
        named = " ".join(w for w in words_of(u.item_query) if w not in _REPLACEMENT_FILLER)
        if u.targets and not named:
            product = next(iter(self.store.get(list(u.targets[:1]))), None)
        if product is None and named:
            left = (bundle.budget - bundle.total) if bundle.budget is not None else None
            in_budget = SearchFilters(in_stock=True, price_max=left if left and left > 0 else None,
                                      exclude_ids=frozenset(i.id for i in bundle.items))
            head = head_word(named.split())
            found = self.shopping.find(named, Slots(colour=u.slots.colour), False, state, None,
                                       exclude_ids=list(in_budget.exclude_ids), query_words=words_of(named),
                                       head=head, phrase=head_phrase(named.split(), head) if head else ())
            # The best matches for what was named, those that print it as a word first ("... Full-Motion TV Mount",
            # not "TV Mounting Service", for "a wall mount"); among them the first that keeps the bundle in budget.
            relevant = _the_thing_first([p for p, _ in found.ranked[:5]], head)
            ranked = [p for p in relevant if in_budget.matches(p)] or relevant
            if found.not_found:
                return TurnResult(ReplyFacts(act=Act.no_results, intent=Intent.edit_bundle, user_text=u.text,
                                             currency=self.currency, detail=f"not_carried:{found.not_found}"))
            product = ranked[0] if ranked else None
        if product is None:
            return TurnResult(ReplyFacts(act=Act.no_results, intent=Intent.edit_bundle, user_text=u.text,
                                         currency=self.currency,
                                         detail="What should I add? Name the thing, or pick one from a list."))
        quantity = u.slots.quantity or 1
        pointed = set(u.targets if u.targets and not named else (product.id,))
        already = [i for i in bundle.items if i.id in pointed]
        if already and u.slots.quantity is None:
            # "add the first two" pointing at items already in the set: nothing to add, said so (a count asks for
            # more of them: "add 2 of the first one").
            verb = "is" if len(already) == 1 else "are"
            note = f"{join_words([i.title.rstrip('.') for i in already])} {verb} already in your set."
            return TurnResult(ReplyFacts(act=Act.show_bundle, intent=Intent.edit_bundle, user_text=u.text,
                                         bundle=bundle.model_copy(update={"note": note}), currency=self.currency))
        name = product.title.rstrip(".")
        if any(i.id == product.id for i in bundle.items):
            # "add 2 of the first one": more of an item already in the set, not a second line of it.
            items = [i.model_copy(update={"quantity": i.quantity + quantity}) if i.id == product.id else i
                     for i in bundle.items]
            note = f"Added {quantity} more of {name}."
        else:
            items = [*bundle.items, BundleItem(id=product.id, title=product.title, price=product.price,
                                               quantity=quantity, category=product.category,
                                               reason="you asked for it")]
            note = f"Added {name}."
        shown = self._recount(items, bundle.budget, note)
        viewed = list(dict.fromkeys([*state.viewed_ids, product.id]))[-50:]
        return TurnResult(ReplyFacts(act=Act.show_bundle, intent=Intent.edit_bundle, user_text=u.text, bundle=shown,
                                     currency=self.currency),
                          StateUpdate(bundle=shown, viewed_ids=viewed, focus_id=product.id))

    def as_it_stands(self, u: Understanding, state: DialogState) -> TurnResult:
        """ "how much is it all now?", "what's in it?" after a bundle: the bundle with its total, as it stands."""
        # The note of the edit that made it ("Added Balloons Writing Set.") was news then; now it is only the set,
        # against the price the shopper names ("is that under 15") when they name one.
        bundle = state.bundle.model_copy(update={"note": self._against(state.bundle.total, u.slots.spend_limit())
                                                 if u.asks_total else ""}) if state.bundle is not None else None
        return TurnResult(ReplyFacts(act=Act.show_bundle, intent=Intent.product_info, user_text=u.text,
                                     bundle=bundle, currency=self.currency))

    def _against(self, total: Decimal, limit: Decimal | None) -> str:
        if limit is None:
            return ""
        if total <= limit:
            return f"That is within {self.currency}{limit:.2f}."
        return f"That is {self.currency}{total - limit:.2f} over {self.currency}{limit:.2f}."

    def _not_in_bundle(self, u: Understanding, state: DialogState) -> TurnResult:
        # The thing the edit names in the set ("swap the printer for a teapot": "printer"), never its verb or
        # what was to come in.
        named = " ".join(u.head_phrase) or u.item_query or u.query
        what = " ".join(w for w in words_of(named) if w not in _REPLACEMENT_FILLER)
        facts = ReplyFacts(act=Act.show_bundle, intent=Intent.edit_bundle, user_text=u.text, bundle=state.bundle,
                           currency=self.currency, detail=f"not_in_bundle:{what}")
        return TurnResult(facts)

    def _recount(self, items: list[BundleItem], budget: Decimal | None, note: str) -> ShownBundle:
        total = to_money(sum((i.price * i.quantity for i in items), Decimal(0)))
        within = budget is None or total <= budget
        # By how much it is over the budget is the reply's to say, from the total and the budget.
        return ShownBundle(items=items, total=total, budget=budget, within_budget=within, note=note.strip())


# Words in "for a cheaper one" / "add something nice" that name no product.
_REPLACEMENT_FILLER = frozenset("""a an the some one ones cheaper less expensive lower price budget something another
    different else instead other better nicer option alternative too as well also please it that this them more
    of in to into bundle basket cart list""".split())


def _turned_down(lines: Sequence[OrderLine], exclude: Sequence[str]) -> list[OrderLine]:
    """The order lines the words turned down name: those printing all of them ("hand warmers"), else any of them
    ("without the mugs and candles")."""
    if not exclude:
        return []
    # (A term may be two words the titles print as one name: "hand warmers".)
    every = [line for line in lines if all(prints(line.title, w) for x in exclude for w in x.split())]
    return every or [line for line in lines if any(all(prints(line.title, w) for w in x.split()) for x in exclude)]


def _the_thing_first(products: list[Product], head: str) -> list[Product]:
    """``products`` with those whose titles print ``head`` as a word (or its plural) first, each group in its order:
    a title that prints it only inside another word names another thing ("TV Mounting Service" for "a wall
    mount"); "Card Wedding Day" is a card, its kind first."""
    if not head:
        return products
    form = stem(head)
    return sorted(products, key=lambda p: not any(stem(w) == form for w in words_of(p.title)))


def _fit_budget(picks: list[tuple[Role, list[Product]]], budget: Decimal | None) -> list[tuple[Role, Product]]:
    """The best-ranked product per role, then cheaper relevant ones for the dearest roles until the total fits."""
    chosen = [(role, candidates[0]) for role, candidates in picks]
    if budget is None:
        return chosen

    def total(items: list[tuple[Role, Product]]) -> Decimal:
        return sum((p.price * r.quantity for r, p in items), Decimal(0))

    options = {role.query: sorted(candidates, key=lambda p: p.price) for role, candidates in picks}
    while total(chosen) > budget:
        # Cheapen the role whose item costs most, to its next cheaper candidate.
        order = sorted(range(len(chosen)), key=lambda i: -(chosen[i][1].price * chosen[i][0].quantity))
        for i in order:
            role, current = chosen[i]
            cheaper = [p for p in options[role.query] if p.price < current.price]
            if cheaper:
                chosen[i] = (role, cheaper[-1])
                break
        else:
            break  # nothing cheaper left: the nearest set over budget, said as such
    return chosen


def _role_name(role: Role) -> str:
    """What a listed thing is called: its words up to its head ("napkins for the tables" -> "napkins"), so a
    reason never strings the shopper's other words into a product name ("the napkins tables")."""
    words = role.query.split()
    if role.head and role.head in words:
        return " ".join(words[: len(words) - words[::-1].index(role.head)])
    return role.query


def _display(slots: Slots) -> dict[str, str]:
    keep = {"budget_min", "budget_max", "budget_about", "recipient", "occasion", "quantity"}
    return {k: v for k, v in slots.as_strings().items() if k in keep}


def changed(quantity: int, change: QuantityChange) -> int:
    """``quantity`` after ``change``: every quantity set, or scaled and rounded up (never below one)."""
    if change.each is not None:
        return change.each
    return max(1, math.ceil(quantity * (change.factor or 1)))


def said_of(change: QuantityChange) -> str:
    """The change in words, for the set's note."""
    if change.each is not None:
        return f"Now {change.each} of each."
    named = {Decimal(2): "doubled", Decimal("0.5"): "halved (at least 1 each)", Decimal(3): "tripled"}
    return f"Every quantity {named.get(change.factor or Decimal(1), f'times {change.factor}')}."
