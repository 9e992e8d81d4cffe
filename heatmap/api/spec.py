"""The parts of the OpenAPI document that come from the deployment's policy file.

Causes a spot may be resolved with and queue names are the policy's, so the document
lists the ones this server takes: a client or fuzzer reading it knows every value the
server accepts, and any other is refused.
"""

from __future__ import annotations

from typing import Any

from heatmap.core.policy import Policy


def document_policy(schema: dict[str, Any], policy: Policy) -> None:
    """Put the policy's causes and queues into ``schema`` as enums."""
    components = schema.get("components", {}).get("schemas", {})
    cause = components.get("ResolveIn", {}).get("properties", {}).get("cause")
    if cause is not None:
        cause["enum"] = sorted(policy.causes)
    for parameter in schema.get("paths", {}).get("/api/v1/spots", {}).get("get", {}).get("parameters", []):
        if parameter.get("name") == "queue":
            parameter["schema"] = {"type": "string", "enum": sorted(policy.queues)}
