"""The house rule on sizes, checked by ``make lint``: no module of the package over
:data:`MAX_MODULE_LINES` lines and no function over :data:`MAX_FUNCTION_LINES` (a
module reads in one sitting, a function fits a screen). Complexity is ruff's C901.

    python -m heatmap.devtools.sizes [ROOT]

prints each breach and exits 1 when there is one.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 80


def breaches(root: Path) -> Iterator[str]:
    """One line per module or function of the ``.py`` files under ``root`` over the limits."""
    for path in sorted(root.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        lines = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
        if lines > MAX_MODULE_LINES:
            yield f"{path}: {lines} lines (at most {MAX_MODULE_LINES})"
        for node in ast.walk(ast.parse(text, filename=str(path))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    limit = f"at most {MAX_FUNCTION_LINES}"
                    yield f"{path}:{node.lineno}: {node.name} is {length} lines ({limit})"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    root = Path(args[0]) if args else Path(__file__).resolve().parents[1]
    found = list(breaches(root))
    for line in found:
        print(line)
    if found:
        return 1
    print(f"sizes kept: modules ≤ {MAX_MODULE_LINES} lines, functions ≤ {MAX_FUNCTION_LINES} lines")
    return 0


if __name__ == "__main__":
    sys.exit(main())
