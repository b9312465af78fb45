"""Errors for requests that got no usable answer from the API."""

from __future__ import annotations

from contacthub.errors.api_error import APIError


class APIConnectionError(APIError):
    """No answer came from the API, even after every retry.

    Raised for a refused or failed connection, a DNS failure, a connect or read timeout and a
    connection reset, once the retry policy gave up. ``status_code`` is ``None`` and ``message``
    says what went wrong and how many attempts were made. It is an :class:`APIError`, so code
    that catches ``APIError`` also sees it.
    """

    def __str__(self) -> str:
        # With no answer there is no status, envelope or logref to show: the message says it all.
        if self.status_code is None:
            return self.message
        return super().__str__()


class OutcomeUnknownError(APIConnectionError):
    """A request that must not be sent twice may or may not have been applied by the API.

    Raised for a ``POST`` (creating a customer, an event, an item, a session) when the
    connection broke or the read timed out *after* the request was sent, or when a gateway
    answered 502 or 504: the API may have processed it. The SDK never resends such a request,
    because that could create a duplicate. Check whether it took effect (for example look the
    customer up by its matching key or external id) before trying again.

    ``status_code`` is the gateway's 502/504, or ``None`` when no answer came.
    """
