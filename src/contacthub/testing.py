"""A pytest plugin that gives every test its own empty ContactHub: the ``hub`` and ``node`` fixtures.

Installing ``contacthub[server]`` registers this plugin with pytest automatically; nothing needs
to be imported. One local hub (the same server as ``contacthub serve``, on SQLite in a temporary
directory) starts in a background thread the first time a test asks for it and stops at the end
of the session. Every test that uses ``hub`` gets a fresh workspace, node and token, so it starts
from an empty hub and cannot see what other tests wrote.

Use it in your own test suite::

    # test_signup.py
    from myapp.signup import register


    def test_register_creates_one_customer(node):
        register(node, email="ada@example.com")
        customers = node.get_customers()
        assert [c.base.contacts.email for c in customers] == ["ada@example.com"]


    def test_raw_http(hub):
        import requests

        url = f"{hub.base_url}/workspaces/{hub.workspace_id}/customers"
        reply = requests.get(url, params={"nodeId": hub.node_id}, headers=hub.headers)
        assert reply.json()["elements"] == []

``node`` is a :class:`contacthub.Node` of the fresh workspace; ``hub`` (a :class:`Hub`) gives the
URLs and credentials, ``hub.workspace()`` a :class:`contacthub.Workspace`, and ``hub.server`` the
running :class:`contacthub_server.runner.HubServer` (for example ``hub.server.provision()`` makes
another workspace). To run the hub differently (PostgreSQL, injected latency or faults), override
the session-scoped ``hub_server`` fixture in your ``conftest.py``::

    import pytest
    from contacthub_server.runner import HubServer
    from contacthub_server.settings import HubSettings


    @pytest.fixture(scope="session")
    def hub_server():
        with HubServer(HubSettings(database_url="postgresql://localhost/hub_tests")) as server:
            yield server

The plugin needs the ``server`` extra (``pip install "contacthub[server]"``); without it, tests
that use these fixtures are skipped with a message saying so, and fail under ``CI=true``.
``hub.snapshot(dir)`` / ``hub.restore(dir)`` save and put back the test's workspace.
``with hub.index_delay(ms):`` makes the test's writes reach listings and searches only ``ms``
milliseconds later, as on the hosted API (readable by id at once)::

    def test_signup_survives_the_indexing_lag(hub, node):
        with hub.index_delay(2000):
            customer = register(node, email="ada@example.com")
            assert node.get_customer(id=customer.id)          # by id: at once
            assert list(node.get_customers()) == []           # listed only 2 s later
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from contacthub.node import Node
    from contacthub.workspace import Workspace
    from contacthub_server.runner import HubServer

__all__ = ["Hub"]


@dataclass
class Hub:
    """A running hub and one fresh workspace, node and token on it (what the ``hub`` fixture gives)."""

    server: HubServer
    workspace_id: str
    node_id: str
    token: str
    _workspaces: list[Any] = field(default_factory=list, repr=False)

    @property
    def url(self) -> str:
        """The server's root URL, e.g. ``http://127.0.0.1:53211``."""
        return self.server.url

    @property
    def base_url(self) -> str:
        """The API base URL (``url + "/hub/v1"``), as ``Workspace(base_url=...)`` expects it."""
        return self.server.base_url

    @property
    def workspace_url(self) -> str:
        """The URL of this test's workspace: ``base_url + "/workspaces/" + workspace_id``."""
        return f"{self.base_url}/workspaces/{self.workspace_id}"

    @property
    def headers(self) -> dict[str, str]:
        """HTTP headers for raw requests: the bearer token and a JSON content type."""
        return {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}

    def workspace(self) -> Workspace:
        """An SDK :class:`contacthub.Workspace` of this test's workspace (closed after the test)."""
        from contacthub.workspace import Workspace  # the SDK is imported only when asked for

        ws = Workspace(workspace_id=self.workspace_id, token=self.token, base_url=self.base_url)
        self._workspaces.append(ws)
        return ws

    def snapshot(self, directory: str | os.PathLike[str]) -> None:
        """Write this test's workspace (customers, events, sessions, nodes...) to ``directory``.

        In process, through the running server's admin seam (no admin key needed).
        """
        assert self.server.app is not None, "the hub server is not running"
        self.server.app.admin.export_snapshot(os.fspath(directory), self.workspace_id)

    def restore(self, directory: str | os.PathLike[str]) -> None:
        """Put this test's workspace back as :meth:`snapshot` wrote it (ids and dates kept)."""
        assert self.server.app is not None, "the hub server is not running"
        self.server.app.admin.import_snapshot(os.fspath(directory))

    @contextmanager
    def index_delay(self, ms: int) -> Iterator[None]:
        """Within the block, writes to this test's workspace reach listings and searches only
        ``ms`` milliseconds later, as on the hosted API (which indexes them asynchronously).

        A write is readable by id at once (``GET …/customers/{id}``, ``…/events/{id}``), but
        customer lists, queries, ``externalId`` look-ups, segment customers and event listings
        show it (and an update of it) only after the delay. Applies to every node of the
        workspace, as their ``indexDelayMs`` setting; on exit each node gets back what it had
        (writes made inside the block keep their delay). In process, through the running
        server's registry: no API call that the real ContactHub lacks.
        """
        assert self.server.app is not None, "the hub server is not running"
        registry = self.server.app.registry
        before = registry.set_index_delay(self.workspace_id, ms)
        try:
            yield
        finally:
            for node_id, previous in before.items():
                registry.set_index_delay(self.workspace_id, previous, [node_id])

    def close(self) -> None:
        """Close the SDK workspaces this hub handed out."""
        for ws in self._workspaces:
            close = getattr(ws, "close", None)
            if close is not None:
                close()
        self._workspaces.clear()


def _require_server() -> None:
    try:
        import contacthub_server.runner  # noqa: F401
    except ImportError as exc:  # the server extra is not installed
        if os.environ.get("CI") == "true":  # in CI a missing hub must not pass as skipped
            pytest.fail(f'the hub fixtures need "contacthub[server]" installed ({exc})')
        pytest.skip(f'the hub fixtures need "contacthub[server]" installed ({exc})')


@pytest.fixture(scope="session")
def hub_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubServer]:
    """One hub for the whole test session, on SQLite in a temporary directory."""
    _require_server()
    from contacthub_server.runner import HubServer
    from contacthub_server.settings import HubSettings

    path = tmp_path_factory.mktemp("contacthub") / "hub.db"
    with HubServer(HubSettings(database_url=str(path))) as server:
        yield server


@pytest.fixture
def hub(hub_server: HubServer) -> Iterator[Hub]:
    """A fresh workspace, node and token on the session's hub: every test starts empty."""
    credentials = hub_server.provision()
    handle = Hub(
        server=hub_server,
        workspace_id=credentials.workspace_id,
        node_id=credentials.node_id,
        token=credentials.token,
    )
    try:
        yield handle
    finally:
        handle.close()


@pytest.fixture
def node(hub: Hub) -> Node:
    """The SDK :class:`contacthub.Node` of the ``hub`` fixture's fresh node."""
    return hub.workspace().get_node(hub.node_id)
