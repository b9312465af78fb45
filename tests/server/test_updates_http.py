"""The change feed over HTTP: shapes, operations, paging, filters, validation, isolation, and
the exactly-once in-order property under concurrent writers and a concurrent reader."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
import requests
from hubclient import Api, assert_error

from contacthub.testing import Hub


def read_all(api: Api, offset: int = 0, size: int = 4000) -> tuple[list[dict[str, Any]], int]:
    reply = api("GET", "/updates", params={"offset": offset, "size": size})
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert set(body) == {"nextOffset", "updates"}
    return body["updates"], body["nextOffset"]


def test_every_change_of_a_customer_and_an_event_is_one_entry_with_its_data(
    hub: Hub, api: Api
) -> None:
    customer = api.customer(base={"firstName": "Ada"})
    cid = customer["id"]
    patched = api("PATCH", f"/customers/{cid}", json={"tags": {"manual": ["vip"]}}).json()
    assert api("POST", f"/customers/{cid}/likes", json={"id": "l1", "name": "jazz"}).ok
    assert api("POST", f"/customers/{cid}/sessions", json={"value": "s-1"}).ok
    event = {"customerId": cid, "type": "loggedIn", "context": "WEB", "properties": {}}
    event_id = api("POST", "/events", json=event).json()["id"]
    assert api("DELETE", f"/events/{event_id}").status_code == 204
    assert api("DELETE", f"/customers/{cid}").ok

    updates, next_offset = read_all(api)
    kinds = [(u["operation"], u["entity"]["type"]) for u in updates]
    assert kinds == [
        ("CREATE", "CUSTOMER"),
        ("UPDATE", "CUSTOMER"),  # tags
        ("UPDATE", "CUSTOMER"),  # item
        ("UPDATE", "CUSTOMER"),  # session
        ("CREATE", "EVENT"),
        ("DELETE", "EVENT"),
        ("DELETE", "CUSTOMER"),
    ]
    assert next_offset == 7
    assert updates[0]["entity"]["data"] == customer
    assert updates[1]["entity"]["data"] == patched
    assert updates[2]["entity"]["data"]["base"]["likes"][0]["id"] == "l1"
    assert updates[4]["entity"]["data"]["id"] == event_id
    assert updates[4]["entity"]["data"]["customerId"] == cid
    assert updates[6]["entity"]["data"]["id"] == cid
    assert set(updates[0]) == {"operation", "entity"}
    assert set(updates[0]["entity"]) == {"type", "data"}
    reply = api("GET", "/updates/last-offset")
    assert reply.status_code == 200
    assert reply.json() == {"lastOffset": 7}


def test_deleting_a_customer_deletes_its_events_in_the_feed(hub: Hub, api: Api) -> None:
    cid = api.customer(base={"firstName": "Bo"})["id"]
    event = {"customerId": cid, "type": "loggedIn", "context": "WEB", "properties": {}}
    event_id = api("POST", "/events", json=event).json()["id"]
    assert api("DELETE", f"/customers/{cid}").ok
    updates, _ = read_all(api, offset=2)
    assert [(u["operation"], u["entity"]["type"], u["entity"]["data"]["id"]) for u in updates] == [
        ("DELETE", "EVENT", event_id),
        ("DELETE", "CUSTOMER", cid),
    ]


def test_a_create_claiming_waiting_events_records_them_after_the_customer(
    hub: Hub, api: Api
) -> None:
    bring_back = {"type": "EXTERNAL_ID", "value": "ext-later", "nodeId": hub.node_id}
    waiting = []
    for title in ("one", "two"):
        event = {
            "bringBackProperties": bring_back,
            "type": "viewedPage",
            "context": "WEB",
            "properties": {"title": title},
        }
        reply = api("POST", "/events", json=event)
        assert reply.status_code == 202, reply.text
        waiting.append(reply.json()["id"])
    customer = api.customer(externalId="ext-later")

    updates, next_offset = read_all(api)
    assert next_offset == 5
    assert [(u["operation"], u["entity"]["type"]) for u in updates] == [
        ("CREATE", "EVENT"),
        ("CREATE", "EVENT"),
        ("CREATE", "CUSTOMER"),
        ("UPDATE", "EVENT"),
        ("UPDATE", "EVENT"),
    ]
    assert updates[2]["entity"]["data"] == customer
    # As the create answered it, key order included (JSONB would reorder the keys).
    assert json.dumps(updates[2]["entity"]["data"]) == json.dumps(customer)
    claimed = [u["entity"]["data"] for u in updates[3:]]
    assert sorted(e["id"] for e in claimed) == sorted(waiting)
    assert all(e["customerId"] == customer["id"] for e in claimed)
    for event_id in waiting:
        assert api("GET", f"/events/{event_id}").json()["customerId"] == customer["id"]


def test_a_refused_write_leaves_no_entry(hub: Hub, api: Api) -> None:
    api.customer(base={"contacts": {"email": "a@example.com"}})
    reply = api(
        "POST",
        "/customers",
        json={"nodeId": hub.node_id, "base": {"contacts": {"email": "A@example.com"}}},
    )
    assert reply.status_code == 409
    assert api("PATCH", "/customers/nope", json={"base": {}}).status_code == 404
    assert len(read_all(api)[0]) == 1
    assert api("GET", "/updates/last-offset").json() == {"lastOffset": 1}


def test_paging_by_offset_resumes_after_the_last_entry(hub: Hub, api: Api) -> None:
    ids = [api.customer(externalId=f"c{i}")["id"] for i in range(7)]
    seen: list[str] = []
    offset = 0
    while True:
        reply = api("GET", "/updates", params={"offset": offset, "size": 3})
        body = reply.json()
        if not body["updates"]:
            assert body["nextOffset"] == offset
            break
        assert len(body["updates"]) <= 3
        seen += [u["entity"]["data"]["id"] for u in body["updates"]]
        offset = body["nextOffset"]
    assert seen == ids
    assert offset == 7
    # The default page size is 50 and no offset means from the start.
    body = api("GET", "/updates").json()
    assert [u["entity"]["data"]["id"] for u in body["updates"]] == ids


def test_filters_by_entity_and_node_and_skip_what_they_filter_out(hub: Hub, api: Api) -> None:
    cid = api.customer(externalId="x")["id"]
    event = {"customerId": cid, "type": "loggedIn", "context": "WEB", "properties": {}}
    api("POST", "/events", json=event)
    api.customer(externalId="y")
    body = api("GET", "/updates", params={"entity": "EVENT"}).json()
    assert [u["entity"]["type"] for u in body["updates"]] == ["EVENT"]
    assert body["nextOffset"] == 3  # past the customer after it, which the filter skipped
    assert api("GET", "/updates/last-offset", params={"entity": "EVENT"}).json() == {
        "lastOffset": 2
    }
    body = api("GET", "/updates", params={"nodeId": "other-node"}).json()
    assert body == {"nextOffset": 3, "updates": []}
    body = api("GET", "/updates", params={"nodeId": hub.node_id, "entity": "CUSTOMER"}).json()
    assert len(body["updates"]) == 2


def test_timestamp_starts_the_feed_at_a_moment_unless_an_offset_is_given(
    hub: Hub, api: Api
) -> None:
    api.customer(externalId="old")
    body = api("GET", "/updates", params={"timestamp": 4102444800000}).json()  # 2100
    assert body == {"nextOffset": 1, "updates": []}
    body = api("GET", "/updates", params={"timestamp": 0}).json()
    assert len(body["updates"]) == 1
    body = api("GET", "/updates", params={"timestamp": 4102444800000, "offset": 0}).json()
    assert len(body["updates"]) == 1


def test_size_zero_returns_nothing_and_keeps_the_offset(hub: Hub, api: Api) -> None:
    api.customer(externalId="a")
    assert api("GET", "/updates", params={"size": 0}).json() == {"nextOffset": 0, "updates": []}


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("size", "4001"),
        ("size", "-1"),
        ("size", "ten"),
        ("offset", "-1"),
        ("offset", "1.5"),
        ("timestamp", "yesterday"),
        ("entity", "SEGMENT"),
    ],
)
def test_bad_parameters_are_400_naming_them(hub: Hub, api: Api, name: str, value: str) -> None:
    body = assert_error(api("GET", "/updates", params={name: value}), 400)
    assert body["errors"][0]["path"] == name
    if name == "entity":
        body = assert_error(api("GET", "/updates/last-offset", params={name: value}), 400)
        assert body["errors"][0]["path"] == name


def test_the_feed_needs_the_workspace_token_and_shows_only_its_workspace(
    hub: Hub, api: Api
) -> None:
    api.customer(externalId="mine")
    other = hub.server.provision()
    url = f"{hub.base_url}/workspaces/{other.workspace_id}"
    headers = {"Authorization": f"Bearer {other.token}"}
    body = requests.get(f"{url}/updates", headers=headers, timeout=10).json()
    assert body == {"nextOffset": 0, "updates": []}
    for path in ("/updates", "/updates/last-offset"):
        assert_error(requests.get(hub.workspace_url + path, timeout=10), 401)
        assert_error(requests.get(hub.workspace_url + path, headers=headers, timeout=10), 403)


def test_concurrent_writers_and_a_concurrent_reader_see_every_change_once_in_order(
    hub: Hub, api: Api
) -> None:
    writers, per_writer = 6, 25
    acknowledged: list[str] = []
    lock = threading.Lock()
    done = threading.Event()

    def write(n: int) -> None:
        with requests.Session() as session:
            session.headers.update(hub.headers)
            for i in range(per_writer):
                body = {"nodeId": hub.node_id, "externalId": f"w{n}-{i}"}
                reply = session.post(hub.workspace_url + "/customers", json=body, timeout=30)
                assert reply.status_code == 201
                cid = reply.json()["id"]
                patch = {"base": {"firstName": f"n{i}"}}
                reply = session.patch(
                    f"{hub.workspace_url}/customers/{cid}", json=patch, timeout=30
                )
                assert reply.status_code == 200
                with lock:
                    acknowledged.append(cid)

    read: list[dict[str, Any]] = []
    offsets: list[int] = []

    def follow() -> None:
        offset = 0
        with requests.Session() as session:
            session.headers.update(hub.headers)
            while True:
                finished = done.is_set()
                reply = session.get(
                    hub.workspace_url + "/updates", params={"offset": offset, "size": 7}, timeout=30
                )
                body = reply.json()
                read.extend(body["updates"])
                assert body["nextOffset"] >= offset
                offset = body["nextOffset"]
                offsets.append(offset)
                if finished and not body["updates"]:
                    return

    reader = threading.Thread(target=follow)
    reader.start()
    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done.set()
    reader.join(timeout=120)

    assert len(read) == 2 * writers * per_writer
    # Exactly once: each customer's CREATE then UPDATE, each once, in the order of its writes.
    by_customer: dict[str, list[str]] = {}
    for update in read:
        by_customer.setdefault(update["entity"]["data"]["id"], []).append(update["operation"])
    assert sorted(by_customer) == sorted(acknowledged)
    assert all(ops == ["CREATE", "UPDATE"] for ops in by_customer.values())
    # In order: the reader's pages put together are the feed as it finally stands.
    final, _ = read_all(api)
    assert read == final
    assert offsets == sorted(offsets)
