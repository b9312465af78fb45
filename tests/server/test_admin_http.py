"""The admin API under /_hub/ over HTTP: its key, health, reset, snapshots (every backend)."""

from __future__ import annotations

from pathlib import Path

import requests
from hubclient import Api

from contacthub.testing import Hub


def admin(hub: Hub) -> dict[str, str]:
    return {"Authorization": f"Bearer {hub.server.admin_key}"}


def test_health_says_the_database_is_ready(hub: Hub) -> None:
    reply = requests.get(hub.url + "/_hub/health", timeout=10)
    assert reply.status_code == 200
    assert reply.json()["ready"] is True
    assert reply.json()["migrations"] == "done"


def test_a_workspace_token_never_reaches_the_admin_api(hub: Hub) -> None:
    for headers in ({"Authorization": f"Bearer {hub.token}"}, {}):
        reply = requests.post(hub.url + "/_hub/reset", json={"all": True}, headers=headers)
        assert reply.status_code == 401
        assert "admin key" in reply.json()["message"]


def test_the_admin_key_never_reads_a_workspace(hub: Hub, api: Api) -> None:
    api.customer(externalId="secret")
    reply = requests.get(
        f"{hub.workspace_url}/customers", params={"nodeId": hub.node_id}, headers=admin(hub)
    )
    assert reply.status_code == 401


def test_reset_empties_one_workspace_and_keeps_its_token(hub: Hub, api: Api) -> None:
    api.customer(externalId="a")
    other = hub.server.provision()
    other_url = f"{hub.base_url}/workspaces/{other.workspace_id}/customers"
    other_headers = {"Authorization": f"Bearer {other.token}"}
    body = {"nodeId": other.node_id, "externalId": "b"}
    assert requests.post(other_url, json=body, headers=other_headers).status_code == 201
    reply = requests.post(
        hub.url + "/_hub/reset", json={"workspaceId": hub.workspace_id}, headers=admin(hub)
    )
    assert reply.status_code == 200
    assert reply.json()["deleted"]["customers"] == 1
    listed = api("GET", "/customers", params={"nodeId": hub.node_id})
    assert listed.status_code == 200
    assert listed.json()["elements"] == []
    kept = requests.get(other_url, params={"nodeId": other.node_id}, headers=other_headers)
    assert [c["externalId"] for c in kept.json()["elements"]] == ["b"]


def test_workspace_snapshot_restores_ids_dates_and_events(
    hub: Hub, api: Api, tmp_path: Path
) -> None:
    customer = api.customer(externalId="k", base={"firstName": "Ada"})
    event = {"customerId": customer["id"], "type": "loggedIn", "context": "WEB", "properties": {}}
    assert api("POST", "/events", json=event).status_code == 202
    before = api("GET", f"/customers/{customer['id']}").json()
    events_before = api("GET", "/events", params={"customerId": customer["id"]}).json()
    directory = tmp_path / "snap"
    reply = requests.post(
        hub.url + "/_hub/snapshots/export",
        json={"directory": str(directory), "workspaceId": hub.workspace_id},
        headers=admin(hub),
    )
    assert reply.status_code == 200, reply.text
    rows = {t["name"]: t["rows"] for t in reply.json()["tables"]}
    assert rows["customers"] == 1
    assert rows["events"] == 1
    assert api("DELETE", f"/customers/{customer['id']}").status_code == 200
    api.customer(externalId="later")
    reply = requests.post(
        hub.url + "/_hub/snapshots/import", json={"directory": str(directory)}, headers=admin(hub)
    )
    assert reply.status_code == 200, reply.text
    assert api("GET", f"/customers/{customer['id']}").json() == before
    listed = api("GET", "/customers", params={"nodeId": hub.node_id}).json()["elements"]
    assert [c["externalId"] for c in listed] == ["k"]
    found = api(
        "GET",
        "/customers",
        params={
            "nodeId": hub.node_id,
            "query": '{"name":"q","query":'
            '{"type":"simple","name":"q","are":{"condition":{"type":"atomic","attribute":'
            '"base.firstName","operator":"EQUALS","value":"Ada"}}}}',
        },
    ).json()["elements"]
    assert [c["id"] for c in found] == [customer["id"]]
    assert api("GET", "/events", params={"customerId": customer["id"]}).json() == events_before


def test_a_whole_hub_snapshot_loads_only_into_an_empty_hub(hub: Hub, tmp_path: Path) -> None:
    directory = tmp_path / "all"
    reply = requests.post(
        hub.url + "/_hub/snapshots/export", json={"directory": str(directory)}, headers=admin(hub)
    )
    assert reply.status_code == 200
    reply = requests.post(
        hub.url + "/_hub/snapshots/import", json={"directory": str(directory)}, headers=admin(hub)
    )
    assert reply.status_code == 409
    assert "not empty" in reply.json()["message"]


def test_a_directory_that_is_not_a_snapshot_is_a_clear_error(hub: Hub, tmp_path: Path) -> None:
    reply = requests.post(
        hub.url + "/_hub/snapshots/import", json={"directory": str(tmp_path)}, headers=admin(hub)
    )
    assert reply.status_code == 400
    assert "manifest.json" in reply.json()["message"]


def test_the_plugin_snapshots_and_restores_the_tests_workspace(
    hub: Hub, api: Api, tmp_path: Path
) -> None:
    kept = api.customer(externalId="kept")
    hub.snapshot(tmp_path / "s")
    api.customer(externalId="added")
    hub.restore(tmp_path / "s")
    listed = api("GET", "/customers", params={"nodeId": hub.node_id}).json()["elements"]
    assert listed == [kept]
