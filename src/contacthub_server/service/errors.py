"""The errors the hub's operations raise; the HTTP layer turns each into the error envelope (§4).

Each error carries its HTTP status, the envelope's ``message``, ``data`` and ``errors``, so that the
rules can say exactly what went wrong without knowing about HTTP.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def field_error(path: str, message: str) -> dict[str, Any]:
    """One entry of the envelope's ``errors`` list: a JSON pointer (or parameter name) and why."""
    return {"message": message, "path": path, "data": None, "code": None}


class HubError(Exception):
    """An expected failure of a request: answered with ``status`` and the error envelope."""

    status = 500

    def __init__(
        self,
        message: str,
        *,
        errors: Iterable[Mapping[str, Any]] = (),
        data: dict[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.errors = [dict(e) for e in errors]
        self.data = data
        self.headers = dict(headers or {})


class BadRequest(HubError):
    """400: the request is malformed or its content invalid; ``errors`` names each bad field."""

    status = 400

    @classmethod
    def field(cls, path: str, message: str) -> BadRequest:
        """A 400 about one field or parameter, its message repeated in the envelope's message."""
        return cls(f"{path}: {message}" if path else message, errors=[field_error(path, message)])


class Unauthorized(HubError):
    """401: no token, or a token the hub does not know."""

    status = 401


class Forbidden(HubError):
    """403: the token does not give access to the workspace of the URL."""

    status = 403


class NotFound(HubError):
    """404: the node, customer, event, item, session or route does not exist."""

    status = 404


class MethodNotAllowed(HubError):
    """405: the path exists, the method does not."""

    status = 405


class Conflict(HubError):
    """409: the write collides with what is stored (a duplicate item or session)."""

    status = 409


class CustomerConflict(Conflict):
    """409: the customer matches another one under the node's matching policy (§8).

    The HTTP layer completes ``data.customer.href``, which needs the request's base URL.
    """

    def __init__(self, existing_id: str) -> None:
        super().__init__(
            f"Conflict with exiting customer {existing_id}",  # the API's own spelling (§10.8)
            data={"customer": {"id": existing_id}},
        )
        self.existing_id = existing_id


class PayloadTooLarge(HubError):
    """413: the request body is larger than the hub accepts."""

    status = 413


class ServiceUnavailable(HubError):
    """503: used by fault injection (with ``Retry-After``)."""

    status = 503


class TooManyRequests(HubError):
    """429: used by fault injection (with ``Retry-After``)."""

    status = 429
