"""Fixtures of the store tests: one migrated store per backend, a fresh workspace per test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from contacthub_server.store import Store


@pytest.fixture(scope="module")
def store(database_url: str) -> Iterator[Store]:
    """A store on each backend; tests share its database and separate by workspace id."""
    opened = Store.connect(database_url)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def ws(store: Store) -> str:
    """A fresh random workspace id with a node "node-a" and "node-b", so each test starts empty."""
    workspace = f"ws-{uuid.uuid4()}"
    with store.write() as tx:
        tx.ensure_workspace(workspace)
        tx.ensure_node(workspace, "node-a", {})
        tx.ensure_node(workspace, "node-b", {})
    return workspace
