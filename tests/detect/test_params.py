"""One definition of a detection run's parameters, light to import."""

from __future__ import annotations

from dataclasses import fields

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


def test_options_carry_every_field_the_expected_rule_reads() -> None:
    chosen = params.DetectParams(
        method="dbscan", h3_res=8, eps_m=120.0, min_subscribers=5, window_days=10.0, q=0.01, scan_days=(2.0,)
    )
    options = chosen.options()
    for field in fields(options):
        assert getattr(options, field.name) == getattr(chosen, field.name), field.name
