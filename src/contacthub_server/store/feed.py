"""The change feed's SQL: appending a transaction's entries, and reading them by offset.

Offsets are counted per workspace in `feed_heads`. A writing transaction buffers its entries
(`Tx` records one per changed customer or event) and appends them just before the commit
(`Store.write`; on SQLite the entries of every block of a group commit at once, see `group`, in
the order of the blocks; on PostgreSQL a create that is the first write of its transaction appends
its entry in its own statement, see `Tx`): the upsert of the workspace's head row takes that
row's lock, which it keeps until the commit. The appends of one workspace therefore follow each
other in commit order, and the head and its entries become visible together: when a reader can
see offset n, every offset below n is already committed, on SQLite as on PostgreSQL with any
number of hub processes. A rolled-back transaction gives its offsets back (no gaps, nothing
unacknowledged).
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from sqlalchemy import Connection, and_, func, select
from sqlalchemy.sql.elements import ColumnElement

from . import driver
from .tables import feed_entries, feed_heads

#: One buffered entry: (ws, operation, entity type, node id, the entity's JSON text).
Pending = tuple[str, str, str, "str | None", str]
#: One entry read back: (offset, operation, entity type, the entity's JSON text).
Entry = tuple[int, str, str, str]
#: One entry read back for a person: (offset, epoch ms, operation, entity type, node id, JSON).
FullEntry = tuple[int, int, str, str, "str | None", str]


# The head upsert and the entries' insert, as the drivers take them: they run on the driver's
# connection (inside the transaction SQLAlchemy opened), which skips SQLAlchemy's execution
# machinery, a third of the feed's cost to a create when measured. `at` never goes back along
# the offsets, even if the clock does.
_SQLITE_HEAD = (
    "INSERT INTO feed_heads (ws, last_offset, last_at) VALUES (?, ?, ?) "
    "ON CONFLICT (ws) DO UPDATE SET last_offset = feed_heads.last_offset + excluded.last_offset, "
    "last_at = max(feed_heads.last_at, excluded.last_at) "
    "RETURNING last_offset, last_at"
)
_SQLITE_ENTRIES = (
    "INSERT INTO feed_entries (ws, seq, at, operation, entity, node_id, data) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)"
)
# PostgreSQL: the head upsert and the workspace's entries in one statement (one round trip).
# One entry, the usual case, travels as plain parameters; several as arrays (in binary: the text
# form of an array would quote every double quote of every JSON text), numbered in their order
# by WITH ORDINALITY.
_PG_HEAD = """
WITH h AS (
  INSERT INTO feed_heads AS f (ws, last_offset, last_at)
  VALUES (%(ws)s, CAST(%(n)s AS bigint), CAST(%(now)s AS bigint))
  ON CONFLICT (ws) DO UPDATE SET last_offset = f.last_offset + excluded.last_offset,
    last_at = GREATEST(f.last_at, excluded.last_at)
  RETURNING last_offset, last_at
)
INSERT INTO feed_entries (ws, seq, at, operation, entity, node_id, data)
"""
_PG_APPEND_ONE = (
    _PG_HEAD
    + """SELECT %(ws)s, h.last_offset, h.last_at, %(op)s, %(entity)s, %(node)s, %(data)s FROM h"""
)
_PG_APPEND_MANY = (
    _PG_HEAD
    + """SELECT %(ws)s, h.last_offset - CAST(%(n)s AS bigint) + x.ord, h.last_at, x.op, x.entity,
  x.node, x.data
FROM h, unnest(CAST(%(ops)b AS text[]), CAST(%(entities)b AS text[]), CAST(%(nodes)b AS text[]),
               CAST(%(datas)b AS text[])) WITH ORDINALITY AS x(op, entity, node, data, ord)"""
)


def append(conn: Connection, dialect: str, pending: Sequence[Pending]) -> None:
    """Give the buffered entries their offsets and store them (call last, before the commit)."""
    by_ws: dict[str, list[Pending]] = {}
    for entry in pending:
        by_ws.setdefault(entry[0], []).append(entry)
    now = int(time.time() * 1000)
    # Workspaces in a fixed order: two transactions writing the same two never deadlock.
    for ws in sorted(by_ws):
        entries = by_ws[ws]
        if dialect == "postgresql":
            if len(entries) == 1:
                _ws, op, entity, node, data = entries[0]
                one = {"ws": ws, "n": 1, "now": now, "op": op, "entity": entity, "node": node}
                driver.execute(conn, _PG_APPEND_ONE, {**one, "data": data})
                continue
            many = {
                "ws": ws,
                "n": len(entries),
                "now": now,
                "ops": [e[1] for e in entries],
                "entities": [e[2] for e in entries],
                "nodes": [e[3] for e in entries],
                "datas": [e[4] for e in entries],
            }
            driver.execute(conn, _PG_APPEND_MANY, many)
            continue
        last, at = driver.execute(conn, _SQLITE_HEAD, (ws, len(entries), now)).fetchall()[0]
        first = int(last) - len(entries) + 1
        rows = [
            (ws, first + i, at, op, entity, node, data)
            for i, (_ws, op, entity, node, data) in enumerate(entries)
        ]
        if len(rows) == 1:
            driver.execute(conn, _SQLITE_ENTRIES, rows[0])
        else:
            driver.executemany(conn, _SQLITE_ENTRIES, rows)


def _filters(ws: str, node_id: str | None, entity: str | None) -> list[ColumnElement[bool]]:
    c = feed_entries.c
    conditions: list[ColumnElement[bool]] = [c.ws == ws]
    if node_id is not None:
        conditions.append(c.node_id == node_id)
    if entity is not None:
        conditions.append(c.entity == entity)
    return conditions


def head(conn: Connection, ws: str) -> int:
    """The workspace's last committed offset (0 before its first change)."""
    value = conn.execute(select(feed_heads.c.last_offset).where(feed_heads.c.ws == ws)).scalar()
    return 0 if value is None else int(value)


def last_offset(conn: Connection, ws: str, node_id: str | None, entity: str | None) -> int:
    """The offset of the last entry matching the filters (0 when there is none)."""
    if node_id is None and entity is None:
        return head(conn, ws)
    value = conn.execute(
        select(func.max(feed_entries.c.seq)).where(and_(*_filters(ws, node_id, entity)))
    ).scalar()
    return 0 if value is None else int(value)


def read(
    conn: Connection,
    ws: str,
    *,
    after: int | None,
    timestamp: int | None,
    node_id: str | None,
    entity: str | None,
    size: int,
) -> tuple[list[Entry], int]:
    """Up to `size` entries after offset `after` (or, without it, from `timestamp` on), oldest
    first, and the offset to ask from next time.

    The entries come from one statement, so they are a run of consecutive committed offsets.
    The next offset is the last entry's; when fewer than `size` matched, it moves on to the head
    read before them, past entries the filters skipped (all of them committed and seen).
    """
    before = head(conn, ws)
    c = feed_entries.c
    conditions = _filters(ws, node_id, entity)
    if after is not None:
        conditions.append(c.seq > after)
    elif timestamp is not None:
        conditions.append(c.at >= timestamp)
    rows = conn.execute(
        select(c.seq, c.operation, c.entity, c.data)
        .where(and_(*conditions))
        .order_by(c.seq)
        .limit(size)
    ).all()
    entries: list[Entry] = [(int(r[0]), r[1], r[2], r[3]) for r in rows]
    last = entries[-1][0] if entries else (after or 0)
    if len(entries) < size:
        last = max(last, before)
    return entries, last


def read_back(
    conn: Connection,
    ws: str,
    *,
    before: int | None,
    node_id: str | None,
    entity: str | None,
    size: int,
) -> list[FullEntry]:
    """Up to `size` entries below offset `before` (all of them without it), newest first, with
    their time and node: the console's view of the feed, read backwards on the primary key."""
    c = feed_entries.c
    conditions = _filters(ws, node_id, entity)
    if before is not None:
        conditions.append(c.seq < before)
    rows = conn.execute(
        select(c.seq, c.at, c.operation, c.entity, c.node_id, c.data)
        .where(and_(*conditions))
        .order_by(c.seq.desc())
        .limit(size)
    ).all()
    return [(int(r[0]), int(r[1]), r[2], r[3], r[4], r[5]) for r in rows]
