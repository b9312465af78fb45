"""Hub tests run on every backend: the plugin's ``hub_server`` is overridden per database.

``database_url`` (tests/conftest.py) is parametrized over SQLite and PostgreSQL, so every test
using ``hub`` runs once per backend, against one server per backend for the whole session.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from hubclient import Api

from contacthub.testing import Hub
from contacthub_server.runner import HubServer
from contacthub_server.settings import HubSettings


@pytest.fixture(scope="session")
def hub_server(database_url: str) -> Iterator[HubServer]:
    """One hub per backend for the whole session."""
    with HubServer(HubSettings(database_url=database_url)) as server:
        yield server


@pytest.fixture
def api(hub: Hub) -> Iterator[Api]:
    """A raw HTTP client of this test's fresh workspace."""
    client = Api(hub)
    yield client
    client.session.close()


@pytest.fixture(autouse=True)
def no_internal_errors(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail a hub test during which the hub answered a 500 (its catch-all logs each one)."""
    if "hub" not in request.fixturenames:
        yield
        return
    caplog: pytest.LogCaptureFixture = request.getfixturevalue("caplog")
    yield
    errors = [
        record.getMessage()
        for record in caplog.get_records("call")
        if record.name == "contacthub_server" and record.levelno >= logging.ERROR
    ]
    assert errors == [], f"the hub failed internally: {errors}"
