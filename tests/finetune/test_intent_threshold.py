"""Decision rule, threshold tuning and metrics on hand-made probabilities."""

from __future__ import annotations

import math

import numpy as np
import pytest

from finetune.metrics import score_predictions
from finetune.threshold import decide, in_scope_accuracy_and_oos_recall, tune_threshold

pytestmark = pytest.mark.no_shop  # reads no built shop: runs while a fresh clone builds them

LABELS = ["greeting", "track_order", "out_of_scope"]


def test_decide_falls_back_below_threshold() -> None:
    probs = np.array([[0.9, 0.05, 0.05], [0.4, 0.35, 0.25]])
    assert decide(probs, LABELS, 0.5, "out_of_scope") == ["greeting", "out_of_scope"]
    assert decide(probs, LABELS, 0.0, "out_of_scope") == ["greeting", "greeting"]


def test_tuned_threshold_separates_unsure_oos() -> None:
    # in-scope examples are confident, out-of-scope ones spread their mass
    probs = np.array([[0.9, 0.05, 0.05], [0.1, 0.8, 0.1], [0.45, 0.3, 0.25], [0.3, 0.4, 0.3]])
    gold = ["greeting", "track_order", "out_of_scope", "out_of_scope"]
    threshold = tune_threshold(probs, gold, LABELS, "out_of_scope")
    assert 0.45 < threshold <= 0.8
    assert in_scope_accuracy_and_oos_recall(gold, decide(probs, LABELS, threshold, "out_of_scope"), "out_of_scope") == (
        1.0,
        1.0,
    )


def test_scores() -> None:
    texts = ["hi", "where is it", "weather?", "yo"]
    gold = ["greeting", "track_order", "out_of_scope", "greeting"]
    pred = ["greeting", "track_order", "greeting", "out_of_scope"]
    s = score_predictions(texts, gold, pred)
    assert s.accuracy == 0.5
    assert s.in_scope_accuracy == 2 / 3
    assert s.oos_recall == 0.0
    assert s.per_label["greeting"].precision == 0.5
    assert [e.text for e in s.errors] == ["weather?", "yo"]
    assert math.isnan(score_predictions(["hi"], ["greeting"], ["greeting"]).oos_recall)
