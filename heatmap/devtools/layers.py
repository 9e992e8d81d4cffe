"""The import contract: the layers of ``heatmap``, checked over the source with :mod:`ast`.

Each layer may import its own and lower layers, never a higher one; no two packages
may import each other (even through others, even inside functions), and no module may
import itself back while it loads; :data:`ONLY` narrows a layer for some packages (the
core imports the domain and the errors, nothing else). ``python -m heatmap.devtools.layers``
(run by ``make lint``) prints every breach with its file and line and exits 1.

A layer names packages or modules; a module belongs to the longest name that prefixes
it, so ``heatmap.devtools.cli_runner`` can sit above ``heatmap.devtools``. A module
that belongs to no layer is a breach too: a new package says where it goes here.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["LAYERS", "ONLY", "Import", "check", "find_cycles", "imports_in", "main"]

#: Bottom first. Siblings in a layer may import one another as long as no cycle forms.
LAYERS: tuple[tuple[str, ...], ...] = (
    # vocabulary, frame shapes, errors; folders of data files
    ("heatmap.domain", "heatmap.errors", "heatmap.defaults", "heatmap.policy", "heatmap.templates"),
    ("heatmap.core",),  # pure functions over frames: no I/O, no clock
    ("heatmap.detect", "heatmap.settings"),  # detection engines; typed settings
    ("heatmap.store",),  # the storage protocol and its SQLite and PostGIS adapters
    ("heatmap.io", "heatmap.closeout"),  # files in and out; the SMS close-out
    ("heatmap.geocode", "heatmap.render"),  # addresses to points; maps, GeoJSON, console tables
    ("heatmap.service",),  # one step of the flow each: store + core + adapters
    ("heatmap.devtools", "heatmap.replay"),  # samples and the demo; replaying history
    ("heatmap.analysis", "heatmap.api", "heatmap.cli", "heatmap.wiring"),  # entry points
    # nothing imports these: the package root, its script, and helpers for tests
    (
        "heatmap",
        "heatmap.__main__",
        "heatmap.testing",
        "heatmap.devtools.cli_runner",
        "heatmap.devtools.layers",
    ),
)

#: Narrower than their layer: what these may import of the package besides themselves.
ONLY: dict[str, tuple[str, ...]] = {
    "heatmap.domain": (),
    "heatmap.core": ("heatmap.domain", "heatmap.errors"),
}


@dataclass(frozen=True)
class Import:
    """``source`` imports ``target`` at ``path:line``; ``loading`` when it runs at import time."""

    source: str
    target: str
    path: Path
    line: int
    loading: bool


def module_name(path: Path, root: Path) -> str:
    """``heatmap.core.text`` for ``ROOT/core/text.py`` when ``root`` is the ``heatmap`` folder."""
    parts = [root.name, *path.relative_to(root).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_in(path: Path, root: Path) -> list[Import]:
    """Every import of a module of the package at ``root`` that ``path`` makes."""
    source = module_name(path, root)
    package = source if path.name == "__init__.py" else source.rpartition(".")[0]
    found: list[Import] = []
    _visit(ast.parse(path.read_text(encoding="utf-8"), str(path)), True, source, package, path, root, found)
    return found


#: Nodes an import statement can be found in.
_HOLDS_STATEMENTS = (ast.stmt, ast.excepthandler, ast.match_case)


def _visit(
    node: ast.AST, loading: bool, source: str, package: str, path: Path, root: Path, found: list[Import]
) -> None:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Import):
            targets = [alias.name for alias in child.names]
        elif isinstance(child, ast.ImportFrom):
            targets = _from_targets(child, package, root)
        else:
            if isinstance(child, _HOLDS_STATEMENTS):  # imports are statements: skip expressions
                inner = loading and not isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
                _visit(child, inner and not _type_checking(child), source, package, path, root, found)
            continue
        for target in targets:
            if target == root.name or target.startswith(root.name + "."):
                found.append(Import(source, target, path, child.lineno, loading))


def _type_checking(node: ast.AST) -> bool:
    """``if TYPE_CHECKING:`` (its body never runs)."""
    if not isinstance(node, ast.If):
        return False
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _from_targets(node: ast.ImportFrom, package: str, root: Path) -> list[str]:
    """``from a.b import c``: ``a.b.c`` where ``c`` is a module of the tree, else ``a.b``."""
    base = node.module or ""
    if node.level:
        anchor = package.split(".")
        anchor = anchor[: len(anchor) - node.level + 1]
        base = ".".join([*anchor, base] if base else anchor)
    found = []
    for alias in node.names:
        candidate = f"{base}.{alias.name}"
        relative = Path(*candidate.split(".")[1:]) if "." in candidate else Path()
        is_module = (root / relative).with_suffix(".py").is_file() or (
            root / relative / "__init__.py"
        ).is_file()
        found.append(candidate if is_module else base)
    return found


def unit_of(module: str, layers: Sequence[Sequence[str]] = LAYERS) -> tuple[int, str] | None:
    """The layer and the name in it that ``module`` belongs to (the longest prefix; the
    package root itself, a name without a dot, holds only its ``__init__``)."""
    best: tuple[int, str] | None = None
    for level, names in enumerate(layers):
        for name in names:
            inside = module == name or ("." in name and module.startswith(name + "."))
            if inside and (best is None or len(name) > len(best[1])):
                best = (level, name)
    return best


def find_cycles(edges: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Groups of nodes that reach each other (Tarjan's strongly connected components), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in edges.get(node, ()):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1 or node in edges.get(node, ()):
                groups.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            connect(node)
    return sorted(groups)


def check(
    root: Path, layers: Sequence[Sequence[str]] = LAYERS, only: Mapping[str, Sequence[str]] = ONLY
) -> list[str]:
    """Every breach of the contract in the package at ``root``, as ``path:line: what``."""
    found = [imp for path in sorted(root.rglob("*.py")) for imp in imports_in(path, root)]
    breaches: list[str] = []
    modules = sorted({module_name(p, root): p for p in root.rglob("*.py")}.items())
    breaches += [
        f"{path}: {name} is in no layer (add it to LAYERS)"
        for name, path in modules
        if not unit_of(name, layers)
    ]
    units: dict[str, set[str]] = {}
    loads: dict[str, set[str]] = {}
    for imp in found:
        here, there = unit_of(imp.source, layers), unit_of(imp.target, layers)
        if here is None or there is None or here[1] == there[1]:
            if imp.loading and imp.source != imp.target:
                loads.setdefault(imp.source, set()).add(imp.target)
            continue
        if there[0] > here[0]:
            breaches.append(
                f"{imp.path}:{imp.line}: {imp.source} imports {imp.target}, "
                f"a higher layer ({there[1]} is above {here[1]})"
            )
        elif here[1] in only and there[1] not in only[here[1]]:
            allowed = ", ".join(only[here[1]]) or "nothing of the package"
            breaches.append(
                f"{imp.path}:{imp.line}: {imp.source} imports {imp.target}; {here[1]} may import {allowed}"
            )
        units.setdefault(here[1], set()).add(there[1])
        if imp.loading:
            loads.setdefault(imp.source, set()).add(imp.target)
    breaches += [f"{root}: packages import each other: {' <-> '.join(g)}" for g in find_cycles(units)]
    breaches += [
        f"{root}: modules import each other while loading: {' <-> '.join(g)}" for g in find_cycles(loads)
    ]
    return list(dict.fromkeys(breaches))  # one line per import statement


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m heatmap.devtools.layers", description=__doc__)
    parser.add_argument(
        "--root", type=Path, default=Path(__file__).resolve().parents[1], help="the package folder"
    )
    args = parser.parse_args(argv)
    breaches = check(args.root)
    for line in breaches:
        print(line, file=sys.stderr)
    if breaches:
        print(
            f"{len(breaches)} breach(es) of the import contract (heatmap/devtools/layers.py)", file=sys.stderr
        )
        return 1
    print(f"import contract kept: {len(LAYERS)} layers, no upward import, no cycle")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
