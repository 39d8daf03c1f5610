"""Calibrating the catalog and policy checks on out-of-scope messages, with the shop's real parts."""

from __future__ import annotations

from typing import Any

from assistant.understanding.calibration import (
    CANDIDATES,
    MAX_LOSS,
    POLICY_MAX_LOSS,
    SUGGEST_MAX_SHARE,
    _recall,
    _scores,
    _suggested,
    calibrate,
)
from cartwise.settings import Settings
from finetune.sources import clinc_out_of_scope


def test_each_threshold_is_the_lowest_that_keeps_its_loss_within_bounds(giftshop_bot: Any) -> None:
    reader = giftshop_bot.dialog.understander
    messages = clinc_out_of_scope(Settings(shop="giftshop").data_dir / "intents" / "clinc150")
    # Enough out-of-scope messages that policy-like ones are among them (banking and travel questions).
    pool = [m for m in messages.calibration if any(w in m for w in ("card", "pay", "ship", "open", "refund"))][:80]
    report = calibrate("giftshop", reader.model, reader.slots, reader.matcher, pool, messages.test[:20], 0.854,
                       policies=reader.policies)
    assert report.threshold in CANDIDATES and report.policy_threshold in CANDIDATES
    scored = _scores(pool, reader.model, reader.slots, reader.matcher, reader.policies)
    called = _recall(scored, None)
    checked = _recall(scored, report.threshold)
    assert called - checked <= MAX_LOSS * called
    # The policy check answers from the policy at most its share of what the catalog check left out of scope...
    with_policy = _recall(scored, report.threshold, report.policy_threshold)
    assert checked - with_policy <= POLICY_MAX_LOSS * called
    assert report.oos_recall_calibration_policy_checked == round(with_policy, 4)
    # ... and a lower threshold would answer more of them than that: it is the lowest that keeps the bound.
    lower = [t for t in CANDIDATES if t < report.policy_threshold]
    if lower:
        assert checked - _recall(scored, report.threshold, lower[-1]) > POLICY_MAX_LOSS * called
    # Some of these banking and travel questions do read like a shop's policy questions.
    assert max(s.policy for s in scored if s.oos) > 0.4


def test_the_suggestion_threshold_is_the_lowest_that_shows_products_to_few_off_topic_messages(
        giftshop_bot: Any) -> None:
    reader = giftshop_bot.dialog.understander
    messages = clinc_out_of_scope(Settings(shop="giftshop").data_dir / "intents" / "clinc150")
    # Cooking and small-talk questions come near a gift shop's kitchenware; most of CLINC150 does not.
    pool = messages.calibration[:60] + [m for m in messages.calibration if "spoon" in m or "cake" in m][:20]
    report = calibrate("giftshop", reader.model, reader.slots, reader.matcher, pool, messages.test[:20], 0.854,
                       policies=reader.policies)
    scored = _scores(pool, reader.model, reader.slots, reader.matcher, reader.policies)
    share = _suggested(scored, report.threshold, report.policy_threshold, report.suggest_threshold)
    assert report.suggest_threshold in CANDIDATES and share <= SUGGEST_MAX_SHARE
    assert report.suggested_calibration == round(share, 4)
    lower = [t for t in CANDIDATES if t < report.suggest_threshold]
    if lower:
        assert _suggested(scored, report.threshold, report.policy_threshold, lower[-1]) > SUGGEST_MAX_SHARE
    # Suggestions read how close the closest product is, whatever its title prints; the check reads it only
    # when the title prints what is asked for.
    assert all(s.closest >= s.catalog for s in scored)
    assert any(s.closest > 0 and s.catalog == 0 for s in scored if s.oos)
    # The closest policy passage, likewise, for at most the same share of what both checks leave out of scope.
    policy_share = _suggested(scored, report.threshold, report.policy_threshold, report.policy_suggest_threshold,
                              of_policy=True)
    assert report.policy_suggest_threshold in CANDIDATES and policy_share <= SUGGEST_MAX_SHARE
    below = [t for t in CANDIDATES if t < report.policy_suggest_threshold]
    if below:
        assert _suggested(scored, report.threshold, report.policy_threshold, below[-1], of_policy=True) \
            > SUGGEST_MAX_SHARE
