"""The opt-in indexing delay (§10.18) over HTTP, on both backends: a write is readable by id at
once but reaches customer lists, queries, externalId look-ups, segment customers and event
listings only after the delay; an update hides the customer again; uniqueness checks and the
change feed are not delayed; a node's ``indexDelayMs`` overrides the hub's
``--index-delay-ms``; ``hub.index_delay(ms)`` turns it on for one test.

No fixed sleeps decide a result: absence is asserted only when the hub answered within the
delay (else the write is tried again), and presence is polled for with a deadline.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
import requests
from hubclient import Api, assert_error

from contacthub.testing import Hub
from contacthub_server.runner import HubServer
from contacthub_server.settings import HubSettings

DELAY_MS = 300
DELAY = DELAY_MS / 1000
#: Writes tried before giving up on seeing the hub answer within the delay (a loaded machine).
ATTEMPTS = 8
#: How long a delayed write may take to show, at most, before the test fails.
DEADLINE = 15.0

T = TypeVar("T")
Probe = Callable[[], bool]


def eventually(check: Probe, what: str) -> float:
    """Poll ``check`` until it holds (failing after ``DEADLINE`` seconds); when it held."""
    deadline = time.time() + DEADLINE
    while not check():
        assert time.time() < deadline, f"{what}: still not so after {DEADLINE} s"
        time.sleep(0.02)
    return time.time()


def hidden_then_shown(write: Callable[[], T], probes: Callable[[T], dict[str, Probe]]) -> T:
    """Do ``write``: every probe is False while the delay lasts, then each becomes True, and
    not before the delay has passed. Returns what ``write`` returned."""
    for _attempt in range(ATTEMPTS):
        started = time.time()
        result = write()
        checks = probes(result)
        early = {name: check() for name, check in checks.items()}
        if time.time() - started < DELAY:
            # Every probe was answered before the write could show: the hub had to hide it.
            break
    else:
        pytest.fail(f"the hub never answered {ATTEMPTS} writes and probes within {DELAY} s")
    assert not any(early.values()), f"shown before the delay passed: {early}"
    for name, check in checks.items():
        shown_at = eventually(check, name)
        assert shown_at - started >= DELAY - 0.002, f"{name} shown after {shown_at - started} s"
    return result


def query_param(attribute: str, value: Any) -> str:
    condition = {"type": "atomic", "attribute": attribute, "operator": "EQUALS", "value": value}
    query = {"type": "simple", "name": "query", "are": {"condition": condition}}
    return json.dumps({"name": "query", "query": query})


def customer_ids(api: Api, **params: Any) -> list[str]:
    reply = api("GET", "/customers", params={"nodeId": api.hub.node_id, **params})
    assert reply.status_code == 200, reply.text
    return [doc["id"] for doc in reply.json()["elements"]]


def event_ids(api: Api, **params: Any) -> list[str]:
    reply = api("GET", "/events", params=params)
    assert reply.status_code == 200, reply.text
    return [doc["id"] for doc in reply.json()["elements"]]


def customer_probes(api: Api, customer: dict[str, Any]) -> dict[str, Probe]:
    """Every listing that must hide a new customer: the list, a query, the externalId look-up."""
    cid, email = customer["id"], customer["base"]["contacts"]["email"]
    return {
        "listed": lambda: cid in customer_ids(api),
        "found by a query": lambda: (
            customer_ids(api, query=query_param("base.contacts.email", email)) == [cid]
        ),
        "found by externalId": lambda: (
            customer_ids(api, externalId=customer["externalId"]) == [cid]
        ),
    }


def new_customer(api: Api, name: str = "Ada") -> dict[str, Any]:
    tag = uuid.uuid4().hex[:8]
    return api.customer(
        externalId=f"ext-{tag}",
        base={"firstName": name, "contacts": {"email": f"{tag}@example.com"}},
    )


@pytest.fixture
def delayed(hub: Hub, api: Api) -> Api:
    """The test's node with an ``indexDelayMs`` of ``DELAY_MS`` (the hub's own delay is 0)."""
    hub.server.provision(
        hub.workspace_id, hub.node_id, hub.token, node_settings={"indexDelayMs": DELAY_MS}
    )
    return api


def test_a_new_customer_is_readable_by_id_at_once_and_listed_only_after_the_delay(
    delayed: Api,
) -> None:
    def create() -> dict[str, Any]:
        customer = new_customer(delayed)
        reply = delayed("GET", f"/customers/{customer['id']}")
        assert reply.status_code == 200, reply.text
        assert reply.json() == customer
        return customer

    customer = hidden_then_shown(create, lambda c: customer_probes(delayed, c))
    reply = delayed("GET", "/customers", params={"nodeId": delayed.hub.node_id})
    assert reply.json()["page"]["totalElements"] >= 1
    assert customer["id"] in [doc["id"] for doc in reply.json()["elements"]]


def test_an_update_takes_the_customer_out_of_the_listings_for_the_delay(delayed: Api) -> None:
    customer = new_customer(delayed, "Ada")
    cid = customer["id"]
    eventually(lambda: cid in customer_ids(delayed), "the new customer listed")
    names = iter(f"Grace-{n}" for n in range(ATTEMPTS))

    def rename() -> dict[str, Any]:
        reply = delayed("PATCH", f"/customers/{cid}", json={"base": {"firstName": next(names)}})
        assert reply.status_code == 200, reply.text
        updated: dict[str, Any] = reply.json()
        by_id = delayed("GET", f"/customers/{cid}").json()
        assert by_id["base"]["firstName"] == updated["base"]["firstName"]  # by id: at once
        return updated

    def probes(updated: dict[str, Any]) -> dict[str, Probe]:
        name = updated["base"]["firstName"]
        return {
            # Neither the old version nor the new one shows while the delay lasts.
            **customer_probes(delayed, updated),
            "found by its new name": lambda: (
                customer_ids(delayed, query=query_param("base.firstName", name)) == [cid]
            ),
        }

    hidden_then_shown(rename, probes)
    listed = delayed("GET", "/customers", params={"nodeId": delayed.hub.node_id}).json()
    assert [doc["base"]["firstName"] for doc in listed["elements"]] == [
        delayed("GET", f"/customers/{cid}").json()["base"]["firstName"]
    ]


def test_an_item_or_a_tag_change_hides_the_customer_too(delayed: Api) -> None:
    customer = new_customer(delayed)
    cid = customer["id"]
    eventually(lambda: cid in customer_ids(delayed), "the new customer listed")
    likes = iter(f"like-{n}" for n in range(ATTEMPTS))

    def add_like() -> str:
        like = next(likes)
        reply = delayed("POST", f"/customers/{cid}/likes", json={"id": like, "name": "jazz"})
        assert reply.ok, reply.text
        return like

    hidden_then_shown(add_like, lambda _like: {"listed": lambda: cid in customer_ids(delayed)})

    def tag() -> None:
        reply = delayed("PATCH", f"/customers/{cid}", json={"tags": {"manual": ["vip"]}})
        assert reply.status_code == 200, reply.text

    vip = query_param("tags.manual", "vip")
    hidden_then_shown(tag, lambda _: {"found by tag": lambda: customer_ids(delayed, query=vip)})


def test_an_event_is_readable_by_id_at_once_and_listed_only_after_the_delay(
    delayed: Api,
) -> None:
    customer = new_customer(delayed)

    def post_event() -> str:
        event = {"customerId": customer["id"], "type": "loggedIn", "context": "WEB"}
        reply = delayed("POST", "/events", json={**event, "properties": {}})
        assert reply.status_code == 202, reply.text
        event_id: str = reply.json()["id"]
        by_id = delayed("GET", f"/events/{event_id}")
        assert by_id.status_code == 200, by_id.text
        assert by_id.json()["customerId"] == customer["id"]
        return event_id

    event_id = hidden_then_shown(
        post_event,
        lambda eid: {
            "listed by customer": lambda: eid in event_ids(delayed, customerId=customer["id"]),
            "listed by node": lambda: eid in event_ids(delayed, nodeId=delayed.hub.node_id),
        },
    )
    assert event_id in event_ids(delayed, customerId=customer["id"], type="loggedIn")


def test_segment_customers_follow_the_delay(delayed: Api) -> None:
    condition = {
        "type": "atomic",
        "attribute": "base.firstName",
        "operator": "EQUALS",
        "value": "Seg",
    }
    query = {"type": "simple", "name": "query", "are": {"condition": condition}}
    reply = delayed("POST", "/segments", json={"name": "segs", "query": query})
    assert reply.status_code == 201, reply.text
    segment_id = reply.json()[0]["id"]

    def members(cid: str) -> bool:
        reply = delayed(
            "GET",
            f"/segments/{segment_id}/customers",
            params={"nodeId": delayed.hub.node_id, "fields": "base.firstName"},
        )
        assert reply.status_code == 200, reply.text
        return cid in [doc["id"] for doc in reply.json()["elements"]]

    hidden_then_shown(
        lambda: new_customer(delayed, "Seg"), lambda c: {"segment member": lambda: members(c["id"])}
    )


def test_matching_and_the_change_feed_are_not_delayed(delayed: Api) -> None:
    customer = new_customer(delayed)
    # The uniqueness check sees the customer at once: a second one with its email is a 409.
    again = {"nodeId": delayed.hub.node_id, "base": {"contacts": customer["base"]["contacts"]}}
    body = assert_error(delayed("POST", "/customers", json=again), 409)
    assert body["data"]["customer"]["id"] == customer["id"]
    # So does the EXTERNAL_ID bring-back: an event naming its externalId is its at once.
    bring_back = {"type": "EXTERNAL_ID", "value": customer["externalId"]}
    event = {
        "bringBackProperties": {**bring_back, "nodeId": delayed.hub.node_id},
        "type": "loggedIn",
        "context": "WEB",
        "properties": {},
    }
    reply = delayed("POST", "/events", json=event)
    assert reply.status_code == 202, reply.text
    assert delayed("GET", f"/events/{reply.json()['id']}").json()["customerId"] == customer["id"]
    # The change feed has the create at once.
    feed = delayed("GET", "/updates", params={"offset": 0}).json()["updates"]
    assert customer["id"] in [entry["entity"]["data"]["id"] for entry in feed]


def test_without_a_delay_every_write_is_listed_at_once(hub: Hub, api: Api) -> None:
    customer = new_customer(api)
    assert customer_ids(api) == [customer["id"]]
    for probe in customer_probes(api, customer).values():
        assert probe()
    event = {"customerId": customer["id"], "type": "loggedIn", "context": "WEB", "properties": {}}
    event_id = api("POST", "/events", json=event).json()["id"]
    assert event_ids(api, customerId=customer["id"]) == [event_id]
    api("PATCH", f"/customers/{customer['id']}", json={"base": {"firstName": "Grace"}})
    found = customer_ids(api, query=query_param("base.firstName", "Grace"))
    assert found == [customer["id"]]


def test_the_node_setting_is_checked_and_can_be_turned_off(hub: Hub, delayed: Api) -> None:
    with pytest.raises(ValueError, match="indexDelayMs"):
        hub.server.provision(hub.workspace_id, hub.node_id, node_settings={"indexDelayMs": -1})
    with pytest.raises(ValueError, match="indexDelayMs"):
        hub.server.provision(hub.workspace_id, hub.node_id, node_settings={"indexDelayMs": 1.5})
    # Back to the hub's value (0): writes show at once again.
    hub.server.provision(hub.workspace_id, hub.node_id, node_settings={})
    customer = new_customer(delayed)
    assert customer_ids(delayed) == [customer["id"]]


@pytest.fixture(scope="module")
def delayed_server(database_url: str) -> Iterator[HubServer]:
    """A second hub on the same database with ``index_delay_ms`` set for every node."""
    with HubServer(HubSettings(database_url=database_url, index_delay_ms=DELAY_MS)) as server:
        yield server


def api_of(server: HubServer, **node_settings: Any) -> Api:
    credentials = server.provision(node_settings=node_settings or None)
    return Api(Hub(server, credentials.workspace_id, credentials.node_id, credentials.token))


def test_the_hub_wide_delay_applies_to_nodes_without_their_own(
    delayed_server: HubServer,
) -> None:
    api = api_of(delayed_server)
    hidden_then_shown(lambda: new_customer(api), lambda c: customer_probes(api, c))


def test_a_node_setting_overrides_the_hub_wide_delay(delayed_server: HubServer) -> None:
    api = api_of(delayed_server, indexDelayMs=0)
    customer = new_customer(api)
    assert customer_ids(api) == [customer["id"]]
    for probe in customer_probes(api, customer).values():
        assert probe()


def test_the_plugin_turns_the_delay_on_for_the_block(hub: Hub, api: Api) -> None:
    with hub.index_delay(DELAY_MS):
        hidden_then_shown(lambda: new_customer(api), lambda c: customer_probes(api, c))
    # Off again after the block: the node has its own settings back.
    customer = new_customer(api)
    assert customer["id"] in customer_ids(api)
    settings = hub.server.app.registry.node(hub.workspace_id, hub.node_id)  # type: ignore[union-attr]
    assert settings is not None
    assert "indexDelayMs" not in settings.settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.mark.slow
def test_serve_takes_the_index_delay_flag(tmp_path: Path) -> None:
    port = free_port()
    ini = tmp_path / "hub.ini"
    command = [
        sys.executable, "-m", "contacthub_server", "serve", "--port", str(port),
        "--database", str(tmp_path / "hub.db"), "--ini", str(ini),
        "--index-delay-ms", str(DELAY_MS), "--log-level", "warning",
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, env=os.environ.copy())
    try:
        deadline = time.time() + 60
        while True:
            assert process.poll() is None, "serve exited"
            try:
                requests.get(f"http://127.0.0.1:{port}/hub/v1/openapi.json", timeout=1)
                break
            except requests.ConnectionError:
                assert time.time() < deadline, "serve did not start"
                time.sleep(0.1)
        values = dict(line.split(" = ", 1) for line in ini.read_text().splitlines() if line)
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {values['token']}"
        url = f"{values['base_url']}/workspaces/{values['workspace_id']}"

        def listed(cid: str) -> bool:
            params = {"nodeId": values["node_id"]}
            reply = session.get(f"{url}/customers", params=params, timeout=30)
            return cid in [doc["id"] for doc in reply.json()["elements"]]

        def create() -> str:
            body = {"nodeId": values["node_id"], "base": {"firstName": "Ada"}}
            reply = session.post(f"{url}/customers", json=body, timeout=30)
            assert reply.status_code == 201, reply.text
            cid: str = reply.json()["id"]
            assert session.get(f"{url}/customers/{cid}", timeout=30).status_code == 200
            return cid

        hidden_then_shown(create, lambda cid: {"listed": lambda: listed(cid)})
        session.close()
    finally:
        process.terminate()
        process.wait(timeout=30)
