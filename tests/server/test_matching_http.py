"""The node's matching policy over HTTP (§8, §10.5): BLOCK, MERGE, NO_CHECK and their options."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from hubclient import Api, assert_error

from contacthub.testing import Hub


def node_api(hub: Hub, matching: dict[str, Any]) -> Api:
    """A client of a fresh node of the test's workspace with these matching settings."""
    creds = hub.server.provision(
        workspace_id=hub.workspace_id, token=hub.token, node_settings={"matching": matching}
    )
    api = Api(hub)
    api.hub = Hub(hub.server, creds.workspace_id, creds.node_id, creds.token)
    return api


def post(api: Api, **fields: Any) -> requests.Response:
    return api("POST", "/customers", json={"nodeId": api.hub.node_id, **fields})


def email(address: str) -> dict[str, Any]:
    return {"contacts": {"email": address}}


def test_merge_answers_201_with_the_merged_customer(hub: Hub) -> None:
    api = node_api(hub, {"policy": "MERGE"})
    first = post(api, base={**email("ada@example.com"), "firstName": "Ada"}, externalId="e1")
    assert first.status_code == 201
    second = post(api, base={**email("ADA@example.com"), "lastName": "Lovelace"}, extra="x")
    assert second.status_code == 201, second.text
    merged = second.json()
    assert merged["id"] == first.json()["id"]
    assert merged["base"]["firstName"] == "Ada"
    assert merged["base"]["lastName"] == "Lovelace"
    assert merged["base"]["contacts"]["email"] == "ADA@example.com"
    assert merged["externalId"] == "e1"
    assert merged["extra"] == "x"
    assert merged["updatedAt"] > first.json()["updatedAt"]
    listed = api("GET", "/customers", params={"nodeId": api.hub.node_id}).json()
    assert listed["page"]["totalElements"] == 1


def test_no_check_accepts_duplicates(hub: Hub) -> None:
    api = node_api(hub, {"policy": "NO_CHECK"})
    a = post(api, base=email("same@example.com"))
    b = post(api, base=email("same@example.com"))
    assert (a.status_code, b.status_code) == (201, 201)
    assert a.json()["id"] != b.json()["id"]


def test_case_sensitive_matching(hub: Hub) -> None:
    api = node_api(hub, {"caseSensitive": True})
    assert post(api, base=email("Ada@example.com")).status_code == 201
    assert post(api, base=email("ada@example.com")).status_code == 201
    assert_error(post(api, base=email("ada@example.com")), 409)


def test_required_unique_property_missing_is_400_with_its_pointer(hub: Hub) -> None:
    api = node_api(hub, {"requireUniqueProperties": True})
    error = assert_error(
        post(api, externalId="no-email"), 400, "unique customer property is required"
    )
    assert error["errors"][0]["path"] == "/base/contacts/email"
    assert post(api, base=email("x@example.com")).status_code == 201


def test_custom_matching_properties(hub: Hub) -> None:
    api = node_api(hub, {"properties": ["externalId"]})
    first = post(api, externalId="E-1", base=email("a@example.com"))
    assert first.status_code == 201
    # emails may repeat now; externalIds (case-insensitively) may not
    assert post(api, externalId="E-2", base=email("a@example.com")).status_code == 201
    error = assert_error(post(api, externalId="e-1"), 409)
    assert error["data"]["customer"]["id"] == first.json()["id"]


def test_matching_is_per_node(hub: Hub, api: Api) -> None:
    api.customer(base=email("ada@example.com"))
    other = node_api(hub, {})
    assert post(other, base=email("ada@example.com")).status_code == 201


def test_a_merging_post_links_its_session_id_to_the_merged_customer(hub: Hub) -> None:
    api = node_api(hub, {"policy": "MERGE"})
    first = post(api, base=email("ada@example.com")).json()
    body = {"nodeId": api.hub.node_id, "base": email("ada@example.com")}
    merged = api("POST", "/customers", json=body, params={"sessionId": "merge-session"})
    assert merged.status_code == 201, merged.text
    assert merged.json()["id"] == first["id"]
    sessions = api("GET", f"/customers/{first['id']}/sessions").json()["elements"]
    assert [s["value"] for s in sessions] == ["merge-session"]


@pytest.mark.parametrize("policy", ["BLOCK", "MERGE"])
def test_concurrent_creates_of_one_email_make_one_customer(hub: Hub, policy: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    api = node_api(hub, {"policy": policy})
    with ThreadPoolExecutor(8) as pool:
        replies = list(pool.map(lambda _: post(api, base=email("race@example.com")), range(16)))
    statuses = sorted(r.status_code for r in replies)
    if policy == "BLOCK":
        assert statuses == [201] + [409] * 15
    else:
        assert statuses == [201] * 16
        assert len({r.json()["id"] for r in replies}) == 1
    listed = api("GET", "/customers", params={"nodeId": api.hub.node_id}).json()
    assert listed["page"]["totalElements"] == 1


def test_a_node_extended_schema_is_enforced_with_pointers(hub: Hub) -> None:
    schema = {
        "type": "object",
        "properties": {"loyalty": {"type": "integer", "minimum": 0}},
        "additionalProperties": False,
    }
    creds = hub.server.provision(
        workspace_id=hub.workspace_id, token=hub.token, node_settings={"extendedSchema": schema}
    )
    api = Api(hub)
    api.hub = Hub(hub.server, creds.workspace_id, creds.node_id, creds.token)
    assert post(api, extended={"loyalty": 3}).status_code == 201
    error = assert_error(post(api, extended={"loyalty": -1}), 400)
    assert error["errors"][0]["path"] == "/extended/loyalty"
    assert_error(post(api, extended={"other": 1}), 400)
