"""The admin API's routes under ``/_hub/``: bearer admin key; never a workspace token.

``GET /_hub/health`` (open: no data, for CI and compose to wait on; 503 until ready),
``POST /_hub/reset`` (``{"workspaceId": W}`` or ``{"all": true}``),
``POST /_hub/snapshots/export`` and ``POST /_hub/snapshots/import`` (``{"directory": D}``,
export also ``"workspaceId"``), a directory on the hub's machine;
``GET/PUT/DELETE /_hub/workspaces/{ws}/faults`` (faults and latency of one workspace at run
time), ``GET /_hub/requests`` (the request log, filtered), ``GET /_hub/requests/{id}``,
``DELETE /_hub/requests``; ``GET /_hub/openapi.json`` (open: this API's OpenAPI document).
"""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from contacthub_server.admin import HubAdmin
from contacthub_server.admin.openapi import admin_openapi
from contacthub_server.admin.request_log import iter_json
from contacthub_server.admin.snapshot import SnapshotError
from contacthub_server.api.responses import error_response, json_response

PREFIX = "/_hub"


def _admin(request: Request) -> HubAdmin:
    admin: HubAdmin = request.app.state.admin
    return admin


def _refuse(request: Request) -> Response | None:
    header = request.headers.get("authorization", "")
    scheme, _, key = header.strip().partition(" ")
    if scheme.lower() == "bearer" and _admin(request).check_key(key.strip()):
        return None
    return error_response(
        401, "the admin API takes the hub's admin key as a bearer token (not a workspace token)"
    )


async def _body(request: Request) -> dict[str, Any] | Response:
    raw = await request.body()
    try:
        body = orjson.loads(raw) if raw.strip() else {}
    except orjson.JSONDecodeError:
        return error_response(400, "the body must be a JSON object")
    if not isinstance(body, dict):
        return error_response(400, "the body must be a JSON object")
    return body


async def health(request: Request) -> Response:
    """GET /_hub/health: database reachable and migrations done (200), else 503."""
    state = await asyncio.to_thread(_admin(request).health)
    return json_response(state, 200 if state["ready"] else 503)


async def reset(request: Request) -> Response:
    """POST /_hub/reset: empty one workspace, or every one with {"all": true}."""
    refused = _refuse(request)
    if refused:
        return refused
    body = await _body(request)
    if isinstance(body, Response):
        return body
    ws = body.get("workspaceId")
    if not (isinstance(ws, str) and ws) and body.get("all") is not True:
        return error_response(400, 'give "workspaceId" (a string) or "all": true')
    deleted = await asyncio.to_thread(_admin(request).reset, ws if isinstance(ws, str) else None)
    return json_response({"deleted": deleted})


async def export_snapshot(request: Request) -> Response:
    """POST /_hub/snapshots/export {"directory", "workspaceId"?}: the manifest written."""
    refused = _refuse(request)
    if refused:
        return refused
    body = await _body(request)
    if isinstance(body, Response):
        return body
    directory, ws = body.get("directory"), body.get("workspaceId")
    if not isinstance(directory, str) or not directory:
        return error_response(400, '"directory" (a path on the hub\'s machine) is required')
    if ws is not None and not isinstance(ws, str):
        return error_response(400, '"workspaceId" must be a string')
    try:
        manifest = await asyncio.to_thread(_admin(request).export_snapshot, directory, ws)
    except (SnapshotError, OSError) as exc:
        return error_response(400, f"cannot export: {exc}")
    return json_response(manifest)


async def import_snapshot(request: Request) -> Response:
    """POST /_hub/snapshots/import {"directory"}: rows loaded per table; 409 if not empty."""
    refused = _refuse(request)
    if refused:
        return refused
    body = await _body(request)
    if isinstance(body, Response):
        return body
    directory = body.get("directory")
    if not isinstance(directory, str) or not directory:
        return error_response(400, '"directory" (a path on the hub\'s machine) is required')
    try:
        loaded = await asyncio.to_thread(_admin(request).import_snapshot, directory)
    except SnapshotError as exc:
        status = 409 if "not empty" in str(exc) else 400
        return error_response(status, f"cannot import: {exc}")
    return json_response({"loaded": loaded})


async def faults(request: Request) -> Response:
    """GET/PUT/DELETE /_hub/workspaces/{ws}/faults: a workspace's faults and latency."""
    refused = _refuse(request)
    if refused:
        return refused
    admin, ws = _admin(request), request.path_params["ws"]
    if request.method == "GET":
        return json_response(await asyncio.to_thread(admin.workspace_faults, ws))
    if request.method == "DELETE":
        return json_response(await asyncio.to_thread(admin.clear_workspace_faults, ws))
    body = await _body(request)
    if isinstance(body, Response):
        return body
    return json_response(await asyncio.to_thread(admin.set_workspace_faults, ws, body))


#: The most entries one ``GET /_hub/requests`` answers, and how many when ``limit`` is not given.
MAX_REQUESTS_LIMIT = 10_000
DEFAULT_REQUESTS_LIMIT = 100


async def requests_log(request: Request) -> Response:
    """GET /_hub/requests?workspace=&method=&status=&path=&limit=: newest first."""
    refused = _refuse(request)
    if refused:
        return refused
    params = request.query_params
    unknown = sorted(set(params) - {"workspace", "method", "status", "path", "limit"})
    if unknown:
        return error_response(400, f"unknown parameter {unknown[0]!r}")
    limit_text = params.get("limit", str(DEFAULT_REQUESTS_LIMIT))
    if not limit_text.isdigit() or not 1 <= int(limit_text) <= MAX_REQUESTS_LIMIT:
        return error_response(400, f"limit must be a whole number from 1 to {MAX_REQUESTS_LIMIT}")
    log = _admin(request).request_log
    try:
        found = log.search(
            workspace=params.get("workspace") or None,
            method=params.get("method") or None,
            status=params.get("status") or None,
            path=params.get("path") or None,
            limit=int(limit_text),
        )
    except ValueError as exc:
        return error_response(400, str(exc))
    return json_response(
        {
            "elements": list(iter_json(found)),
            "size": log.size,
            "recorded": log.recorded,
        }
    )


async def one_request(request: Request) -> Response:
    """GET /_hub/requests/{id}: one logged request, 404 once it has left the log."""
    refused = _refuse(request)
    if refused:
        return refused
    ident = request.path_params["id"]
    entry = _admin(request).request_log.get(int(ident)) if ident.isdigit() else None
    if entry is None:
        return error_response(404, f"no logged request {ident} (the log keeps the last ones)")
    return json_response(entry.to_json())


async def clear_requests(request: Request) -> Response:
    """DELETE /_hub/requests (``?workspace=`` for one workspace's): forget logged requests."""
    refused = _refuse(request)
    if refused:
        return refused
    unknown = sorted(set(request.query_params) - {"workspace"})
    if unknown:
        return error_response(400, f"unknown parameter {unknown[0]!r}")
    ws = request.query_params.get("workspace") or None
    return json_response({"deleted": _admin(request).request_log.clear(ws)})


async def openapi(request: Request) -> Response:
    """GET /_hub/openapi.json: the admin API's own OpenAPI document (open: it holds no data)."""
    return json_response(admin_openapi())


def routes() -> list[BaseRoute]:
    """Every route of the admin API."""
    return [
        Route(PREFIX + "/health", health, methods=["GET"]),
        Route(PREFIX + "/openapi.json", openapi, methods=["GET"]),
        Route(PREFIX + "/reset", reset, methods=["POST"]),
        Route(PREFIX + "/snapshots/export", export_snapshot, methods=["POST"]),
        Route(PREFIX + "/snapshots/import", import_snapshot, methods=["POST"]),
        Route(PREFIX + "/workspaces/{ws}/faults", faults, methods=["GET", "PUT", "DELETE"]),
        Route(PREFIX + "/requests", requests_log, methods=["GET"]),
        Route(PREFIX + "/requests", clear_requests, methods=["DELETE"]),
        Route(PREFIX + "/requests/{id}", one_request, methods=["GET"]),
    ]
