"""The request log (``/_hub/requests``) and the admin API's OpenAPI document, over HTTP."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from hubclient import Api, assert_error
from starlette.routing import Route

from contacthub.testing import Hub
from contacthub_server.admin.routes import routes as admin_routes
from contacthub_server.runner import HubServer
from contacthub_server.settings import HubSettings


def admin(hub: Hub) -> dict[str, str]:
    return {"Authorization": f"Bearer {hub.server.admin_key}"}


def logged(hub: Hub, **params: Any) -> list[dict[str, Any]]:
    params.setdefault("workspace", hub.workspace_id)
    reply = requests.get(hub.url + "/_hub/requests", params=params, headers=admin(hub), timeout=10)
    assert reply.status_code == 200, reply.text
    elements: list[dict[str, Any]] = reply.json()["elements"]
    return elements


def test_the_request_log_needs_the_admin_key(hub: Hub) -> None:
    for headers in ({}, {"Authorization": f"Bearer {hub.token}"}):
        for method, path in (
            ("GET", "/_hub/requests"),
            ("DELETE", "/_hub/requests"),
            ("GET", "/_hub/requests/1"),
        ):
            reply = requests.request(method, hub.url + path, headers=headers, timeout=10)
            assert_error(reply, 401)


def test_a_create_is_logged_with_both_bodies_and_no_token(hub: Hub, api: Api) -> None:
    created = api.customer(externalId="ada", base={"firstName": "Ada"})
    entries = logged(hub)
    assert len(entries) == 1
    entry = entries[0]
    assert entry["method"] == "POST"
    assert entry["path"] == f"/hub/v1/workspaces/{hub.workspace_id}/customers"
    assert entry["workspaceId"] == hub.workspace_id
    assert entry["status"] == 201
    assert entry["fault"] is None
    assert entry["latencyMs"] > 0
    assert json.loads(entry["requestBody"]) == {
        "nodeId": hub.node_id,
        "externalId": "ada",
        "base": {"firstName": "Ada"},
    }
    assert json.loads(entry["responseBody"]) == created
    assert entry["responseContentType"] == "application/json"
    assert entry["requestBodyTruncated"] is False
    assert entry["requestHeaders"]["authorization"] == "Bearer ***"
    assert hub.token not in json.dumps(entry)
    one = requests.get(f"{hub.url}/_hub/requests/{entry['id']}", headers=admin(hub), timeout=10)
    assert one.json() == entry


def test_the_query_string_and_a_404_are_logged(hub: Hub, api: Api) -> None:
    api("GET", "/customers", params={"nodeId": hub.node_id, "size": 5})
    api("GET", "/customers/no-such-customer")
    newest, oldest = logged(hub)
    assert (oldest["method"], oldest["status"]) == ("GET", 200)
    assert oldest["query"] == f"nodeId={hub.node_id}&size=5"
    assert newest["status"] == 404
    assert "no-such-customer" in json.loads(newest["responseBody"])["message"]


def test_filters_by_method_status_path_and_a_limit(hub: Hub, api: Api) -> None:
    api.customer(externalId="a")
    api.customer(externalId="b")
    api("GET", "/customers", params={"nodeId": hub.node_id})
    api("GET", "/customers/missing")
    assert len(logged(hub)) == 4
    assert [e["status"] for e in logged(hub, method="post")] == [201, 201]
    assert [e["path"].rsplit("/", 1)[1] for e in logged(hub, status="4xx")] == ["missing"]
    assert len(logged(hub, status="201")) == 2
    assert len(logged(hub, path="/missing")) == 1
    newest = logged(hub, limit=1)
    assert len(newest) == 1
    assert newest[0]["status"] == 404
    other = hub.server.provision()
    assert logged(hub, workspace=other.workspace_id) == []


@pytest.mark.parametrize(
    "params",
    [{"limit": "0"}, {"limit": "x"}, {"limit": "10001"}, {"status": "4x"}, {"colour": "red"}],
)
def test_malformed_filters_are_a_400(hub: Hub, params: dict[str, str]) -> None:
    reply = requests.get(hub.url + "/_hub/requests", params=params, headers=admin(hub), timeout=10)
    assert_error(reply, 400)


def test_an_entry_that_is_not_logged_is_a_404(hub: Hub) -> None:
    for ident in ("999999999", "x"):
        reply = requests.get(f"{hub.url}/_hub/requests/{ident}", headers=admin(hub), timeout=10)
        assert_error(reply, 404)


def test_delete_forgets_one_workspaces_requests(hub: Hub, api: Api) -> None:
    api.customer(externalId="a")
    other = hub.server.provision()
    requests.get(
        f"{hub.base_url}/workspaces/{other.workspace_id}/customers",
        params={"nodeId": other.node_id},
        headers={"Authorization": f"Bearer {other.token}"},
        timeout=10,
    )
    reply = requests.delete(
        hub.url + "/_hub/requests",
        params={"workspace": hub.workspace_id},
        headers=admin(hub),
        timeout=10,
    )
    assert reply.json() == {"deleted": 1}
    assert logged(hub) == []
    assert len(logged(hub, workspace=other.workspace_id)) == 1


def test_injected_faults_are_logged_as_the_client_saw_them(hub: Hub, api: Api) -> None:
    faults = f"{hub.url}/_hub/workspaces/{hub.workspace_id}/faults"
    requests.put(faults, json={"rate": 1, "statuses": [503]}, headers=admin(hub), timeout=10)
    api("GET", "/customers", params={"nodeId": hub.node_id})
    requests.put(faults, json={"rate": 1, "statuses": ["drop-before"]}, headers=admin(hub))
    with pytest.raises(requests.ConnectionError):
        api("GET", "/customers", params={"nodeId": hub.node_id})
    requests.delete(faults, headers=admin(hub), timeout=10)
    dropped, refused = logged(hub)
    assert (refused["status"], refused["fault"]) == (503, 503)
    assert (dropped["status"], dropped["fault"]) == (None, "drop-before")
    assert logged(hub, status="none") == [dropped]


def test_the_admin_api_and_the_console_are_not_logged(hub: Hub) -> None:
    requests.get(hub.url + "/_hub/health", timeout=10)
    requests.get(hub.url + "/console/login", timeout=10)
    everything = requests.get(
        hub.url + "/_hub/requests", params={"limit": 10_000}, headers=admin(hub), timeout=10
    ).json()["elements"]
    assert all(e["path"].startswith("/hub/v1") for e in everything)


def test_the_log_keeps_the_last_n_and_cuts_long_bodies(database_url: str) -> None:
    settings = HubSettings(database_url=database_url, request_log_size=3, request_log_body_bytes=64)
    with HubServer(settings) as server:
        creds = server.provision()
        url = f"{server.base_url}/workspaces/{creds.workspace_id}/customers"
        headers = {"Authorization": f"Bearer {creds.token}"}
        for n in range(5):
            body = {
                "externalId": f"c{n}",
                "nodeId": creds.node_id,
                "base": {"firstName": "x" * 200},
            }
            assert requests.post(url, json=body, headers=headers, timeout=10).status_code == 201
        reply = requests.get(
            server.url + "/_hub/requests",
            headers={"Authorization": f"Bearer {server.admin_key}"},
            timeout=10,
        ).json()
    assert (reply["size"], reply["recorded"]) == (3, 5)
    entries = reply["elements"]
    assert [e["requestBody"][:20] for e in entries] == [
        '{"externalId": "c4",',
        '{"externalId": "c3",',
        '{"externalId": "c2",',
    ]
    for entry in entries:
        assert len(entry["requestBody"].encode()) == 64
        assert entry["requestBodyTruncated"] is True
        assert entry["requestBodyBytes"] > 200
        assert len(entry["responseBody"].encode()) == 64
        assert entry["responseBodyTruncated"] is True


def test_a_zero_size_turns_the_log_off(database_url: str) -> None:
    with HubServer(HubSettings(database_url=database_url, request_log_size=0)) as server:
        creds = server.provision()
        url = f"{server.base_url}/workspaces/{creds.workspace_id}/customers"
        reply = requests.get(
            url,
            params={"nodeId": creds.node_id},
            headers={"Authorization": f"Bearer {creds.token}"},
            timeout=10,
        )
        assert reply.status_code == 200
        listed = requests.get(
            server.url + "/_hub/requests",
            headers={"Authorization": f"Bearer {server.admin_key}"},
            timeout=10,
        ).json()
    assert listed == {"elements": [], "size": 0, "recorded": 0}


def test_the_admin_openapi_document_describes_every_admin_route(hub: Hub) -> None:
    reply = requests.get(hub.url + "/_hub/openapi.json", timeout=10)  # open: no data in it
    assert reply.status_code == 200
    document = reply.json()
    assert document["openapi"].startswith("3.")
    served = {
        (route.path, method.lower())
        for route in admin_routes()
        if isinstance(route, Route)
        for method in (route.methods or ()) - {"HEAD"}
    }
    documented = {(path, method) for path, item in document["paths"].items() for method in item}
    documented -= {(path, "parameters") for path in document["paths"]}
    assert served == documented
    # Not in the ContactHub API's document.
    contacthub = requests.get(hub.base_url + "/openapi.json", timeout=10).json()
    assert not any(path.startswith("/_hub") for path in contacthub["paths"])
