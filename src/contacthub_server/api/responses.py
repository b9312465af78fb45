"""JSON answers: plain documents, the page envelope (§3) and the error envelope (§4)."""

from __future__ import annotations

import logging
import math
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

import orjson
from starlette.responses import Response

log = logging.getLogger("contacthub_server")

JSON = "application/json"


def json_response(
    content: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    """A JSON answer, serialised with orjson."""
    return Response(orjson.dumps(content), status_code=status, headers=headers, media_type=JSON)


def empty_response(status: int = 200) -> Response:
    """An answer without a body (DELETE of items and sessions: 200; DELETE of events: 204)."""
    return Response(status_code=status)


def page_envelope(elements: list[Any], total: int, page: int, size: int) -> dict[str, Any]:
    """The paged list envelope of §3: 0-based ``number``, ``totalUnfilteredElements`` always 0."""
    return {
        "elements": elements,
        "page": {
            "size": size,
            "totalElements": total,
            "totalUnfilteredElements": 0,
            "totalPages": math.ceil(total / size) if size else 0,
            "number": page,
        },
    }


def error_body(
    message: str,
    *,
    data: dict[str, Any] | None = None,
    errors: Iterable[Mapping[str, Any]] = (),
    logref: str | None = None,
) -> dict[str, Any]:
    """The error envelope: always ``message``, ``logref`` (a uuid), ``data`` and ``errors``."""
    return {
        "message": message,
        "logref": logref or str(uuid.uuid4()),
        "data": data,
        "errors": [dict(e) for e in errors],
    }


def error_response(
    status: int,
    message: str,
    *,
    data: dict[str, Any] | None = None,
    errors: Iterable[Mapping[str, Any]] = (),
    headers: Mapping[str, str] | None = None,
) -> Response:
    """An error answer with the envelope of §4; 4xx answers are logged at DEBUG with the logref."""
    body = error_body(message, data=data, errors=errors)
    log.debug("answered %s %s (logref %s)", status, message, body["logref"])
    return json_response(body, status, headers)
