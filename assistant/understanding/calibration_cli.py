"""``cartwise calibrate``: choose and write down the shop's catalog-check threshold."""

from __future__ import annotations

import argparse
import json
import logging

from cartwise.settings import Settings

logger = logging.getLogger(__name__)

# CLINC150 oos_test recall of the intent model at ec46583, before the catalog check existed
# (docs/benchmarks/understanding.md): reported beside the checked figure, which must not fall below it.
BASELINE_OOS_RECALL = 0.854


def register_calibrate(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "calibrate", help="choose the catalog-check threshold on CLINC150 and write it to the shop's data folder",
        description="Pick the lowest product similarity at which an out-of-scope message is treated as a shopping "
                    "request while the check changes at most 0.5%% of the model's out-of-scope answers on CLINC150 "
                    "validation messages; report CLINC150 oos_test recall beside the one before the check.")
    parser.add_argument("--baseline-oos-recall", type=float, default=BASELINE_OOS_RECALL,
                        help=f"CLINC150 oos_test recall before the check (default {BASELINE_OOS_RECALL}, ec46583)")
    parser.add_argument("--dry-run", action="store_true", help="print the result without writing it")
    parser.set_defaults(func=run_calibrate)


def run_calibrate(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.understanding.calibration import calibrate
    from retrieval.search_quality import QuerySet

    bot = args.build_assistant(settings)
    reader = bot.dialog.understander
    labelled = settings.data_dir.parent / "tests" / "data" / f"{settings.shop}_queries.yaml"
    shopping = [q.query for q in QuerySet.load(labelled).queries if q.kind == "natural"] if labelled.is_file() else []
    messages = args.out_of_scope_messages(settings)  # CLINC150's, read by the training package
    report = calibrate(settings.shop, reader.model, reader.slots, reader.matcher, messages.calibration,
                       messages.test, args.baseline_oos_recall, shopping, policies=reader.policies)
    print(json.dumps(report.__dict__, indent=2))
    if report.oos_recall_test_checked < report.oos_recall_test_baseline:
        logger.warning("with the check, CLINC150 oos_test recall %.3f is below the baseline %.3f",
                       report.oos_recall_test_checked, report.oos_recall_test_baseline)
    if not args.dry_run:
        path = report.save(settings.calibration_path)
        logger.info("wrote %s", path)
    return 0
