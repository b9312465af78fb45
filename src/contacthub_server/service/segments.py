"""Segments: saved customer queries of a workspace, and the customers each one finds now.

A segment is ``{id, name, query, enabled, createdAt, updatedAt}``; its ``query`` is a simple or
combined query of the query language (the part inside the ``{"name", "query"}`` document of
``GET …/customers``), checked exactly as that parameter is. A segment stores only its query,
so its customers are always the query's current result, found by the query engine.

Decisions (docs/hub.md): the reference's PostSegment names the flag ``enabled`` (its prose
example writes ``enable``; the definition wins, and an unknown key is refused); the listing's
``name`` filter matches the whole name; a segment's ``query`` is required, since a segment
without one finds nothing and the reference's clients always send it.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from contacthub_server.query import Query, QueryError, parse_query
from contacthub_server.schemas import dates
from contacthub_server.schemas.normalise import ordered_segment
from contacthub_server.service.customers import (
    next_update_time,
    require_node,
    require_object,
    type_name,
)
from contacthub_server.service.errors import BadRequest, NotFound, field_error
from contacthub_server.service.registry import Registry

#: The keys a segment body may carry (``id`` only in a PUT, where it must match the URL).
SEGMENT_KEYS = ("name", "query", "enabled")
#: The longest segment name accepted.
MAX_NAME_LENGTH = 256


def segment_not_found(segment_id: str) -> NotFound:
    """The 404 of an unknown segment."""
    return NotFound(f"segment not found {segment_id}")


def _checked(body: Any, *, segment_id: str | None) -> tuple[str, dict[str, Any], bool, Query]:
    """(name, query, enabled, parsed query) of a segment body; 400 naming every bad field."""
    obj = require_object(body, "segment")
    allowed = (*SEGMENT_KEYS, "id") if segment_id is not None else SEGMENT_KEYS
    errors = [field_error(f"/{key}", "unknown property") for key in obj if key not in allowed]
    if segment_id is not None and obj.get("id") not in (None, segment_id):
        errors.append(field_error("/id", f"must be the id of the URL, {segment_id}"))
    name = obj.get("name")
    if not isinstance(name, str) or not name.strip():
        errors.append(
            field_error("/name", f"a non-empty string is required, not {type_name(name)}")
        )
    elif len(name) > MAX_NAME_LENGTH:
        errors.append(field_error("/name", f"longer than {MAX_NAME_LENGTH} characters"))
    enabled = obj.get("enabled", True)
    if not isinstance(enabled, bool):
        errors.append(field_error("/enabled", f"a boolean is required, not {type_name(enabled)}"))
    query = obj.get("query")
    parsed: Query | None = None
    if not isinstance(query, dict):
        errors.append(field_error("/query", f"a query object is required, not {type_name(query)}"))
    else:
        try:
            parsed = parse_query({"name": name if isinstance(name, str) else "", "query": query})
        except QueryError as exc:
            errors.append(field_error(exc.pointer, exc.message))
    if errors or parsed is None:
        raise BadRequest("the segment is not valid", errors=errors)
    assert isinstance(name, str)
    assert isinstance(query, dict)
    return name, query, enabled, parsed


def add_segment(registry: Registry, ws: str, body: Any) -> dict[str, Any]:
    """POST /segments: the new segment."""
    name, query, enabled, _ = _checked(body, segment_id=None)
    now = dates.now()
    doc = {
        "id": str(uuid.uuid4()),
        "name": name,
        "query": query,
        "enabled": enabled,
        "createdAt": now,
        "updatedAt": now,
    }
    with registry.write() as tx:
        tx.insert_segment(ws, doc)
    return ordered_segment(doc)


def get_segment(registry: Registry, ws: str, segment_id: str) -> dict[str, Any]:
    """GET /segments/{id}: the segment, or NotFound."""
    with registry.store.read() as tx:
        doc = tx.get_segment(ws, segment_id)
    if doc is None:
        raise segment_not_found(segment_id)
    return dict(doc)


def replace_segment(registry: Registry, ws: str, segment_id: str, body: Any) -> dict[str, Any]:
    """PUT /segments/{id}: the segment as replaced (``id`` and ``createdAt`` kept)."""
    name, query, enabled, _ = _checked(body, segment_id=segment_id)
    with registry.write() as tx:
        stored = tx.get_segment(ws, segment_id)
        if stored is None:
            raise segment_not_found(segment_id)
        doc = {
            "id": segment_id,
            "name": name,
            "query": query,
            "enabled": enabled,
            "createdAt": stored["createdAt"],
            "updatedAt": next_update_time(stored.get("updatedAt")),
        }
        tx.replace_segment(ws, doc)
    return ordered_segment(doc)


def delete_segment(registry: Registry, ws: str, segment_id: str) -> dict[str, Any]:
    """DELETE /segments/{id}: the deleted segment."""
    with registry.write() as tx:
        doc = tx.delete_segment(ws, segment_id)
    if doc is None:
        raise segment_not_found(segment_id)
    return dict(doc)


def list_segments(
    registry: Registry, ws: str, *, name: str | None, page: int, size: int
) -> tuple[list[dict[str, Any]], int]:
    """GET /segments: one page of the workspace's segments, and their total."""
    with registry.store.read() as tx:
        found: tuple[list[dict[str, Any]], int] = tx.list_segments(
            ws, name=name, page=page, size=size
        )
    return found


def segment_customers(
    registry: Registry,
    ws: str,
    segment_id: str,
    node_id: str,
    *,
    sort: Sequence[tuple[str, bool]],
    page: int,
    size: int,
) -> tuple[list[dict[str, Any]], int]:
    """GET /segments/{id}/customers: a page of the node's customers the segment's query finds."""
    with registry.store.read() as tx:
        doc: Mapping[str, Any] | None = tx.get_segment(ws, segment_id)
        if doc is None:
            raise segment_not_found(segment_id)
        require_node(registry, ws, node_id, tx)
        query = parse_query({"name": doc["name"], "query": doc["query"]})
        found: tuple[list[dict[str, Any]], int] = tx.search_customers(
            ws, node_id, query=query, sort=sort, page=page, size=size
        )
    return found
