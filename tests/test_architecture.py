"""The packages stay layered: no import cycle, the core imports nothing above it, serving never imports training.

The graph is read from the source with ``ast`` (nothing is imported), so an import inside a function counts as
much as one at the top of a module; only ``if TYPE_CHECKING:`` blocks are skipped, since they never run.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import pytest

pytestmark = pytest.mark.no_shop  # reads no built shop: runs while a fresh clone builds them

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("cartwise", "assistant", "retrieval", "finetune", "web")
TOP_LEVEL_MODULES = ("app", "composition")
# The composition root wires the packages; they take ready parts and never reach back for it.
COMPOSITION_ROOT = "composition"
# The layers above the core: `cartwise` holds settings, db and models and must not reach up into them.
ABOVE_CORE = ("assistant", "retrieval", "finetune", "web")
# What the running assistant may take from the training package: the contract training and serving share, the
# label set and the model's input format (the context phrase before the message); nothing that trains or loads.
SERVING_PACKAGES = ("assistant", "web")
FINETUNE_ALLOWED_FOR_SERVING = frozenset({"finetune.labels", "finetune.context"})

Graph = Mapping[str, frozenset[str]]


def module_name(path: Path, root: Path = REPO) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_files(root: Path = REPO) -> dict[str, Path]:
    files = {name: root / f"{name}.py" for name in TOP_LEVEL_MODULES if (root / f"{name}.py").exists()}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            files[module_name(path, root)] = path
    return files


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node of the tree except the bodies of ``if TYPE_CHECKING:`` (their ``else`` still runs)."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend(node.orelse)
            continue
        stack.extend(ast.iter_child_nodes(node))


def _resolve_relative(module: str, is_package: bool, level: int, target: str | None) -> str:
    base = module.split(".") if is_package else module.split(".")[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join([*base, target] if target else base)


def imports_of(module: str, path: Path, known: Iterable[str]) -> frozenset[str]:
    """The modules of ours that ``module`` imports at run time, as dotted names present in ``known``.

    ``from pkg import name`` counts as an import of ``pkg.name`` when that is a module of ours, else of ``pkg``.
    """
    known_set = set(known)
    is_package = path.name == "__init__.py"
    found: set[str] = set()

    def add(name: str) -> None:
        # `import a.b.c` runs a, a.b and a.b.c; the deepest module of ours is the edge that matters, and its
        # parents' __init__ are reached through it (each parent package is also recorded so their cycles show).
        parts = name.split(".")
        for i in range(len(parts), 0, -1):
            candidate = ".".join(parts[:i])
            if candidate in known_set:
                found.add(candidate)
                return

    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            base = (
                _resolve_relative(module, is_package, node.level, node.module) if node.level else node.module or ""
            )
            for alias in node.names:
                if f"{base}.{alias.name}" in known_set:
                    found.add(f"{base}.{alias.name}")
                else:
                    add(base)
    found.discard(module)
    return frozenset(found)


def direct_imports(root: Path = REPO) -> dict[str, frozenset[str]]:
    """Each module's imports as its code names them (the edges the layering rules judge)."""
    files = source_files(root)
    return {module: imports_of(module, path, files) for module, path in files.items()}


def import_graph(root: Path = REPO) -> dict[str, frozenset[str]]:
    """What importing each module runs: its direct imports plus the packages' ``__init__`` they pass through."""
    files = source_files(root)
    graph: dict[str, frozenset[str]] = {}
    for module, named in direct_imports(root).items():
        own_ancestors = {".".join(module.split(".")[:i]) for i in range(1, module.count(".") + 1)}
        passed_through = {
            ".".join(target.split(".")[:i]) for target in named for i in range(1, target.count(".") + 1)
        }
        # Importing a.b.c first runs a/__init__ and a/b/__init__, so those are edges too; but a module's own
        # packages are already running when it runs, so passing through them is no edge. Naming one outright
        # (`from a.b import name`, a name its __init__ defines) is: it needs that __init__ to have got that far.
        graph[module] = frozenset((set(named) | ((passed_through & set(files)) - own_ancestors)) - {module})
    return graph


def find_cycle(graph: Graph) -> list[str] | None:
    """One cycle as a path that starts and ends on the same module, or None when the graph is acyclic."""
    visiting: list[str] = []
    on_path: set[str] = set()
    done: set[str] = set()

    def visit(node: str) -> list[str] | None:
        visiting.append(node)
        on_path.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt in on_path:
                return [*visiting[visiting.index(nxt) :], nxt]
            if nxt not in done:
                cycle = visit(nxt)
                if cycle:
                    return cycle
        visiting.pop()
        on_path.discard(node)
        done.add(node)
        return None

    for start in sorted(graph):
        if start not in done:
            cycle = visit(start)
            if cycle:
                return cycle
    return None


def _package(module: str) -> str:
    return module.split(".")[0]


def core_reaching_up(graph: Graph) -> list[str]:
    return sorted(
        f"{source} -> {target}"
        for source, targets in graph.items()
        if _package(source) == "cartwise"
        for target in targets
        if _package(target) in ABOVE_CORE
    )


def reachable(graph: Graph, start: str) -> set[str]:
    seen: set[str] = set()
    stack = [start]
    while stack:
        for nxt in graph.get(stack.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen


def training_run_by_the_label_set(graph: Graph) -> list[str]:
    """finetune modules that importing the allowed ones runs, they or the package ``__init__`` run first."""
    allowed = {"finetune", "finetune.errors", *FINETUNE_ALLOWED_FOR_SERVING}
    return sorted(
        f"{start} runs {module}"
        for start in ("finetune", *sorted(FINETUNE_ALLOWED_FOR_SERVING))
        for module in reachable(graph, start)
        if _package(module) == "finetune" and module not in allowed
    )


def serving_importing_training(graph: Graph) -> list[str]:
    return sorted(
        f"{source} -> {target}"
        for source, targets in graph.items()
        if _package(source) in SERVING_PACKAGES
        for target in targets
        if _package(target) == "finetune" and target not in FINETUNE_ALLOWED_FOR_SERVING
    )


@pytest.fixture(scope="module")
def graph() -> dict[str, frozenset[str]]:
    return import_graph()


@pytest.fixture(scope="module")
def named() -> dict[str, frozenset[str]]:
    return direct_imports()


def test_the_walk_sees_every_package(graph: Graph) -> None:
    assert {_package(m) for m in graph} == {*PACKAGES, *TOP_LEVEL_MODULES}
    # It sees imports inside functions, not only at the top: app wires everything.
    assert any(_package(t) == "assistant" for t in graph["app"]) or any(
        _package(t) == "web" for t in graph["app"]
    ), graph["app"]


def test_no_import_cycle(graph: Graph) -> None:
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def packages_reaching_the_root(graph: Graph) -> list[str]:
    return sorted(f"{source} -> {COMPOSITION_ROOT}" for source, targets in graph.items()
                  if _package(source) in PACKAGES and COMPOSITION_ROOT in targets)


def test_only_entry_points_import_the_composition_root(named: Graph) -> None:
    assert packages_reaching_the_root(named) == []
    assert COMPOSITION_ROOT in named["app"]


def test_core_imports_nothing_above_it(named: Graph) -> None:
    assert core_reaching_up(named) == []


def test_serving_imports_only_the_label_set_from_finetune(named: Graph) -> None:
    assert serving_importing_training(named) == []


def test_the_label_set_runs_no_training_code(graph: Graph) -> None:
    assert training_run_by_the_label_set(graph) == []


# The checks themselves, on small trees written for the purpose: each must be able to fail.


def _write(root: Path, files: Mapping[str, str]) -> None:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _graph_of(root: Path, files: Mapping[str, str]) -> dict[str, frozenset[str]]:
    _write(root, {f"{p}/__init__.py": "" for p in PACKAGES} | {"app.py": ""} | dict(files))
    return import_graph(root)


def _named_of(root: Path, files: Mapping[str, str]) -> dict[str, frozenset[str]]:
    _graph_of(root, files)
    return direct_imports(root)


def test_a_cycle_through_a_function_level_relative_import_is_found(tmp_path: Path) -> None:
    graph = _graph_of(
        tmp_path,
        {
            "assistant/nlg/__init__.py": "from .factory import make\n",
            "assistant/nlg/factory.py": "def make():\n    from assistant.nlg import llm\n",
            "assistant/nlg/llm.py": "from . import make_prompt\nfrom assistant.nlg import factory\n",
        },
    )
    cycle = find_cycle(graph)
    assert cycle is not None and cycle[0] == cycle[-1]
    assert {"assistant.nlg.factory", "assistant.nlg.llm"} <= set(cycle)


def test_type_checking_imports_are_not_edges(tmp_path: Path) -> None:
    graph = _graph_of(
        tmp_path,
        {
            "retrieval/cli.py": "from retrieval import recommend_cli\n",
            "retrieval/recommend_cli.py": (
                "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from retrieval.cli import x\n"
            ),
        },
    )
    assert find_cycle(graph) is None
    _write(tmp_path, {"retrieval/recommend_cli.py": "def f():\n    from .cli import x\n"})
    assert find_cycle(import_graph(tmp_path)) is not None


def test_core_reaching_up_is_found(tmp_path: Path) -> None:
    named = _named_of(
        tmp_path, {"cartwise/cli.py": "def main():\n    import retrieval.catalog\n", "retrieval/catalog.py": ""}
    )
    assert core_reaching_up(named) == ["cartwise.cli -> retrieval.catalog"]


def test_serving_importing_training_is_found(tmp_path: Path) -> None:
    named = _named_of(
        tmp_path,
        {
            "assistant/understanding/understander.py": "from finetune.labels import X\nfrom finetune import serving\n",
            "finetune/labels.py": "",
            "finetune/serving.py": "",
        },
    )
    assert serving_importing_training(named) == ["assistant.understanding.understander -> finetune.serving"]


def test_a_package_init_that_runs_training_is_found(tmp_path: Path) -> None:
    files = {"finetune/labels.py": "", "finetune/context.py": "", "finetune/train.py": ""}
    graph = _graph_of(tmp_path, files | {"finetune/__init__.py": "from finetune.train import fit\n"})
    assert training_run_by_the_label_set(graph) == ["finetune runs finetune.train"]
    lazy = "def __getattr__(name):\n    import importlib\n    return importlib.import_module('finetune.train')\n"
    graph = _graph_of(tmp_path, files | {"finetune/__init__.py": lazy})
    assert training_run_by_the_label_set(graph) == []


def test_a_package_building_its_own_parts_is_caught(tmp_path: Path) -> None:
    named = _named_of(tmp_path, {"assistant/chat.py": "def run():\n    from composition import build_assistant\n",
                              "composition.py": ""})
    assert packages_reaching_the_root(named) == ["assistant.chat -> composition"]
