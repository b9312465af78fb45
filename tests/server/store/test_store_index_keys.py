"""Texts of any length are found again by the columns that index them (externalId, bring-back
value, session value): through their SHA-256 key, which PostgreSQL can index whatever the length,
and after the upgrade to version 11, which fills those keys in."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

import pytest
from sqlalchemy import inspect, text, update

from contacthub_server.store import Store
from contacthub_server.store.errors import SessionTaken
from contacthub_server.store.keys import index_key, with_index_keys
from contacthub_server.store.tables import (
    SCHEMA_VERSION,
    customers,
    events,
    schema_version,
    sessions,
)

# Incompressible and longer than the largest entry of a PostgreSQL index (about 2,700 bytes).
LONG = "".join(hashlib.sha256(str(i).encode()).hexdigest() for i in range(100))


def _customer(external_id: str) -> dict[str, object]:
    return {
        "id": f"c-{uuid.uuid4()}",
        "nodeId": "node-a",
        "externalId": external_id,
        "registeredAt": "2020-01-01T00:00:00.000+0000",
        "updatedAt": "2020-01-01T00:00:00.000+0000",
    }


def _event(value: str) -> dict[str, object]:
    return {
        "id": f"e-{uuid.uuid4()}",
        "customerId": None,
        "bringBackProperties": {"type": "SESSION_ID", "value": value, "nodeId": "node-a"},
        "type": "loggedIn",
        "context": "WEB",
        "date": "2020-01-01T00:00:00.000+0000",
        "properties": {},
    }


def _write_long_texts(store: Store, ws: str) -> tuple[dict[str, object], dict[str, object]]:
    customer, event = _customer(LONG), _event(LONG)
    with store.write() as tx:
        tx.insert_customer(ws, customer, None)
        tx.insert_event(ws, event, "node-a")
        tx.add_session(ws, str(customer["id"]), "node-a", "r-1", LONG)
    return customer, event


def _found_again(store: Store, ws: str, customer: dict[str, object]) -> None:
    with store.write() as tx:
        assert tx.find_by_external_id(ws, "node-a", LONG) == [customer["id"]]
        assert tx.find_by_external_id(ws, "node-a", LONG[:-1]) == []
        assert tx.session_owner(ws, "node-a", LONG) == customer["id"]
        assert tx.attach_session_events(ws, "node-a", LONG, str(customer["id"])) == 1
    with pytest.raises(SessionTaken) as taken, store.write() as tx:
        tx.add_session(ws, "someone-else", "node-a", "r-2", LONG)
    assert taken.value.owner_id == customer["id"]


def test_long_texts_are_stored_and_found_by_their_keys(store: Store, ws: str) -> None:
    customer, _event = _write_long_texts(store, ws)
    _found_again(store, ws, customer)


def test_the_key_is_the_sha256_of_the_text() -> None:
    assert index_key("abc") == hashlib.sha256(b"abc").hexdigest()
    assert index_key(None) is None
    assert index_key(12) is None


def test_rows_of_an_older_snapshot_get_their_keys() -> None:
    row = with_index_keys("sessions", {"seq": 1, "value": "abc"})
    assert row["value_key"] == index_key("abc")
    assert with_index_keys("events", {"bbp_value": None})["bbp_key"] is None
    assert with_index_keys("tokens", {"token": "t"}) == {"token": "t"}


def test_the_upgrade_to_version_11_fills_in_the_keys(database_url: str) -> None:
    """A database of version 10 had no keys: here, the keys of this test's rows are emptied and
    the version set back; connecting again must fill them in."""
    store = Store.connect(database_url)
    ws = f"ws-{uuid.uuid4()}"
    try:
        with store.write() as tx:
            tx.ensure_node(ws, "node-a", {})
        customer, _event = _write_long_texts(store, ws)
        with store.write() as tx:
            for table, key in (
                (customers, "external_key"),
                (events, "bbp_key"),
                (sessions, "value_key"),
            ):
                tx._conn.execute(update(table).where(table.c.ws == ws).values({key: None}))
            tx._conn.execute(update(schema_version).values(version=10))
    finally:
        store.close()
    upgraded = Store.connect(database_url)
    try:
        _found_again(upgraded, ws, customer)
    finally:
        upgraded.close()


def test_a_version_10_sqlite_file_gains_the_key_columns_and_indexes(tmp_path: Path) -> None:
    path = tmp_path / "v10.db"
    store = Store.connect(f"sqlite:///{path}")
    ws = "ws-1"
    try:
        with store.write() as tx:
            tx.ensure_node(ws, "node-a", {})
        customer, _event = _write_long_texts(store, ws)
        # Back to version 10's layout: no key columns, the indexes on the texts.
        with store.write() as tx:
            run = tx._conn.execute
            for index in (
                "ix_customers_external_key",
                "ix_events_bring_back_key",
                "uq_sessions_value_key",
            ):
                run(text(f"DROP INDEX {index}"))
            for table, key in (
                ("customers", "external_key"),
                ("events", "bbp_key"),
                ("sessions", "value_key"),
            ):
                run(text(f"ALTER TABLE {table} DROP COLUMN {key}"))
            run(
                text(
                    "CREATE INDEX ix_customers_external_id ON customers (ws, node_id, external_id)"
                )
            )
            run(
                text(
                    "CREATE INDEX ix_events_bring_back ON events (ws, bbp_node, bbp_type, bbp_value)"
                )
            )
            run(text("CREATE UNIQUE INDEX uq_sessions_value ON sessions (ws, node_id, value)"))
            run(update(schema_version).values(version=10))
    finally:
        store.close()
    upgraded = Store.connect(f"sqlite:///{path}")
    try:
        _found_again(upgraded, ws, customer)
        with upgraded.read() as tx:
            names = {
                index["name"]
                for table in ("customers", "events", "sessions")
                for index in inspect(tx._conn).get_indexes(table)
            }
            version = tx._conn.execute(text("SELECT version FROM schema_version")).scalar()
        assert {
            "ix_customers_external_key",
            "ix_events_bring_back_key",
            "uq_sessions_value_key",
        } <= names
        assert not names & {"ix_customers_external_id", "ix_events_bring_back", "uq_sessions_value"}
        assert version == SCHEMA_VERSION
    finally:
        upgraded.close()
