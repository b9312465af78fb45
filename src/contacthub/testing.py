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

``with hub.faults(rate=0.5, latency_ms=100): ...`` makes the hub slow or failing for the test's
workspace only, until the block ends; ``hub.requests`` lists what the test's code sent to its
workspace (the hub's request log), oldest first::

    def test_signup_sends_one_create(hub, node):
        register(node, email="ada@example.com")
        assert [(r.method, r.endpoint, r.status) for r in hub.requests] == [
            ("POST", "/customers", 201)
        ]
``with hub.index_delay(ms):`` makes the test's writes reach listings and searches only ``ms``
milliseconds later, as on the hosted API (readable by id at once)::

    def test_signup_survives_the_indexing_lag(hub, node):
        with hub.index_delay(2000):
            customer = register(node, email="ada@example.com")
            assert node.get_customer(id=customer.id)          # by id: at once
            assert list(node.get_customers()) == []           # listed only 2 s later
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from contacthub.node import Node
    from contacthub.workspace import Workspace
    from contacthub_server.runner import HubServer

__all__ = ["Hub", "RecordedRequest"]


@dataclass(frozen=True)
class RecordedRequest:
    """One request the hub answered, as its request log kept it (``hub.requests``).

    Bodies are text, each cut at 16 KB (``*_truncated`` says so); the ``Authorization`` header is
    never kept (``headers["authorization"]`` is ``"Bearer ***"``). ``status`` is None when an
    injected fault closed the connection without an answer (``fault`` names it).
    """

    method: str
    path: str
    query: str
    status: int | None
    latency_ms: float
    workspace_id: str | None
    headers: dict[str, str]
    body: str
    response_body: str
    fault: int | str | None = None
    body_truncated: bool = False
    response_truncated: bool = False
    date: str = ""
    id: int = 0

    @property
    def endpoint(self) -> str:
        """The path inside the workspace: ``"/customers"`` for ``/hub/v1/workspaces/W/customers``."""
        if self.workspace_id is None:
            return self.path
        prefix = f"/hub/v1/workspaces/{self.workspace_id}"
        return self.path[len(prefix) :] or "/"

    def json(self) -> Any:
        """The request body parsed as JSON (None when there was none)."""
        return json.loads(self.body) if self.body else None

    def response_json(self) -> Any:
        """The response body parsed as JSON (None when there was none)."""
        return json.loads(self.response_body) if self.response_body else None

    @classmethod
    def from_log(cls, entry: dict[str, Any]) -> RecordedRequest:
        """From an entry of the admin API's request log (``GET /_hub/requests``)."""
        return cls(
            method=entry["method"],
            path=entry["path"],
            query=entry["query"],
            status=entry["status"],
            latency_ms=entry["latencyMs"],
            workspace_id=entry["workspaceId"],
            headers=dict(entry["requestHeaders"]),
            body=entry["requestBody"],
            response_body=entry["responseBody"],
            fault=entry["fault"],
            body_truncated=entry["requestBodyTruncated"],
            response_truncated=entry["responseBodyTruncated"],
            date=entry["date"],
            id=entry["id"],
        )


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
    def faults(
        self,
        rate: float = 0.0,
        latency_ms: int = 0,
        *,
        seed: int | None = None,
        statuses: Sequence[int | str] | None = None,
    ) -> Iterator[None]:
        """Make the hub fail ``rate`` of this test's requests and answer ``latency_ms`` later.

        For the test's workspace only, until the block ends (the hub-wide settings apply
        again after it). ``statuses`` picks the faults drawn from: 503 and 429 (refused with
        ``Retry-After``, not processed), ``"drop-before"`` and ``"drop-after"`` (the connection
        closed before the request is processed, or after it was committed); all four by
        default. ``seed`` makes the draw repeatable. Bad values raise ``ValueError``.
        """
        admin = self._admin()
        body: dict[str, Any] = {"rate": rate, "latencyMs": latency_ms, "seed": seed}
        if statuses is not None:
            body["statuses"] = list(statuses)
        from contacthub_server.service.errors import HubError

        try:
            admin.set_workspace_faults(self.workspace_id, body)
        except HubError as exc:
            details = "; ".join(f"{e['path']}: {e['message']}" for e in exc.errors)
            raise ValueError(f"{exc.message}: {details}" if details else exc.message) from None
        try:
            yield
        finally:
            admin.clear_workspace_faults(self.workspace_id)

    @property
    def requests(self) -> list[RecordedRequest]:
        """What this test's code sent to its workspace, oldest first (the hub's request log)."""
        log = self._admin().request_log
        entries = log.search(workspace=self.workspace_id, newest_first=False)
        return [RecordedRequest.from_log(entry.to_json()) for entry in entries]

    def _admin(self) -> Any:
        assert self.server.app is not None, "the hub server is not running"
        return self.server.app.admin

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
