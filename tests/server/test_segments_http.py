"""Segments (saved customer queries) and ``GET /me`` over HTTP, on both backends."""

from __future__ import annotations

from typing import Any

import requests
from hubclient import Api, assert_error

from contacthub.testing import Hub


def city_is(city: str) -> dict[str, Any]:
    condition = {
        "type": "atomic",
        "attribute": "base.address.city",
        "operator": "EQUALS",
        "value": city,
    }
    return {"type": "simple", "name": "query", "are": {"condition": condition}}


def created(api: Api, **body: Any) -> dict[str, Any]:
    reply = api("POST", "/segments", json=body)
    assert reply.status_code == 201, reply.text
    answer = reply.json()
    assert isinstance(answer, list)
    assert len(answer) == 1
    segment: dict[str, Any] = answer[0]
    return segment


def members(api: Api, segment_id: str, **params: Any) -> list[str]:
    reply = api(
        "GET",
        f"/segments/{segment_id}/customers",
        params={"nodeId": api.hub.node_id, "fields": "base.firstName", **params},
    )
    assert reply.status_code == 200, reply.text
    return [c["base"]["firstName"] for c in reply.json()["elements"]]


def test_a_segment_is_created_read_listed_replaced_and_deleted(api: Api) -> None:
    segment = created(api, name="Romans", query=city_is("Rome"))
    assert set(segment) == {"id", "name", "query", "enabled", "createdAt", "updatedAt"}
    assert segment["enabled"] is True
    assert segment["query"] == city_is("Rome")
    assert api("GET", f"/segments/{segment['id']}").json() == segment

    other = created(api, name="Milanese", query=city_is("Milan"), enabled=False)
    listing = api("GET", "/segments").json()
    assert [s["id"] for s in listing["elements"]] == [segment["id"], other["id"]]
    assert listing["page"]["totalElements"] == 2
    by_name = api("GET", "/segments", params={"name": "Milanese"}).json()["elements"]
    assert [s["id"] for s in by_name] == [other["id"]]
    assert api("GET", "/segments", params={"name": "Milan"}).json()["elements"] == []

    replaced = api(
        "PUT", f"/segments/{segment['id']}", json={"name": "Turinese", "query": city_is("Turin")}
    )
    assert replaced.status_code == 200, replaced.text
    body = replaced.json()
    assert (body["id"], body["name"], body["createdAt"]) == (
        segment["id"],
        "Turinese",
        segment["createdAt"],
    )
    assert body["updatedAt"] > segment["updatedAt"]

    deleted = api("DELETE", f"/segments/{segment['id']}")
    assert deleted.status_code == 200
    assert deleted.json() == body
    assert_error(api("GET", f"/segments/{segment['id']}"), 404)
    assert_error(api("DELETE", f"/segments/{segment['id']}"), 404)
    assert_error(
        api("PUT", f"/segments/{segment['id']}", json={"name": "x", "query": city_is("x")}), 404
    )


def test_a_segments_customers_are_always_its_querys_current_result(api: Api) -> None:
    for name, city in (("Ada", "Rome"), ("Bea", "Milan"), ("Cy", "Rome")):
        api.customer(base={"firstName": name, "address": {"city": city}})
    segment = created(api, name="Romans", query=city_is("Rome"))
    assert members(api, segment["id"], sort="base.firstName,desc") == ["Cy", "Ada"]
    api.customer(base={"firstName": "Dan", "address": {"city": "Rome"}})
    assert members(api, segment["id"], sort="base.firstName") == ["Ada", "Cy", "Dan"]
    page = api(
        "GET",
        f"/segments/{segment['id']}/customers",
        params={
            "nodeId": api.hub.node_id,
            "fields": "base.firstName",
            "size": 2,
            "page": 1,
            "sort": "base.firstName",
        },
    ).json()
    assert [c["base"]["firstName"] for c in page["elements"]] == ["Dan"]
    assert page["page"]["totalElements"] == 3


def test_a_combined_query_segment_finds_what_the_customer_query_finds(api: Api) -> None:
    for name, city in (("Ada", "Rome"), ("Bea", "Milan"), ("Cy", "Rome")):
        api.customer(base={"firstName": name, "address": {"city": city}})
    not_cy = {
        "type": "simple",
        "name": "q",
        "are": {
            "condition": {
                "type": "atomic",
                "attribute": "base.firstName",
                "operator": "EQUALS",
                "value": "Cy",
            }
        },
    }
    query = {
        "type": "combined",
        "name": "q",
        "conjunction": "EXCEPT",
        "queries": [city_is("Rome"), not_cy],
    }
    segment = created(api, name="Romans but Cy", query=query)
    assert members(api, segment["id"]) == ["Ada"]


def test_bad_segments_are_refused_naming_every_field(api: Api) -> None:
    body = assert_error(
        api(
            "POST",
            "/segments",
            json={
                "name": "",
                "query": {"type": "simple", "are": {}},
                "enabled": "yes",
                "enable": True,
            },
        ),
        400,
    )
    paths = {error["path"] for error in body["errors"]}
    assert {"/name", "/enabled", "/enable"} <= paths
    assert any(path.startswith("/query") for path in paths), paths
    assert_error(api("POST", "/segments", json={"name": "no query"}), 400)
    assert_error(api("POST", "/segments", json=["not", "an", "object"]), 400)
    segment = created(api, name="Romans", query=city_is("Rome"))
    wrong_id = api(
        "PUT",
        f"/segments/{segment['id']}",
        json={"id": "other", "name": "x", "query": city_is("x")},
    )
    assert [e["path"] for e in assert_error(wrong_id, 400)["errors"]] == ["/id"]


def test_segment_customers_need_a_node_and_fields(api: Api) -> None:
    segment = created(api, name="Romans", query=city_is("Rome"))
    url = f"/segments/{segment['id']}/customers"
    missing_node = assert_error(api("GET", url, params={"fields": "id"}), 400)
    assert missing_node["errors"][0]["path"] == "nodeId"
    missing_fields = assert_error(api("GET", url, params={"nodeId": api.hub.node_id}), 400)
    assert missing_fields["errors"][0]["path"] == "fields"
    assert_error(api("GET", url, params={"nodeId": "nope", "fields": "id"}), 404)
    assert_error(
        api("GET", "/segments/nope/customers", params={"nodeId": api.hub.node_id, "fields": "id"}),
        404,
    )
    assert_error(
        api("GET", url, params={"nodeId": api.hub.node_id, "fields": "id", "sort": "base..x"}), 400
    )


def test_segments_are_private_to_their_workspace(api: Api, hub: Hub) -> None:
    segment = created(api, name="Romans", query=city_is("Rome"))
    other = hub.server.provision()
    headers = {"Authorization": f"Bearer {other.token}"}
    theirs = f"{hub.base_url}/workspaces/{other.workspace_id}/segments"
    assert requests.get(theirs, headers=headers, timeout=10).json()["elements"] == []
    assert_error(requests.get(f"{theirs}/{segment['id']}", headers=headers, timeout=10), 404)
    mine_with_their_token = f"{hub.workspace_url}/segments/{segment['id']}"
    assert_error(requests.get(mine_with_their_token, headers=headers, timeout=10), 403)
    assert_error(requests.get(f"{hub.workspace_url}/segments", timeout=10), 401)


def test_me_names_the_tokens_workspace_and_nodes(api: Api, hub: Hub) -> None:
    reply = requests.get(f"{hub.base_url}/me", headers=hub.headers, timeout=10)
    assert reply.status_code == 200, reply.text
    me = reply.json()
    assert set(me) == {"id", "name", "surname", "groups"}
    assert hub.token not in reply.text
    [group] = me["groups"]
    [workspace] = group["workspaces"]
    assert workspace["id"] == hub.workspace_id
    assert workspace["nodes"] == [{"id": hub.node_id, "permission": "RW"}]
    again = requests.get(f"{hub.base_url}/me", headers=hub.headers, timeout=10).json()
    assert again["id"] == me["id"]
    assert_error(requests.get(f"{hub.base_url}/me", timeout=10), 401)
    assert_error(
        requests.get(f"{hub.base_url}/me", headers={"Authorization": "Bearer nope"}, timeout=10),
        401,
    )
    basic = {"Authorization": f"Basic {hub.token}"}
    assert_error(requests.get(f"{hub.base_url}/me", headers=basic, timeout=10), 401)
