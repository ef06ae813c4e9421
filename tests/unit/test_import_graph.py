"""The house's layers: which top-level package may import which, and no import cycles between modules.

Imports are read from the source with `ast` (every `import`, at module level or inside a
function, under TYPE_CHECKING too), so a lazy import cannot hide a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import REPO

# package -> the project's packages it may import. The library is the base; evaluation
# measures the library; models trains and exports with evaluation's data and scores; the
# service serves the library.
ALLOWED = {
    "summarizer": set(),
    "evaluation": {"summarizer"},
    "models": {"summarizer", "evaluation"},
    "api": {"summarizer"},
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for package in ALLOWED for p in (REPO / package).rglob("*.py")}


def imported(name: str, path: Path, known: set[str]) -> set[str]:
    """The project modules that `name` imports (a `from X import y` of a submodule y counts as X.y)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {m for m in found if m in known and m != name}


def graph() -> dict[str, set[str]]:
    found = modules()
    return {name: imported(name, path, set(found)) for name, path in found.items()}


def test_packages_import_only_the_layers_below_them() -> None:
    wrong = sorted(
        f"{module} imports {target}"
        for module, targets in graph().items()
        for target in targets
        if target.split(".")[0] != module.split(".")[0] and target.split(".")[0] not in ALLOWED[module.split(".")[0]]
    )
    assert not wrong, "\n".join(wrong)


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in edges:
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles_between_modules() -> None:
    # a module importing its own package's public names (`from summarizer.generation import X` in
    # summarizer/generation/ct2.py) is the package's face, not a cycle between modules
    edges = {module: {t for t in targets if not module.startswith(f"{t}.")} for module, targets in graph().items()}
    assert not cycles(edges)


def test_the_checker_sees_cycles_and_layer_breaks() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
    assert ALLOWED["summarizer"] == set() and "models" not in ALLOWED["evaluation"]
