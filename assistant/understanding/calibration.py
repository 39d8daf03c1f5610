"""Calibrating the catalog check: how close a product must be before an "out of scope" message is shopping.

The check may only turn the model's out-of-scope answers into shopping requests, so it can only lower the
out-of-scope recall. The threshold is chosen on messages that are out of scope for a shop: CLINC150's
``oos_val`` utterances and its validation utterances of the unrelated domains (banking, travel, cooking,
small talk...; the intents that overlap a shop's are left out, as in training), about 2,500 in all: the
lowest similarity at which the check turns at most :data:`MAX_LOSS` of the model's out-of-scope answers
there into shopping. ``oos_test`` (1,000 utterances) is reported, never tuned on, against the recall before the
check existed. The policy check (a message the model is unsure of, or calls out of scope, that a policy passage
answers) is calibrated the same way after it, on what the catalog check leaves out of scope. Last, the threshold
at which an answer left out of scope still shows the closest products beside it: the lowest similarity at which
at most :data:`SUGGEST_MAX_SHARE` of those messages would get them (a need the model reads as out of scope,
"weigh the flour for a cake", then sees the kitchen scales; "how do you spell umbrella", umbrellas), and the same
for the closest policy passage ("are you open on bank holidays", below the policy check). The result is
written to ``data/shops/<shop>/calibration.json`` with the figures behind it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from assistant.protocols import IntentModel
from assistant.types import Intent
from assistant.understanding.content import content_words
from assistant.understanding.slots import SlotExtractor
from assistant.understanding.understander import CatalogCheck, PolicyMatcher, ProductMatcher, head_word

CANDIDATES = [round(0.30 + 0.01 * i, 2) for i in range(51)]
MAX_LOSS = 0.005
# The policy check may answer from the policy a fifth as many of CLINC150's out-of-scope messages as the catalog
# check turns into shopping: together they keep the out-of-scope recall within 0.6 points of the model's.
POLICY_MAX_LOSS = 0.001
# Off-topic messages that may get the closest products beside "I can't help with that": a few, since a shopper
# stating a need in words the model reads as out of scope ("keep the door from slamming") loses more without them
# than an off-topic question loses with three products under its polite refusal.
SUGGEST_MAX_SHARE = 0.05


@dataclass(frozen=True)
class CalibrationReport:
    """The chosen threshold and the out-of-scope recall it keeps."""

    shop: str
    threshold: float
    calibration_messages: int
    oos_recall_calibration_model: float
    oos_recall_calibration_checked: float
    oos_recall_test_baseline: float
    oos_recall_test_model: float
    oos_recall_test_checked: float
    shopping_recovered: int
    shopping_total: int
    policy_threshold: float = 1.0
    oos_recall_calibration_policy_checked: float = 0.0
    oos_recall_test_policy_checked: float = 0.0
    suggest_threshold: float = 1.0
    suggested_calibration: float = 0.0  # share of the out-of-scope answers shown the closest products
    suggested_test: float = 0.0
    shopping_suggested: int = 0  # shopping requests left out of scope that get the closest products
    policy_suggest_threshold: float = 1.0
    policy_suggested_calibration: float = 0.0  # share of the out-of-scope answers shown the closest passage
    policy_suggested_test: float = 0.0

    def save(self, path: Path) -> Path:
        path.write_text(json.dumps(asdict(self), indent=2) + "\n", encoding="utf-8")
        return path


@dataclass(frozen=True)
class _Scored:
    oos: bool  # the model calls the message out of scope, or is unsure
    catalog: float  # the best catalog similarity as the catalog check reads it
    policy: float  # the closest policy passage's similarity
    closest: float = 0.0  # the best catalog similarity, whatever the title prints (what suggestions read)


def _scores(texts: Sequence[str], model: IntentModel, slots: SlotExtractor,
            matcher: ProductMatcher, policies: PolicyMatcher | None = None) -> list[_Scored]:
    """Per text: whether the model calls it out of scope (or is unsure), its best catalog similarity (0.0 when it
    has no content words for the check to search with, or the closest title does not print the word that names
    what the message asks for, as :class:`CatalogCheck` requires) and its closest policy passage's similarity."""
    out: list[_Scored] = []
    for text in texts:
        p = model.predict(text)
        oos = p.label == Intent.out_of_scope or not p.is_confident
        words = slots.read(text).residual.split()
        similarity = closest = 0.0
        if oos and content_words(words):
            closest, title = matcher.best_match(" ".join(words))
            similarity = closest if CatalogCheck(threshold=0.0).accepts(closest, title, head_word(words)) else 0.0
        policy = policies.best_score(text) if oos and policies is not None else 0.0
        out.append(_Scored(oos, similarity, policy, closest))
    return out


def _suggested(scores: Sequence[_Scored], threshold: float, policy_threshold: float, suggest: float,
               of_policy: bool = False) -> float:
    """Share of the messages left out of scope by both checks that would be shown the closest products (or, with
    ``of_policy``, the closest policy passage)."""
    left = [s for s in scores if s.oos and s.catalog < threshold and s.policy < policy_threshold]
    near = sum(1 for s in left if (s.policy if of_policy else s.closest) >= suggest)
    return near / len(left) if left else 0.0


def _lowest(within_bound: Callable[[float], bool]) -> float:
    """The lowest candidate threshold that keeps its bound (the highest candidate when none does)."""
    return next((t for t in CANDIDATES if within_bound(t)), CANDIDATES[-1])


def _recall(scores: Sequence[_Scored], threshold: float | None, policy_threshold: float | None = None) -> float:
    kept = sum(1 for s in scores if s.oos and (threshold is None or s.catalog < threshold)
               and (policy_threshold is None or s.policy < policy_threshold))
    return kept / len(scores) if scores else 0.0


def calibrate(shop: str, model: IntentModel, slots: SlotExtractor, matcher: ProductMatcher,
              calibration_messages: Sequence[str], test_messages: Sequence[str], baseline_test_recall: float,
              shopping: Sequence[str] = (), policies: PolicyMatcher | None = None) -> CalibrationReport:
    """The lowest threshold that turns at most :data:`MAX_LOSS` of the model's out-of-scope answers on the
    calibration messages into shopping requests; then, with it, the lowest policy threshold that answers at most
    :data:`POLICY_MAX_LOSS` more of them from the policy (``policies``; without them no policy threshold); last,
    the lowest similarity at which at most :data:`SUGGEST_MAX_SHARE` of what both leave out of scope is shown the
    closest products.

    Args:
        shop: the shop whose catalog the check searches.
        model, slots, matcher: the shop's served parts.
        calibration_messages, test_messages: out-of-scope messages to tune on and to report on
            (:func:`finetune.sources.clinc_out_of_scope` reads CLINC150's from ``data/intents/clinc150``).
        baseline_test_recall: CLINC150 ``oos_test`` recall before the check existed (reported beside).
        shopping: shopping requests for this shop, to report how many the check recovers.
    """
    pool = calibration_messages
    calibration = _scores(pool, model, slots, matcher, policies)
    test = _scores(test_messages, model, slots, matcher, policies)
    called = _recall(calibration, None)
    threshold = _lowest(lambda t: called - _recall(calibration, t) <= MAX_LOSS * called)
    checked = _recall(calibration, threshold)
    policy_threshold = policy_suggest = 1.0
    if policies is not None:
        policy_threshold = _lowest(lambda t: checked - _recall(calibration, threshold, t) <= POLICY_MAX_LOSS * called)
        policy_suggest = _lowest(lambda t: _suggested(calibration, threshold, policy_threshold, t, of_policy=True)
                                 <= SUGGEST_MAX_SHARE)
    suggest = _lowest(lambda t: _suggested(calibration, threshold, policy_threshold, t) <= SUGGEST_MAX_SHARE)
    asked = _scores(shopping, model, slots, matcher)
    recovered = sum(1 for s in asked if s.oos and s.catalog >= threshold)
    return CalibrationReport(
        shop=shop, threshold=threshold, calibration_messages=len(pool),
        oos_recall_calibration_model=round(called, 4),
        oos_recall_calibration_checked=round(_recall(calibration, threshold), 4),
        oos_recall_test_baseline=round(baseline_test_recall, 4),
        oos_recall_test_model=round(_recall(test, None), 4),
        oos_recall_test_checked=round(_recall(test, threshold), 4),
        shopping_recovered=recovered, shopping_total=sum(1 for s in asked if s.oos),
        policy_threshold=policy_threshold,
        oos_recall_calibration_policy_checked=round(_recall(calibration, threshold, policy_threshold), 4),
        oos_recall_test_policy_checked=round(_recall(test, threshold, policy_threshold), 4),
        suggest_threshold=suggest,
        suggested_calibration=round(_suggested(calibration, threshold, policy_threshold, suggest), 4),
        suggested_test=round(_suggested(test, threshold, policy_threshold, suggest), 4),
        shopping_suggested=sum(1 for s in asked if s.oos and s.catalog < threshold and s.closest >= suggest),
        policy_suggest_threshold=policy_suggest,
        policy_suggested_calibration=round(_suggested(calibration, threshold, policy_threshold, policy_suggest, True),
                                           4),
        policy_suggested_test=round(_suggested(test, threshold, policy_threshold, policy_suggest, True), 4),
    )
