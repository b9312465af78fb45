"""The counts of the console's dashboard: customers, customers and events per UTC day, and the
customers per value of one attribute (gender, country).

Each is one grouped statement run by the database, never a walk over documents in Python. Days
are UTC days (days since 1970-01-01); the console folds them into months or years. These are the
console's own small counts, not the reference's analytics (counted in a workspace's time zone).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, and_, func, literal, select
from sqlalchemy.sql.elements import ColumnElement

from .tables import customer_values, customers, events

#: Milliseconds in a day.
DAY_MS = 86_400_000


def _day_of(column: ColumnElement[int]) -> ColumnElement[int]:
    """The UTC day of an epoch-ms column, rounded down on both backends (negative ones too):
    the remainder is taken off first, so that the division is exact whichever way it rounds."""
    day = literal(DAY_MS)
    return (column - ((column % day) + day) % day) // day


def count_customers(conn: Connection, ws: str, node_id: str | None) -> int:
    """How many customers the workspace (or one node of it) holds."""
    c = customers.c
    conditions: list[ColumnElement[bool]] = [c.ws == ws]
    if node_id is not None:
        conditions.append(c.node_id == node_id)
    found = conn.execute(select(func.count()).select_from(customers).where(and_(*conditions)))
    return int(found.scalar_one())


def per_day(
    conn: Connection,
    ws: str,
    entity: str,
    *,
    node_id: str | None,
    since: int | None,
) -> dict[int, int]:
    """``{UTC day: count}`` of the customers registered (``entity="customers"``) or the events
    dated (``"events"``) on each day from epoch ms ``since`` on (every day without it)."""
    table = customers if entity == "customers" else events
    moment = customers.c.registered_at if entity == "customers" else events.c.date
    conditions: list[ColumnElement[bool]] = [table.c.ws == ws]
    if node_id is not None:
        conditions.append(table.c.node_id == node_id)
    if since is not None:
        conditions.append(moment >= since)
    day = _day_of(moment).label("day")
    rows = conn.execute(
        select(day, func.count()).select_from(table).where(and_(*conditions)).group_by(day)
    )
    return {int(row[0]): int(row[1]) for row in rows}


def per_value(
    conn: Connection, ws: str, paths: Sequence[str], *, node_id: str | None
) -> dict[str, dict[str, int]]:
    """``{path: {value: customers}}`` of the string values of each attribute of ``paths``
    (``""`` left out: the caller counts the customers without a value as the total less these).

    The value index holds each value of a customer once, so a count of rows per value is a count
    of customers. All the paths are counted in one statement (PostgreSQL joins the workspace's
    customers once), short values from their index alone (path, value, ref), long ones (rare,
    not indexable) in a second statement.
    """
    v, c = customer_values.c, customers.c
    found: dict[str, dict[str, int]] = {path: {} for path in paths}
    for column in (v.str, v.long_str):
        conditions: list[ColumnElement[bool]] = [
            v.path.in_(list(paths)),
            column.isnot(None),
            c.ws == ws,
        ]
        if node_id is not None:
            conditions.append(c.node_id == node_id)
        rows = conn.execute(
            select(v.path, column, func.count())
            .select_from(customer_values.join(customers, customers.c.ref == v.ref))
            .where(and_(*conditions))
            .group_by(v.path, column)
        )
        for path, value, count in rows:
            if value:
                counts = found[str(path)]
                counts[str(value)] = counts.get(str(value), 0) + int(count)
    return found
