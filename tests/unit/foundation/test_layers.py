"""Imports run downward (docs/architecture.md, "Layers"), checked on the source itself.

Every import counts, also those inside functions: a lazy import hides a cycle from
Python, not from this test.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import venuecode

SRC = Path(venuecode.__file__).parent
# The route kit a capability's routes may use; the rest of web/ is the app that wires them.
ROUTE_KIT = {"venuecode.web.deps", "venuecode.web.templating", "venuecode.web.i18n",
             "venuecode.web.state", "venuecode.web.forms", "venuecode.web.params",
             "venuecode.web.flash"}
# Modules holding a capability's routes or their request dependencies, by the file names
# of docs/architecture.md; a few carry another name.
ROUTE_MODULES = {"api", "pages", "deps"}
ROUTE_MODULES_NAMED = {"venuecode.scans.staff"}
# Known exceptions, each with its reason and the change that removes it (none today).
PENDING: set[tuple[str, str]] = set()
PENDING_PACKAGE_EDGES: set[tuple[str, str]] = set()


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    line: int
    target: str  # the imported module
    names: tuple[str, ...]  # names taken from it (empty for `import x`)


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, ast.Module]:
    return {_module_name(p): ast.parse(p.read_text("utf-8"), str(p)) for p in SRC.rglob("*.py")}


@cache
def imports() -> tuple[Import, ...]:
    return tuple(imports_of(modules()))


def imports_of(known: dict[str, ast.Module]) -> Iterator[Import]:
    for module, tree in known.items():
        for node in ast.walk(tree):  # walk: function-level imports too
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("venuecode."):
                        yield Import(module, node.lineno, alias.name, ())
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                if node.module != "venuecode" and not node.module.startswith("venuecode."):
                    continue
                plain = []
                for alias in node.names:
                    sub = f"{node.module}.{alias.name}"
                    if sub in known:  # `from venuecode.sim import names`: the submodule
                        yield Import(module, node.lineno, sub, ())
                    else:
                        plain.append(alias.name)
                if plain:
                    yield Import(module, node.lineno, node.module, tuple(plain))


def package(module: str) -> str:
    """`venuecode.scans.api` -> `scans`; a top-level module is its own package."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def is_route_module(module: str) -> bool:
    leaf = module.rsplit(".", 1)[-1]
    return leaf in ROUTE_MODULES or leaf.endswith("_pages") or module in ROUTE_MODULES_NAMED


def test_domain_code_never_imports_web_or_cli() -> None:
    wrong = []
    for imp in imports():
        if package(imp.module) in ("web", "cli") or (imp.module, imp.target) in PENDING:
            continue
        if package(imp.target) == "cli":
            wrong.append(f"{imp.module}:{imp.line} imports {imp.target} (use venuecode.cmdline)")
        elif package(imp.target) == "web" and not (
                is_route_module(imp.module) and imp.target in ROUTE_KIT):
            wrong.append(f"{imp.module}:{imp.line} imports {imp.target}")
    assert wrong == [], "imports that run upward:\n" + "\n".join(wrong)


def is_edge(module: str) -> bool:
    """Routes, and a capability's command (`cli.py`, `__main__.py`)."""
    return is_route_module(module) or module.rsplit(".", 1)[-1] in ("cli", "__main__")


def test_domain_code_never_imports_a_capability_edge() -> None:
    # A capability's routes and commands are its edge: domain code never imports them (an
    # export takes its formula-safe cells from venuecode.cells, not from the import
    # command), and an edge uses only its own capability's edge modules.
    wrong = [f"{imp.module}:{imp.line} imports {imp.target}" for imp in imports()
             if not {package(imp.module), package(imp.target)} & {"web", "cli"}
             and is_edge(imp.target)
             and not (is_edge(imp.module) and package(imp.module) == package(imp.target))]
    assert wrong == []


def test_no_module_takes_private_names_of_another_package() -> None:
    wrong = [f"{imp.module}:{imp.line} takes {name} from {imp.target}"
             for imp in imports() if package(imp.module) != package(imp.target)
             for name in imp.names if name.startswith("_") and not name.startswith("__")]
    assert wrong == []


def test_no_module_reads_private_attributes_of_another_package() -> None:
    wrong = []
    bound: dict[str, dict[str, str]] = {m: {} for m in modules()}
    for imp in imports():
        if not imp.names:  # `import venuecode.x.y` / `from venuecode.x import y`: y names a module
            bound[imp.module][imp.target.rsplit(".", 1)[-1]] = imp.target
    for module, tree in modules().items():
        aliases = bound[module]
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.attr.startswith("_") and not node.attr.startswith("__")):
                target = aliases.get(node.value.id)
                if target and package(target) != package(module):
                    wrong.append(f"{module}:{node.lineno} reads {target}.{node.attr}")
    assert wrong == []


def test_there_are_no_import_cycles_even_through_lazy_imports() -> None:
    graph: dict[str, set[str]] = {m: set() for m in modules()}
    for imp in imports():
        if imp.target in graph and imp.target != imp.module:
            graph[imp.module].add(imp.target)
    cycles = [c for c in _strongly_connected(graph) if len(c) > 1]
    assert cycles == [], f"import cycles: {cycles}"


def test_domain_packages_have_no_cycles_even_through_lazy_imports() -> None:
    # Routes and commands sit above every package, so only domain modules count here.
    graph: dict[str, set[str]] = {package(m): set() for m in modules()}
    for imp in imports():
        if is_edge(imp.module) or {package(imp.module)} & {"web", "cli"}:
            continue
        if package(imp.target) != package(imp.module) and (
                (imp.module, imp.target) not in PENDING_PACKAGE_EDGES):
            graph[package(imp.module)].add(package(imp.target))
    cycles = [c for c in _strongly_connected(graph) if len(c) > 1]
    assert cycles == [], f"package cycles: {cycles}"


def _strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative (the graph has a few hundred modules)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                found.append(sorted(component))
    return found


def test_the_checks_see_lazy_imports_and_catch_an_upward_one() -> None:
    # The test would pass vacuously if the walk missed imports inside functions.
    tree = ast.parse("def f():\n    from venuecode.web.deps import load_user\n")
    found = list(imports_of({"venuecode.facts.example": tree}))
    assert [(imp.target, imp.names) for imp in found] == [("venuecode.web.deps", ("load_user",))]
    assert not is_route_module("venuecode.facts.example") and is_route_module("venuecode.facts.api")
