"""The error for operations the SDK refuses on an entity."""


class OperationNotPermitted(Exception):
    """Raised for an operation that is not allowed on an entity or a query.

    For example filtering a combined query further, or changing a list attribute in place.
    """
