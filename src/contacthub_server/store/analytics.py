"""The analytics' SQL: counts of customers and events per node, per local time, per value.

Every count runs in the database (grouped by node and by what is counted); Python only folds the
groups into the answer's buckets. Rows are counted from these sources (`Source`):

- ``"customers"``: the customers stored now, by ``registered_at``;
- ``"created"``: every customer ever registered (those stored now and those deleted since), by
  ``registered_at``: what a "new customers" figure counts;
- ``"deleted"``: deleted customers, by ``deleted_at`` (`tables.customer_deletions`);
- ``"events"``: the events stored now, by ``date``, optionally of some types and contexts.

Local time: a row's local instant is its instant plus the zone's offset then. The offsets of the
span the rows cover are compiled into a CASE expression (a balanced tree of comparisons, so a row
costs a few comparisons whatever the number of transitions); a very long span is counted in
chunks of at most `MAX_TRANSITIONS` transitions each.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import BigInteger, Connection, and_, case, func, literal, select, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import Join

from contacthub_server.schemas import local_time
from contacthub_server.schemas.local_time import DAY_MS, HOUR_MS

from .tables import SHORT_STRING_MAX, customer_deletions, customer_values, customers, events

Source = Literal["customers", "created", "deleted", "events"]
#: What a local-time count groups by: the local day (days since 1970-01-01), the local hour of
#: the day (0-23), or the weekday (0 = Monday).
Unit = Literal["day", "hour", "weekday"]

#: The most zone transitions one query's CASE expression holds.
MAX_TRANSITIONS = 256
# Local instants are shifted by this many days before integer division, so that every one is
# positive (the year 1 is 719,162 days before 1970) and division rounds down on both backends.
_SHIFT_DAYS = 800_000
_SHIFT_MS = _SHIFT_DAYS * DAY_MS


@dataclass(frozen=True)
class Scope:
    """Which rows count: a workspace's nodes, an instant range, event types and contexts."""

    ws: str
    nodes: tuple[str, ...]
    start: int | None = None
    """First instant counted (epoch ms), or None for no lower bound."""
    end: int | None = None
    """First instant no longer counted (epoch ms), or None for no upper bound."""
    types: tuple[str, ...] | None = None
    """Events only: keep these types (None = all)."""
    contexts: tuple[str, ...] | None = None
    """Events only: keep these contexts (None = all)."""

    def between(self, start: int | None, end: int | None) -> Scope:
        """The same scope over another instant range."""
        return Scope(self.ws, self.nodes, start, end, self.types, self.contexts)


@dataclass(frozen=True)
class _Part:
    """One table's share of a source: its node and instant columns, and its conditions."""

    table: Any
    node: ColumnElement[Any]
    instant: ColumnElement[Any]
    conditions: tuple[ColumnElement[bool], ...]


def _parts(source: Source, scope: Scope) -> list[_Part]:
    c, d, e = customers.c, customer_deletions.c, events.c
    current = _Part(customers, c.node_id, c.registered_at, (c.ws == scope.ws,))
    gone = (d.ws == scope.ws,)
    if source == "customers":
        return [current]
    if source == "created":
        return [current, _Part(customer_deletions, d.node_id, d.registered_at, gone)]
    if source == "deleted":
        return [_Part(customer_deletions, d.node_id, d.deleted_at, gone)]
    conditions: list[ColumnElement[bool]] = [e.ws == scope.ws]
    if scope.types is not None:
        conditions.append(e.type.in_(scope.types))
    if scope.contexts is not None:
        conditions.append(e.context.in_(scope.contexts))
    return [_Part(events, e.node_id, e.date, tuple(conditions))]


def _where(part: _Part, scope: Scope) -> ColumnElement[bool]:
    conditions = [*part.conditions, part.node.in_(scope.nodes)]
    if scope.start is not None:
        conditions.append(part.instant >= scope.start)
    if scope.end is not None:
        conditions.append(part.instant < scope.end)
    return and_(*conditions)


def count_by_node(conn: Connection, source: Source, scope: Scope) -> dict[str, int]:
    """How many rows of ``source`` each node has in ``scope`` (nodes without any are left out)."""
    counts: dict[str, int] = {}
    if not scope.nodes:
        return counts
    for part in _parts(source, scope):
        rows = conn.execute(
            select(part.node, func.count())
            .select_from(part.table)
            .where(_where(part, scope))
            .group_by(part.node)
        )
        for node_id, count in rows:
            counts[node_id] = counts.get(node_id, 0) + int(count)
    return counts


def _offset_tree(
    instant: ColumnElement[Any], first: int, changes: Sequence[tuple[int, int]]
) -> ColumnElement[Any]:
    """The offset in force at ``instant``: ``first`` before the first change, then each change's."""
    offsets = [first, *(offset for _at, offset in changes)]
    starts = [at for at, _offset in changes]

    def pick(low: int, high: int) -> ColumnElement[Any]:
        if low == high:
            return literal(offsets[low], BigInteger)
        middle = (low + high + 1) // 2  # offsets[middle] starts at starts[middle - 1]
        return case(
            (instant < literal(starts[middle - 1], BigInteger), pick(low, middle - 1)),
            else_=pick(middle, high),
        )

    return pick(0, len(offsets) - 1)


def _local_key(
    instant: ColumnElement[Any], unit: Unit, first: int, changes: Sequence[tuple[int, int]]
) -> ColumnElement[Any]:
    shifted = instant + _offset_tree(instant, first, changes) + literal(_SHIFT_MS, BigInteger)
    if unit == "hour":
        return (shifted // HOUR_MS) % 24
    days = shifted // DAY_MS
    return days % 7 if unit == "weekday" else days


def _key_value(unit: Unit, raw: int) -> int:
    if unit == "day":
        return raw - _SHIFT_DAYS
    if unit == "weekday":
        # Shifted day 0 is 1970-01-01 minus _SHIFT_DAYS days; 1970-01-01 was a Thursday (3).
        return (raw - _SHIFT_DAYS + 3) % 7
    return raw


def _extent(conn: Connection, part: _Part, scope: Scope) -> tuple[int, int] | None:
    """The first and last instants of the part's rows in scope (None when there are none)."""
    row = conn.execute(
        select(func.min(part.instant), func.max(part.instant))
        .select_from(part.table)
        .where(_where(part, scope))
    ).one()
    return None if row[0] is None else (int(row[0]), int(row[1]))


def count_by_local_time(
    conn: Connection, source: Source, scope: Scope, zone: str, unit: Unit
) -> dict[tuple[str, int], int]:
    """How many rows of ``source`` in ``scope`` each (node, local ``unit`` in ``zone``) has."""
    counts: dict[tuple[str, int], int] = {}
    if not scope.nodes:
        return counts
    for part in _parts(source, scope):
        extent = _extent(conn, part, scope)
        if extent is None:
            continue
        first, changes = local_time.offsets_between(zone, extent[0], extent[1])
        # Chunks of the span, each with at most MAX_TRANSITIONS transitions in its CASE.
        bounds: list[int | None] = [scope.start]
        bounds += [changes[i][0] for i in range(MAX_TRANSITIONS, len(changes), MAX_TRANSITIONS)]
        bounds.append(scope.end)
        for index in range(len(bounds) - 1):
            chunk = changes[index * MAX_TRANSITIONS : (index + 1) * MAX_TRANSITIONS]
            chunk_first = first if index == 0 else changes[index * MAX_TRANSITIONS - 1][1]
            key = _local_key(part.instant, unit, chunk_first, chunk)
            rows = conn.execute(
                select(part.node, key, func.count())
                .select_from(part.table)
                .where(_where(part, scope.between(bounds[index], bounds[index + 1])))
                .group_by(part.node, key)
            )
            for node_id, raw, count in rows:
                group = (node_id, _key_value(unit, int(raw)))
                counts[group] = counts.get(group, 0) + int(count)
    return counts


class _ValuesFirst(Join):
    """An inner join that SQLite runs with its left side as the outer loop.

    A composition reads a path's values from a covering index and checks each one's customer
    by its rowid; left to itself, SQLite's planner may start from the customers instead and
    read every value row from the (large) table: several times slower at 100,000 customers.
    SQLite keeps the order of a CROSS JOIN; other databases get a plain JOIN.
    """

    inherit_cache = True


@compiles(_ValuesFirst, "sqlite")
def _cross_join(join: _ValuesFirst, compiler: SQLCompiler, **kw: Any) -> str:
    plain = str(compiler.visit_join(join, **kw))  # type: ignore[no-untyped-call]
    left = str(join.left._compiler_dispatch(compiler, asfrom=True))
    assert plain.startswith(left + " JOIN ")
    return left + " CROSS JOIN " + plain[len(left) + len(" JOIN ") :]


_NO_NESTED_LOOPS = text("SET LOCAL enable_nestloop = off")
_NESTED_LOOPS_AGAIN = text("SET LOCAL enable_nestloop TO DEFAULT")


@contextmanager
def _hash_joins(conn: Connection) -> Iterator[None]:
    """PostgreSQL: join by hashing for the statements of the block.

    A composition joins every value of a path with its customer. PostgreSQL underestimates
    how many rows a path and a value select together (they are correlated: "Italy" is only
    ever a country), then loops over the customers' primary key once per value: 99,000 index
    probes where one hash join reads the customers once. The setting lasts for the block only.
    """
    if conn.dialect.name != "postgresql":
        yield
        return
    conn.execute(_NO_NESTED_LOOPS)
    yield
    # Not after a failure: the transaction is then aborted, and its end undoes the setting.
    conn.execute(_NESTED_LOOPS_AGAIN)


def _customer_scope(scope: Scope) -> list[ColumnElement[bool]]:
    c = customers.c
    conditions = [c.ws == scope.ws, c.node_id.in_(scope.nodes)]
    if scope.start is not None:
        conditions.append(c.registered_at >= scope.start)
    if scope.end is not None:
        conditions.append(c.registered_at < scope.end)
    return conditions


def _text_column(table: Any, value: str) -> ColumnElement[Any]:
    """The column of ``customer_values`` (or an alias) that holds strings as long as ``value``."""
    column: ColumnElement[Any] = table.c.str if len(value) <= SHORT_STRING_MAX else table.c.long_str
    return column


def count_by_value(
    conn: Connection,
    scope: Scope,
    path: str,
    *,
    having: tuple[str, str] | None = None,
) -> tuple[dict[tuple[str, str], int], dict[str, int]]:
    """The stored customers in ``scope`` counted by their string value at ``path``.

    ``having = (path, value)`` keeps only customers with that string value there. Answers the
    counts per (node, value), empty strings left out, and the number of customers per node that
    the count looked at (so that those without a value can be told).
    """
    named: dict[tuple[str, str], int] = {}
    totals: dict[str, int] = {}
    if not scope.nodes:
        return named, totals
    c, v = customers.c, customer_values.c
    conditions = _customer_scope(scope)
    if having is not None:
        kept = customer_values.alias("kept")
        wanted = select(kept.c.ref).where(
            kept.c.path == having[0], _text_column(kept, having[1]) == having[1]
        )
        total_conditions = [*conditions, c.ref.in_(wanted)]
        # SQLite: `ref + 0`, a membership test rather than a way in (it would otherwise walk
        # the subquery's refs and read each value row from the table). PostgreSQL plans the
        # plain test well, and misestimates the expression.
        member = v.ref + 0 if conn.dialect.name == "sqlite" else v.ref
        conditions = [*conditions, member.in_(wanted)]
    else:
        total_conditions = conditions
    joined = _ValuesFirst(customer_values, customers, v.ref == c.ref)
    with _hash_joins(conn):
        for node_id, count in conn.execute(
            select(c.node_id, func.count()).where(*total_conditions).group_by(c.node_id)
        ):
            totals[node_id] = int(count)
        for column in (v.str, v.long_str):  # long strings are kept apart from short ones
            rows = conn.execute(
                select(c.node_id, column, func.count())
                .select_from(joined)
                .where(*conditions, v.path == path, column.isnot(None), column != "")
                .group_by(c.node_id, column)
            )
            for node_id, value, count in rows:
                named[(node_id, value)] = named.get((node_id, value), 0) + int(count)
    return named, totals


def count_by_date_range(
    conn: Connection, scope: Scope, path: str, cutoffs: Sequence[int]
) -> dict[tuple[str, int], int]:
    """The stored customers in ``scope`` counted by where the instant of their date at ``path``
    falls among ``cutoffs`` (descending): group 0 is after the first cutoff, group i is after
    cutoff i and at or before cutoff i - 1, group len(cutoffs) at or before the last one.
    Customers without a date at ``path`` are in no group."""
    counts: dict[tuple[str, int], int] = {}
    if not scope.nodes:
        return counts
    c, v = customers.c, customer_values.c
    group = case(
        *((v.instant > literal(cut, BigInteger), index) for index, cut in enumerate(cutoffs)),
        else_=len(cutoffs),
    )
    with _hash_joins(conn):
        rows = conn.execute(
            select(c.node_id, group, func.count())
            .select_from(_ValuesFirst(customer_values, customers, v.ref == c.ref))
            .where(*_customer_scope(scope), v.path == path, v.instant.isnot(None))
            .group_by(c.node_id, group)
        ).all()
    for node_id, index, count in rows:
        counts[(node_id, int(index))] = counts.get((node_id, int(index)), 0) + int(count)
    return counts
