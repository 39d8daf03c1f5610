"""Bundles: a few products that go together, chosen under an exact budget.

Candidates come from three places: co-purchase statistics (what other shoppers
bought with the anchor), the shop's own "goes with" rules and theme needs
(``data/shops/<shop>/goes_with.yaml`` and ``themes.yaml``), and semantic search
(unknown themes, anchors without data). Selection is greedy by score with one
item per role and no near-duplicates, keeping enough budget for the remaining
roles and falling back to cheaper items of the same role; see
:mod:`retrieval.bundle_selection`.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from cartwise.models import Product
from retrieval.bundle_selection import BundleSelector, Pick, SelectionCandidate
from retrieval.bundle_types import BundleItem, BundleRequest, BundleResult, BundleSource
from retrieval.errors import RetrievalError
from retrieval.history import HistoryProfile
from retrieval.product_types import pack_size, product_type, title_words
from retrieval.rules import Need, ShopRules, Theme

if TYPE_CHECKING:
    from cartwise.settings import Settings
    from retrieval.copurchase import CopurchaseStats
    from retrieval.embeddings import Embedder
    from retrieval.product_vectors import ProductVectors
    from retrieval.store import ProductStore

logger = logging.getLogger(__name__)

# Relative weight of each source in a candidate's score (co-purchase evidence is the strongest signal).
SOURCE_WEIGHT: dict[str, float] = {
    "copurchase": 1.0,
    "theme": 1.0,
    "rule": 0.5,
    "search": 1.0,
    "similar": 0.3,
    "filler": 0.3,
}


class BundleError(RetrievalError):
    """A bundle request cannot be served (unknown anchor product)."""


@dataclass
class _Cand:
    row: int
    product: Product
    role: str
    score: float
    reason: str
    source: BundleSource
    per_person: bool = False


class BundleBuilder:
    """Builds bundles for an anchor product or a theme.

    Args:
        vectors: every product of the shop with its embedding.
        rules: the shop's goes-with rules and themes.
        embedder: encodes theme texts and need queries (None: title keywords only).
        copurchase: co-purchase statistics (None for shops without orders).
        size: items per bundle when the request does not say.
        candidates_per_need: products considered for each rule or theme need.
        copurchase_partners: co-purchase partners considered for an anchor.
        duplicate_cosine: two products more similar than this count as the same thing.
        history_weight: weight of the similarity to the shopper's history in a candidate's score.
        repeat_weight: bonus for a product the shopper bought before (times its share of the history weight,
            relative to their most important item).
        theme_match_cosine: a free-text theme closer than this to a known theme's name uses that theme.
        currency: symbol used in notes.

    Example:
        >>> builder = BundleBuilder.from_settings(settings)  # doctest: +SKIP
        >>> result = builder.build(BundleRequest(theme="tea party", budget=Decimal("25"), people=4))  # doctest: +SKIP
        >>> result.within_budget, result.total <= Decimal("25")  # doctest: +SKIP
        (True, True)
    """

    def __init__(
        self,
        vectors: ProductVectors,
        rules: ShopRules,
        embedder: Embedder | None = None,
        copurchase: CopurchaseStats | None = None,
        size: int = 4,
        candidates_per_need: int = 8,
        copurchase_partners: int = 60,
        duplicate_cosine: float = 0.9,
        history_weight: float = 0.2,
        repeat_weight: float = 1.0,
        theme_match_cosine: float = 0.75,
        currency: str = "£",
    ) -> None:
        self.vectors = vectors
        self.rules = rules
        self.embedder = embedder
        self.copurchase = copurchase
        self.size = size
        self.candidates_per_need = candidates_per_need
        self.copurchase_partners = copurchase_partners
        self.duplicate_cosine = duplicate_cosine
        self.history_weight = history_weight
        self.repeat_weight = repeat_weight
        self.theme_match_cosine = theme_match_cosine
        self.currency = currency
        # Per-instance caches: need queries and masks repeat across requests.
        self._query_vecs: dict[str, np.ndarray] = {}
        self._need_masks: dict[Need, np.ndarray] = {}
        self._relevance_cache: dict[str, np.ndarray] = {}

    @classmethod
    def from_settings(
        cls, settings: Settings, store: ProductStore | None = None, embedder: Embedder | None = None
    ) -> BundleBuilder:
        """Load the shop's products and vectors from the store, its rules and (when built) co-purchase statistics."""
        from cartwise.shops.profile import shop_profile
        from retrieval.copurchase import CopurchaseError, CopurchaseStats
        from retrieval.embeddings import Embedder
        from retrieval.product_vectors import ProductVectors
        from retrieval.store import ProductStore

        embedder = embedder or Embedder.from_settings(settings)
        store = store or ProductStore.from_settings(settings, embedder=embedder)
        try:
            copurchase: CopurchaseStats | None = CopurchaseStats.from_settings(settings)
        except CopurchaseError:
            logger.info("no co-purchase statistics for %s: bundles use rules and search only", settings.shop)
            copurchase = None
        builder = cls(
            ProductVectors.from_store(store),
            ShopRules.from_settings(settings),
            embedder=embedder,
            copurchase=copurchase,
            size=settings.bundle_size,
            currency=shop_profile(settings).currency,
        )
        return builder.warm_up()

    def with_vectors(self, vectors: ProductVectors) -> BundleBuilder:
        """The same builder over another catalog (after an ingest), keeping the query embeddings already computed."""
        other = BundleBuilder(
            vectors,
            self.rules,
            self.embedder,
            self.copurchase,
            self.size,
            self.candidates_per_need,
            self.copurchase_partners,
            self.duplicate_cosine,
            self.history_weight,
            self.repeat_weight,
            self.theme_match_cosine,
            self.currency,
        )
        other._query_vecs = self._query_vecs  # query texts embed the same whatever the catalog
        return other

    def warm_up(self) -> BundleBuilder:
        """Embed every rule/theme query and theme name in one batch and precompute the need filters.

        Optional: without it the first request for each theme pays for its own embeddings.
        """
        needs = [n for r in self.rules.rules for n in r.needs] + [n for t in self.rules.themes for n in t.needs]
        texts = [n.query for n in needs] + [name for t in self.rules.themes for name in t.names()]
        todo = list(dict.fromkeys(t.strip().lower() for t in texts if t.strip().lower() not in self._query_vecs))
        if todo and self.embedder is not None:
            self._query_vecs.update(zip(todo, self.embedder.encode(todo), strict=True))
        for need in needs:
            self._need_mask(need)
            self._relevance(need.query, cache=True)
        return self

    # ------------------------------------------------------------------ public
    def role_of(self, product: Product) -> str:
        """The role a product fills when no rule names one: its type (from the title) or its category."""
        if self.rules.roles_from == "category":
            return product.category or product_type(product.title)
        return product_type(product.title, fallback=product.category)

    def match_theme(self, text: str) -> Theme | None:
        """The known theme ``text`` refers to: by name or alias, else by embedding similarity, else None."""
        theme = self.rules.theme_named(text)
        if theme is not None or self.embedder is None or not self.rules.themes:
            return theme
        q = self._encode(text)
        best: tuple[float, Theme] | None = None
        for t in self.rules.themes:
            for name in t.names():
                sim = float(self._encode(name) @ q)
                if best is None or sim > best[0]:
                    best = (sim, t)
        return best[1] if best and best[0] >= self.theme_match_cosine else None

    def build(self, request: BundleRequest) -> BundleResult:
        """Choose the bundle for ``request``.

        Returns:
            The bundle. ``within_budget`` is False only when nothing fits the budget; the items are then the
            cheapest set that could be found and the note says by how much it is over.

        Raises:
            BundleError: if the anchor product is unknown.
        """
        anchor = self._anchor(request)
        size = request.size or self.size
        theme = self.match_theme(request.theme) if request.theme else None
        cands = self._gather(request, anchor, theme)
        fixed: list[Pick] = []
        if anchor is not None and request.include_anchor:
            anchor_cand = _Cand(
                self.vectors.position[anchor.id], anchor, "anchor", 0.0, "the product you chose", "anchor"
            )
            fixed.append(Pick(self._sel(anchor_cand), 1, False))
        selector = BundleSelector(self.vectors.vectors, self.duplicate_cosine, request.allow_similar)
        avoid = []
        if anchor is not None and not fixed:
            avoid.append(self._sel(_Cand(self.vectors.position[anchor.id], anchor, "anchor", 0.0, "", "anchor")))
        outcome = selector.select([self._sel(c, request.people) for c in cands], size, request.budget, fixed, avoid)
        theme_label = theme.name if theme else (request.theme.strip() if request.theme else None)
        items = [self._item(p, theme_label, anchor) for p in outcome.picks]
        return BundleResult(
            items=items,
            total=outcome.total,
            budget=request.budget,
            within_budget=outcome.within_budget,
            note=outcome.note(size, self.currency),
            anchor=anchor,
            theme=theme_label,
        )

    # ------------------------------------------------------------------ candidates
    def _anchor(self, request: BundleRequest) -> Product | None:
        if not request.anchor_id:
            return None
        if request.anchor_id not in self.vectors:
            raise BundleError(
                f"anchor product {request.anchor_id!r} is not in the catalog; pass an id from a search hit"
            )
        return self.vectors.get([request.anchor_id])[0]

    def _base_mask(self, request: BundleRequest, anchor: Product | None) -> np.ndarray:
        mask = self.vectors.in_stock.copy() if request.in_stock_only else np.ones(len(self.vectors), dtype=bool)
        for pid in (*request.exclude_ids, *([anchor.id] if anchor else [])):
            if pid in self.vectors.position:
                mask[self.vectors.position[pid]] = False
        return mask

    def _gather(self, request: BundleRequest, anchor: Product | None, theme: Theme | None) -> list[_Cand]:
        mask = self._base_mask(request, anchor)
        found: dict[int, _Cand] = {}

        def add(c: _Cand) -> None:
            old = found.get(c.row)
            if old is None:
                found[c.row] = c
            else:  # evidence from two sources adds up; the stronger source names the item
                keep = c if c.score > old.score else old
                found[c.row] = _Cand(
                    c.row,
                    c.product,
                    keep.role,
                    old.score + c.score,
                    keep.reason,
                    keep.source,
                    old.per_person or c.per_person,
                )

        if anchor is not None:
            for c in self._copurchase(anchor, mask):
                add(c)
            for rule in self.rules.rules_for(anchor):
                for i, need in enumerate(rule.needs):
                    for c in self._need(need, mask, "rule", SOURCE_WEIGHT["rule"] * (1 - 0.05 * i)):
                        add(c)
            if not found:
                for c in self._similar(anchor, mask):
                    add(c)
        if theme is not None:
            for i, need in enumerate(theme.needs):
                for c in self._need(need, mask, "theme", SOURCE_WEIGHT["theme"] * (1 - 0.05 * i)):
                    add(c)
            # Fillers for bundles larger than the theme's list of needs: below every need (max 0.3).
            for c in self._search(theme.name, mask):
                c.score *= SOURCE_WEIGHT["filler"]
                add(c)
        elif request.theme:
            for c in self._search(request.theme, mask):
                add(c)
        if request.profile is not None and not request.profile.is_empty and found:
            self._personalise(found, request.profile)
        return sorted(found.values(), key=lambda c: (-c.score, c.product.id))

    def _personalise(self, found: dict[int, _Cand], profile: HistoryProfile) -> None:
        """Prefer what the shopper likes: similarity to the history, and products they buy again."""
        assert profile.vector is not None
        rows = list(found)
        sims = self.vectors.vectors[rows] @ profile.vector
        weights = profile.weights()
        heaviest = max(weights.values(), default=1.0) or 1.0
        for r, sim in zip(rows, sims.tolist(), strict=True):
            c = found[r]
            c.score += self.history_weight * max(float(sim), 0.0)
            item = profile.item(c.product.id)
            if item is not None:
                c.score += self.repeat_weight * weights[item.product_id] / heaviest
                c.reason = f"{c.reason}; you bought it before ({_times(item.orders)})"
                continue
            fact = profile.fact_for(c.product)
            if fact is not None and fact.kind == "words" and fact.count >= 2 and sim > 0.5:
                c.reason = f"{c.reason}; {fact.sentence()}"

    def _copurchase(self, anchor: Product, mask: np.ndarray) -> list[_Cand]:
        if self.copurchase is None:
            return []
        partners = [
            p
            for p in self.copurchase.partners(anchor.id, k=self.copurchase_partners)
            if p.partner_id in self.vectors.position and mask[self.vectors.position[p.partner_id]]
        ]
        if not partners:
            return []
        top = partners[0].weight or 1.0
        out = []
        for p in partners:
            row = self.vectors.position[p.partner_id]
            product = self.vectors.products[row]
            # 0.5 + ...: real co-purchase evidence ranks above every rule or search suggestion (max 0.5).
            score = SOURCE_WEIGHT["copurchase"] * (0.5 + 0.5 * p.weight / top)
            out.append(
                _Cand(
                    row,
                    product,
                    self.role_of(product),
                    score,
                    f"bought together with the {anchor.title} in {p.orders} orders",
                    "copurchase",
                )
            )
        return out

    def _need(self, need: Need, mask: np.ndarray, source: BundleSource, weight: float) -> list[_Cand]:
        need_mask = self._need_mask(need)
        scores = self._relevance(need.query, cache=True)
        hits = self.vectors.top(scores, self.candidates_per_need, mask & need_mask)
        if not hits:
            return []
        top = max(hits[0].score, 1e-6)
        return [
            _Cand(
                self.vectors.position[h.product.id],
                h.product,
                need.role,
                weight * max(h.score, 0.0) / top,
                need.reason or "goes with {anchor}",
                source,
                need.per_person,
            )
            for h in hits
        ]

    def _need_mask(self, need: Need) -> np.ndarray:
        need_mask = self._need_masks.get(need)
        if need_mask is None:
            # Vectorised twin of Need.accepts (one compiled pattern per need instead of one per word and product).
            need_mask = np.ones(len(self.vectors), dtype=bool)
            if need.categories is not None:
                need_mask &= np.isin(self.vectors.categories, list(need.categories))
            if need.title_any is not None:
                pattern = re.compile("|".join(rf"\b{re.escape(w.lower())}" for w in need.title_any))
                need_mask &= np.array([bool(pattern.search(t)) for t in self.vectors.titles_lower], dtype=bool)
            self._need_masks[need] = need_mask
        return need_mask

    def _search(self, text: str, mask: np.ndarray, k: int = 40, floor: float = 0.75) -> list[_Cand]:
        hits = self.vectors.top(self._relevance(text), k, mask)
        if not hits:
            return []
        top = max(hits[0].score, 1e-6)
        # Weak matches would fill a role with something unrelated; better fewer items than odd ones.
        hits = [h for h in hits if h.score >= floor * top]
        return [
            _Cand(
                self.vectors.position[h.product.id],
                h.product,
                self.role_of(h.product),
                SOURCE_WEIGHT["search"] * max(h.score, 0.0) / top,
                f"matches \u201c{text.strip()}\u201d",
                "search",
            )
            for h in hits
        ]

    def _similar(self, anchor: Product, mask: np.ndarray, k: int = 30) -> list[_Cand]:
        # Without orders or rules, related products of *other* kinds are the best guess at complements.
        row = self.vectors.position[anchor.id]
        hits = self.vectors.top(self.vectors.vectors @ self.vectors.vectors[row], k, mask)
        anchor_words = set(title_words(anchor.title))
        out = []
        for h in hits:
            shared = [w for w in title_words(h.product.title) if w in anchor_words and len(w) > 3]
            reason = (
                f"same {' '.join(shared[:2]).title()} style as the {anchor.title}"
                if shared
                else f"related to the {anchor.title}"
            )
            out.append(
                _Cand(
                    self.vectors.position[h.product.id],
                    h.product,
                    self.role_of(h.product),
                    SOURCE_WEIGHT["similar"] * max(h.score, 0.0),
                    reason,
                    "similar",
                )
            )
        return out

    def _relevance(self, query: str, cache: bool = False) -> np.ndarray:
        """Cosine to the query plus a bonus for each query word found in the title (cached for rule queries)."""
        if cache and query in self._relevance_cache:
            return self._relevance_cache[query]
        words = [w for w in re.findall(r"[a-z0-9]+", query.lower()) if len(w) > 2]
        bonus = np.zeros(len(self.vectors), dtype=np.float64)
        for w in words:
            stem = w[:-1] if w.endswith("s") and len(w) > 4 else w
            bonus += np.array([stem in t for t in self.vectors.titles_lower], dtype=np.float64)
        bonus = 0.1 * bonus / max(len(words), 1)
        scores = bonus if self.embedder is None else self.vectors.vectors @ self._encode(query) + bonus
        if cache:
            self._relevance_cache[query] = scores
        return scores

    def _encode(self, text: str) -> np.ndarray:
        key = text.strip().lower()
        vec = self._query_vecs.get(key)
        if vec is None:
            if self.embedder is None:
                raise BundleError("this bundle builder has no embedder; pass one to BundleBuilder(embedder=...)")
            vec = self.embedder.encode([key])[0]
            self._query_vecs[key] = vec
        return vec

    # ------------------------------------------------------------------ results
    def _sel(self, c: _Cand, people: int | None = None) -> SelectionCandidate:
        per_person = c.per_person or self.role_of(c.product) in self.rules.per_person_types
        quantity = math.ceil(people / pack_size(c.product.title)) if people and per_person else 1
        return SelectionCandidate(
            row=c.row,
            product=c.product,
            role=c.role,
            kind=self.role_of(c.product),
            score=c.score,
            quantity=max(quantity, 1),
            payload=c,
        )

    def _item(self, pick: Pick, theme: str | None, anchor: Product | None) -> BundleItem:
        c: _Cand = pick.candidate.payload
        reason = c.reason.replace("{anchor}", anchor.title if anchor else "your choice")
        reason = reason.replace("{theme}", theme or "occasion")
        if pick.cheaper:
            reason += f"; the cheaper {c.role} that fits your budget"
        return BundleItem(
            product=c.product, quantity=pick.candidate.quantity, role=c.role, reason=reason, source=c.source
        )


def _times(orders: int) -> str:
    return "once" if orders == 1 else f"in {orders} orders"
