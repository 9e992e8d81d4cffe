"""The OpenAPI document is the truth: a bounded schemathesis run with every check it has
(:func:`check_every_operation`, run on each store by test_schemathesis.py and
test_schemathesis_postgis.py, two files so that pytest-xdist runs them side by side).

Schemathesis generates requests for every operation from the document and sends them
to the app: schema-valid ones (with the real spot and queue in the path, and with
generated ones), schema-invalid ones, as every role and with no key. Every check must
pass: no server error; statuses, content types, headers and bodies as documented;
schema-valid data accepted (2xx, or 401/403/404/409 where the world says so), invalid
data refused; authentication enforced; Allow headers naming every method.

Bounded: :data:`EXAMPLES` examples per operation and mode as admin (the role that may
call everything; :data:`PATH_EXAMPLES` more with generated path parameters),
:data:`ROLE_EXAMPLES` for each other role and without a key.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable

World = Any  # the fixture's type (tests/api/conftest.py)
EXAMPLES = 25
#: With generated path parameters (unknown spots and queues: 404s), as admin.
PATH_EXAMPLES = 8
ROLE_EXAMPLES = 3
OTHER_ROLES = ("agent", "engineer", "analyst", "gateway", None)


def all_checks() -> list[Any]:
    from schemathesis.checks import CHECKS, load_all_checks

    load_all_checks()
    return list(CHECKS.get_all())


def rule_aware(check: Any) -> Any:
    """``positive_data_acceptance``, except for the one rule a schema cannot state: an ETA
    must be later than now (workflow rules; a past date is a 422 saying so)."""

    def positive_data_acceptance(ctx: Any, response: Any, case: Any) -> Any:
        if response.status_code == 422 and "has already passed" in response.text:
            return None
        return check(ctx, response, case)

    return positive_data_acceptance


def run_operation(
    operation: Any,
    mode: Any,
    headers: dict[str, str],
    path_parameters: dict[str, str],
    examples: int,
    checks: list[Any],
) -> str | None:
    strategy = operation.as_strategy(
        mode, headers=dict(headers) or None, path_parameters=path_parameters or None
    )
    if operation.path.endswith("/eta"):
        checks = [rule_aware(c) if c.__name__ == "positive_data_acceptance" else c for c in checks]

    @given(case=strategy)
    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        case.call_and_validate(headers=dict(headers) or None, checks=checks)

    try:
        run()
    except Unsatisfiable:  # nothing to break in an operation without parameters
        return None
    except (Exception, BaseExceptionGroup) as exc:  # collect all, then report
        who = headers.get("X-API-Key", "no key")[:15]
        return f"{operation.label} ({mode.value}, {who}): {exc}"[:3000]
    return None


def check_every_operation(world: World) -> None:
    """Every operation of the app over ``world``'s store, in every mode and role: every check
    passes, and enough requests were answered (1,000 or more; 200 with 200 OK, 50 with 401)."""
    import schemathesis
    from schemathesis.generation import GenerationMode

    from heatmap.api import create_app

    app = create_app(world.settings, world.store, api=world.api, clock=world.clock)
    schema: Any = schemathesis.openapi.from_asgi("/openapi.json", app)
    checks = all_checks()
    assert len(checks) >= 12
    real = {"spot_id": world.spot_id, "name": "ran_optimisation"}
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        names = {p.name for p in operation.path_parameters}
        given_path = {k: v for k, v in real.items() if k in names}
        admin = {"X-API-Key": world.keys["admin"]}
        runs: list[tuple[Any, dict[str, str], dict[str, str], int]] = [
            (GenerationMode.POSITIVE, admin, given_path, EXAMPLES),
            (GenerationMode.NEGATIVE, admin, {}, EXAMPLES),
        ]
        if names:
            runs.append((GenerationMode.POSITIVE, admin, {}, PATH_EXAMPLES))
        for role in OTHER_ROLES:
            key = {"X-API-Key": world.keys[role]} if role else {}
            runs.append((GenerationMode.POSITIVE, key, given_path, ROLE_EXAMPLES))
        for mode, headers, path_parameters, examples in runs:
            failure = run_operation(operation, mode, headers, path_parameters, examples, checks)
            if failure:
                failures.append(failure)
    assert operations >= 20
    answered: dict[str, float] = {}
    for metric in app.state.api.metrics.registry.collect():
        for sample in metric.samples:
            if sample.name == "heatmap_http_requests_total":
                status = sample.labels["status"]
                answered[status] = answered.get(status, 0) + sample.value
    assert sum(answered.values()) >= 1000, answered
    assert answered.get("200", 0) >= 200 and answered.get("401", 0) >= 50, answered
    assert not failures, "\n\n".join(failures)
