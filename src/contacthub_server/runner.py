"""``HubServer``: a hub in a background thread of the current process (tests, plugin, demo).

::

    from contacthub_server.runner import HubServer
    from contacthub_server.settings import HubSettings

    with HubServer(HubSettings(database_url="/tmp/hub.db")) as server:
        creds = server.provision()
        print(server.base_url, creds.workspace_id, creds.node_id, creds.token)
"""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType
from typing import Any

import uvicorn

from contacthub_server.app import HubApp, create_app
from contacthub_server.connections import uvicorn_options
from contacthub_server.settings import Credentials, HubSettings

__all__ = ["Credentials", "HubServer"]

_START_TIMEOUT_SECONDS = 30.0


class HubServer:
    """A hub served by uvicorn in a daemon thread, on ``host:port`` (port 0 = a free port)."""

    def __init__(self, settings: HubSettings, host: str = "127.0.0.1", port: int = 0) -> None:
        self.settings = settings
        self.host = host
        self.port = port
        self.app: HubApp | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None

    # -- lifecycle ------------------------------------------------------------------------
    def start(self) -> None:
        """Open the database, bind the port and serve; returns once connections are accepted."""
        if self._thread is not None:
            raise RuntimeError("the hub server is already running")
        self.app = create_app(self.settings)
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.host, self.port))
        except OSError:
            sock.close()
            self.app.close()
            self.app = None
            raise
        self.port = sock.getsockname()[1]
        self._socket = sock
        config = uvicorn.Config(
            self.app,
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=5,
            **uvicorn_options(),
        )
        server = uvicorn.Server(config)
        self._server = server
        self._thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="contacthub-hub", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + _START_TIMEOUT_SECONDS
        while not server.started:
            if not self._thread.is_alive():
                self._cleanup()
                raise RuntimeError("the hub server failed to start (see the log above)")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the hub server did not start within 30 seconds")
            time.sleep(0.01)

    def stop(self) -> None:
        """Stop serving (finishing requests in flight) and close the database."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=15)
        self._cleanup()

    def _cleanup(self) -> None:
        if self._socket is not None:
            self._socket.close()
        if self.app is not None:
            self.app.close()
        self._socket = None
        self._server = None
        self._thread = None
        self.app = None

    def __enter__(self) -> HubServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- addresses and credentials --------------------------------------------------------
    @property
    def url(self) -> str:
        """The server's root URL, e.g. ``http://127.0.0.1:53211``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def base_url(self) -> str:
        """The API base URL: ``url + "/hub/v1"``."""
        return self.url + "/hub/v1"

    @property
    def admin_key(self) -> str:
        """The hub's admin key (bearer token of the ``/_hub/`` admin API)."""
        if self.app is None:
            raise RuntimeError("start the hub server first")
        return self.app.admin_key

    def provision(
        self,
        workspace_id: str | None = None,
        node_id: str | None = None,
        token: str | None = None,
        node_settings: dict[str, Any] | None = None,
    ) -> Credentials:
        """Create (or ensure) a workspace, a node of it and a token for it; None = random.

        ``node_settings`` (matching policy, extended schema: see
        :func:`contacthub_server.service.validation.validate_node_settings`) replace the node's.
        """
        if self.app is None:
            raise RuntimeError("start the hub server before provisioning")
        return self.app.registry.provision(workspace_id, node_id, token, node_settings)
