"""Statements run on the database driver's own connection, for the hottest write paths.

SQLAlchemy's execution of a statement (its execution context, parameter processing and result
set-up) costs more CPU than the driver's own work for the small statements of a customer create:
about 100 µs a statement, measured on PostgreSQL. The change feed's append and PostgreSQL's
customer insert therefore go straight to the driver (sqlite3 or psycopg), inside the transaction
that SQLAlchemy opened on that same connection. Errors still come out as SQLAlchemy's
exceptions (`DBAPIError` subclasses, parameters hidden), as from any other statement.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError, StatementError


def execute(conn: Connection, sql: str, params: Sequence[Any] | Mapping[str, Any]) -> Any:
    """Run `sql` with `params` on the driver's connection under `conn`; the driver's cursor.

    SQL in the driver's own parameter style: `?` for sqlite3, `%(name)s` for psycopg (where
    `%(name)b` sends that value in binary, which spares psycopg the quoting of every element
    of an array).
    """
    dbapi: Any = conn.dialect.loaded_dbapi
    try:
        return conn.connection.driver_connection.execute(sql, params)  # type: ignore[union-attr]
    except dbapi.Error as exc:
        raise _wrapped(conn, sql, exc) from exc


def executemany(conn: Connection, sql: str, rows: Sequence[Sequence[Any]]) -> None:
    """Run `sql` once per row of `rows` (sqlite3's executemany) on the driver's connection."""
    dbapi: Any = conn.dialect.loaded_dbapi
    try:
        conn.connection.driver_connection.executemany(sql, rows)  # type: ignore[union-attr]
    except dbapi.Error as exc:
        raise _wrapped(conn, sql, exc) from exc


def _wrapped(conn: Connection, sql: str, exc: Exception) -> StatementError:
    dbapi: Any = conn.dialect.loaded_dbapi
    return DBAPIError.instance(
        sql,
        None,
        exc,
        dbapi.Error,
        hide_parameters=True,
        dialect=conn.dialect,
        ismulti=False,
    )
