"""The error for a non-2xx answer from the ContactHub API."""

from __future__ import annotations

from typing import Any

import requests


class APIError(requests.exceptions.HTTPError):
    """The ContactHub API answered with a status other than 2xx.

    Its text follows the guide's format::

        Status code: 409. Message: Conflict with exiting customer <id>. Errors: []. Data: {...}. Logref: <logref>

    Attributes:
        status_code: the HTTP status, or ``None`` when no answer came (a connection error
            after every retry).
        message: the API's ``message``.
        errors: the API's ``errors`` list: ``{"path", "message", "data", "code"}`` items.
        data: the API's ``data`` object, e.g. ``{"customer": {"id": ..., "href": ...}}`` on a 409.
        logref: the API's ``logref``, to quote when asking for support.
        body: the whole parsed body (or the raw text when it was not JSON).
        response: the :class:`requests.Response`, when there was one.
    """

    def __init__(
        self,
        *args: Any,
        status_code: int | None = None,
        errors: list[Any] | None = None,
        data: Any = None,
        logref: str | None = None,
        body: Any = None,
        **kwargs: Any,
    ) -> None:
        # The guide documents APIError(*args, **kwargs): the first positional argument (or
        # message=) is the API's message; response= and request= go to requests' HTTPError.
        message = str(args[0]) if args else str(kwargs.pop("message", ""))
        self.status_code = status_code
        self.message = message
        self.errors: list[Any] = list(errors or [])
        self.data = data
        self.logref = logref
        self.body = body
        text = (
            f"Status code: {status_code}. Message: {message}. Errors: {self.errors}. "
            f"Data: {data}. Logref: {logref}"
        )
        super().__init__(text, *args[1:], **kwargs)

    @property
    def request_id(self) -> str | None:
        """The ``logref`` under the name other SDKs use."""
        return self.logref


ApiError = APIError
"""The name the guide's prose uses ("an ApiError Exception will be thrown")."""
