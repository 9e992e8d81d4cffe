"""scipy's k-d tree without the rest of :mod:`scipy.spatial`.

Importing ``scipy.spatial`` loads Delaunay triangulations, rotations, distance
functions and ``scipy.special`` with it: 0.3 s of CPU, a quarter of a whole
``detect-file --method dbscan`` at 300k points, for a radius search that needs only
the k-d tree's own extension module (and ``scipy.sparse``, which it imports itself).
:func:`kd_tree` loads that module alone, under its own name, so a later
``import scipy.spatial`` finds and reuses it; wherever its file is not where this
scipy keeps it, does not load, or holds no class of the expected shape, the package is
imported as usual (scipy 1.17: 0.09-0.29 s for ``import scipy.spatial`` after
``scipy.sparse``, by ``python -X importtime``, mostly ``_qhull`` and ``scipy.linalg``).
"""

from __future__ import annotations

import importlib.util
import sys
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from scipy.spatial import cKDTree

_MODULE = "scipy.spatial._ckdtree"
#: The extension's file name in scipy/spatial, before its platform suffix.
_FILE_STEM = "_ckdtree"
#: What the callers (:mod:`heatmap.detect.neighbours`) use of the class: a module whose
#: ``cKDTree`` lacks one is not the extension this was written against.
_USED = ("query_pairs", "sparse_distance_matrix", "query_ball_point")


def kd_tree() -> type[cKDTree]:
    """The class ``scipy.spatial.cKDTree``: its extension loaded alone (about 2 ms, where
    ``import scipy.spatial`` takes 0.1-0.3 s of CPU), else, when that module is missing,
    fails to load or holds no such class, the public one."""
    loaded = sys.modules.get(_MODULE)
    if loaded is None and "scipy.spatial" not in sys.modules:
        loaded = _load_alone()
    tree = _tree_class(loaded)
    if tree is None:
        from scipy.spatial import cKDTree

        return cast("type[cKDTree]", cKDTree)
    return tree


def _tree_class(module: ModuleType | None) -> type[cKDTree] | None:
    """``module.cKDTree`` when it is a class with every method the callers use."""
    tree = getattr(module, "cKDTree", None)
    if isinstance(tree, type) and all(callable(getattr(tree, name, None)) for name in _USED):
        return cast("type[cKDTree]", tree)
    return None


def _load_alone() -> ModuleType | None:
    """The k-d tree's extension module, loaded without its package; None when it cannot
    be, or is not the module :func:`kd_tree` expects (then it is not left registered,
    so ``import scipy.spatial`` loads its own)."""
    import scipy

    folder = Path(scipy.__file__).parent / "spatial"
    found = [file for end in EXTENSION_SUFFIXES if (file := folder / f"{_FILE_STEM}{end}").is_file()]
    spec = importlib.util.spec_from_file_location(_MODULE, found[0]) if found else None
    if spec is None or spec.loader is None:
        return None
    try:
        module = importlib.util.module_from_spec(spec)  # an extension is loaded here
        sys.modules[_MODULE] = module
        spec.loader.exec_module(module)
    except Exception:  # an extension of another build or layout: the package knows how to load it
        sys.modules.pop(_MODULE, None)
        return None
    if _tree_class(module) is None:
        sys.modules.pop(_MODULE, None)
        return None
    return module
