"""The import contract (heatmap.devtools.layers): the layers hold, and a breach is caught."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from heatmap.devtools.layers import LAYERS, ONLY, check, find_cycles, imports_in, unit_of

PACKAGE = Path(__file__).resolve().parents[1] / "heatmap"


def test_the_package_keeps_its_layers() -> None:
    assert check(PACKAGE) == []


def test_the_core_imports_only_the_domain_and_errors() -> None:
    assert ONLY["heatmap.core"] == ("heatmap.domain", "heatmap.errors")
    reached = {
        imp.target.split(".")[1]
        for path in (PACKAGE / "core").rglob("*.py")
        for imp in imports_in(path, PACKAGE)
    }
    assert reached <= {"core", "domain", "errors"}, reached


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of the package's modules to plant breaches in."""
    root = tmp_path / "heatmap"

    def not_source(folder: str, names: list[str]) -> set[str]:
        return {
            n for n in names if n == "__pycache__" or ((Path(folder) / n).is_file() and not n.endswith(".py"))
        }

    shutil.copytree(PACKAGE, root, ignore=not_source)
    return root


def _plant(path: Path, line: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")


def test_an_upward_import_inside_a_function_is_a_breach(tree: Path) -> None:
    _plant(tree / "core" / "text.py", "def _later() -> None:\n    from heatmap.store import open_store")
    breaches = check(tree)
    assert any(
        "core/text.py" in b and "heatmap.core.text imports heatmap.store, a higher layer" in b
        for b in breaches
    ), breaches
    assert any("packages import each other" in b and "heatmap.core" in b for b in breaches), breaches


def test_the_core_importing_a_lower_layer_beyond_domain_and_errors_is_a_breach(tree: Path) -> None:
    _plant(tree / "core" / "priority.py", "from heatmap.defaults import DEFAULT_DB")
    breaches = check(tree)
    assert any(
        "core/priority.py" in b and "may import heatmap.domain, heatmap.errors" in b for b in breaches
    ), breaches
    _plant(tree / "domain" / "raw.py", "from heatmap.errors import InputError")
    assert any("heatmap.domain may import nothing of the package" in b for b in check(tree))


def test_a_cycle_between_siblings_is_a_breach(tree: Path) -> None:
    # io and closeout share a layer; closeout importing io is allowed, both ways is not
    before = check(tree)
    _plant(tree / "closeout" / "links.py", "from heatmap.io import writers")
    assert check(tree) == before
    _plant(tree / "io" / "writers.py", "import heatmap.closeout.links")
    breaches = check(tree)
    assert any("packages import each other: heatmap.closeout <-> heatmap.io" in b for b in breaches), breaches
    assert any("modules import each other while loading" in b for b in breaches), breaches


def test_a_package_in_no_layer_is_a_breach(tree: Path) -> None:
    (tree / "newthing").mkdir()
    (tree / "newthing" / "__init__.py").write_text('"""New."""\n', encoding="utf-8")
    assert any("heatmap.newthing is in no layer" in b for b in check(tree))


def test_the_lint_step_fails_on_a_planted_breach(tree: Path) -> None:
    _plant(tree / "domain" / "raw.py", "from heatmap.core import cells")
    ran = subprocess.run(
        [sys.executable, "-m", "heatmap.devtools.layers", "--root", str(tree)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ran.returncode == 1
    assert "heatmap.domain.raw imports heatmap.core.cells, a higher layer" in ran.stderr


def test_relative_and_type_checking_imports_count_but_not_while_loading(tmp_path: Path) -> None:
    root = tmp_path / "heatmap"
    (root / "core").mkdir(parents=True)
    (root / "__init__.py").write_text("", encoding="utf-8")
    (root / "core" / "__init__.py").write_text("", encoding="utf-8")
    (root / "core" / "a.py").write_text(
        "from typing import TYPE_CHECKING\nfrom . import b\n"
        "if TYPE_CHECKING:\n    from heatmap.core.c import C\n",
        encoding="utf-8",
    )
    found = {(i.target, i.loading) for i in imports_in(root / "core" / "a.py", root)}
    assert found == {("heatmap.core", True), ("heatmap.core.c", False)}


def test_units_are_the_longest_declared_prefix() -> None:
    level = {name: i for i, names in enumerate(LAYERS) for name in names}
    assert unit_of("heatmap.devtools.cli_runner") == (
        level["heatmap.devtools.cli_runner"],
        "heatmap.devtools.cli_runner",
    )
    assert unit_of("heatmap.devtools.samples") == (level["heatmap.devtools"], "heatmap.devtools")
    assert unit_of("heatmap") == (level["heatmap"], "heatmap")
    assert unit_of("heatmap.unknown") is None  # the root holds only its __init__


def test_cycles_are_found_with_every_member() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}}
    assert find_cycles(edges) == [["a", "b", "c"], ["e"]]
