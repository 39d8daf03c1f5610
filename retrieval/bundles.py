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
    from retrieval.copurchase import CopurchaseStats
    from retrieval.product_vectors import ProductVectors

__all__ = ["BundleBuilder", "BundleError", "CandidateFinder"]

logger = logging.getLogger(__name__)


class BundleBuilder:
    """Builds bundles for an anchor product or a theme.

    Args:
        finder: collects the scored candidates (co-purchase partners, rule and theme needs, search); it holds the
            shop's products, rules, embedder and co-purchase statistics.
        size: items per bundle when the request does not say.
        duplicate_cosine: two products more similar than this count as the same thing.
        currency: the shop's currency symbol, used in notes.

    Example:
        >>> finder = CandidateFinder(vectors, ShopRules.load(folder), embedder, copurchase)  # doctest: +SKIP
        >>> builder = BundleBuilder(finder, currency="£").warm_up()  # doctest: +SKIP
        >>> result = builder.build(BundleRequest(theme="tea party", budget=Decimal("25"), people=4))  # doctest: +SKIP
        >>> result.within_budget, result.total <= Decimal("25")  # doctest: +SKIP
        (True, True)
    """

    def __init__(self, finder: CandidateFinder, size: int = 4, duplicate_cosine: float = 0.9, *,
                 currency: str) -> None:
        self.finder = finder
        self.size = size
        self.duplicate_cosine = duplicate_cosine
        self.currency = currency

    @property
    def vectors(self) -> ProductVectors:
        return self.finder.vectors

    @property
    def rules(self) -> ShopRules:
        return self.finder.rules

    @property
    def copurchase(self) -> CopurchaseStats | None:
        return self.finder.copurchase

    def with_vectors(self, vectors: ProductVectors) -> BundleBuilder:
        """The same builder over another catalog (after an ingest), keeping the query embeddings already computed."""
        return BundleBuilder(self.finder.with_vectors(vectors), self.size, self.duplicate_cosine,
                             currency=self.currency)

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

    def per_person(self, product: Product) -> bool:
        """Whether the product is bought one per person (plates, cups, party bags) by the shop's rules."""
        return self.role_of(product) in self.rules.per_person_types

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
        theme = self.match_theme(request.theme) if request.theme else None
        # A theme of three needs ("home cinema": a TV, a soundbar, streaming) is whole with three: "only 3 of the 4
        # items" would say a fourth is missing.
        size = request.size or (min(self.size, len(theme.needs)) if theme is not None and theme.needs else self.size)
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
        per_person = c.per_person or self.per_person(c.product)
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
