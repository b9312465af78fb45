"""The matching policy, the extended properties schema, entry nodes and sources over HTTP, on
both backends: what the workspace-level configuration does to every node of the workspace."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from hubclient import Api, assert_error

MATCHING = "/configuration/unique-customer-matching-policy"
EXTENDED = "/configuration/properties/extended"
ENTRIES = "/configuration/nodes/entries"


def ok(reply: requests.Response, status: int = 200) -> Any:
    assert reply.status_code == status, reply.text
    return reply.json()


def add_customer(api: Api, node_id: str, **fields: Any) -> requests.Response:
    return api("POST", "/customers", json={"nodeId": node_id, **fields})


def new_node(api: Api, **fields: Any) -> dict[str, Any]:
    entry: dict[str, Any] = ok(api("POST", ENTRIES, json={"name": "shop", **fields}), 201)
    return entry


def paths(error: dict[str, Any]) -> list[str]:
    return [e["path"] for e in error["errors"]]


# -- matching policy ------------------------------------------------------------------------
def test_the_matching_policy_is_email_case_insensitive_by_default(api: Api) -> None:
    assert ok(api("GET", MATCHING)) == {
        "properties": ["base.contacts.email"],
        "caseSensitive": False,
    }


def test_a_new_policy_applies_to_every_node_and_to_customers_stored_before(api: Api) -> None:
    shop = new_node(api)
    node = api.hub.node_id
    first = ok(add_customer(api, node, externalId="E1", base={"firstName": "Ada"}), 201)
    ok(add_customer(api, node, externalId="E1", base={"firstName": "Bob"}), 201)  # no email

    changed = ok(api("PUT", MATCHING, json={"properties": ["externalId"], "caseSensitive": True}))
    assert changed == {"properties": ["externalId"], "caseSensitive": True}
    assert ok(api("GET", MATCHING)) == changed

    # Two stored customers share E1: the older one holds the key now.
    conflict = assert_error(add_customer(api, node, externalId="E1"), 409)
    assert conflict["data"]["customer"]["id"] == first["id"]
    ok(add_customer(api, node, externalId="e1"), 201)  # case-sensitive
    # The other node follows the workspace's policy too.
    ok(add_customer(api, shop["id"], externalId="S1"), 201)
    assert_error(add_customer(api, shop["id"], externalId="S1"), 409)
    # Emails no longer identify anybody.
    email = {"contacts": {"email": "same@example.com"}}
    ok(add_customer(api, node, externalId="E2", base=email), 201)
    ok(add_customer(api, node, externalId="E3", base=email), 201)


def test_a_put_naming_one_key_keeps_the_other(api: Api) -> None:
    changed = ok(api("PUT", MATCHING, json={"caseSensitive": True}))
    assert changed == {"properties": ["base.contacts.email"], "caseSensitive": True}
    ok(add_customer(api, api.hub.node_id, base={"contacts": {"email": "a@x.it"}}), 201)
    ok(add_customer(api, api.hub.node_id, base={"contacts": {"email": "A@x.it"}}), 201)


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"properties": []}, "/properties"),
        ({"properties": ["contacts.email"]}, "/properties/0"),
        ({"properties": "base.contacts.email"}, "/properties"),
        ({"caseSensitive": "yes"}, "/caseSensitive"),
        ({"policy": "MERGE"}, "/policy"),
    ],
)
def test_a_bad_matching_policy_is_a_400(api: Api, body: dict[str, Any], pointer: str) -> None:
    error = assert_error(api("PUT", MATCHING, json=body), 400)
    assert pointer in paths(error)
    assert ok(api("GET", MATCHING))["properties"] == ["base.contacts.email"]


# -- extended properties schema -------------------------------------------------------------
LOYALTY = {
    "type": "object",
    "properties": {
        "points": {
            "type": "integer",
            "minimum": 0,
            "contactlabProperties": {"label": "Points", "enabled": True, "mergePolicy": "MATH_SUM"},
        }
    },
}


def test_without_a_schema_extended_takes_any_object(api: Api) -> None:
    schema = ok(api("GET", EXTENDED))["schema"]
    assert schema["type"] == "object"
    assert schema["properties"] == {}
    ok(add_customer(api, api.hub.node_id, extended={"anything": [1, "two"]}), 201)


@pytest.mark.parametrize(
    "body",
    [LOYALTY, {"schema": LOYALTY}, json.dumps(LOYALTY), {"schema": json.dumps(LOYALTY)}],
    ids=["schema", "wrapped", "text", "wrapped-text"],
)
def test_the_extended_schema_checks_every_nodes_later_writes(api: Api, body: Any) -> None:
    shop = new_node(api)
    before = ok(add_customer(api, api.hub.node_id, extended={"points": "many"}), 201)
    assert ok(api("PUT", EXTENDED, json=body)) == {"schema": LOYALTY}
    assert ok(api("GET", EXTENDED)) == {"schema": LOYALTY}
    for node in (api.hub.node_id, shop["id"]):
        error = assert_error(add_customer(api, node, extended={"points": -1}), 400)
        assert paths(error) == ["/extended/points"]
        ok(add_customer(api, node, extended={"points": 3}), 201)
    # A customer stored before is not checked again, only when written.
    assert ok(api("GET", f"/customers/{before['id']}"))["extended"] == {"points": "many"}
    patch = api("PATCH", f"/customers/{before['id']}", json={"base": {"firstName": "Ada"}})
    assert_error(patch, 400)


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"type": "banana"}, "/type"),
        ({"schema": {"type": "banana"}}, "/schema/type"),
        ({"properties": {"a": {"$ref": "https://example.com/s.json"}}}, "/properties/a/$ref"),
        (
            {"properties": {"a": {"contactlabProperties": {"mergePolicy": "MATH_MEDIAN"}}}},
            "/properties/a/contactlabProperties/mergePolicy",
        ),
        (
            {"properties": {"a": {"contactlabProperties": {"colour": "red"}}}},
            "/properties/a/contactlabProperties/colour",
        ),
        ({"schema": []}, "/schema"),
        ({"description": "a\x00b"}, "/description"),
    ],
)
def test_a_bad_extended_schema_is_a_400_naming_where(api: Api, body: Any, pointer: str) -> None:
    error = assert_error(api("PUT", EXTENDED, json=body), 400)
    assert pointer in paths(error), error
    assert ok(api("GET", EXTENDED))["schema"]["properties"] == {}


@pytest.mark.parametrize("body", [[], 3, "not json"])
def test_an_extended_schema_must_be_an_object(api: Api, body: Any) -> None:
    assert_error(api("PUT", EXTENDED, json=body), 400)


# -- entry nodes ----------------------------------------------------------------------------
ENTRY_KEYS = ["id", "name", "description", "imageUrl", "sourcePriority", "mandatoryProperties"]


def test_the_workspaces_nodes_are_its_entry_nodes(api: Api) -> None:
    listing = ok(api("GET", ENTRIES))
    assert listing["page"]["totalElements"] == 1
    assert listing["elements"] == [
        {
            "id": api.hub.node_id,
            "name": api.hub.node_id,
            "description": None,
            "imageUrl": None,
            "sourcePriority": [],
            "mandatoryProperties": [],
        }
    ]
    assert ok(api("GET", f"{ENTRIES}/{api.hub.node_id}")) == listing["elements"][0]


def test_a_new_entry_node_is_a_node_customers_and_events_use(api: Api) -> None:
    ok(api("PUT", MATCHING, json={"properties": ["externalId"]}))
    shop = new_node(
        api,
        description="the web shop",
        imageUrl="https://shop.example/logo.png",
        id="ignored",
    )
    assert list(shop) == ENTRY_KEYS
    assert shop["id"] != "ignored"
    assert (shop["name"], shop["description"]) == ("shop", "the web shop")
    assert ok(api("GET", f"{ENTRIES}/{shop['id']}")) == shop
    listed = ok(api("GET", ENTRIES))["elements"]
    assert [n["id"] for n in listed] == [api.hub.node_id, shop["id"]]

    customer = ok(add_customer(api, shop["id"], externalId="X"), 201)
    assert customer["nodeId"] == shop["id"]
    assert_error(add_customer(api, shop["id"], externalId="X"), 409)  # the workspace's policy
    found = ok(api("GET", "/customers", params={"nodeId": shop["id"]}))
    assert [c["id"] for c in found["elements"]] == [customer["id"]]
    anonymous = {
        "bringBackProperties": {"type": "SESSION_ID", "value": "s1", "nodeId": shop["id"]},
        "type": "viewedPage",
        "context": "WEB",
        "properties": {},
    }
    ok(api("POST", "/events", json=anonymous), 202)


def test_an_entry_node_is_changed_by_the_keys_a_put_names(api: Api) -> None:
    shop = new_node(api, description="old")
    changed = ok(
        api(
            "PUT",
            f"{ENTRIES}/{shop['id']}",
            json={"name": "store", "sourcePriority": [api.hub.node_id, shop["id"]]},
        )
    )
    assert changed == {
        **shop,
        "name": "store",
        "sourcePriority": [api.hub.node_id, shop["id"]],
    }
    assert ok(api("GET", f"{ENTRIES}/{shop['id']}")) == changed
    cleared = ok(api("PUT", f"{ENTRIES}/{shop['id']}", json={"description": None}))
    assert cleared["description"] is None


def test_mandatory_properties_are_required_of_the_nodes_customers(api: Api) -> None:
    shop = new_node(api, mandatoryProperties=["base.lastName", "externalId"])
    error = assert_error(add_customer(api, shop["id"], base={"firstName": "Ada"}), 400)
    assert paths(error) == ["/base/lastName", "/externalId"]
    customer = ok(add_customer(api, shop["id"], externalId="A", base={"lastName": "L"}), 201)
    unset = api("PATCH", f"/customers/{customer['id']}", json={"base": {"lastName": None}})
    assert paths(assert_error(unset, 400)) == ["/base/lastName"]
    # Other nodes are not concerned; and the node's requirement can be lifted.
    ok(add_customer(api, api.hub.node_id, base={"firstName": "Ada"}), 201)
    ok(api("PUT", f"{ENTRIES}/{shop['id']}", json={"mandatoryProperties": []}))
    ok(add_customer(api, shop["id"], base={"firstName": "Ada"}), 201)


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({}, "/name"),
        ({"name": ""}, "/name"),
        ({"name": "n", "imageUrl": "logo"}, "/imageUrl"),
        ({"name": "n", "sourcePriority": ["no-such-source"]}, "/sourcePriority/0"),
        ({"name": "n", "mandatoryProperties": ["lastName"]}, "/mandatoryProperties/0"),
        ({"name": "n", "colour": "red"}, "/colour"),
    ],
)
def test_a_bad_entry_node_is_a_400(api: Api, body: dict[str, Any], pointer: str) -> None:
    error = assert_error(api("POST", ENTRIES, json=body), 400)
    assert pointer in paths(error)
    assert ok(api("GET", ENTRIES))["page"]["totalElements"] == 1


def test_a_source_listed_twice_is_a_400(api: Api) -> None:
    node = api.hub.node_id
    reply = api("PUT", f"{ENTRIES}/{node}", json={"sourcePriority": [node, node]})
    assert paths(assert_error(reply, 400)) == ["/sourcePriority/1"]


def test_an_unknown_entry_node_is_a_404(api: Api) -> None:
    assert_error(api("GET", f"{ENTRIES}/nowhere"), 404, "node not found nowhere")
    assert_error(api("PUT", f"{ENTRIES}/nowhere", json={"name": "x"}), 404)


# -- sources --------------------------------------------------------------------------------
def test_each_node_is_a_source_and_customers_name_theirs(api: Api) -> None:
    shop = new_node(api, name="Shop")
    sources = ok(api("GET", "/configuration/sources"))
    assert sources["page"]["totalElements"] == 2
    by_id = {s["id"]: s for s in sources["elements"]}
    assert set(by_id) == {api.hub.node_id, shop["id"]}
    assert by_id[shop["id"]]["name"] == "Shop"
    for node_id, source in by_id.items():
        assert source["provider"] == "API"
        assert source["nodes"] == [node_id]
        assert source["enabled"] is True
        assert source["properties"] == {}
        assert source["token"] == api.hub.token

    customer = api.customer(externalId="C1")
    node = api.hub.node_id
    assert customer["sourceInfo"] == {"registeredBy": node, "updatedBy": node}
    assert ok(api("GET", f"/customers/{customer['id']}"))["sourceInfo"] == customer["sourceInfo"]
    # A customer stays in its node (a PUT naming another is refused), so its node updates it.
    refused = api(
        "PUT", f"/customers/{customer['id']}", json={"nodeId": shop["id"], "externalId": "C1"}
    )
    assert refused.status_code == 400
    moved = ok(
        api("PUT", f"/customers/{customer['id']}", json={"nodeId": node, "externalId": "C1"})
    )
    assert moved["sourceInfo"] == {"registeredBy": node, "updatedBy": node}
    with_like = api("POST", f"/customers/{customer['id']}/likes", json={"id": "l1", "name": "tea"})
    ok(with_like)
    stored = ok(api("GET", f"/customers/{customer['id']}"))
    assert stored["sourceInfo"] == moved["sourceInfo"]
    # sourceInfo is the hub's: a client's is ignored.
    patched = ok(
        api(
            "PATCH",
            f"/customers/{customer['id']}",
            json={"sourceInfo": {"registeredBy": "me"}, "extra": "x"},
        )
    )
    assert patched["sourceInfo"] == moved["sourceInfo"]
    query = {
        "name": "q",
        "query": {
            "type": "simple",
            "are": {
                "condition": {
                    "type": "atomic",
                    "attribute": "sourceInfo.registeredBy",
                    "operator": "EQUALS",
                    "value": node,
                }
            },
        },
    }
    found = ok(api("GET", "/customers", params={"nodeId": node, "query": json.dumps(query)}))
    assert [c["id"] for c in found["elements"]] == [customer["id"]]


def test_sources_are_paged(api: Api) -> None:
    for _ in range(2):
        new_node(api)
    page = ok(api("GET", "/configuration/sources", params={"size": 2, "page": 1}))
    assert page["page"] == {
        "size": 2,
        "totalElements": 3,
        "totalUnfilteredElements": 0,
        "totalPages": 2,
        "number": 1,
    }
    assert len(page["elements"]) == 1
