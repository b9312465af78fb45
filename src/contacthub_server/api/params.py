"""Query-string parameters: paging, sorting, field lists, comma lists, dates.

Every bad value is a 400 naming the parameter (the ``path`` of the error entry is the
parameter's name, as query parameters have no JSON pointer).
"""

from __future__ import annotations

import re

from starlette.datastructures import QueryParams

from contacthub_server.schemas import dates
from contacthub_server.schemas.paths import MAX_PATH_SEGMENTS
from contacthub_server.service.errors import BadRequest

DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 50
# At most 18 digits: any larger page is past the end anyway, and it keeps offsets in 64 bits.
_INTEGER = re.compile(r"-?[0-9]{1,18}")


def _integer(params: QueryParams, name: str, default: int) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    text = raw.strip()
    if not _INTEGER.fullmatch(text):
        raise BadRequest.field(name, f"must be an integer, got {raw!r}")
    return int(text)


def integer(params: QueryParams, name: str) -> int | None:
    """An integer parameter; None when absent or empty, 400 when not an integer."""
    raw = params.get(name)
    return None if raw is None or raw == "" else _integer(params, name, 0)


def paging(params: QueryParams) -> tuple[int, int]:
    """``(page, size)``: page ≥ 0 (default 0), 1 ≤ size ≤ 50 (default 10)."""
    page = _integer(params, "page", 0)
    if page < 0:
        raise BadRequest.field("page", f"must be 0 or more, got {page}")
    size = _integer(params, "size", DEFAULT_PAGE_SIZE)
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise BadRequest.field("size", f"must be between 1 and {MAX_PAGE_SIZE}, got {size}")
    return page, size


def _raw(params: QueryParams, name: str) -> list[str]:
    values = params.getlist(name)
    for value in values:
        if "\x00" in value:  # stored strings never hold one; PostgreSQL refuses it in text
            raise BadRequest.field(name, "must not contain the NUL character")
    return values


def text(params: QueryParams, name: str) -> str | None:
    """A single string parameter (the last one when repeated), None when absent or empty."""
    values = _raw(params, name)
    return values[-1] if values and values[-1] != "" else None


def comma_list(params: QueryParams, name: str) -> list[str] | None:
    """A list parameter given repeated and/or comma-separated; None when absent."""
    values = [part.strip() for raw in _raw(params, name) for part in raw.split(",")]
    values = [v for v in values if v]
    return values or None


#: The most sort keys a listing takes (each one is an ORDER BY term over the whole match).
MAX_SORT_KEYS = 16


def sort_order(params: QueryParams) -> list[tuple[str, bool]]:
    """The ``sort`` parameters (repeatable): ``path[,asc|desc]``, direction case-insensitive.

    ``sort=a,b,desc`` sorts by a then b, both descending (the Spring convention).
    """
    order: list[tuple[str, bool]] = []
    raws = _raw(params, "sort")
    for raw in raws:
        parts = [p.strip() for p in raw.split(",")]
        ascending = True
        if len(parts) > 1 and parts[-1].lower() in ("asc", "desc"):
            ascending = parts.pop().lower() == "asc"
        if not parts or any(not p for p in parts):
            raise BadRequest.field("sort", f"expected 'path[,asc|desc]', got {raw!r}")
        for path in parts:
            if path.lower() in ("asc", "desc"):
                raise BadRequest.field("sort", f"expected 'path[,asc|desc]', got {raw!r}")
            if path.count(".") >= MAX_PATH_SEGMENTS:
                raise BadRequest.field(
                    "sort", f"a sort path has at most {MAX_PATH_SEGMENTS} segments: {path[:80]!r}"
                )
            order.append((path, ascending))
    if len(order) > MAX_SORT_KEYS:
        raise BadRequest.field("sort", f"at most {MAX_SORT_KEYS} sort keys, got {len(order)}")
    return order


def field_paths(params: QueryParams) -> list[tuple[str, ...]] | None:
    """The ``fields`` projection: dotted paths split in steps; None when not asked for."""
    names = comma_list(params, "fields")
    if names is None:
        return None
    paths: list[tuple[str, ...]] = []
    for name in names:
        steps = tuple(name.split("."))
        if len(steps) > MAX_PATH_SEGMENTS:
            raise BadRequest.field("fields", f"a path has at most {MAX_PATH_SEGMENTS} segments")
        if any(not step for step in steps):
            raise BadRequest.field("fields", f"{name!r} is not a dotted property path")
        paths.append(steps)
    return paths


def instant(params: QueryParams, name: str) -> str | int | None:
    """A date-time filter: any accepted date or date-time form, or epoch milliseconds."""
    raw = text(params, name)
    if raw is None:
        return None
    if _INTEGER.fullmatch(raw):
        return int(raw)
    try:
        return dates.canonical_datetime(raw)
    except ValueError:
        raise BadRequest.field(
            name, f"not a date-time (e.g. 2017-03-08T10:18:17.000+0000): {raw!r}"
        ) from None
