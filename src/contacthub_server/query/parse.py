"""The customer query language (contract §5): the JSON document parsed into a `Query`.

`parse_query` turns the JSON document of the `query` parameter into a `Query` (the classes below),
refusing anything malformed with a `QueryError` that says what is wrong and where (a JSON pointer).
Nothing here knows SQL: `contacthub_server.store.query_sql` compiles a `Query` for the store.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any, Literal

from contacthub_server.schemas.instants import parse_instant, to_millis
from contacthub_server.schemas.normalise import CUSTOMER_KEYS
from contacthub_server.schemas.paths import MAX_PATH_LENGTH, MAX_PATH_SEGMENTS, SEGMENT
from contacthub_server.schemas.spec import unstorable_text

#: How deep combined queries and composite conditions may nest, counted together: enough for any
#: query a person or a builder writes, and within what SQLite's parser takes (a statement nests
#: one subquery per level; 14 combined levels overflowed its parser stack).
MAX_NESTING = 10

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
ROOTS = tuple(dict.fromkeys((*CUSTOMER_KEYS, "sourceInfo")))

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
        problem = unstorable_text(value)
        if problem:
            raise QueryError(f"value {problem}", pointer)
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
    if attribute.count(".") >= MAX_PATH_SEGMENTS:
        raise QueryError(f"attribute path has more than {MAX_PATH_SEGMENTS} segments", pointer)
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


def _nested_too_deep(depth: int, pointer: str) -> None:
    if depth > MAX_NESTING:
        raise QueryError(
            f"combined queries and composite conditions are nested more than {MAX_NESTING} "
            "levels deep",
            pointer,
        )


def _condition(obj: Any, pointer: str, depth: int) -> Condition:
    _nested_too_deep(depth, pointer)
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
    _nested_too_deep(depth, pointer)
    node = _object(obj, pointer, "a query")
    kind = node.get("type")
    if kind == "simple":
        if node.get("did") is not None:
            raise QueryError("event conditions (did) are not supported", pointer + "/did")
        are = _object(node.get("are"), pointer + "/are", '"are"')
        if "condition" not in are:
            raise QueryError("a simple query needs are.condition", pointer + "/are")
        return Simple(_condition(are["condition"], pointer + "/are/condition", depth))
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


#: Why a bare query is refused where the API takes the `{"name", "query"}` document.
BARE_QUERY = (
    'the query must be the document {"name": ..., "query": <a simple or combined query>} that '
    'every official client sends, not a bare query: put this one under "query"'
)


def parse_query(obj: Any, *, wrapped: bool = False) -> Query:
    """Parse a query document: `{"name": ..., "query": <simple or combined>}`, or the bare query.

    With `wrapped`, only the document is accepted (as the `query` parameter of `GET …/customers`
    is: every official client sends it, §5.1); a bare query is a QueryError saying so. Raises
    QueryError (message and JSON pointer) for anything malformed.
    """
    container = _object(obj, "", "the query")
    if wrapped and "type" in container:
        raise QueryError(BARE_QUERY, "")
    if wrapped and "query" not in container:
        raise QueryError('a query document needs "query" (a simple or combined query)', "")
    if wrapped and not isinstance(container.get("name"), str):
        # Required by the query schema the Java client ships; every official client sends one.
        raise QueryError(
            'a query document needs "name", a string (free text: the clients send "query", '
            '"no name", even "")',
            "/name",
        )
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


def parse_query_string(text: str, *, wrapped: bool = False) -> Query:
    """Parse the `query` parameter as it arrives: JSON text of a query document (with
    `wrapped`, only the `{"name", "query"}` document, as `parse_query` says)."""
    try:
        obj = json.loads(text)
    except ValueError as exc:
        if not isinstance(exc, json.JSONDecodeError):  # e.g. a number of thousands of digits
            detail = str(exc).split("; use sys.")[0]  # no advice about Python's own settings
            raise QueryError(f"query is not valid JSON: {detail}", "") from None
        raise QueryError(f"query is not valid JSON: {exc.msg} at character {exc.pos}", "") from None
    except RecursionError as exc:
        detail = getattr(exc, "msg", "too deeply nested")
        position = getattr(exc, "pos", None)
        where = f" at character {position}" if position is not None else ""
        raise QueryError(f"query is not valid JSON: {detail}{where}", "") from None
    return parse_query(obj, wrapped=wrapped)
