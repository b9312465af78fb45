"""Errors raised by the SDK.

- :class:`APIError`: the API answered with a status other than 2xx (or gave no answer: see the
  two subclasses below).
- :class:`APIConnectionError` (an ``APIError``): no answer came, even after every retry.
- :class:`OutcomeUnknownError` (an ``APIConnectionError``): a ``POST`` may or may not have been
  applied; it was not resent, to avoid duplicates.
- :class:`OperationNotPermitted`: an operation the SDK refuses on an entity or a list.
"""

from contacthub.errors.api_error import APIError, ApiError
from contacthub.errors.connection_error import APIConnectionError, OutcomeUnknownError
from contacthub.errors.operation_not_permitted import OperationNotPermitted

__all__ = [
    "APIConnectionError",
    "APIError",
    "ApiError",
    "OperationNotPermitted",
    "OutcomeUnknownError",
]
