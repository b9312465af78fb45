"""Documents come back with one key order on every backend (issue 8: JSONB reorders keys).

PostgreSQL's JSONB stores an object's keys in its own order (shorter keys first), not the order
they were written in; the hub puts every customer and event back in the canonical order on the
way out. These tests run the same writes against a SQLite hub and a PostgreSQL hub side by side
and compare the raw JSON text of the answers, key by key.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hubclient import Api

from contacthub.testing import Hub
from contacthub_server.runner import HubServer
from contacthub_server.schemas.normalise import BASE_KEYS, CUSTOMER_KEYS, EVENT_KEYS
from contacthub_server.settings import HubSettings

# Written with keys out of every order: contract order, code point order and JSONB's order.
CUSTOMER = {
    "tags": {"manual": ["vip"], "auto": ["a"]},
    "extended": {"zeta": 1, "a": {"yy": True, "b": [{"k2": 1, "k1": 2}]}, "mm": "x"},
    "consents": {
        "softSpam": {"papery": {"objection": False, "status": True}},
        "disclaimer": {"version": "v1", "date": "2020-01-02T03:04:05Z"},
    },
    "base": {
        "subscriptions": [
            {"preferences": [{"value": "v", "key": "k"}], "name": "news", "id": "s1"}
        ],
        "lastName": "Lovelace",
        "contacts": {
            "otherContacts": [{"value": "1", "type": "PHONE", "name": "work"}],
            "email": "ada@example.com",
        },
        "address": {"geo": {"lon": 2, "lat": 1}, "city": "London"},
        "firstName": "Ada",
        "jobs": [{"jobTitle": "T", "companyName": "C", "id": "j1"}],
    },
    "externalId": "ada",
}
EVENT = {
    "properties": {"url": "https://example.com", "title": "Home", "extended": {"b": 1, "a": 2}},
    "type": "viewedPage",
    "contextInfo": {"client": {"userAgent": "ua", "ip": "127.0.0.1"}},
    "context": "WEB",
}


def keys_of(text: str) -> Any:
    """The keys of a JSON text, in the order they appear, at every depth (values dropped)."""

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return [(key, strip(item)) for key, item in value.items()]
        if isinstance(value, list):
            return [strip(item) for item in value if isinstance(item, dict | list)]
        return None

    return strip(json.loads(text))


@pytest.fixture(scope="module")
def servers(
    tmp_path_factory: pytest.TempPathFactory, postgres_url: str
) -> Iterator[list[HubServer]]:
    """A SQLite hub and a PostgreSQL hub, side by side."""
    path: Path = tmp_path_factory.mktemp("order") / "hub.db"
    started = [
        HubServer(HubSettings(database_url=f"sqlite:///{path}")),
        HubServer(HubSettings(database_url=postgres_url)),
    ]
    for server in started:
        server.start()
    try:
        yield started
    finally:
        for server in started:
            server.stop()


@pytest.fixture
def hubs(servers: list[HubServer]) -> list[Hub]:
    """A fresh workspace on each of the two hubs."""
    hubs = []
    for server in servers:
        creds = server.provision()
        hubs.append(Hub(server, creds.workspace_id, creds.node_id, creds.token))
    return hubs


def answers(hub: Hub) -> dict[str, str]:
    """The raw text of every answer carrying a customer, an item or an event."""
    api = Api(hub)
    try:
        texts: dict[str, str] = {}
        created = api("POST", "/customers", json={"nodeId": hub.node_id, **CUSTOMER})
        assert created.status_code == 201, created.text
        texts["POST customer"] = created.text
        url = f"/customers/{created.json()['id']}"
        texts["GET customer"] = api("GET", url).text
        listing = {"nodeId": hub.node_id}
        texts["GET customers"] = api("GET", "/customers", params=listing).text
        fields = {**listing, "fields": "extended,base.jobs,base.firstName,consents"}
        texts["GET customers fields"] = api("GET", "/customers", params=fields).text
        patched = api("PATCH", url, json={"extended": {"new": {"z": 1, "c": 2}}})
        texts["PATCH customer"] = patched.text
        texts["GET job"] = api("GET", f"{url}/jobs/j1").text
        subscription = {"preferences": [{"value": "2", "key": "1"}], "kind": "SERVICE", "id": "s2"}
        texts["POST subscription"] = api("POST", f"{url}/subscriptions", json=subscription).text
        texts["GET subscription"] = api("GET", f"{url}/subscriptions/s2").text
        texts["GET customer again"] = api("GET", url).text
        reply = api("POST", "/events", json={"customerId": created.json()["id"], **EVENT})
        assert reply.status_code == 202, reply.text
        texts["GET event"] = api("GET", f"/events/{reply.json()['id']}").text
        texts["GET events"] = api(
            "GET", "/events", params={"customerId": created.json()["id"]}
        ).text
        condition = {
            "value": "Ada",
            "operator": "EQUALS",
            "type": "atomic",
            "attribute": "base.firstName",
        }
        segment = {
            "query": {"are": {"condition": condition}, "type": "simple", "name": "q"},
            "name": "s",
            "enabled": True,
        }
        posted = api("POST", "/segments", json=segment)
        assert posted.status_code == 201, posted.text
        texts["POST segment"] = posted.text
        texts["GET segment"] = api("GET", f"/segments/{posted.json()[0]['id']}").text
        texts["GET segments"] = api("GET", "/segments").text
        return texts
    finally:
        api.session.close()


@pytest.mark.postgres
def test_every_answer_has_the_same_key_order_on_sqlite_and_postgresql(hubs: list[Hub]) -> None:
    on_sqlite, on_postgresql = (answers(hub) for hub in hubs)
    assert on_sqlite.keys() == on_postgresql.keys()
    for name, text in on_sqlite.items():
        assert keys_of(text) == keys_of(on_postgresql[name]), name


@pytest.mark.postgres
def test_the_order_is_the_contracts_then_code_point_order(hubs: list[Hub]) -> None:
    for hub in hubs:
        texts = answers(hub)
        customer = json.loads(texts["GET customer again"])
        assert list(customer) == list(CUSTOMER_KEYS)
        assert list(customer["base"]) == list(BASE_KEYS)
        assert list(customer["base"]["address"]["geo"]) == ["lat", "lon"]
        assert list(customer["tags"]) == ["auto", "manual"]
        assert list(customer["consents"]) == ["disclaimer", "softSpam"]
        assert list(customer["consents"]["softSpam"]["papery"]) == ["status", "objection"]
        # A free object's keys come in code point order, at every depth.
        assert list(customer["extended"]) == ["a", "mm", "new", "zeta"]
        assert list(customer["extended"]["a"]["b"][0]) == ["k1", "k2"]
        assert list(customer["extended"]["new"]) == ["c", "z"]
        (subscription, added) = customer["base"]["subscriptions"]
        assert list(subscription["preferences"][0]) == ["key", "value"]
        assert list(json.loads(texts["POST subscription"])) == list(added)
        event = json.loads(texts["GET event"])
        assert list(event) == list(EVENT_KEYS)
        assert list(event["properties"]) == ["extended", "title", "url"]
        (segment,) = json.loads(texts["POST segment"])
        assert list(segment) == ["id", "name", "query", "enabled", "createdAt", "updatedAt"]
        assert list(segment["query"]) == ["are", "name", "type"]
        assert keys_of(texts["GET segment"]) == keys_of(json.dumps(segment))
        # What a write answers is what a later read answers.
        assert keys_of(texts["POST customer"]) == keys_of(texts["GET customer"])
        patched = json.loads(texts["PATCH customer"])
        assert list(patched) == list(CUSTOMER_KEYS)
        assert list(patched["extended"]) == list(customer["extended"])
