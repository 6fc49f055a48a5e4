"""The import-layer contract, read from the source: api → app → solver, `solver` pure, `app/rules` without
a database, and no import circle anywhere (imports inside functions count too)."""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("app", "api", "solver", "capsched")
# the composition root: `capsched serve` builds the web app it serves
ALLOWED_UPWARD = {("app.cli.serving", "api.main")}
NOT_IN_SOLVER = (
    "app",
    "api",
    "capsched",
    "sqlmodel",
    "sqlalchemy",
    "fastapi",
    "starlette",
    "pandas",
    "plotly",
    "pydantic",
    "dask",
    "distributed",
)
NOT_IN_RULES = (
    "sqlmodel",
    "sqlalchemy",
    "fastapi",
    "app.db",
    "app.models",
    "app.services",
    "app.background",
    "app.runner",
    "dask",  # the rules fan out through app/fanout.py's Fanout, threads or Dask alike
    "distributed",
)


@functools.cache
def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def _imports(name: str, path: Path) -> Iterator[str]:
    """Every module `name` imports (absolute names), wherever in the file; `from p import m` of a
    submodule m is an import of p.m (the package p itself only for the names that are not modules)."""
    modules = _modules()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, *([node.module] if node.module else [])])
            names = [f"{base}.{alias.name}" for alias in node.names]
            yield from names
            if not all(n in modules for n in names):
                yield base


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {
        name: {target for target in _imports(name, path) if target in modules and target != name}
        for name, path in modules.items()
    }


def _under(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def test_solver_imports_only_the_standard_library_or_tools_and_highspy() -> None:
    modules = _modules()
    bad = [
        (name, target)
        for name, path in modules.items()
        if _under(name, ("solver",))
        for target in _imports(name, path)
        if _under(target, NOT_IN_SOLVER)
    ]
    assert bad == []


def test_app_never_imports_api_but_where_serve_builds_the_web_app() -> None:
    graph = _graph()
    upward = {
        (name, t)
        for name, targets in graph.items()
        if _under(name, ("app",))
        for t in targets
        if _under(t, ("api",))
    }
    assert upward == ALLOWED_UPWARD


def test_the_rules_need_no_database() -> None:
    modules = _modules()
    bad = [
        (name, target)
        for name, path in modules.items()
        if _under(name, ("app.rules",))
        for target in _imports(name, path)
        if _under(target, NOT_IN_RULES)
    ]
    assert bad == []


def test_there_is_no_import_circle() -> None:
    graph = _graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for module in graph:
        if module not in index:
            visit(module)
    assert circles == []
