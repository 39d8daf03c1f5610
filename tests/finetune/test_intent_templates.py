"""Template expansion: deterministic, slot filling, clear errors."""

from __future__ import annotations

import pytest

from cartwise.settings import REPO_ROOT
from finetune.context import TurnContext, split_model_input
from finetune.errors import IntentDataError
from finetune.labels import CONTEXT_BOUND_INTENTS, CONVERSATION_INTENTS, PERSONAL_INTENTS, SHOPPING_INTENTS
from finetune.templates import TemplateExpander, TemplateSpec

pytestmark = pytest.mark.no_shop  # reads no built shop: runs while a fresh clone builds them

INTENT_DATA = REPO_ROOT / "data" / "intents"


def test_shipped_templates_cover_shopping_and_conversation() -> None:
    spec = TemplateSpec.from_yaml(INTENT_DATA / "shopping" / "templates.yaml")
    # Follow-up intents only exist after something was shown: they have follow-up templates only.
    single_turn = (set(SHOPPING_INTENTS) - CONTEXT_BOUND_INTENTS) | set(PERSONAL_INTENTS) | set(CONVERSATION_INTENTS)
    assert set(spec.templates) == single_turn
    assert {g.label for g in spec.followups} >= CONTEXT_BOUND_INTENTS
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


def test_follow_ups_are_expanded_once_per_context_with_the_context_in_the_text() -> None:
    spec = TemplateSpec(shops={"s": {"colour": ["red", "blue"]}}, templates={},
                        followups=[{"label": "refine_search", "contexts": ["products", "product"],
                                    "templates": ["in {colour}", "any {colour} ones?"]}])
    examples = TemplateExpander(spec, typo_rate=0.0).expand_followups()
    contexts = {split_model_input(text)[0] for text, _ in examples}
    assert contexts == {TurnContext.products, TurnContext.product}
    assert {label for _, label in examples} == {"refine_search"}
    assert all(text.startswith("[after ") for text, _ in examples)


def test_numbered_slots_all_differ() -> None:
    spec = TemplateSpec(shops={"s": {"item": ["mug", "vase", "lamp"]}},
                        templates={"build_bundle": ["{item}, {item2} and {item3}"]})
    for text, _ in TemplateExpander(spec, per_intent=6, typo_rate=0.0).expand():
        first, rest = text.lower().rstrip("?!.").split(", ")
        second, third = rest.split(" and ")
        assert len({first, second, third}) == 3, text
