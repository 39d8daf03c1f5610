"""The code stays lint-clean and type-checks (the settings live in pyproject.toml), and names intents by member."""

from __future__ import annotations

import ast
import itertools
import subprocess
import sys
from pathlib import Path

import pytest

from finetune.labels import INTENTS

pytestmark = pytest.mark.no_shop  # reads no built shop: runs while a fresh clone builds them

REPO = Path(__file__).resolve().parents[1]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=REPO, capture_output=True, text=True, timeout=600)


def test_ruff_finds_nothing() -> None:
    done = _run("ruff", "check", ".", "--output-format", "concise")
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.slow
def test_mypy_strict_passes() -> None:
    done = _run("mypy")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]


# Words that happen to spell an intent and mean the word: a polite "thanks" is stripped from a search query
# and ends a quantity ("2 of those thanks"); neither is the intent.
NOT_INTENTS = {("assistant/understanding/content.py", "thanks"), ("assistant/understanding/patterns.py", "thanks")}


def _documentation(tree: ast.AST) -> set[int]:
    """Ids of the nodes that are documentation or another enum's values: docstrings (module, class, function and
    attribute docstrings), f-string parts, and the bodies of ``Enum`` classes (``Act.product_info`` is an act)."""
    skip: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if not isinstance(body, list):
            continue
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and body \
                and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            skip.add(id(body[0].value))
        for before, after in itertools.pairwise(body):
            if isinstance(before, (ast.Assign, ast.AnnAssign)) and isinstance(after, ast.Expr):
                skip.add(id(after.value))
        if isinstance(node, ast.ClassDef) and any("Enum" in ast.unparse(base) for base in node.bases):
            skip.update(id(sub) for sub in ast.walk(node))
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            skip.update(id(sub) for sub in ast.walk(node))
    return skip


def intent_literals(root: Path, packages: tuple[str, ...] = ("assistant", "web")) -> list[str]:
    """``path:line: name`` for every string constant in ``packages`` that spells an intent's name."""
    names = set(INTENTS)
    found = []
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            rel = path.relative_to(root).as_posix()
            tree = ast.parse(path.read_text(encoding="utf-8"))
            skip = _documentation(tree)
            found += [f"{rel}:{node.lineno}: {node.value}" for node in ast.walk(tree)
                      if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in names
                      and id(node) not in skip and (rel, node.value) not in NOT_INTENTS]
    return found


def test_intents_are_named_by_enum_member_not_by_string() -> None:
    found = intent_literals(REPO)
    assert not found, "write Intent.<name> (assistant.types.Intent), not the string:\n" + "\n".join(found)


def test_the_intent_literal_check_finds_a_string_intent(tmp_path: Path) -> None:
    (tmp_path / "assistant").mkdir()
    (tmp_path / "assistant" / "m.py").write_text(
        '"""Docstring naming search_product is fine."""\n'
        'X = frozenset({"search_product", "thanks"})\n'
        '"""refine_search (an attribute docstring)."""\n'
        'def f(i: str) -> bool:\n    return i == "out_of_scope" and f"{i}" != "plain words"\n')
    assert intent_literals(tmp_path, ("assistant",)) == [
        "assistant/m.py:2: search_product", "assistant/m.py:2: thanks", "assistant/m.py:5: out_of_scope"]
