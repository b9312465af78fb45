"""ORDER BY keys for the customer list's `sort` parameter, the same on SQLite and PostgreSQL.

A sort path is a dotted path into the customer document. Fields copied into columns sort by the
column (and its index); any other path sorts by the JSON value it names, ordered first by kind
(numbers, then strings, then booleans, then lists and objects), then by value. A customer lacking
the attribute (missing or null) comes last in both directions, as the search engine behind the
hosted API orders missing values by default (contract §8 Ordering); ties keep the tie-break.
Strings compare byte-wise (`COLLATE "C"` on PostgreSQL, SQLite's default), so both backends agree.
Path segments are validated and passed as bound parameters, never spliced into SQL text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Numeric, case, cast, func
from sqlalchemy.sql.elements import ColumnElement

from contacthub_server.schemas.paths import SEGMENT

from .tables import customer_docs, customers

# Sort paths answered by an indexed column instead of the document.
_COLUMN_PATHS: dict[str, ColumnElement[Any]] = {
    "id": customers.c.id,
    "nodeId": customers.c.node_id,
    "externalId": customers.c.external_id,
    "registeredAt": customers.c.registered_at,
    "updatedAt": customers.c.updated_at,
}


class InvalidPath(ValueError):
    """A dotted attribute path that is empty or has a segment with characters we do not accept."""


def split_path(path: str) -> tuple[str, ...]:
    """The segments of a dotted path, each checked against `[A-Za-z0-9_-]+`.

    Raises InvalidPath naming the path and the bad segment.
    """
    if not isinstance(path, str) or not path:
        raise InvalidPath(f"attribute path must be a non-empty string, got {path!r}")
    segments = tuple(path.split("."))
    for segment in segments:
        if not SEGMENT.fullmatch(segment):
            raise InvalidPath(
                f"invalid attribute path {path!r}: segment {segment!r} must be letters, "
                "digits, '_' or '-'"
            )
    return segments


def sqlite_json_path(segments: Sequence[str]) -> str:
    """A SQLite JSON path (`$."a"."b"`) for validated segments; it is bound as a parameter."""
    return "$" + "".join(f'."{segment}"' for segment in segments)


def uses_document(path: str) -> bool:
    """Whether sorting by `path` reads the document (`customer_docs`), not only `customers`."""
    return path not in _COLUMN_PATHS


def sort_keys(dialect: str, path: str, ascending: bool) -> list[ColumnElement[Any]]:
    """The ORDER BY expressions that sort customers by `path` in the given direction.

    For a path that `uses_document`, the query must join `customer_docs` on `ref`.
    """
    column = _COLUMN_PATHS.get(path)
    if column is not None:  # only externalId may be null: NULLS LAST on both backends
        return [(column.asc() if ascending else column.desc()).nulls_last()]
    segments = split_path(path)
    doc = customer_docs.c.doc
    # The rank of a missing or null value: after every kind, whichever the direction.
    missing = 5 if ascending else -1
    keys: list[ColumnElement[Any]]
    if dialect == "postgresql":
        kind = func.jsonb_typeof(func.jsonb_extract_path(doc, *segments))
        text = func.jsonb_extract_path_text(doc, *segments)
        rank = case(
            (kind.is_(None), missing),
            (kind == "null", missing),
            (kind == "number", 1),
            (kind == "string", 2),
            (kind == "boolean", 3),
            else_=4,
        )
        number = case((kind == "number", cast(text, Numeric)), else_=None)
        keys = [rank, number, text.collate("C")]
    else:
        json_path = sqlite_json_path(segments)
        kind = func.json_type(doc, json_path)
        rank = case(
            (kind.is_(None), missing),
            (kind == "null", missing),
            (kind.in_(["integer", "real"]), 1),
            (kind == "text", 2),
            (kind.in_(["true", "false"]), 3),
            else_=4,
        )
        keys = [rank, func.json_extract(doc, json_path)]
    return [key.asc() if ascending else key.desc() for key in keys]


def tie_break() -> list[ColumnElement[Any]]:
    """The fixed final keys of every customer ordering: registeredAt, then id."""
    return [customers.c.registered_at.asc(), customers.c.id.asc()]


__all__ = ["InvalidPath", "sort_keys", "split_path", "tie_break", "uses_document"]
