"""The hub's tables (SQLAlchemy Core), shared by SQLite and PostgreSQL.

Every row carries its workspace id (`ws`) and every lookup filters on it: one database holds many
workspaces, and a token of one workspace must never see another's data.

Customer and event documents are stored whole in `doc` (JSON on SQLite, JSONB on PostgreSQL); for
customers in a table of their own (`customer_docs`). The columns of `customers` and `events` are
copies of the fields that lookups, uniqueness and ordering need, kept in step with the document
by the store on every write, so that those paths use plain indexes.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB

from .keys import KEY_LENGTH

#: The schema version this code writes; `migrations.migrate` brings older databases up to it.
SCHEMA_VERSION = 11

metadata = MetaData()

# JSONB on PostgreSQL: binary, indexable (GIN), compared by value rather than by text.
Document = JSON().with_variant(JSONB(), "postgresql")

schema_version = Table(
    "schema_version",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("version", Integer, nullable=False),
)

# `seq` orders workspaces, nodes and tokens by creation, for `Tx.default_credentials`.
# `info["keep_on_reset"]`: the admin reset empties a workspace's data but keeps these rows (its
# registry). `info["snapshot"] = False`: the table is the hub's own, never in a snapshot.
# `info["owner"] = (table, column)`: a table without a `ws` column belongs to the workspace of the
# row of `table` whose `column` equals its own `column` (the admin scopes it by workspace so).
workspaces = Table(
    "workspaces",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("ws", String(200), nullable=False, unique=True),
)

nodes = Table(
    "nodes",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("ws", String(200), nullable=False),
    Column("node_id", String(200), nullable=False),
    Column("settings", Document, nullable=False),
    UniqueConstraint("ws", "node_id", name="uq_nodes_ws_node"),
)

tokens = Table(
    "tokens",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("token", String(500), nullable=False, unique=True),
    Column("ws", String(200), nullable=False),
)

# A surrogate integer key: on SQLite an alias of the rowid (INTEGER PRIMARY KEY), on PostgreSQL a
# BIGSERIAL. The value index refers to customers by it: 8 bytes instead of a 36-character id.
RefType = BigInteger().with_variant(Integer(), "sqlite")

customers = Table(
    "customers",
    metadata,
    Column("ref", RefType, primary_key=True, autoincrement=True),
    Column("ws", String(200), nullable=False),
    Column("id", String(64), nullable=False),
    Column("node_id", String(200), nullable=False),
    Column("external_id", Text),
    # The SHA-256 of external_id (see `keys`): PostgreSQL cannot index a long text itself.
    Column("external_key", String(KEY_LENGTH)),
    Column("match_key", Text),
    # Milliseconds since the epoch (UTC): compared and sorted as instants whatever the text form.
    Column("registered_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
    # The opt-in indexing delay (§10.18): epoch ms from which the row shows in listings and
    # searches; 0 (every write without a delay) = at once. Reads by id never look at it.
    Column("visible_at", BigInteger, nullable=False, server_default="0"),
    UniqueConstraint("ws", "id", name="uq_customers_ws_id"),
    Index("ix_customers_node_registered", "ws", "node_id", "registered_at", "id"),
    Index("ix_customers_external_key", "ws", "node_id", "external_key"),
    Index("ix_customers_updated", "ws", "node_id", "updated_at"),
)

# PostgreSQL: a search checks the workspace and node of every customer its value sets name; with
# these columns in an index keyed by ref, that check reads the index alone (an index-only scan)
# instead of a table page per customer. (SQLite's rowid rows are already that narrow lookup.)
customers_scope_index = Index(
    "ix_customers_ref_scope",
    customers.c.ref,
    postgresql_include=["ws", "node_id", "registered_at", "id"],
).ddl_if(dialect="postgresql")

# The matching policy's uniqueness, enforced by the database so that it is race-free.
Index(
    "uq_customers_match_key",
    customers.c.ws,
    customers.c.node_id,
    customers.c.match_key,
    unique=True,
    sqlite_where=customers.c.match_key.isnot(None),
    postgresql_where=customers.c.match_key.isnot(None),
)

# Documents live apart from the narrow `customers` rows: a search that checks thousands of
# customers reads their small rows only (a few pages, kept in cache), and reads documents for
# the one page it returns.
customer_docs = Table(
    "customer_docs",
    metadata,
    Column("ref", RefType, primary_key=True, autoincrement=False),
    Column("doc", Document, nullable=False),
)

#: Strings longer than this go to `long_str` (unindexed) instead of `str`: PostgreSQL cannot
#: index arbitrarily long values, and nobody looks customers up by a 64 KB `extra`.
SHORT_STRING_MAX = 200

# The value index behind the query language: one row per value of every attribute path of every
# customer (see `values.document_values`). `kind` is "s" (string), "n" (number), "b" (boolean,
# 0/1 in `num`) or "o" (an object: only says that the path holds something, for IS_NULL). Strings
# that are dates or date-times also carry their instant. Strings compare byte-wise on both
# backends (COLLATE "C" on PostgreSQL; SQLite's default BINARY), so results never depend on locale.
ByteText = Text().with_variant(Text(collation="C"), "postgresql")

customer_values = Table(
    "customer_values",
    metadata,
    Column("ref", RefType, nullable=False),
    Column("path", String(255), nullable=False),
    Column("kind", String(1), nullable=False),
    Column("num", Float(precision=53)),
    Column("str", ByteText),
    Column("long_str", ByteText),
    Column("instant", BigInteger),
    Index("ix_customer_values_ref", "ref"),
)

# Presence (IS_NULL / IS_NOT_NULL) looks up by path alone.
Index("ix_customer_values_path", customer_values.c.path, customer_values.c.ref)


def _partial_index(name: str, *columns: Column[Any], where: Column[Any]) -> Index:
    """An index on `columns` holding only the rows where `where` is set.

    Every comparison on that column implies it is not null, so both databases use these indexes,
    and none of them carries the whole table. Each ends with `ref`, so that a lookup answers
    from the index alone, without visiting the table's rows.
    """
    return Index(
        name,
        *columns,
        sqlite_where=where.isnot(None),
        postgresql_where=where.isnot(None),
    )


_v = customer_values.c
_partial_index("ix_customer_values_str", _v.path, _v.str, _v.ref, where=_v.str)
# Numbers and booleans share `num`: `kind` comes before it so each is a contiguous range.
_partial_index("ix_customer_values_num", _v.path, _v.kind, _v.num, _v.ref, where=_v.num)
_partial_index("ix_customer_values_instant", _v.path, _v.instant, _v.ref, where=_v.instant)
# Long strings are not indexable (PostgreSQL limits index entries): path only.
_partial_index("ix_customer_values_long", _v.path, where=_v.long_str)

# `seq` keeps a customer's sessions in the order they were added.
sessions = Table(
    "sessions",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("ws", String(200), nullable=False),
    Column("customer_id", String(64), nullable=False),
    Column("resource_id", String(64), nullable=False),
    Column("node_id", String(200), nullable=False),
    Column("value", Text, nullable=False),
    Column("value_key", String(KEY_LENGTH)),  # the SHA-256 of value (see `keys`)
    UniqueConstraint("ws", "customer_id", "resource_id", name="uq_sessions_resource"),
)

# A session value belongs to one customer of a node: enforced by the database, so that two hub
# processes (or threads) adding the same value at the same instant cannot both succeed. On the
# value's key: a value may be longer than PostgreSQL can index.
sessions_value_index = Index(
    "uq_sessions_value_key", sessions.c.ws, sessions.c.node_id, sessions.c.value_key, unique=True
)

events = Table(
    "events",
    metadata,
    Column("ws", String(200), primary_key=True),
    Column("id", String(64), primary_key=True),
    Column("customer_id", String(64)),
    Column("node_id", String(200)),
    Column("type", String(100), nullable=False),
    Column("context", String(100), nullable=False),
    Column("date", BigInteger, nullable=False),
    Column("bbp_type", String(20)),
    Column("bbp_value", Text),
    Column("bbp_key", String(KEY_LENGTH)),  # the SHA-256 of bbp_value (see `keys`)
    Column("bbp_node", String(200)),
    Column("doc", Document, nullable=False),
    Column("visible_at", BigInteger, nullable=False, server_default="0"),  # as customers'
    Index("ix_events_customer_date", "ws", "customer_id", "date"),
    # Type and context too (schema version 7): the analytics count a node's events of a type
    # or context from this index alone, without reading each event's row (and its document).
    Index("ix_events_node_date", "ws", "node_id", "date", "type", "context"),
    Index("ix_events_type", "ws", "type", "date"),
    Index("ix_events_context", "ws", "context", "date"),
    Index("ix_events_bring_back_key", "ws", "bbp_node", "bbp_type", "bbp_key"),
)

# The rows an indexing delay touched (visible_at > 0), by when they show: a listing first asks
# whether any row of the workspace is still hidden (one probe of a small index), and filters
# only then, so that without a delay its SQL and its speed are what they were. Writes without a
# delay leave these partial indexes alone.
pending_indexes = (
    Index(
        "ix_customers_pending",
        customers.c.ws,
        customers.c.visible_at,
        sqlite_where=customers.c.visible_at > 0,
        postgresql_where=customers.c.visible_at > 0,
        postgresql_include=["ref"],
    ),
    Index(
        "ix_events_pending",
        events.c.ws,
        events.c.visible_at,
        events.c.id,
        sqlite_where=events.c.visible_at > 0,
        postgresql_where=events.c.visible_at > 0,
    ),
)

# Saved customer queries of a workspace (`…/segments`). `seq` orders the listing by creation.
# A new table needs no migration step: `metadata.create_all` adds it to older databases.
segments = Table(
    "segments",
    metadata,
    Column(
        "seq", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("ws", String(200), nullable=False),
    Column("id", String(64), nullable=False),
    Column("name", Text, nullable=False),
    Column("doc", Document, nullable=False),
    UniqueConstraint("ws", "id", name="uq_segments_ws_id"),
    Index("ix_segments_name", "ws", "name"),
)

# The change feed (issue 9): one row per create, update or delete of a customer or an event, in
# commit order. `seq` is the entry's offset, counted per workspace from 1 without gaps: it is
# taken from `feed_heads` at the end of the writing transaction (see `feed.append`), whose row
# lock serialises the appends of one workspace until commit, so a reader never sees offset n + 1
# before offset n. `data` is the entity's JSON text as it was written, spliced into answers.
feed_heads = Table(
    "feed_heads",
    metadata,
    Column("ws", String(200), primary_key=True),
    Column("last_offset", BigInteger, nullable=False),
    Column("last_at", BigInteger, nullable=False),
)

feed_entries = Table(
    "feed_entries",
    metadata,
    Column("ws", String(200), primary_key=True),
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    # Milliseconds since the epoch at the append, never decreasing along `seq`.
    Column("at", BigInteger, nullable=False),
    Column("operation", String(10), nullable=False),
    Column("entity", String(10), nullable=False),
    Column("node_id", String(200)),
    Column("data", Text, nullable=False),
    Index("ix_feed_entries_at", "ws", "at"),
)

# The register of consent changes (GDPR): one row per changed consent property of a customer.
consent_logs = Table(
    "consent_logs",
    metadata,
    Column("id", RefType, primary_key=True, autoincrement=True),
    Column("ws", String(200), nullable=False),
    Column("customer_id", String(64), nullable=False),
    Column("date", BigInteger, nullable=False),
    Column("type", String(40), nullable=False),
    Column("property", String(255)),
    Column("value", Text),
    Column("source_id", String(200)),
    Index("ix_consent_logs_customer", "ws", "customer_id", "date"),
    Index("ix_consent_logs_date", "ws", "date"),
)
# A workspace's configuration (`…/configuration`): its WorkspaceConfiguration document, plus the
# matching policy and extended schema a PUT gave a workspace without nodes (for the nodes it
# gets later). Nodes hold the settings they apply (`nodes.settings`).
workspace_configs = Table(
    "workspace_configs",
    metadata,
    Column("ws", String(200), primary_key=True),
    Column("doc", Document, nullable=False),
)

# Event types of a workspace whose mode or enabled flag differ from the catalog's: no row means
# the catalog's mode, enabled.
event_type_settings = Table(
    "event_type_settings",
    metadata,
    Column("ws", String(200), primary_key=True),
    Column("type", String(100), primary_key=True),
    Column("mode", String(20), nullable=False),
    Column("enabled", Boolean, nullable=False),
)

# What the configuration API says of a node (`…/configuration/nodes/entries`): name,
# description, imageUrl, sourcePriority (no row: the defaults). `declared` is a digest of the
# settings the configuration file last declared for the node: a start with an unchanged file
# keeps what the API changed since.
node_entries = Table(
    "node_entries",
    metadata,
    Column("ws", String(200), primary_key=True),
    Column("node_id", String(200), primary_key=True),
    Column("doc", Document, nullable=False),
    Column("declared", String(100)),
)

# Customers deleted, as the analytics need them (issue 9): a trend's "lost" customers and the
# size a node had on a past day count customers that are gone. One row per deleted customer,
# written by `Tx.delete_customer` in the deleting transaction: its node, and when it was
# registered and deleted (epoch ms). Deletions made before schema version 7 were not recorded.
customer_deletions = Table(
    "customer_deletions",
    metadata,
    Column("id", RefType, primary_key=True, autoincrement=True),
    Column("ws", String(200), nullable=False),
    Column("node_id", String(200), nullable=False),
    Column("customer_id", String(64), nullable=False),
    Column("registered_at", BigInteger, nullable=False),
    Column("deleted_at", BigInteger, nullable=False),
    Index("ix_customer_deletions_registered", "ws", "node_id", "registered_at"),
    Index("ix_customer_deletions_deleted", "ws", "node_id", "deleted_at"),
)
# The hub's own settings (the admin key): name -> value. Never in a snapshot.
hub_settings = Table(
    "hub_settings",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("value", Text, nullable=False),
    info={"snapshot": False},
)

# Faults and latency set at run time for one workspace (`PUT /_hub/workspaces/{ws}/faults`), in
# the database so that every process of `serve --workers` applies them. `settings` is the JSON of
# `service.faults.FaultSettings`; `set_at` (epoch millis) tells processes that a setting was
# put again (which restarts its seeded draw). Operator controls, not data: never in a snapshot,
# kept by a reset.
workspace_faults = Table(
    "workspace_faults",
    metadata,
    Column("ws", String(200), primary_key=True),
    Column("settings", Document, nullable=False),
    Column("set_at", BigInteger, nullable=False),
    info={"snapshot": False},
)

# What the admin does with each table (see the comment above `workspaces`).
schema_version.info["snapshot"] = False
# Configuration is not data: the reset keeps it, as it keeps node settings.
for _registry_table in (
    workspaces,
    nodes,
    tokens,
    workspace_configs,
    event_type_settings,
    node_entries,
):
    _registry_table.info["keep_on_reset"] = True
for _owned in (customer_docs, customer_values):
    _owned.info["owner"] = ("customers", "ref")
