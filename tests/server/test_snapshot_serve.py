"""``contacthub serve --export-on-exit DIR`` and ``--import DIR``, across backends: a hub on
SQLite is stopped cleanly and leaves a snapshot; a hub on an empty PostgreSQL database starts
from it with the same credentials, ids, dates, events, sessions and change feed."""

from __future__ import annotations

import json
import signal
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from test_serve import serve, stop

from contacthub import Workspace

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

CREDENTIALS = ["--workspace-id", "snap-ws", "--node-id", "snap-node", "--token", "snap-token"]


@pytest.fixture
def empty_postgres(postgres_url: str) -> Iterator[str]:
    """A PostgreSQL database of its own (the session's, `postgres_url`, holds the other hub
    tests' data; its fixture already skips, or fails under CI=true, without PostgreSQL)."""
    import psycopg

    server = postgres_url.replace("postgresql+psycopg://", "postgresql://", 1).rpartition("/")[0]
    name = f"contacthub_snap_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server}/{name}"
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def everything(base: str) -> dict[str, Any]:
    """What a client can read of the workspace: customers, their sessions, events, the feed."""
    headers = {"Authorization": "Bearer snap-token"}
    url = f"{base}/workspaces/snap-ws"

    def get(path: str, **params: Any) -> Any:
        reply = requests.get(url + path, params=params, headers=headers, timeout=10)
        assert reply.status_code == 200, reply.text
        return reply.json()

    customers = get("/customers", nodeId="snap-node", size=50)["elements"]
    return {
        "customers": customers,
        "sessions": {c["id"]: get(f"/customers/{c['id']}/sessions") for c in customers},
        "events": get("/events", size=50)["elements"],
        "feed": get("/updates", offset=0, size=100),
        "last": get("/updates/last-offset"),
    }


def test_a_snapshot_on_exit_loads_into_an_empty_hub_on_the_other_backend(
    tmp_path: Path, empty_postgres: str
) -> None:
    snapshot = tmp_path / "snapshot"
    source = ["--database", str(tmp_path / "hub.db"), "--no-ini", *CREDENTIALS]
    with serve(*source, "--export-on-exit", str(snapshot), cwd=tmp_path) as (process, base):
        node = Workspace("snap-ws", "snap-token", base).get_node("snap-node")
        ada = node.add_customer(externalId="ada", base={"firstName": "Ada"}, tags={"manual": ["v"]})
        node.add_customer(externalId="bob", base={"contacts": {"email": "bob@example.com"}})
        node.add_customer_session(ada.id, "session-1")
        node.add_event(customerId=ada.id, type="loggedIn", context="WEB", properties={})
        node.update_customer(ada.id, base={"lastName": "Lovelace"})
        before = everything(base)
        code, _ = stop(process, signal.SIGTERM)
    assert code == 0
    manifest = json.loads((snapshot / "manifest.json").read_text(encoding="utf-8"))
    assert manifest

    target = ["--database", empty_postgres, "--no-ini", "--import", str(snapshot)]
    with serve(*target, cwd=tmp_path) as (process, base):
        after = everything(base)
        # The same data, ids and dates, on the other backend, and it keeps working.
        assert after == before
        assert len(after["customers"]) == 2
        node = Workspace("snap-ws", "snap-token", base).get_node("snap-node")
        carol = node.add_customer(externalId="carol")
        assert node.get_customers(external_id="carol").id == carol.id  # one: the Customer
        feed_after = everything(base)["last"]
        assert feed_after["lastOffset"] == before["last"]["lastOffset"] + 1
        stop(process)
