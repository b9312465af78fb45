"""Faults and latency of one workspace set at run time: ``/_hub/workspaces/{ws}/faults``."""

from __future__ import annotations

import time
from typing import Any

import requests
from hubclient import Api, assert_error

from contacthub.testing import Hub
from contacthub_server.runner import HubServer
from contacthub_server.settings import HubSettings


def admin(hub: Hub) -> dict[str, str]:
    return {"Authorization": f"Bearer {hub.server.admin_key}"}


def faults_url(hub: Hub, ws: str | None = None) -> str:
    return f"{hub.url}/_hub/workspaces/{ws or hub.workspace_id}/faults"


def put_faults(hub: Hub, **body: Any) -> dict[str, Any]:
    reply = requests.put(faults_url(hub), json=body, headers=admin(hub), timeout=10)
    assert reply.status_code == 200, reply.text
    answer: dict[str, Any] = reply.json()
    return answer


def statuses(api: Api, count: int) -> list[int]:
    return [
        api("GET", "/customers", params={"nodeId": api.hub.node_id}).status_code
        for _ in range(count)
    ]


def test_the_faults_endpoints_need_the_admin_key(hub: Hub) -> None:
    for headers in ({}, {"Authorization": f"Bearer {hub.token}"}, {"Authorization": "Bearer x"}):
        for method in ("GET", "PUT", "DELETE"):
            reply = requests.request(
                method, faults_url(hub), json={"rate": 1}, headers=headers, timeout=10
            )
            assert_error(reply, 401)
            assert "admin key" in reply.json()["message"]


def test_a_workspace_follows_the_hub_wide_faults_until_given_its_own(hub: Hub) -> None:
    reply = requests.get(faults_url(hub), headers=admin(hub), timeout=10)
    assert reply.status_code == 200
    assert reply.json() == {
        "workspaceId": hub.workspace_id,
        "scope": "hub",
        "rate": 0.0,
        "latencyMs": 0,
        "seed": None,
        "statuses": [503, 429, "drop-before", "drop-after"],
    }
    assert put_faults(hub, rate=0.25, latencyMs=5, seed=9, statuses=["503", 429]) == {
        "workspaceId": hub.workspace_id,
        "scope": "workspace",
        "rate": 0.25,
        "latencyMs": 5,
        "seed": 9,
        "statuses": [503, 429],
    }
    again = requests.get(faults_url(hub), headers=admin(hub), timeout=10).json()
    assert again["scope"] == "workspace"
    assert again["rate"] == 0.25


def test_an_unknown_workspace_is_a_404(hub: Hub) -> None:
    for method in ("GET", "PUT", "DELETE"):
        reply = requests.request(
            method, faults_url(hub, "no-such-ws"), json={}, headers=admin(hub), timeout=10
        )
        assert_error(reply, 404)


def test_faults_apply_to_that_workspace_only_and_turn_off(hub: Hub, api: Api) -> None:
    other = hub.server.provision()
    other_url = f"{hub.base_url}/workspaces/{other.workspace_id}/customers"
    other_headers = {"Authorization": f"Bearer {other.token}"}
    put_faults(hub, rate=1, statuses=[503])
    seen = statuses(api, 5)
    assert seen == [503] * 5
    refused = api("GET", "/customers", params={"nodeId": hub.node_id})
    assert refused.headers["Retry-After"] == "1"
    assert_error(refused, 503)
    for _ in range(5):
        reply = requests.get(
            other_url, params={"nodeId": other.node_id}, headers=other_headers, timeout=10
        )
        assert reply.status_code == 200
    # The admin API is never faulted, nor is the console.
    assert requests.get(hub.url + "/_hub/health", timeout=10).status_code == 200
    assert requests.get(hub.url + "/console/login", timeout=10).status_code == 200

    reply = requests.delete(faults_url(hub), headers=admin(hub), timeout=10)
    assert reply.status_code == 200
    assert reply.json()["scope"] == "hub"
    assert statuses(api, 5) == [200] * 5


def test_a_rejected_request_is_not_processed(hub: Hub, api: Api) -> None:
    put_faults(hub, rate=1, statuses=[429])
    reply = api("POST", "/customers", json={"nodeId": hub.node_id, "externalId": "refused"})
    assert_error(reply, 429)
    requests.delete(faults_url(hub), headers=admin(hub), timeout=10)
    listed = api("GET", "/customers", params={"nodeId": hub.node_id, "externalId": "refused"})
    assert listed.json()["elements"] == []


def test_a_dropped_connection_and_a_write_committed_before_the_drop(hub: Hub, api: Api) -> None:
    put_faults(hub, rate=1, statuses=["drop-after"])
    try:
        api("POST", "/customers", json={"nodeId": hub.node_id, "externalId": "kept"})
        raise AssertionError("the connection should have been dropped")
    except requests.ConnectionError:
        pass
    put_faults(hub, rate=1, statuses=["drop-before"])
    try:
        api("POST", "/customers", json={"nodeId": hub.node_id, "externalId": "lost"})
        raise AssertionError("the connection should have been dropped")
    except requests.ConnectionError:
        pass
    requests.delete(faults_url(hub), headers=admin(hub), timeout=10)
    found = api("GET", "/customers", params={"nodeId": hub.node_id}).json()["elements"]
    assert [c["externalId"] for c in found] == ["kept"]


def test_a_seed_repeats_the_draw_each_time_it_is_put(hub: Hub, api: Api) -> None:
    put_faults(hub, rate=0.5, seed=20260101, statuses=[503, 429])
    first = statuses(api, 24)
    put_faults(hub, rate=0.5, seed=20260101, statuses=[503, 429])
    second = statuses(api, 24)
    assert first == second
    assert {200, 503, 429} <= set(first)


def test_latency_of_one_workspace(hub: Hub, api: Api) -> None:
    put_faults(hub, latencyMs=300)
    started = time.monotonic()
    reply = api("GET", "/customers", params={"nodeId": hub.node_id})
    assert time.monotonic() - started >= 0.3
    assert reply.status_code == 200


def test_bad_settings_are_refused_with_every_problem(hub: Hub) -> None:
    body = {"rate": 1.5, "latencyMs": -1, "seed": "x", "statuses": [500, "drop"], "what": 1}
    reply = requests.put(faults_url(hub), json=body, headers=admin(hub), timeout=10)
    problems = assert_error(reply, 400)["errors"]
    assert sorted(p["path"] for p in problems) == [
        "/latencyMs",
        "/rate",
        "/seed",
        "/statuses/0",
        "/statuses/1",
        "/what",
    ]
    for bad in ([], "x", {"statuses": []}, {"rate": True}, {"latencyMs": 300_001}):
        reply = requests.put(faults_url(hub), json=bad, headers=admin(hub), timeout=10)
        assert_error(reply, 400)
    assert requests.get(faults_url(hub), headers=admin(hub), timeout=10).json()["scope"] == "hub"


def test_an_empty_setting_exempts_a_workspace_from_the_hub_wide_faults(
    database_url: str,
) -> None:
    settings = HubSettings(database_url=database_url, fault_rate=1.0, fault_seed=1)
    with HubServer(settings) as server:
        creds = server.provision()
        url = f"{server.base_url}/workspaces/{creds.workspace_id}/customers"
        headers = {"Authorization": f"Bearer {creds.token}"}
        admin_headers = {"Authorization": f"Bearer {server.admin_key}"}
        # The hub-wide faults are for the ContactHub API: the admin API answers.
        assert requests.get(server.url + "/_hub/health", timeout=10).status_code == 200
        faults = f"{server.url}/_hub/workspaces/{creds.workspace_id}/faults"
        shown = requests.get(faults, headers=admin_headers, timeout=10).json()
        assert (shown["scope"], shown["rate"], shown["seed"]) == ("hub", 1.0, 1)
        assert requests.put(faults, json={}, headers=admin_headers, timeout=10).status_code == 200
        for _ in range(5):
            reply = requests.get(url, params={"nodeId": creds.node_id}, headers=headers, timeout=10)
            assert reply.status_code == 200


def test_another_process_on_the_database_applies_the_settings(hub: Hub, database_url: str) -> None:
    with HubServer(HubSettings(database_url=database_url)) as second:
        url = f"{second.base_url}/workspaces/{hub.workspace_id}/customers"
        headers = {"Authorization": f"Bearer {hub.token}"}

        def status() -> int:
            return requests.get(
                url, params={"nodeId": hub.node_id}, headers=headers, timeout=10
            ).status_code

        assert status() == 200
        put_faults(hub, rate=1, statuses=[503])  # through the first hub
        deadline = time.monotonic() + 5
        while status() != 503:
            assert time.monotonic() < deadline, "the second hub never applied the faults"
            time.sleep(0.1)
        requests.delete(faults_url(hub), headers=admin(hub), timeout=10)
        while status() != 200:
            assert time.monotonic() < deadline + 5, "the second hub never turned them off"
            time.sleep(0.1)


def test_a_reset_keeps_the_faults_and_a_snapshot_leaves_them_out(
    hub: Hub, api: Api, tmp_path: Any
) -> None:
    put_faults(hub, latencyMs=1)
    reply = requests.post(
        hub.url + "/_hub/reset", json={"workspaceId": hub.workspace_id}, headers=admin(hub)
    )
    assert reply.status_code == 200
    assert "workspace_faults" not in reply.json()["deleted"]
    assert requests.get(faults_url(hub), headers=admin(hub), timeout=10).json()["latencyMs"] == 1
    reply = requests.post(
        hub.url + "/_hub/snapshots/export",
        json={"directory": str(tmp_path / "snap"), "workspaceId": hub.workspace_id},
        headers=admin(hub),
    )
    assert reply.status_code == 200
    assert "workspace_faults" not in {t["name"] for t in reply.json()["tables"]}
