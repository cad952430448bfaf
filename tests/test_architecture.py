"""The shape of the house: no import cycles in journal/, and no module too long to read.

The import graph is read from the source with :mod:`ast`, imports inside
functions included, so an import moved into a function to dodge a cycle still
counts as an edge. Relative imports are resolved; ``from package import name``
counts as an import of the module ``package.name`` when that is a module, else of
``package`` itself.

What the graph leaves out, and why:

* the body of ``create_app`` in ``journal/__init__.py``: the application factory
  composes every layer (storage, plugins, web, CLI) and is imported by none of
  them; everything else in that file (``__version__``, ``hookimpl``) is a leaf
  the layers may import;
* imports of anything outside ``journal`` (Flask, the standard library, plugins).

docs/architecture.md describes the layers this test keeps apart.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "journal"

#: The longest a module may be without saying why.
MAX_LINES = 400
#: The sentence a longer module's docstring starts its reason with.
LONG_MARKER = "Longer than 400 lines because"
#: Modules another engineer is splitting as part of issue 12 / issue 13 (performance);
#: remove an entry as soon as its module is under the limit.
TOO_LONG_FOR_NOW: set[str] = set()


def _module_name(path: Path) -> tuple[str, str]:
    """Return ``(module, package)`` for a file under journal/."""
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
        return ".".join(parts), ".".join(parts)
    return ".".join(parts), ".".join(parts[:-1])


def _modules() -> dict[str, tuple[Path, str]]:
    out = {}
    for path in sorted(ROOT.rglob("*.py")):
        name, package = _module_name(path)
        out[name] = (path, package)
    return out


def _composition_nodes(module: str, tree: ast.Module) -> set[int]:
    """The nodes of ``create_app`` (see the module docstring), by id."""
    if module != "journal":
        return set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == "create_app":
            return {id(n) for n in ast.walk(node)}
    return set()


def _targets(node: ast.Import | ast.ImportFrom, package: str, known: dict) -> list[str]:
    if isinstance(node, ast.Import):
        return [a.name for a in node.names if a.name in known]
    if node.level:
        base = package.split(".")
        base = base[: len(base) - node.level + 1]
        full = ".".join(base + ([node.module] if node.module else []))
    else:
        full = node.module or ""
    if not full.startswith("journal"):
        return []
    out = []
    for alias in node.names:
        candidate = f"{full}.{alias.name}"
        out.append(candidate if candidate in known else full)
    return [t for t in out if t in known]


def import_graph() -> dict[str, set[str]]:
    """Return ``{module: the journal modules it imports}``, imports in functions included."""
    known = _modules()
    graph: dict[str, set[str]] = {}
    for module, (path, package) in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        skip = _composition_nodes(module, tree)
        edges = set()
        for node in ast.walk(tree):
            if id(node) not in skip and isinstance(node, (ast.Import, ast.ImportFrom)):
                edges.update(t for t in _targets(node, package, known) if t != module)
        graph[module] = edges
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Return the strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_journal_has_no_import_cycles():
    graph = import_graph()
    found = cycles(graph)
    described = [" <-> ".join(group) + "\n    " + "\n    ".join(
        f"{m} imports {sorted(graph[m] & set(group))}" for m in group) for group in found]
    assert not found, "import cycles in journal/:\n" + "\n".join(described)


def test_the_graph_sees_imports_inside_functions_and_relative_imports():
    """The checker itself: a cycle held apart by an import inside a function is a cycle."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
    tree = ast.parse("def f():\n    from .trajectories import load_trajectory\n")
    (node,) = [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    known = {"journal.process.trajectories": None, "journal.process": None}
    assert _targets(node, "journal.process", known) == ["journal.process.trajectories"]
    graph = import_graph()
    # lifecycle imports the trajectory service; the trajectory service must not import back.
    assert "journal.process.trajectories" in graph["journal.process.lifecycle"]
    assert "journal.process.lifecycle" not in graph["journal.process.trajectories"]


def _docstring(path: Path) -> str:
    return ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""


@pytest.mark.parametrize("path", sorted(ROOT.rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT.parent)))
def test_no_module_is_longer_than_it_says(path):
    name = str(path.relative_to(ROOT.parent))
    lines = len(path.read_text(encoding="utf-8").splitlines())
    if lines <= MAX_LINES or name in TOO_LONG_FOR_NOW:
        return
    assert LONG_MARKER in _docstring(path), (
        f"{name} has {lines} lines: split it by job, or say in its module docstring "
        f"why it is long (\"{LONG_MARKER} …\")")


def test_the_allowlist_holds_only_modules_that_are_still_too_long():
    for name in TOO_LONG_FOR_NOW:
        path = ROOT.parent / name
        assert path.exists() and len(path.read_text(encoding="utf-8").splitlines()) > MAX_LINES, (
            f"{name} is short enough now: take it off TOO_LONG_FOR_NOW")


def test_services_never_read_the_request():
    """journal/process and journal/privacy take the acting user as a parameter."""
    forbidden = {"g", "request", "session", "abort"}
    offenders = []
    for folder in ("process", "privacy"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and node.module == "flask":
                    offenders += [f"{path.name}: {a.name}" for a in node.names
                                  if a.name in forbidden]
                elif isinstance(node, ast.Import) and any(a.name == "flask" for a in node.names):
                    offenders.append(f"{path.name}: import flask")
    assert offenders == []
