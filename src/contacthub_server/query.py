"""The customer query language (contract §5): parse the JSON, compile it to SQL.

`parse_query` turns the JSON document of the `query` parameter into a `Query`, refusing anything
malformed with a `QueryError` that says what is wrong and where (a JSON pointer).
`compile_query` turns a `Query` into a SQLAlchemy boolean expression over the `customers` table,
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
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import and_, except_, false, intersect, not_, or_, select, union_all
from sqlalchemy.sql import Select
from sqlalchemy.sql.elements import ColumnElement

from contacthub_server.service.normalise import CUSTOMER_KEYS
from contacthub_server.store.dates import parse_instant, to_millis
from contacthub_server.store.ordering import SEGMENT
from contacthub_server.store.tables import SHORT_STRING_MAX, customer_values, customers
from contacthub_server.store.values import MAX_PATH_LENGTH

OPERATORS = (
    "EQUALS",
    "NOT_EQUALS",
    "IN",
    "NOT_IN",
    "IS_NULL",
    "IS_NOT_NULL",
    "GT",
    "GTE",
    "LT",
    "LTE",
    "BETWEEN",
)
#: Top-level keys of the customer document a path may start with.
ROOTS = (*CUSTOMER_KEYS, "sourceInfo")

Scalar = str | int | float | bool
# A typed value: kind "n" number, "b" boolean, "d" date (instant in ms), "s" other string.
Kind = Literal["n", "b", "d", "s"]


class QueryError(ValueError):
    """A query that cannot be run: `message` says what is wrong, `pointer` where (JSON pointer)."""

    def __init__(self, message: str, pointer: str = "") -> None:
        super().__init__(f"{message} (at {pointer or '/'})")
        self.message = message
        self.pointer = pointer


@dataclass(frozen=True)
class Value:
    """One value of a condition, with the kind that decides how it compares."""

    kind: Kind
    raw: Scalar
    key: float | int | str  # what is compared: the number, 0/1, the instant (ms), the string


@dataclass(frozen=True)
class Atomic:
    """`attribute operator value`: `values` holds the given values ([from, to] for BETWEEN)."""

    path: str
    operator: str
    values: tuple[Value, ...]


@dataclass(frozen=True)
class Composite:
    """`and` / `or` of conditions."""

    conjunction: Literal["and", "or"]
    conditions: tuple[Condition, ...]


Condition = Atomic | Composite


@dataclass(frozen=True)
class Simple:
    """A simple query: the customers that satisfy `condition`."""

    condition: Condition


@dataclass(frozen=True)
class Combined:
    """INTERSECT / UNION / EXCEPT of queries (EXCEPT = the first minus the others)."""

    conjunction: Literal["INTERSECT", "UNION", "EXCEPT"]
    queries: tuple[Simple | Combined, ...]


@dataclass(frozen=True)
class Query:
    """A parsed customer query, ready for `compile_query` / `Tx.search_customers`."""

    root: Simple | Combined
    name: str | None = None


# -- parsing -------------------------------------------------------------------------------


def _describe(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _object(obj: Any, pointer: str, what: str) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise QueryError(f"{what} must be a JSON object, got {_describe(obj)}", pointer)
    return obj


def _typed(value: Any, pointer: str) -> Value:
    if isinstance(value, bool):
        return Value("b", value, 1 if value else 0)
    if isinstance(value, (int, float)):
        try:
            number = float(value)
        except OverflowError:
            number = float("inf")
        if not math.isfinite(number):
            raise QueryError("value must be a finite number within double precision", pointer)
        return Value("n", value, number)
    if isinstance(value, str):
        instant = parse_instant(value) if len(value) <= 40 else None
        if instant is not None:
            return Value("d", value, to_millis(instant))
        return Value("s", value, value)
    raise QueryError(f"value must be a string, number or boolean, got {_describe(value)}", pointer)


def _path(attribute: Any, pointer: str) -> str:
    if not isinstance(attribute, str) or not attribute:
        raise QueryError(
            f"attribute must be a dotted path such as base.firstName, got {_describe(attribute)}",
            pointer,
        )
    if len(attribute) > MAX_PATH_LENGTH:
        raise QueryError(f"attribute path is longer than {MAX_PATH_LENGTH} characters", pointer)
    segments = attribute.split(".")
    for segment in segments:
        if not SEGMENT.fullmatch(segment):
            raise QueryError(
                f"invalid attribute {_describe(attribute)}: segment {_describe(segment)} must be "
                "letters, digits, '_' or '-'",
                pointer,
            )
    if segments[0] not in ROOTS:
        raise QueryError(
            f"unknown attribute {_describe(attribute)}: a path starts with one of "
            + ", ".join(ROOTS),
            pointer,
        )
    return attribute


def _atomic(obj: dict[str, Any], pointer: str) -> Atomic:
    path = _path(obj.get("attribute"), pointer + "/attribute")
    operator = obj.get("operator")
    if operator not in OPERATORS:
        raise QueryError(
            f"unknown operator {_describe(operator)} (expected one of {', '.join(OPERATORS)})",
            pointer + "/operator",
        )
    if operator in ("IS_NULL", "IS_NOT_NULL"):
        return Atomic(path, operator, ())  # a value, if any, is ignored (some clients send "")
    if "value" not in obj or obj["value"] is None:
        raise QueryError(f"operator {operator} needs a value", pointer + "/value")
    raw = obj["value"]
    at = pointer + "/value"
    if operator in ("IN", "NOT_IN"):
        items = raw if isinstance(raw, list) else [raw]
        pointers = [f"{at}/{i}" for i in range(len(items))] if isinstance(raw, list) else [at]
        return Atomic(path, operator, tuple(map(_typed, items, pointers)))
    if isinstance(raw, list) and operator != "BETWEEN":
        raise QueryError(
            f"operator {operator} takes one value, got a list (use IN / NOT_IN for a list)", at
        )
    if operator == "BETWEEN":
        if not isinstance(raw, list) or len(raw) != 2:
            raise QueryError("BETWEEN needs a value [from, to] of two items", at)
        low, high = _typed(raw[0], at + "/0"), _typed(raw[1], at + "/1")
        for value, where in ((low, at + "/0"), (high, at + "/1")):
            if value.kind == "b":
                raise QueryError("BETWEEN compares numbers, strings or dates, not booleans", where)
        if low.kind != high.kind:
            raise QueryError(
                "BETWEEN bounds must be of one kind: both numbers, both dates or both strings",
                at,
            )
        return Atomic(path, operator, (low, high))
    value = _typed(raw, at)
    if operator in ("GT", "GTE", "LT", "LTE") and value.kind == "b":
        raise QueryError(f"{operator} compares numbers, strings or dates, not booleans", at)
    return Atomic(path, operator, (value,))


def _condition(obj: Any, pointer: str, depth: int) -> Condition:
    if depth > 32:
        raise QueryError("conditions are nested more than 32 levels deep", pointer)
    node = _object(obj, pointer, "a condition")
    kind = node.get("type")
    if kind == "atomic":
        return _atomic(node, pointer)
    if kind == "composite":
        conjunction = node.get("conjunction")
        if conjunction not in ("and", "or"):
            raise QueryError(
                f'composite conjunction must be "and" or "or", got {_describe(conjunction)}',
                pointer + "/conjunction",
            )
        items = node.get("conditions")
        if not isinstance(items, list) or not items:
            raise QueryError(
                "a composite condition needs a non-empty list of conditions",
                pointer + "/conditions",
            )
        conditions = tuple(
            _condition(item, f"{pointer}/conditions/{i}", depth + 1) for i, item in enumerate(items)
        )
        return Composite(conjunction, conditions)
    raise QueryError(
        f'condition type must be "atomic" or "composite", got {_describe(kind)}', pointer + "/type"
    )


def _query(obj: Any, pointer: str, depth: int) -> Simple | Combined:
    if depth > 32:
        raise QueryError("queries are nested more than 32 levels deep", pointer)
    node = _object(obj, pointer, "a query")
    kind = node.get("type")
    if kind == "simple":
        if node.get("did") is not None:
            raise QueryError("event conditions (did) are not supported", pointer + "/did")
        are = _object(node.get("are"), pointer + "/are", '"are"')
        if "condition" not in are:
            raise QueryError("a simple query needs are.condition", pointer + "/are")
        return Simple(_condition(are["condition"], pointer + "/are/condition", 0))
    if kind == "combined":
        conjunction = node.get("conjunction")
        if conjunction not in ("INTERSECT", "UNION", "EXCEPT"):
            raise QueryError(
                "combined conjunction must be INTERSECT, UNION or EXCEPT, got "
                + _describe(conjunction),
                pointer + "/conjunction",
            )
        items = node.get("queries")
        if not isinstance(items, list) or not items:
            raise QueryError(
                "a combined query needs a non-empty list of queries", pointer + "/queries"
            )
        queries = tuple(
            _query(item, f"{pointer}/queries/{i}", depth + 1) for i, item in enumerate(items)
        )
        return Combined(conjunction, queries)
    raise QueryError(
        f'query type must be "simple" or "combined", got {_describe(kind)}', pointer + "/type"
    )


def parse_query(obj: Any) -> Query:
    """Parse a query document: `{"name": ..., "query": <simple or combined>}`, or the bare query.

    Raises QueryError (message and JSON pointer) for anything malformed.
    """
    container = _object(obj, "", "the query")
    if "query" not in container and "type" not in container:
        raise QueryError(
            'a query document needs "query" (a simple or combined query), '
            'or is itself a query with a "type"',
            "",
        )
    if "query" in container and "type" not in container:
        name = container.get("name")
        return Query(
            _query(container["query"], "/query", 0), name if isinstance(name, str) else None
        )
    name = container.get("name")
    return Query(_query(container, "", 0), name if isinstance(name, str) else None)


def parse_query_string(text: str) -> Query:
    """Parse the `query` parameter as it arrives: JSON text of a query document."""
    try:
        obj = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        detail = getattr(exc, "msg", "too deeply nested")
        position = getattr(exc, "pos", None)
        where = f" at character {position}" if position is not None else ""
        raise QueryError(f"query is not valid JSON: {detail}{where}", "") from None
    return parse_query(obj)


# -- compilation ---------------------------------------------------------------------------

_v = customer_values.c


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
