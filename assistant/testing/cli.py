"""``cartwise test``: run scripted YAML dialogs, print a diff per failed step, write JUnit XML."""

from __future__ import annotations

import argparse
import logging
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from assistant.testing.runner import (
    Dialog,
    DialogFileError,
    DialogResult,
    DialogRunner,
    Responder,
    find_dialogs,
    load_dialog,
)
from cartwise.settings import Settings

logger = logging.getLogger(__name__)


def register_test(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``cartwise test`` to the ``cartwise`` parser."""
    parser = sub.add_parser(
        "test",
        help="run scripted YAML dialog tests",
        description="Play each YAML dialog in a fresh session and check every reply against its expectations.",
    )
    parser.add_argument("paths", nargs="+", type=Path, help="dialog files or directories (e.g. tests/dialogs/)")
    parser.add_argument("--junit", type=Path, help="write JUnit XML here (for CI)")
    # Own dest: a subparser default would otherwise overwrite the top-level --shop.
    parser.add_argument("--shop", dest="test_shop", metavar="SHOP", help="run only the dialogs for this shop")
    parser.add_argument("-k", dest="keyword", help="run only dialogs whose name or file contains this text")
    parser.set_defaults(func=run_tests)


def failure_report(result: DialogResult) -> str:
    """What went wrong in a dialog, step by step: the message, then expected vs got for each failed check."""
    lines = [f"FAIL {result.name}  ({result.path}, shop {result.shop})"]
    for step in result.steps:
        if step.passed:
            continue
        who = f" as customer {step.as_user}" if step.as_user else " as guest"
        lines.append(f"  step {step.index}{who}: {step.user!r}")
        if step.error:
            lines.append(f"    ! the assistant raised {step.error}")
        for check in step.checks:
            if not check.passed:
                lines.append(f"    - {check.check}")
                lines.append(f"        expected: {check.expected}")
                lines.append(f"        got:      {check.got}")
        if step.reply is not None:
            lines.append(f"    (reply intent {step.reply.intent}, text {step.reply.text[:160]!r})")
    return "\n".join(lines)


def junit_xml(results: list[DialogResult], errors: dict[str, str]) -> ET.ElementTree[ET.Element]:
    """One ``testcase`` per dialog (classname = shop), plus an ``error`` case per unreadable file."""
    failures = sum(not r.passed for r in results)
    suite = ET.Element(
        "testsuite",
        name="cartwise-dialogs",
        tests=str(len(results) + len(errors)),
        failures=str(failures),
        errors=str(len(errors)),
        time=f"{sum(r.seconds for r in results):.3f}",
    )
    for r in results:
        case = ET.SubElement(suite, "testcase", classname=f"dialogs.{r.shop}", name=r.name, time=f"{r.seconds:.3f}")
        case.set("file", r.path)
        if not r.passed:
            report = failure_report(r)
            failure = ET.SubElement(case, "failure", message=report.splitlines()[1].strip() if "\n" in report else "")
            failure.text = report
    for path, message in errors.items():
        case = ET.SubElement(suite, "testcase", classname="dialogs", name=path)
        error = ET.SubElement(case, "error", message="malformed dialog file")
        error.text = message
    return ET.ElementTree(suite)


def cached_assistants(settings: Settings, build: Callable[[Settings], Responder]) -> Callable[[str], Responder]:
    """A loader that builds one real assistant per shop with ``build``, on first use."""
    cache: dict[str, Responder] = {}

    def for_shop(shop: str) -> Responder:
        if shop not in cache:
            shop_settings = settings if shop == settings.shop else settings.model_copy(update={"shop": shop})
            cache[shop] = build(shop_settings)
        return cache[shop]

    return for_shop


def run_dialog_files(
    paths: list[Path],
    runner: DialogRunner,
    shop: str | None = None,
    keyword: str | None = None,
    out: TextIO | None = None,
) -> tuple[list[DialogResult], dict[str, str]]:
    """Load and run dialog files, printing one line per dialog and a report per failure.

    Args:
        paths: files or directories.
        runner: plays the dialogs.
        shop: run only dialogs for this shop (dialogs naming no shop run on it).
        keyword: run only dialogs whose name or path contains this text.
        out: where progress goes.

    Returns:
        (results, {path: error} for files that could not be read).
    """
    out = out or sys.stdout  # looked up per call: a default bound at import misses redirected output
    results: list[DialogResult] = []
    errors: dict[str, str] = {}
    selected: list[tuple[Path, Dialog]] = []
    for path in find_dialogs(paths):
        try:
            dialog = load_dialog(path)
        except DialogFileError as exc:
            errors[str(path)] = str(exc)
            print(f"ERROR {exc}", file=out)
            continue
        if shop and dialog.shop not in (None, shop):
            continue
        if keyword and keyword.casefold() not in f"{dialog.name} {path}".casefold():
            continue
        selected.append((path, dialog))
    for path, dialog in selected:
        if shop and dialog.shop is None:
            dialog = dialog.model_copy(update={"shop": shop})
        result = runner.run(dialog, path)
        results.append(result)
        if result.passed:
            print(f"ok   {result.name}  ({len(result.steps)} steps, {result.seconds:.1f}s)", file=out)
        else:
            print(failure_report(result), file=out)
    return results, errors


def run_tests(args: argparse.Namespace, settings: Settings) -> int:
    """``cartwise test`` entry point: 0 when every dialog passed, 1 otherwise."""
    shop = args.test_shop or getattr(args, "shop", None)
    runner = DialogRunner(cached_assistants(settings, args.build_assistant), default_shop=shop or settings.shop)
    try:
        results, errors = run_dialog_files(args.paths, runner, shop=shop, keyword=args.keyword)
    except DialogFileError as exc:
        print(f"ERROR {exc}", file=sys.stderr)
        return 2
    failed = sum(not r.passed for r in results)
    print(f"\n{len(results) - failed} passed, {failed} failed, {len(errors)} unreadable ({len(results)} dialogs run)")
    if args.junit:
        args.junit.parent.mkdir(parents=True, exist_ok=True)
        junit_xml(results, errors).write(args.junit, encoding="utf-8", xml_declaration=True)
        print(f"JUnit XML: {args.junit}")
    return 0 if results and not failed and not errors else 1
