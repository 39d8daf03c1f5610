"""Whether a product is made for children, read from its meaning rather than from words in its title.

A present for a husband or a teacher should not lead with a children's toy that shares the request's words
("Childrens Toy Cooking Utensil Set" for "my husband likes cooking"). No list of child words can name every such
product ("Poppy's Playhouse", "Magic Drawing Slate"); their embeddings lie toward "for children" and away from "for
adults", and that direction is read once from the embedding model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from retrieval.embeddings import Embedder

# Phrases that anchor the direction: what a product for children, and one for grown-ups, is "for".
CHILDREN_ANCHORS = ("for children", "for kids", "for a child", "children's toy")
ADULT_ANCHORS = ("for adults", "for a grown-up", "for a man", "for a woman")


@dataclass(frozen=True)
class ChildrenAxis:
    """The direction from grown-ups' things to children's things in the product embedding space.

    Attributes:
        direction: mean embedding of :data:`CHILDREN_ANCHORS` less that of :data:`ADULT_ANCHORS`.
        threshold: a product whose vector projects above it is for children. At 0.15 on the giftshop catalog, 81
            products: jigsaws, playhouses, children's aprons and cutlery, felt craft kits (soft toys and baby
            bunting fall below).

    Example:
        >>> axis = ChildrenAxis.from_embedder(embedder, threshold=0.15)  # doctest: +SKIP
        >>> axis.for_children(store.embeddings(["22549"]))  # doctest: +SKIP
        array([ True])
    """

    direction: np.ndarray[Any, Any]
    threshold: float

    @classmethod
    def from_embedder(cls, embedder: Embedder, threshold: float) -> ChildrenAxis:
        children = embedder.encode(list(CHILDREN_ANCHORS)).mean(axis=0)
        adults = embedder.encode(list(ADULT_ANCHORS)).mean(axis=0)
        return cls(direction=(children - adults).astype(np.float32), threshold=threshold)

    def for_children(self, vectors: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        """One bool per row of ``vectors`` (unit-length product embeddings): whether that product is for children."""
        if not len(vectors):
            return np.zeros(0, dtype=bool)
        flags: np.ndarray[Any, Any] = np.asarray(vectors, dtype=np.float32) @ self.direction > self.threshold
        return flags
