"""A shop's own intent model may know intents the assistant has no handler for: the turn still gets an answer."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from finetune.classifier import IntentPrediction
from finetune.labels import Intent


class ShopIntentModel:
    """A shop's own model (served through the ``IntentModel`` protocol) that reads every message as ``gift_wrap``."""

    def __init__(self) -> None:
        self.labels = ["greeting", "gift_wrap", "out_of_scope"]
        self.threshold = 0.5

    def predict(self, text: str) -> IntentPrediction:
        label = Intent("gift_wrap")
        return IntentPrediction(label=label, confidence=0.9, top3=[(label, 0.9)], is_confident=True)

    def predict_batch(self, texts: Sequence[str]) -> list[IntentPrediction]:
        return [self.predict(t) for t in texts]


def test_an_intent_without_a_handler_gets_a_generic_answer(giftshop_bot: Any) -> None:
    understander = giftshop_bot.dialog.understander
    served = understander.model
    understander.model = ShopIntentModel()
    try:
        reply = giftshop_bot.respond("could you gift wrap my parcel?", f"custom-{uuid.uuid4().hex}")
    finally:
        understander.model = served
    assert reply.text
    assert reply.intent == "out_of_scope"  # no handler: the out-of-scope answer, as for any unserved request
