"""Classification metrics for intent predictions (accuracy, macro-F1, per-intent scores, OOS figures)."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from finetune.labels import OUT_OF_SCOPE
from finetune.threshold import in_scope_accuracy_and_oos_recall


class LabelScore(BaseModel):
    """Precision, recall and F1 of one label."""

    model_config = ConfigDict(frozen=True)

    precision: float
    recall: float
    f1: float
    support: int


class IntentError(BaseModel):
    """One misclassified example."""

    model_config = ConfigDict(frozen=True)

    text: str
    gold: str
    predicted: str


class IntentScores(BaseModel):
    """All figures for one model on one split.

    Attributes:
        accuracy: Over every example.
        macro_f1: Unweighted mean F1 over the labels present in ``gold``.
        in_scope_accuracy: Accuracy over examples whose gold label is not ``out_of_scope``.
        oos_recall: Share of ``out_of_scope`` examples predicted ``out_of_scope`` (``nan`` if none).
        per_label: Scores per gold label.
        errors: The misclassified examples.
        n: Number of examples.
    """

    model_config = ConfigDict(frozen=True)

    accuracy: float
    macro_f1: float
    in_scope_accuracy: float
    oos_recall: float
    per_label: dict[str, LabelScore]
    errors: list[IntentError]
    n: int


def score_predictions(
    texts: Sequence[str], gold: Sequence[str], predicted: Sequence[str], oos_label: str = OUT_OF_SCOPE
) -> IntentScores:
    """Compute :class:`IntentScores` for one set of predictions.

    Args:
        texts: The utterances (kept for the error list).
        gold: True labels.
        predicted: Predicted labels.
        oos_label: The out-of-scope label.

    Returns:
        The scores.

    Example:
        >>> score_predictions(["hi", "bye"], ["greeting", "goodbye"], ["greeting", "greeting"]).accuracy
        0.5
    """
    from sklearn.metrics import accuracy_score, precision_recall_fscore_support

    present = sorted(set(gold))
    precision, recall, f1, support = precision_recall_fscore_support(gold, predicted, labels=present, zero_division=0)
    per_label = {
        label: LabelScore(precision=float(p), recall=float(r), f1=float(f), support=int(s))
        for label, p, r, f, s in zip(present, precision, recall, f1, support, strict=True)
    }
    in_scope, oos_recall = in_scope_accuracy_and_oos_recall(gold, predicted, oos_label)
    errors = [
        IntentError(text=t, gold=g, predicted=p) for t, g, p in zip(texts, gold, predicted, strict=True) if g != p
    ]
    return IntentScores(
        accuracy=float(accuracy_score(gold, predicted)),
        macro_f1=float(sum(s.f1 for s in per_label.values()) / max(len(per_label), 1)),
        in_scope_accuracy=in_scope,
        oos_recall=oos_recall,
        per_label=per_label,
        errors=errors,
        n=len(gold),
    )
