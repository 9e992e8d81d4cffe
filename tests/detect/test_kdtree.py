"""scipy's k-d tree loaded alone: the same class scipy.spatial gives, found by it later."""

from __future__ import annotations

import subprocess
import sys


def _run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_the_tree_comes_alone_and_scipy_spatial_reuses_it() -> None:
    code = (
        "import sys\n"
        "import numpy as np\n"
        "from heatmap.detect.kdtree import kd_tree\n"
        "tree = kd_tree()\n"
        "alone = 'scipy.spatial' not in sys.modules\n"
        "pairs = tree(np.array([[0.0, 0.0, 0.0], [0.5, 0.0, 0.0], [3.0, 0.0, 0.0]])).query_pairs(1.0)\n"
        "import scipy.spatial\n"
        "print(alone, scipy.spatial.cKDTree is tree, sorted(pairs))"
    )
    assert _run(code) == "True True [(0, 1)]"


def test_after_scipy_spatial_the_tree_is_its_own() -> None:
    code = (
        "import scipy.spatial\n"
        "from heatmap.detect.kdtree import kd_tree\n"
        "print(kd_tree() is scipy.spatial.cKDTree)"
    )
    assert _run(code) == "True"


def test_dbscan_needs_no_more_of_scipy_spatial() -> None:
    code = (
        "import sys\n"
        "import numpy as np\n"
        "from heatmap.detect.dbscan import label_dbscan\n"
        "lat = np.array([59.0, 59.0001, 59.0002, 60.0])\n"
        "lon = np.array([30.0, 30.0, 30.0, 30.0])\n"
        "labels = label_dbscan(lat, lon, eps_m=50.0, min_subscribers=3).tolist()\n"
        "print(labels, 'scipy.spatial' in sys.modules)"
    )
    assert _run(code) == "[0, 0, 0, -1] False"
