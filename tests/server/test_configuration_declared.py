"""The configuration's initial state from the ``--config`` file, kept across restarts; what one
hub process sees of another's changes; and the upgrade that fills in ``sourceInfo``."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import update

from contacthub_server.app import create_app
from contacthub_server.runner import HubServer
from contacthub_server.service.registry import CACHE_SECONDS, Registry
from contacthub_server.settings import ConfigError, HubSettings
from contacthub_server.store import Store
from contacthub_server.store.tables import schema_version

TOKEN = "acme-token"
HEADERS = {"Authorization": f"Bearer {TOKEN}"}

CONFIG = """
[workspaces.acme]
tokens = ["acme-token"]

[workspaces.acme.nodes.shop.matching]
properties = ["externalId"]

[workspaces.acme.configuration]
name = "Acme"
currency = "USD"

[workspaces.acme.events.campaignOpened]
mode = "PASSIVE"

[workspaces.acme.events.loggedOut]
enabled = false
"""


def get(hub: HubServer, path: str) -> Any:
    reply = requests.get(f"{hub.base_url}/workspaces/acme{path}", headers=HEADERS, timeout=30)
    assert reply.status_code == 200, reply.text
    return reply.json()


def send(hub: HubServer, method: str, path: str, body: Any) -> requests.Response:
    url = f"{hub.base_url}/workspaces/acme{path}"
    return requests.request(method, url, json=body, headers=HEADERS, timeout=30)


def test_the_file_declares_the_workspace_and_its_event_types(tmp_path: Path) -> None:
    config = tmp_path / "hub.toml"
    config.write_text(CONFIG, encoding="utf-8")
    settings = HubSettings(database_url=str(tmp_path / "hub.db"), config_path=str(config))
    with HubServer(settings) as hub:
        workspace = get(hub, "/configuration")
        assert (workspace["name"], workspace["currency"]) == ("Acme", "USD")
        assert get(hub, "/configuration/events/campaignOpened")["mode"] == "PASSIVE"
        assert get(hub, "/configuration/events/loggedOut")["enabled"] is False
        assert get(hub, "/configuration/unique-customer-matching-policy")["properties"] == [
            "externalId"
        ]

        customer = send(hub, "POST", "/customers", {"nodeId": "shop", "externalId": "c1"}).json()
        for event_type in ("campaignOpened", "loggedIn"):
            body = {"customerId": customer["id"], "type": event_type, "context": "WEB"}
            assert send(hub, "POST", "/events", {**body, "properties": {}}).status_code == 202
        passive = get(hub, "/events?mode=PASSIVE")["elements"]
        assert [e["type"] for e in passive] == ["campaignOpened"]
        active = get(hub, "/events?mode=ACTIVE")["elements"]
        assert [e["type"] for e in active] == ["loggedIn"]
        refused = {"customerId": customer["id"], "type": "loggedOut", "context": "WEB"}
        assert send(hub, "POST", "/events", {**refused, "properties": {}}).status_code == 400


def test_a_restart_keeps_api_changes_unless_the_file_changed(tmp_path: Path) -> None:
    config = tmp_path / "hub.toml"
    config.write_text(CONFIG, encoding="utf-8")
    settings = HubSettings(database_url=str(tmp_path / "hub.db"), config_path=str(config))
    with HubServer(settings) as hub:
        policy = {"properties": ["base.contacts.email"], "caseSensitive": True}
        assert send(hub, "PUT", "/configuration/unique-customer-matching-policy", policy).ok
        assert send(hub, "PUT", "/configuration", {"name": "Acme Corp"}).ok
        assert send(hub, "PUT", "/configuration/events/loggedOut", {"enabled": True}).ok

    with HubServer(settings) as hub:  # the same file: what the API changed stays
        assert get(hub, "/configuration/unique-customer-matching-policy") == policy
        assert get(hub, "/configuration")["name"] == "Acme Corp"
        assert get(hub, "/configuration/events/loggedOut")["enabled"] is True

    config.write_text(
        CONFIG.replace('properties = ["externalId"]', 'properties = ["base.credential.username"]')
        .replace('name = "Acme"', 'name = "Acme Inc"')
        .replace("enabled = false", "enabled = false\nmode = 'PASSIVE'"),
        encoding="utf-8",
    )
    with HubServer(settings) as hub:  # a changed file: what it says now is applied
        matching = get(hub, "/configuration/unique-customer-matching-policy")
        assert matching["properties"] == ["base.credential.username"]
        assert get(hub, "/configuration")["name"] == "Acme Inc"
        logged_out = get(hub, "/configuration/events/loggedOut")
        assert (logged_out["enabled"], logged_out["mode"]) == (False, "PASSIVE")


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("[workspaces.a.events.boughtHouse]\nenabled = false\n", "workspaces.a.events.boughtHouse"),
        (
            "[workspaces.a.events.loggedIn]\nmode = 'SOMETIMES'\n",
            "workspaces.a.events.loggedIn.mode",
        ),
        ("[workspaces.a.events.loggedIn]\ncolour = 'red'\n", "workspaces.a.events.loggedIn.colour"),
        (
            "[workspaces.a.configuration]\nindustry = 'Banks'\n",
            "workspaces.a.configuration.industry",
        ),
        (
            "[workspaces.a.configuration]\ncustomerUniquenessPolicy = 'MERGE'\n",
            "workspaces.a.configuration.customerUniquenessPolicy",
        ),
        ("[workspaces.a]\nevents = 3\n", "workspaces.a.events"),
        ("[workspaces.a.nodes.n]\nmandatoryProperties = ['x']\n", "mandatoryProperties"),
    ],
)
def test_a_bad_declaration_names_its_key(tmp_path: Path, content: str, fragment: str) -> None:
    config = tmp_path / "bad.toml"
    config.write_text(content, encoding="utf-8")
    settings = HubSettings(database_url=str(tmp_path / "hub.db"), config_path=str(config))
    with pytest.raises(ConfigError, match=fragment.replace(".", r"\.")):
        create_app(settings).close()


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_process_sees_another_process_configuration_within_the_cache_time(
    database_url: str,
) -> None:
    store = Store.connect(database_url)
    try:
        clock = Clock()
        mine, theirs = Registry(store, clock=clock), Registry(store, clock=clock)
        ws, node = f"ws-{uuid.uuid4()}", "n1"
        mine.provision(ws, node, f"tok-{ws}")
        assert mine.node(ws, node) is not None
        assert mine.event_types(ws)["loggedIn"] == ("ACTIVE", True)

        theirs.provision(ws, node, node_settings={"matching": {"policy": "NO_CHECK"}})
        with store.write() as tx:
            tx.set_event_type(ws, "loggedIn", "ACTIVE", False)

        node_config = mine.node(ws, node)
        assert node_config is not None
        assert node_config.policy.mode == "BLOCK"  # still what this process read
        assert mine.event_types(ws)["loggedIn"] == ("ACTIVE", True)
        clock.now += CACHE_SECONDS
        node_config = mine.node(ws, node)
        assert node_config is not None
        assert node_config.policy.mode == "NO_CHECK"
        assert mine.event_types(ws)["loggedIn"] == ("ACTIVE", False)
    finally:
        store.close()


def test_the_upgrade_to_version_7_fills_in_every_customers_source(database_url: str) -> None:
    store = Store.connect(database_url)
    ws = f"ws-{uuid.uuid4()}"
    doc = {
        "id": f"c-{uuid.uuid4()}",
        "nodeId": "n1",
        "externalId": "e1",
        "base": {"firstName": "Ada"},
        "registeredAt": "2020-01-01T00:00:00.000+0000",
        "updatedAt": "2020-01-01T00:00:00.000+0000",
    }
    try:
        with store.write() as tx:
            tx.ensure_node(ws, "n1", {})
            tx.insert_customer(ws, doc, None)
            tx._conn.execute(update(schema_version).values(version=6))
    finally:
        store.close()

    upgraded = Store.connect(database_url)
    try:
        with upgraded.read() as tx:
            stored = tx.get_customer(ws, doc["id"])
            query = {
                "type": "simple",
                "are": {
                    "condition": {
                        "type": "atomic",
                        "attribute": "sourceInfo.registeredBy",
                        "operator": "EQUALS",
                        "value": "n1",
                    }
                },
            }
            found, total = tx.search_customers(ws, "n1", query=query)
        assert stored == {**doc, "sourceInfo": {"registeredBy": "n1", "updatedBy": "n1"}}
        assert list(stored)[-3:] == ["sourceInfo", "registeredAt", "updatedAt"] or (
            upgraded.dialect == "postgresql"  # JSONB keeps no key order
        )
        assert total == 1
        assert found[0]["id"] == doc["id"]
    finally:
        upgraded.close()
