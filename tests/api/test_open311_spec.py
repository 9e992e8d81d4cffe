"""Our Open311 answers against the documented examples of the GeoReport v2 specification.

``open311_spec/`` holds each example document of the specification (services, a service
definition, the answer to a posted request, requests, errors) in JSON and XML. Each of our
answers must have the example's structure: the same root and item elements, the same
fields in the same order, and values of the same kinds (a field the example leaves empty
or null may be null in ours; ids are text or numbers; times are w3 date-times with an
offset; booleans are ``true``/``false``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from fastapi.testclient import TestClient

World = Any  # the fixture's type (tests/api/conftest.py)
SPEC = Path(__file__).parent / "open311_spec"
BASE = "/open311/v2"
#: Identifiers: numbers in the specification's JSON, text in its XML.
IDS = {"service_request_id", "address_id", "zipcode", "key", "account_id"}
#: Elements that hold a list of like items.
LISTS = {"services", "service_requests", "errors", "attributes", "values"}
W3_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:Z|[+-]\d{2}:\d{2})$")


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "text"
    return "object" if isinstance(value, dict) else "array"


def _same_json_shape(spec: object, ours: object, where: str = "$") -> None:
    kind, found = _kind(spec), _kind(ours)
    name = where.rsplit(".", 1)[-1]
    if kind == "object":
        assert isinstance(spec, dict) and isinstance(ours, dict), (where, ours)
        assert list(ours) == list(spec), (where, list(ours))
        for key in spec:
            _same_json_shape(spec[key], ours[key], f"{where}.{key}")
    elif kind == "array":
        assert isinstance(spec, list) and isinstance(ours, list), (where, ours)
        for item in ours:
            _same_json_shape(spec[0], item, f"{where}[]")
    elif found != "null":  # a field the example fills may be empty in ours, as in the spec's
        allowed = {"text", "number"} if name in IDS else {"text"} if kind == "null" else {kind}
        assert found in allowed, (where, spec, ours)
        if isinstance(spec, str) and W3_TIME.match(spec):
            assert isinstance(ours, str) and W3_TIME.match(ours), (where, ours)


def _same_xml_shape(spec: ElementTree.Element, ours: ElementTree.Element, where: str = "") -> None:
    path = f"{where}/{spec.tag}"
    assert ours.tag == spec.tag, (path, ours.tag)
    spec_children, our_children = list(spec), list(ours)
    if not spec_children:
        assert not our_children, (path, [c.tag for c in our_children])
        if (spec.text or "").strip() in ("true", "false"):
            assert (ours.text or "") in ("true", "false"), (path, ours.text)
        if W3_TIME.match((spec.text or "").strip()) and ours.text:
            assert W3_TIME.match(ours.text), (path, ours.text)
        return
    if spec.tag in LISTS:  # every item like the example's first
        for child in our_children:
            _same_xml_shape(spec_children[0], child, path)
        return
    assert [c.tag for c in our_children] == [c.tag for c in spec_children], path
    for spec_child, our_child in zip(spec_children, our_children, strict=True):
        _same_xml_shape(spec_child, our_child, path)


def _check(response: Any, example: str, *, status: int = 200) -> None:
    """The answer in JSON or XML (by the example's suffix) is shaped like the example."""
    assert response.status_code == status, response.text
    if example.endswith(".json"):
        assert response.headers["content-type"] == "application/json; charset=utf-8"
        _same_json_shape(json.loads((SPEC / example).read_text("utf-8")), response.json())
    else:
        assert response.headers["content-type"] == "text/xml; charset=utf-8"
        assert response.content.lower().startswith(b"<?xml version='1.0' encoding='utf-8'?>")
        spec = ElementTree.fromstring((SPEC / example).read_bytes())
        _same_xml_shape(spec, ElementTree.fromstring(response.content))


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_every_document_is_shaped_like_the_specifications_example(
    client: TestClient, world: World, fmt: str
) -> None:
    key = {"api_key": world.keys["agent"]}
    _check(client.get(f"{BASE}/services.{fmt}", params=key), f"services.{fmt}")
    _check(client.get(f"{BASE}/services/no_data.{fmt}", params=key), f"service_definition.{fmt}")
    form = {"service_code": "no_data", "lat": str(world.lat), "long": str(world.lon), "description": fmt}
    posted = client.post(f"{BASE}/requests.{fmt}", data=form, params=key)
    _check(posted, f"post_request.{fmt}", status=201)
    _check(client.get(f"{BASE}/requests.{fmt}", params=key), f"requests.{fmt}")
    listed = client.get(f"{BASE}/requests.json", params=key).json()
    assert len(listed) >= 6 and {r["status"] for r in listed} <= {"open", "closed"}
    assert any(r["expected_datetime"] for r in listed) or all(r["status"] == "open" for r in listed)
    one = listed[0]["service_request_id"]
    _check(client.get(f"{BASE}/requests/{one}.{fmt}", params=key), f"requests.{fmt}")
    _check(client.get(f"{BASE}/services/no_such.{fmt}", params=key), f"errors.{fmt}", status=404)
    _check(client.get(f"{BASE}/requests/NOPE-1.{fmt}", params=key), f"errors.{fmt}", status=404)
    refused = client.post(f"{BASE}/requests.{fmt}", data={"service_code": "no_data"}, params=key)
    _check(refused, f"errors.{fmt}", status=400)


def test_the_shape_check_sees_a_wrong_document() -> None:
    """The comparison itself fails on what the specification does not allow."""
    spec = json.loads((SPEC / "service_definition.json").read_text("utf-8"))
    with pytest.raises(AssertionError):
        _same_json_shape(spec, [{"service_code": "x", "attributes": []}])  # a list, not the object
    requests = json.loads((SPEC / "requests.json").read_text("utf-8"))
    moved = {k: requests[0][k] for k in reversed(list(requests[0]))}
    with pytest.raises(AssertionError):
        _same_json_shape(requests, [moved])
    with pytest.raises(AssertionError):
        _same_json_shape(requests, [{**requests[0], "requested_datetime": "14.04.2010 06:37"}])
    with pytest.raises(AssertionError):
        _same_json_shape(requests, [{**requests[0], "lat": "37.76"}])
    xml = ElementTree.fromstring((SPEC / "service_definition.xml").read_bytes())
    wrapped = ElementTree.fromstring(
        "<service_definition><service><service_code>x</service_code></service></service_definition>"
    )
    with pytest.raises(AssertionError):
        _same_xml_shape(xml, wrapped)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_refusals_before_the_endpoint_are_errors_documents_too(
    client: TestClient, world: World, fmt: str
) -> None:
    """No key, a key of the wrong role, an unreadable date: the specification's errors
    document in the format asked for, not the API's own problem JSON."""
    _check(client.get(f"{BASE}/services.{fmt}"), f"errors.{fmt}", status=401)
    gateway = client.get(f"{BASE}/services.{fmt}", headers=world.headers("gateway"))
    _check(gateway, f"errors.{fmt}", status=403)
    dated = client.get(
        f"{BASE}/requests.{fmt}", params={"api_key": world.keys["agent"], "start_date": "вчера"}
    )
    _check(dated, f"errors.{fmt}", status=400)
    assert "start_date" in dated.text


def test_an_unknown_format_is_a_400_errors_document(client: TestClient, world: World) -> None:
    answer = client.get(f"{BASE}/services.csv", params={"api_key": world.keys["agent"]})
    _check(answer, "errors.json", status=400)
    assert client.get("/api/v1/spots", headers={}).json()["message"]  # the rest of the API is unchanged
