"""Calibrating the catalog and policy checks on out-of-scope messages, with the shop's real parts."""

from __future__ import annotations

from typing import Any

from assistant.understanding.calibration import CANDIDATES, MAX_LOSS, POLICY_MAX_LOSS, _recall, _scores, calibrate
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
