"""The intent label set is the :class:`Intent` enum, and a shop's own labels are intents too."""

from __future__ import annotations

import json

import numpy as np
import pytest

from finetune.classifier import predict_texts
from finetune.labels import INTENTS, OUT_OF_SCOPE, Intent

pytestmark = pytest.mark.no_shop  # reads no built shop: runs while a fresh clone builds them


def test_members_are_the_labels_in_class_index_order() -> None:
    assert INTENTS == tuple(Intent) and len(INTENTS) == 43
    assert INTENTS[0] == "cancel_order" and INTENTS[-1] == OUT_OF_SCOPE == "out_of_scope"


@pytest.mark.parametrize("intent", [Intent.search_product, Intent("gift_wrap")])
def test_an_intent_reads_as_its_plain_name_everywhere(intent: Intent) -> None:
    name = intent.value
    assert intent == name and hash(intent) == hash(name)
    assert str(intent) == f"{intent}" == format(intent) == "{}".format(intent) == name  # noqa: UP032
    assert json.dumps({"intent": intent, intent: 1}) == json.dumps({"intent": name, name: 1})


def test_a_shops_own_label_is_a_pseudo_member() -> None:
    gift_wrap = Intent("gift_wrap")
    assert isinstance(gift_wrap, Intent) and gift_wrap is Intent("gift_wrap")
    assert not gift_wrap.builtin and Intent.greeting.builtin
    assert gift_wrap not in INTENTS and len(list(Intent)) == 43  # iteration stays the built-ins
    with pytest.raises(ValueError):
        Intent("")


def test_a_label_map_with_a_custom_label_predicts_intents() -> None:
    labels = ["greeting", "gift_wrap", "out_of_scope"]  # as a shop's label_map.json would list them

    def predict_proba(texts: list[str]) -> np.ndarray:
        return np.tile(np.array([0.1, 0.8, 0.1], dtype=np.float32), (len(texts), 1))

    [prediction] = predict_texts(["can you wrap it?"], predict_proba, labels, threshold=0.5)
    assert prediction.label == "gift_wrap" and type(prediction.label) is Intent
    assert all(type(label) is Intent for label, _ in prediction.top3)
