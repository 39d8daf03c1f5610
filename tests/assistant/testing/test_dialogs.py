"""Every scripted dialog in ``tests/dialogs/`` played against the real assistant of its shop."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.testing.cli import failure_report
from assistant.testing.runner import DialogRunner, Responder, find_dialogs, load_dialog
from cartwise.settings import REPO_ROOT

DIALOG_FILES = find_dialogs([REPO_ROOT / "tests" / "dialogs"])


@pytest.mark.slow
@pytest.mark.parametrize("path", DIALOG_FILES, ids=[p.stem for p in DIALOG_FILES])
def test_dialog(path: Path, shop_assistant: Callable[[str], Responder]) -> None:
    # shop_assistant (tests/conftest.py): one real assistant per shop for the whole test session, shared with
    # the other tests that talk to it; loading models is the slow part.
    dialog = load_dialog(path)
    result = DialogRunner(shop_assistant, default_shop="giftshop").run(dialog, path.relative_to(REPO_ROOT))
    assert result.passed, "\n" + failure_report(result)
