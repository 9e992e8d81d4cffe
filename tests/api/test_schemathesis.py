"""A bounded property-based run against the OpenAPI document: no request makes a 5xx.

Schemathesis generates valid and invalid requests for every operation (a few
examples each: with the real spot and queue in the path, with generated ones,
and schema-violating ones) and sends them with an admin key. Every answer must be
a documented status with a body matching its schema, and never a server error.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable

schemathesis = pytest.importorskip("schemathesis")

World = Any  # the fixture's type (tests/api/conftest.py)
EXAMPLES = 5


def test_no_request_makes_a_server_error(world: World) -> None:
    from schemathesis.checks import not_a_server_error
    from schemathesis.generation import GenerationMode
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    from heatmap.api import create_app

    app = create_app(world.settings, world.store, api=world.api, clock=world.clock)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    headers = {"X-API-Key": world.keys["admin"]}
    real = {"spot_id": world.spot_id, "name": "ran_optimisation"}
    checks = [not_a_server_error, status_code_conformance, content_type_conformance,
              response_schema_conformance]
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        names = {p.name for p in operation.path_parameters}
        runs = [(GenerationMode.POSITIVE, {k: v for k, v in real.items() if k in names}),
                (GenerationMode.NEGATIVE, {})]
        if names:
            runs.append((GenerationMode.POSITIVE, {}))
        for mode, path_parameters in runs:
            strategy = operation.as_strategy(mode, headers=headers,
                                             path_parameters=path_parameters or None)

            @given(case=strategy)
            @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                      suppress_health_check=list(HealthCheck))
            def run(case: Any) -> None:
                case.call_and_validate(headers=headers, checks=checks)

            try:
                run()
            except Unsatisfiable:  # nothing to break in an operation without parameters
                continue
            except (Exception, BaseExceptionGroup) as exc:  # collect all, then report
                failures.append(f"{operation.label} ({mode.value}): {exc}"[:3000])
    assert operations >= 15
    answered: dict[str, float] = {}
    for metric in app.state.api.metrics.registry.collect():
        for sample in metric.samples:
            if sample.name == "heatmap_http_requests_total":
                status = sample.labels["status"]
                answered[status] = answered.get(status, 0) + sample.value
    assert sum(answered.values()) >= 100 and answered.get("200", 0) >= 20, answered
    assert not failures, "\n\n".join(failures)
