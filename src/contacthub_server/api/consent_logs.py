"""`GET …/consent-logs` and `GET …/consent-logs/{id}`: the consent register over HTTP."""

from __future__ import annotations

from datetime import timedelta

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from contacthub_server.api import params
from contacthub_server.api.responses import json_response, page_envelope
from contacthub_server.api.routes import WORKSPACE, _path, _run, authorize
from contacthub_server.schemas import dates
from contacthub_server.schemas.consents import CONSENT_LOG_TYPES
from contacthub_server.schemas.instants import to_millis
from contacthub_server.service import consent_logs
from contacthub_server.service.errors import BadRequest

_SORT_FIELDS = ("date", "id")


def _bound(request: Request, name: str, *, end: bool) -> int | None:
    """A date bound in epoch ms: a date (the whole day, for ``endDate``) or a date-time."""
    raw = params.text(request.query_params, name)
    if raw is None:
        return None
    try:
        if len(raw) == 10:
            day = dates.parse_date(raw)
            return to_millis(day + timedelta(days=1)) - 1 if end else to_millis(day)
        return to_millis(dates.canonical_datetime(raw))
    except ValueError:
        raise BadRequest.field(name, f"not a date (e.g. 2017-03-08): {raw!r}") from None


def _descending(request: Request) -> bool:
    order = params.sort_order(request.query_params)
    for path, _ascending in order:
        if path not in _SORT_FIELDS:
            raise BadRequest.field("sort", f"consent logs sort by date or id, not {path!r}")
    return bool(order) and not order[0][1]


async def list_logs(request: Request) -> Response:
    """GET …/consent-logs: a page of the register (customer, dates, type, property filters)."""
    registry, ws = await authorize(request)
    qp = request.query_params
    if params.text(qp, "uniqueKey") is not None:
        raise BadRequest.field("uniqueKey", "the hub does not support uniqueKey: use customerId")
    kind = params.text(qp, "type")
    if kind is not None and kind not in CONSENT_LOG_TYPES:
        raise BadRequest.field("type", f"unknown consent log type {kind!r}")
    page, size = params.paging(qp)
    found, total = await _run(
        request,
        consent_logs.list_consent_logs,
        registry,
        ws,
        customer_id=params.text(qp, "customerId"),
        date_from=_bound(request, "startDate", end=False),
        date_to=_bound(request, "endDate", end=True),
        kind=kind,
        prop=params.text(qp, "property"),
        descending=_descending(request),
        page=page,
        size=size,
    )
    return json_response(page_envelope(found, total, page, size))


async def get_log(request: Request) -> Response:
    """GET …/consent-logs/{id}."""
    registry, ws = await authorize(request)
    found = await _run(
        request, consent_logs.get_consent_log, registry, ws, request.path_params["logId"]
    )
    return json_response(found)


def routes() -> list[BaseRoute]:
    """The consent register's routes."""
    return [
        _path(f"{WORKSPACE}/consent-logs", GET=list_logs),
        _path(f"{WORKSPACE}/consent-logs/{{logId}}", GET=get_log),
    ]
