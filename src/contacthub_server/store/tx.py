"""`Tx`: the operations of one store transaction, all scoped by workspace id.

Documents go in and come out as plain JSON dicts, already normalised by the service; the store
does not validate them. It copies the fields that lookups need into indexed columns (see
`tables`), and keeps those copies in step with the document on every write.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from typing import Any

import orjson
from sqlalchemy import (
    Connection,
    Text,
    and_,
    bindparam,
    cast,
    delete,
    func,
    insert,
    literal_column,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import ColumnElement

from contacthub_server.query import Query, parse_query
from contacthub_server.schemas import dates
from contacthub_server.schemas.consents import consent_changes
from contacthub_server.schemas.instants import to_millis
from contacthub_server.schemas.normalise import ordered_customer, ordered_event, ordered_segment

from . import analytics, driver, feed, summary
from .errors import MatchKeyConflict, SessionTaken
from .keys import index_key
from .ordering import sort_keys, tie_break, uses_document
from .query_sql import compile_query, search_cache
from .tables import (
    consent_logs,
    customer_deletions,
    customer_docs,
    customer_values,
    customers,
    event_type_settings,
    events,
    hub_settings,
    node_entries,
    nodes,
    segments,
    sessions,
    tokens,
    workspace_configs,
    workspace_faults,
    workspaces,
)
from .values import document_values

Doc = dict[str, Any]
#: A date bound: date or date-time text in any accepted form, a datetime/date, or epoch ms.
DateArg = str | datetime | date | int | float
#: How a write transaction learns the indexing delay of a node: `(tx, ws, node_id) -> ms`
#: (installed on the store by the app; none = no delay).
IndexDelay = Callable[["Tx", str, "str | None"], int]


# Built once: statements given their values at execution skip SQLAlchemy's per-call compilation.
_INSERT_CUSTOMER = insert(customers).returning(customers.c.ref)
# ON CONFLICT on the partial unique index: a concurrent holder of the key makes the insert a no-op
# (PostgreSQL waits for the holder to commit first), so the lookup that follows sees it.
_INSERT_CUSTOMER_UNLESS_KEY_TAKEN: dict[str, Any] = {
    name: module.insert(customers)
    .on_conflict_do_nothing(
        index_elements=[customers.c.ws, customers.c.node_id, customers.c.match_key],
        index_where=customers.c.match_key.isnot(None),
    )
    .returning(customers.c.ref)
    for name, module in (("postgresql", pg_dialect), ("sqlite", sqlite_dialect))
}
_INSERT_VALUES = insert(customer_values)
# A document given as its JSON text (already encoded for the feed): stored as that text on SQLite,
# cast to jsonb on PostgreSQL.
_DOC_TEXT = {
    "sqlite": bindparam("p_doc", type_=Text()),
    "postgresql": cast(bindparam("p_doc", type_=Text()), JSONB),
}
_INSERT_DOC_TEXT = {
    name: insert(customer_docs).values(ref=bindparam("p_ref"), doc=value)
    for name, value in _DOC_TEXT.items()
}
_UPDATE_DOC_TEXT = {
    name: update(customer_docs).where(customer_docs.c.ref == bindparam("p_ref")).values(doc=value)
    for name, value in _DOC_TEXT.items()
}
_INSERT_EVENT = insert(events)
# Read and claim statements of the create/get paths, also built once with bind parameters (the
# names differ from the column names: SQLAlchemy reserves those for the SET clause).
_GET_CUSTOMER = (
    select(customer_docs.c.doc)
    .join(customers, customers.c.ref == customer_docs.c.ref)
    .where(customers.c.ws == bindparam("p_ws"), customers.c.id == bindparam("p_id"))
)
_UNOWNED_EVENTS = select(events.c.id, events.c.doc).where(
    events.c.ws == bindparam("p_ws"),
    events.c.bbp_node == bindparam("p_node"),
    events.c.bbp_type == bindparam("p_kind"),
    events.c.bbp_key == bindparam("p_key"),
    events.c.bbp_value == bindparam("p_value"),
    events.c.customer_id.is_(None),
)
_CLAIM_EVENT = (
    update(events)
    .where(events.c.ws == bindparam("p_ws"), events.c.id == bindparam("p_id"))
    .values(
        customer_id=bindparam("p_customer", type_=events.c.customer_id.type),
        doc=bindparam("p_doc", type_=events.c.doc.type),
        visible_at=bindparam("p_visible", type_=events.c.visible_at.type),
    )
)
# Whether a workspace has rows still hidden by an indexing delay (the partial indexes of
# `tables.pending_indexes`; their condition is spelled out so that the planners use them).
_pending_customer = customers.alias("pending_customer")
_pending_event = events.alias("pending_event")
_ANY_PENDING_CUSTOMER = (
    select(_pending_customer.c.ref)
    .where(
        _pending_customer.c.ws == bindparam("p_ws"),
        _pending_customer.c.visible_at > literal_column("0"),
        _pending_customer.c.visible_at > bindparam("p_now"),
    )
    .limit(1)
)
_ANY_PENDING_EVENT = (
    select(_pending_event.c.id)
    .where(
        _pending_event.c.ws == bindparam("p_ws"),
        _pending_event.c.visible_at > literal_column("0"),
        _pending_event.c.visible_at > bindparam("p_now"),
    )
    .limit(1)
)
# The same two probes for SQLite's driver connection: a listing runs one, and through
# SQLAlchemy's execution machinery it cost ~50 us (a third of an event listing's time), directly
# a few. Fixed table names, bound values.
_SQLITE_ANY_PENDING = {
    table: f"SELECT 1 FROM {table} WHERE ws = ? AND visible_at > 0 AND visible_at > ? LIMIT 1"
    for table in ("customers", "events")
}


# PostgreSQL: a customer's three inserts (row, document, value index) as one statement, one round
# trip instead of three, run on the driver (`driver`). The value rows travel as one JSON array of
# rows, taken apart by the server: psycopg's (Python) dumping of six arrays cost more of a
# create's CPU than the server's parsing of that text. With a match key, a holder of the key
# makes the first insert (and so the others) a no-op: no row comes back.
# With {claim}, the same statement also gives the new customer the node's unowned events that
# an EXTERNAL_ID bring-back names with its externalId (what `attach_external_id_events` does),
# returning their documents; `customer_id IS NULL` is checked again on rows a concurrent
# claimer held, so two customers never both take one event.
# With {feed}, it also appends the create's feed entry (as `feed.append` does: the head row's
# lock, taken here, is then held to the commit), which saves the append's round trip: only for
# a transaction that has recorded nothing before, so that the entries keep their order. The
# document's text is typed text at its first use: the entry holds it as written, not as JSONB.
_PG_INSERT_CUSTOMER = """
WITH c AS (
  INSERT INTO customers
    (ws, id, node_id, external_id, external_key, match_key, registered_at, updated_at, visible_at)
  VALUES (%(ws)s, %(id)s, %(node_id)s, %(external_id)s, %(external_key)s, %(match_key)s,
          CAST(%(registered_at)s AS bigint), CAST(%(updated_at)s AS bigint),
          CAST(%(visible_at)s AS bigint))
  {conflict}
  RETURNING ref
), d AS (
  INSERT INTO customer_docs (ref, doc) SELECT ref, CAST(CAST(%(doc)s AS text) AS jsonb) FROM c
), v AS (
  INSERT INTO customer_values (ref, path, kind, num, str, long_str, instant)
  SELECT c.ref, x.value ->> 0, x.value ->> 1, CAST(x.value ->> 2 AS float8), x.value ->> 3,
         x.value ->> 4, CAST(x.value ->> 5 AS bigint)
  FROM c, json_array_elements(CAST(%(rows)s AS json)) AS x
){feed}{claim}
"""
_PG_FEED_AT_INSERT = """, h AS (
  INSERT INTO feed_heads AS f (ws, last_offset, last_at)
  SELECT %(ws)s, 1, CAST(%(now)s AS bigint) FROM c
  ON CONFLICT (ws) DO UPDATE SET last_offset = f.last_offset + excluded.last_offset,
    last_at = GREATEST(f.last_at, excluded.last_at)
  RETURNING last_offset, last_at
), fe AS (
  INSERT INTO feed_entries (ws, seq, at, operation, entity, node_id, data)
  SELECT %(ws)s, h.last_offset, h.last_at, 'CREATE', 'CUSTOMER', %(node_id)s,
         CAST(%(doc)s AS text)
  FROM h
)"""
_PG_CLAIM_AT_INSERT = """, e AS (
  UPDATE events SET customer_id = CAST(%(id)s AS text),
    doc = jsonb_set(doc, '{customerId}', to_jsonb(CAST(%(id)s AS text))),
    visible_at = CAST(%(visible_at)s AS bigint)
  WHERE ws = %(ws)s AND bbp_node = %(node_id)s AND bbp_type = 'EXTERNAL_ID'
    AND bbp_key = %(external_key)s AND bbp_value = %(external_id)s AND customer_id IS NULL
    AND EXISTS (SELECT 1 FROM c)
  RETURNING doc
)
SELECT c.ref, e.doc FROM c LEFT JOIN e ON true"""
_PG_INSERT_CUSTOMER_STATEMENTS = {
    (taken, claim, with_feed): _PG_INSERT_CUSTOMER.format(
        conflict=(
            "ON CONFLICT (ws, node_id, match_key) WHERE match_key IS NOT NULL DO NOTHING"
            if taken
            else ""
        ),
        feed=_PG_FEED_AT_INSERT if with_feed else "",
        claim=_PG_CLAIM_AT_INSERT if claim else "\nSELECT ref, NULL FROM c",
    )
    for taken in (False, True)
    for claim in (False, True)
    for with_feed in (False, True)
}
# PostgreSQL: claim a node's unowned events in one statement. `customer_id IS NULL` is checked
# again on rows a concurrent claimer held, so two customers never both take one event.
_PG_CLAIM_EVENTS = text(
    "UPDATE events SET customer_id = CAST(:customer AS text), "
    "doc = jsonb_set(doc, '{customerId}', to_jsonb(CAST(:customer AS text))), "
    "visible_at = :visible "
    "WHERE ws = :ws AND bbp_node = :node AND bbp_type = :kind AND bbp_key = :key "
    "AND bbp_value = :value "
    "AND customer_id IS NULL RETURNING id, doc"
)


def _now_millis() -> int:
    return int(time.time() * 1000)


def _millis_or(value: Any, default: int) -> int:
    if value is None:
        return default
    return to_millis(value)


class Tx:
    """One transaction on the store; obtained from `Store.read()` or `Store.write()`.

    Methods of a read transaction must not write. Nothing is visible to others until a write
    transaction's block exits cleanly.
    """

    def __init__(
        self,
        conn: Connection,
        dialect: str,
        *,
        with_feed: bool = True,
        index_delay: IndexDelay | None = None,
    ) -> None:
        self._conn = conn
        self.dialect = dialect
        self._index_delay = index_delay
        # The change feed's entries of this transaction, appended by `flush_feed` at its end.
        self._feed_on = with_feed
        self._pending: list[feed.Pending] = []

    # -- the change feed and the consent register --------------------------------------------

    def _record(
        self, ws: str, operation: str, entity: str, node_id: Any, doc: Doc, data: str | None = None
    ) -> None:
        """Buffer a feed entry; the JSON is taken now, as the entity is at this write (`data`:
        the document's JSON text when the caller has already encoded it)."""
        if self._feed_on:
            text = orjson.dumps(doc).decode() if data is None else data
            self._pending.append((ws, operation, entity, node_id, text))

    def _record_customer_state(self, ws: str, customer_id: str) -> None:
        """An UPDATE entry with the customer as stored now (a sub-resource changed)."""
        if self._feed_on:
            doc = self.get_customer(ws, customer_id)
            if doc is not None:
                self._record(ws, "UPDATE", "CUSTOMER", doc.get("nodeId"), doc)

    def take_feed(self) -> list[feed.Pending]:
        """The buffered feed entries, handed over to be appended by the caller (`Store.write`
        on SQLite, once for a whole group commit), and forgotten here."""
        pending, self._pending = self._pending, []
        return pending

    def flush_feed(self) -> None:
        """Append the buffered feed entries (`Store.write` calls this right before commit)."""
        if self._pending:
            pending, self._pending = self._pending, []
            feed.append(self._conn, self.dialect, pending)

    def _log_consents(self, ws: str, before: Doc | None, after: Doc) -> None:
        changes = consent_changes((before or {}).get("consents"), after.get("consents"))
        if changes:
            now = _now_millis()
            self._conn.execute(
                insert(consent_logs),
                [
                    {
                        "ws": ws,
                        "customer_id": after["id"],
                        "date": now,
                        "type": kind,
                        "property": path,
                        "value": value,
                        "source_id": after.get("nodeId"),
                    }
                    for kind, path, value in changes
                ],
            )

    def read_feed(
        self,
        ws: str,
        *,
        after: int | None = None,
        timestamp: int | None = None,
        node_id: str | None = None,
        entity: str | None = None,
        size: int = 50,
    ) -> tuple[list[feed.Entry], int]:
        """Up to `size` feed entries `(offset, operation, entity, data JSON)` after `after`
        (else from `timestamp`, epoch ms), oldest first, and the next offset to ask from."""
        return feed.read(
            self._conn,
            ws,
            after=after,
            timestamp=timestamp,
            node_id=node_id,
            entity=entity,
            size=size,
        )

    def read_feed_back(
        self,
        ws: str,
        *,
        before: int | None = None,
        node_id: str | None = None,
        entity: str | None = None,
        size: int = 50,
    ) -> list[feed.FullEntry]:
        """Up to `size` feed entries `(offset, epoch ms, operation, entity, node id, data JSON)`
        below offset `before` (the latest without it), newest first (the console's feed page)."""
        return feed.read_back(
            self._conn, ws, before=before, node_id=node_id, entity=entity, size=size
        )

    def feed_last_offset(
        self, ws: str, *, node_id: str | None = None, entity: str | None = None
    ) -> int:
        """The offset of the last feed entry matching the filters (0 when none)."""
        return feed.last_offset(self._conn, ws, node_id, entity)

    def list_consent_logs(
        self,
        ws: str,
        *,
        customer_id: str | None = None,
        date_from: int | None = None,
        date_to: int | None = None,
        kind: str | None = None,
        prop: str | None = None,
        descending: bool = False,
        page: int = 0,
        size: int = 10,
    ) -> tuple[list[Doc], int]:
        """One page of consent register entries (oldest first unless `descending`), and the
        total. Dates are inclusive epoch-millisecond bounds."""
        c = consent_logs.c
        conditions: list[ColumnElement[bool]] = [c.ws == ws]
        if customer_id is not None:
            conditions.append(c.customer_id == customer_id)
        if date_from is not None:
            conditions.append(c.date >= date_from)
        if date_to is not None:
            conditions.append(c.date <= date_to)
        if kind is not None:
            conditions.append(c.type == kind)
        if prop is not None:
            conditions.append(c.property == prop)
        where = and_(*conditions)
        total = int(
            self._conn.execute(
                select(func.count()).select_from(consent_logs).where(where)
            ).scalar_one()
        )
        order = (c.date.desc(), c.id.desc()) if descending else (c.date, c.id)
        rows = self._conn.execute(
            select(consent_logs).where(where).order_by(*order).limit(size).offset(page * size)
        ).mappings()
        return [dict(row) for row in rows], total

    def get_consent_log(self, ws: str, log_id: int) -> Doc | None:
        """One consent register entry by id, or None."""
        row = (
            self._conn.execute(
                select(consent_logs).where(consent_logs.c.ws == ws, consent_logs.c.id == log_id)
            )
            .mappings()
            .first()
        )
        return None if row is None else dict(row)

    # -- the indexing delay -------------------------------------------------------------------

    def _visible_at(self, ws: str, node_id: str | None) -> int:
        """When a row written now through `node_id` may show in listings: 0 (at once) without
        a delay, else now + the node's delay in epoch ms."""
        if self._index_delay is None:
            return 0
        delay = self._index_delay(self, ws, node_id)
        return _now_millis() + delay if delay > 0 else 0

    def _any_pending(self, table: str, ws: str, now: int) -> bool:
        """Whether some row of `table` in `ws` is still hidden by an indexing delay."""
        if self.dialect == "sqlite":
            driver: Any = self._conn.connection.driver_connection
            return driver.execute(_SQLITE_ANY_PENDING[table], (ws, now)).fetchone() is not None
        probe = _ANY_PENDING_CUSTOMER if table == "customers" else _ANY_PENDING_EVENT
        return self._conn.execute(probe, {"p_ws": ws, "p_now": now}).first() is not None

    def _hidden_customers(self, ws: str) -> ColumnElement[bool] | None:
        """The condition that leaves out the customers an indexing delay still hides, or None
        when the workspace has none (the common case: then listings run as they always did)."""
        now = _now_millis()
        if not self._any_pending("customers", ws, now):
            return None
        hidden = select(_pending_customer.c.ref).where(
            _pending_customer.c.ws == ws,
            _pending_customer.c.visible_at > literal_column("0"),
            _pending_customer.c.visible_at > now,
        )
        return customers.c.ref.not_in(hidden)

    def _hidden_events(self, ws: str) -> ColumnElement[bool] | None:
        """As `_hidden_customers`, for events."""
        now = _now_millis()
        if not self._any_pending("events", ws, now):
            return None
        hidden = select(_pending_event.c.id).where(
            _pending_event.c.ws == ws,
            _pending_event.c.visible_at > literal_column("0"),
            _pending_event.c.visible_at > now,
        )
        return events.c.id.not_in(hidden)

    def _hide_customer(self, ws: str, customer_id: str, node_id: str) -> None:
        """Take a customer out of the listings for its node's delay (a sub-resource of it
        changed); nothing without a delay."""
        visible_at = self._visible_at(ws, node_id)
        if visible_at:
            self._conn.execute(
                update(customers)
                .where(customers.c.ws == ws, customers.c.id == customer_id)
                .values(visible_at=visible_at)
            )

    # -- helpers ---------------------------------------------------------------------------

    def _insert_ignoring_conflicts(self, table: Any, values: dict[str, Any]) -> None:
        """INSERT ... ON CONFLICT DO NOTHING: race-free "create unless it exists"."""
        module: Any = pg_dialect if self.dialect == "postgresql" else sqlite_dialect
        self._conn.execute(module.insert(table).values(**values).on_conflict_do_nothing())

    # -- admin -----------------------------------------------------------------------------

    def ensure_workspace(self, ws: str) -> None:
        """Create workspace `ws` unless it exists."""
        self._insert_ignoring_conflicts(workspaces, {"ws": ws})

    def hub_setting(self, name: str) -> str | None:
        """A setting of the hub itself (e.g. the admin key), or None when unset."""
        return self._conn.execute(
            select(hub_settings.c.value).where(hub_settings.c.name == name)
        ).scalar()

    def set_hub_setting(self, name: str, value: str) -> None:
        """Set a setting of the hub itself."""
        self._conn.execute(delete(hub_settings).where(hub_settings.c.name == name))
        self._conn.execute(insert(hub_settings).values(name=name, value=value))

    def list_workspace_faults(self) -> dict[str, tuple[dict[str, Any], int]]:
        """Every workspace's runtime fault settings: ws -> (settings, set_at epoch millis)."""
        rows = self._conn.execute(
            select(workspace_faults.c.ws, workspace_faults.c.settings, workspace_faults.c.set_at)
        )
        return {str(ws): (dict(settings), int(set_at)) for ws, settings, set_at in rows}

    def set_workspace_faults(self, ws: str, settings: dict[str, Any], set_at: int) -> None:
        """Set (or replace) the runtime fault settings of workspace `ws`."""
        self._conn.execute(delete(workspace_faults).where(workspace_faults.c.ws == ws))
        self._conn.execute(insert(workspace_faults).values(ws=ws, settings=settings, set_at=set_at))

    def delete_workspace_faults(self, ws: str) -> bool:
        """Remove the runtime fault settings of `ws`; False when it had none."""
        result = self._conn.execute(delete(workspace_faults).where(workspace_faults.c.ws == ws))
        return bool(result.rowcount)

    def workspace_exists(self, ws: str) -> bool:
        """Whether workspace `ws` exists."""
        row = self._conn.execute(select(workspaces.c.seq).where(workspaces.c.ws == ws)).first()
        return row is not None

    def ensure_node(self, ws: str, node_id: str, settings: dict[str, Any]) -> None:
        """Create node `node_id` in `ws` (and the workspace) with `settings`, unless it exists.

        An existing node keeps its settings; use `set_node_settings` to change them.
        """
        self.ensure_workspace(ws)
        self._insert_ignoring_conflicts(nodes, {"ws": ws, "node_id": node_id, "settings": settings})

    def set_node_settings(self, ws: str, node_id: str, settings: dict[str, Any]) -> None:
        """Replace the settings of node `node_id` (creating the node if needed)."""
        self.ensure_node(ws, node_id, settings)
        self._conn.execute(
            update(nodes)
            .where(nodes.c.ws == ws, nodes.c.node_id == node_id)
            .values(settings=settings)
        )

    def node_settings(self, ws: str, node_id: str) -> dict[str, Any] | None:
        """The settings of node `node_id` in `ws`, or None when there is no such node."""
        row = self._conn.execute(
            select(nodes.c.settings).where(nodes.c.ws == ws, nodes.c.node_id == node_id)
        ).first()
        return None if row is None else dict(row[0])

    def list_workspaces(self) -> list[str]:
        """Every workspace, in the order they were created."""
        rows = self._conn.execute(select(workspaces.c.ws).order_by(workspaces.c.seq))
        return [str(row[0]) for row in rows]

    def list_nodes(self, ws: str) -> list[str]:
        """The ids of the nodes of workspace `ws`, in the order they were created."""
        rows = self._conn.execute(
            select(nodes.c.node_id).where(nodes.c.ws == ws).order_by(nodes.c.seq)
        )
        return [str(row[0]) for row in rows]

    def add_token(self, token: str, ws: str) -> None:
        """Grant `token` access to workspace `ws` (creating the workspace if needed).

        Adding a token twice to the same workspace is harmless; a token already granted to
        another workspace raises ValueError.
        """
        self.ensure_workspace(ws)
        self._insert_ignoring_conflicts(tokens, {"token": token, "ws": ws})
        owner = self.workspace_of_token(token)
        if owner != ws:
            raise ValueError(f"token already belongs to workspace {owner}")

    def workspace_of_token(self, token: str) -> str | None:
        """The workspace `token` gives access to, or None for an unknown token."""
        row = self._conn.execute(select(tokens.c.ws).where(tokens.c.token == token)).first()
        return None if row is None else str(row[0])

    def default_credentials(self) -> tuple[str, str, str] | None:
        """(workspace, node, token): the first of each created, or None if any is missing."""
        first_ws = self._conn.execute(
            select(workspaces.c.ws).order_by(workspaces.c.seq).limit(1)
        ).first()
        if first_ws is None:
            return None
        ws = str(first_ws[0])
        node = self._conn.execute(
            select(nodes.c.node_id).where(nodes.c.ws == ws).order_by(nodes.c.seq).limit(1)
        ).first()
        token = self._conn.execute(
            select(tokens.c.token).where(tokens.c.ws == ws).order_by(tokens.c.seq).limit(1)
        ).first()
        if node is None or token is None:
            return None
        return ws, str(node[0]), str(token[0])

    # -- customers -------------------------------------------------------------------------

    def _customer_columns(self, ws: str, doc: Doc, match_key: str | None) -> dict[str, Any]:
        registered = _millis_or(doc.get("registeredAt"), _now_millis())
        external_id = doc.get("externalId")
        return {
            "node_id": doc["nodeId"],
            "external_id": external_id if isinstance(external_id, str) else None,
            "external_key": index_key(external_id),
            "match_key": match_key,
            "registered_at": registered,
            "updated_at": _millis_or(doc.get("updatedAt"), registered),
            # An update hides the customer again for the delay (the hub never shows a new
            # version in listings sooner than the hosted API would).
            "visible_at": self._visible_at(ws, doc["nodeId"]),
        }

    def _write_document(self, ref: int, doc: Doc, *, replacing: bool) -> str:
        """Store the document of customer `ref` and (re)write its value index; returns the
        document's JSON text (encoded once, for the feed entry too)."""
        data = orjson.dumps(doc).decode()
        if replacing:
            self._conn.execute(_UPDATE_DOC_TEXT[self.dialect], {"p_ref": ref, "p_doc": data})
            self._conn.execute(delete(customer_values).where(customer_values.c.ref == ref))
        else:
            self._conn.execute(_INSERT_DOC_TEXT[self.dialect], {"p_ref": ref, "p_doc": data})
        rows = [
            {"ref": ref, "path": p, "kind": k, "num": n, "str": s, "long_str": ls, "instant": i}
            for p, k, n, s, ls, i in document_values(doc)
        ]
        if rows:
            self._conn.execute(_INSERT_VALUES, rows)
        return data

    def rewrite_document(self, ref: int, doc: Doc) -> None:
        """Store a customer's document as it is (a migration fills in a field): no feed entry,
        no consent log, since the customer did not change."""
        self._write_document(ref, doc, replacing=True)

    def get_customer(self, ws: str, customer_id: str) -> Doc | None:
        """The customer document with id `customer_id`, or None."""
        row = self._conn.execute(_GET_CUSTOMER, {"p_ws": ws, "p_id": customer_id}).first()
        return None if row is None else ordered_customer(row[0])

    def lock_customer(self, ws: str, customer_id: str) -> None:
        """Hold the customer's row until this transaction ends (call it in `Store.write()`).

        For read-modify-write of one customer (PATCH, items): a concurrent writer of the same
        customer waits here, then reads what the first one committed, so no update is lost.
        PostgreSQL takes a row lock; SQLite's write transactions already exclude each other.
        """
        if self.dialect == "postgresql":
            self._conn.execute(
                select(customers.c.ref)
                .where(customers.c.ws == ws, customers.c.id == customer_id)
                .with_for_update()
            )

    def insert_customer(
        self,
        ws: str,
        doc: Doc,
        match_key: str | None,
        *,
        attach_external_id_events: bool = False,
    ) -> int:
        """Store a new customer (`doc["id"]` and `doc["nodeId"]` set by the service).

        With `attach_external_id_events`, also give the customer the node's unowned events
        brought back by its externalId, as `attach_external_id_events` does (on PostgreSQL in
        the same statement); returns how many it took (0 without). Raises MatchKeyConflict when
        another customer of the node holds `match_key`.
        """
        values = {"ws": ws, "id": doc["id"], **self._customer_columns(ws, doc, match_key)}
        external_id = values["external_id"]
        claim = attach_external_id_events and bool(external_id)
        if self.dialect == "postgresql":
            return self._insert_customer_in_one_statement(ws, doc, values, match_key, claim)
        if match_key is None:
            ref = self._conn.execute(_INSERT_CUSTOMER, values).scalar_one()
        else:
            stmt = _INSERT_CUSTOMER_UNLESS_KEY_TAKEN[self.dialect]
            while (ref := self._conn.execute(stmt, values).scalar()) is None:
                existing = self.find_by_match_key(ws, values["node_id"], match_key)
                if existing is not None:
                    raise MatchKeyConflict(existing)
                # The holder was deleted between the two statements: the key is free, again.
        data = self._write_document(int(ref), doc, replacing=False)
        self._customer_created(ws, doc, data)
        if not claim:
            return 0
        return self.attach_external_id_events(ws, values["node_id"], external_id, doc["id"])

    def _customer_created(self, ws: str, doc: Doc, data: str, *, appended: bool = False) -> None:
        # Both backends record the change in this transaction: the feed must miss no create
        # (`appended`: the insert statement appended its entry already).
        if not appended:
            self._record(ws, "CREATE", "CUSTOMER", doc["nodeId"], doc, data)
        if doc.get("consents"):
            self._log_consents(ws, None, doc)

    def _insert_customer_in_one_statement(
        self, ws: str, doc: Doc, values: dict[str, Any], match_key: str | None, claim: bool
    ) -> int:
        data = orjson.dumps(doc).decode()
        rows = orjson.dumps(document_values(doc)).decode()
        # The entry goes in with the insert when nothing else of this transaction is waiting.
        with_feed = self._feed_on and not self._pending
        params = {**values, "doc": data, "rows": rows, "now": _now_millis()}
        statement = _PG_INSERT_CUSTOMER_STATEMENTS[(match_key is not None, claim, with_feed)]
        while not (found := driver.execute(self._conn, statement, params).fetchall()):
            if match_key is None:  # cannot happen: nothing but a match key makes it a no-op
                raise RuntimeError("the customer insert stored nothing")
            existing = self.find_by_match_key(ws, values["node_id"], match_key)
            if existing is not None:
                raise MatchKeyConflict(existing)
            # The holder was deleted between the two statements: the key is free, try again.
        self._customer_created(ws, doc, data, appended=with_feed)
        claimed = [row[1] for row in found if row[1] is not None]
        for event_doc in claimed:
            document = event_doc if isinstance(event_doc, dict) else orjson.loads(event_doc)
            self._record(ws, "UPDATE", "EVENT", values["node_id"], ordered_event(document))
        return len(claimed)

    def replace_customer(self, ws: str, doc: Doc, match_key: str | None) -> bool:
        """Replace the stored customer `doc["id"]` with `doc`; False when there is no such customer.

        Raises MatchKeyConflict when another customer of the node holds `match_key`.
        """
        values = self._customer_columns(ws, doc, match_key)
        stmt = (
            update(customers)
            .where(customers.c.ws == ws, customers.c.id == doc["id"])
            .values(**values)
            .returning(customers.c.ref)
        )
        try:
            # A savepoint, so that a unique violation leaves the transaction usable (PostgreSQL).
            with self._conn.begin_nested():
                ref = self._conn.execute(stmt).scalar()
        except IntegrityError:
            if match_key is None:
                raise
            existing = self.find_by_match_key(ws, values["node_id"], match_key)
            raise MatchKeyConflict(existing or "") from None
        if ref is None:
            return False
        before = self._conn.execute(
            select(customer_docs.c.doc).where(customer_docs.c.ref == ref)
        ).scalar()
        data = self._write_document(int(ref), doc, replacing=True)
        self._record(ws, "UPDATE", "CUSTOMER", doc["nodeId"], doc, data)
        self._log_consents(ws, before, doc)
        return True

    def delete_customer(self, ws: str, customer_id: str) -> Doc | None:
        """Delete a customer with its events and sessions; returns the deleted document."""
        row = self._conn.execute(
            select(
                customers.c.ref, customer_docs.c.doc, customers.c.node_id, customers.c.registered_at
            )
            .join(customer_docs, customer_docs.c.ref == customers.c.ref)
            .where(customers.c.ws == ws, customers.c.id == customer_id)
        ).first()
        if row is None:
            return None
        ref, stored, node_id_column, registered_at = row
        doc = ordered_customer(stored)
        gone = self._conn.execute(
            delete(events)
            .where(events.c.ws == ws, events.c.customer_id == customer_id)
            .returning(events.c.node_id, events.c.doc)
        ).all()
        # The customer's events go with it: each gets its DELETE entry, before the customer's.
        for node_id, event_doc in gone:
            self._record(ws, "DELETE", "EVENT", node_id, ordered_event(event_doc))
        self._record(ws, "DELETE", "CUSTOMER", doc.get("nodeId"), doc)
        self._conn.execute(
            insert(consent_logs).values(
                ws=ws,
                customer_id=customer_id,
                date=_now_millis(),
                type="FORCED_DELETE",
                property=None,
                value=None,
                source_id=doc.get("nodeId"),
            )
        )
        self._conn.execute(
            delete(sessions).where(sessions.c.ws == ws, sessions.c.customer_id == customer_id)
        )
        self._conn.execute(delete(customer_values).where(customer_values.c.ref == ref))
        self._conn.execute(delete(customer_docs).where(customer_docs.c.ref == ref))
        self._conn.execute(delete(customers).where(customers.c.ref == ref))
        # The analytics count customers that are gone (a trend's "lost", a node's past size).
        self._conn.execute(
            insert(customer_deletions).values(
                ws=ws,
                node_id=node_id_column,
                customer_id=customer_id,
                registered_at=registered_at,
                deleted_at=max(int(registered_at), to_millis(dates.now())),
            )
        )
        return dict(doc)

    def find_by_match_key(self, ws: str, node_id: str, match_key: str) -> str | None:
        """The id of the customer of the node holding `match_key`, or None."""
        row = self._conn.execute(
            select(customers.c.id).where(
                customers.c.ws == ws,
                customers.c.node_id == node_id,
                customers.c.match_key == match_key,
            )
        ).first()
        return None if row is None else str(row[0])

    def find_by_external_id(self, ws: str, node_id: str, external_id: str) -> list[str]:
        """The ids of the node's customers with this externalId, oldest first."""
        rows = self._conn.execute(
            select(customers.c.id)
            .where(
                customers.c.ws == ws,
                customers.c.node_id == node_id,
                customers.c.external_key == index_key(external_id),
                customers.c.external_id == external_id,
            )
            .order_by(*tie_break())
        )
        return [str(row[0]) for row in rows]

    def search_customers(
        self,
        ws: str,
        node_id: str | None,
        *,
        external_id: str | None = None,
        query: Any = None,
        sort: Sequence[tuple[str, bool]] = (),
        page: int = 0,
        size: int = 10,
    ) -> tuple[list[Doc], int]:
        """One page of the customers matching the filters, and the total number of matches.

        `node_id` None means every node. `query` is a parsed query
        (`contacthub_server.query.parse_query`; a query document is parsed here, raising
        QueryError). `sort` is a sequence of `(dotted_path, ascending)`, always followed by
        registeredAt then id. `page` is 0-based. Raises `InvalidPath` (a ValueError) for a sort
        path with characters other than letters, digits, '_' and '-'.
        """
        conditions: list[ColumnElement[bool]] = [customers.c.ws == ws]
        if node_id is not None:
            conditions.append(customers.c.node_id == node_id)
        if external_id is not None:
            conditions.append(customers.c.external_key == index_key(external_id))
            conditions.append(customers.c.external_id == external_id)
        hidden = self._hidden_customers(ws)
        if hidden is not None:
            conditions.append(hidden)
        parsed = None
        if query is not None:
            parsed = query if isinstance(query, Query) else parse_query(query)
            conditions.append(compile_query(parsed))
        # Search statements vary in shape without end: a bounded cache, never SQLAlchemy's own.
        options = {"compiled_cache": search_cache(parsed)}
        where = and_(*conditions)
        order: list[ColumnElement[Any]] = []
        source: Any = customers
        for path, ascending in sort:
            order.extend(sort_keys(self.dialect, path, ascending))
            if uses_document(path) and source is customers:
                source = customers.join(customer_docs, customer_docs.c.ref == customers.c.ref)
        order.extend(tie_break())
        if query is not None and not sort:
            refs, total = self._page_in_one_pass(where, page, size, options)
        else:
            refs, total = self._page_in_two_passes(where, source, order, page, size, options)
        if not refs:
            return [], total
        found = self._conn.execute(
            select(customer_docs.c.ref, customer_docs.c.doc).where(customer_docs.c.ref.in_(refs)),
            execution_options=options,
        ).all()
        docs = {row[0]: row[1] for row in found}
        return [ordered_customer(docs[ref]) for ref in refs], total

    def _page_in_two_passes(
        self,
        where: ColumnElement[bool],
        source: Any,
        order: list[ColumnElement[Any]],
        page: int,
        size: int,
        options: dict[str, Any],
    ) -> tuple[list[int], int]:
        """Count, then order and cut the page on the narrow rows (any sort)."""
        total = int(
            self._conn.execute(
                select(func.count()).select_from(customers).where(where),
                execution_options=options,
            ).scalar_one()
        )
        if total == 0 or page * size >= total:
            return [], total
        refs = self._conn.execute(
            select(customers.c.ref)
            .select_from(source)
            .where(where)
            .order_by(*order)
            .limit(size)
            .offset(page * size),
            execution_options=options,
        ).scalars()
        return list(refs), total

    def _page_in_one_pass(
        self, where: ColumnElement[bool], page: int, size: int, options: dict[str, Any]
    ) -> tuple[list[int], int]:
        """Find a query's matches once (materialised), then count them and cut the default page.

        A query names its matches through the value index and each must be checked against the
        workspace and node: doing that once instead of twice (count, then page) halves the work
        of selective queries. Plain listings keep the two passes, which walk an ordered index.
        """
        matches = (
            select(customers.c.ref, customers.c.registered_at, customers.c.id)
            .where(where)
            .cte("matches")
            .prefix_with("MATERIALIZED")
        )
        total = select(func.count()).select_from(matches).scalar_subquery()
        rows = self._conn.execute(
            select(matches.c.ref, total)
            .order_by(matches.c.registered_at, matches.c.id)
            .limit(size)
            .offset(page * size),
            execution_options=options,
        ).all()
        if rows:
            return [row[0] for row in rows], int(rows[0][1])
        # No match, or a page past the end: the total still has to be told.
        count = self._conn.execute(
            select(func.count()).select_from(customers).where(where), execution_options=options
        )
        return [], int(count.scalar_one())

    # -- sessions --------------------------------------------------------------------------

    def add_session(
        self, ws: str, customer_id: str, node_id: str, resource_id: str, value: str
    ) -> None:
        """Record session `value` (resource id `resource_id`) for a customer of `node_id`.

        Raises SessionTaken when a customer of the node already holds `value`: the database's
        unique index decides, so concurrent writers (other threads or hub processes) cannot both
        take one value. PostgreSQL makes the second writer wait for the first to commit.
        """
        module: Any = pg_dialect if self.dialect == "postgresql" else sqlite_dialect
        added = self._conn.execute(
            module.insert(sessions)
            .values(
                ws=ws,
                customer_id=customer_id,
                node_id=node_id,
                resource_id=resource_id,
                value=value,
                value_key=index_key(value),
            )
            .on_conflict_do_nothing(index_elements=["ws", "node_id", "value_key"])
            .returning(sessions.c.seq)
        ).first()
        if added is None:
            raise SessionTaken(self.session_owner(ws, node_id, value) or "")
        self._hide_customer(ws, customer_id, node_id)
        self._record_customer_state(ws, customer_id)

    def list_sessions(self, ws: str, customer_id: str) -> list[Doc]:
        """The customer's sessions as `{"id", "value"}`, in the order they were added."""
        rows = self._conn.execute(
            select(sessions.c.resource_id, sessions.c.value)
            .where(sessions.c.ws == ws, sessions.c.customer_id == customer_id)
            .order_by(sessions.c.seq)
        )
        return [{"id": row[0], "value": row[1]} for row in rows]

    def get_session(self, ws: str, customer_id: str, resource_id: str) -> Doc | None:
        """The session `{"id", "value"}` with this resource id, or None."""
        row = self._conn.execute(
            select(sessions.c.resource_id, sessions.c.value).where(
                sessions.c.ws == ws,
                sessions.c.customer_id == customer_id,
                sessions.c.resource_id == resource_id,
            )
        ).first()
        return None if row is None else {"id": row[0], "value": row[1]}

    def delete_session(self, ws: str, customer_id: str, resource_id: str) -> bool:
        """Delete a session of the customer; False when there was none."""
        result = self._conn.execute(
            delete(sessions).where(
                sessions.c.ws == ws,
                sessions.c.customer_id == customer_id,
                sessions.c.resource_id == resource_id,
            )
        )
        if result.rowcount:
            self._hide_customer_of_session(ws, customer_id)
            self._record_customer_state(ws, customer_id)
        return bool(result.rowcount)

    def _hide_customer_of_session(self, ws: str, customer_id: str) -> None:
        node_id = self._conn.execute(
            select(customers.c.node_id).where(customers.c.ws == ws, customers.c.id == customer_id)
        ).scalar()
        if node_id is not None:
            self._hide_customer(ws, customer_id, str(node_id))

    def session_owner(self, ws: str, node_id: str, value: str) -> str | None:
        """The id of the customer of `node_id` that first added session `value`, or None."""
        row = self._conn.execute(
            select(sessions.c.customer_id)
            .where(
                sessions.c.ws == ws,
                sessions.c.node_id == node_id,
                sessions.c.value_key == index_key(value),
                sessions.c.value == value,
            )
            .order_by(sessions.c.seq)
            .limit(1)
        ).first()
        return None if row is None else str(row[0])

    # -- events ----------------------------------------------------------------------------

    @staticmethod
    def _event_columns(doc: Doc, node_id: str | None) -> dict[str, Any]:
        """The indexed columns of an event row, copied from its document (all but the keys)."""
        bring_back = doc.get("bringBackProperties")
        bring_back = bring_back if isinstance(bring_back, dict) else {}
        when = doc.get("date") or doc.get("registeredAt")
        return {
            "customer_id": doc.get("customerId"),
            "node_id": node_id,
            "type": doc["type"],
            "context": doc["context"],
            "date": _millis_or(when, _now_millis()),
            "bbp_type": bring_back.get("type"),
            "bbp_value": bring_back.get("value"),
            "bbp_key": index_key(bring_back.get("value")),
            "bbp_node": bring_back.get("nodeId"),
            "doc": doc,
        }

    def insert_event(self, ws: str, doc: Doc, node_id: str | None) -> None:
        """Store an event document (its `id` set by the service) received through `node_id`."""
        self._conn.execute(
            _INSERT_EVENT,
            {
                "ws": ws,
                "id": doc["id"],
                **self._event_columns(doc, node_id),
                "visible_at": self._visible_at(ws, node_id),
            },
        )
        self._record(ws, "CREATE", "EVENT", node_id, doc)

    def replace_event(self, ws: str, doc: Doc, node_id: str | None) -> bool:
        """Replace the stored event with `doc`'s id by `doc`, received through `node_id`.

        Every indexed column follows the new document (owner, type, context, date, bring-back),
        so lists and session/externalId reconciliation see the event as replaced. False when
        there was no such event.
        """
        result = self._conn.execute(
            update(events)
            .where(events.c.ws == ws, events.c.id == doc["id"])
            .values(**self._event_columns(doc, node_id), visible_at=self._visible_at(ws, node_id))
        )
        if result.rowcount:
            self._record(ws, "UPDATE", "EVENT", node_id, doc)
        return bool(result.rowcount)

    def get_event(self, ws: str, event_id: str) -> Doc | None:
        """The event document with this id, or None."""
        row = self._conn.execute(
            select(events.c.doc).where(events.c.ws == ws, events.c.id == event_id)
        ).first()
        return None if row is None else ordered_event(row[0])

    def delete_event(self, ws: str, event_id: str) -> bool:
        """Delete an event; False when there was none."""
        row = self._conn.execute(
            delete(events)
            .where(events.c.ws == ws, events.c.id == event_id)
            .returning(events.c.node_id, events.c.doc)
        ).first()
        if row is None:
            return False
        self._record(ws, "DELETE", "EVENT", row[0], ordered_event(row[1]))
        return True

    def list_events(
        self,
        ws: str,
        *,
        customer_id: str | None = None,
        node_id: str | None = None,
        types: Iterable[str] | None = None,
        contexts: Iterable[str] | None = None,
        date_from: DateArg | None = None,
        date_to: DateArg | None = None,
        anonymous: bool | None = None,
        page: int = 0,
        size: int = 10,
    ) -> tuple[list[Doc], int]:
        """One page of events, newest `date` first (then id), and the total number of matches.

        `types`/`contexts` keep events of any of the given values; `date_from`/`date_to` are
        inclusive bounds (date, date-time text in any accepted form, datetime, or epoch ms);
        `anonymous` True keeps the events no customer owns yet, False those a customer owns.
        """
        conditions: list[ColumnElement[bool]] = [events.c.ws == ws]
        if customer_id is not None:
            conditions.append(events.c.customer_id == customer_id)
        if anonymous is not None:
            owned = events.c.customer_id.is_(None)
            conditions.append(owned if anonymous else ~owned)
        if node_id is not None:
            conditions.append(events.c.node_id == node_id)
        if types is not None:
            conditions.append(events.c.type.in_(list(types)))
        if contexts is not None:
            conditions.append(events.c.context.in_(list(contexts)))
        if date_from is not None:
            conditions.append(events.c.date >= to_millis(date_from))
        if date_to is not None:
            conditions.append(events.c.date <= to_millis(date_to))
        hidden = self._hidden_events(ws)
        if hidden is not None:
            conditions.append(hidden)
        where = and_(*conditions)
        total = int(
            self._conn.execute(select(func.count()).select_from(events).where(where)).scalar_one()
        )
        if total == 0 or page * size >= total:
            return [], total
        rows = self._conn.execute(
            select(events.c.doc)
            .where(where)
            .order_by(events.c.date.desc(), events.c.id.asc())
            .limit(size)
            .offset(page * size)
        )
        return [ordered_event(row[0]) for row in rows], total

    def _attach_events(self, ws: str, node_id: str, kind: str, value: str, customer_id: str) -> int:
        # A claimed event changed owner: hidden again for the delay, as any other update.
        visible_at = self._visible_at(ws, node_id)
        if self.dialect == "postgresql":
            claimed_rows = self._conn.execute(
                _PG_CLAIM_EVENTS,
                {
                    "customer": customer_id,
                    "ws": ws,
                    "node": node_id,
                    "kind": kind,
                    "key": index_key(value),
                    "value": value,
                    "visible": visible_at,
                },
            ).all()
            for _event_id, claimed_doc in claimed_rows:
                document = (
                    claimed_doc if isinstance(claimed_doc, dict) else orjson.loads(claimed_doc)
                )
                self._record(ws, "UPDATE", "EVENT", node_id, ordered_event(document))
            return len(claimed_rows)
        rows = self._conn.execute(
            _UNOWNED_EVENTS,
            {
                "p_ws": ws,
                "p_node": node_id,
                "p_kind": kind,
                "p_key": index_key(value),
                "p_value": value,
            },
        ).all()
        for event_id, doc in rows:
            claimed = {**doc, "customerId": customer_id}
            self._conn.execute(
                _CLAIM_EVENT,
                {
                    "p_ws": ws,
                    "p_id": event_id,
                    "p_customer": customer_id,
                    "p_doc": claimed,
                    "p_visible": visible_at,
                },
            )
            self._record(ws, "UPDATE", "EVENT", node_id, claimed)
        return len(rows)

    def attach_session_events(
        self, ws: str, node_id: str, session_value: str, customer_id: str
    ) -> int:
        """Give `customer_id` to the node's anonymous events of this session; returns how many."""
        return self._attach_events(ws, node_id, "SESSION_ID", session_value, customer_id)

    def attach_external_id_events(
        self, ws: str, node_id: str, external_id: str, customer_id: str
    ) -> int:
        """Give `customer_id` to the node's unowned events brought back by this externalId."""
        return self._attach_events(ws, node_id, "EXTERNAL_ID", external_id, customer_id)

    # -- segments ----------------------------------------------------------------------------

    def insert_segment(self, ws: str, doc: Doc) -> None:
        """Store a new segment (the service has set its id and dates)."""
        self._conn.execute(insert(segments).values(ws=ws, id=doc["id"], name=doc["name"], doc=doc))

    def get_segment(self, ws: str, segment_id: str) -> Doc | None:
        """The segment with `segment_id` in `ws`, or None."""
        row = self._conn.execute(
            select(segments.c.doc).where(segments.c.ws == ws, segments.c.id == segment_id)
        ).first()
        return None if row is None else ordered_segment(row[0])

    def replace_segment(self, ws: str, doc: Doc) -> bool:
        """The stored segment with the doc's id becomes the doc; False = no such segment."""
        result = self._conn.execute(
            update(segments)
            .where(segments.c.ws == ws, segments.c.id == doc["id"])
            .values(name=doc["name"], doc=doc)
        )
        return bool(result.rowcount)

    def delete_segment(self, ws: str, segment_id: str) -> Doc | None:
        """Delete the segment; the deleted document, or None when there was none."""
        doc = self.get_segment(ws, segment_id)
        if doc is not None:
            self._conn.execute(
                delete(segments).where(segments.c.ws == ws, segments.c.id == segment_id)
            )
        return doc

    def list_segments(
        self, ws: str, *, name: str | None = None, page: int = 0, size: int = 10
    ) -> tuple[list[Doc], int]:
        """One page of the workspace's segments in creation order (only those named `name`
        when given), and the total number of them."""
        where = segments.c.ws == ws
        if name is not None:
            where = and_(where, segments.c.name == name)
        total = int(
            self._conn.execute(select(func.count()).select_from(segments).where(where)).scalar_one()
        )
        if total == 0 or page * size >= total:
            return [], total
        rows = self._conn.execute(
            select(segments.c.doc)
            .where(where)
            .order_by(segments.c.seq)
            .limit(size)
            .offset(page * size)
        )
        return [ordered_segment(row[0]) for row in rows], total

    # -- the console's dashboard ---------------------------------------------------------------

    def count_customers(self, ws: str, node_id: str | None = None) -> int:
        """How many customers the workspace (or one of its nodes) holds."""
        return summary.count_customers(self._conn, ws, node_id)

    def counts_per_day(
        self, ws: str, entity: str, *, node_id: str | None = None, since: int | None = None
    ) -> dict[int, int]:
        """``{UTC day (days since 1970-01-01): count}`` of customers registered
        (``entity="customers"``) or events dated (``"events"``) from epoch ms ``since`` on."""
        return summary.per_day(self._conn, ws, entity, node_id=node_id, since=since)

    def counts_per_value(
        self, ws: str, paths: Sequence[str], *, node_id: str | None = None
    ) -> dict[str, dict[str, int]]:
        """``{path: {value: customers}}`` of the non-empty string values of each attribute."""
        return summary.per_value(self._conn, ws, paths, node_id=node_id)

    # -- configuration ------------------------------------------------------------------------

    def _replace_row(self, table: Any, key: dict[str, Any], values: dict[str, Any]) -> None:
        """Insert the row with this primary key, or update it when it exists (race-free)."""
        module: Any = pg_dialect if self.dialect == "postgresql" else sqlite_dialect
        statement = module.insert(table).values(**key, **values)
        self._conn.execute(statement.on_conflict_do_update(index_elements=list(key), set_=values))

    def workspace_config(self, ws: str) -> Doc | None:
        """The stored configuration document of workspace `ws`, or None when it has none."""
        row = self._conn.execute(
            select(workspace_configs.c.doc).where(workspace_configs.c.ws == ws)
        ).first()
        return None if row is None else dict(row[0])

    def set_workspace_config(self, ws: str, doc: Doc) -> None:
        """Store the configuration document of workspace `ws` (replacing the previous one)."""
        self._replace_row(workspace_configs, {"ws": ws}, {"doc": doc})

    def event_type_settings(self, ws: str) -> dict[str, tuple[str, bool]]:
        """The event types of `ws` configured apart from the catalog: type -> (mode, enabled)."""
        rows = self._conn.execute(
            select(
                event_type_settings.c.type,
                event_type_settings.c.mode,
                event_type_settings.c.enabled,
            ).where(event_type_settings.c.ws == ws)
        )
        return {str(row[0]): (str(row[1]), bool(row[2])) for row in rows}

    def set_event_type(self, ws: str, event_type: str, mode: str, enabled: bool) -> None:
        """Set the mode and enabled flag of one event type of `ws`."""
        self._replace_row(
            event_type_settings,
            {"ws": ws, "type": event_type},
            {"mode": mode, "enabled": enabled},
        )

    def clear_event_type(self, ws: str, event_type: str) -> None:
        """Give an event type of `ws` back the catalog's mode and enabled flag."""
        self._conn.execute(
            delete(event_type_settings).where(
                event_type_settings.c.ws == ws, event_type_settings.c.type == event_type
            )
        )

    def node_entry(self, ws: str, node_id: str) -> Doc | None:
        """What the configuration API stored of a node (name, description...), or None."""
        row = self._conn.execute(
            select(node_entries.c.doc).where(
                node_entries.c.ws == ws, node_entries.c.node_id == node_id
            )
        ).first()
        return None if row is None else dict(row[0])

    def node_entries(self, ws: str) -> dict[str, Doc]:
        """Every stored node entry of `ws`: node id -> document."""
        rows = self._conn.execute(
            select(node_entries.c.node_id, node_entries.c.doc).where(node_entries.c.ws == ws)
        )
        return {str(row[0]): dict(row[1]) for row in rows}

    def set_node_entry(self, ws: str, node_id: str, doc: Doc) -> None:
        """Store what the configuration API says of a node (keeping its declared digest)."""
        self._replace_row(node_entries, {"ws": ws, "node_id": node_id}, {"doc": doc})

    def declared_digest(self, ws: str, node_id: str) -> str | None:
        """The digest of the settings the configuration file last declared for a node."""
        return self._conn.execute(
            select(node_entries.c.declared).where(
                node_entries.c.ws == ws, node_entries.c.node_id == node_id
            )
        ).scalar()

    def set_declared_digest(self, ws: str, node_id: str, digest: str) -> None:
        """Record the digest of the settings the configuration file declared for a node."""
        found = self._conn.execute(
            update(node_entries)
            .where(node_entries.c.ws == ws, node_entries.c.node_id == node_id)
            .values(declared=digest)
        )
        if not found.rowcount:
            self._replace_row(
                node_entries, {"ws": ws, "node_id": node_id}, {"doc": {}, "declared": digest}
            )

    def rekey_customers(self, ws: str, node_id: str, key_of: Callable[[Doc], str | None]) -> int:
        """Give every customer of a node the match key `key_of(doc)` (its matching policy
        changed); returns how many customers hold a key afterwards.

        Customers are taken oldest first (registeredAt, then id): when several now share a key,
        the first keeps it and the later ones get none, so they take no part in matching until
        they are written again. Documents do not change, so the change feed records nothing.
        """
        scope = and_(customers.c.ws == ws, customers.c.node_id == node_id)
        rows = self._conn.execute(
            select(customers.c.ref, customer_docs.c.doc)
            .join(customer_docs, customer_docs.c.ref == customers.c.ref)
            .where(scope)
            .order_by(customers.c.registered_at, customers.c.id)
        ).all()
        taken: set[str] = set()
        keys: list[dict[str, Any]] = []
        for ref, doc in rows:
            key = key_of(doc if isinstance(doc, dict) else orjson.loads(doc))
            if key is not None and key not in taken:
                taken.add(key)
                keys.append({"p_ref": ref, "p_key": key})
        # Every key is cleared first, so that no intermediate state breaks the unique index.
        self._conn.execute(update(customers).where(scope).values(match_key=None))
        if keys:
            self._conn.execute(
                update(customers)
                .where(customers.c.ref == bindparam("p_ref"))
                .values(match_key=bindparam("p_key")),
                keys,
            )
        return len(keys)

    # -- analytics (reads; the SQL is in `analytics`) ----------------------------------------

    def count_by_node(self, source: analytics.Source, scope: analytics.Scope) -> dict[str, int]:
        """Rows of ``source`` (customers, created, deleted or events) per node in ``scope``."""
        return analytics.count_by_node(self._conn, source, scope)

    def count_by_local_time(
        self, source: analytics.Source, scope: analytics.Scope, zone: str, unit: analytics.Unit
    ) -> dict[tuple[str, int], int]:
        """Rows of ``source`` per (node, local day, hour or weekday in time zone ``zone``)."""
        return analytics.count_by_local_time(self._conn, source, scope, zone, unit)

    def count_by_value(
        self, scope: analytics.Scope, path: str, *, having: tuple[str, str] | None = None
    ) -> tuple[dict[tuple[str, str], int], dict[str, int]]:
        """Stored customers per (node, string value at ``path``), and per node in all."""
        return analytics.count_by_value(self._conn, scope, path, having=having)

    def count_by_date_range(
        self, scope: analytics.Scope, path: str, cutoffs: Sequence[int]
    ) -> dict[tuple[str, int], int]:
        """Stored customers per (node, range of their date at ``path`` among ``cutoffs``)."""
        return analytics.count_by_date_range(self._conn, scope, path, cutoffs)
