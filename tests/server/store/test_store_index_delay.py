"""The store's side of the indexing delay: `visible_at`, what hides a row, and its migration."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect, select

from contacthub_server.store import Store, Tx
from contacthub_server.store.tables import SCHEMA_VERSION, customers, events, schema_version

DOC_DATE = "2020-01-01T00:00:00.000+0000"


def customer(cid: str, node: str = "node-a", **extra: object) -> dict[str, object]:
    return {"id": cid, "nodeId": node, "registeredAt": DOC_DATE, "updatedAt": DOC_DATE, **extra}


def event(eid: str, customer_id: str | None, **extra: object) -> dict[str, object]:
    return {
        "id": eid,
        "customerId": customer_id,
        "type": "loggedIn",
        "context": "WEB",
        "date": DOC_DATE,
        **extra,
    }


@pytest.fixture
def delays(store: Store) -> Iterator[dict[str, int]]:
    """Per node delays (ms) the store's writes follow in this test (0 for others)."""
    chosen: dict[str, int] = {}

    def delay_of(_tx: Tx, _ws: str, node_id: str | None) -> int:
        return chosen.get(node_id or "", 0)

    store.index_delay = delay_of
    try:
        yield chosen
    finally:
        store.index_delay = None


def test_a_delayed_write_is_hidden_from_searches_but_read_by_id(
    store: Store, ws: str, delays: dict[str, int]
) -> None:
    delays["node-a"] = 60_000
    with store.write() as tx:
        tx.insert_customer(ws, customer("late", externalId="x"), None)
        tx.insert_customer(ws, customer("now", "node-b", externalId="x"), None)
        tx.insert_event(ws, event("e-late", "late"), "node-a")
        tx.insert_event(ws, event("e-now", "now"), "node-b")
    with store.read() as tx:
        assert tx.get_customer(ws, "late") is not None
        assert tx.get_event(ws, "e-late") is not None
        assert [d["id"] for d in tx.search_customers(ws, None)[0]] == ["now"]
        assert tx.search_customers(ws, "node-a", external_id="x") == ([], 0)
        assert [d["id"] for d in tx.list_events(ws)[0]] == ["e-now"]
        # Matching and bring-back look-ups are not delayed.
        assert tx.find_by_external_id(ws, "node-a", "x") == ["late"]


def test_without_a_delay_rows_keep_visible_at_zero(store: Store, ws: str) -> None:
    with store.write() as tx:
        tx.insert_customer(ws, customer("c"), None)
        tx.insert_event(ws, event("e", "c"), "node-a")
    with store.read() as tx:
        conn = tx._conn
        assert conn.execute(select(customers.c.visible_at).where(customers.c.ws == ws)).all() == [
            (0,)
        ]
        assert conn.execute(select(events.c.visible_at).where(events.c.ws == ws)).all() == [(0,)]


def test_an_update_a_session_and_a_claim_hide_again(
    store: Store, ws: str, delays: dict[str, int]
) -> None:
    with store.write() as tx:
        tx.insert_customer(ws, customer("c", externalId="x"), None)
        bring_back = {"type": "EXTERNAL_ID", "value": "x", "nodeId": "node-a"}
        tx.insert_event(ws, event("e", None, bringBackProperties=bring_back), "node-a")
    delays["node-a"] = 60_000
    for write in (
        lambda tx: tx.replace_customer(ws, customer("c", externalId="x", base={}), None),
        lambda tx: tx.add_session(ws, "c", "node-a", "s1", "value-1"),
    ):
        delays["node-a"] = 0
        with store.write() as tx:
            tx.replace_customer(ws, customer("c", externalId="x"), None)  # shown again
        with store.read() as tx:
            assert tx.search_customers(ws, "node-a")[1] == 1
        delays["node-a"] = 60_000
        with store.write() as tx:
            write(tx)
        with store.read() as tx:
            assert tx.search_customers(ws, "node-a") == ([], 0)
    with store.read() as tx:
        assert [d["id"] for d in tx.list_events(ws)[0]] == ["e"]
    with store.write() as tx:
        assert tx.attach_external_id_events(ws, "node-a", "x", "c") == 1
    with store.read() as tx:
        assert tx.list_events(ws) == ([], 0)
        assert tx.get_event(ws, "e")["customerId"] == "c"  # type: ignore[index]


def test_a_version_9_database_gets_visible_at_and_its_indexes(tmp_path: Path) -> None:
    path = tmp_path / "v9.db"
    store = Store.connect(str(path))
    ws = f"ws-{uuid.uuid4()}"
    with store.write() as tx:
        tx.ensure_node(ws, "node-a", {})
        tx.insert_customer(ws, customer("c"), None)
        tx.insert_event(ws, event("e", "c"), "node-a")
    store.close()
    # What a version 9 hub left: no visible_at, no partial indexes.
    old = sqlite3.connect(path)
    old.executescript(
        """
        DROP INDEX ix_customers_pending;
        DROP INDEX ix_events_pending;
        ALTER TABLE customers DROP COLUMN visible_at;
        ALTER TABLE events DROP COLUMN visible_at;
        UPDATE schema_version SET version = 9;
        """
    )
    old.commit()
    old.close()

    store = Store.connect(str(path))
    try:
        with store.read() as tx:
            conn = tx._conn
            assert conn.execute(select(schema_version.c.version)).scalars().all() == [
                SCHEMA_VERSION
            ]
            names = {i["name"] for i in inspect(conn).get_indexes("customers")}
            assert "ix_customers_pending" in names
            assert "ix_events_pending" in {i["name"] for i in inspect(conn).get_indexes("events")}
            assert [d["id"] for d in tx.search_customers(ws, "node-a")[0]] == ["c"]
            assert [d["id"] for d in tx.list_events(ws)[0]] == ["e"]
    finally:
        store.close()
