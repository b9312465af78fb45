"""The OpenAPI document: complete, well-formed, and true to what the hub accepts and answers."""

from __future__ import annotations

import copy
import functools
import re
from typing import Any

import jsonschema
import pytest

from contacthub_server.schemas import load_openapi
from contacthub_server.schemas.normalise import normalise_customer, normalise_event, normalise_item
from contacthub_server.service.customers import project
from contacthub_server.service.validation import validate_customer, validate_event, validate_item

DOC = load_openapi()
METHODS = {"get", "put", "post", "patch", "delete"}


def resolve(node: Any) -> Any:
    """``node`` with every ``$ref`` replaced by what it points to, and 3.0 ``nullable`` turned
    into JSON Schema, so plain ``jsonschema`` can check documents against it."""
    if isinstance(node, dict):
        if "$ref" in node:
            target: Any = DOC
            for step in node["$ref"].removeprefix("#/").split("/"):
                target = target[step]
            return resolve(target)
        result = {key: resolve(value) for key, value in node.items() if key != "nullable"}
        if node.get("nullable"):
            if "type" in result:
                result["type"] = [result["type"], "null"]
            else:
                return {"anyOf": [result, {"type": "null"}]}
        return result
    if isinstance(node, list):
        return [resolve(value) for value in node]
    return node


@functools.cache
def schema(name: str) -> dict[str, Any]:
    resolved: dict[str, Any] = resolve({"$ref": f"#/components/schemas/{name}"})
    return resolved


def check(document: Any, name: str) -> None:
    """Raise ``jsonschema.ValidationError`` unless ``document`` satisfies the named schema."""
    jsonschema.Draft7Validator(schema(name)).validate(document)


def test_every_hub_route_is_documented_with_its_methods() -> None:
    from contacthub_server.api.routes import routes

    served = {}
    for route in routes():
        path = getattr(route, "path", "")
        if path.endswith("openapi.json"):
            continue
        served[path] = {m.lower() for m in getattr(route, "methods", ()) if m != "HEAD"}
    documented = {path: set(item) & METHODS for path, item in DOC["paths"].items()}
    assert documented == served


def test_every_operation_documents_auth_errors_and_its_success() -> None:
    for path, item in DOC["paths"].items():
        for method in set(item) & METHODS:
            answers = item[method]["responses"]
            assert {"401", "403", "404", "405"} <= set(answers), (method, path)
            assert any(code.startswith("2") for code in answers), (method, path)
            if "requestBody" in item[method]:
                assert {"400", "413"} <= set(answers), (method, path)


def test_every_reference_resolves_and_every_schema_is_valid() -> None:
    text = repr(DOC)
    for ref in set(re.findall(r"'\$ref': '([^']+)'", text)):
        target: Any = DOC
        for step in ref.removeprefix("#/").split("/"):
            target = target[step]
    for name in DOC["components"]["schemas"]:
        jsonschema.Draft7Validator.check_schema(schema(name))


def test_path_parameters_are_declared() -> None:
    for path, item in DOC["paths"].items():
        names = set(re.findall(r"{(\w+)}", path))
        assert {p["name"] for p in item["parameters"]} == names


def test_load_openapi_returns_a_copy() -> None:
    mine = load_openapi()
    mine["paths"].clear()
    assert load_openapi()["paths"]


FULL_CUSTOMER = {
    "nodeId": "n",
    "externalId": "01",
    "base": {
        "firstName": "Mario",
        "dob": "1980-05-10",
        "timezone": "Europe/Rome",
        "contacts": {"email": "m@example.com", "otherContacts": [{"type": "PHONE"}]},
        "address": {"geo": {"lat": 1.5, "lon": 2}},
        "likes": [{"id": "l1", "createdTime": "2017-03-08T10:18:17Z"}],
        "jobs": [{"id": "j1", "startDate": "2017-03-08"}],
        "subscriptions": [{"id": "s1", "preferences": [{"key": "a", "value": "b"}]}],
    },
    "consents": {"disclaimer": {"date": "2018-05-25T14:05:00Z", "version": "v1"}},
    "tags": {"auto": [], "manual": ["vip"]},
}


def test_a_valid_customer_satisfies_the_request_schemas() -> None:
    check(FULL_CUSTOMER, "CustomerInput")
    check({"base": {"firstName": None}}, "CustomerPatch")


def test_the_hub_answer_for_a_customer_satisfies_the_response_schema() -> None:
    stored = validate_customer(FULL_CUSTOMER)
    stored.update(id="c1", registeredAt="2017-03-08T10:18:17.000+0000", updatedAt=None)
    check(normalise_customer(stored), "Customer")
    whole = normalise_customer(stored)
    for fields in (["base.firstName"], ["base.jobs.startDate", "base.address.geo.lat"], ["x"]):
        projected = project(whole, [tuple(path.split(".")) for path in fields])
        check(projected, "CustomerFields")
        with pytest.raises(jsonschema.ValidationError):
            check(projected, "Customer")


def test_the_response_schema_refuses_a_date_in_another_form() -> None:
    stored = normalise_customer({"id": "c1", "nodeId": "n", "registeredAt": "2017-03-08T10:18:17Z"})
    with pytest.raises(jsonschema.ValidationError):
        check(stored, "Customer")


def test_items_and_events_satisfy_their_schemas() -> None:
    item = validate_item("likes", {"id": "l", "createdTime": "2017-03-08T10:18:17+01:00"})
    check({"id": "l", "createdTime": "2017-03-08T10:18:17Z"}, "LikeInput")
    check(normalise_item("likes", item), "Like")
    body = {
        "customerId": "c",
        "type": "viewedPage",
        "context": "WEB",
        "properties": {"url": "https://example.com"},
    }
    check(body, "EventInput")
    stored = validate_event(copy.deepcopy(body))
    stored.update(id="e1", registeredAt="2017-03-08T10:18:17.000+0000")
    check(normalise_event(stored), "Event")


def test_request_schemas_refuse_what_validation_refuses() -> None:
    with pytest.raises(jsonschema.ValidationError):
        check({"nodeId": "n", "base": {"nickname": "x"}}, "CustomerInput")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(
            {"nodeId": "n", "base": {"timezone": "Mars/Base"}}, schema("CustomerInput")
        )
    with pytest.raises(jsonschema.ValidationError):
        check({"schoolType": "NURSERY"}, "EducationInput")
    with pytest.raises(jsonschema.ValidationError):
        check({"id": ".."}, "EducationInput")
