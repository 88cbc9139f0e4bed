"""The package's architecture, enforced: no import cycle between modules
(at module level, inside functions or under TYPE_CHECKING), and no inner layer
importing an outer one. Read with `ast`, so every import counts, run or not."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.support.paths import ROOT

PACKAGE = ROOT / "compiler" / "fleetc"
INNER = ("core", "frontend", "checks", "allocate", "lock", "emit", "convert")
OUTER = ("output", "nixbuild", "review", "cli")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imported(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """Every fleetc module `name` imports, wherever the import statement is."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = absolute(node, package)
            for alias in node.names:
                target = f"{base}.{alias.name}"
                found.add(target if target in known else base)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name in known)
    return {m for m in found if m in known and m != name}


def absolute(node: ast.ImportFrom, package: str) -> str:
    if node.level == 0:
        return node.module or ""
    parts = package.split(".")
    base = parts[: len(parts) - node.level + 1]
    return ".".join(base + ([node.module] if node.module else []))


def graph() -> dict[str, set[str]]:
    known = modules()
    edges = {name: imported(name, path, known) for name, path in known.items()}
    # importing a.b.c runs a/__init__ and a/b/__init__ first: not an edge of ours
    return edges


def layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_inner_layers_import_nothing_outer():
    wrong = [
        f"{source} -> {target}"
        for source, targets in graph().items()
        for target in targets
        if layer(source) in INNER and layer(target) in OUTER
    ]
    assert wrong == [], "imports against the layers:\n" + "\n".join(wrong)


def test_no_import_cycle():
    edges = graph()
    cycles = sorted({" -> ".join(c) for c in find_cycles(edges)})
    assert cycles == [], "import cycles:\n" + "\n".join(cycles)


def find_cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected component of more than one module."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_the_checker_sees_a_cycle_and_a_backward_import():
    """The checks above can fail: a made-up graph with both defects."""
    edges = {"fleetc.core.a": {"fleetc.cli.b"}, "fleetc.cli.b": {"fleetc.core.a"}}
    assert find_cycles(edges) == [["fleetc.cli.b", "fleetc.core.a"]]
    assert layer("fleetc.core.a") in INNER and layer("fleetc.cli.b") in OUTER
