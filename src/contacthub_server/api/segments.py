"""The endpoints of segments (``…/segments``) and of the token's identity (``/me``)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from contacthub_server.api import params
from contacthub_server.api.responses import json_response, page_envelope
from contacthub_server.api.routes import (
    PREFIX,
    WORKSPACE,
    _path,
    _run,
    authenticate,
    authorize,
    read_json,
)
from contacthub_server.service import customers, identity, segments
from contacthub_server.service.errors import BadRequest
from contacthub_server.store import InvalidPath


def _segment_id(request: Request) -> str:
    return str(request.path_params["segmentId"])


async def list_segments(request: Request) -> Response:
    """GET …/segments: a page of the workspace's segments (``name`` filters by whole name)."""
    registry, ws = await authorize(request)
    page, size = params.paging(request.query_params)
    name = params.text(request.query_params, "name")
    found, total = await _run(
        request, segments.list_segments, registry, ws, name=name, page=page, size=size
    )
    return json_response(page_envelope(found, total, page, size))


async def add_segment(request: Request) -> Response:
    """POST …/segments: 201 with the new segment, in a list as the reference answers it."""
    registry, ws = await authorize(request)
    body = await read_json(request)
    doc = await _run(request, segments.add_segment, registry, ws, body)
    return json_response([doc], 201)


async def get_segment(request: Request) -> Response:
    """GET …/segments/{id}: the segment."""
    registry, ws = await authorize(request)
    doc = await _run(request, segments.get_segment, registry, ws, _segment_id(request))
    return json_response(doc)


async def replace_segment(request: Request) -> Response:
    """PUT …/segments/{id}: 200 with the segment as replaced."""
    registry, ws = await authorize(request)
    body = await read_json(request)
    doc = await _run(request, segments.replace_segment, registry, ws, _segment_id(request), body)
    return json_response(doc)


async def delete_segment(request: Request) -> Response:
    """DELETE …/segments/{id}: 200 with the deleted segment."""
    registry, ws = await authorize(request)
    doc = await _run(request, segments.delete_segment, registry, ws, _segment_id(request))
    return json_response(doc)


async def segment_customers(request: Request) -> Response:
    """GET …/segments/{id}/customers?nodeId=…&fields=…: the node's customers it finds now."""
    registry, ws = await authorize(request)
    qp = request.query_params
    node_id = params.text(qp, "nodeId")
    if node_id is None:
        raise BadRequest.field("nodeId", "the nodeId query parameter is required")
    fields = params.field_paths(qp)
    if fields is None:
        raise BadRequest.field("fields", "the fields query parameter is required")
    page, size = params.paging(qp)
    sort = params.sort_order(qp)
    try:
        found, total = await _run(
            request,
            segments.segment_customers,
            registry,
            ws,
            _segment_id(request),
            node_id,
            sort=sort,
            page=page,
            size=size,
        )
    except InvalidPath as exc:
        raise BadRequest.field("sort", str(exc)) from None
    projected = [customers.project(doc, fields) for doc in found]
    return json_response(page_envelope(projected, total, page, size))


async def me(request: Request) -> Response:
    """GET /me: the token's user, its workspace and nodes with their permission."""
    registry, token, ws = await authenticate(request)
    return json_response(await _run(request, identity.me, registry, token, ws))


def routes() -> list[BaseRoute]:
    """The routes of this module, for :func:`contacthub_server.api.routes.routes`."""
    segment = f"{WORKSPACE}/segments/{{segmentId}}"
    return [
        _path(PREFIX + "/me", GET=me),
        _path(f"{WORKSPACE}/segments", GET=list_segments, POST=add_segment),
        _path(segment, GET=get_segment, PUT=replace_segment, DELETE=delete_segment),
        _path(f"{segment}/customers", GET=segment_customers),
    ]
