"""scipy's k-d tree loaded alone: the same class scipy.spatial gives, found by it later."""

from __future__ import annotations

import subprocess
import sys

from heatmap.testing import assert_imports_none


def _run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_the_tree_comes_alone_and_scipy_spatial_reuses_it() -> None:
    tree = "import numpy as np\nfrom heatmap.detect.kdtree import kd_tree\ntree = kd_tree()\n"
    assert_imports_none(tree, ["scipy.spatial"])
    code = tree + (
        "pairs = tree(np.array([[0.0, 0.0, 0.0], [0.5, 0.0, 0.0], [3.0, 0.0, 0.0]])).query_pairs(1.0)\n"
        "import scipy.spatial\n"
        "print(scipy.spatial.cKDTree is tree, sorted(pairs))"
    )
    assert _run(code) == "True [(0, 1)]"


def test_after_scipy_spatial_the_tree_is_its_own() -> None:
    code = (
        "import scipy.spatial\n"
        "from heatmap.detect.kdtree import kd_tree\n"
        "print(kd_tree() is scipy.spatial.cKDTree)"
    )
    assert _run(code) == "True"


def test_dbscan_needs_no_more_of_scipy_spatial() -> None:
    code = (
        "import numpy as np\n"
        "from heatmap.detect.dbscan import label_dbscan\n"
        "lat = np.array([59.0, 59.0001, 59.0002, 60.0])\n"
        "lon = np.array([30.0, 30.0, 30.0, 30.0])\n"
        "labels = label_dbscan(lat, lon, eps_m=50.0, min_subscribers=3).tolist()\n"
        "assert labels == [0, 0, 0, -1], labels"
    )
    assert_imports_none(code, ["scipy.spatial"])


def _fallback(change: str) -> str:
    """What :func:`kd_tree` gives after ``change`` to :mod:`heatmap.detect.kdtree`: whether
    it is scipy.spatial's class, whether it finds pairs, and whether the package was loaded."""
    return _run(
        "import sys\nimport numpy as np\nimport heatmap.detect.kdtree as kdtree\n"
        f"{change}\n"
        "tree = kdtree.kd_tree()\n"
        "loaded = 'scipy.spatial' in sys.modules\n"
        "pairs = tree(np.array([[0.0, 0.0, 0.0], [0.5, 0.0, 0.0], [3.0, 0.0, 0.0]])).query_pairs(1.0)\n"
        "import scipy.spatial\n"
        "print(tree is scipy.spatial.cKDTree, sorted(pairs), loaded)"
    )


def test_without_the_extension_file_the_public_class_is_used() -> None:
    assert _fallback("kdtree._FILE_STEM = '_no_such_extension'") == "True [(0, 1)] True"


def test_an_extension_that_will_not_load_alone_is_not_left_registered() -> None:
    # another extension of scipy.spatial defines no PyInit__ckdtree: an ImportError on loading
    assert _fallback("kdtree._FILE_STEM = '_qhull'") == "True [(0, 1)] True"


def test_a_tree_class_of_another_shape_falls_back_to_the_public_one() -> None:
    said = _fallback("kdtree._USED = (*kdtree._USED, 'query_something_new')")
    assert said == "True [(0, 1)] True", "the package is loaded and its class used"
