"""The endpoints of a workspace's configuration (``…/configuration/*``) and of the API's models
(``…/models/*``); the rules are in :mod:`contacthub_server.service.configuration`."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from contacthub_server.api import params
from contacthub_server.api.responses import json_response, page_envelope
from contacthub_server.api.routes import (
    WORKSPACE,
    _path,
    _run,
    authenticate,
    authorize,
    read_json,
)
from contacthub_server.service import configuration
from contacthub_server.service.errors import Forbidden

CONFIGURATION = f"{WORKSPACE}/configuration"
MODELS = f"{WORKSPACE}/models"


def _paging(qp: QueryParams) -> tuple[int, int]:
    """``(page, size)`` of a configuration listing: size 20 unless asked (at most 50)."""
    page, size = params.paging(qp)
    if params.text(qp, "size") is None:
        size = configuration.PAGE_SIZE
    return page, size


def _paged(found: tuple[list[dict[str, Any]], int], page: int, size: int) -> Response:
    elements, total = found
    return json_response(page_envelope(elements, total, page, size))


# -- …/configuration -------------------------------------------------------------------------
async def get_workspace(request: Request) -> Response:
    """GET …/configuration: the workspace's parameters."""
    registry, ws = await authorize(request)
    return json_response(await _run(request, configuration.get_workspace, registry, ws))


async def put_workspace(request: Request) -> Response:
    """PUT …/configuration: change the workspace's parameters."""
    registry, ws = await authorize(request)
    body = await read_json(request)
    return json_response(await _run(request, configuration.update_workspace, registry, ws, body))


async def list_event_types(request: Request) -> Response:
    """GET …/configuration/events: a page of event types with mode, label and enabled flag."""
    registry, ws = await authorize(request)
    page, size = _paging(request.query_params)
    found = await _run(request, configuration.list_event_types, registry, ws, page=page, size=size)
    return _paged(found, page, size)


async def get_event_type(request: Request) -> Response:
    """GET …/configuration/events/{id}."""
    registry, ws = await authorize(request)
    event_type = request.path_params["eventTypeId"]
    return json_response(
        await _run(request, configuration.get_event_type, registry, ws, event_type)
    )


async def put_event_type(request: Request) -> Response:
    """PUT …/configuration/events/{id}: enable or disable the event type."""
    registry, ws = await authorize(request)
    body = await read_json(request)
    event_type = request.path_params["eventTypeId"]
    return json_response(
        await _run(request, configuration.update_event_type, registry, ws, event_type, body)
    )


async def get_base_properties(request: Request) -> Response:
    """GET …/configuration/properties/base."""
    await authorize(request)
    return json_response(configuration.base_properties())


async def get_extended(request: Request) -> Response:
    """GET …/configuration/properties/extended: the JSON schema of ``extended``."""
    registry, ws = await authorize(request)
    return json_response(await _run(request, configuration.get_extended_schema, registry, ws))


async def put_extended(request: Request) -> Response:
    """PUT …/configuration/properties/extended: a new JSON schema of ``extended``."""
    registry, ws = await authorize(request)
    body = await read_json(request)
    return json_response(await _run(request, configuration.set_extended_schema, registry, ws, body))


async def get_matching(request: Request) -> Response:
    """GET …/configuration/unique-customer-matching-policy."""
    registry, ws = await authorize(request)
    return json_response(await _run(request, configuration.get_matching_policy, registry, ws))


async def put_matching(request: Request) -> Response:
    """PUT …/configuration/unique-customer-matching-policy."""
    registry, ws = await authorize(request)
    body = await read_json(request)
    return json_response(await _run(request, configuration.set_matching_policy, registry, ws, body))


async def list_entries(request: Request) -> Response:
    """GET …/configuration/nodes/entries: a page of the workspace's nodes."""
    registry, ws = await authorize(request)
    page, size = _paging(request.query_params)
    found = await _run(request, configuration.list_node_entries, registry, ws, page=page, size=size)
    return _paged(found, page, size)


async def add_entry(request: Request) -> Response:
    """POST …/configuration/nodes/entries: 201 with the new node."""
    registry, ws = await authorize(request)
    body = await read_json(request)
    doc = await _run(request, configuration.add_node_entry, registry, ws, body)
    return json_response(doc, 201)


async def get_entry(request: Request) -> Response:
    """GET …/configuration/nodes/entries/{id}."""
    registry, ws = await authorize(request)
    node_id = request.path_params["entryId"]
    return json_response(await _run(request, configuration.get_node_entry, registry, ws, node_id))


async def put_entry(request: Request) -> Response:
    """PUT …/configuration/nodes/entries/{id}."""
    registry, ws = await authorize(request)
    body = await read_json(request)
    node_id = request.path_params["entryId"]
    return json_response(
        await _run(request, configuration.update_node_entry, registry, ws, node_id, body)
    )


async def list_sources(request: Request) -> Response:
    """GET …/configuration/sources: a page of the workspace's sources (one per node)."""
    registry, token, owner = await authenticate(request)
    ws: str = request.path_params["workspaceId"]
    if owner != ws:
        raise Forbidden(f"workspace not found: {ws}")
    page, size = _paging(request.query_params)
    found = await _run(
        request, configuration.list_sources, registry, ws, token, page=page, size=size
    )
    return _paged(found, page, size)


# -- …/models --------------------------------------------------------------------------------
async def base_properties_model(request: Request) -> Response:
    """GET …/models/properties/base: the JSON schema of ``base``."""
    await authorize(request)
    return json_response(configuration.base_properties_model())


async def contexts(request: Request) -> Response:
    """GET …/models/contexts."""
    await authorize(request)
    return json_response(configuration.contexts())


async def merge_policies(request: Request) -> Response:
    """GET …/models/merge-policies."""
    await authorize(request)
    return json_response(configuration.merge_policies())


async def providers(request: Request) -> Response:
    """GET …/models/providers."""
    await authorize(request)
    return json_response(configuration.providers())


def routes() -> list[BaseRoute]:
    """The routes of this module, for :func:`contacthub_server.api.routes.routes`."""
    return [
        _path(CONFIGURATION, GET=get_workspace, PUT=put_workspace),
        _path(f"{CONFIGURATION}/events", GET=list_event_types),
        _path(f"{CONFIGURATION}/events/{{eventTypeId}}", GET=get_event_type, PUT=put_event_type),
        _path(f"{CONFIGURATION}/properties/base", GET=get_base_properties),
        _path(f"{CONFIGURATION}/properties/extended", GET=get_extended, PUT=put_extended),
        _path(
            f"{CONFIGURATION}/unique-customer-matching-policy", GET=get_matching, PUT=put_matching
        ),
        _path(f"{CONFIGURATION}/nodes/entries", GET=list_entries, POST=add_entry),
        _path(f"{CONFIGURATION}/nodes/entries/{{entryId}}", GET=get_entry, PUT=put_entry),
        _path(f"{CONFIGURATION}/sources", GET=list_sources),
        _path(f"{MODELS}/properties/base", GET=base_properties_model),
        _path(f"{MODELS}/contexts", GET=contexts),
        _path(f"{MODELS}/merge-policies", GET=merge_policies),
        _path(f"{MODELS}/providers", GET=providers),
    ]
