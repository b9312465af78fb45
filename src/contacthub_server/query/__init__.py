"""The customer query language (contract §5), parsed: no SQL and nothing of the service here.

The store compiles a parsed `Query` to SQL (`contacthub_server.store.query_sql`).
"""

from contacthub_server.query.parse import (
    OPERATORS,
    ROOTS,
    Atomic,
    Combined,
    Composite,
    Condition,
    Kind,
    Query,
    QueryError,
    Simple,
    Value,
    parse_query,
    parse_query_string,
)

__all__ = [
    "OPERATORS",
    "ROOTS",
    "Atomic",
    "Combined",
    "Composite",
    "Condition",
    "Kind",
    "Query",
    "QueryError",
    "Simple",
    "Value",
    "parse_query",
    "parse_query_string",
]
