"""Errors raised by the SDK."""

from contacthub.errors.api_error import APIError
from contacthub.errors.operation_not_permitted import OperationNotPermitted

__all__ = ["APIError", "OperationNotPermitted"]
