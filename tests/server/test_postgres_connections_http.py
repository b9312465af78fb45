"""PostgreSQL connections that the server closed (a restart, an administrator terminating
sessions) are replaced when they leave the pool: the next requests succeed, none is a 500."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from contacthub_server.runner import HubServer
from contacthub_server.settings import HubSettings

pytestmark = pytest.mark.postgres


@pytest.fixture
def own_database(postgres_url: str) -> Iterator[tuple[str, str]]:
    """A database of this test alone (its sessions get terminated): (URL, name)."""
    import psycopg

    name = f"contacthub_conn_{uuid.uuid4().hex[:12]}"
    base, _, _ = postgres_url.rpartition("/")
    admin_url = base.replace("postgresql+psycopg://", "postgresql://", 1) + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{base}/{name}", name
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _sessions(admin_url: str, name: str, terminate: bool) -> int:
    import psycopg

    what = "pg_terminate_backend(pid)" if terminate else "pid"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        rows = admin.execute(
            f"SELECT {what} FROM pg_stat_activity WHERE datname = %s", (name,)
        ).fetchall()
    return len(rows)


def test_requests_after_the_server_closed_every_pooled_connection_succeed(
    own_database: tuple[str, str],
) -> None:
    url, name = own_database
    admin_url = url.rpartition("/")[0].replace("postgresql+psycopg://", "postgresql://") + (
        "/postgres"
    )
    with HubServer(HubSettings(database_url=url)) as server:
        creds = server.provision()
        workspace_url = f"{server.base_url}/workspaces/{creds.workspace_id}"
        headers = {"Authorization": f"Bearer {creds.token}"}

        def create(n: int) -> int:
            body = {"nodeId": creds.node_id, "externalId": f"c-{n}-{uuid.uuid4().hex[:6]}"}
            reply = requests.post(f"{workspace_url}/customers", json=body, headers=headers)
            return reply.status_code

        # Concurrent requests, so that the pool holds several connections.
        with ThreadPoolExecutor(8) as pool:
            assert set(pool.map(create, range(24))) == {201}
        assert _sessions(admin_url, name, terminate=False) >= 2

        assert _sessions(admin_url, name, terminate=True) >= 2
        deadline = time.monotonic() + 30
        while _sessions(admin_url, name, terminate=False) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _sessions(admin_url, name, terminate=False) == 0

        with ThreadPoolExecutor(8) as pool:
            assert list(pool.map(create, range(24))) == [201] * 24
        listing = requests.get(
            f"{workspace_url}/customers",
            headers=headers,
            params={"nodeId": creds.node_id, "size": 50},
        )
        assert listing.status_code == 200
        assert listing.json()["page"]["totalElements"] == 48
