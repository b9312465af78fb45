"""Bringing a database's schema up to `tables.SCHEMA_VERSION`, one step per version.

`migrate` runs inside the transaction that `Store.connect` holds exclusively (SQLite `BEGIN
IMMEDIATE`, a PostgreSQL advisory lock), so concurrent starts apply each step once.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, inspect, select, text, update

from .keys import KEY_LENGTH, KEYED_COLUMNS, index_key
from .tables import (
    SCHEMA_VERSION,
    customer_docs,
    customer_values,
    customers,
    customers_scope_index,
    events,
    metadata,
    pending_indexes,
    schema_version,
    sessions,
)
from .tx import Tx


def _v1_to_v2(conn: Connection, dialect: str) -> None:
    """Version 1 (development layouts) kept documents inside `customers`; version 2 moves them to
    `customer_docs` and indexes every value in `customer_values`. Customers are re-inserted."""
    columns = {column["name"] for column in inspect(conn).get_columns("customers")}
    if "doc" not in columns:
        return
    rows = conn.execute(text("SELECT ws, match_key, doc FROM customers")).all()
    for table in ("customers", "customer_tags", "customer_values", "customer_docs"):
        conn.execute(text(f"DROP TABLE IF EXISTS {table}"))  # fixed names, no user input
    metadata.create_all(conn)
    tx = Tx(conn, dialect)
    for ws, match_key, doc in rows:
        tx.insert_customer(ws, json.loads(doc) if isinstance(doc, str) else doc, match_key)


def _v2_to_v3(conn: Connection, dialect: str) -> None:
    """Version 3 makes the value indexes covering (they end with `ref`): rebuild them."""
    if not inspect(conn).has_table("customer_values"):
        return
    for index in customer_values.indexes:
        conn.execute(text(f"DROP INDEX IF EXISTS {index.name}"))  # our own fixed names
        index.create(conn)


def _v3_to_v4(conn: Connection, dialect: str) -> None:
    """Version 4 adds PostgreSQL's covering index of customers by ref."""
    if dialect == "postgresql":
        customers_scope_index.create(conn, checkfirst=True)


def _v4_to_v5(conn: Connection, dialect: str) -> None:
    """Version 5 adds the change feed, the consent register and `hub_settings` (the admin key):
    new tables, created by `create_all` after the steps."""


def _v5_to_v6(conn: Connection, dialect: str) -> None:
    """Version 6 makes a session value unique per node (before, only the service checked it, so
    two customers could add one value at the same instant). The first holder of a value keeps
    it, as `Tx.session_owner` already answered; later duplicates are dropped."""
    if not inspect(conn).has_table("sessions"):
        return
    conn.execute(
        text(
            "DELETE FROM sessions WHERE seq NOT IN "
            "(SELECT MIN(seq) FROM sessions GROUP BY ws, node_id, value)"
        )
    )
    conn.execute(text("DROP INDEX IF EXISTS ix_sessions_value"))  # replaced by the unique one
    # The index of version 6 (version 8 replaces it by one on the value's key).
    conn.execute(
        text("CREATE UNIQUE INDEX IF NOT EXISTS uq_sessions_value ON sessions (ws, node_id, value)")
    )


def _v6_to_v7(conn: Connection, dialect: str) -> None:
    """Version 7 adds the workspace configuration (new tables, created by `create_all` after the
    steps) and fills in every customer's `sourceInfo`, which the hub did not write before: the
    node it belongs to registered it and updated it last (in the hub a customer's one source
    is its node). Its document and value index are rewritten, in batches."""
    if not inspect(conn).has_table("customer_docs"):
        return
    tx = Tx(conn, dialect, with_feed=False)
    last = -1
    while True:
        rows = conn.execute(
            select(customer_docs.c.ref, customer_docs.c.doc)
            .where(customer_docs.c.ref > last)
            .order_by(customer_docs.c.ref)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        for ref, stored in rows:
            doc = json.loads(stored) if isinstance(stored, str) else dict(stored)
            if doc.get("sourceInfo") is None:
                tx.rewrite_document(int(ref), with_source_info(doc))
        last = int(rows[-1][0])


_BATCH = 500

# Version 8: (table, its key column, the index it replaces, the index on the key).
_KEYED_INDEXES = (
    (customers, "ix_customers_external_id", "ix_customers_external_key"),
    (events, "ix_events_bring_back", "ix_events_bring_back_key"),
    (sessions, "uq_sessions_value", "uq_sessions_value_key"),
)


def with_source_info(doc: dict[str, Any]) -> dict[str, Any]:
    """The customer document with the `sourceInfo` of its node, in the place the hub answers
    it (before `registeredAt`); the other keys as they were."""
    node = doc.get("nodeId")
    info = {"registeredBy": node, "updatedBy": node}
    result: dict[str, Any] = {}
    for key, value in doc.items():
        if key == "registeredAt":
            result["sourceInfo"] = info
        if key != "sourceInfo":
            result[key] = value
    result.setdefault("sourceInfo", info)
    return result


def _v7_to_v8(conn: Connection, dialect: str) -> None:
    """Version 8 adds `workspace_faults` (runtime faults per workspace): a new table, created
    by `create_all` after the steps."""


def _v8_to_v9(conn: Connection, dialect: str) -> None:
    """Version 9 records deleted customers for the analytics (`customer_deletions`, a new
    table created by `create_all` after the steps; earlier deletions are not known), and adds
    the type and context to the index of events by node and date."""
    if not inspect(conn).has_table("events"):
        return
    [index] = [index for index in events.indexes if index.name == "ix_events_node_date"]
    conn.execute(text(f"DROP INDEX IF EXISTS {index.name}"))  # our own fixed name
    index.create(conn)


def _v9_to_v10(conn: Connection, dialect: str) -> None:
    """Version 10 adds the opt-in indexing delay: `visible_at` on customers and events (0 = shown
    at once, what every stored row was) and the partial indexes of the rows it hides."""
    inspector = inspect(conn)
    for table in ("customers", "events"):
        if not inspector.has_table(table):
            continue
        columns = {column["name"] for column in inspector.get_columns(table)}
        if "visible_at" not in columns:
            # Fixed names, no user input; the default fills in every existing row.
            conn.execute(
                text(f"ALTER TABLE {table} ADD COLUMN visible_at BIGINT NOT NULL DEFAULT 0")
            )
    for index in pending_indexes:
        if index.table is not None and inspector.has_table(index.table.name):
            index.create(conn, checkfirst=True)


def _v10_to_v11(conn: Connection, dialect: str) -> None:
    """Version 11 indexes externalIds, bring-back values and session values by their SHA-256
    (`keys`), which PostgreSQL can index whatever the length of the text: a text of more than
    about 2,700 bytes was a 500 there. Each table gains its key column, filled in from its
    text, in batches; the index on the text gives way to the one on the key."""
    for table, old_index, new_index in _KEYED_INDEXES:
        if not inspect(conn).has_table(table.name):
            continue
        value_column, key_column = KEYED_COLUMNS[table.name]
        columns = {column["name"] for column in inspect(conn).get_columns(table.name)}
        if key_column not in columns:
            conn.execute(
                text(f"ALTER TABLE {table.name} ADD COLUMN {key_column} VARCHAR({KEY_LENGTH})")
            )  # fixed names, no user input
        keys = list(table.primary_key.columns)
        value, key = table.c[value_column], table.c[key_column]
        while True:
            rows = conn.execute(
                select(*keys, value).where(value.isnot(None), key.is_(None)).limit(_BATCH)
            ).all()
            if not rows:
                break
            for row in rows:
                conn.execute(
                    update(table)
                    .where(*(column == row[i] for i, column in enumerate(keys)))
                    .values({key_column: index_key(row[-1])})
                )
        conn.execute(text(f"DROP INDEX IF EXISTS {old_index}"))
        next(index for index in table.indexes if index.name == new_index).create(
            conn, checkfirst=True
        )


# STEPS[n] takes a database from version n to n + 1.
STEPS: dict[int, Callable[[Connection, str], None]] = {
    1: _v1_to_v2,
    2: _v2_to_v3,
    3: _v3_to_v4,
    4: _v4_to_v5,
    5: _v5_to_v6,
    6: _v6_to_v7,
    7: _v7_to_v8,
    8: _v8_to_v9,
    9: _v9_to_v10,
    10: _v10_to_v11,
}


def migrate(conn: Connection, dialect: str) -> None:
    """Create missing tables and apply every step from the stored version to the current one.

    Raises RuntimeError when the database was written by a newer hub.
    """
    current: Any = None
    if inspect(conn).has_table("schema_version"):
        current = conn.execute(
            select(schema_version.c.version).where(schema_version.c.id == 1)
        ).scalar()
    if current is not None and current > SCHEMA_VERSION:
        raise RuntimeError(
            f"database schema version {current} is newer than this hub ({SCHEMA_VERSION}): "
            "upgrade contacthub"
        )
    if current is not None:
        for version in range(current, SCHEMA_VERSION):
            STEPS[version](conn, dialect)
    metadata.create_all(conn)
    if current is None:
        conn.execute(schema_version.insert().values(id=1, version=SCHEMA_VERSION))
    elif current < SCHEMA_VERSION:
        conn.execute(
            update(schema_version).where(schema_version.c.id == 1).values(version=SCHEMA_VERSION)
        )
