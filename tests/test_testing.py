"""The import probe of :mod:`heatmap.testing`: it fails on a forbidden import and on a
probe that did not run to its end, never passing by accident."""

from __future__ import annotations

import pytest

from heatmap.testing import assert_imports_none, modules_loaded_by


def test_it_names_what_the_code_loaded_packages_through_their_modules() -> None:
    code = "import email.mime.text\nprint('heatmap.testing loaded: decoy')"  # the code may print too
    assert modules_loaded_by(code, ["email", "email.mime", "tomllib", "email"]) == ["email", "email.mime"]
    assert_imports_none("import json", ["tomllib", "email.mime"])


def test_a_forbidden_import_fails() -> None:
    with pytest.raises(AssertionError, match=r"^email, email\.mime imported by:\nimport email\.mime\.text"):
        assert_imports_none("import email.mime.text", ["email.mime", "email"])


@pytest.mark.parametrize("code", ["raise ValueError('broken probe')", "import sys\nsys.exit(0)"])
def test_a_probe_that_did_not_finish_fails(code: str) -> None:
    with pytest.raises(AssertionError, match="the probe failed"):
        assert_imports_none(code, ["email"])
