"""Every scripted dialog in ``tests/dialogs/`` played against the real assistant of its shop."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from assistant.testing.cli import cached_assistants, failure_report
from assistant.testing.runner import DialogRunner, Responder, find_dialogs, load_dialog
from cartwise.settings import REPO_ROOT, Settings

DIALOG_FILES = find_dialogs([REPO_ROOT / "tests" / "dialogs"])


@pytest.fixture(scope="module")
def assistants() -> Iterator[Callable[[str], Responder]]:
    # One real assistant per shop for the whole module: loading models is the slow part.
    yield cached_assistants(Settings())


@pytest.mark.slow
@pytest.mark.parametrize("path", DIALOG_FILES, ids=[p.stem for p in DIALOG_FILES])
def test_dialog(path: Path, assistants: Callable[[str], Responder]) -> None:
    dialog = load_dialog(path)
    result = DialogRunner(assistants, default_shop="giftshop").run(dialog, path.relative_to(REPO_ROOT))
    assert result.passed, "\n" + failure_report(result)
