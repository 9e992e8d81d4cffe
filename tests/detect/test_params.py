"""One definition of a detection run's parameters, light to import."""

from __future__ import annotations

from heatmap.detect import params, run
from heatmap.testing import assert_imports_none


def test_run_re_exports_the_one_definition() -> None:
    assert run.DetectParams is params.DetectParams
    assert run.RULES is params.RULES


def test_importing_the_parameters_loads_neither_pandas_nor_the_expected_rule() -> None:
    assert_imports_none(
        "from heatmap.detect.params import DetectParams\nDetectParams(rule='count')",
        ["pandas", "scipy", "heatmap.detect.run", "heatmap.detect.significance"],
    )
