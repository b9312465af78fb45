"""The workspace configuration over HTTP, on both backends: the workspace's parameters, its event
types (and how they gate ``POST …/events``), its base properties and the API's models."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
import requests
from hubclient import Api, assert_error

from contacthub.testing import Hub
from contacthub_server.schemas.event_catalog import CONTEXTS, EVENT_TYPES
from contacthub_server.schemas.normalise import BASE_KEYS

EVENT_TYPE_KEYS = ["id", "type", "mode", "label", "description", "propertiesSchema", "enabled"]


def ok(reply: requests.Response, status: int = 200) -> Any:
    assert reply.status_code == status, reply.text
    return reply.json()


def post_event(api: Api, customer_id: str, event_type: str = "loggedIn") -> requests.Response:
    body = {"customerId": customer_id, "type": event_type, "context": "WEB", "properties": {}}
    return api("POST", "/events", json=body)


# -- …/configuration ------------------------------------------------------------------------
def test_a_new_workspace_has_the_default_parameters(api: Api) -> None:
    assert ok(api("GET", "/configuration")) == {
        "name": api.hub.workspace_id,
        "industry": "NotDefined",
        "logo": None,
        "timezone": "Europe/Rome",
        "currency": "EUR",
        "customerUniquenessPolicy": "BLOCK",
        "tier": None,
    }


def test_a_put_changes_the_parameters_it_names_and_keeps_the_others(api: Api) -> None:
    changed = ok(
        api(
            "PUT",
            "/configuration",
            json={"name": "Acme", "industry": "Luxury", "currency": "USD", "tier": 7},
        )
    )
    assert (changed["name"], changed["industry"], changed["currency"]) == ("Acme", "Luxury", "USD")
    assert changed["timezone"] == "Europe/Rome"
    assert changed["tier"] is None  # read-only: ignored
    again = ok(api("PUT", "/configuration", json={"logo": "https://acme.example/logo.png"}))
    assert again == {**changed, "logo": "https://acme.example/logo.png"}
    assert ok(api("GET", "/configuration")) == again


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"industry": "Banking"}, "/industry"),
        ({"timezone": "Mars/Olympus"}, "/timezone"),
        ({"currency": "eur"}, "/currency"),
        ({"name": ""}, "/name"),
        ({"name": None}, "/name"),
        ({"logo": "not a url"}, "/logo"),
        ({"customerUniquenessPolicy": "IGNORE"}, "/customerUniquenessPolicy"),
        ({"colour": "blue"}, "/colour"),
        ({"name": "a\x00b"}, "/name"),
    ],
)
def test_a_bad_parameter_is_a_400_naming_it(api: Api, body: dict[str, Any], pointer: str) -> None:
    error = assert_error(api("PUT", "/configuration", json=body), 400)
    assert pointer in [e["path"] for e in error["errors"]], error
    assert ok(api("GET", "/configuration"))["name"] == api.hub.workspace_id


@pytest.mark.parametrize("body", [[], "text", 3])
def test_a_configuration_body_must_be_an_object(api: Api, body: Any) -> None:
    error = assert_error(api("PUT", "/configuration", json=body), 400)
    assert error["errors"][0]["path"] == ""


def test_the_uniqueness_policy_is_the_nodes_matching_mode(api: Api) -> None:
    email = {"contacts": {"email": "twin@example.com"}}
    first = api.customer(base=email)
    assert_error(api("POST", "/customers", json={"nodeId": api.hub.node_id, "base": email}), 409)

    changed = ok(api("PUT", "/configuration", json={"customerUniquenessPolicy": "NO_CHECK"}))
    assert changed["customerUniquenessPolicy"] == "NO_CHECK"
    api.customer(base=email)  # duplicates allowed now

    ok(api("PUT", "/configuration", json={"customerUniquenessPolicy": "MERGE"}))
    # Back to matching: the oldest of the twins holds the email, and a new write merges into it.
    merged = ok(
        api(
            "POST",
            "/customers",
            json={"nodeId": api.hub.node_id, "base": {**email, "firstName": "Ada"}},
        ),
        201,
    )
    assert merged["id"] == first["id"]
    assert merged["base"]["firstName"] == "Ada"


# -- event types ----------------------------------------------------------------------------
def test_the_event_types_are_listed_in_pages_of_twenty(api: Api) -> None:
    first = ok(api("GET", "/configuration/events"))
    assert first["page"]["size"] == 20
    assert first["page"]["totalElements"] == len(EVENT_TYPES)
    assert first["page"]["totalPages"] == 3
    listed = []
    for page in range(3):
        reply = ok(api("GET", "/configuration/events", params={"page": page}))
        listed.extend(reply["elements"])
    assert [e["id"] for e in listed] == list(EVENT_TYPES)
    everything = ok(api("GET", "/configuration/events", params={"size": 50}))["elements"]
    assert everything == listed
    for element in listed:
        assert list(element) == EVENT_TYPE_KEYS
        assert element["type"] == element["id"]
        assert element["mode"] == EVENT_TYPES[element["id"]]
        assert element["enabled"] is True
        jsonschema.Draft4Validator.check_schema(element["propertiesSchema"])


def test_an_event_type_has_a_label_and_the_schema_of_its_properties(api: Api) -> None:
    viewed = ok(api("GET", "/configuration/events/viewedProductCategory"))
    assert (viewed["label"], viewed["description"]) == (
        "Viewed product category",
        "viewed product category",
    )
    reward = ok(api("GET", "/configuration/events/addedReward"))
    validator = jsonschema.Draft4Validator(reward["propertiesSchema"])
    assert validator.is_valid({"rewardAmount": 10, "rewardTypeId": "points"})
    assert not validator.is_valid({"rewardTypeId": "points"})  # rewardAmount is required
    assert not validator.is_valid({"rewardAmount": -1, "rewardTypeId": "points"})
    order = ok(api("GET", "/configuration/events/completedOrder"))
    assert not jsonschema.Draft4Validator(order["propertiesSchema"]).is_valid({"type": "gift"})


def test_an_unknown_event_type_is_a_404(api: Api) -> None:
    assert_error(api("GET", "/configuration/events/boughtHouse"), 404)
    assert_error(api("PUT", "/configuration/events/boughtHouse", json={"enabled": False}), 404)


def test_a_disabled_event_type_is_refused_and_enabled_again(api: Api) -> None:
    customer = api.customer(externalId="c1")
    kept = ok(post_event(api, customer["id"], "loggedIn"), 202)

    disabled = ok(api("PUT", "/configuration/events/loggedIn", json={"enabled": False}))
    assert disabled["enabled"] is False
    assert ok(api("GET", "/configuration/events/loggedIn"))["enabled"] is False

    error = assert_error(post_event(api, customer["id"], "loggedIn"), 400)
    assert [e["path"] for e in error["errors"]] == ["/type"]
    assert "disabled" in error["message"]
    ok(post_event(api, customer["id"], "loggedOut"), 202)  # other types are unaffected
    # Replacing an event with a disabled type is refused too; stored events stay.
    other = ok(post_event(api, customer["id"], "viewedPage"), 202)
    body = {"customerId": customer["id"], "type": "loggedIn", "context": "WEB", "properties": {}}
    assert_error(api("PUT", f"/events/{other['id']}", json=body), 400)
    assert ok(api("GET", f"/events/{kept['id']}"))["type"] == "loggedIn"

    ok(api("PUT", "/configuration/events/loggedIn", json={"enabled": True}))
    ok(post_event(api, customer["id"], "loggedIn"), 202)


def test_only_enabled_is_writable_the_rest_is_read_only(api: Api) -> None:
    stored = ok(api("GET", "/configuration/events/campaignSent"))
    echoed = {**stored, "enabled": False, "mode": "ACTIVE", "label": "Renamed"}
    changed = ok(api("PUT", "/configuration/events/campaignSent", json=echoed))
    assert changed == {**stored, "enabled": False}


@pytest.mark.parametrize(
    ("body", "pointer"),
    [({}, "/enabled"), ({"enabled": "no"}, "/enabled"), ({"enabled": True, "x": 1}, "/x")],
)
def test_a_bad_event_type_body_is_a_400(api: Api, body: dict[str, Any], pointer: str) -> None:
    error = assert_error(api("PUT", "/configuration/events/loggedIn", json=body), 400)
    assert pointer in [e["path"] for e in error["errors"]]


def test_the_mode_filter_keeps_disabled_types_events(api: Api) -> None:
    customer = api.customer(externalId="c1")
    ok(post_event(api, customer["id"], "campaignSent"), 202)
    ok(post_event(api, customer["id"], "loggedIn"), 202)
    ok(api("PUT", "/configuration/events/campaignSent", json={"enabled": False}))
    passive = ok(api("GET", "/events", params={"customerId": customer["id"], "mode": "PASSIVE"}))
    assert [e["type"] for e in passive["elements"]] == ["campaignSent"]


def test_event_types_are_configured_per_workspace(hub: Hub, api: Api) -> None:
    other = hub.server.provision()
    headers = {"Authorization": f"Bearer {other.token}"}
    other_url = f"{hub.base_url}/workspaces/{other.workspace_id}"
    reply = requests.put(
        f"{other_url}/configuration/events/loggedIn", json={"enabled": False}, headers=headers
    )
    assert reply.status_code == 200
    assert ok(api("GET", "/configuration/events/loggedIn"))["enabled"] is True
    customer = api.customer(externalId="c1")
    ok(post_event(api, customer["id"]), 202)


# -- properties and models ------------------------------------------------------------------
def test_the_base_properties_are_every_key_of_base(api: Api) -> None:
    answer = ok(api("GET", "/configuration/properties/base"))
    assert [p["name"] for p in answer["elements"]] == list(BASE_KEYS)
    for prop in answer["elements"]:
        assert set(prop) == {"name", "description", "enabled"}
        assert prop["enabled"] is True
        assert prop["description"]


def test_the_base_model_is_a_json_schema_that_accepts_stored_customers(api: Api) -> None:
    model = ok(api("GET", "/models/properties/base"))
    schema = model["schema"]
    jsonschema.Draft4Validator.check_schema(schema)
    assert set(schema["properties"]) == set(BASE_KEYS)
    first_name = schema["properties"]["firstName"]
    assert first_name["contactlabProperties"] == {"label": "First name", "enabled": True}
    customer = api.customer(
        base={"firstName": "Ada", "dob": "1815-12-10", "contacts": {"email": "ada@example.com"}}
    )
    validator = jsonschema.Draft4Validator(schema)
    assert validator.is_valid(customer["base"])
    assert not validator.is_valid({"firstName": 3})


def test_the_contexts_model_lists_each_context_with_its_schema(api: Api) -> None:
    elements = ok(api("GET", "/models/contexts"))["elements"]
    assert [c["id"] for c in elements] == list(CONTEXTS)
    for context in elements:
        assert set(context) == {"id", "label", "description", "propertiesSchema"}
        jsonschema.Draft4Validator.check_schema(context["propertiesSchema"])
    mobile = next(c for c in elements if c["id"] == "MOBILE")
    assert "device" in mobile["propertiesSchema"]["properties"]


def test_the_merge_policies_and_providers_models(api: Api) -> None:
    policies = ok(api("GET", "/models/merge-policies"))["elements"]
    assert [p["id"] for p in policies] == [
        "OBJ_PRIORITY",
        "OBJ_CONCATENATE",
        "ARRAY_UNION",
        "ARRAY_INTERSECTION",
        "MATH_SUM",
        "MATH_AVG",
        "MATH_DIFF",
        "MATH_MIN",
        "MATH_MAX",
    ]
    assert all(set(p) == {"id", "label", "description", "supportedTypes"} for p in policies)
    assert next(p for p in policies if p["id"] == "MATH_SUM")["supportedTypes"] == ["number"]
    providers = ok(api("GET", "/models/providers"))["elements"]
    assert {p["id"] for p in providers} >= {"API", "JavaScript", "MAGENTO", "DOTNET_SDK"}
    api_provider = next(p for p in providers if p["id"] == "API")
    assert "allowedIPs" in api_provider["propertiesSchema"]


# -- auth -----------------------------------------------------------------------------------
PATHS = [
    ("GET", "/configuration"),
    ("PUT", "/configuration"),
    ("GET", "/configuration/events"),
    ("GET", "/configuration/events/loggedIn"),
    ("PUT", "/configuration/events/loggedIn"),
    ("GET", "/configuration/properties/base"),
    ("GET", "/configuration/properties/extended"),
    ("PUT", "/configuration/properties/extended"),
    ("GET", "/configuration/unique-customer-matching-policy"),
    ("PUT", "/configuration/unique-customer-matching-policy"),
    ("GET", "/configuration/nodes/entries"),
    ("POST", "/configuration/nodes/entries"),
    ("GET", "/configuration/nodes/entries/some-node"),
    ("PUT", "/configuration/nodes/entries/some-node"),
    ("GET", "/configuration/sources"),
    ("GET", "/models/properties/base"),
    ("GET", "/models/contexts"),
    ("GET", "/models/merge-policies"),
    ("GET", "/models/providers"),
]


@pytest.mark.parametrize(("method", "path"), PATHS)
def test_every_configuration_endpoint_wants_the_workspaces_token(
    hub: Hub, method: str, path: str
) -> None:
    url = hub.workspace_url + path
    body = {"enabled": True} if method != "GET" else None
    no_token = requests.request(method, url, json=body, timeout=30)
    assert_error(no_token, 401, "The client is not authorized to access the API")
    other = hub.server.provision()
    foreign = requests.request(
        method, url, json=body, headers={"Authorization": f"Bearer {other.token}"}, timeout=30
    )
    assert_error(foreign, 403, f"workspace not found: {hub.workspace_id}")
