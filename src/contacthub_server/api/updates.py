"""`GET …/updates` and `GET …/updates/last-offset`: the change feed over HTTP.

The entries' data are stored as JSON text and spliced into the answer as they are, so a page
of 4,000 changes costs no parsing and re-encoding.
"""

from __future__ import annotations

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from contacthub_server.api import params
from contacthub_server.api.responses import JSON, json_response
from contacthub_server.api.routes import WORKSPACE, _path, _run, authorize
from contacthub_server.service import updates
from contacthub_server.service.errors import BadRequest


def _whole(qp: QueryParams, name: str, *, low: int, high: int | None = None) -> int | None:
    value = params.integer(qp, name)
    if value is None:
        return None
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"{low} or more"
        raise BadRequest.field(name, f"must be {bound}, got {value}")
    return value


def _filters(request: Request) -> tuple[str | None, str | None]:
    qp = request.query_params
    entity = params.text(qp, "entity")
    if entity is not None and entity not in updates.ENTITIES:
        raise BadRequest.field("entity", f"must be CUSTOMER or EVENT, got {entity!r}")
    return params.text(qp, "nodeId"), entity


async def list_updates(request: Request) -> Response:
    """GET …/updates?offset=&size=: the changes after ``offset``, oldest first."""
    registry, ws = await authorize(request)
    qp = request.query_params
    size = _whole(qp, "size", low=0, high=updates.MAX_SIZE)
    offset = _whole(qp, "offset", low=0)
    timestamp = _whole(qp, "timestamp", low=0)
    node_id, entity = _filters(request)
    entries, next_offset = await _run(
        request,
        updates.read_updates,
        registry,
        ws,
        offset=offset,
        timestamp=timestamp,
        node_id=node_id,
        entity=entity,
        size=updates.DEFAULT_SIZE if size is None else size,
    )
    parts = [
        b'{"operation":"%s","entity":{"type":"%s","data":%s}}'
        % (operation.encode(), kind.encode(), data.encode())
        for _offset, operation, kind, data in entries
    ]
    body = b'{"nextOffset":%d,"updates":[%s]}' % (next_offset, b",".join(parts))
    return Response(body, media_type=JSON)


async def get_last_offset(request: Request) -> Response:
    """GET …/updates/last-offset: ``{"lastOffset": n}``."""
    registry, ws = await authorize(request)
    node_id, entity = _filters(request)
    last = await _run(request, updates.last_offset, registry, ws, node_id=node_id, entity=entity)
    return json_response({"lastOffset": last})


def routes() -> list[BaseRoute]:
    """The change feed's routes."""
    return [
        _path(f"{WORKSPACE}/updates", GET=list_updates),
        _path(f"{WORKSPACE}/updates/last-offset", GET=get_last_offset),
    ]
