"""The size rule of ``make lint`` holds for the package and catches a breach."""

from __future__ import annotations

from pathlib import Path

import heatmap
from heatmap.devtools import sizes


def test_the_package_keeps_the_size_rule() -> None:
    assert list(sizes.breaches(Path(heatmap.__file__).parent)) == []


def test_a_long_module_and_a_long_function_are_named(tmp_path: Path) -> None:
    body = "\n".join(f"    x{i} = {i}" for i in range(sizes.MAX_FUNCTION_LINES))
    (tmp_path / "long_function.py").write_text(f"def f() -> None:\n{body}\n", encoding="utf-8")
    (tmp_path / "long_module.py").write_text("x = 1\n" * (sizes.MAX_MODULE_LINES + 1), encoding="utf-8")
    (tmp_path / "fine.py").write_text("def g() -> int:\n    return 1\n", encoding="utf-8")
    found = list(sizes.breaches(tmp_path))
    assert len(found) == 2
    assert any("long_function.py:1: f is 81 lines" in line for line in found)
    assert any("long_module.py: 401 lines" in line for line in found)
    assert sizes.main([str(tmp_path)]) == 1
    assert sizes.main([str(tmp_path / "nothing")]) == 0
