"""Fixtures shared by the whole suite: the database backends the hub runs on.

PostgreSQL tests use the server named by ``CONTACTHUB_TEST_POSTGRES_URL`` (default: the local
trust-auth server at 127.0.0.1:5432). Each test session creates its own database there and
drops it at the end. Where no PostgreSQL is reachable those tests skip, saying why, except
under ``CI=true``, where a missing PostgreSQL is a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

POSTGRES_ADMIN_URL = os.environ.get(
    "CONTACTHUB_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def _admin_connect() -> object:
    import psycopg

    return psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=3)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A SQLAlchemy URL of a fresh PostgreSQL database for this test session."""
    try:
        admin = _admin_connect()
    except Exception as exc:  # any failure to connect means "no PostgreSQL here"
        reason = f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}: {exc}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason} (CI=true requires PostgreSQL)")
        pytest.skip(reason)
    name = f"contacthub_test_{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE DATABASE "{name}"')  # type: ignore[attr-defined]
    base, _, _ = POSTGRES_ADMIN_URL.rpartition("/")
    url = f"{base}/{name}".replace("postgresql://", "postgresql+psycopg://", 1)
    try:
        yield url
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[attr-defined]
        admin.close()  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLAlchemy URL of a fresh SQLite file for this test session."""
    path: Path = tmp_path_factory.mktemp("hub") / "hub.db"
    return f"sqlite:///{path}"


@pytest.fixture(
    scope="session",
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def database_url(request: pytest.FixtureRequest) -> str:
    """Each backend the hub supports, in turn: tests using it run once per backend."""
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(name))
