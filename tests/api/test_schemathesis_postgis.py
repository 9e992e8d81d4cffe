"""The OpenAPI document is the truth, on PostGIS: every check of a bounded schemathesis run
passes for every role (tests/api/schemathesis_support.py; SQLite in test_schemathesis.py)."""

from __future__ import annotations

import pytest

from .schemathesis_support import World, check_every_operation

pytest.importorskip("schemathesis")

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("store_url", [pytest.param("postgis", marks=pytest.mark.postgis)], indirect=True)
def test_every_check_passes_for_every_role(world: World) -> None:
    check_every_operation(world)
