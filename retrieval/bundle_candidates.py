"""Finding bundle candidates: co-purchase partners, rule and theme needs, semantic search.

Every candidate carries a score, the role it would fill and a reason taken from
the data. Scores are comparable across sources: co-purchase evidence lies in
[0.5, 1], rule suggestions in [0, 0.5], theme needs in [0, 1] in the theme's
order of importance; evidence from two sources adds up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from cartwise.models import Product
from retrieval.bundle_types import BundleRequest, BundleSource
from retrieval.errors import RetrievalError
from retrieval.history import HistoryProfile
from retrieval.product_types import product_type, title_words
from retrieval.rules import Need, ShopRules, Theme

if TYPE_CHECKING:
    from retrieval.copurchase import CopurchaseStats
    from retrieval.embeddings import Embedder
    from retrieval.product_vectors import ProductVectors

# Relative weight of each source in a candidate's score (co-purchase evidence is the strongest signal).
SOURCE_WEIGHT: dict[str, float] = {
    "copurchase": 1.0,
    "theme": 1.0,
    "rule": 0.5,
    "search": 1.0,
    "similar": 0.3,
}


class BundleError(RetrievalError):
    """A bundle request cannot be served (unknown anchor product, no embedder for free text)."""


@dataclass
class BundleCandidate:
    """A product that could join a bundle, with the role it fills and why."""

    row: int
    product: Product
    role: str
    score: float
    reason: str
    source: BundleSource
    per_person: bool = False


class CandidateFinder:
    """Collects scored candidates for a bundle request.

    Args:
        vectors: every product of the shop with its embedding.
        rules: the shop's goes-with rules and themes.
        embedder: encodes theme texts and need queries (None: title keywords only).
        copurchase: co-purchase statistics (None for shops without orders).
        candidates_per_need: products considered for each rule or theme need.
        copurchase_partners: co-purchase partners considered for an anchor.
        history_weight: weight of the similarity to the shopper's history.
        repeat_weight: bonus for a product the shopper bought before (relative to their heaviest item).
        theme_match_cosine: a free-text theme closer than this to a known theme's name uses that theme.
        query_vectors: embeddings of the rule and theme queries (filled by warm-up), shared with another finder.
    """

    def __init__(
        self,
        vectors: ProductVectors,
        rules: ShopRules,
        embedder: Embedder | None = None,
        copurchase: CopurchaseStats | None = None,
        candidates_per_need: int = 8,
        copurchase_partners: int = 60,
        history_weight: float = 0.2,
        repeat_weight: float = 1.0,
        theme_match_cosine: float = 0.75,
        query_vectors: dict[str, np.ndarray] | None = None,
    ) -> None:
        self.vectors = vectors
        self.rules = rules
        self.embedder = embedder
        self.copurchase = copurchase
        self.candidates_per_need = candidates_per_need
        self.copurchase_partners = copurchase_partners
        self.history_weight = history_weight
        self.repeat_weight = repeat_weight
        self.theme_match_cosine = theme_match_cosine
        # Per-instance caches: need queries and masks repeat across requests.
        self.query_vectors: dict[str, np.ndarray] = {} if query_vectors is None else query_vectors
        self._need_masks: dict[Need, np.ndarray] = {}
        self._relevance_cache: dict[str, np.ndarray] = {}

    def with_vectors(self, vectors: ProductVectors) -> CandidateFinder:
        """The same finder over another catalog (after an ingest), sharing the query embeddings already computed:
        query texts embed the same whatever the catalog."""
        return CandidateFinder(vectors, self.rules, self.embedder, self.copurchase, self.candidates_per_need,
                               self.copurchase_partners, self.history_weight, self.repeat_weight,
                               self.theme_match_cosine, query_vectors=self.query_vectors)

    def warm_up(self) -> None:
        """Embed every rule/theme query and theme name in one batch and precompute the need filters."""
        needs = [n for r in self.rules.rules for n in r.needs] + [n for t in self.rules.themes for n in t.needs]
        texts = [n.query for n in needs] + [name for t in self.rules.themes for name in t.names()]
        todo = list(dict.fromkeys(t.strip().lower() for t in texts if t.strip().lower() not in self.query_vectors))
        if todo and self.embedder is not None:
            self.query_vectors.update(zip(todo, self.embedder.encode(todo), strict=True))
        for need in needs:
            self._need_mask(need)
            self._relevance(need.query, cache=True)

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

    def find(self, request: BundleRequest, anchor: Product | None, theme: Theme | None) -> list[BundleCandidate]:
        """Candidates for ``request``, best first (the anchor and excluded products left out)."""
        mask = self._base_mask(request, anchor)
        found: dict[int, BundleCandidate] = {}

        def add(c: BundleCandidate) -> None:
            old = found.get(c.row)
            if old is None:
                found[c.row] = c
                return
            # Evidence from two sources adds up; the stronger source names the item.
            keep = c if c.score > old.score else old
            found[c.row] = BundleCandidate(
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
        elif request.theme:
            for c in self._search(request.theme, mask):
                add(c)
        if request.profile is not None and request.profile.vector is not None and request.profile.items and found:
            self._personalise(found, request.profile, request.profile.vector)
        return sorted(found.values(), key=lambda c: (-c.score, c.product.id))

    # ------------------------------------------------------------------ sources
    def _base_mask(self, request: BundleRequest, anchor: Product | None) -> np.ndarray:
        mask = self.vectors.in_stock.copy() if request.in_stock_only else np.ones(len(self.vectors), dtype=bool)
        for pid in (*request.exclude_ids, *([anchor.id] if anchor else [])):
            if pid in self.vectors.position:
                mask[self.vectors.position[pid]] = False
        return mask

    def _personalise(self, found: dict[int, BundleCandidate], profile: HistoryProfile, taste: np.ndarray) -> None:
        """Prefer what the shopper likes: similarity to the history (``taste``, the profile's vector), and
        products they buy again."""
        rows = list(found)
        sims = self.vectors.vectors[rows] @ taste
        weights = profile.weights()
        heaviest = max(weights.values(), default=1.0) or 1.0
        for r, sim in zip(rows, sims.tolist(), strict=True):
            c = found[r]
            c.score += self.history_weight * max(float(sim), 0.0)
            item = profile.item(c.product.id)
            if item is not None:
                c.score += self.repeat_weight * weights[item.product_id] / heaviest
                # A product only shown earlier in this conversation (often by the last bundle) gets the boost
                # but no reason: "you looked at it" on every item of a rebuilt bundle would be noise.
                if item.source != "session":
                    times = "once" if item.orders == 1 else f"in {item.orders} orders"
                    c.reason = f"{c.reason}; you bought it before ({times})"
                continue
            fact = profile.fact_for(c.product)
            if fact is not None and fact.kind == "words" and fact.count >= 2 and sim > 0.5:
                c.reason = f"{c.reason}; {fact.sentence()}"

    def _copurchase(self, anchor: Product, mask: np.ndarray) -> list[BundleCandidate]:
        if self.copurchase is None:
            return []
        position = self.vectors.position
        partners = [
            p
            for p in self.copurchase.partners(anchor.id, k=self.copurchase_partners)
            if p.partner_id in position and mask[position[p.partner_id]]
        ]
        if not partners:
            return []
        top = partners[0].weight or 1.0
        out = []
        for p in partners:
            row = position[p.partner_id]
            product = self.vectors.products[row]
            # 0.5 + ...: real co-purchase evidence ranks above every rule or search suggestion (max 0.5).
            score = SOURCE_WEIGHT["copurchase"] * (0.5 + 0.5 * p.weight / top)
            reason = f"bought together with the {anchor.title} in {p.orders} orders"
            out.append(BundleCandidate(row, product, self.role_of(product), score, reason, "copurchase"))
        return out

    def _need(self, need: Need, mask: np.ndarray, source: BundleSource, weight: float) -> list[BundleCandidate]:
        scores = self._relevance(need.query, cache=True)
        hits = self.vectors.top(scores, self.candidates_per_need, mask & self._need_mask(need))
        if not hits:
            return []
        top = max(hits[0].score, 1e-6)
        reason = need.reason or "goes with the {anchor}"
        return [
            BundleCandidate(
                self.vectors.position[h.product.id],
                h.product,
                need.role,
                weight * max(h.score, 0.0) / top,
                reason,
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

    def _search(self, text: str, mask: np.ndarray, k: int = 40, floor: float = 0.75) -> list[BundleCandidate]:
        hits = self.vectors.top(self._relevance(text), k, mask)
        if not hits:
            return []
        top = max(hits[0].score, 1e-6)
        theme = " ".join(text.split())
        # Quote a theme ("tea party"), not a whole sentence the shopper typed.
        reason = "fits your request" if len(theme.split()) > 4 or re.search(r"[?!.,]", theme) \
            else f"matches \u201c{theme}\u201d"
        # Weak matches would fill a role with something unrelated: better fewer items than odd ones.
        return [
            BundleCandidate(
                self.vectors.position[h.product.id],
                h.product,
                self.role_of(h.product),
                SOURCE_WEIGHT["search"] * max(h.score, 0.0) / top,
                reason,
                "search",
            )
            for h in hits
            if h.score >= floor * top
        ]

    def _similar(self, anchor: Product, mask: np.ndarray, k: int = 30) -> list[BundleCandidate]:
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
            score = SOURCE_WEIGHT["similar"] * max(h.score, 0.0)
            out.append(
                BundleCandidate(
                    self.vectors.position[h.product.id], h.product, self.role_of(h.product), score, reason, "similar"
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
        vec = self.query_vectors.get(key)
        if vec is None:
            if self.embedder is None:
                raise BundleError("this bundle builder has no embedder; pass one to CandidateFinder(embedder=...)")
            # Not stored here: free-text themes are unbounded; the embedder's own LRU cache keeps the recent ones.
            vec = self.embedder.encode([key])[0]
        return vec
