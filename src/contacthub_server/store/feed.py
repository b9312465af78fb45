"""The change feed's SQL: appending a transaction's entries, and reading them by offset.

Offsets are counted per workspace in `feed_heads`. A writing transaction buffers its entries
(`Tx` records one per changed customer or event) and appends them when its block is done, just
before the commit (`Store.write`): the upsert of the workspace's head row takes that row's lock,
which it keeps until the commit. The appends of one workspace therefore follow each other in
commit order, and the head and its entries become visible together: when a reader can see offset
n, every offset below n is already committed, on SQLite as on PostgreSQL with any number of hub
processes. A rolled-back transaction gives its offsets back (no gaps, nothing unacknowledged).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, and_, case, func, select
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.sql.elements import ColumnElement

from .tables import feed_entries, feed_heads

#: One buffered entry: (ws, operation, entity type, node id, the entity's JSON text).
Pending = tuple[str, str, str, "str | None", str]
#: One entry read back: (offset, operation, entity type, the entity's JSON text).
Entry = tuple[int, str, str, str]
#: One entry read back for a person: (offset, epoch ms, operation, entity type, node id, JSON).
FullEntry = tuple[int, int, str, str, "str | None", str]


def _head_upsert(dialect: str) -> Any:
    module: Any = pg_dialect if dialect == "postgresql" else sqlite_dialect
    stmt = module.insert(feed_heads)
    head = feed_heads.c
    return stmt.on_conflict_do_update(
        index_elements=[head.ws],
        set_={
            "last_offset": head.last_offset + stmt.excluded.last_offset,
            # `at` never goes back along the offsets, even if the clock does.
            "last_at": case(
                (stmt.excluded.last_at > head.last_at, stmt.excluded.last_at), else_=head.last_at
            ),
        },
    ).returning(head.last_offset, head.last_at)


_HEAD_UPSERT = {name: _head_upsert(name) for name in ("postgresql", "sqlite")}
_INSERT_ENTRIES = feed_entries.insert()


def append(conn: Connection, dialect: str, pending: Sequence[Pending]) -> None:
    """Give the buffered entries their offsets and store them (call last, before the commit)."""
    by_ws: dict[str, list[Pending]] = {}
    for entry in pending:
        by_ws.setdefault(entry[0], []).append(entry)
    now = int(time.time() * 1000)
    # Workspaces in a fixed order: two transactions writing the same two never deadlock.
    for ws in sorted(by_ws):
        entries = by_ws[ws]
        last, at = conn.execute(
            _HEAD_UPSERT[dialect], {"ws": ws, "last_offset": len(entries), "last_at": now}
        ).one()
        first = int(last) - len(entries) + 1
        rows = [
            {
                "ws": ws,
                "seq": first + i,
                "at": at,
                "operation": op,
                "entity": entity,
                "node_id": node,
                "data": data,
            }
            for i, (_ws, op, entity, node, data) in enumerate(entries)
        ]
        # One row as plain parameters: a list takes SQLAlchemy's slower executemany path.
        conn.execute(_INSERT_ENTRIES, rows[0] if len(rows) == 1 else rows)


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
