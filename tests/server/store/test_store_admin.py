"""Opening and migrating the store, and its admin records: workspaces, nodes, tokens."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from contacthub_server.store import Store
from contacthub_server.store.store import normalize_url
from contacthub_server.store.tables import SCHEMA_VERSION, schema_version


def test_plain_path_means_sqlite_and_postgresql_uses_psycopg(tmp_path: Path) -> None:
    assert normalize_url(str(tmp_path / "a.db")) == f"sqlite:///{tmp_path / 'a.db'}"
    assert normalize_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalize_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"
    store = Store.connect(str(tmp_path / "plain.db"))
    try:
        assert store.dialect == "sqlite"
        assert (tmp_path / "plain.db").exists()
    finally:
        store.close()


def test_unknown_database_scheme_is_refused_with_the_url() -> None:
    with pytest.raises(ValueError, match="mysql://x"):
        Store.connect("mysql://x")


def test_connecting_again_and_concurrently_keeps_one_schema_version(database_url: str) -> None:
    errors: list[BaseException] = []
    stores: list[Store] = []

    def open_one() -> None:
        try:
            stores.append(Store.connect(database_url))
        except BaseException as exc:  # collected and asserted on below
            errors.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with stores[0].read() as tx:
        versions = tx._conn.execute(select(schema_version.c.version)).scalars().all()
    assert versions == [SCHEMA_VERSION]
    for store in stores:
        store.close()


def test_workspaces_nodes_and_tokens(store: Store) -> None:
    ws = f"ws-{uuid.uuid4()}"
    token = f"tok-{uuid.uuid4()}"
    with store.read() as tx:
        assert not tx.workspace_exists(ws)
        assert tx.workspace_of_token(token) is None
    with store.write() as tx:
        tx.ensure_workspace(ws)
        tx.ensure_workspace(ws)
        tx.ensure_node(ws, "n1", {"policy": "BLOCK"})
        tx.ensure_node(ws, "n1", {"policy": "ignored: the node exists"})
        tx.add_token(token, ws)
        tx.add_token(token, ws)
    with store.read() as tx:
        assert tx.workspace_exists(ws)
        assert tx.node_settings(ws, "n1") == {"policy": "BLOCK"}
        assert tx.node_settings(ws, "n2") is None
        assert tx.node_settings("other-ws", "n1") is None
        assert tx.workspace_of_token(token) == ws
    with store.write() as tx:
        tx.set_node_settings(ws, "n1", {"policy": "MERGE", "caseSensitive": True})
    with store.read() as tx:
        assert tx.node_settings(ws, "n1") == {"policy": "MERGE", "caseSensitive": True}


def test_a_token_cannot_be_given_to_a_second_workspace(store: Store) -> None:
    token = f"tok-{uuid.uuid4()}"
    with store.write() as tx:
        tx.add_token(token, "ws-one-" + token)
    with pytest.raises(ValueError, match="already belongs"), store.write() as tx:
        tx.add_token(token, "ws-two-" + token)
    with store.read() as tx:
        assert tx.workspace_of_token(token) == "ws-one-" + token


def test_default_credentials_are_the_first_created(tmp_path: Path) -> None:
    store = Store.connect(str(tmp_path / "fresh.db"))
    try:
        with store.read() as tx:
            assert tx.default_credentials() is None
        with store.write() as tx:
            tx.ensure_node("ws1", "node1", {})
            tx.add_token("token1", "ws1")
            tx.ensure_node("ws2", "node2", {})
            tx.add_token("token2", "ws2")
            tx.ensure_node("ws1", "node1b", {})
        with store.read() as tx:
            assert tx.default_credentials() == ("ws1", "node1", "token1")
    finally:
        store.close()


def test_a_failed_write_block_commits_nothing(store: Store) -> None:
    ws = f"ws-{uuid.uuid4()}"

    def fail_midway() -> None:
        with store.write() as tx:
            tx.ensure_workspace(ws)
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        fail_midway()
    with store.read() as tx:
        assert not tx.workspace_exists(ws)


def test_a_version_1_database_is_migrated_keeping_its_customers(tmp_path: Path) -> None:
    import json
    import sqlite3

    path = tmp_path / "v1.db"
    doc = {
        "id": "c1",
        "nodeId": "n1",
        "base": {"firstName": "Mario", "contacts": {"email": "m@x.it"}},
        "tags": {"auto": ["vip"], "manual": []},
        "registeredAt": "2020-01-01T00:00:00.000+0000",
        "updatedAt": "2020-01-01T00:00:00.000+0000",
    }
    old = sqlite3.connect(path)
    old.executescript(
        """
        CREATE TABLE schema_version (id INTEGER PRIMARY KEY, version INTEGER NOT NULL);
        INSERT INTO schema_version VALUES (1, 1);
        CREATE TABLE customers (ws VARCHAR(200), id VARCHAR(64), node_id VARCHAR(200) NOT NULL,
            external_id TEXT, match_key TEXT, email TEXT, registered_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL, doc JSON NOT NULL, PRIMARY KEY (ws, id));
        CREATE INDEX ix_customers_node_registered ON customers (ws, node_id, registered_at, id);
        CREATE TABLE customer_tags (ws VARCHAR(200), customer_id VARCHAR(64), kind VARCHAR(10),
            tag TEXT);
        """
    )
    old.execute(
        "INSERT INTO customers VALUES ('ws', 'c1', 'n1', NULL, 'm@x.it', 'm@x.it', 1, 1, ?)",
        [json.dumps(doc)],
    )
    old.commit()
    old.close()

    store = Store.connect(str(path))
    # Version 7 fills in the customer's sourceInfo: its node registered and updated it.
    doc = {**doc, "sourceInfo": {"registeredBy": "n1", "updatedBy": "n1"}}
    try:
        with store.read() as tx:
            assert tx.get_customer("ws", "c1") == doc
            assert tx.find_by_match_key("ws", "n1", "m@x.it") == "c1"
            query = {
                "type": "simple",
                "are": {
                    "condition": {
                        "type": "atomic",
                        "attribute": "tags.auto",
                        "operator": "IN",
                        "value": "vip",
                    }
                },
            }
            found, total = tx.search_customers("ws", "n1", query=query)
            versions = tx._conn.execute(select(schema_version.c.version)).scalars().all()
        assert (found, total) == ([doc], 1)
        assert versions == [SCHEMA_VERSION]
    finally:
        store.close()


def test_analyze_refreshes_planner_statistics(store: Store) -> None:
    ws = f"ws-{uuid.uuid4()}"
    with store.write() as tx:
        tx.add_token(f"tok-{ws}", ws)
    store.analyze()
    with store.read() as tx:
        if store.dialect == "sqlite":
            analyzed = tx._conn.exec_driver_sql(
                "SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'tokens'"
            ).scalar()
        else:
            analyzed = tx._conn.exec_driver_sql(
                "SELECT count(*) FROM pg_stat_user_tables "
                "WHERE relname = 'customers' AND last_vacuum IS NOT NULL"
            ).scalar()
    assert analyzed
