"""Calibrating the catalog check: how close a product must be before an "out of scope" message is shopping.

The check may only turn the model's out-of-scope answers into shopping requests, so it can only lower the
out-of-scope recall on CLINC150's out-of-scope utterances. The threshold is the lowest similarity that keeps
that recall, on CLINC150's ``oos_val`` split, at or above a target (the recall of the model the check was
added to, measured by ``cartwise eval intent``); ``oos_test`` is reported, never tuned on. The result is
written to ``data/shops/<shop>/calibration.json``, with the figures it was chosen on.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from assistant.understanding.content import content_words
from assistant.understanding.slots import SlotExtractor
from assistant.understanding.understander import IntentReader, ProductMatcher
from finetune.sources import load_clinc

CANDIDATES = [round(0.30 + 0.01 * i, 2) for i in range(51)]


@dataclass(frozen=True)
class CalibrationReport:
    """The chosen threshold and the out-of-scope recall it keeps."""

    shop: str
    threshold: float
    target_oos_recall: float
    oos_recall_val_model: float
    oos_recall_val_checked: float
    oos_recall_test_model: float
    oos_recall_test_checked: float
    shopping_recovered: int
    shopping_total: int

    def save(self, path: Path) -> Path:
        path.write_text(json.dumps(asdict(self), indent=2) + "\n", encoding="utf-8")
        return path


def _scores(texts: Sequence[str], model: IntentReader, slots: SlotExtractor,
            matcher: ProductMatcher) -> list[tuple[bool, float]]:
    """Per text: whether the model calls it out of scope (or is unsure), and its best catalog similarity
    (0.0 when it has no content words for the check to search with)."""
    out: list[tuple[bool, float]] = []
    for text in texts:
        p = model.predict(text)
        oos = p.label == "out_of_scope" or not p.is_confident
        words = slots.read(text).residual.split()
        similarity = matcher.best_similarity(" ".join(words)) if oos and content_words(words) else 0.0
        out.append((oos, similarity))
    return out


def _recall(scores: Sequence[tuple[bool, float]], threshold: float | None) -> float:
    kept = sum(1 for oos, sim in scores if oos and (threshold is None or sim < threshold))
    return kept / len(scores) if scores else 0.0


def calibrate(shop: str, model: IntentReader, slots: SlotExtractor, matcher: ProductMatcher, clinc_dir: Path,
              target_oos_recall: float, shopping: Sequence[str] = ()) -> CalibrationReport:
    """The lowest threshold whose checked CLINC150 ``oos_val`` recall is at least ``target_oos_recall``.

    Args:
        shop: the shop whose catalog the check searches.
        model, slots, matcher: the shop's served parts.
        clinc_dir: ``data/intents/clinc150``.
        target_oos_recall: the recall the check must keep (the model's own, or an earlier model's).
        shopping: shopping requests for this shop, to report how many the check recovers.
    """
    splits = load_clinc(clinc_dir)
    val = _scores([t for t, _ in splits["oos_val"]], model, slots, matcher)
    test = _scores([t for t, _ in splits["oos_test"]], model, slots, matcher)
    threshold = next((t for t in CANDIDATES if _recall(val, t) >= target_oos_recall), CANDIDATES[-1])
    asked = _scores(shopping, model, slots, matcher)
    recovered = sum(1 for oos, sim in asked if oos and sim >= threshold)
    return CalibrationReport(
        shop=shop, threshold=threshold, target_oos_recall=round(target_oos_recall, 4),
        oos_recall_val_model=round(_recall(val, None), 4), oos_recall_val_checked=round(_recall(val, threshold), 4),
        oos_recall_test_model=round(_recall(test, None), 4),
        oos_recall_test_checked=round(_recall(test, threshold), 4),
        shopping_recovered=recovered, shopping_total=sum(1 for oos, _ in asked if oos),
    )
