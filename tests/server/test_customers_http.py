"""Customers over HTTP (§2.1, §8): create, read, list, replace, patch, delete, and their errors."""

from __future__ import annotations

from typing import Any

import pytest
from hubclient import Api, assert_error


def test_post_creates_a_normalised_customer_with_201(api: Api) -> None:
    reply = api(
        "POST",
        "/customers",
        json={"nodeId": api.hub.node_id, "base": {"contacts": {"email": "ada@example.com"}}},
    )
    assert reply.status_code == 201
    doc = reply.json()
    assert doc["nodeId"] == api.hub.node_id
    assert doc["base"]["contacts"] == {
        "email": "ada@example.com",
        "fax": None,
        "mobilePhone": None,
        "phone": None,
        "otherContacts": [],
        "mobileDevices": [],
    }
    assert doc["base"]["firstName"] is None
    assert doc["base"]["likes"] == []
    assert doc["externalId"] is None
    assert doc["extended"] is None
    assert doc["enabled"] is True
    assert doc["registeredAt"] == doc["updatedAt"]
    assert doc["registeredAt"].endswith("+0000")


def test_a_created_customer_is_immediately_readable(api: Api) -> None:
    created = api.customer(externalId="x1", base={"firstName": "Ada"})
    reply = api("GET", f"/customers/{created['id']}")
    assert reply.status_code == 200
    assert reply.json() == created


def test_post_ignores_read_only_fields(api: Api) -> None:
    created = api.customer(
        id="mine", registeredAt="2000-01-01T00:00:00Z", updatedAt="2000-01-01", externalId="e"
    )
    assert created["id"] != "mine"
    assert not created["registeredAt"].startswith("2000")


@pytest.mark.parametrize(
    "body",
    [{}, {"extra": "only extra"}, {"base": None, "extended": None, "externalId": None}],
)
def test_post_of_an_empty_customer_is_400(api: Api, body: dict[str, object]) -> None:
    reply = api("POST", "/customers", json={"nodeId": api.hub.node_id, **body})
    error = assert_error(reply, 400)
    assert "at least one of externalId, base and extended" in error["message"]


def test_post_without_node_is_400_naming_node_id(api: Api) -> None:
    error = assert_error(api("POST", "/customers", json={"externalId": "a"}), 400)
    assert error["errors"][0]["path"] == "/nodeId"


def test_post_to_an_unknown_node_is_404(api: Api) -> None:
    reply = api("POST", "/customers", json={"nodeId": "nowhere", "externalId": "a"})
    assert_error(reply, 404, "node not found nowhere")


def test_invalid_customer_is_400_with_a_pointer_per_bad_field(api: Api) -> None:
    reply = api(
        "POST",
        "/customers",
        json={
            "nodeId": api.hub.node_id,
            "base": {"contacts": {"email": "not-an-email"}, "dob": "yesterday", "nope": 1},
        },
    )
    error = assert_error(reply, 400)
    paths = {e["path"] for e in error["errors"]}
    assert {"/base/contacts/email", "/base/dob", "/base/nope"} <= paths
    assert all(set(e) == {"message", "path", "data", "code"} for e in error["errors"])


def test_duplicate_email_is_409_with_the_existing_customer(api: Api) -> None:
    first = api.customer(base={"contacts": {"email": "Ada@Example.com"}})
    reply = api(
        "POST",
        "/customers",
        json={"nodeId": api.hub.node_id, "base": {"contacts": {"email": "ada@example.COM"}}},
    )
    error = assert_error(reply, 409, f"Conflict with exiting customer {first['id']}")
    assert error["data"]["customer"]["id"] == first["id"]
    assert error["data"]["customer"]["href"] == f"{api.url}/customers/{first['id']}"


def test_customers_without_email_do_not_collide(api: Api) -> None:
    a = api.customer(externalId="same")
    b = api.customer(externalId="same")
    assert a["id"] != b["id"]


def test_get_unknown_customer_is_404(api: Api) -> None:
    assert_error(api("GET", "/customers/missing"), 404, "customer not found: missing")


def test_patch_deep_merges_objects_replaces_arrays_and_null_unsets(api: Api) -> None:
    created = api.customer(
        base={
            "firstName": "Ada",
            "lastName": "Lovelace",
            "contacts": {"email": "ada@example.com", "phone": "123"},
        },
        tags={"auto": ["a"], "manual": ["x", "y"]},
        extended={"keep": 1, "drop": 2},
    )
    reply = api(
        "PATCH",
        f"/customers/{created['id']}",
        json={
            "base": {"contacts": {"phone": "456"}, "lastName": None},
            "tags": {"manual": ["y"]},
            "extended": {"drop": None},
        },
    )
    assert reply.status_code == 200, reply.text
    doc = reply.json()
    assert doc["base"]["firstName"] == "Ada"
    assert doc["base"]["lastName"] is None
    assert doc["base"]["contacts"]["email"] == "ada@example.com"
    assert doc["base"]["contacts"]["phone"] == "456"
    assert doc["tags"] == {"auto": ["a"], "manual": ["y"]}
    assert doc["extended"]["keep"] == 1
    assert doc["extended"].get("drop") is None
    assert doc["updatedAt"] > created["updatedAt"]
    assert doc["registeredAt"] == created["registeredAt"]
    assert api("GET", f"/customers/{created['id']}").json() == doc


def test_updated_at_strictly_increases_over_rapid_writes(api: Api) -> None:
    created = api.customer(externalId="fast")
    seen = [created["updatedAt"]]
    for i in range(5):
        reply = api("PATCH", f"/customers/{created['id']}", json={"extra": str(i)})
        seen.append(reply.json()["updatedAt"])
    assert seen == sorted(seen)
    assert len(set(seen)) == len(seen)


def test_put_replaces_everything(api: Api) -> None:
    created = api.customer(base={"firstName": "Ada", "lastName": "Lovelace"}, externalId="e1")
    body = dict(created)
    body["base"] = {"firstName": "Grace"}
    body["externalId"] = None
    reply = api("PUT", f"/customers/{created['id']}", json=body)
    assert reply.status_code == 200, reply.text
    doc = reply.json()
    assert doc["base"]["firstName"] == "Grace"
    assert doc["base"]["lastName"] is None
    assert doc["externalId"] is None
    assert doc["id"] == created["id"]
    assert doc["registeredAt"] == created["registeredAt"]
    assert doc["updatedAt"] > created["updatedAt"]


def test_put_of_unknown_customer_is_404(api: Api) -> None:
    reply = api("PUT", "/customers/nobody", json={"nodeId": api.hub.node_id, "externalId": "x"})
    assert_error(reply, 404, "customer not found: nobody")


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_writes_that_would_collide_are_409(api: Api, method: str) -> None:
    ada = api.customer(base={"contacts": {"email": "ada@example.com"}})
    other = api.customer(base={"contacts": {"email": "grace@example.com"}})
    body = {"nodeId": api.hub.node_id, "base": {"contacts": {"email": "ADA@example.com"}}}
    reply = api(method, f"/customers/{other['id']}", json=body)
    assert_error(reply, 409, f"Conflict with exiting customer {ada['id']}")
    # writing a customer's own email again is no conflict
    assert api(method, f"/customers/{ada['id']}", json=body).status_code == 200


def test_delete_answers_200_with_an_empty_body_then_404(api: Api) -> None:
    # §10.1: the recorded API (Go and .NET clients) answers a customer DELETE with no body.
    created = api.customer(externalId="gone")
    reply = api("DELETE", f"/customers/{created['id']}")
    assert reply.status_code == 200
    assert reply.content == b""
    assert_error(api("GET", f"/customers/{created['id']}"), 404)
    assert_error(api("DELETE", f"/customers/{created['id']}"), 404)


def test_put_requires_the_node_id(api: Api) -> None:
    # The reference's PutCustomer is PostCustomer plus the read-only fields: nodeId is required.
    created = api.customer(externalId="needs-node")
    url = f"/customers/{created['id']}"
    for body in ({"externalId": "x"}, {"nodeId": None, "externalId": "x"}, {"nodeId": ""}):
        error = assert_error(api("PUT", url, json=body), 400)
        assert error["errors"][0]["path"] == "/nodeId"
    assert api("GET", url).json()["externalId"] == "needs-node"


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_a_write_naming_another_node_is_refused_not_a_move(api: Api, method: str) -> None:
    other = api.hub.server.provision(workspace_id=api.hub.workspace_id, token=api.hub.token)
    created = api.customer(externalId="stays")
    url = f"/customers/{created['id']}"
    body = {"nodeId": other.node_id, "externalId": "moved"}
    error = assert_error(api(method, url, json=body), 400)
    assert error["errors"][0]["path"] == "/nodeId"
    assert api.hub.node_id in error["message"]
    assert other.node_id in error["message"]
    # An unknown node is a 404, as on POST; the customer's own node is fine.
    assert_error(api(method, url, json={**body, "nodeId": "no-such-node"}), 404)
    stored = api("GET", url).json()
    assert (stored["nodeId"], stored["externalId"]) == (api.hub.node_id, "stays")
    there = api("GET", "/customers", params={"nodeId": other.node_id}).json()["elements"]
    assert there == []
    reply = api(method, url, json={**body, "nodeId": api.hub.node_id})
    assert reply.status_code == 200, reply.text
    assert reply.json()["externalId"] == "moved"


# The vendor's base schema types these as a list, an object or a string, without null (§6.2).
NOT_NULL = [
    ("/base/contacts/otherContacts", {"contacts": {"otherContacts": None}}),
    ("/base/contacts/otherContacts/0", {"contacts": {"otherContacts": [None]}}),
    ("/base/contacts/otherContacts/0/name", {"contacts": {"otherContacts": [{"name": None}]}}),
    ("/base/contacts/otherContacts/0/value", {"contacts": {"otherContacts": [{"value": None}]}}),
    ("/base/contacts/mobileDevices", {"contacts": {"mobileDevices": None}}),
    ("/base/contacts/mobileDevices/0", {"contacts": {"mobileDevices": [None]}}),
    *(
        (f"/base/contacts/mobileDevices/0/{key}", {"contacts": {"mobileDevices": [{key: None}]}})
        for key in ("identifier", "appId", "name")
    ),
    ("/base/subscriptions/0/preferences", {"subscriptions": [{"id": "s", "preferences": None}]}),
    (
        "/base/subscriptions/0/preferences/0",
        {"subscriptions": [{"id": "s", "preferences": [None]}]},
    ),
]


@pytest.mark.parametrize(("pointer", "base"), NOT_NULL, ids=[p for p, _ in NOT_NULL])
def test_base_lists_and_their_items_are_never_null(api: Api, pointer: str, base: Any) -> None:
    node = api.hub.node_id
    error = assert_error(api("POST", "/customers", json={"nodeId": node, "base": base}), 400)
    assert [e["path"] for e in error["errors"]] == [pointer]
    customer = api.customer(base={"firstName": "Ada"})
    url = f"/customers/{customer['id']}"
    for method, body in (("PATCH", {"base": base}), ("PUT", {"nodeId": node, "base": base})):
        error = assert_error(api(method, url, json=body), 400)
        assert [e["path"] for e in error["errors"]] == [pointer]
    assert api("GET", url).json()["base"] == customer["base"]


def test_nullable_properties_of_base_list_items_stay_nullable(api: Api) -> None:
    # Where the vendor's schema allows null (an enum's "type", a preference's key and value),
    # null is still accepted; a property left out stays left out.
    base = {
        "contacts": {
            "otherContacts": [{"name": "work", "type": None, "value": "1"}, {"type": "EMAIL"}],
            "mobileDevices": [{"identifier": "i", "type": None, "notificationService": None}],
        },
        "subscriptions": [{"id": "s", "preferences": [{"key": None, "value": None}]}],
    }
    created = api.customer(base=base)
    contacts = created["base"]["contacts"]
    assert contacts["otherContacts"] == base["contacts"]["otherContacts"]
    assert contacts["mobileDevices"] == base["contacts"]["mobileDevices"]
    assert created["base"]["subscriptions"][0]["preferences"] == [{"key": None, "value": None}]
    url = f"/customers/{created['id']}/subscriptions/s"
    refused = api("PUT", url, json={"id": "s", "preferences": None})
    assert assert_error(refused, 400)["errors"][0]["path"] == "/preferences"


def test_tag_lists_are_never_null(api: Api) -> None:
    """The vendor's tags schema types `auto` and `manual` as lists of strings: null is refused
    (send [] to empty one), on create and on PATCH."""
    body = {"nodeId": api.hub.node_id, "externalId": "t", "tags": {"manual": None}}
    refused = assert_error(api("POST", "/customers", json=body), 400)
    assert [e["path"] for e in refused["errors"]] == ["/tags/manual"]
    customer = api.customer(externalId="t", tags={"manual": ["vip"]})
    url = f"/customers/{customer['id']}"
    patched = assert_error(api("PATCH", url, json={"tags": {"auto": None}}), 400)
    assert [e["path"] for e in patched["errors"]] == ["/tags/auto"]
    emptied = api("PATCH", url, json={"tags": {"manual": []}})
    assert emptied.status_code == 200, emptied.text
    assert emptied.json()["tags"] == {"auto": [], "manual": []}
