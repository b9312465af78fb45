"""The customer query language (contract §5) compiled to SQL over the value index.

`compile_query` turns a `Query` (parsed by `contacthub_server.query.parse_query`) into a SQLAlchemy boolean expression over the `customers` table,
answered from the value index (`store.tables.customer_values`); `Tx.search_customers` runs it.

Semantics (the same on SQLite and PostgreSQL):
- An attribute's values are those found at its dotted path; a list on the way contributes every
  element; `null` is no value (see `store.values`).
- EQUALS / IN: some value of the attribute is one of the given values (a scalar is a set of one).
  NOT_EQUALS / NOT_IN: the exact complement (so a customer without the attribute matches).
- IS_NULL: no value (missing, `null` or `[]`); IS_NOT_NULL: its complement. A `value` is ignored.
- GT, GTE, LT, LTE, BETWEEN (inclusive): some value compares so; never true without a value.
- Numbers compare with numbers, booleans with booleans, strings with strings (byte-wise, case
  sensitive). A string that is a date or date-time (`YYYY-MM-DD`, with optional time, fraction
  and `Z`/`+0000`/`+00:00` offset) compares as an instant, to the millisecond, with stored strings
  that are dates too, whatever form either was written in.
- Composite `and`/`or` nest freely; combined INTERSECT / UNION / EXCEPT (the first query minus the
  others) nest too.
Everything compiles to SQL with bound parameters; attribute paths are validated and bound.

Memory: SQLAlchemy keeps every statement shape it compiles in the engine's cache, and a query of
100 conditions compiles to a megabyte or more. Searches therefore use a cache of their own
(`search_cache`): bounded in entries, and never holding the shapes of large queries, which are
compiled for each request instead (their compilation costs little next to their execution).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import and_, except_, false, intersect, not_, or_, select, union_all
from sqlalchemy.sql import Select
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.util import LRUCache

from contacthub_server.query import Atomic, Combined, Condition, Kind, Query, Simple, Value

from .tables import SHORT_STRING_MAX, customer_values, customers

_v = customer_values.c

SEARCH_CACHE_ENTRIES = 64  # compiled search statements kept (least recently used go first)
SEARCH_CACHE_MAX_CONDITIONS = 16  # a query with more atomic conditions is never cached
_search_cache: LRUCache[Any, Any] = LRUCache(SEARCH_CACHE_ENTRIES)


def _refs(path: str, *conditions: ColumnElement[bool]) -> Select[Any]:
    return select(_v.ref).where(_v.path == path, *conditions)


def _string_selects(
    path: str, strings: list[str], compare: Callable[[Any], ColumnElement[bool]] | None = None
) -> list[Select[Any]]:
    """Selects over short and long strings: equality with `strings`, or `compare(column)`."""
    if compare is not None:
        return [
            _refs(path, compare(_v.str)),
            _refs(path, _v.long_str.isnot(None), compare(_v.long_str)),
        ]
    short = [s for s in strings if len(s) <= SHORT_STRING_MAX]
    long = [s for s in strings if len(s) > SHORT_STRING_MAX]
    selects = []
    if short:
        selects.append(_refs(path, _v.str.in_(short)))
    if long:
        selects.append(_refs(path, _v.long_str.isnot(None), _v.long_str.in_(long)))
    return selects


def _equal_selects(path: str, values: tuple[Value, ...]) -> list[Select[Any]]:
    by_kind: dict[str, list[Any]] = {"n": [], "b": [], "d": [], "s": []}
    for value in values:
        by_kind[value.kind].append(value.key)
    selects: list[Select[Any]] = []
    if by_kind["n"]:
        selects.append(_refs(path, _v.kind == "n", _v.num.in_(by_kind["n"])))
    if by_kind["b"]:
        selects.append(_refs(path, _v.kind == "b", _v.num.in_(by_kind["b"])))
    if by_kind["d"]:
        selects.append(_refs(path, _v.instant.in_(by_kind["d"])))
    selects.extend(_string_selects(path, by_kind["s"]))
    return selects


def _range_selects(
    path: str, kind: Kind, compare: Callable[[Any], ColumnElement[bool]]
) -> list[Select[Any]]:
    if kind == "n":
        return [_refs(path, _v.kind == "n", compare(_v.num))]
    if kind == "d":
        return [_refs(path, compare(_v.instant))]
    return _string_selects(path, [], compare)


@dataclass(frozen=True)
class _Part:
    """A compiled condition: the customers whose ref is `in` / `not_in` a set, or any `test`.

    Keeping conditions as sets of refs lets `and`/`or` become one INTERSECT/UNION sub-select,
    which both planners answer from the value index, instead of an OR of sub-selects that makes
    them test every customer of the node.
    """

    kind: Literal["in", "not_in", "test"]
    refs: Select[Any] | None = None
    test: ColumnElement[bool] | None = None

    def condition(self) -> ColumnElement[bool]:
        """The boolean SQL condition on `customers`."""
        if self.kind == "test":
            assert self.test is not None
            return self.test
        assert self.refs is not None
        member = customers.c.ref.in_(self.refs)
        return member if self.kind == "in" else not_(member)


def _combine(selects: list[Select[Any]], how: Callable[..., Any]) -> Select[Any]:
    """One select of refs from several: UNION ALL / INTERSECT / EXCEPT of them.

    The compound is wrapped as a sub-query, so that it can itself be a member of another
    compound (SQLite does not accept parenthesised compound members).
    """
    if len(selects) == 1:
        return selects[0]
    compound = how(*selects).subquery()
    return select(compound.c.ref)


def _having_value(selects: list[Select[Any]]) -> _Part:
    if not selects:
        return _Part("test", test=false())
    return _Part("in", _combine(selects, union_all))


def _negate(part: _Part) -> _Part:
    if part.kind == "in":
        return _Part("not_in", part.refs)
    if part.kind == "not_in":
        return _Part("in", part.refs)
    return _Part("test", test=not_(part.condition()))


def _all_of(parts: list[_Part]) -> _Part:
    if len(parts) == 1:
        return parts[0]
    members = [p.refs for p in parts if p.kind == "in" and p.refs is not None]
    excluded = [p.refs for p in parts if p.kind == "not_in" and p.refs is not None]
    tests = [p.condition() for p in parts if p.kind == "test"]
    result: _Part | None = None
    if members:
        refs = _combine(members, intersect)
        if excluded:  # A and not B = A minus B
            refs = _combine([refs, _combine(excluded, union_all)], except_)
        result = _Part("in", refs)
    elif excluded:  # not A and not B = not (A or B)
        result = _Part("not_in", _combine(excluded, union_all))
    if tests:
        return _Part("test", test=and_(*([result.condition()] if result else []), *tests))
    assert result is not None
    return result


def _any_of(parts: list[_Part]) -> _Part:
    if len(parts) == 1:
        return parts[0]
    members = [p.refs for p in parts if p.kind == "in" and p.refs is not None]
    excluded = [p.refs for p in parts if p.kind == "not_in" and p.refs is not None]
    tests = [p.condition() for p in parts if p.kind == "test"]
    pieces: list[_Part] = []
    if members:
        pieces.append(_Part("in", _combine(members, union_all)))
    if excluded:  # not A or not B = not (A and B)
        pieces.append(_Part("not_in", _combine(excluded, intersect)))
    if len(pieces) == 1 and not tests:
        return pieces[0]
    return _Part("test", test=or_(*(p.condition() for p in pieces), *tests))


def _atomic_part(cond: Atomic) -> _Part:
    path, op, values = cond.path, cond.operator, cond.values
    if op in ("IS_NULL", "IS_NOT_NULL"):
        present = _Part("in", _refs(path))
        return present if op == "IS_NOT_NULL" else _negate(present)
    if op in ("EQUALS", "IN", "NOT_EQUALS", "NOT_IN"):
        matched = _having_value(_equal_selects(path, values))
        return matched if op in ("EQUALS", "IN") else _negate(matched)
    if op == "BETWEEN":
        low, high = values[0].key, values[1].key
        return _having_value(
            _range_selects(path, values[0].kind, lambda col: and_(col >= low, col <= high))
        )
    bound = values[0].key
    compare: dict[str, Callable[[Any], ColumnElement[bool]]] = {
        "GT": lambda col: col > bound,
        "GTE": lambda col: col >= bound,
        "LT": lambda col: col < bound,
        "LTE": lambda col: col <= bound,
    }
    return _having_value(_range_selects(path, values[0].kind, compare[op]))


def _condition_part(cond: Condition) -> _Part:
    if isinstance(cond, Atomic):
        return _atomic_part(cond)
    parts = [_condition_part(item) for item in cond.conditions]
    return _all_of(parts) if cond.conjunction == "and" else _any_of(parts)


def _query_part(node: Simple | Combined) -> _Part:
    if isinstance(node, Simple):
        return _condition_part(node.condition)
    parts = [_query_part(item) for item in node.queries]
    if node.conjunction == "INTERSECT":
        return _all_of(parts)
    if node.conjunction == "UNION":
        return _any_of(parts)
    first, *others = parts
    return _all_of([first, *(_negate(other) for other in others)])


def compile_query(query: Query) -> ColumnElement[bool]:
    """The SQL condition on `customers` that holds exactly for the customers matching `query`."""
    return _query_part(query.root).condition()


def conditions_in(query: Query) -> int:
    """The number of atomic conditions of a query (a query without any counts as one)."""
    count = 0
    stack: list[Any] = [query.root]
    while stack:
        node = stack.pop()
        if isinstance(node, Combined):
            stack.extend(node.queries)
        elif isinstance(node, Simple):
            stack.append(node.condition)
        elif isinstance(node, Atomic):
            count += 1
        else:  # Composite
            stack.extend(node.conditions)
    return max(count, 1)


def search_cache(query: Query | None) -> LRUCache[Any, Any] | None:
    """The compiled cache a search with `query` uses: the bounded one, or None (not cached)."""
    if query is not None and conditions_in(query) > SEARCH_CACHE_MAX_CONDITIONS:
        return None
    return _search_cache
