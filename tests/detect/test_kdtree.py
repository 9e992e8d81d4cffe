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
