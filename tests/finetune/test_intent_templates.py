"""Template expansion: deterministic, slot filling, clear errors."""

from __future__ import annotations

import pytest

from cartwise.settings import REPO_ROOT
from finetune.errors import IntentDataError
from finetune.labels import CONVERSATION_INTENTS, SHOPPING_INTENTS
from finetune.templates import TemplateExpander, TemplateSpec

INTENT_DATA = REPO_ROOT / "data" / "intents"


def test_shipped_templates_cover_shopping_and_conversation() -> None:
    spec = TemplateSpec.from_yaml(INTENT_DATA / "shopping" / "templates.yaml")
    assert set(spec.templates) == set(SHOPPING_INTENTS) | set(CONVERSATION_INTENTS)
    assert set(spec.shops) == {"giftshop", "electronics"}
    first = TemplateExpander(spec, per_intent=50, seed=3).expand()
    assert first == TemplateExpander(spec, per_intent=50, seed=3).expand()
    assert first != TemplateExpander(spec, per_intent=50, seed=4).expand()
    assert not any("{" in text or "}" in text for text, _ in first)


def test_second_slot_differs_from_first() -> None:
    spec = TemplateSpec(
        shops={"s": {"product": ["mug", "vase"]}}, templates={"compare_products": ["{product} vs {product2}"]}
    )
    texts = [t for t, _ in TemplateExpander(spec, per_intent=10, typo_rate=0.0).expand()]
    assert texts
    for text in texts:
        left, right = text.lower().rstrip("?!.").split(" vs ")
        assert left != right


def test_unknown_slot_is_named() -> None:
    spec = TemplateSpec(shops={"s": {"product": ["mug"]}}, templates={"search_product": ["find {colour} {product}"]})
    with pytest.raises(IntentDataError, match=r"\{colour\}"):
        TemplateExpander(spec, per_intent=1).expand()
