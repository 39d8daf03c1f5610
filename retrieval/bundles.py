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
from typing import TYPE_CHECKING

from cartwise.models import Product
from retrieval.bundle_candidates import BundleCandidate, BundleError, CandidateFinder
from retrieval.bundle_selection import BundleSelector, Pick, SelectionCandidate
from retrieval.bundle_types import BundleItem, BundleRequest, BundleResult
from retrieval.product_types import pack_size
from retrieval.rules import ShopRules, Theme

if TYPE_CHECKING:
    from cartwise.settings import Settings
    from retrieval.copurchase import CopurchaseStats
    from retrieval.embeddings import Embedder
    from retrieval.product_vectors import ProductVectors
    from retrieval.store import ProductStore

__all__ = ["BundleBuilder", "BundleError"]

logger = logging.getLogger(__name__)


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
        *,
        currency: str,
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
        self.finder = CandidateFinder(
            vectors,
            rules,
            embedder,
            copurchase,
            candidates_per_need,
            copurchase_partners,
            history_weight,
            repeat_weight,
            theme_match_cosine,
        )

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
            currency=self.currency,
        )
        other.finder.query_vectors = self.finder.query_vectors  # query texts embed the same whatever the catalog
        return other

    def warm_up(self) -> BundleBuilder:
        """Embed every rule/theme query and theme name in one batch and precompute the need filters.

        Optional: without it the first request for each theme pays for its own embeddings.
        """
        self.finder.warm_up()
        return self

    # ------------------------------------------------------------------ public
    def role_of(self, product: Product) -> str:
        """The role a product fills when no rule names one: its type (from the title) or its category."""
        return self.finder.role_of(product)

    def match_theme(self, text: str) -> Theme | None:
        """The known theme ``text`` refers to: by name or alias, else by embedding similarity, else None."""
        return self.finder.match_theme(text)

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
        cands = self.finder.find(request, anchor, theme)
        if anchor is not None and not request.allow_similar:
            # What goes with a teapot is not a second teapot: the anchor's kind is taken, compared on the head
            # noun so that "traditional teapot" and "teapot" are the same kind.
            taken = _head(self.role_of(anchor))
            cands = [c for c in cands if _head(c.role) != taken]
        fixed: list[Pick] = []
        if anchor is not None and request.include_anchor:
            anchor_cand = BundleCandidate(
                self.vectors.position[anchor.id], anchor, "anchor", 0.0, "the product you chose", "anchor"
            )
            fixed.append(Pick(self._sel(anchor_cand), 1, False))
        selector = BundleSelector(self.vectors.vectors, self.duplicate_cosine, request.allow_similar)
        avoid = []
        if anchor is not None and not fixed:
            avoid.append(
                self._sel(BundleCandidate(self.vectors.position[anchor.id], anchor, "anchor", 0.0, "", "anchor"))
            )
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

    def _anchor(self, request: BundleRequest) -> Product | None:
        if not request.anchor_id:
            return None
        if request.anchor_id not in self.vectors:
            raise BundleError(
                f"anchor product {request.anchor_id!r} is not in the catalog; pass an id from a search hit"
            )
        return self.vectors.get([request.anchor_id])[0]

    # ------------------------------------------------------------------ results
    def _sel(self, c: BundleCandidate, people: int | None = None) -> SelectionCandidate:
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
        c: BundleCandidate = pick.candidate.payload
        reason = c.reason.replace("{anchor}", anchor.title if anchor else "your choice")
        reason = reason.replace("{theme}", theme or "occasion")
        if pick.cheaper:
            reason += f"; the cheaper {c.role} that fits your budget"
        return BundleItem(
            product=c.product, quantity=pick.candidate.quantity, role=c.role, reason=reason, source=c.source
        )


def _head(role: str) -> str:
    return role.rsplit(" ", 1)[-1].lower()
