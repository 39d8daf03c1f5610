"""Which products are made for children, read from their embeddings along one direction, with the real MiniLM."""

from __future__ import annotations

import pytest

from retrieval.audience import ChildrenAxis
from retrieval.embeddings import Embedder

pytestmark = pytest.mark.no_shop  # reads no built shop: runs while a fresh clone builds them


def test_things_made_for_children_lie_toward_children(embedder: Embedder) -> None:
    axis = ChildrenAxis.from_embedder(embedder, threshold=0.15)
    # Read from meaning, so a cup or an apron made for children is told from a grown-up's one.
    young = ["Childrens Toy Cooking Utensil Set", "Childrens Apron Spaceboy Design", "Dolly Girl Childrens Cup"]
    grown = ["Red Retrospot Apron", "Frying Pan Blue Polkadot", "Vintage Zinc Watering Can", "Cockle Shell Dish"]
    flags = axis.for_children(embedder.encode(young + grown))
    assert list(flags) == [True] * len(young) + [False] * len(grown)
    assert not axis.for_children(embedder.encode([])).size
