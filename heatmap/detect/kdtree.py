"""scipy's k-d tree without the rest of :mod:`scipy.spatial`.

Importing ``scipy.spatial`` loads Delaunay triangulations, rotations, distance
functions and ``scipy.special`` with it: 0.3 s of CPU, a quarter of a whole
``detect-file --method dbscan`` at 300k points, for a radius search that needs only
the k-d tree's own extension module (and ``scipy.sparse``, which it imports itself).
:func:`kd_tree` loads that module alone, under its own name, so a later
``import scipy.spatial`` finds and reuses it; wherever its file is not where this
scipy keeps it, the package is imported as usual.
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


def kd_tree() -> type[cKDTree]:
    """The class ``scipy.spatial.cKDTree``."""
    loaded = sys.modules.get(_MODULE)
    if loaded is None and "scipy.spatial" not in sys.modules:
        loaded = _load_alone()
    if loaded is None:
        from scipy.spatial import cKDTree

        return cast("type[cKDTree]", cKDTree)
    return cast("type[cKDTree]", loaded.cKDTree)


def _load_alone() -> ModuleType | None:
    """The k-d tree's extension module, loaded without its package; None when it cannot be."""
    import scipy

    folder = Path(scipy.__file__).parent / "spatial"
    found = [folder / f"_ckdtree{end}" for end in EXTENSION_SUFFIXES if (folder / f"_ckdtree{end}").is_file()]
    spec = importlib.util.spec_from_file_location(_MODULE, found[0]) if found else None
    if spec is None or spec.loader is None:
        return None
    module = importlib.util.module_from_spec(spec)
    sys.modules[_MODULE] = module
    try:
        spec.loader.exec_module(module)
    except ImportError:
        del sys.modules[_MODULE]
        return None
    return module
