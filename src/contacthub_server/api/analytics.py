"""`GET …/analytics/…`: the workspace's counts of customers and events (see `service.analytics`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from contacthub_server.api import params
from contacthub_server.api.responses import json_response
from contacthub_server.api.routes import WORKSPACE, _path, _run, authorize
from contacthub_server.schemas.analytics import ENDPOINTS, PARAMETERS
from contacthub_server.service import analytics


def _handler(path: str) -> Callable[[Request], Awaitable[Response]]:
    async def handle(request: Request) -> Response:
        registry, ws = await authorize(request)
        qp = request.query_params
        raw = {name: params.text(qp, name) for name in PARAMETERS}
        nodes = params.comma_list(qp, "nodes")  # repeated and/or comma-separated
        raw["nodes"] = None if nodes is None else ",".join(nodes)
        return json_response(await _run(request, analytics.answer, registry, ws, path, raw))

    handle.__doc__ = f"GET …/analytics/{path}."
    return handle


def routes() -> list[BaseRoute]:
    """One route per analytics endpoint."""
    return [_path(f"{WORKSPACE}/analytics/{path}", GET=_handler(path)) for path in ENDPOINTS]
